// Elementwise math on arrays through SLEEF's vector functions (see include/vecmath.h).
//
// Why C: the vector functions take and return AVX2 and AVX-512 registers, and a caller
// passes those the way the library expects only when it is compiled for that
// instruction set. Swift code is compiled for the x86-64 baseline (SSE2), so the loops
// that call the wide functions live here, each compiled for its own instruction set
// (`target` attributes), and the set is picked at run time from what the CPU reports.
// SLEEF's own 8- and 16-lane entry points (Sleef_expd8_u10, ...) are no dispatchers in
// the Debian build (they are the AVX-512F code under another name), hence the choice here.

#include "vecmath.h"

#if defined(__x86_64__)

#include <immintrin.h>
#include <math.h>
#include <string.h>
#include <sleef.h>

// The functions in the order of autodiff_vm_function. X(name) expands once per function.
#define AUTODIFF_VM_FUNCTIONS(X) X(exp) X(log) X(sin) X(cos) X(expm1) X(log1p)
#define AUTODIFF_VM_COUNT 6

// The AVX2 and AVX-512F entry points (sleef.h declares them only for files compiled
// for those sets). The SSE2-width ones are SLEEF's dispatchers, declared by sleef.h.
#define DECLARE_WIDE(f)                                                                  \
    extern __m512d Sleef_##f##d8_u10avx512f(__m512d);                                   \
    extern __m512 Sleef_##f##f16_u10avx512f(__m512);                                    \
    extern __m256d Sleef_##f##d4_u10avx2(__m256d);                                      \
    extern __m256 Sleef_##f##f8_u10avx2(__m256);
AUTODIFF_VM_FUNCTIONS(DECLARE_WIDE)

typedef __m512d (*vm_d8)(__m512d);
typedef __m512 (*vm_f16)(__m512);
typedef __m256d (*vm_d4)(__m256d);
typedef __m256 (*vm_f8)(__m256);
// (as sleef.h declares them: its return types carry a `const`)
typedef __typeof__(&Sleef_expd2_u10) vm_d2;
typedef __typeof__(&Sleef_expf4_u10) vm_f4;

#define ENTRY_D8(f) Sleef_##f##d8_u10avx512f,
#define ENTRY_F16(f) Sleef_##f##f16_u10avx512f,
#define ENTRY_D4(f) Sleef_##f##d4_u10avx2,
#define ENTRY_F8(f) Sleef_##f##f8_u10avx2,
#define ENTRY_D2(f) Sleef_##f##d2_u10,
#define ENTRY_F4(f) Sleef_##f##f4_u10,
static const vm_d8 table_d8[AUTODIFF_VM_COUNT] = {AUTODIFF_VM_FUNCTIONS(ENTRY_D8)};
static const vm_f16 table_f16[AUTODIFF_VM_COUNT] = {AUTODIFF_VM_FUNCTIONS(ENTRY_F16)};
static const vm_d4 table_d4[AUTODIFF_VM_COUNT] = {AUTODIFF_VM_FUNCTIONS(ENTRY_D4)};
static const vm_f8 table_f8[AUTODIFF_VM_COUNT] = {AUTODIFF_VM_FUNCTIONS(ENTRY_F8)};
static const vm_d2 table_d2[AUTODIFF_VM_COUNT] = {AUTODIFF_VM_FUNCTIONS(ENTRY_D2)};
static const vm_f4 table_f4[AUTODIFF_VM_COUNT] = {AUTODIFF_VM_FUNCTIONS(ENTRY_F4)};

// y = f(x) over n elements, W lanes at a time; the last partial vector is padded with
// zeros, so that every element goes through the same vector code. With `fix`, the lanes
// whose argument is above `above` are recomputed with `fix` (glibc's function): SLEEF's
// exp overflows from 709.78271114955 on, a little before the largest finite result
// (e^709.782712893384), and its log1p is ∞ above 1e307 (Float: 1e38) where the result
// is finite. (One compare per vector: a second pass over y was measurably slower.)
#define DRIVER(name, F, T, V, W, ATTRIBUTES)                                             \
    ATTRIBUTES static inline V name##_one(F f, T (*fix)(T), T above, V v) {             \
        V r = f(v);                                                                      \
        if (fix && __builtin_reduce_or(v > ((V){0} + above))) {                          \
            T a[W], b[W];                                                                \
            memcpy(a, &v, sizeof v);                                                     \
            memcpy(b, &r, sizeof r);                                                     \
            for (int l = 0; l < W; l++)                                                  \
                if (a[l] > above) b[l] = fix(a[l]);                                      \
            memcpy(&r, b, sizeof r);                                                     \
        }                                                                                \
        return r;                                                                        \
    }                                                                                    \
    ATTRIBUTES static void name(F f, T (*fix)(T), T above, const T *x, T *y, size_t n) { \
        size_t i = 0;                                                                    \
        for (; i + W <= n; i += W) {                                                     \
            V v;                                                                         \
            memcpy(&v, x + i, sizeof v);                                                 \
            v = name##_one(f, fix, above, v);                                            \
            memcpy(y + i, &v, sizeof v);                                                 \
        }                                                                                \
        if (i < n) {                                                                     \
            T lanes[W] = {0};                                                            \
            memcpy(lanes, x + i, (n - i) * sizeof(T));                                   \
            V v;                                                                         \
            memcpy(&v, lanes, sizeof v);                                                 \
            v = name##_one(f, fix, above, v);                                            \
            memcpy(lanes, &v, sizeof v);                                                 \
            memcpy(y + i, lanes, (n - i) * sizeof(T));                                   \
        }                                                                                \
    }
DRIVER(drive_d8, vm_d8, double, __m512d, 8, __attribute__((target("avx512f"))))
DRIVER(drive_f16, vm_f16, float, __m512, 16, __attribute__((target("avx512f"))))
DRIVER(drive_d4, vm_d4, double, __m256d, 4, __attribute__((target("avx2,fma"))))
DRIVER(drive_f8, vm_f8, float, __m256, 8, __attribute__((target("avx2,fma"))))
DRIVER(drive_d2, vm_d2, double, __m128d, 2, )
DRIVER(drive_f4, vm_f4, float, __m128, 4, )

autodiff_vm_isa autodiff_vm_available(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return AUTODIFF_VM_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return AUTODIFF_VM_AVX2;
    return AUTODIFF_VM_SSE2;
}

// glibc's scalar functions, which the rule table calls, in the same order.
static double (*const scalar_d[AUTODIFF_VM_COUNT])(double) = {exp, log, sin, cos, expm1, log1p};
static float (*const scalar_f[AUTODIFF_VM_COUNT])(float) = {expf, logf, sinf, cosf, expm1f, log1pf};

#define MAP(name, T, SCALAR, EXP_ABOVE, LOG1P_ABOVE, D_WIDE, T_WIDE, D_MID, T_MID, D_BASE, T_BASE)         \
    int name(autodiff_vm_function f, autodiff_vm_isa isa, const T *x, T *y, size_t n) {  \
        autodiff_vm_isa best = autodiff_vm_available();                                  \
        if (isa > best) isa = best;                                                      \
        if (isa == AUTODIFF_VM_NONE || (unsigned)f >= AUTODIFF_VM_COUNT) return 0;       \
        T (*fix)(T) = 0;                                                                 \
        T above = 0;                                                                     \
        if (f == AUTODIFF_VM_EXP) fix = SCALAR[f], above = EXP_ABOVE;                    \
        if (f == AUTODIFF_VM_LOG1P) fix = SCALAR[f], above = LOG1P_ABOVE;                \
        switch (isa) {                                                                   \
        case AUTODIFF_VM_AVX512: D_WIDE(T_WIDE[f], fix, above, x, y, n); break;          \
        case AUTODIFF_VM_AVX2: D_MID(T_MID[f], fix, above, x, y, n); break;              \
        default: D_BASE(T_BASE[f], fix, above, x, y, n); break;                          \
        }                                                                                \
        return 1;                                                                        \
    }
MAP(autodiff_vm_map_f64, double, scalar_d, 709.78, 1e307, drive_d8, table_d8, drive_d4, table_d4, drive_d2, table_d2)
MAP(autodiff_vm_map_f32, float, scalar_f, 88.72f, 1e38f, drive_f16, table_f16, drive_f8, table_f8, drive_f4, table_f4)

#else

// Elsewhere (arm64, ...) no vector path: the callers keep their scalar loops.
autodiff_vm_isa autodiff_vm_available(void) { return AUTODIFF_VM_NONE; }
int autodiff_vm_map_f64(autodiff_vm_function f, autodiff_vm_isa isa, const double *x, double *y, size_t n) {
    (void)f, (void)isa, (void)x, (void)y, (void)n;
    return 0;
}
int autodiff_vm_map_f32(autodiff_vm_function f, autodiff_vm_isa isa, const float *x, float *y, size_t n) {
    (void)f, (void)isa, (void)x, (void)y, (void)n;
    return 0;
}

#endif
