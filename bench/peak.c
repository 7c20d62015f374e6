/*
 * peak.c - fp32 FMA throughput probes for the conv micro-kernel design.
 *   gcc -O2 -march=native bench/peak.c -o /tmp/peak && /tmp/peak
 * (1) pure register FMAs, 24 independent zmm accumulators: the peak (on
 *     AVX2+FMA without AVX-512: 12 independent ymm accumulators, and only this);
 * (2) the conv inner loop shape: per step 2 weight loads, 14 vbroadcastss,
 *     28 FMAs (register operands);
 * (3) the same with the broadcast embedded in the FMA (m32{1to16}).
 * Check with objdump that the accumulators are not spilled.
 */
#define _POSIX_C_SOURCE 200112L
#include <stdio.h>
#include <time.h>
#ifdef __AVX512F__
#include <immintrin.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static float buf[4096] __attribute__((aligned(64)));

#define REP24(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11) \
    M(12) M(13) M(14) M(15) M(16) M(17) M(18) M(19) M(20) M(21) M(22) M(23)

static double peak(long n)
{
    __m512 a = _mm512_set1_ps(1.0001f), b = _mm512_set1_ps(0.9999f);
#define D(i) __m512 c##i = _mm512_set1_ps((float)i);
    REP24(D)
#undef D
    long i;
    double t0 = now(), t;
    for (i = 0; i < n; i++) {
#define F(i) c##i = _mm512_fmadd_ps(a, b, c##i); __asm__ volatile("" : "+v"(c##i));
        REP24(F)
#undef F
    }
    t = now() - t0;
    {
        __m512 s = _mm512_setzero_ps();
#define S(i) s = _mm512_add_ps(s, c##i);
        REP24(S)
#undef S
        buf[0] = _mm512_reduce_add_ps(s);
    }
    return 24.0 * 32 * n / t * 1e-9;
}

#define REP14(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11) M(12) M(13)

/* embed = 0: vbroadcastss + 2 register FMAs; 1: broadcast operand in FMA */
static double convshape(long n, int embed)
{
    __m512 w0, w1;
#define D(i) __m512 a##i = _mm512_setzero_ps(), b##i = _mm512_setzero_ps();
    REP14(D)
#undef D
    long i;
    double t0 = now(), t;
    for (i = 0; i < n; i++) {
        const float *x = buf + (i & 15), *w = buf + 1024 + (i & 15) * 32;
        w0 = _mm512_load_ps(w);
        w1 = _mm512_load_ps(w + 16);
        if (embed) {
#define F(p) a##p = _mm512_fmadd_ps(w0, _mm512_set1_ps(x[p * 16]), a##p); \
             b##p = _mm512_fmadd_ps(w1, _mm512_set1_ps(x[p * 16]), b##p); \
             __asm__ volatile("" : "+v"(a##p), "+v"(b##p));
            REP14(F)
#undef F
        } else {
#define F(p) { __m512 bb = _mm512_set1_ps(x[p * 16]); __asm__ volatile("" : "+v"(bb)); \
             a##p = _mm512_fmadd_ps(w0, bb, a##p); b##p = _mm512_fmadd_ps(w1, bb, b##p); \
             __asm__ volatile("" : "+v"(a##p), "+v"(b##p)); }
            REP14(F)
#undef F
        }
    }
    t = now() - t0;
    {
        __m512 s = _mm512_setzero_ps();
#define S(p) s = _mm512_add_ps(s, _mm512_add_ps(a##p, b##p));
        REP14(S)
#undef S
        buf[0] = _mm512_reduce_add_ps(s);
    }
    return 28.0 * 32 * n / t * 1e-9;
}

int main(void)
{
    long n = 200000000;
    int r;
    for (r = 0; r < 2; r++) {
        printf("peak, 24 register accumulators:      %6.1f GFLOP/s\n", peak(n / 2));
        printf("conv 2x14, vbroadcastss + 2 FMA:     %6.1f GFLOP/s\n", convshape(n / 4, 0));
        printf("conv 2x14, FMA with m32{1to16}:      %6.1f GFLOP/s\n", convshape(n / 4, 1));
    }
    return 0;
}
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static float sink;

#define REP12(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11)

static double peak(long n)
{
    __m256 a = _mm256_set1_ps(1.0001f), b = _mm256_set1_ps(0.9999f);
#define D(i) __m256 c##i = _mm256_set1_ps((float)i);
    REP12(D)
#undef D
    long i;
    double t0 = now(), t;
    for (i = 0; i < n; i++) {
#define F(i) c##i = _mm256_fmadd_ps(a, b, c##i); __asm__ volatile("" : "+x"(c##i));
        REP12(F)
#undef F
    }
    t = now() - t0;
    {
        __m256 s = _mm256_setzero_ps();
        float lanes[8];
#define S(i) s = _mm256_add_ps(s, c##i);
        REP12(S)
#undef S
        _mm256_storeu_ps(lanes, s);
        sink = lanes[0];
    }
    return 12.0 * 16 * n / t * 1e-9;
}

int main(void)
{
    long n = 200000000;
    int r;
    for (r = 0; r < 2; r++)
        printf("peak, 12 ymm register accumulators: %6.1f GFLOP/s\n", peak(n / 2));
    return sink == 12345.f; /* keeps the sums */
}
#else
int main(void)
{
    printf("peak.c needs AVX-512 or AVX2+FMA (-march=native on such a machine)\n");
    return 0;
}
#endif
