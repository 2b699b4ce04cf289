// A probe, not part of the library: can a vector tanh agree with glibc's within 1 ULP?
// glibc's tanh (fdlibm's algorithm) is 1 - 2/(expm1(2|x|) + 2) for |x| >= 1 and
// -t/(t + 2), t = expm1(-2|x|) below, on glibc's own expm1. This evaluates the same formula
// with SLEEF's AVX-512 expm1 (1 ULP), counts the points where it differs from glibc's tanh
// by more than 1 ULP, and times both on 1e6 values in [-3, 3] (thread CPU, one core).
// Build and run (needs libsleef-dev and an AVX-512F CPU):
//   gcc -O2 -o /tmp/tanh_probe Benchmarks/peers/tanh_probe.c -lsleef -lm && /tmp/tanh_probe
// Results: Benchmarks/RESULTS.md, "Vector math (SLEEF) against NumPy", tanh.
#include <immintrin.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
extern __m512d Sleef_expm1d8_u10avx512f(__m512d);

// fdlibm/glibc: |x|<2^-55: x; |x|>=22: ±1; |x|>=1: 1-2/(expm1(2|x|)+2); else -t/(t+2), t=expm1(-2|x|)
__attribute__((target("avx512f")))
static void tanh8(const double *x, double *y, size_t n) {
    const __m512d two = _mm512_set1_pd(2.0), one = _mm512_set1_pd(1.0);
    const __m512d absmask = _mm512_castsi512_pd(_mm512_set1_epi64(0x7fffffffffffffffLL));
    for (size_t i = 0; i + 8 <= n; i += 8) {
        __m512d v = _mm512_loadu_pd(x + i);
        __m512d a = _mm512_abs_pd(v);
        __m512i sign = _mm512_andnot_si512(_mm512_castpd_si512(absmask), _mm512_castpd_si512(v));
        __mmask8 big = _mm512_cmp_pd_mask(a, one, _CMP_GE_OQ);
        // argument: 2|x| for big, -2|x| for small
        __m512d arg = _mm512_mask_blend_pd(big, _mm512_mul_pd(a, _mm512_set1_pd(-2.0)), _mm512_mul_pd(a, two));
        __m512d t = Sleef_expm1d8_u10avx512f(arg);
        __m512d zb = _mm512_sub_pd(one, _mm512_div_pd(two, _mm512_add_pd(t, two)));
        __m512d zs = _mm512_div_pd(_mm512_sub_pd(_mm512_setzero_pd(), t), _mm512_add_pd(t, two));
        __m512d z = _mm512_mask_blend_pd(big, zs, zb);
        __mmask8 huge = _mm512_cmp_pd_mask(a, _mm512_set1_pd(22.0), _CMP_GE_OQ);
        z = _mm512_mask_blend_pd(huge, z, one);
        __mmask8 tiny = _mm512_cmp_pd_mask(a, _mm512_set1_pd(0x1p-55), _CMP_LT_OQ);
        z = _mm512_mask_blend_pd(tiny, z, a);
        z = _mm512_castsi512_pd(_mm512_or_si512(_mm512_castpd_si512(z), sign));
        _mm512_storeu_pd(y + i, z);
    }
}
static int64_t ulpd(double a, double b) {
    int64_t ia, ib; memcpy(&ia,&a,8); memcpy(&ib,&b,8);
    if (ia < 0) ia = INT64_MIN - ia;
    if (ib < 0) ib = INT64_MIN - ib;
    int64_t d = ia - ib; return d < 0 ? -d : d;
}
int main() {
    size_t n = 1<<24; double *x = malloc(n*8), *y = malloc(n*8);
    srand(1);
    for (size_t i = 0; i < n; i++) {
        double u = (double)rand()/RAND_MAX;
        if (i % 4 == 0) x[i] = 6*u - 3; else if (i%4==1) x[i] = (2*u-1)*1e-3; else if (i%4==2) x[i] = (2*u-1)*25; else { x[i] = ldexp(2*u-1, -(int)(u*60)); }
    }
    tanh8(x, y, n);
    size_t bad = 0, diff1 = 0; int64_t worst = 0;
    for (size_t i = 0; i < n; i++) { int64_t d = ulpd(y[i], tanh(x[i])); if (d > 1) { bad++; if (bad < 5) printf("x=%a ours=%a glibc=%a\n", x[i], y[i], tanh(x[i])); } if (d==1) diff1++; if (d > worst) worst = d; }
    printf("n=%zu >1ulp: %zu, =1ulp: %zu, worst %ld\n", n, bad, diff1, worst);
    // timing 1e6 uniform [-3,3]
    size_t m = 1000000; for (size_t i = 0; i < m; i++) x[i] = 6.0*rand()/RAND_MAX - 3;
    struct timespec a, b; double best = 1e9;
    for (int r = 0; r < 20; r++) { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a); tanh8(x, y, m); clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b); double t = (b.tv_sec-a.tv_sec)*1e3 + (b.tv_nsec-a.tv_nsec)/1e6; if (t < best) best = t; }
    printf("ours: %.3f ms / 1e6\n", best);
    best = 1e9;
    for (int r = 0; r < 5; r++) { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a); for (size_t i = 0; i < m; i++) y[i] = tanh(x[i]); clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b); double t = (b.tv_sec-a.tv_sec)*1e3 + (b.tv_nsec-a.tv_nsec)/1e6; if (t < best) best = t; }
    printf("glibc: %.3f ms / 1e6\n", best);
}
