/*
 * gsc_fast.h - the runtime's FAST kernels: channel-blocked activations,
 * packed weights, register-blocked convolution with a fused batchnorm
 * statistics epilogue, and fused BN-apply passes.
 *
 * C99, libc + libm only; AVX-512F / AVX2+FMA / portable C chosen at compile
 * time (#ifdef __AVX512F__, __AVX2__ && __FMA__); threads through OpenMP
 * pragmas only (single-threaded without -fopenmp). No kernel allocates: the
 * caller owns all memory. Every identifier is prefixed gsc_fast_ / GSC_FAST_.
 * The meaning of every operation is docs/semantics.md's; this file only changes how
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
 * padding channels, followed by the bias [cpad(cout)] (zero padded); grouped:
 * only the input blocks an output block's groups read; depthwise:
 * [cout_blk][k][k][16];
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
 *     gsc_fast_conv_prepare(W[cout,cin/groups,k,k], b[cout] or NULL, cin, cout, k, groups, packed)
 *     gsc_fast_linear_prepare(W[out,in], b[out], in, out, packed)
 * Per forward, each conv with a scratch area of gsc_fast_conv_workspace_bytes()
 * (dead between calls, so one area can serve every conv; 64-byte aligned for
 * speed, like every buffer):
 *
 *   model input:  the stem conv may read the CHW input directly
 *                 (flag GSC_FAST_IN_CHW), otherwise gsc_fast_from_chw().
 *   conv -> BN -> ReLU (-> consumer), g the conv's GscFastConv:
 *       gsc_fast_conv2d(&g, x, packed, NULL, 0, y, mom, scratch);
 *       gsc_fast_bn_fold(mom, gamma, beta, cout, ss);
 *       then EITHER fuse ss+ReLU into the consumer:
 *         - next conv:  gsc_fast_conv2d(&g2, y, packed2, ss, GSC_FAST_RELU, y2, ...)
 *         - maxpool:    gsc_fast_maxpool2d(&pool, y, ss, GSC_FAST_RELU, out)
 *       OR materialise it: gsc_fast_bn_apply(y, c,h,w, ss, NULL,NULL, GSC_FAST_RELU, y)
 *   conv -> inference BN (-> activation | -> + skip (-> activation)), the
 *   skip computed before, ss from gsc_fast_bn_eval_fold first:
 *       gsc_fast_conv2d_out(&g, x, packed, NULL, 0, ss, skip or NULL, act, y, scratch)
 *   residual block end  out = relu(bn2(y2) + skip):
 *       identity skip:   gsc_fast_bn_apply(y2, c,h,w, ss2, x, NULL, GSC_FAST_RELU, out)
 *       projection skip: conv 1x1 -> yp, mom_p; bn_fold -> ssp;
 *                        gsc_fast_bn_apply(y2, c,h,w, ss2, yp, ssp, GSC_FAST_RELU, out)
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
#include <stdint.h>

#include "gsc_runtime.h" /* gsc_out_size, GSC_BN_EPS */

#ifdef __cplusplus
extern "C" {
#endif

#define GSC_FAST_ALIGN 64                      /* bytes: the fast alignment */
#define GSC_FAST_CBLK(c) (((c) + 15) / 16)     /* channel blocks */
#define GSC_FAST_CPAD(c) (16 * GSC_FAST_CBLK(c)) /* channels incl. padding */
/* floats of a blocked [c, h, w] activation */
#define GSC_FAST_ACT_FLOATS(c, h, w) \
    ((int64_t)GSC_FAST_CPAD(c) * (int64_t)(h) * (int64_t)(w))

/* Flags (a bit set) of the calls that fuse a per-channel transform
 * x*ss[0][c] + ss[1][c] (a batchnorm folded by gsc_fast_bn_fold): */
#define GSC_FAST_RELU GSC_ACT_RELU /* the transform ends with max(.,0) (the ReLU after a BN) */
/* The activation field, flags & GSC_ACT_MASK: the transform ends with that
 * activation (GSC_ACT_* of gsc_runtime.h; GSC_FAST_RELU is the ReLU). The
 * padding lanes of a blocked result stay 0 whatever act(0) is. A max-pool
 * takes only the monotonic ones (relu, relu6, sigmoid, tanh, hardsigmoid):
 * it applies the activation to the maximum. */
#define GSC_FAST_IN_CHW 2 /* conv only: x is a plain CHW tensor, not blocked */

/* The geometry of a convolution: input [cin, h, w], cout filters of k x k,
 * stride and zero padding on every side; the output is [cout, oh, ow] with
 * oh = gsc_out_size(h, k, stride, pad), ow likewise. groups (0 or 1: a
 * dense convolution) divides cin and cout; groups = cin = cout is the
 * depthwise convolution, which has its own kernel.
 * A window that differs per axis or side sets axes = 1: then k, stride and
 * pad are the height's (kh, sh, the top padding), kw, sw, left, bottom and
 * right the rest, and dh, dw the dilation (0 or 1: adjacent taps; the
 * window covers (k - 1)*d + 1 cells), oh = gsc_axis_out_size(h, k, dh,
 * stride, pad, bottom, 0). With axes = 0 those fields are not read, so the
 * square geometries are written as before. */
typedef struct {
    int cin, h, w;
    int cout, k, stride, pad;
    int groups;
    int axes, kw, sw, left, bottom, right, dh, dw;
} GscFastConv;

/* The geometry of a pooling window over a [c, h, w] input; the output is
 * [c, oh, ow], oh = gsc_pool_out_size(h, k, stride, pad, ceil), ow likewise
 * (ceil: ceil_mode, 0 when not written). axes = 1 as in GscFastConv (no
 * dilation): k, stride, pad are the height's and top's, kw, sw, left,
 * bottom, right the rest. no_pad_count (an average pool): divide by the
 * window's cells inside the input, not inside the padded extent
 * (gsc_pool_divisor; PyTorch's count_include_pad=False). */
typedef struct {
    int c, h, w;
    int k, stride, pad;
    int ceil;
    int axes, kw, sw, left, bottom, right;
    int no_pad_count;
} GscFastPool;

/* Which SIMD path this build uses: "avx512", "avx2" or "portable". */
const char *gsc_fast_isa(void);


/* ------------------------------------------------------- layout changes */

void gsc_fast_from_chw(const float *x, /* [c, h, w] plain */
                       int c, int h, int w,
                       float *y);      /* blocked [c, h, w] */
void gsc_fast_to_chw(const float *x,   /* blocked [c, h, w] */
                     int c, int h, int w,
                     float *y);        /* [c, h, w] plain */

/* ------------------------------------------------------------------ conv */

/* Floats of packed weights (+ bias) for a conv (groups as in GscFastConv);
 * _hw: for kh x kw filters (gsc_fast_conv_packed_floats is kh = kw = k). */
int64_t gsc_fast_conv_packed_floats(int cin, int cout, int k, int groups);
int64_t gsc_fast_conv_packed_floats_hw(int cin, int cout, int kh, int kw, int groups);

/* Packs PyTorch-layout weights and bias (NULL: none, packed as zeros).
 * One-time; not performance-critical. */
void gsc_fast_conv_prepare(const float *wt,   /* [cout, cin/groups, k, k] */
                           const float *bias, /* [cout] or NULL */
                           int cin, int cout, int k, int groups,
                           float *packed);    /* [conv_packed_floats] */
/* The same for kh x kw filters, wt [cout, cin/groups, kh, kw]. */
void gsc_fast_conv_prepare_hw(const float *wt, const float *bias, int cin, int cout, int kh, int kw, int groups,
                              float *packed);
/* The same with the inference batchnorm that follows the conv folded in
 * (bn: [4][cout], its gamma, beta, running mean and running variance; NULL:
 * none, as gsc_fast_conv_prepare_hw): the weights of output channel co times
 * s = gamma / sqrt(var + eps), the bias (b - mean) * s + beta, each computed
 * in double and rounded to float once. */
void gsc_fast_conv_prepare_bn(const float *wt, const float *bias, const float *bn, double eps, int cin, int cout,
                              int kh, int kw, int groups, float *packed);
/* The fold's parts, shared by the direct and the Winograd packing: the
 * scales s of output channels co0 .. co0 + 15 in double (1 with no
 * batchnorm, 0 past c); and the folded bias pb[cpad(c)] (b itself with no
 * batchnorm, 0 past c; bias NULL: b = 0). */
void gsc_fast_bn_fold_scales(const float *bn, int c, double eps, int co0, double *s);
void gsc_fast_bn_fold_bias(const float *bias, const float *bn, int c, double eps, float *pb);

/* Bytes of scratch gsc_fast_conv2d needs for this geometry (64-byte multiple). */
size_t gsc_fast_conv_workspace_bytes(const GscFastConv *g);

/*
 * y = conv2d(T(x)) + bias over the geometry g, cross-correlation, zero
 * padding, where the optional input transform T (the producer's BN, fused
 * here so it is never materialised) is per input channel
 * x*in_ss[0][c] + in_ss[1][c], followed by the activation of
 * flags (max(.,0) for GSC_FAST_RELU); in_ss == NULL: no scale/shift.
 * Padding cells are zeros AFTER the transform (they are padding of T(x)).
 * If moments != NULL it receives the per-output-channel mean and biased
 * variance of y over oh*ow (moments[0][c], moments[1][c]), computed from the
 * in-register tile (per-tile mean + M2, merged in double: no cancellation),
 * ready for gsc_fast_bn_fold. Any k, stride >= 1, pad >= 0, cin, cout >= 1.
 */
void gsc_fast_conv2d(const GscFastConv *g,
                     const float *x,      /* blocked [cin, h, w] (or plain
                                             [cin, h, w] with GSC_FAST_IN_CHW) */
                     const float *packed, /* gsc_fast_conv_prepare output */
                     const float *in_ss,  /* [2][cpad(cin)] or NULL */
                     int flags,           /* an activation (GSC_FAST_RELU, GSC_ACT_*), GSC_FAST_IN_CHW */
                     float *y,            /* blocked [cout, oh, ow] */
                     float *moments,      /* [2][cpad(cout)] or NULL */
                     void *scratch);      /* conv_workspace_bytes(g) */

/*
 * gsc_fast_conv2d with an output transform done as each tile or row is
 * stored, while it is in cache (no pass of its own):
 *     y = out_act(conv2d(T(x)) * out_ss[0][c] + out_ss[1][c] + res)
 * out_ss NULL: no scale/shift; res NULL: no addition; out_act a GSC_ACT_*
 * (0: none). That is an inference-form batchnorm after the conv (its
 * gsc_fast_bn_eval_fold), the activation after it, a residual addition and
 * the activation after that. res is a blocked tensor of y's shape with
 * zero padding lanes and must not alias y (the tile is stored before the
 * transform reads res). The padding lanes of y stay 0. No statistics.
 */
void gsc_fast_conv2d_out(const GscFastConv *g,
                         const float *x,      /* blocked [cin, h, w] (or CHW, GSC_FAST_IN_CHW) */
                         const float *packed, /* gsc_fast_conv_prepare output */
                         const float *in_ss,  /* [2][cpad(cin)] or NULL */
                         int flags,           /* the input's activation, GSC_FAST_IN_CHW */
                         const float *out_ss, /* [2][cpad(cout)] or NULL */
                         const float *res,    /* blocked [cout, oh, ow] or NULL */
                         int out_act,         /* GSC_ACT_* or 0 */
                         float *y,            /* blocked [cout, oh, ow] */
                         void *scratch);      /* conv_workspace_bytes(g) */

/* ----------------------------------------------------- conv_transpose2d
 * PyTorch's ConvTranspose2d (groups 1) over the geometry g read as the
 * transposed convolution's: input [cin, h, w], cout outputs, k, stride, pad
 * (or the axes = 1 fields, the dilation among them), and the output_pad
 * oph, opw; the output is [cout, oh, ow], oh = gsc_convt_out_size(h, kh,
 * dh, sh, top, bottom, oph). One matrix product of the weights as a 1x1
 * convolution to kh*kw*cpad(cout) columns (gsc_fast_conv2d's kernel, with
 * its fused input transform T and flags, GSC_FAST_IN_CHW among them), then
 * the columns added into the output rows they land on, over the bias.
 * Packed: the 1x1 convolution's weights, then the bias [cpad(cout)]. */
int64_t gsc_fast_conv_transpose_packed_floats(int cin, int cout, int kh, int kw);
void gsc_fast_conv_transpose_prepare(const float *wt,   /* [cin, cout, kh, kw] */
                                     const float *bias, /* [cout] or NULL */
                                     int cin, int cout, int kh, int kw,
                                     float *packed);    /* [conv_transpose_packed_floats] */
size_t gsc_fast_conv_transpose_workspace_bytes(const GscFastConv *g);
void gsc_fast_conv_transpose2d(const GscFastConv *g, int oph, int opw,
                               const float *x,      /* blocked [cin, h, w] (or plain with GSC_FAST_IN_CHW) */
                               const float *packed, /* gsc_fast_conv_transpose_prepare output */
                               const float *in_ss,  /* [2][cpad(cin)] or NULL */
                               int flags,           /* an activation (GSC_ACT_*), GSC_FAST_IN_CHW */
                               float *y,            /* blocked [cout, oh, ow] */
                               void *scratch);      /* conv_transpose_workspace_bytes(g) */

/* -------------------------------------------- Winograd 3x3 convolution
 * runtime/gsc_winograd.c: the same convolution as gsc_fast_conv2d for k = 3,
 * stride 1, groups 0 or 1 (any pad, cin, cout), by Winograd's F(m x m, 3x3), m = 4 or 2:
 * (m+2)^2 multiplies per m*m outputs and input channel instead of 9*m*m.
 * Blocked input only (no GSC_FAST_IN_CHW). Weights prepared once by
 * gsc_fast_winograd_prepare: [(m+2)^2][cblk(cout)][cpad(cin)][16] transformed
 * filters (G g G^T, computed in double), then the bias [cpad(cout)] - (m+2)^2/9
 * times the direct kernel's packed weights (4x for m = 4). */
int64_t gsc_fast_winograd_packed_floats(int cin, int cout, int m);
void gsc_fast_winograd_prepare(const float *wt,   /* [cout, cin, 3, 3] */
                               const float *bias, /* [cout] or NULL (no bias) */
                               int cin, int cout, int m,
                               float *packed);    /* [winograd_packed_floats] */
/* The same with a following inference batchnorm folded in, as
 * gsc_fast_conv_prepare_bn (bn [4][cout] or NULL). */
void gsc_fast_winograd_prepare_bn(const float *wt, const float *bias, const float *bn, double eps, int cin, int cout,
                                  int m, float *packed);
size_t gsc_fast_winograd_workspace_bytes(const GscFastConv *g, int m);
/* Arguments as gsc_fast_conv2d's (g->k == 3, g->stride == 1), plus m. */
void gsc_fast_conv2d_winograd(const GscFastConv *g, int m,
                              const float *x,      /* blocked [cin, h, w] */
                              const float *packed, /* gsc_fast_winograd_prepare output */
                              const float *in_ss,  /* [2][cpad(cin)] or NULL */
                              int flags,           /* GSC_FAST_RELU */
                              float *y,            /* blocked [cout, oh, ow] */
                              float *moments,      /* [2][cpad(cout)] or NULL */
                              void *scratch);      /* winograd_workspace_bytes(g, m) */

/* ------------------------------------------------------------- batchnorm */

/* Mean and biased variance per channel of a blocked tensor (two passes,
 * double accumulation) - for BNs whose input is not a fresh conv output. */
void gsc_fast_moments(const float *x,  /* blocked [c, h, w] */
                      int c, int h, int w,
                      float *moments); /* [2][cpad(c)] */

/* ss[0][c] = gamma / sqrt(var + GSC_BN_EPS), or 0 when var <= 0 (no spread: beta exactly),
 * ss[1][c] = beta - mean*ss[0][c];
 * padding channels get 0, 0. */
void gsc_fast_bn_fold(const float *moments, /* [2][cpad(c)] */
                      const float *gamma,   /* [c] */
                      const float *beta,    /* [c] */
                      int c,
                      float *ss);           /* [2][cpad(c)] */

/* The scale and shift of an inference-form batchnorm (the running
 * statistics): ss[0][c] = gamma / sqrt(var + eps), ss[1][c] = beta -
 * mean*ss[0][c], in double then rounded; padding channels get 0, 0. Applied
 * like gsc_fast_bn_fold's, by gsc_fast_bn_apply or the consumer's input. */
void gsc_fast_bn_eval_fold(const float *gamma, /* [c] */
                           const float *beta,  /* [c] */
                           const float *mean,  /* [c] */
                           const float *var,   /* [c] */
                           int c, float eps,
                           float *ss);         /* [2][cpad(c)] */

/* Layer normalisation over the channels at each position of a blocked
 * tensor (gsc_layernorm's meaning): the statistics of a position are taken
 * across all its channel blocks (vector sums per lane in float, the 16
 * lanes added in double; the variance from the deviations, two passes;
 * the padding lanes left out), then y = (x - mean) * inv * gamma + beta.
 * Padding lanes of y are 0. In place ok. A vector [c] is plain: it takes
 * gsc_layernorm. */
void gsc_fast_layernorm(const float *x,     /* blocked [c, h, w] */
                        int c, int h, int w,
                        const float *gamma, /* [c] */
                        const float *beta,  /* [c] */
                        float eps,
                        float *y);          /* blocked [c, h, w] */

/*
 * y = x*ss0 + ss1 (+ res, or + res*res_ss0 + res_ss1 when res_ss != NULL),
 * then the activation of flags (GSC_FAST_RELU: max(.,0)). ss == NULL means identity on x.
 * In place ok (y may alias x or res). This is BN-apply, BN+ReLU, BN+add+ReLU,
 * BN+BN+add+ReLU.
 */
void gsc_fast_bn_apply(const float *x,      /* blocked [c, h, w] */
                       int c, int h, int w,
                       const float *ss,     /* [2][cpad(c)] or NULL */
                       const float *res,    /* blocked [c, h, w] or NULL */
                       const float *res_ss, /* [2][cpad(c)] or NULL */
                       int flags,           /* an activation (GSC_FAST_RELU, GSC_ACT_*) */
                       float *y);           /* blocked [c, h, w] */

/* --------------------------------------------------------- elementwise */

/* Channels gathered as gsc_gather_channels (narrow, channel shuffle) on
 * blocked [c, h, w] -> blocked [cout, h, w]: whole blocks copied when the
 * source is block-aligned, else lane by lane; y's padding lanes are 0. */
void gsc_fast_gather_channels(const float *x, int c, int h, int w,
                              int start, int groups, int cout,
                              float *y);
/* y = a op b (GSC_EW_* in flags) on blocked [c, h, w] tensors with
 * broadcasting as gsc_binary: each operand [ca, ha, wa] has every dimension
 * equal to y's or 1. A [c, 1, 1] operand (blocked: cpad(c) floats) and a
 * [1] scalar (one float; also a [1] vector) are vector loads and a
 * broadcast; other patterns go lane by lane. y's padding lanes are 0. y may
 * alias an operand of y's shape. */
void gsc_fast_binary(const float *a, int ca, int ha, int wa,
                     const float *b, int cb, int hb, int wb,
                     int c, int h, int w, int flags,
                     float *y);   /* blocked [c, h, w] */


/* n = GSC_FAST_ACT_FLOATS(...) for blocked tensors, or any n for vectors.
 * In place ok. */
void gsc_fast_relu(const float *x, /* [n] */
                   int64_t n,
                   float *y);      /* [n] */
/* y = act(x) for plain vectors (a blocked tensor's activation is fused into
 * its consumer or applied by gsc_fast_bn_apply, which keep padding lanes 0).
 * Vector exp, tanh and erf: see gsc_fast.c for the measured errors. In
 * place ok. */
void gsc_fast_act(const float *x, /* [n] */
                  int64_t n,
                  int flags,      /* an activation, GSC_ACT_* */
                  float *y);      /* [n] */
/* y = act(x; a, b) (gsc_act_param's activations) on a plain vector (c = 0)
 * or a blocked [c, h, w] tensor of n = GSC_FAST_ACT_FLOATS(c, h, w) floats,
 * whose padding lanes are left 0 whatever act(0) is. In place ok. */
void gsc_fast_act_param(const float *x, /* [n] */
                        int64_t n,
                        int c,          /* channels of a blocked tensor, 0: a vector */
                        int act,        /* GSC_ACT_CLIP, GSC_ACT_LEAKY_RELU */
                        float a, float b,
                        float *y);      /* [n] */
void gsc_fast_add(const float *a,  /* [n] */
                  const float *b,  /* [n] */
                  int64_t n,
                  float *y);       /* [n], may alias a or b */

/* One operand of a concatenation along channels: channels [at, at + c) of
 * y are x. A concat of n operands is n calls, one per operand, each element
 * copied once; the call with at + c == cy also zeroes y's padding lanes. */
void gsc_fast_copy_channels(const float *x, /* blocked [c, h, w] */
                            int c, int h, int w,
                            float *y,       /* blocked [cy, h, w] */
                            int cy, int at);

/* ---------------------------------------------------------------- pools */

/*
 * Max pooling over the window g, padded cells excluded, empty window gives 0.
 * Optional fused input transform (the producer's BN[+ReLU]): each cell is
 * x*in_ss0 + in_ss1 (in_ss != NULL), then the (monotonic)
 * activation of flags, applied to the maximum.
 */
void gsc_fast_maxpool2d(const GscFastPool *g,
                        const float *x,     /* blocked [c, h, w] */
                        const float *in_ss, /* [2][cpad(c)] or NULL */
                        int flags,          /* a monotonic activation (GSC_FAST_RELU, ...) */
                        float *y);          /* blocked [c, oh, ow] */

/* Average pooling: sum of in-bounds cells / (k*k) (count_include_pad). */
void gsc_fast_avgpool2d(const GscFastPool *g,
                        const float *x, /* blocked [c, h, w] */
                        float *y);      /* blocked [c, oh, ow] */

/* Adaptive average pooling (gsc_adaptive_avgpool2d's windows) on the
 * blocked layout: float sums, one division per output cell. */
void gsc_fast_adaptive_avgpool2d(const float *x, /* blocked [c, h, w] */
                                 int c, int h, int w, int oh, int ow,
                                 float *y);      /* blocked [c, oh, ow] */

/* Upsampling (gsc_upsample_nearest, gsc_upsample_bilinear) on the blocked
 * layout: nearest stores each input vector into its sh x sw block,
 * bilinear blends two rows of two taps with FMAs. One task per channel
 * block and output row. */
void gsc_fast_upsample_nearest(const float *x, /* blocked [c, h, w] */
                               int c, int h, int w, int sh, int sw,
                               float *y);      /* blocked [c, h * sh, w * sw] */
void gsc_fast_upsample_bilinear(const float *x, /* blocked [c, h, w] */
                                int c, int h, int w, int sh, int sw, int align_corners,
                                float *y);      /* blocked [c, h * sh, w * sw] */

/* Per channel sum / (h*w) (double accumulation). */
void gsc_fast_global_avgpool(const float *x, /* blocked [c, h, w] */
                             int c, int h, int w,
                             float *y);      /* [c] plain vector */

/* ---------------------------------------------------------------- linear */

int64_t gsc_fast_linear_packed_floats(int in, int out);
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

#ifdef __cplusplus
}
#endif

#endif /* GSC_FAST_H */
