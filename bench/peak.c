/*
 * peak.c - fp32 FMA throughput probes for the conv micro-kernel design.
 *   gcc -O2 -march=native bench/peak.c -o /tmp/peak && /tmp/peak
 * (1) pure register FMAs: the peak, one probe for both vector widths,
 *     24 independent zmm accumulators with AVX-512, 12 ymm ones on AVX2+FMA
 *     without it (and only this probe there);
 * (2) the conv inner loop shape: per step 2 weight loads, 14 vbroadcastss,
 *     28 FMAs (register operands);
 * (3) the same with the broadcast embedded in the FMA (m32{1to16}).
 * Check with objdump that the accumulators are not spilled.
 */
#define _POSIX_C_SOURCE 200112L
#include <stdio.h>
#include <time.h>
#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
#include <immintrin.h>

#define REP12(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11)
#define REP14(M) REP12(M) M(12) M(13)
#define REP24(M) REP12(M) M(12) M(13) M(14) M(15) M(16) M(17) M(18) M(19) M(20) M(21) M(22) M(23)

/* The vector the peak probe runs on: its type, lanes, intrinsics, register
 * constraint, and how many independent accumulators fill the registers
 * (REPACC repeats a statement for each). */
#ifdef __AVX512F__
typedef __m512 vec;
#define LANES 16
#define VNAME "zmm"
#define NACC 24
#define REPACC REP24
#define VSET1 _mm512_set1_ps
#define VFMA _mm512_fmadd_ps
#define VADD _mm512_add_ps
#define VZERO _mm512_setzero_ps
#define VSTORE _mm512_store_ps
#define VREG "+v"
#else
typedef __m256 vec;
#define LANES 8
#define VNAME "ymm"
#define NACC 12
#define REPACC REP12
#define VSET1 _mm256_set1_ps
#define VFMA _mm256_fmadd_ps
#define VADD _mm256_add_ps
#define VZERO _mm256_setzero_ps
#define VSTORE _mm256_store_ps
#define VREG "+x"
#endif

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static float buf[4096] __attribute__((aligned(64)));

/* n steps of NACC independent FMAs on registers: GFLOP/s */
static double peak(long n)
{
    vec a = VSET1(1.0001f), b = VSET1(0.9999f);
#define D(i) vec c##i = VSET1((float)i);
    REPACC(D)
#undef D
    long i;
    double t0 = now(), t;
    for (i = 0; i < n; i++) {
#define F(i) c##i = VFMA(a, b, c##i); __asm__ volatile("" : VREG(c##i));
        REPACC(F)
#undef F
    }
    t = now() - t0;
    {
        vec s = VZERO();
#define S(i) s = VADD(s, c##i);
        REPACC(S)
#undef S
        VSTORE(buf, s); /* keeps the sums */
    }
    return (double)NACC * 2 * LANES * n / t * 1e-9;
}

#ifdef __AVX512F__
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
#endif

int main(void)
{
    long n = 200000000;
    int r;
    for (r = 0; r < 2; r++) {
        printf("peak, %d %s register accumulators: %6.1f GFLOP/s\n", NACC, VNAME, peak(n / 2));
#ifdef __AVX512F__
        printf("conv 2x14, vbroadcastss + 2 FMA:     %6.1f GFLOP/s\n", convshape(n / 4, 0));
        printf("conv 2x14, FMA with m32{1to16}:      %6.1f GFLOP/s\n", convshape(n / 4, 1));
#endif
    }
    return buf[0] == 12345.f; /* keeps the sums */
}
#else
int main(void)
{
    printf("peak.c needs AVX-512 or AVX2+FMA (-march=native on such a machine)\n");
    return 0;
}
#endif
