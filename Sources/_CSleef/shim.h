#ifndef AUTODIFF_CSLEEF_SHIM_H
#define AUTODIFF_CSLEEF_SHIM_H
// SLEEF, the vectorised libm (Debian: libsleef-dev; /usr/include/<triple>/sleef.h).
// Its vector functions of a width beyond SSE2 are declared only when the including
// file is compiled for that ISA: _VectorMath declares the ones it calls itself.
#include <sleef.h>
#endif
