/*
 * gsc_fast.c - fast kernels (see gsc_fast.h for the API and the layouts).
 *
 * The convolution is a direct convolution on channel-blocked (16 lanes)
 * activations. Its inner loop is an outer product: for one input channel ic
 * and one filter tap (ky, kx) it loads the weights of NB blocks of 16 output
 * channels (NB vector registers) and, for each of NP output pixels of the
 * tile, broadcasts one input value and does NB FMAs into the NB x NP
 * accumulators. Per NB*NP FMAs that is NB + NP loads, and the accumulators
 * stay in registers for the whole reduction over cin*k*k, so each output is
 * stored exactly once. The epilogue adds the bias, stores the tile and
 * computes the tile's per-channel sum and M2 (sum of squared deviations from
 * the tile mean) while the values are still in registers: the following BN
 * needs no extra pass over the output and no E[x^2]-mean^2 cancellation.
 *
 * Register blocking (per ISA, compile time):
 *   AVX-512: NB = 2 (2 zmm of weights) x NP = 14 pixels = 28 accumulators
 *            + 2 weights + 1 broadcast = 31 of 32 zmm. 16 loads per 28 FMAs,
 *            below the 2 loads/cycle the core sustains next to 2 FMAs/cycle.
 *            14 divides 112, 56, 28, 14; a 7-wide output uses two rows per
 *            tile (7 + 7) so stage 4 keeps 28 accumulators too.
 *   AVX2:    NB = 1 (2 ymm) x NP = 6 = 12 accumulators + 2 + 1 of 16 ymm.
 *   portable: NB = 1 x NP = 4, plain float arithmetic.
 *
 * Before the tile loop the input is copied once into the workspace with a
 * zero border ("padded copy"); the copy also applies the producer's BN
 * scale/shift + ReLU (so relu(bn(conv)) is never materialised) and can read
 * the CHW model input. Then no tap needs a bounds check. When cin < 16 the
 * copy keeps only cin lanes per pixel (the stem: 3 channels, 3 lanes),
 * so a 7x7 stride-2 stem wastes nothing on padding channels.
 *
 * Threads: one OpenMP loop over (output-channel group, tile); static schedule
 * so each thread owns a contiguous range and reuses its weights from L2.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "gsc_fast.h"
#include "gsc_runtime.h" /* GSC_BN_EPS */

#include "gsc_simd.h"

const char *gsc_fast_isa(void) { return GF_ISA; }

/* ---------------------------------------------------------- vector math
 * exp, tanh and the normal CDF Phi on VT, the same code on every ISA (the
 * portable path with VW = 1). Polynomials fitted in double (least squares on
 * Chebyshev nodes, near minimax), evaluated by Horner with FMA:
 *   exp(x) = 2^n exp(r), r = x - n ln2 (Cody-Waite), |r| <= ln2/2: degree 6,
 *            relative error of the fit 1.9e-9; x clamped to [-87.3, 88.3]
 *            (below: the smallest normal float instead of a denormal).
 *   tanh(x) = x P(x^2) for |x| < 0.625 (fit 1.5e-10 relative: no
 *            cancellation near 0); else sign(x) (1 - 2 / (exp(2|x|) + 1)).
 *   Phi(x) = (1 + erf(x / sqrt 2)) / 2: for |z| = |x| / sqrt 2 < 1,
 *            erf(z) = z P(z^2) (fit 3.4e-11); else erfc(t), t = |z|, is
 *            exp(-t^2) exp(h(1/t)) / t with h = log(t erfc(t)) + t^2 fitted
 *            on 1/t in [0.1, 1] (8.4e-9 absolute; |h| < 0.7 keeps the float
 *            rounding small), t^2 = x^2 / 2 split exactly into hi + lo with
 *            an FMA, and Phi = erfc/2 for x < 0, 1 - erfc/2 above: the
 *            negative tail keeps its relative accuracy (t is clamped at 10,
 *            where gelu's value is below 1e-40).
 * Measured against double-precision libm (tests/unit/test_runtime.c,
 * act_accuracy): see docs/semantics.md. */
GF_INLINE VT v_exp(VT x)
{
    VT n, r, p;
    x = VMIN(VMAX(x, VSET1(-87.3f)), VSET1(88.3f));
    n = VROUND(VMUL(x, VSET1(1.44269504088896341f)));
    r = VFMA(n, VSET1(-0.693145751953125f), x);
    r = VFMA(n, VSET1(-1.42860682030941723212e-6f), r);
    p = VSET1(1.382941154e-03f);
    p = VFMA(p, r, VSET1(8.374777795e-03f));
    p = VFMA(p, r, VSET1(4.166835855e-02f));
    p = VFMA(p, r, VSET1(1.666642076e-01f));
    p = VFMA(p, r, VSET1(4.999999149e-01f));
    p = VFMA(p, r, VSET1(1.000000036e+00f));
    p = VFMA(p, r, VSET1(1.0f));
    return VSCALE2(p, n);
}

GF_INLINE VT v_tanh(VT x)
{
    VT t = VABS(x), s = VMUL(x, x), p, e, big;
    p = VSET1(2.125637762e-03f);
    p = VFMA(p, s, VSET1(-8.155733807e-03f));
    p = VFMA(p, s, VSET1(2.169032681e-02f));
    p = VFMA(p, s, VSET1(-5.394439278e-02f));
    p = VFMA(p, s, VSET1(1.333317997e-01f));
    p = VFMA(p, s, VSET1(-3.333332960e-01f));
    p = VMUL(p, s);
    p = VFMA(p, x, x); /* x + x s P'(s) */
    e = v_exp(VADD(t, t));
    big = VSUB(VSET1(1.0f), VDIV(VSET1(2.0f), VADD(e, VSET1(1.0f))));
    return VSEL_LT(t, VSET1(0.625f), p, VCOPYSIGN(big, x));
}

/* 1 / (1 + exp(-x)) */
GF_INLINE VT v_sigmoid(VT x)
{
    return VDIV(VSET1(1.0f), VADD(VSET1(1.0f), v_exp(VSUB(VZERO(), x))));
}

GF_INLINE VT v_phi(VT x)
{
    VT z = VMUL(x, VSET1(0.70710678118654752440f)), s = VMUL(z, z), p, t, w, u, g, hi, lo, q, tail;
    /* |z| < 1 */
    p = VSET1(-9.634992945e-06f);
    p = VFMA(p, s, VSET1(1.125464134e-04f));
    p = VFMA(p, s, VSET1(-8.482507815e-04f));
    p = VFMA(p, s, VSET1(5.220923221e-03f));
    p = VFMA(p, s, VSET1(-2.686539213e-02f));
    p = VFMA(p, s, VSET1(1.128378184e-01f));
    p = VFMA(p, s, VSET1(-3.761263843e-01f));
    p = VFMA(p, s, VSET1(1.128379167e+00f));
    p = VFMA(VMUL(p, z), VSET1(0.5f), VSET1(0.5f));
    /* |z| >= 1: erfc(t) = exp(-t^2) exp(h(1/t)) / t, t^2 = (x^2 + x^2 lo) / 2 */
    t = VMIN(VMAX(VABS(z), VSET1(1.0f)), VSET1(10.0f));
    w = VDIV(VSET1(1.0f), t);
    u = VFMA(w, VSET1(2.222222222f), VSET1(-1.222222222f));
    g = VSET1(2.512593211e-05f);
    g = VFMA(g, u, VSET1(-2.032403877e-05f));
    g = VFMA(g, u, VSET1(-1.041088475e-04f));
    g = VFMA(g, u, VSET1(2.411460660e-04f));
    g = VFMA(g, u, VSET1(-3.009596652e-04f));
    g = VFMA(g, u, VSET1(1.392822854e-04f));
    g = VFMA(g, u, VSET1(1.130301378e-03f));
    g = VFMA(g, u, VSET1(-5.554311912e-03f));
    g = VFMA(g, u, VSET1(1.541353919e-02f));
    g = VFMA(g, u, VSET1(-1.980913683e-02f));
    g = VFMA(g, u, VSET1(-1.523146882e-01f));
    g = VFMA(g, u, VSET1(-6.884513692e-01f));
    {
        VT xc = VMIN(VMAX(x, VSET1(-14.142135624f)), VSET1(14.142135624f));
        VT sq = VMUL(xc, xc);
        hi = VMUL(sq, VSET1(0.5f));
        lo = VMUL(VFMA_EXACT(xc, xc, VSUB(VZERO(), sq)), VSET1(0.5f));
    }
    q = VMUL(VMUL(v_exp(VSUB(VZERO(), hi)), v_exp(VSUB(g, lo))), VMUL(w, VSET1(0.5f))); /* erfc / 2 */
    tail = VSEL_LT(x, VZERO(), q, VSUB(VSET1(1.0f), q));
    return VSEL_LT(VABS(z), VSET1(1.0f), p, tail);
}

/* min(max(x, 0), 6) */
GF_INLINE VT v_relu6(VT x)
{
    return VMIN(VMAX(x, VZERO()), VSET1(6.0f));
}

/* act(x) for an activation field of the flags (GSC_ACT_*; 0: none) */
GF_INLINE VT v_act(VT x, int act)
{
    switch (act) {
    case GSC_ACT_RELU:
        return VMAX(x, VZERO());
    case GSC_ACT_RELU6:
        return v_relu6(x);
    case GSC_ACT_SIGMOID:
        return v_sigmoid(x);
    case GSC_ACT_TANH:
        return v_tanh(x);
    case GSC_ACT_SILU:
        return VMUL(x, v_sigmoid(x));
    case GSC_ACT_GELU:
        return VMUL(x, v_phi(x));
    case GSC_ACT_GELU_TANH: /* x (1 + tanh(u)) / 2 = x sigmoid(2u) */
        return VMUL(x, v_sigmoid(VMUL(VSET1(1.5957691216057308f), VFMA(VMUL(VMUL(x, x), x), VSET1(0.044715f), x))));
    case GSC_ACT_HARDSWISH:
        return VDIV(VMUL(x, v_relu6(VADD(x, VSET1(3.0f)))), VSET1(6.0f));
    case GSC_ACT_HARDSIGMOID:
        return VDIV(v_relu6(VADD(x, VSET1(3.0f))), VSET1(6.0f));
    default:
        return x;
    }
}

/* v_act on 16 floats, in place; lanes at and above nvalid set to 0 */
static void act16(float *o, int act, int nvalid)
{
    int v, l;
    if (!act)
        return;
    for (v = 0; v < NV; v++)
        VSTORE(o + v * VW, v_act(VLOAD(o + v * VW), act));
    for (l = nvalid; l < 16; l++)
        o[l] = 0.0f;
}

void gsc_fast_act(const float *x, int64_t n, int flags, float *y)
{
    int act = flags & GSC_ACT_MASK;
    int64_t i = 0;
    for (; i + VW <= n; i += VW)
        VSTORE(y + i, v_act(VLOAD(x + i), act));
    if (i < n) {
        float t[VW];
        int64_t k;
        for (k = 0; k < VW; k++)
            t[k] = i + k < n ? x[i + k] : 0.0f;
        VSTORE(t, v_act(VLOAD(t), act));
        for (k = 0; i + k < n; k++)
            y[i + k] = t[k];
    }
}

/* The lanes past channel c in the last block of a blocked [c, hw] tensor set
 * to 0 (every kernel keeps them so; a consumer may read whole blocks). */
static void zero_padding_lanes(float *y, int c, size_t hw)
{
    float *last = y + (size_t)(GSC_FAST_CBLK(c) - 1) * 16 * hw;
    size_t i;
    if (c % 16 == 0)
        return;
    for (i = 0; i < hw; i++)
        memset(last + i * 16 + c % 16, 0, (size_t)(16 - c % 16) * sizeof(float));
}

/* clip: min(max(x, a), b); leaky_relu: x > 0 ? x : a x */
GF_INLINE VT v_act_param(VT x, int act, VT a, VT b)
{
    if (act == GSC_ACT_CLIP)
        return VMIN(VMAX(x, a), b);
    return VSEL_LT(VZERO(), x, x, VMUL(a, x));
}

void gsc_fast_act_param(const float *x, int64_t n, int c, int act, float a, float b, float *y)
{
    VT va = VSET1(a), vb = VSET1(b);
    int64_t i = 0;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (n >= 65536)
#endif
    for (i = 0; i < n / VW * VW; i += VW)
        VSTORE(y + i, v_act_param(VLOAD(x + i), act, va, vb));
    for (i = n / VW * VW; i < n; i++) /* a vector's tail */
        y[i] = act == GSC_ACT_CLIP ? (x[i] < a ? a : x[i] > b ? b : x[i]) : x[i] > 0.0f ? x[i] : a * x[i];
    if (c > 0) /* clip(0) need not be 0 */
        zero_padding_lanes(y, c, (size_t)(n / GSC_FAST_CPAD(c)));
}

static size_t round64(size_t bytes) { return (bytes + 63) / 64 * 64; }

/* ------------------------------------------------------- layout changes */

void gsc_fast_from_chw(const float *x, int c, int h, int w, float *y)
{
    int cb, ncb = GSC_FAST_CBLK(c);
    size_t hw = (size_t)h * w;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (cb = 0; cb < ncb; cb++) {
        size_t i;
        int l;
        float *yb = y + (size_t)cb * 16 * hw;
        for (i = 0; i < hw; i++)
            for (l = 0; l < 16; l++) {
                int ch = cb * 16 + l;
                yb[i * 16 + l] = ch < c ? x[(size_t)ch * hw + i] : 0.0f;
            }
    }
}

void gsc_fast_to_chw(const float *x, int c, int h, int w, float *y)
{
    int ch;
    size_t hw = (size_t)h * w;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (ch = 0; ch < c; ch++) {
        const float *xb = x + (size_t)(ch / 16) * 16 * hw + ch % 16;
        size_t i;
        for (i = 0; i < hw; i++)
            y[(size_t)ch * hw + i] = xb[i * 16];
    }
}

/* ------------------------------------------------------------ conv plan
 * Everything about a conv's geometry, derived from the shape alone so the
 * workspace size function and the kernel agree. */
typedef struct {
    int cin, h, w, cout, oh, ow;
    int kh, kw, sh, sw; /* filter rows, columns; strides */
    int top, left;  /* padding before the first row, column (bottom, right: in hp, wp) */
    int dil_h, dil_w; /* dilation, >= 1 */
    int groups;     /* >= 1 */
    int dw;         /* depthwise (groups = cin = cout): conv_depthwise */
    int lanes;      /* floats per pixel in the padded copy: 16, or cin if < 16 */
    int ncb_in;     /* input channel blocks (of `lanes` channels) */
    int nib;        /* input blocks an output block reads (all of them when dense) */
    int tnb;        /* output blocks per tile: TNB, 1 when grouped (each has its own inputs) */
    int hp, wp;     /* padded copy rows, columns */
    int pair;       /* 1: tiles are two rows of ow (ow*2 <= TNP) */
    int pieces;     /* tiles per row (pair == 0) */
    int ntiles;     /* tiles per output channel block */
    int ncb_out;    /* output channel blocks */
    int ngroups;    /* groups of TNB output channel blocks */
} ConvPlan;

/* Widths of the row pieces: full TNP strips, then the remainder split into
 * pieces of 7, 4, 2, 1 (sizes the micro-kernel is instantiated for).
 * Returns the number of pieces; with pc >= 0 also piece pc's start, width. */
static const int piece_sizes[] = {7, 4, 2, 1};

static int row_pieces(int ow, int pc, int *x0, int *np)
{
    int nfull = ow / TNP, n = nfull, ox = nfull * TNP, i;
    if (pc >= 0 && pc < nfull) {
        *x0 = pc * TNP;
        *np = TNP;
    }
    for (i = 0; i < 4; i++)
        while (piece_sizes[i] < TNP && ow - ox >= piece_sizes[i]) {
            if (pc == n) {
                *x0 = ox;
                *np = piece_sizes[i];
            }
            n++;
            ox += piece_sizes[i];
        }
    return n;
}

/* Grouped convolution on blocked channels: output block ob (channels
 * [16 ob, 16 ob + 16)) meets the groups g0..g1, whose input channels lie in
 * the input blocks (of `lanes` channels) [ib_lo, ib_hi). Returns the number
 * of those blocks; *ib0 is the first. Dense (groups 1): all, from 0. */
static int group_blocks(int cin, int cout, int groups, int lanes, int ob, int *ib0)
{
    int cig = cin / groups, cog = cout / groups, last = 16 * ob + 15 < cout ? 16 * ob + 15 : cout - 1;
    int g0 = 16 * ob / cog, g1 = last / cog;
    int lo = g0 * cig / lanes, hi = ((g1 + 1) * cig + lanes - 1) / lanes;
    *ib0 = lo;
    return hi - lo;
}

static int conv_groups_of(const GscFastConv *g)
{
    return g->groups > 1 ? g->groups : 1;
}

/* Input blocks per output block, the most any output block needs. */
static int group_span(int cin, int cout, int groups, int lanes)
{
    int ob, nib = 1, ib0;
    for (ob = 0; ob < GSC_FAST_CBLK(cout); ob++) {
        int n = group_blocks(cin, cout, groups, lanes, ob, &ib0);
        nib = n > nib ? n : nib;
    }
    return nib;
}

/* The first input block output block ob reads: nib blocks from there stay
 * inside the input (the blocks past its groups have zero weights). */
static int group_first(const ConvPlan *P, int ob)
{
    int ib0;
    group_blocks(P->cin, P->cout, P->groups, P->lanes, ob, &ib0);
    return ib0 + P->nib > P->ncb_in ? P->ncb_in - P->nib : ib0;
}

static int conv_is_depthwise(int cin, int cout, int groups)
{
    return groups > 1 && groups == cin && groups == cout;
}

static void conv_plan(ConvPlan *P, const GscFastConv *g)
{
    int need, cin = g->cin, h = g->h, w = g->w, p = g->pad;
    int bottom = g->axes ? g->bottom : p, right = g->axes ? g->right : p;
    P->cin = cin; P->h = h; P->w = w; P->cout = g->cout;
    P->kh = g->k; P->sh = g->stride; P->top = p;
    P->kw = g->axes ? g->kw : g->k;
    P->sw = g->axes ? g->sw : g->stride;
    P->left = g->axes ? g->left : p;
    P->dil_h = g->axes && g->dh > 1 ? g->dh : 1;
    P->dil_w = g->axes && g->dw > 1 ? g->dw : 1;
    P->oh = gsc_axis_out_size(h, P->kh, P->dil_h, P->sh, P->top, bottom, 0);
    P->ow = gsc_axis_out_size(w, P->kw, P->dil_w, P->sw, P->left, right, 0);
    P->groups = conv_groups_of(g);
    P->dw = conv_is_depthwise(cin, g->cout, P->groups);
    P->lanes = cin < 16 && !P->dw ? cin : 16;
    P->ncb_in = (cin + P->lanes - 1) / P->lanes;
    P->nib = P->groups > 1 ? group_span(cin, g->cout, P->groups, P->lanes) : P->ncb_in;
    P->tnb = P->groups > 1 ? 1 : TNB;
    P->hp = h + P->top + bottom;
    need = (P->oh - 1) * P->sh + (P->kh - 1) * P->dil_h + 1;
    if (need > P->hp) P->hp = need;
    P->wp = w + P->left + right;
    need = (P->ow - 1) * P->sw + (P->kw - 1) * P->dil_w + 1;
    if (need > P->wp) P->wp = need;
    /* Pair two rows per tile when a row alone would leave accumulators idle
     * and the row width is an instantiated piece size (7 on AVX-512). */
    P->pair = (TNP == 14 && 2 * P->ow == TNP && P->oh >= 2); /* only (7,7) is instantiated */
    P->pieces = row_pieces(P->ow, -1, NULL, NULL);
    P->ntiles = P->pair ? (P->oh + 1) / 2 : P->oh * P->pieces;
    P->ncb_out = GSC_FAST_CBLK(g->cout);
    P->ngroups = (P->ncb_out + P->tnb - 1) / P->tnb;
}

/* Can the kernel read x in place (no padding, no transform, blocked)? */
static int conv_direct(const ConvPlan *P, const float *in_ss, int flags)
{
    return P->top == 0 && P->left == 0 && in_ss == NULL && flags == 0 && P->lanes == 16 &&
           P->hp == P->h && P->wp == P->w;
}

static size_t pad_bytes(const ConvPlan *P)
{
    return round64((size_t)P->ncb_in * P->hp * P->wp * P->lanes * sizeof(float));
}

static size_t stat_floats(const ConvPlan *P)
{
    return (size_t)P->ntiles * GSC_FAST_CPAD(P->cout);
}

/* An upper bound of the tiles of every SIMD path (rows are cut into pieces
 * of at least TNP >= 4 pixels, plus at most two shorter ones), so that the
 * workspace size is the same whatever the flags the generated code is
 * compiled with: the code generator computes it with its own build. */
static size_t max_tiles(const ConvPlan *P)
{
    return (size_t)P->oh * (size_t)(P->ow / 4 + 2);
}

size_t gsc_fast_conv_workspace_bytes(const GscFastConv *g)
{
    ConvPlan P;
    conv_plan(&P, g);
    /* padded copy (always counted: the caller may pass a transform) + sum
     * and M2 per tile and channel */
    return pad_bytes(&P) +
           round64(2 * max_tiles(&P) * GSC_FAST_CPAD(P.cout) * sizeof(float));
}

/* Floats of packed weights per output channel block: [nib][kh][kw][L][16]
 * with L = 16, or [1][kh][kw][cin][16] when cin < 16 (L = cin: no padding
 * channels, the stem's 3 channels cost 3 FMAs per tap, not 16); nib is the
 * input blocks an output block reads (all of them when dense). Depthwise:
 * [kh][kw][16], one weight per channel and tap. */
static size_t packed_block_floats(int cin, int cout, int kh, int kw, int groups)
{
    int lanes = cin < 16 ? cin : 16;
    if (conv_is_depthwise(cin, cout, groups))
        return (size_t)kh * kw * 16;
    return (size_t)(groups > 1 ? group_span(cin, cout, groups, lanes) : GSC_FAST_CBLK(cin)) * kh * kw * lanes * 16;
}

int64_t gsc_fast_conv_packed_floats_hw(int cin, int cout, int kh, int kw, int groups)
{
    groups = groups > 1 ? groups : 1;
    return (int64_t)GSC_FAST_CBLK(cout) * (int64_t)packed_block_floats(cin, cout, kh, kw, groups) +
           GSC_FAST_CPAD(cout);
}

int64_t gsc_fast_conv_packed_floats(int cin, int cout, int k, int groups)
{
    return gsc_fast_conv_packed_floats_hw(cin, cout, k, k, groups);
}

/* Packed: [cout_blk][nib][kh][kw][L ic][16 oc], L = min(cin, 16), then
 * the bias [cpad(cout)]. For fixed (block, ky) the (kx, ic) pairs are
 * contiguous, matching the padded copy's (x, lane) order, so the kernel runs
 * one flat loop of k*L steps per filter row. Grouped: input block j of
 * output block ob is block group_first(ob) + j, and the weights between an
 * output channel and the input channels outside its group are 0. */
void gsc_fast_conv_prepare(const float *wt, const float *bias, int cin,
                           int cout, int k, int groups, float *packed)
{
    gsc_fast_conv_prepare_hw(wt, bias, cin, cout, k, k, groups, packed);
}

void gsc_fast_conv_prepare_hw(const float *wt, const float *bias, int cin, int cout, int kh, int kw, int groups,
                              float *packed)
{
    gsc_fast_conv_prepare_bn(wt, bias, NULL, 0.0, cin, cout, kh, kw, groups, packed);
}

void gsc_fast_bn_fold_scales(const float *bn, int c, double eps, int co0, double *s)
{
    int o;
    for (o = 0; o < 16; o++) {
        int co = co0 + o;
        s[o] = co >= c ? 0.0 : bn ? bn[co] / sqrt((double)bn[3 * c + co] + eps) : 1.0;
    }
}

void gsc_fast_bn_fold_bias(const float *bias, const float *bn, int c, double eps, float *pb)
{
    int co, o;
    double s[16];
    for (co = 0; co < GSC_FAST_CPAD(c); co += 16) {
        gsc_fast_bn_fold_scales(bn, c, eps, co, s);
        for (o = 0; o < 16; o++) {
            double b = co + o < c && bias ? bias[co + o] : 0.0;
            pb[co + o] = co + o >= c ? 0.0f : bn ? (float)((b - bn[2 * c + co + o]) * s[o] + bn[c + co + o]) : (float)b;
        }
    }
}

void gsc_fast_conv_prepare_bn(const float *wt, const float *bias, const float *bn, double eps, int cin, int cout,
                              int kh, int kw, int groups, float *packed)
{
    GscFastConv g = {.cin = cin, .h = 1, .w = 1, .cout = cout, .k = kh, .stride = 1, .groups = groups,
                     .axes = 1, .kw = kw, .sw = 1};
    ConvPlan P;
    int ncbo = GSC_FAST_CBLK(cout), L, cig, cog;
    int ob;
    size_t bf;
    float *pb;
    conv_plan(&P, &g);
    L = P.lanes;
    cig = cin / P.groups;
    cog = cout / P.groups;
    bf = packed_block_floats(cin, cout, kh, kw, P.groups);
    pb = packed + (size_t)ncbo * bf;
    /* per output block; the dense case without a batchnorm is a plain
     * transpose per tap (the same floats, about 8 times faster: 3.3 ms for
     * 512 x 512 x 3 x 3, which bench/train_conv.c times as the per-step cost
     * of running P_grad's forward on these kernels) */
    for (ob = 0; ob < ncbo; ob++) {
        double sc[16];
        float *dst = packed + (size_t)ob * bf;
        int ib, ky, kx, i, o, kk = kh * kw;
        gsc_fast_bn_fold_scales(bn, cout, eps, ob * 16, sc);
        if (P.dw) {
            for (i = 0; i < kk; i++)
                for (o = 0; o < 16; o++) {
                    int co = ob * 16 + o;
                    dst[(size_t)i * 16 + o] = co < cout ? (float)(wt[(size_t)co * kk + i] * sc[o]) : 0.0f;
                }
            continue;
        }
        int ib0 = P.groups > 1 ? group_first(&P, ob) : 0;
        if (!bn && P.groups == 1 && ob * 16 + 16 <= cout) { /* a transpose per tap */
            for (ib = 0; ib < P.nib; ib++)
                for (ky = 0; ky < kh; ky++)
                    for (kx = 0; kx < kw; kx++) {
                        float *d = dst + (((size_t)ib * kh + ky) * kw + kx) * L * 16;
                        int nl = cin - ib * L < L ? cin - ib * L : L;
                        for (o = 0; o < 16; o++) {
                            const float *s = wt + ((size_t)(ob * 16 + o) * cin + (size_t)ib * L) * kk + ky * kw + kx;
                            for (i = 0; i < nl; i++)
                                d[i * 16 + o] = s[(size_t)i * kk];
                        }
                        for (i = nl * 16; i < L * 16; i++)
                            d[i] = 0.0f;
                    }
            continue;
        }
        for (ib = 0; ib < P.nib; ib++)
            for (ky = 0; ky < kh; ky++)
                for (kx = 0; kx < kw; kx++)
                    for (i = 0; i < L; i++)
                        for (o = 0; o < 16; o++) {
                            int co = ob * 16 + o, ci = (ib0 + ib) * L + i;
                            float v = 0.0f;
                            if (co < cout && ci < cin && ci / cig == co / cog)
                                v = (float)(wt[(((size_t)co * cig + ci % cig) * kh + ky) * kw + kx] * sc[o]);
                            dst[(((size_t)ib * kh + ky) * kw + kx) * L * 16 + i * 16 + o] = v;
                        }
    }
    gsc_fast_bn_fold_bias(bias, bn, cout, eps, pb);
}

/* One row of the padded copy from a blocked source row src[w][16] (a
 * 16-lane block): the border cells 0, the inside T(src) = act(src*sc + sh)
 * in vectors, or one memcpy when there is no transform. The lanes at and
 * above nvalid (padding channels: 0 in src, sc 1, sh 0) are 0 after the
 * transform unless act(0) is not: then they are zeroed. */
static void pad_copy_row(const ConvPlan *P, const float *src, const float *sc, const float *sh, int act,
                         int nvalid, float *row)
{
    float *o = row + (size_t)P->left * 16;
    int xx, v, l;
    memset(row, 0, (size_t)P->left * 16 * sizeof(float));
    memset(o + (size_t)P->w * 16, 0, (size_t)(P->wp - P->left - P->w) * 16 * sizeof(float));
    if (!sc && !act) {
        memcpy(o, src, (size_t)P->w * 16 * sizeof(float));
        return;
    }
    {
        VT vs[NV], vh[NV];
        for (v = 0; v < NV; v++) {
            vs[v] = sc ? VLOAD(sc + v * VW) : VSET1(1.0f);
            vh[v] = sc ? VLOAD(sh + v * VW) : VZERO();
        }
        for (xx = 0; xx < P->w; xx++)
            for (v = 0; v < NV; v++)
                VSTORE(o + (size_t)xx * 16 + v * VW,
                       v_act(VFMA(VLOAD(src + (size_t)xx * 16 + v * VW), vs[v], vh[v]), act));
    }
    if (nvalid < 16 && act != GSC_ACT_RELU && act != GSC_ACT_RELU6)
        for (xx = 0; xx < P->w; xx++)
            for (l = nvalid; l < 16; l++)
                o[(size_t)xx * 16 + l] = 0.0f;
}

/* The padded copy: xp[ncb_in][hp][wp][lanes] = T(x) inside, 0 on the border. */
static void conv_pad_copy(const ConvPlan *P, const float *x,
                          const float *in_ss, int flags, float *xp)
{
    int L = P->lanes, cpadi = GSC_FAST_CPAD(P->cin);
    int act = flags & GSC_ACT_MASK;
    int chw = (flags & GSC_FAST_IN_CHW) != 0;
    int t, nt = P->ncb_in * P->hp;
    size_t hw = (size_t)P->h * P->w;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (t = 0; t < nt; t++) {
        int cb = t / P->hp, yy = t % P->hp, iy = yy - P->top, xx, l;
        float *row = xp + (size_t)t * P->wp * L;
        float sc[16], sh[16];
        int valid[16];
        for (l = 0; l < L; l++) {
            int ch = cb * L + l;
            valid[l] = ch < P->cin;
            sc[l] = in_ss && valid[l] ? in_ss[ch] : 1.0f;
            sh[l] = in_ss && valid[l] ? in_ss[cpadi + ch] : 0.0f;
        }
        if (iy < 0 || iy >= P->h) {
            memset(row, 0, (size_t)P->wp * L * sizeof(float));
            continue;
        }
        if (!chw && L == 16) {
            pad_copy_row(P, x + ((size_t)cb * P->h + iy) * P->w * 16, in_ss ? sc : NULL, sh, act,
                         P->cin - cb * 16, row);
            continue;
        }
        if (chw && L < 16 && !in_ss && !act) { /* the model input of the stem: a transpose */
            const float *src = x + (size_t)iy * P->w;
            memset(row, 0, (size_t)P->left * L * sizeof(float));
            memset(row + (size_t)(P->left + P->w) * L, 0, (size_t)(P->wp - P->left - P->w) * L * sizeof(float));
            for (l = 0; l < L; l++)
                for (xx = 0; xx < P->w; xx++)
                    row[(size_t)(P->left + xx) * L + l] = src[(size_t)l * hw + xx];
            continue;
        }
        for (xx = 0; xx < P->wp; xx++) {
            int ix = xx - P->left;
            float *o = row + (size_t)xx * L;
            if (ix < 0 || ix >= P->w) {
                for (l = 0; l < L; l++)
                    o[l] = 0.0f;
            } else {
                /* blocked source: channel cb*L+l is in block (cb*L)/16 */
                const float *src = chw ? x : x + (((size_t)(cb * L / 16) * P->h + iy) * P->w + ix) * 16 +
                                             (cb * L) % 16;
                float v[16];
                for (l = 0; l < L; l++) {
                    v[l] = !valid[l] ? 0.0f
                           : chw     ? x[(size_t)(cb * L + l) * hw + (size_t)iy * P->w + ix]
                                     : src[l];
                    v[l] = v[l] * sc[l] + sh[l];
                }
                if (act == GSC_ACT_RELU) {
                    for (l = 0; l < L; l++)
                        o[l] = v[l] > 0.0f ? v[l] : 0.0f;
                } else {
                    for (l = L; l < 16; l++)
                        v[l] = 0.0f;
                    act16(v, act, 16);
                    for (l = 0; l < L; l++)
                        o[l] = valid[l] ? v[l] : 0.0f;
                }
            }
        }
    }
}

/* The output transform of gsc_fast_conv2d_out: y = act(y*ss0 + ss1 + res)
 * per channel; ss NULL: none; res NULL: none. */
typedef struct {
    const float *ss;  /* [2][cpad(cout)] or NULL */
    const float *res; /* blocked [cout, oh, ow] or NULL */
    int act;          /* GSC_ACT_* or 0 */
} OutT;

/* The output transform on n pixels of one channel block just stored at y
 * (channels [16 cb, 16 cb + 16)), with the residual at r (NULL: none). The
 * lanes at and above nvalid are padding: kept 0 whatever act(0) is. */
GF_INLINE void out_pixels(const VT *sc, const VT *sh, const float *r, float *y, int n, const int act)
{
    int p, v;
    for (p = 0; p < n; p++)
        for (v = 0; v < NV; v++) {
            VT a = VFMA(VLOAD(y + p * 16 + v * VW), sc[v], sh[v]);
            if (r)
                a = VADD(a, VLOAD(r + p * 16 + v * VW));
            VSTORE(y + p * 16 + v * VW, v_act(a, act));
        }
}

static void out_transform(const OutT *O, int cb, int cpad, int nvalid, const float *r, float *y, int n)
{
    VT sc[NV], sh[NV];
    int p, v, l;
    for (v = 0; v < NV; v++) {
        sc[v] = O->ss ? VLOAD(O->ss + cb * 16 + v * VW) : VSET1(1.0f);
        sh[v] = O->ss ? VLOAD(O->ss + cpad + cb * 16 + v * VW) : VZERO();
    }
    /* the common activations with a constant act, so that v_act's switch goes */
    if (O->act == GSC_ACT_RELU6)
        out_pixels(sc, sh, r, y, n, GSC_ACT_RELU6);
    else if (O->act == GSC_ACT_RELU)
        out_pixels(sc, sh, r, y, n, GSC_ACT_RELU);
    else if (!O->act)
        out_pixels(sc, sh, r, y, n, 0);
    else
        out_pixels(sc, sh, r, y, n, O->act);
    if (nvalid < 16 && O->act)
        for (p = 0; p < n; p++)
            for (l = nvalid; l < 16; l++)
                y[p * 16 + l] = 0.0f;
}

/*
 * The micro-kernel: NB output channel blocks x (NPA pixels of row A + NPB
 * pixels of row B). XS = floats between the inputs of consecutive output
 * pixels (stride * lanes), a compile-time constant in the hot instances so
 * every broadcast is base + immediate. All of NB, NPA, NPB, XS are literal
 * constants at each call site; always_inline lets the compiler fully unroll
 * the pixel/block loops and keep acc[][][] in registers.
 */
typedef struct {
    const float *xa, *xb; /* padded input at tap (0,0), channel block 0, for
                             pixel 0 of row A / row B */
    size_t xcs;           /* floats between input channel blocks (padded) */
    int wrow;             /* floats per padded row */
    int lanes, ncb;       /* lanes, input blocks */
    int kh, kw;           /* filter rows, columns */
    size_t rstep;         /* floats between filter rows in the padded input (dh rows) */
    int dxs;              /* floats between taps of a row (dw * lanes); lanes: contiguous */
    const float *wt;      /* packed weights of the first output block */
    size_t wcs;           /* floats between output blocks in packed */
    const float *bias;    /* [16*NB] */
    float *ya, *yb;       /* output at pixel 0 of row A / row B, block 0 */
    size_t ycs;           /* floats between output channel blocks */
    float *ssum, *sm2;    /* this tile's stats at channel of block 0 */
    /* the output transform in registers (gsc_fast_conv2d_out with no
     * activation, the ReLU or ReLU6): ep != 0; oss the scale at channel of
     * block 0 (NULL: 1, shift 0), its shift ohalf floats on; ra, rb the
     * residual at ya, yb (NULL: none); oact the activation */
    int ep, oact;
    const float *oss, *ra, *rb;
    size_t ohalf;
} Tile;

GF_INLINE void tile_kernel(const Tile *T, const int NB, const int NPA,
                           const int NPB, const int XS)
{
    VT acc[TNB][TNP][NV];
    int j, p, v, icb, ky, ic, run;
    const int kh = T->kh, kw = T->kw;
    /* taps of a row read adjacent pixels (no dilation): one run of kw*L
     * steps; dilated: kw runs of L steps, dxs apart */
    const int nrun = T->dxs == T->lanes ? 1 : kw;
    for (j = 0; j < NB; j++)
        for (v = 0; v < NV; v++) {
            VT b = VLOAD(T->bias + j * 16 + v * VW);
            for (p = 0; p < NPA + NPB; p++)
                acc[j][p][v] = b;
        }
    /* Per (input block, filter row) one flat loop over (kx, ic): the padded
     * copy stores a row as [x][lane] and the weights as [kx][ic][16], so
     * step q reads input q and weights 16*q. Padding lanes of the last
     * input block are zero in the input and in the weights. */
    for (icb = 0; icb < T->ncb; icb++)
        for (ky = 0; ky < kh; ky++)
            for (run = 0; run < nrun; run++) {
                const int nq = nrun == 1 ? kw * T->lanes : T->lanes;
                size_t xo = icb * T->xcs + (size_t)ky * T->rstep + (size_t)run * T->dxs;
                const float *pa = T->xa + xo, *pb = T->xb + xo;
                const float *pw = T->wt + (((size_t)icb * kh + ky) * kw + run) * T->lanes * 16;
                GF_NO_UNROLL
                for (ic = 0; ic < nq; ic++) {
                    VT wv[TNB][NV];
                    for (j = 0; j < NB; j++)
                        for (v = 0; v < NV; v++)
                            wv[j][v] = VLOAD(pw + j * T->wcs + ic * 16 + v * VW);
                    for (p = 0; p < NPA; p++) {
                        VT b = VSET1(pa[p * XS + ic]);
                        for (j = 0; j < NB; j++)
                            for (v = 0; v < NV; v++)
                                acc[j][p][v] = VFMA(wv[j][v], b, acc[j][p][v]);
                    }
                    for (p = 0; p < NPB; p++) {
                        VT b = VSET1(pb[p * XS + ic]);
                        for (j = 0; j < NB; j++)
                            for (v = 0; v < NV; v++)
                                acc[j][NPA + p][v] = VFMA(wv[j][v], b, acc[j][NPA + p][v]);
                    }
                }
            }
    /* epilogue: the output transform, store, then the tile's sum and M2 per channel */
    for (j = 0; j < NB; j++)
        for (v = 0; v < NV; v++) {
            VT sum = VZERO(), m2 = VZERO(), mean;
            if (T->ep) {
                VT sc = T->oss ? VLOAD(T->oss + j * 16 + v * VW) : VSET1(1.0f);
                VT sh = T->oss ? VLOAD(T->oss + T->ohalf + j * 16 + v * VW) : VZERO();
                for (p = 0; p < NPA + NPB; p++) {
                    VT a = VFMA(acc[j][p][v], sc, sh);
                    if (T->ra)
                        a = VADD(a, VLOAD((p < NPA ? T->ra + p * 16 : T->rb + (p - NPA) * 16) + j * T->ycs + v * VW));
                    if (T->oact)
                        a = VMAX(a, VZERO());
                    if (T->oact == GSC_ACT_RELU6)
                        a = VMIN(a, VSET1(6.0f));
                    acc[j][p][v] = a;
                }
            }
            for (p = 0; p < NPA; p++)
                VSTORE(T->ya + j * T->ycs + p * 16 + v * VW, acc[j][p][v]);
            for (p = 0; p < NPB; p++)
                VSTORE(T->yb + j * T->ycs + p * 16 + v * VW, acc[j][NPA + p][v]);
            if (!T->ssum)
                continue;
            for (p = 0; p < NPA + NPB; p++)
                sum = VADD(sum, acc[j][p][v]);
            mean = VMUL(sum, VSET1(1.0f / (float)(NPA + NPB)));
            for (p = 0; p < NPA + NPB; p++) {
                VT d = VSUB(acc[j][p][v], mean);
                m2 = VFMA(d, d, m2);
            }
            VSTORE(T->ssum + j * 16 + v * VW, sum);
            VSTORE(T->sm2 + j * 16 + v * VW, m2);
        }
}

/* Instances: (NPA, NPB) in {(TNP,0), (7,7) pair, (7|4|2|1, 0)} x NB in
 * {TNB, 1} x XS in {16, 32, 6 (3-channel stride-2 stem), runtime}. */
#define GF_XS_CASES(NB, NPA, NPB)                                  \
    switch (xs) {                                                  \
    case 16: tile_kernel(T, NB, NPA, NPB, 16); return;             \
    case 32: tile_kernel(T, NB, NPA, NPB, 32); return;             \
    case 6: tile_kernel(T, NB, NPA, NPB, 6); return;               \
    default: tile_kernel(T, NB, NPA, NPB, xs); return;             \
    }
#if TNP == 14
#define GF_NP_CASES(NB)                                            \
    if (npb == 7 && npa == 7) { GF_XS_CASES(NB, 7, 7) }            \
    if (npa == 14) { GF_XS_CASES(NB, 14, 0) }                      \
    if (npa == 7) { GF_XS_CASES(NB, 7, 0) }                        \
    if (npa == 4) { GF_XS_CASES(NB, 4, 0) }                        \
    if (npa == 2) { GF_XS_CASES(NB, 2, 0) }                        \
    GF_XS_CASES(NB, 1, 0)
#elif TNP == 6
#define GF_NP_CASES(NB)                                            \
    if (npa == 6) { GF_XS_CASES(NB, 6, 0) }                        \
    if (npa == 4) { GF_XS_CASES(NB, 4, 0) }                        \
    if (npa == 2) { GF_XS_CASES(NB, 2, 0) }                        \
    GF_XS_CASES(NB, 1, 0)
#else
#define GF_NP_CASES(NB)                                            \
    if (npa == 4) { GF_XS_CASES(NB, 4, 0) }                        \
    if (npa == 2) { GF_XS_CASES(NB, 2, 0) }                        \
    GF_XS_CASES(NB, 1, 0)
#endif

/* ------------------------------------------------------- depthwise conv
 * Each channel is its own group: on blocked data the 16 lanes of a block are
 * 16 independent channels, so a tap is one vector FMA per pixel (weights
 * [k][k][16] per block), DWP pixels at a time so that a tap's weight vector
 * is loaded once for all of them. */
#define DWP (NV >= 16 ? 2 : 8 / NV)

/* NP output pixels (s*16 floats apart in the input) of one channel block:
 * the taps (ky, kx) in [ky0, ky1) x [kx0, kx1), tap (ky, kx) of pixel 0 at
 * x + off + ky*rstep + kx*cstep (off may be negative when the window starts
 * in the padding: only the taps inside are read). */
GF_INLINE void dw_tile(const float *x, ptrdiff_t off, ptrdiff_t rstep, ptrdiff_t cstep, int s, const float *wb,
                       int kw, int ky0, int ky1, int kx0, int kx1, const float *bias, float *yr, const int NP)
{
    VT acc[DWP][NV];
    int p, v, ky, kx;
    for (p = 0; p < NP; p++)
        for (v = 0; v < NV; v++)
            acc[p][v] = VLOAD(bias + v * VW);
    for (ky = ky0; ky < ky1; ky++)
        for (kx = kx0; kx < kx1; kx++) {
            const float *xr = x + (off + ky * rstep + kx * cstep);
            VT wv[NV];
            for (v = 0; v < NV; v++)
                wv[v] = VLOAD(wb + (ky * kw + kx) * 16 + v * VW);
            for (p = 0; p < NP; p++)
                for (v = 0; v < NV; v++)
                    acc[p][v] = VFMA(wv[v], VLOAD(xr + (size_t)p * s * 16 + v * VW), acc[p][v]);
        }
    for (p = 0; p < NP; p++)
        for (v = 0; v < NV; v++)
            VSTORE(yr + p * 16 + v * VW, acc[p][v]);
}

/* One output row of a block, then the output transform O (NULL: none).
 * The input rows [ky0, ky1) of the window exist; row 0 of the window starts
 * at x + roff. pad: the input is the padded copy (every tap exists, left
 * padding included), else the blocked input itself, whose columns outside
 * [0, w) are skipped (the padding's zeros contribute nothing). */
static void dw_row(const ConvPlan *P, const float *x, ptrdiff_t roff, ptrdiff_t rstep, int ky0, int ky1, int pad,
                   const float *wb, const float *bias, const OutT *O, int cb, const float *res, float *yr)
{
    int ox = 0, s = P->sw, kw = P->kw, left = pad ? 0 : P->left, w = pad ? P->wp : P->w;
    int span = (kw - 1) * P->dil_w + 1; /* columns a window covers */
    ptrdiff_t cstep = (ptrdiff_t)P->dil_w * 16;
    /* pixels whose whole window is inside columns [0, w): ox in [lo, hi) */
    int lo = (left + s - 1) / s, hi = w + left - span < 0 ? 0 : (w + left - span) / s + 1;
    hi = hi < P->ow ? hi : P->ow;
    while (ox < P->ow) {
        int ix0 = ox * s - left, kx0 = 0, kx1 = kw;
        if (ox >= lo && ox + DWP <= hi) {
            dw_tile(x, roff + (ptrdiff_t)ix0 * 16, rstep, cstep, s, wb, kw, ky0, ky1, 0, kw, bias, yr + ox * 16, DWP);
            ox += DWP;
            continue;
        }
        if (ox < lo || ox >= hi) { /* the direct input (dilation 1 then): the columns inside only */
            kx0 = ix0 < 0 ? -ix0 : 0;
            kx1 = w - ix0 < kw ? w - ix0 : kw;
        }
        dw_tile(x, roff + (ptrdiff_t)ix0 * 16, rstep, cstep, s, wb, kw, ky0, ky1, kx0, kx1, bias, yr + ox * 16, 1);
        ox++;
    }
    if (O)
        out_transform(O, cb, GSC_FAST_CPAD(P->cout), P->cout - cb * 16, res, yr, P->ow);
}

/* Depthwise over the padded copy xp (pad) or the blocked input x itself. */
static void conv_depthwise(const ConvPlan *P, const float *xp, int pad, const float *packed, const OutT *O, float *y)
{
    int t, nt = P->ncb_out * P->oh;
    size_t bf = (size_t)P->kh * P->kw * 16;
    const float *bias = packed + (size_t)P->ncb_out * bf;
    int h = pad ? P->hp : P->h, w = pad ? P->wp : P->w, top = pad ? 0 : P->top;
    ptrdiff_t rstep = (ptrdiff_t)P->dil_h * w * 16;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (t = 0; t < nt; t++) {
        int cb = t / P->oh, oy = t % P->oh, iy0 = oy * P->sh - top, ky0 = 0, ky1 = P->kh;
        float *yr = y + ((size_t)cb * P->oh + oy) * P->ow * 16;
        while (ky0 < ky1 && iy0 + ky0 * P->dil_h < 0)
            ky0++;
        while (ky1 > ky0 && iy0 + (ky1 - 1) * P->dil_h >= h)
            ky1--;
        dw_row(P, xp, ((ptrdiff_t)cb * h + iy0) * w * 16, rstep, ky0, ky1, pad, packed + cb * bf, bias + cb * 16, O,
               cb, O && O->res ? O->res + (yr - y) : NULL, yr);
    }
}

static void run_tile(const Tile *T, int nb, int npa, int npb, int xs)
{
    (void)npb;
#if TNB > 1
    if (nb == TNB) {
        GF_NP_CASES(TNB)
    }
#endif
    (void)nb;
    GF_NP_CASES(1)
}

/* gsc_fast_conv2d, then the output transform O (NULL: none) per tile as it
 * is stored. */
static void conv2d_run(const GscFastConv *g, const float *x, const float *packed, const float *in_ss, int flags,
                       const OutT *O, float *y, float *moments, void *ws)
{
    ConvPlan P;
    const float *xp;
    float *stats, *ssum, *sm2;
    int t, cpo, xs, nwork, cin = g->cin, cout = g->cout;
    size_t ohw, wcs;
    conv_plan(&P, g);
    if (P.dw && !in_ss && !flags && P.dil_w == 1) { /* depthwise on the blocked input as it is: no padded copy */
        conv_depthwise(&P, x, 0, packed, O, y);
        if (moments)
            gsc_fast_moments(y, cout, P.oh, P.ow, moments);
        return;
    }
    if (conv_direct(&P, in_ss, flags)) {
        xp = x;
    } else {
        conv_pad_copy(&P, x, in_ss, flags, (float *)ws);
        xp = (const float *)ws;
    }
    if (P.dw) {
        conv_depthwise(&P, xp, 1, packed, O, y);
        if (moments)
            gsc_fast_moments(y, cout, P.oh, P.ow, moments);
        return;
    }
    stats = (float *)((char *)ws + pad_bytes(&P));
    cpo = GSC_FAST_CPAD(cout);
    ssum = stats;
    sm2 = stats + stat_floats(&P);
    ohw = (size_t)P.oh * P.ow;
    wcs = packed_block_floats(cin, cout, P.kh, P.kw, P.groups);
    xs = P.sw * P.lanes;
    nwork = P.ngroups * P.ntiles;

#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (t = 0; t < nwork; t++) {
        int grp = t / P.ntiles, tile = t % P.ntiles;
        int ob = grp * P.tnb, nb = P.ncb_out - ob < P.tnb ? P.ncb_out - ob : P.tnb;
        size_t xoff = P.groups > 1 ? (size_t)group_first(&P, ob) * P.hp * P.wp * P.lanes : 0;
        int oya, oxa = 0, npa = 0, oyb, npb;
        Tile T;
        if (P.pair) {
            oya = 2 * tile; oxa = 0; npa = P.ow;
            oyb = oya + 1; npb = oyb < P.oh ? P.ow : 0;
        } else {
            row_pieces(P.ow, tile % P.pieces, &oxa, &npa);
            oya = tile / P.pieces;
            oyb = oya; npb = 0;
        }
        T.xcs = (size_t)P.hp * P.wp * P.lanes;
        T.wrow = P.wp * P.lanes;
        T.lanes = P.lanes;
        T.ncb = P.nib;
        T.kh = P.kh;
        T.kw = P.kw;
        T.rstep = (size_t)P.dil_h * T.wrow;
        T.dxs = P.dil_w * P.lanes;
        T.xa = xp + xoff + ((size_t)oya * P.sh * P.wp + (size_t)oxa * P.sw) * P.lanes;
        T.xb = xp + xoff + ((size_t)(oyb < P.oh ? oyb : oya) * P.sh * P.wp) * P.lanes;
        T.wt = packed + (size_t)ob * wcs;
        T.wcs = wcs;
        T.bias = packed + (size_t)P.ncb_out * wcs + ob * 16;
        T.ycs = ohw * 16;
        T.ya = y + (size_t)ob * T.ycs + ((size_t)oya * P.ow + oxa) * 16;
        T.yb = y + (size_t)ob * T.ycs + ((size_t)(oyb < P.oh ? oyb : oya) * P.ow) * 16;
        T.ssum = moments ? ssum + (size_t)tile * cpo + ob * 16 : NULL;
        T.sm2 = moments ? sm2 + (size_t)tile * cpo + ob * 16 : NULL;
        T.ep = O && (!O->act || O->act == GSC_ACT_RELU || O->act == GSC_ACT_RELU6);
        T.oact = O ? O->act : 0;
        T.oss = O && O->ss ? O->ss + ob * 16 : NULL;
        T.ohalf = (size_t)cpo;
        T.ra = O && O->res ? O->res + (T.ya - y) : NULL;
        T.rb = O && O->res ? O->res + (T.yb - y) : NULL;
        run_tile(&T, nb, npa, npb, xs);
        for (int j = 0; O && !T.ep && j < nb; j++) {
            float *ya = T.ya + j * T.ycs, *yb = T.yb + j * T.ycs;
            out_transform(O, ob + j, cpo, cout - (ob + j) * 16, O->res ? O->res + (ya - y) : NULL, ya, npa);
            if (npb)
                out_transform(O, ob + j, cpo, cout - (ob + j) * 16, O->res ? O->res + (yb - y) : NULL, yb, npb);
        }
    }

    if (moments) {
        /* Chan's merge in double, per channel block (16 lanes, vectorisable):
         * mean = sum/N, M2 = sum_t M2_t + n_t (sum_t/n_t - mean)^2 */
        int cb;
        double n = (double)ohw;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
        for (cb = 0; cb < P.ncb_out; cb++) {
            double s[16], m2[16], mean[16];
            int tl, l, x0 = 0, nt = 0;
            for (l = 0; l < 16; l++)
                s[l] = m2[l] = 0.0;
            for (tl = 0; tl < P.ntiles; tl++)
                for (l = 0; l < 16; l++)
                    s[l] += ssum[(size_t)tl * cpo + cb * 16 + l];
            for (l = 0; l < 16; l++)
                mean[l] = s[l] / n;
            for (tl = 0; tl < P.ntiles; tl++) {
                double rn;
                if (P.pair)
                    nt = (2 * tl + 1 < P.oh ? 2 : 1) * P.ow;
                else
                    row_pieces(P.ow, tl % P.pieces, &x0, &nt);
                rn = 1.0 / nt;
                for (l = 0; l < 16; l++) {
                    double d = ssum[(size_t)tl * cpo + cb * 16 + l] * rn - mean[l];
                    m2[l] += sm2[(size_t)tl * cpo + cb * 16 + l] + nt * d * d;
                }
            }
            for (l = 0; l < 16; l++) {
                moments[cb * 16 + l] = (float)mean[l];
                moments[cpo + cb * 16 + l] = (float)(m2[l] > 0.0 ? m2[l] / n : 0.0);
            }
        }
    }
}

void gsc_fast_conv2d(const GscFastConv *g, const float *x, const float *packed, const float *in_ss, int flags,
                     float *y, float *moments, void *ws)
{
    conv2d_run(g, x, packed, in_ss, flags, NULL, y, moments, ws);
}

void gsc_fast_conv2d_out(const GscFastConv *g, const float *x, const float *packed, const float *in_ss, int flags,
                         const float *out_ss, const float *res, int out_act, float *y, void *ws)
{
    OutT O = {out_ss, res, out_act & GSC_ACT_MASK};
    conv2d_run(g, x, packed, in_ss, flags, out_ss || res || O.act ? &O : NULL, y, NULL, ws);
}

/* ------------------------------------------------------ conv_transpose2d
 * A transposed convolution is one matrix product and a scatter: the 1x1
 * convolution above (its packed weights, tiles, threads and fused input
 * transform) maps the input [cin, h, w] to the columns [T*cpad(cout), h, w],
 * T = kh*kw taps, tap t's output channels in blocks t*cblk(cout) .. (each
 * tap padded to whole blocks so that a tap's columns are whole vectors);
 * then every output row gathers, per tap, the input row that lands on it
 * (gsc_convt_source) and adds those columns, 16 lanes at a time, onto the
 * bias. With stride = k and no padding (the k=2, stride=2 upsampling of
 * segmentation heads) each output cell receives exactly one column. */
typedef struct {
    int kh, kw, sh, sw, top, left, bottom, right, dh, dw, oh, ow;
} ConvtPlan;

static ConvtPlan convt_plan(const GscFastConv *g, int oph, int opw)
{
    ConvtPlan P;
    P.kh = g->k;
    P.sh = g->stride;
    P.top = g->pad;
    P.kw = g->axes ? g->kw : g->k;
    P.sw = g->axes ? g->sw : g->stride;
    P.left = g->axes ? g->left : g->pad;
    P.bottom = g->axes ? g->bottom : g->pad;
    P.right = g->axes ? g->right : g->pad;
    P.dh = g->axes && g->dh > 1 ? g->dh : 1;
    P.dw = g->axes && g->dw > 1 ? g->dw : 1;
    P.oh = gsc_convt_out_size(g->h, P.kh, P.dh, P.sh, P.top, P.bottom, oph);
    P.ow = gsc_convt_out_size(g->w, P.kw, P.dw, P.sw, P.left, P.right, opw);
    return P;
}

/* The 1x1 convolution that computes the columns. */
static GscFastConv convt_columns(const GscFastConv *g)
{
    int taps = g->k * (g->axes ? g->kw : g->k);
    GscFastConv c = {.cin = g->cin, .h = g->h, .w = g->w, .cout = taps * GSC_FAST_CPAD(g->cout), .k = 1, .stride = 1};
    return c;
}

int64_t gsc_fast_conv_transpose_packed_floats(int cin, int cout, int kh, int kw)
{
    return gsc_fast_conv_packed_floats_hw(cin, kh * kw * GSC_FAST_CPAD(cout), 1, 1, 1) + GSC_FAST_CPAD(cout);
}

/* The 1x1 packing ([ob][ib][L ic][16 oc], L = min(cin, 16), its bias 0)
 * of the filters W'[t*cpad(cout) + co][ci] = wt[ci, co, ky, kx], t = ky*kw
 * + kx, zero for the padding channels; then the bias [cpad(cout)]. */
void gsc_fast_conv_transpose_prepare(const float *wt, const float *bias, int cin, int cout, int kh, int kw,
                                     float *packed)
{
    int cb = GSC_FAST_CBLK(cout), L = cin < 16 ? cin : 16, nib = GSC_FAST_CBLK(cin);
    int t, ob, ib, i, o;
    size_t bf = (size_t)nib * L * 16;
    int64_t cols = gsc_fast_conv_packed_floats_hw(cin, kh * kw * GSC_FAST_CPAD(cout), 1, 1, 1);
    for (t = 0; t < kh * kw; t++)
        for (ob = 0; ob < cb; ob++)
            for (ib = 0; ib < nib; ib++)
                for (i = 0; i < L; i++)
                    for (o = 0; o < 16; o++) {
                        int co = ob * 16 + o, ci = ib * L + i;
                        packed[(size_t)(t * cb + ob) * bf + ((size_t)ib * L + i) * 16 + o] =
                            co < cout && ci < cin ? wt[((size_t)ci * cout + co) * kh * kw + t] : 0.0f;
                    }
    for (o = 0; o < kh * kw * 16 * cb; o++) /* the 1x1 convolution's bias: none */
        packed[(size_t)kh * kw * cb * bf + o] = 0.0f;
    for (o = 0; o < 16 * cb; o++)
        packed[cols + o] = o < cout && bias ? bias[o] : 0.0f;
}

size_t gsc_fast_conv_transpose_workspace_bytes(const GscFastConv *g)
{
    GscFastConv c = convt_columns(g);
    return round64(GSC_FAST_ACT_FLOATS(c.cout, g->h, g->w) * sizeof(float)) + gsc_fast_conv_workspace_bytes(&c);
}

/* o[0..16) += c[0..16) */
GF_INLINE void add16(float *o, const float *c)
{
    int j;
    for (j = 0; j < NV; j++)
        VSTORE(o + j * VW, VADD(VLOAD(o + j * VW), VLOAD(c + j * VW)));
}

void gsc_fast_conv_transpose2d(const GscFastConv *g, int oph, int opw, const float *x, const float *packed,
                               const float *in_ss, int flags, float *y, void *ws)
{
    ConvtPlan P = convt_plan(g, oph, opw);
    GscFastConv c = convt_columns(g);
    float *cols = (float *)ws;
    const float *bias = packed + gsc_fast_conv_packed_floats_hw(c.cin, c.cout, 1, 1, 1);
    int cb = GSC_FAST_CBLK(g->cout), h = g->h, w = g->w, r;
    size_t tap = (size_t)cb * h * w * 16; /* floats of one tap's columns */
    gsc_fast_conv2d(&c, x, packed, in_ss, flags, cols, NULL,
                    (char *)ws + round64(GSC_FAST_ACT_FLOATS(c.cout, h, w) * sizeof(float)));
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (r = 0; r < cb * P.oh; r++) {
        int ob = r / P.oh, oy = r % P.oh, ky, kx, ox, ix;
        float *yr = y + (size_t)r * P.ow * 16;
        for (ox = 0; ox < P.ow; ox++)
            memcpy(yr + (size_t)ox * 16, bias + ob * 16, 16 * sizeof(float));
        for (ky = 0; ky < P.kh; ky++) {
            int iy = gsc_convt_source(oy, ky, P.dh, P.sh, P.top, h);
            if (iy < 0)
                continue;
            for (kx = 0; kx < P.kw; kx++) {
                const float *cr = cols + (size_t)(ky * P.kw + kx) * tap + (((size_t)ob * h + iy) * w) * 16;
                for (ix = 0; ix < w; ix++) {
                    ox = ix * P.sw - P.left + kx * P.dw;
                    if (ox >= 0 && ox < P.ow)
                        add16(yr + (size_t)ox * 16, cr + (size_t)ix * 16);
                }
            }
        }
    }
}

/* ------------------------------------------------------------- batchnorm */

void gsc_fast_moments(const float *x, int c, int h, int w, float *moments)
{
    int cb, ncb = GSC_FAST_CBLK(c), cpo = GSC_FAST_CPAD(c);
    size_t hw = (size_t)h * w;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (cb = 0; cb < ncb; cb++) {
        const float *xb = x + (size_t)cb * 16 * hw;
        double s[16], m2[16], mean[16];
        size_t i;
        int l;
        for (l = 0; l < 16; l++)
            s[l] = m2[l] = 0.0;
        for (i = 0; i < hw; i++)
            for (l = 0; l < 16; l++)
                s[l] += xb[i * 16 + l];
        for (l = 0; l < 16; l++)
            mean[l] = hw ? s[l] / (double)hw : 0.0;
        for (i = 0; i < hw; i++)
            for (l = 0; l < 16; l++) {
                double d = xb[i * 16 + l] - mean[l];
                m2[l] += d * d;
            }
        for (l = 0; l < 16; l++) {
            moments[cb * 16 + l] = (float)mean[l];
            moments[cpo + cb * 16 + l] = hw ? (float)(m2[l] / (double)hw) : 0.0f;
        }
    }
}

/* The sum of the 16 lanes of NV vectors, in double. */
static double sum16(const VT *v)
{
    float t[16];
    double s = 0.0;
    int i;
    for (i = 0; i < NV; i++)
        VSTORE(t + i * VW, v[i]);
    for (i = 0; i < 16; i++)
        s += t[i];
    return s;
}

void gsc_fast_layernorm(const float *x, int c, int h, int w, const float *gamma, const float *beta, float eps,
                        float *y)
{
    int ncb = GSC_FAST_CBLK(c), last = c - (ncb - 1) * 16, l;
    int64_t hw = (int64_t)h * w, p;
    float gl[16], bl[16], mask[16]; /* the last block's gamma, beta and valid lanes, zero padded */
    for (l = 0; l < 16; l++) {
        gl[l] = l < last ? gamma[(ncb - 1) * 16 + l] : 0.0f;
        bl[l] = l < last ? beta[(ncb - 1) * 16 + l] : 0.0f;
        mask[l] = l < last ? 1.0f : 0.0f;
    }
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (hw * c >= 65536)
#endif
    for (p = 0; p < hw; p++) {
        VT acc[NV], vm, vi;
        int cb, v;
        float mean;
        for (v = 0; v < NV; v++)
            acc[v] = VZERO();
        for (cb = 0; cb < ncb; cb++) /* padding lanes hold 0 */
            for (v = 0; v < NV; v++)
                acc[v] = VADD(acc[v], VLOAD(x + ((size_t)cb * hw + p) * 16 + v * VW));
        mean = (float)(sum16(acc) / c);
        vm = VSET1(mean);
        for (v = 0; v < NV; v++)
            acc[v] = VZERO();
        for (cb = 0; cb < ncb; cb++)
            for (v = 0; v < NV; v++) {
                VT d = VSUB(VLOAD(x + ((size_t)cb * hw + p) * 16 + v * VW), vm);
                if (cb == ncb - 1)
                    d = VMUL(d, VLOAD(mask + v * VW));
                acc[v] = VFMA(d, d, acc[v]);
            }
        vi = VSET1((float)(1.0 / sqrt(sum16(acc) / c + (double)eps)));
        for (cb = 0; cb < ncb; cb++) {
            const float *g = cb == ncb - 1 ? gl : gamma + cb * 16, *b = cb == ncb - 1 ? bl : beta + cb * 16;
            float *o = y + ((size_t)cb * hw + p) * 16;
            for (v = 0; v < NV; v++)
                VSTORE(o + v * VW, VFMA(VMUL(VSUB(VLOAD(x + ((size_t)cb * hw + p) * 16 + v * VW), vm), vi),
                                        VLOAD(g + v * VW), VLOAD(b + v * VW)));
        }
    }
}

void gsc_fast_bn_fold(const float *moments, const float *gamma,
                      const float *beta, int c, float *ss)
{
    int ch, cpo = GSC_FAST_CPAD(c);
    for (ch = 0; ch < cpo; ch++) {
        if (ch < c) {
            /* A channel with no spread (one position, or all values equal)
             * normalises to 0 and gives beta exactly. Folded, x*sc + (beta -
             * mean*sc) with sc = gamma*1000 would round x*sc and mean*sc
             * apart and leave ~1e-4 of noise: scale 0 keeps it exact. */
            double var = moments[cpo + ch] > 0.0f ? moments[cpo + ch] : 0.0;
            double sc = var > 0.0 ? gamma[ch] / sqrt(var + GSC_BN_EPS) : 0.0;
            ss[ch] = (float)sc;
            ss[cpo + ch] = (float)(beta[ch] - moments[ch] * sc);
        } else {
            ss[ch] = 0.0f;
            ss[cpo + ch] = 0.0f;
        }
    }
}

void gsc_fast_bn_eval_fold(const float *gamma, const float *beta, const float *mean, const float *var, int c,
                           float eps, float *ss)
{
    int ch, cpo = GSC_FAST_CPAD(c);
    for (ch = 0; ch < cpo; ch++) {
        double sc = ch < c ? gamma[ch] / sqrt((double)var[ch] + (double)eps) : 0.0;
        ss[ch] = (float)sc;
        ss[cpo + ch] = ch < c ? (float)(beta[ch] - mean[ch] * sc) : 0.0f;
    }
}

void gsc_fast_bn_apply(const float *x, int c, int h, int w, const float *ss,
                       const float *res, const float *res_ss, int flags,
                       float *y)
{
    int act = flags & GSC_ACT_MASK;
    int t, ncb = GSC_FAST_CBLK(c), cpo = GSC_FAST_CPAD(c);
    size_t hw = (size_t)h * w;
    int nchunk = 64; /* pixel chunks per block, for thread balance */
    int nt = ncb * nchunk;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (t = 0; t < nt; t++) {
        int cb = t / nchunk, ck = t % nchunk, l;
        size_t i0 = hw * ck / nchunk, i1 = hw * (ck + 1) / nchunk, i;
        float a[16], b[16], ra[16], rb[16];
        const float *xb = x + (size_t)cb * 16 * hw;
        const float *rbk = res ? res + (size_t)cb * 16 * hw : NULL;
        float *yb = y + (size_t)cb * 16 * hw;
        for (l = 0; l < 16; l++) {
            a[l] = ss ? ss[cb * 16 + l] : 1.0f;
            b[l] = ss ? ss[cpo + cb * 16 + l] : 0.0f;
            ra[l] = res_ss ? res_ss[cb * 16 + l] : 1.0f;
            rb[l] = res_ss ? res_ss[cpo + cb * 16 + l] : 0.0f;
        }
        for (i = i0; i < i1; i++) {
            float o[16];
            for (l = 0; l < 16; l++)
                o[l] = xb[i * 16 + l] * a[l] + b[l];
            if (rbk)
                for (l = 0; l < 16; l++)
                    o[l] += rbk[i * 16 + l] * ra[l] + rb[l];
            if (act == GSC_ACT_RELU)
                for (l = 0; l < 16; l++)
                    o[l] = o[l] > 0.0f ? o[l] : 0.0f;
            else if (act)
                act16(o, act, c - cb * 16);
            for (l = 0; l < 16; l++)
                yb[i * 16 + l] = o[l];
        }
    }
}

/* --------------------------------------------------------- elementwise */

void gsc_fast_relu(const float *x, int64_t n, float *y)
{
    int64_t i;
    for (i = 0; i < n; i++)
        y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void gsc_fast_add(const float *a, const float *b, int64_t n, float *y)
{
    int64_t i;
    for (i = 0; i < n; i++)
        y[i] = a[i] + b[i];
}

GF_INLINE VT v_ew(int op, VT a, VT b)
{
    switch (op) {
    case GSC_EW_SUB:
        return VSUB(a, b);
    case GSC_EW_MUL:
        return VMUL(a, b);
    case GSC_EW_MAX:
        return VMAX(a, b);
    case GSC_EW_MIN:
        return VMIN(a, b);
    default:
        return VADD(a, b);
    }
}

/* How an operand of gsc_fast_binary is read: its own shape, y's, a
 * [c, 1, 1] per-channel vector, a scalar, or another broadcast (lanes). */
enum { EW_FULL, EW_CHANNEL, EW_SCALAR, EW_LANES };

static int ew_mode(int ca, int ha, int wa, int c, int h, int w)
{
    if (ca == c && ha == h && wa == w)
        return EW_FULL;
    if (ha == 1 && wa == 1)
        return ca == c ? EW_CHANNEL : EW_SCALAR;
    return EW_LANES;
}

/* the 16 lanes of block cb at pixel (yy, xx) of an operand [ca, ha, wa] */
static void ew_lanes(const float *a, int ca, int ha, int wa, int c, int cb, int yy, int xx, float *o)
{
    int l;
    for (l = 0; l < 16; l++) {
        int ch = cb * 16 + l, chs = ca == 1 ? 0 : ch;
        o[l] = ch >= c ? 0.0f
                       : a[(((size_t)(chs / 16) * ha + (ha == 1 ? 0 : yy)) * wa + (wa == 1 ? 0 : xx)) * 16 + chs % 16];
    }
}

void gsc_fast_binary(const float *a, int ca, int ha, int wa, const float *b, int cb, int hb, int wb, int c, int h,
                     int w, int flags, float *y)
{
    int op = flags & GSC_EW_MASK, ncb = GSC_FAST_CBLK(c), t, nt = ncb * h;
    int ma = ew_mode(ca, ha, wa, c, h, w), mb = ew_mode(cb, hb, wb, c, h, w);
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (t = 0; t < nt; t++) {
        int blk = t / h, yy = t % h, xx, v, l;
        size_t row = ((size_t)blk * h + yy) * w * 16;
        float ta[16], tb[16];
        for (xx = 0; xx < w; xx++) {
            const float *pa, *pb;
            float *po = y + row + (size_t)xx * 16;
            pa = ma == EW_FULL ? a + row + (size_t)xx * 16 : ma == EW_CHANNEL ? a + (size_t)blk * 16 : ta;
            pb = mb == EW_FULL ? b + row + (size_t)xx * 16 : mb == EW_CHANNEL ? b + (size_t)blk * 16 : tb;
            if (ma == EW_LANES)
                ew_lanes(a, ca, ha, wa, c, blk, yy, xx, ta);
            if (mb == EW_LANES)
                ew_lanes(b, cb, hb, wb, c, blk, yy, xx, tb);
            for (v = 0; v < NV; v++) {
                VT va = ma == EW_SCALAR ? VSET1(a[0]) : VLOAD(pa + v * VW);
                VT vb = mb == EW_SCALAR ? VSET1(b[0]) : VLOAD(pb + v * VW);
                VSTORE(po + v * VW, v_ew(op, va, vb));
            }
            if (blk == ncb - 1)
                for (l = c - blk * 16; l < 16; l++)
                    po[l] = 0.0f;
        }
    }
}

void gsc_fast_gather_channels(const float *x, int c, int h, int w, int start, int groups, int cout, float *y)
{
    int ncbo = GSC_FAST_CBLK(cout), ob;
    size_t hw = (size_t)h * w;
    (void)c;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (ob = 0; ob < ncbo; ob++) {
        float *yb = y + (size_t)ob * 16 * hw;
        int src[16], l;
        size_t i;
        for (l = 0; l < 16; l++) {
            int o = ob * 16 + l;
            src[l] = o >= cout ? -1 : start + (groups > 1 ? (o % groups) * (cout / groups) + o / groups : o);
        }
        if (groups == 1 && start % 16 == 0 && ob * 16 + 16 <= cout) { /* a whole block */
            memcpy(yb, x + (size_t)(src[0] / 16) * 16 * hw, sizeof(float) * 16 * hw);
            continue;
        }
        for (i = 0; i < hw; i++)
            for (l = 0; l < 16; l++)
                yb[i * 16 + l] = src[l] < 0 ? 0.0f : x[((size_t)(src[l] / 16) * hw + i) * 16 + src[l] % 16];
    }
}

/* Channels [at, at + c) of y from x. Whole aligned blocks are copied as
 * they are; otherwise lane by lane. The call that writes y's last channel
 * also zeroes y's padding lanes. */
void gsc_fast_copy_channels(const float *x, int c, int h, int w, float *y,
                            int cy, int at)
{
    size_t hw = (size_t)h * w;
    int ch;
    if (at % 16 == 0 && (c % 16 == 0 || at + c == cy)) {
        memcpy(y + (size_t)(at / 16) * 16 * hw, x,
               (size_t)GSC_FAST_CBLK(c) * 16 * hw * sizeof(float));
        return; /* x's padding lanes are zeros: so are y's */
    }
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (ch = 0; ch < c; ch++) {
        const float *xb = x + (size_t)(ch / 16) * 16 * hw + ch % 16;
        float *yb = y + (size_t)((at + ch) / 16) * 16 * hw + (at + ch) % 16;
        size_t i;
        for (i = 0; i < hw; i++)
            yb[i * 16] = xb[i * 16];
    }
    if (at + c == cy)
        zero_padding_lanes(y, cy, hw);
}

/* ---------------------------------------------------------------- pools */

/* Window ranges are clipped to the image first (padded cells are excluded,
 * so they are simply not visited); the first visited cell initialises the
 * max, a strict > keeps the first of equal values; an empty window gives 0. */
/* A pool's window per axis, from its geometry (axes = 0: square). */
typedef struct {
    int kh, kw, sh, sw, top, left, bottom, right, oh, ow;
} PoolAxes;

static PoolAxes pool_axes(const GscFastPool *g)
{
    PoolAxes a;
    a.kh = g->k; a.sh = g->stride; a.top = g->pad;
    a.kw = g->axes ? g->kw : g->k;
    a.sw = g->axes ? g->sw : g->stride;
    a.left = g->axes ? g->left : g->pad;
    a.bottom = g->axes ? g->bottom : g->pad;
    a.right = g->axes ? g->right : g->pad;
    a.oh = gsc_axis_out_size(g->h, a.kh, 1, a.sh, a.top, a.bottom, g->ceil);
    a.ow = gsc_axis_out_size(g->w, a.kw, 1, a.sw, a.left, a.right, g->ceil);
    return a;
}

void gsc_fast_maxpool2d(const GscFastPool *g, const float *x,
                        const float *in_ss, int flags, float *y)
{
    PoolAxes A = pool_axes(g);
    int c = g->c, h = g->h, w = g->w;
    int act = flags & GSC_ACT_MASK; /* monotonic: act(max) = max(act) */
    int oh = A.oh, ow = A.ow;
    int ncb = GSC_FAST_CBLK(c), cpo = GSC_FAST_CPAD(c), t, nt = ncb * oh;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (t = 0; t < nt; t++) {
        int cb = t / oh, oy = t % oh, ox, iy, ix, l;
        int iy0 = oy * A.sh - A.top, iy1 = iy0 + A.kh;
        const float *xb = x + (size_t)cb * 16 * h * w;
        float a[16], b[16];
        if (iy0 < 0) iy0 = 0;
        if (iy1 > h) iy1 = h;
        for (l = 0; l < 16; l++) {
            a[l] = in_ss ? in_ss[cb * 16 + l] : 1.0f;
            b[l] = in_ss ? in_ss[cpo + cb * 16 + l] : 0.0f;
        }
        for (ox = 0; ox < ow; ox++) {
            int ix0 = ox * A.sw - A.left, ix1 = ix0 + A.kw, v;
            float *yo = y + (((size_t)cb * oh + oy) * ow + ox) * 16;
            if (ix0 < 0) ix0 = 0;
            if (ix1 > w) ix1 = w;
            for (v = 0; v < NV; v++) {
                VT best = VZERO();
                if (iy0 < iy1 && ix0 < ix1) {
                    VT va = VLOAD(a + v * VW), vb = VLOAD(b + v * VW);
                    best = VFMA(VLOAD(xb + ((size_t)iy0 * w + ix0) * 16 + v * VW), va, vb);
                    for (iy = iy0; iy < iy1; iy++)
                        for (ix = ix0; ix < ix1; ix++)
                            best = VMAX(best, VFMA(VLOAD(xb + ((size_t)iy * w + ix) * 16 + v * VW), va, vb));
                    if (act)
                        best = v_act(best, act);
                }
                VSTORE(yo + v * VW, best);
            }
            if (act && act != GSC_ACT_RELU && cb == ncb - 1)
                for (l = c - cb * 16; l < 16; l++)
                    yo[l] = 0.0f;
        }
    }
}

/* The divisor is the window's cells (gsc_pool_divisor): k*k, as float, for
 * the square geometries, computed per window for the others. */
void gsc_fast_avgpool2d(const GscFastPool *g, const float *x, float *y)
{
    PoolAxes A = pool_axes(g);
    int c = g->c, h = g->h, w = g->w;
    int oh = A.oh, ow = A.ow;
    int ncb = GSC_FAST_CBLK(c), t, nt = ncb * oh;
    float inv = 1.0f / ((float)A.kh * (float)A.kw);
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (t = 0; t < nt; t++) {
        int cb = t / oh, oy = t % oh, ox, iy, ix, l;
        int wy0 = oy * A.sh - A.top, iy0 = wy0, iy1 = iy0 + A.kh;
        const float *xb = x + (size_t)cb * 16 * h * w;
        if (iy0 < 0) iy0 = 0;
        if (iy1 > h) iy1 = h;
        for (ox = 0; ox < ow; ox++) {
            int wx0 = ox * A.sw - A.left, ix0 = wx0, ix1 = ix0 + A.kw;
            float s[16], r = inv;
            if (g->ceil || g->no_pad_count)
                r = (float)(1.0 / gsc_pool_divisor(wy0, wx0, A.kh, A.kw, h, w, h + A.bottom, w + A.right,
                                                   !g->no_pad_count));
            if (ix0 < 0) ix0 = 0;
            if (ix1 > w) ix1 = w;
            for (l = 0; l < 16; l++)
                s[l] = 0.0f;
            for (iy = iy0; iy < iy1; iy++)
                for (ix = ix0; ix < ix1; ix++) {
                    const float *px = xb + ((size_t)iy * w + ix) * 16;
                    for (l = 0; l < 16; l++)
                        s[l] += px[l];
                }
            for (l = 0; l < 16; l++)
                y[(((size_t)cb * oh + oy) * ow + ox) * 16 + l] = s[l] * r;
        }
    }
}

/* One task per channel block and output row; each output cell sums its
 * window NV vectors at a time. The padding lanes of x are 0, so are y's. */
void gsc_fast_adaptive_avgpool2d(const float *x, int c, int h, int w, int oh, int ow, float *y)
{
    int ncb = GSC_FAST_CBLK(c), t, nt = ncb * oh;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (t = 0; t < nt; t++) {
        int cb = t / oh, oy = t % oh, ox, iy, ix, v, y0, y1;
        const float *xb = x + (size_t)cb * 16 * h * w;
        gsc_adaptive_window(oy, h, oh, &y0, &y1);
        for (ox = 0; ox < ow; ox++) {
            int x0, x1;
            float *yo = y + (((size_t)cb * oh + oy) * ow + ox) * 16;
            VT n;
            gsc_adaptive_window(ox, w, ow, &x0, &x1);
            n = VSET1((float)(y1 - y0) * (float)(x1 - x0));
            for (v = 0; v < NV; v++) {
                VT s = VZERO();
                for (iy = y0; iy < y1; iy++)
                    for (ix = x0; ix < x1; ix++)
                        s = VADD(s, VLOAD(xb + ((size_t)iy * w + ix) * 16 + v * VW));
                VSTORE(yo + v * VW, VDIV(s, n));
            }
        }
    }
}

void gsc_fast_upsample_nearest(const float *x, int c, int h, int w, int sh, int sw, float *y)
{
    int ncb = GSC_FAST_CBLK(c), oh = h * sh, ow = w * sw, t, nt = ncb * oh;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (t = 0; t < nt; t++) {
        int cb = t / oh, oy = t % oh, ix, kx, v;
        const float *xr = x + ((size_t)cb * h + oy / sh) * w * 16;
        float *yr = y + ((size_t)cb * oh + oy) * ow * 16;
        for (ix = 0; ix < w; ix++)
            for (v = 0; v < NV; v++) {
                VT a = VLOAD(xr + (size_t)ix * 16 + v * VW);
                for (kx = 0; kx < sw; kx++)
                    VSTORE(yr + ((size_t)ix * sw + kx) * 16 + v * VW, a);
            }
    }
}

/* The padding lanes of x are 0, so are y's. */
void gsc_fast_upsample_bilinear(const float *x, int c, int h, int w, int sh, int sw, int align_corners, float *y)
{
    int ncb = GSC_FAST_CBLK(c), oh = h * sh, ow = w * sw, t, nt = ncb * oh;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (t = 0; t < nt; t++) {
        int cb = t / oh, oy = t % oh, ox, v, y0, y1;
        float ly = gsc_bilinear_taps(oy, h, sh, align_corners, &y0, &y1);
        const float *r0 = x + ((size_t)cb * h + y0) * w * 16, *r1 = x + ((size_t)cb * h + y1) * w * 16;
        float *yr = y + ((size_t)cb * oh + oy) * ow * 16;
        VT a0 = VSET1(1.0f - ly), a1 = VSET1(ly);
        for (ox = 0; ox < ow; ox++) {
            int x0, x1;
            float lx = gsc_bilinear_taps(ox, w, sw, align_corners, &x0, &x1);
            VT b0 = VSET1(1.0f - lx), b1 = VSET1(lx);
            for (v = 0; v < NV; v++) {
                size_t o0 = (size_t)x0 * 16 + v * VW, o1 = (size_t)x1 * 16 + v * VW;
                VT top = VFMA(VLOAD(r0 + o1), b1, VMUL(VLOAD(r0 + o0), b0));
                VT bot = VFMA(VLOAD(r1 + o1), b1, VMUL(VLOAD(r1 + o0), b0));
                VSTORE(yr + (size_t)ox * 16 + v * VW, VFMA(bot, a1, VMUL(top, a0)));
            }
        }
    }
}

void gsc_fast_global_avgpool(const float *x, int c, int h, int w, float *y)
{
    int cb, ncb = GSC_FAST_CBLK(c);
    size_t hw = (size_t)h * w;
    for (cb = 0; cb < ncb; cb++) {
        double s[16];
        size_t i;
        int l;
        for (l = 0; l < 16; l++)
            s[l] = 0.0;
        for (i = 0; i < hw; i++)
            for (l = 0; l < 16; l++)
                s[l] += x[((size_t)cb * hw + i) * 16 + l];
        for (l = 0; l < 16 && cb * 16 + l < c; l++)
            y[cb * 16 + l] = hw ? (float)(s[l] / (double)hw) : 0.0f;
    }
}

/* ---------------------------------------------------------------- linear */

int64_t gsc_fast_linear_packed_floats(int in, int out)
{
    return (int64_t)GSC_FAST_CBLK(out) * in * 16 + GSC_FAST_CPAD(out);
}

void gsc_fast_linear_prepare(const float *wt, const float *bias, int in,
                             int out, float *packed)
{
    int ob, i, l, nob = GSC_FAST_CBLK(out);
    for (ob = 0; ob < nob; ob++)
        for (i = 0; i < in; i++)
            for (l = 0; l < 16; l++) {
                int o = ob * 16 + l;
                packed[((size_t)ob * in + i) * 16 + l] =
                    o < out ? wt[(size_t)o * in + i] : 0.0f;
            }
    for (l = 0; l < 16 * nob; l++)
        packed[(size_t)nob * in * 16 + l] = l < out ? bias[l] : 0.0f;
}

/* Output blocks of 16 in parallel; 4 partial sums per lane hide FMA latency. */
void gsc_fast_linear(const float *x, int in, const float *packed, int out,
                     float *y)
{
    int ob, nob = GSC_FAST_CBLK(out);
    const float *bias = packed + (size_t)nob * in * 16;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (ob = 0; ob < nob; ob++) {
        const float *wb = packed + (size_t)ob * in * 16;
        float acc[4][16];
        int i, l, q;
        for (q = 0; q < 4; q++)
            for (l = 0; l < 16; l++)
                acc[q][l] = 0.0f;
        for (i = 0; i + 4 <= in; i += 4)
            for (q = 0; q < 4; q++)
                for (l = 0; l < 16; l++)
                    acc[q][l] += wb[(size_t)(i + q) * 16 + l] * x[i + q];
        for (; i < in; i++)
            for (l = 0; l < 16; l++)
                acc[0][l] += wb[(size_t)i * 16 + l] * x[i];
        for (l = 0; l < 16 && ob * 16 + l < out; l++)
            y[ob * 16 + l] = (acc[0][l] + acc[1][l]) + (acc[2][l] + acc[3][l]) + bias[ob * 16 + l];
    }
}
