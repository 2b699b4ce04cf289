#ifndef AUTODIFF_CLAPACK_SHIM_H
#define AUTODIFF_CLAPACK_SHIM_H
// CBLAS from OpenBLAS (Debian installs it at /usr/include/x86_64-linux-gnu/cblas.h)
// and LAPACKE from liblapacke-dev.
#include <cblas.h>
#include <lapacke.h>
// backtrace(3), for the call stacks of anomaly mode.
#include <execinfo.h>
#endif
