/*
 * gsc_fast.h - the runtime's FAST kernels: channel-blocked activations,
 * packed weights, register-blocked convolution with a fused batchnorm
 * statistics epilogue, and fused BN-apply passes.
 *
 * C99, libc + libm only; AVX-512F / AVX2+FMA / portable C chosen at compile
 * time (#ifdef __AVX512F__, __AVX2__ && __FMA__); threads through OpenMP
 * pragmas only (single-threaded without -fopenmp). No kernel allocates: the
 * caller owns all memory. Every identifier is prefixed gsc_fast_ / GSC_FAST_.
 * The meaning of every operation is SEMANTICS.md's; this file only changes how
 * tensors are stored.
 *
 * ------------------------------------------------------------------ layout
 * ACTIVATIONS ("blocked", nChw16c without the n): a [c, h, w] tensor is stored
 * as [cb][h][w][16] floats, cb = GSC_FAST_CBLK(c) = ceil(c / 16):
 *     x(ch, y, x) = buf[((ch / 16) * h + y) * w + x) * 16 + ch % 16]
 * i.e. GSC_FAST_ACT_FLOATS(c, h, w) = 16 * cb * h * w floats. The lanes for
 * channels >= c in the last block are padding and hold ZEROS: every kernel
 * here writes 0 there, and gsc_fast_conv2d relies on it when it reads a
 * blocked input in place (pad 0, no transform); code that fills a blocked
 * tensor by other means must zero them (gsc_fast_from_chw does).
 * Vectors ([n], e.g. the linear layer's input/output) are plain float arrays.
 * Per-channel parameter vectors ("ss" = scale/shift, "moments") are stored as
 * two halves of GSC_FAST_CPAD(c) = 16 * cb floats each: [2][cpad].
 *
 * PACKED CONV WEIGHTS: [cout_blk][cin_blk][k][k][16 ic][16 oc], zero filled for
 * padding channels, followed by the bias [cpad(cout)] (zero padded);
 * gsc_fast_conv_packed_floats() floats. LINEAR: [ceil(out/16)][in][16] then
 * the bias [16 * ceil(out/16)].
 *
 * ALIGNMENT: any buffer that is float-aligned (4 bytes) works: every vector
 * load and store is an unaligned one (loadu/storeu), and the results do not
 * depend on addresses (bit-identical whatever the alignment). 64-byte
 * alignment (GSC_FAST_ALIGN) is the fast case and the recommended one: then
 * no 16-float vector straddles two cache lines. All sizes below are
 * multiples of 16 floats, so buffers carved one after another from an arena
 * all have the arena's alignment: 64-byte aligned from a 64-byte aligned one.
 *
 * ------------------------------------------- how the code generator uses it
 * Once, at prepare time (per conv / linear):
 *     gsc_fast_conv_prepare(W[cout,cin,k,k], b[cout], cin, cout, k, packed)
 *     gsc_fast_linear_prepare(W[out,in], b[out], in, out, packed)
 * Per forward, with `ws` a workspace (64-byte aligned for speed) of at least
 * the maximum over all calls of gsc_fast_conv_workspace_bytes() (one scratch
 * area, reused by every conv; it is dead between calls):
 *
 *   model input:  the stem conv may read the CHW input directly
 *                 (flag GSC_FAST_IN_CHW), otherwise gsc_fast_from_chw().
 *   conv -> BN -> ReLU (-> consumer):
 *       gsc_fast_conv2d(x, cin,h,w, packed, cout,k,s,p, NULL,0, y, mom, ws);
 *       gsc_fast_bn_fold(mom, gamma, beta, cout, ss);
 *       then EITHER fuse ss+ReLU into the consumer:
 *         - next conv:  gsc_fast_conv2d(y, ..., ss, GSC_FAST_IN_RELU, y2, ...)
 *         - maxpool:    gsc_fast_maxpool2d(y, ..., ss, 1, out)
 *       OR materialise it: gsc_fast_bn_apply(y, c,h,w, ss, NULL,NULL, 1, y)
 *   residual block end  out = relu(bn2(y2) + skip):
 *       identity skip:   gsc_fast_bn_apply(y2, c,h,w, ss2, x, NULL, 1, out)
 *       projection skip: conv 1x1 -> yp, mom_p; bn_fold -> ssp;
 *                        gsc_fast_bn_apply(y2, c,h,w, ss2, yp, ssp, 1, out)
 *   BN on a tensor that is not a fresh conv output:
 *       gsc_fast_moments(x, c,h,w, mom); gsc_fast_bn_fold(...); bn_apply(...)
 *   head: gsc_fast_global_avgpool(x, c,h,w, v) -> v[c] (a plain vector);
 *         gsc_fast_linear(v, in, packed, out, logits); gsc_softmax(...)
 *         (softmax has no fast variant: gsc_kernels.c's serves both)
 *   a blocked output that leaves the model: gsc_fast_to_chw().
 *
 * Threads: each call parallelises internally (omp parallel for); call them
 * from one thread. Set the count with omp_set_num_threads / OMP_NUM_THREADS.
 */
#ifndef GSC_FAST_H
#define GSC_FAST_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GSC_FAST_ALIGN 64                      /* bytes: the fast alignment */
#define GSC_FAST_CBLK(c) (((c) + 15) / 16)     /* channel blocks */
#define GSC_FAST_CPAD(c) (16 * GSC_FAST_CBLK(c)) /* channels incl. padding */
/* floats of a blocked [c, h, w] activation */
#define GSC_FAST_ACT_FLOATS(c, h, w) \
    ((size_t)GSC_FAST_CPAD(c) * (size_t)(h) * (size_t)(w))

/* Conv input flags (bit set). */
#define GSC_FAST_IN_RELU 1 /* apply max(.,0) after the input scale/shift */
#define GSC_FAST_IN_CHW 2  /* x is a plain CHW tensor, not blocked */

/* Which SIMD path this build uses: "avx512", "avx2" or "portable". */
const char *gsc_fast_isa(void);

/* (in + 2*pad - k) / stride + 1 with the subtraction truncated at 0 (Nat). */
int gsc_fast_out_size(int in, int k, int stride, int pad);

/* ------------------------------------------------------- layout changes */

void gsc_fast_from_chw(const float *x, /* [c, h, w] plain */
                       int c, int h, int w,
                       float *y);      /* blocked [c, h, w] */
void gsc_fast_to_chw(const float *x,   /* blocked [c, h, w] */
                     int c, int h, int w,
                     float *y);        /* [c, h, w] plain */

/* ------------------------------------------------------------------ conv */

/* Floats of packed weights (+ bias) for a conv. */
size_t gsc_fast_conv_packed_floats(int cin, int cout, int k);

/* Packs PyTorch-layout weights and bias. One-time; not performance-critical. */
void gsc_fast_conv_prepare(const float *wt,   /* [cout, cin, k, k] */
                           const float *bias, /* [cout] */
                           int cin, int cout, int k,
                           float *packed);    /* [conv_packed_floats] */

/* Bytes of scratch gsc_fast_conv2d needs for this shape (64-byte multiple). */
size_t gsc_fast_conv_workspace_bytes(int cin, int h, int w, int cout, int k,
                                     int stride, int pad);

/*
 * y = conv2d(T(x)) + bias, cross-correlation, zero padding,
 * oh = gsc_fast_out_size(h, k, stride, pad), ow likewise, where the optional
 * input transform T (the producer's BN, fused here so it is never
 * materialised) is per input channel x*in_ss[0][c] + in_ss[1][c], followed
 * by max(.,0) if flags has GSC_FAST_IN_RELU; in_ss == NULL: no scale/shift.
 * Padding cells are zeros AFTER the transform (they are padding of T(x)).
 * If moments != NULL it receives the per-output-channel mean and biased
 * variance of y over oh*ow (moments[0][c], moments[1][c]), computed from the
 * in-register tile (per-tile mean + M2, merged in double: no cancellation),
 * ready for gsc_fast_bn_fold. Any k, stride >= 1, pad >= 0, cin, cout >= 1.
 */
void gsc_fast_conv2d(const float *x,      /* blocked [cin, h, w] (or plain
                                             [cin, h, w] with GSC_FAST_IN_CHW) */
                     int cin, int h, int w,
                     const float *packed, /* gsc_fast_conv_prepare output */
                     int cout, int k, int stride, int pad,
                     const float *in_ss,  /* [2][cpad(cin)] or NULL */
                     int flags,
                     float *y,            /* blocked [cout, oh, ow] */
                     float *moments,      /* [2][cpad(cout)] or NULL */
                     void *ws);           /* conv_workspace_bytes */

/* ------------------------------------------------------------- batchnorm */

/* Mean and biased variance per channel of a blocked tensor (two passes,
 * double accumulation) - for BNs whose input is not a fresh conv output. */
void gsc_fast_moments(const float *x,  /* blocked [c, h, w] */
                      int c, int h, int w,
                      float *moments); /* [2][cpad(c)] */

/* ss[0][c] = gamma / sqrt(var + 1e-6), or 0 when var <= 0 (no spread: beta exactly),
 * ss[1][c] = beta - mean*ss[0][c];
 * padding channels get 0, 0. */
void gsc_fast_bn_fold(const float *moments, /* [2][cpad(c)] */
                      const float *gamma,   /* [c] */
                      const float *beta,    /* [c] */
                      int c,
                      float *ss);           /* [2][cpad(c)] */

/*
 * y = x*ss0 + ss1 (+ res, or + res*res_ss0 + res_ss1 when res_ss != NULL),
 * then max(.,0) if relu. ss == NULL means identity on x. In place ok (y may
 * alias x or res). This is BN-apply, BN+ReLU, BN+add+ReLU, BN+BN+add+ReLU.
 */
void gsc_fast_bn_apply(const float *x,      /* blocked [c, h, w] */
                       int c, int h, int w,
                       const float *ss,     /* [2][cpad(c)] or NULL */
                       const float *res,    /* blocked [c, h, w] or NULL */
                       const float *res_ss, /* [2][cpad(c)] or NULL */
                       int relu,
                       float *y);           /* blocked [c, h, w] */

/* --------------------------------------------------------- elementwise */

/* n = GSC_FAST_ACT_FLOATS(...) for blocked tensors, or any n for vectors.
 * In place ok. */
void gsc_fast_relu(const float *x, /* [n] */
                   size_t n,
                   float *y);      /* [n] */
void gsc_fast_add(const float *a,  /* [n] */
                  const float *b,  /* [n] */
                  size_t n,
                  float *y);       /* [n], may alias a or b */

/* Concatenation along channels of blocked tensors: y = [a; b]. */
void gsc_fast_concat(const float *a, /* blocked [ca, h, w] */
                     int ca,
                     const float *b, /* blocked [cb, h, w] */
                     int cb, int h, int w,
                     float *y);      /* blocked [ca + cb, h, w] */

/* ---------------------------------------------------------------- pools */

/*
 * Max pooling, padded cells excluded, empty window gives 0. Optional fused
 * input transform (the producer's BN[+ReLU]): each cell is
 * x*in_ss0 + in_ss1 (in_ss != NULL), then max(.,0) if in_relu, before the max.
 */
void gsc_fast_maxpool2d(const float *x,     /* blocked [c, h, w] */
                        int c, int h, int w, int k, int stride, int pad,
                        const float *in_ss, /* [2][cpad(c)] or NULL */
                        int in_relu,
                        float *y);          /* blocked [c, oh, ow] */

/* Average pooling: sum of in-bounds cells / (k*k) (count_include_pad). */
void gsc_fast_avgpool2d(const float *x, /* blocked [c, h, w] */
                        int c, int h, int w, int k, int stride, int pad,
                        float *y);      /* blocked [c, oh, ow] */

/* Per channel sum / (h*w) (double accumulation). */
void gsc_fast_global_avgpool(const float *x, /* blocked [c, h, w] */
                             int c, int h, int w,
                             float *y);      /* [c] plain vector */

/* ---------------------------------------------------------------- linear */

size_t gsc_fast_linear_packed_floats(int in, int out);
void gsc_fast_linear_prepare(const float *wt,   /* [out, in] */
                             const float *bias, /* [out] */
                             int in, int out,
                             float *packed);    /* [linear_packed_floats] */
/* y = W x + b. */
void gsc_fast_linear(const float *x,      /* [in] */
                     int in,
                     const float *packed, /* gsc_fast_linear_prepare output */
                     int out,
                     float *y);           /* [out] */
      /* [n] */

#ifdef __cplusplus
}
#endif

#endif /* GSC_FAST_H */
