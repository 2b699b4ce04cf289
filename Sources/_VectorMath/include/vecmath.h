#ifndef AUTODIFF_VECMATH_H
#define AUTODIFF_VECMATH_H
// Elementwise math on arrays through SLEEF's 1.0-ULP vector functions, with the widest
// instruction set the CPU has picked at run time (x86-64: AVX-512F, else AVX2 with FMA,
// else SSE2). Internal to AutodiffTensor.

#include <stddef.h>
#include "heap.h"

/// The functions with a vector path: those whose SLEEF 1-ULP function stays within 1 ULP
/// of glibc's, which the rule table calls. Not tanh (glibc's is up to 2.1 ULP from the exact
/// value, SLEEF's 0.51, so they differ by 2) nor sigmoid (its formula turns exp's last bit
/// into 2 ULP).
typedef enum {
    AUTODIFF_VM_EXP = 0,
    AUTODIFF_VM_LOG = 1,
    AUTODIFF_VM_SIN = 2,
    AUTODIFF_VM_COS = 3,
    AUTODIFF_VM_EXPM1 = 4,
    AUTODIFF_VM_LOG1P = 5,
} autodiff_vm_function;

/// The instruction sets, widest last; AUTODIFF_VM_BEST is the widest the CPU supports.
typedef enum {
    AUTODIFF_VM_NONE = 0,
    AUTODIFF_VM_SSE2 = 1,
    AUTODIFF_VM_AVX2 = 2,
    AUTODIFF_VM_AVX512 = 3,
    AUTODIFF_VM_BEST = 4,
} autodiff_vm_isa;

/// The widest instruction set the vector paths can use on this CPU
/// (AUTODIFF_VM_NONE where there is none: not x86-64).
autodiff_vm_isa autodiff_vm_available(void);

/// y[i] = f(x[i]) for i < n with instruction set `isa` (lowered to what the CPU
/// supports). Every element goes through the vector function, the last partial
/// vector too (padded), so an element's result does not depend on its position.
/// Returns 0 when there is no vector path (then y is untouched), else 1.
int autodiff_vm_map_f64(autodiff_vm_function f, autodiff_vm_isa isa, const double *x, double *y, size_t n);
int autodiff_vm_map_f32(autodiff_vm_function f, autodiff_vm_isa isa, const float *x, float *y, size_t n);

#endif
