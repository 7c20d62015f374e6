/*
 * gsc_simd.h - the vector abstraction the fast kernels share (gsc_fast.c,
 * gsc_winograd.c): VT holds VW floats, a 16-channel block is NV vectors;
 * the ISA (AVX-512F, AVX2+FMA, portable C) is chosen at compile time, and
 * so is the register blocking TNB (output channel blocks) x TNP (pixels)
 * of the outer-product micro-kernels. Private to the runtime's sources.
 */
#ifndef GSC_SIMD_H
#define GSC_SIMD_H

#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
#include <immintrin.h>
#endif

#if defined(__GNUC__)
#define GF_INLINE static inline __attribute__((always_inline))
#else
#define GF_INLINE static inline
#endif
/* clang unrolls the reduction loop and then spills the 28 accumulators;
 * one step per iteration is already 44 instructions, so keep it rolled. */
#if defined(__clang__)
#define GF_NO_UNROLL _Pragma("clang loop unroll(disable)")
#else
#define GF_NO_UNROLL
#endif


/* ----------------------------------------------------- vector abstraction
 * VT holds VW floats; a 16-channel block is NV = 16 / VW vectors.
 * Every vector load and store is an unaligned one (loadu/storeu), so any
 * float-aligned buffer works (gsc_fast.h, ALIGNMENT). On the x86 cores with
 * AVX2 or AVX-512 they cost the same as the aligned ones when the address is
 * aligned; what a misaligned buffer costs is the loads and stores that then
 * straddle two cache lines. Nothing in this file assumes more than float
 * alignment: no aligned intrinsics, no __builtin_assume_aligned, no casts of
 * float * to vector pointers, no streaming stores, no OpenMP aligned clauses
 * (plain loops are left to the compiler, which assumes float alignment). */
#if defined(__AVX512F__)
#define GF_ISA "avx512"
typedef __m512 VT;
#define VW 16
#define VLOAD(p) _mm512_loadu_ps(p)
#define VSTORE(p, v) _mm512_storeu_ps((p), (v))
#define VSET1(x) _mm512_set1_ps(x)
#define VFMA(a, b, c) _mm512_fmadd_ps((a), (b), (c))
#define VADD(a, b) _mm512_add_ps((a), (b))
#define VSUB(a, b) _mm512_sub_ps((a), (b))
#define VMUL(a, b) _mm512_mul_ps((a), (b))
#define VZERO() _mm512_setzero_ps()
#define VMAX(a, b) _mm512_max_ps((a), (b))
#define VFMA_EXACT VFMA
#define VMIN(a, b) _mm512_min_ps((a), (b))
#define VDIV(a, b) _mm512_div_ps((a), (b))
#define VSQRT(a) _mm512_sqrt_ps(a)
#define VABS(a) _mm512_abs_ps(a)
#define VROUND(a) _mm512_roundscale_ps((a), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
/* p * 2^n for an integral n in [-126, 127] */
#define VSCALE2(p, n) _mm512_mul_ps((p), _mm512_castsi512_ps(_mm512_slli_epi32( \
    _mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23)))
/* x < t ? a : b */
#define VSEL_LT(x, t, a, b) _mm512_mask_blend_ps(_mm512_cmp_ps_mask((x), (t), _CMP_LT_OQ), (b), (a))
/* |m| with the sign of s */
#define VCOPYSIGN(m, s) _mm512_castsi512_ps(_mm512_or_si512( \
    _mm512_andnot_si512(_mm512_set1_epi32(INT32_MIN), _mm512_castps_si512(m)), \
    _mm512_and_si512(_mm512_set1_epi32(INT32_MIN), _mm512_castps_si512(s))))
#define TNB 2
#define TNP 14
#elif defined(__AVX2__) && defined(__FMA__)
#define GF_ISA "avx2"
typedef __m256 VT;
#define VW 8
#define VLOAD(p) _mm256_loadu_ps(p)
#define VSTORE(p, v) _mm256_storeu_ps((p), (v))
#define VSET1(x) _mm256_set1_ps(x)
#define VFMA(a, b, c) _mm256_fmadd_ps((a), (b), (c))
#define VADD(a, b) _mm256_add_ps((a), (b))
#define VSUB(a, b) _mm256_sub_ps((a), (b))
#define VMUL(a, b) _mm256_mul_ps((a), (b))
#define VZERO() _mm256_setzero_ps()
#define VMAX(a, b) _mm256_max_ps((a), (b))
#define VFMA_EXACT VFMA
#define VMIN(a, b) _mm256_min_ps((a), (b))
#define VDIV(a, b) _mm256_div_ps((a), (b))
#define VSQRT(a) _mm256_sqrt_ps(a)
#define VABS(a) _mm256_andnot_ps(_mm256_set1_ps(-0.0f), (a))
#define VROUND(a) _mm256_round_ps((a), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
#define VSCALE2(p, n) _mm256_mul_ps((p), _mm256_castsi256_ps(_mm256_slli_epi32( \
    _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23)))
#define VSEL_LT(x, t, a, b) _mm256_blendv_ps((b), (a), _mm256_cmp_ps((x), (t), _CMP_LT_OQ))
#define VCOPYSIGN(m, s) _mm256_or_ps(_mm256_andnot_ps(_mm256_set1_ps(-0.0f), (m)), \
    _mm256_and_ps(_mm256_set1_ps(-0.0f), (s)))
#define TNB 1
#define TNP 6
#else
#define GF_ISA "portable"
typedef float VT;
#define VW 1
#define VLOAD(p) (*(p))
#define VSTORE(p, v) (*(p) = (v))
#define VSET1(x) (x)
#define VFMA(a, b, c) ((a) * (b) + (c))
#define VADD(a, b) ((a) + (b))
#define VSUB(a, b) ((a) - (b))
#define VMUL(a, b) ((a) * (b))
#define VZERO() 0.0f
#define VMAX(a, b) ((a) > (b) ? (a) : (b))
#define VFMA_EXACT(a, b, c) fmaf((a), (b), (c)) /* one rounding (hi + lo splits) */
#define VMIN(a, b) ((a) < (b) ? (a) : (b))
#define VDIV(a, b) ((a) / (b))
#define VSQRT(a) sqrtf(a)
#define VABS(a) fabsf(a)
#define VROUND(a) nearbyintf(a)
#define VSCALE2(p, n) ldexpf((p), (int)(n))
#define VSEL_LT(x, t, a, b) ((x) < (t) ? (a) : (b))
#define VCOPYSIGN(m, s) copysignf((m), (s))
#define TNB 1
#define TNP 4
#endif
#define NV (16 / VW)

/* ------------------------------------------------ double vectors of floats
 * VD holds VDW doubles, each loaded from a float (VD_LOADF) and stored back
 * rounded to float (VD_STOREF): for the sums the training step keeps in
 * double (gsc_fast_backward.c's batchnorm). VD_LOADF_POS(m, p) is p's floats
 * where m's are > 0, else 0 (the ReLU backward's mask; NaN is not > 0). */

/* One float of that: both loads first, so that the choice compiles to a
 * select rather than a branch. */
GF_INLINE double loadf_pos(const float *m, const float *p)
{
    double v = *p;
    return *m > 0.0f ? v : 0.0;
}

#if defined(__AVX512F__)
typedef __m512d VD;
#define VDW 8
#define VD_LOADF(p) _mm512_cvtps_pd(_mm256_loadu_ps(p))
#define VD_LOADF_POS(m, p) _mm512_cvtps_pd(_mm256_and_ps( \
    _mm256_cmp_ps(_mm256_loadu_ps(m), _mm256_setzero_ps(), _CMP_GT_OQ), _mm256_loadu_ps(p)))
#define VD_STOREF(p, v) _mm256_storeu_ps((p), _mm512_cvtpd_ps(v))
#define VD_STORE(p, v) _mm512_storeu_pd((p), (v))
#define VD_SET1(x) _mm512_set1_pd(x)
#define VD_ZERO() _mm512_setzero_pd()
#define VD_ADD(a, b) _mm512_add_pd((a), (b))
#define VD_SUB(a, b) _mm512_sub_pd((a), (b))
#define VD_MUL(a, b) _mm512_mul_pd((a), (b))
#define VD_FMA(a, b, c) _mm512_fmadd_pd((a), (b), (c))
#elif defined(__AVX2__) && defined(__FMA__)
typedef __m256d VD;
#define VDW 4
#define VD_LOADF(p) _mm256_cvtps_pd(_mm_loadu_ps(p))
#define VD_LOADF_POS(m, p) _mm256_cvtps_pd(_mm_and_ps( \
    _mm_cmpgt_ps(_mm_loadu_ps(m), _mm_setzero_ps()), _mm_loadu_ps(p)))
#define VD_STOREF(p, v) _mm_storeu_ps((p), _mm256_cvtpd_ps(v))
#define VD_STORE(p, v) _mm256_storeu_pd((p), (v))
#define VD_SET1(x) _mm256_set1_pd(x)
#define VD_ZERO() _mm256_setzero_pd()
#define VD_ADD(a, b) _mm256_add_pd((a), (b))
#define VD_SUB(a, b) _mm256_sub_pd((a), (b))
#define VD_MUL(a, b) _mm256_mul_pd((a), (b))
#define VD_FMA(a, b, c) _mm256_fmadd_pd((a), (b), (c))
#else
typedef double VD;
#define VDW 1
#define VD_LOADF(p) ((double)*(p))
#define VD_LOADF_POS(m, p) loadf_pos((m), (p))
#define VD_STOREF(p, v) (*(p) = (float)(v))
#define VD_STORE(p, v) (*(p) = (v))
#define VD_SET1(x) ((double)(x))
#define VD_ZERO() 0.0
#define VD_ADD(a, b) ((a) + (b))
#define VD_SUB(a, b) ((a) - (b))
#define VD_MUL(a, b) ((a) * (b))
#define VD_FMA(a, b, c) ((a) * (b) + (c))
#endif

#endif /* GSC_SIMD_H */
