/*
 * eval.c - the reference interpreter: the oracle.
 *
 * Requires: a specialised Graph (spec.c). Runs it on one input with plain
 * loops that follow docs/semantics.md line by line, accumulating in
 * double. Nothing clever: no fusion, no layout changes, no reuse of memory
 * beyond freeing a value after its last use. The generated C and every
 * optimisation are tested against this file, so it must stay obviously right.
 *
 * Values are held in double. With float32 precision (the language's
 * semantics) every result is rounded to float as it is stored, which gives
 * bit for bit what float storage gives; with float64 nothing is rounded, so
 * comparing the two measures how much float32 rounding moves a model's
 * output (how ill-conditioned it is at this input and these weights).
 *
 * The gradient mode (eval_grad) runs the forward keeping every value, the
 * loss, then the backward that grad.c lays out: one backward rule per
 * operation, written from the definitions (no fused shortcuts), each adding
 * into the gradients of its operands and parameters. Gradients are held in
 * double too; in float32 mode a value's gradient is rounded to float when it
 * is complete, like any stored result. The rules are tested against central
 * finite differences in float64 (tests/unit/test_grad.c).
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "gsc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Operands and result of one operation. */
typedef struct {
    const GNode *n;
    const double *const *in; /* operand data */
    const Shape *const *ins; /* operand shapes */
    const Shape *os;        /* result shape */
    double *out;
    const double *w, *b;    /* parameters, or NULL */
    bool f64;               /* keep double results (else round to float) */
    const double *mean, *var; /* batchnorm_eval's running statistics */
} Step;

/* Stores result i: rounded to float32 unless evaluating in float64. */
static void put(const Step *st, int64_t i, double v)
{
    st->out[i] = st->f64 ? v : (double)(float)v;
}

/* Input cell (c, y, x) with zero padding outside. */
static double at_padded(const double *x, const Shape *s, int64_t c, int64_t y, int64_t xx)
{
    if (y < 0 || xx < 0 || y >= s->n[1] || xx >= s->n[2])
        return 0.0;
    return x[(c * s->n[1] + y) * s->n[2] + xx];
}

static void eval_CONV2D(const Step *st)
{
    const Shape *is = st->ins[0], *os = st->os;
    int64_t ng = st->n->a[CONV2D_groups], cig = is->n[0] / ng, cog = os->n[0] / ng;
    Win g = win_of(st->n);
    for (int64_t co = 0; co < os->n[0]; co++)
        for (int64_t oy = 0; oy < os->n[1]; oy++)
            for (int64_t ox = 0; ox < os->n[2]; ox++) {
                double acc = 0.0;
                for (int64_t ci = 0; ci < cig; ci++)
                    for (int64_t ky = 0; ky < g.kh; ky++)
                        for (int64_t kx = 0; kx < g.kw; kx++)
                            acc += at_padded(st->in[0], is, co / cog * cig + ci, oy * g.sh + ky * g.dh - g.top,
                                             ox * g.sw + kx * g.dw - g.left) *
                                   st->w[((co * cig + ci) * g.kh + ky) * g.kw + kx];
                put(st, (co * os->n[1] + oy) * os->n[2] + ox, acc + (st->b ? st->b[co] : 0.0));
            }
}

/* The input cell (iy or ix) that tap k of a transposed convolution sends
 * to output cell o: (o + lo - k*d) / s when exact and inside, else -1. */
static int64_t convt_source(int64_t o, int64_t k, int64_t d, int64_t s, int64_t lo, int64_t in)
{
    int64_t t = o + lo - k * d;
    return t < 0 || t % s || t / s >= in ? -1 : t / s;
}

/* y[co, oy, ox] = b[co] + sum over (ci, ky, kx) of x[ci, iy, ix] * w[ci, co, ky, kx]
 * where oy = iy*sh - top + ky*dh, ox likewise (PyTorch's ConvTranspose2d). */
static void eval_CONV_TRANSPOSE2D(const Step *st)
{
    const Shape *is = st->ins[0], *os = st->os;
    int64_t cin = is->n[0], cout = os->n[0];
    Win g = win_of(st->n);
    for (int64_t co = 0; co < cout; co++)
        for (int64_t oy = 0; oy < os->n[1]; oy++)
            for (int64_t ox = 0; ox < os->n[2]; ox++) {
                double acc = 0.0;
                for (int64_t ci = 0; ci < cin; ci++)
                    for (int64_t ky = 0; ky < g.kh; ky++) {
                        int64_t iy = convt_source(oy, ky, g.dh, g.sh, g.top, is->n[1]);
                        for (int64_t kx = 0; kx < g.kw && iy >= 0; kx++) {
                            int64_t ix = convt_source(ox, kx, g.dw, g.sw, g.left, is->n[2]);
                            if (ix >= 0)
                                acc += st->in[0][(ci * is->n[1] + iy) * is->n[2] + ix] *
                                       st->w[((ci * cout + co) * g.kh + ky) * g.kw + kx];
                        }
                    }
                put(st, (co * os->n[1] + oy) * os->n[2] + ox, acc + (st->b ? st->b[co] : 0.0));
            }
}

/* Train-time batch normalisation: statistics of this input, per channel. */
static void eval_BATCHNORM(const Step *st)
{
    const Shape *s = st->os;
    int64_t hw = s->n[1] * s->n[2];
    for (int64_t c = 0; c < s->n[0]; c++) {
        const double *x = st->in[0] + c * hw;
        double sum = 0.0, sq = 0.0;
        for (int64_t i = 0; i < hw; i++)
            sum += x[i];
        double mean = sum / (double)hw;
        for (int64_t i = 0; i < hw; i++)
            sq += (x[i] - mean) * (x[i] - mean);
        double var = sq / (double)hw;
        if (var < 0)
            var = 0;
        double inv = 1.0 / sqrt(var + GSC_BN_EPS);
        for (int64_t i = 0; i < hw; i++)
            put(st, c * hw + i, (x[i] - mean) * inv * st->w[c] + st->b[c]);
    }
}

/* Inference-form batch normalisation: the running statistics, per channel:
 * (x - mean) / sqrt(var + eps) * gamma + beta. */
static void eval_BATCHNORM_EVAL(const Step *st)
{
    const Shape *s = st->os;
    int64_t hw = s->n[1] * s->n[2];
    for (int64_t c = 0; c < s->n[0]; c++) {
        double inv = 1.0 / sqrt(st->var[c] + st->n->r[BATCHNORM_EVAL_eps]);
        for (int64_t i = 0; i < hw; i++)
            put(st, c * hw + i, (st->in[0][c * hw + i] - st->mean[c]) * inv * st->w[c] + st->b[c]);
    }
}

/* Positions and channels of a layernorm's operand: [c, h, w] is c channels
 * at h*w positions, a vector [c] one position. */
static int64_t ln_positions(const Shape *s)
{
    return s->rank == 3 ? s->n[1] * s->n[2] : 1;
}

/* Mean and 1 / sqrt(biased variance + eps) over the c channels of position
 * p (x[ch * hw + p]): two passes, as PyTorch's LayerNorm. */
static void ln_stats(const double *x, int64_t c, int64_t hw, int64_t p, double eps, double *mean, double *inv)
{
    double sum = 0.0, sq = 0.0;
    for (int64_t ch = 0; ch < c; ch++)
        sum += x[ch * hw + p];
    *mean = sum / (double)c;
    for (int64_t ch = 0; ch < c; ch++)
        sq += (x[ch * hw + p] - *mean) * (x[ch * hw + p] - *mean);
    *inv = 1.0 / sqrt(sq / (double)c + eps);
}

/* Layer normalisation over the channels at each position:
 * (x - mean) / sqrt(var + eps) * gamma + beta. */
static void eval_LAYERNORM(const Step *st)
{
    int64_t c = st->os->n[0], hw = ln_positions(st->os);
    for (int64_t p = 0; p < hw; p++) {
        double mean, inv;
        ln_stats(st->in[0], c, hw, p, st->n->r[LAYERNORM_eps], &mean, &inv);
        for (int64_t ch = 0; ch < c; ch++)
            put(st, ch * hw + p, (st->in[0][ch * hw + p] - mean) * inv * st->w[ch] + st->b[ch]);
    }
}

/* param: the value is the layer's tensor */
static void eval_PARAM(const Step *st)
{
    for (int64_t i = 0; i < shape_count(st->os); i++)
        put(st, i, st->w[i]);
}

static void eval_LINEAR(const Step *st)
{
    int64_t in = st->ins[0]->n[0], out = st->os->n[0];
    for (int64_t o = 0; o < out; o++) {
        double acc = 0.0;
        for (int64_t i = 0; i < in; i++)
            acc += st->w[o * in + i] * st->in[0][i];
        put(st, o, acc + st->b[o]);
    }
}

static void eval_RELU(const Step *st)
{
    int64_t n = shape_count(st->os);
    for (int64_t i = 0; i < n; i++)
        st->out[i] = st->in[0][i] > 0 ? st->in[0][i] : 0.0;
}

/* The index in x of the maximum of the in-bounds cells of output (c, oy,
 * ox)'s window: the first in row-major window order among equal values; -1
 * for a window with no in-bounds cell. The forward and the backward of
 * max-pool both ask here, so they agree on ties. */
static int64_t window_argmax(const double *x, const Shape *is, const GNode *n, int64_t c, int64_t oy, int64_t ox)
{
    Win g = win_of(n);
    int64_t arg = -1;
    for (int64_t ky = 0; ky < g.kh; ky++)
        for (int64_t kx = 0; kx < g.kw; kx++) {
            int64_t y = oy * g.sh + ky * g.dh - g.top, xx = ox * g.sw + kx * g.dw - g.left;
            if (y < 0 || xx < 0 || y >= is->n[1] || xx >= is->n[2])
                continue;
            int64_t i = (c * is->n[1] + y) * is->n[2] + xx;
            if (arg < 0 || x[i] > x[arg])
                arg = i;
        }
    return arg;
}

/* Max over the in-bounds cells of each window; a window with no in-bounds
 * cell gives 0. */
static void eval_MAXPOOL2D(const Step *st)
{
    const Shape *os = st->os;
    for (int64_t c = 0; c < os->n[0]; c++)
        for (int64_t oy = 0; oy < os->n[1]; oy++)
            for (int64_t ox = 0; ox < os->n[2]; ox++) {
                int64_t arg = window_argmax(st->in[0], st->ins[0], st->n, c, oy, ox);
                st->out[(c * os->n[1] + oy) * os->n[2] + ox] = arg >= 0 ? st->in[0][arg] : 0.0;
            }
}

/* What output (oy, ox) of an average pool divides by: gsc_pool_divisor
 * (padding counts with count_pad=1; cells past the padded extent, which a
 * ceil=1 window may reach, never). */
static double avg_divisor(const GNode *n, const Win *g, const Shape *is, int64_t oy, int64_t ox)
{
    return gsc_pool_divisor((int)(oy * g->sh - g->top), (int)(ox * g->sw - g->left), (int)g->kh, (int)g->kw,
                            (int)is->n[1], (int)is->n[2], (int)(is->n[1] + g->bottom), (int)(is->n[2] + g->right),
                            (int)n->a[AVGPOOL2D_count_pad]);
}

/* Sum of the window (padding counts as 0) divided by avg_divisor. */
static void eval_AVGPOOL2D(const Step *st)
{
    const Shape *is = st->ins[0], *os = st->os;
    Win g = win_of(st->n);
    for (int64_t c = 0; c < os->n[0]; c++)
        for (int64_t oy = 0; oy < os->n[1]; oy++)
            for (int64_t ox = 0; ox < os->n[2]; ox++) {
                double acc = 0.0;
                for (int64_t ky = 0; ky < g.kh; ky++)
                    for (int64_t kx = 0; kx < g.kw; kx++)
                        acc += at_padded(st->in[0], is, c, oy * g.sh + ky * g.dh - g.top,
                                         ox * g.sw + kx * g.dw - g.left);
                put(st, (c * os->n[1] + oy) * os->n[2] + ox, acc / avg_divisor(st->n, &g, is, oy, ox));
            }
}

/* adaptive_avgpool2d: output o of out along an axis of in averages
 * [floor(o*in/out), ceil((o+1)*in/out)) (check.c, shape_ADAPTIVE_AVGPOOL2D).
 * The window of output cell (oy, ox): rows [w[0], w[1]), columns [w[2],
 * w[3]); the result is its cell count. */
static double adaptive_cell(const Shape *is, const Shape *os, int64_t oy, int64_t ox, int64_t w[4])
{
    w[0] = oy * is->n[1] / os->n[1], w[1] = ((oy + 1) * is->n[1] + os->n[1] - 1) / os->n[1];
    w[2] = ox * is->n[2] / os->n[2], w[3] = ((ox + 1) * is->n[2] + os->n[2] - 1) / os->n[2];
    return (double)((w[1] - w[0]) * (w[3] - w[2]));
}

static void eval_ADAPTIVE_AVGPOOL2D(const Step *st)
{
    const Shape *is = st->ins[0], *os = st->os;
    for (int64_t c = 0; c < os->n[0]; c++)
        for (int64_t oy = 0; oy < os->n[1]; oy++)
            for (int64_t ox = 0; ox < os->n[2]; ox++) {
                int64_t w[4];
                double n = adaptive_cell(is, os, oy, ox, w), acc = 0.0;
                for (int64_t y = w[0]; y < w[1]; y++)
                    for (int64_t x = w[2]; x < w[3]; x++)
                        acc += st->in[0][(c * is->n[1] + y) * is->n[2] + x];
                put(st, (c * os->n[1] + oy) * os->n[2] + ox, acc / n);
            }
}

/* upsample and upsample_bilinear along one axis of in cells, out = in * s:
 * output o reads the cells i[0] and i[1] with weights 1 - l and l, l the
 * result. Nearest: the cell o / s (l = 0). Bilinear: the source coordinate
 * (o + 0.5) / s - 0.5 clamped at 0 (align_corners=0), or o (in - 1) /
 * (out - 1) (align_corners=1; 0 when out = 1); its floor and the next cell,
 * which is the last cell again at the far edge. */
static double up_taps(const GNode *n, int64_t o, int64_t in, int64_t out, int64_t i[2])
{
    if (n->op == OP_UPSAMPLE) {
        i[0] = i[1] = o / (out / in);
        return 0.0;
    }
    double src = n->a[UPSAMPLE_BILINEAR_align_corners]
                     ? (out > 1 ? (double)o * (double)(in - 1) / (double)(out - 1) : 0.0)
                     : fmax(((double)o + 0.5) * (double)in / (double)out - 0.5, 0.0);
    i[0] = (int64_t)src < in - 1 ? (int64_t)src : in - 1;
    i[1] = i[0] + (i[0] < in - 1);
    return src - (double)i[0];
}

/* The four taps of output (oy, ox) of channel c: offsets into the input
 * (rows iy, columns ix) and their weights, nearest's (1, 0, 0, 0). */
static void up_cell(const GNode *n, const Shape *is, const Shape *os, int64_t c, int64_t oy, int64_t ox,
                    int64_t at[4], double wt[4])
{
    int64_t iy[2], ix[2];
    double ly = up_taps(n, oy, is->n[1], os->n[1], iy), lx = up_taps(n, ox, is->n[2], os->n[2], ix);
    for (int k = 0; k < 4; k++) {
        at[k] = (c * is->n[1] + iy[k / 2]) * is->n[2] + ix[k % 2];
        wt[k] = (k / 2 ? ly : 1.0 - ly) * (k % 2 ? lx : 1.0 - lx);
    }
}

static void eval_upsample(const Step *st)
{
    const Shape *is = st->ins[0], *os = st->os;
    for (int64_t c = 0; c < os->n[0]; c++)
        for (int64_t oy = 0; oy < os->n[1]; oy++)
            for (int64_t ox = 0; ox < os->n[2]; ox++) {
                int64_t at[4];
                double wt[4], acc = 0.0;
                up_cell(st->n, is, os, c, oy, ox, at, wt);
                for (int k = 0; k < 4; k++)
                    acc += wt[k] * st->in[0][at[k]];
                put(st, (c * os->n[1] + oy) * os->n[2] + ox, acc);
            }
}
#define eval_UPSAMPLE eval_upsample
#define eval_UPSAMPLE_BILINEAR eval_upsample

static void eval_GLOBAL_AVGPOOL(const Step *st)
{
    const Shape *is = st->ins[0];
    int64_t hw = is->n[1] * is->n[2];
    for (int64_t c = 0; c < is->n[0]; c++) {
        double acc = 0.0;
        for (int64_t i = 0; i < hw; i++)
            acc += st->in[0][c * hw + i];
        put(st, c, acc / (double)hw);
    }
}

/* ---- elementwise binary operations with broadcasting (check.c's
 * rule_broadcast): the element of operand s that result element i reads. A
 * dimension of size 1 is broadcast; a scalar [1] is read everywhere. */
static int64_t bcast_at(const Shape *s, const Shape *os, int64_t i)
{
    if (s->rank != os->rank)
        return 0;
    int64_t at = 0, stride = 1;
    for (int k = os->rank - 1; k >= 0; k--) {
        int64_t coord = i % os->n[k];
        i /= os->n[k];
        if (s->n[k] != 1)
            at += coord * stride;
        stride *= s->n[k];
    }
    return at;
}

static void eval_binary(const Step *st, OpKind op)
{
    int64_t n = shape_count(st->os);
    for (int64_t i = 0; i < n; i++) {
        double a = st->in[0][bcast_at(st->ins[0], st->os, i)], b = st->in[1][bcast_at(st->ins[1], st->os, i)];
        put(st, i,
            op == OP_ADD     ? a + b
            : op == OP_SUB   ? a - b
            : op == OP_MUL   ? a * b
            : op == OP_MAXIMUM ? (a > b ? a : b)
                             : (a < b ? a : b));
    }
}

static void eval_ADD(const Step *st)
{
    eval_binary(st, OP_ADD);
}
static void eval_MUL(const Step *st)
{
    eval_binary(st, OP_MUL);
}
static void eval_SUB(const Step *st)
{
    eval_binary(st, OP_SUB);
}
static void eval_MAXIMUM(const Step *st)
{
    eval_binary(st, OP_MAXIMUM);
}
static void eval_MINIMUM(const Step *st)
{
    eval_binary(st, OP_MINIMUM);
}

/* Joins along the first dimension: the operands one after the other. */
static void eval_CONCAT(const Step *st)
{
    double *o = st->out;
    for (int i = 0; i < st->n->nin; i++) {
        int64_t n = shape_count(st->ins[i]);
        memcpy(o, st->in[i], sizeof(double) * (size_t)n);
        o += n;
    }
}

static void eval_FLATTEN(const Step *st)
{
    memcpy(st->out, st->in[0], sizeof(double) * (size_t)shape_count(st->os));
}

static void eval_IDENTITY(const Step *st)
{
    memcpy(st->out, st->in[0], sizeof(double) * (size_t)shape_count(st->os));
}

/* Output channel o reads input channel gather_src(n, c, o): narrow's
 * start + o; channel_shuffle's (o % g) * (c / g) + o / g, the transpose of
 * [g, c / g] (PyTorch's view, transpose(1, 2), reshape). */
static int64_t gather_src(const GNode *n, int64_t c, int64_t o)
{
    if (n->op == OP_NARROW)
        return n->a[NARROW_start] + o;
    int64_t g = n->a[CHANNEL_SHUFFLE_groups];
    return (o % g) * (c / g) + o / g;
}

static void eval_gather(const Step *st)
{
    int64_t hw = shape_count(st->os) / st->os->n[0];
    for (int64_t o = 0; o < st->os->n[0]; o++)
        memcpy(st->out + o * hw, st->in[0] + gather_src(st->n, st->ins[0]->n[0], o) * hw, sizeof(double) * (size_t)hw);
}

static void eval_NARROW(const Step *st)
{
    eval_gather(st);
}

static void eval_CHANNEL_SHUFFLE(const Step *st)
{
    eval_gather(st);
}

static void eval_SOFTMAX(const Step *st)
{
    int64_t n = st->os->n[0];
    double mx = -INFINITY, sum = 0.0;
    for (int64_t i = 0; i < n; i++)
        if (st->in[0][i] > mx)
            mx = st->in[0][i];
    for (int64_t i = 0; i < n; i++)
        sum += exp(st->in[0][i] - mx);
    for (int64_t i = 0; i < n; i++)
        put(st, i, exp(st->in[0][i] - mx) / sum);
}

/* ---- the activations (docs/semantics.md), each with its derivative as
 * PyTorch 1.13's backward defines it (0 at relu6's and hardsigmoid's kinks;
 * hardswish's x/3 + 1/2 on [-3, 3]) */
static double clamp6(double x)
{
    return x < 0.0 ? 0.0 : x > 6.0 ? 6.0 : x;
}
static double sigmoid(double x)
{
    return 1.0 / (1.0 + exp(-x));
}
static const double GELU_K = 0.79788456080286535588; /* sqrt(2 / pi) */
static double f_RELU6(double x) { return clamp6(x); }
static double d_RELU6(double x) { return x <= 0.0 || x >= 6.0 ? 0.0 : 1.0; }
static double f_SIGMOID(double x) { return sigmoid(x); }
static double d_SIGMOID(double x) { return sigmoid(x) * (1.0 - sigmoid(x)); }
static double f_TANH(double x) { return tanh(x); }
static double d_TANH(double x) { return 1.0 - tanh(x) * tanh(x); }
static double f_SILU(double x) { return x * sigmoid(x); }
static double d_SILU(double x) { return sigmoid(x) * (1.0 + x * (1.0 - sigmoid(x))); }
/* x Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2 = erfc(-x / sqrt 2) / 2 */
static double f_GELU(double x) { return x * 0.5 * erfc(-x / sqrt(2.0)); }
static double d_GELU(double x) { return 0.5 * erfc(-x / sqrt(2.0)) + x * exp(-0.5 * x * x) * 0.39894228040143267794 /* 1 / sqrt(2 pi) */; }
static double f_GELU_TANH(double x) { return 0.5 * x * (1.0 + tanh(GELU_K * (x + 0.044715 * x * x * x))); }
static double d_GELU_TANH(double x)
{
    double t = tanh(GELU_K * (x + 0.044715 * x * x * x));
    return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * GELU_K * (1.0 + 3.0 * 0.044715 * x * x);
}
static double f_HARDSWISH(double x) { return x * clamp6(x + 3.0) / 6.0; }
static double d_HARDSWISH(double x) { return x < -3.0 ? 0.0 : x <= 3.0 ? x / 3.0 + 0.5 : 1.0; }
static double f_HARDSIGMOID(double x) { return clamp6(x + 3.0) / 6.0; }
static double d_HARDSIGMOID(double x) { return x > -3.0 && x < 3.0 ? 1.0 / 6.0 : 0.0; }

static void eval_elementwise(const Step *st, double (*f)(double))
{
    int64_t n = shape_count(st->os);
    for (int64_t i = 0; i < n; i++)
        put(st, i, f(st->in[0][i]));
}
#define ACTIVATION(ID) \
    static void eval_##ID(const Step *st) { eval_elementwise(st, f_##ID); }
ACTIVATION(RELU6)
ACTIVATION(SIGMOID)
ACTIVATION(TANH)
ACTIVATION(SILU)
ACTIVATION(GELU)
ACTIVATION(GELU_TANH)
ACTIVATION(HARDSWISH)
ACTIVATION(HARDSIGMOID)
#undef ACTIVATION

/* the activations with real arguments: torch.clamp(x, min, max) and
 * F.leaky_relu(x, alpha) */
static void eval_CLIP(const Step *st)
{
    int64_t n = shape_count(st->os);
    double lo = st->n->r[CLIP_min], hi = st->n->r[CLIP_max];
    for (int64_t i = 0; i < n; i++)
        put(st, i, fmin(fmax(st->in[0][i], lo), hi));
}

static void eval_LEAKY_RELU(const Step *st)
{
    int64_t n = shape_count(st->os);
    for (int64_t i = 0; i < n; i++)
        put(st, i, st->in[0][i] > 0.0 ? st->in[0][i] : st->n->r[LEAKY_RELU_alpha] * st->in[0][i]);
}

typedef void (*EvalFn)(const Step *);
static const EvalFn eval_fns[OP__COUNT] = {
#define X(id, name, mi, ma, np, sig) [OP_##id] = eval_##id,
#include "ops.h"
#undef X
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Fills params with the seed's deterministic initialiser: uniform weights
 * seeded with the tensor's ABI index, biases 0, BN gamma 1. */
void init_params(const Graph *g, float *params)
{
    for (int i = 0; i < g->ntensors; i++) {
        const Tensor *t = &g->tensors[i];
        float *p = params + t->offset;
        switch (t->init) {
        case INIT_UNIFORM:
            gsc_init_uniform(p, t->count, (uint32_t)i);
            break;
        case INIT_UNIFORM_FAN:
            gsc_init_uniform_bound(p, t->count, (uint32_t)i, t->fill);
            break;
        case INIT_ZERO:
            gsc_init_fill(p, t->count, 0.0f);
            break;
        case INIT_ONE:
            gsc_init_fill(p, t->count, 1.0f);
            break;
        case INIT_FILL:
            gsc_init_fill(p, t->count, (float)t->fill);
            break;
        }
    }
}

/* The forward pass: every value's data (freed after its last use unless
 * keep), indexed by value. */
static double **forward(const Graph *g, const double *params, const double *input, bool f64, bool keep, bool progress)
{
    double **data = xcalloc((size_t)g->nvalues, sizeof(double *));
    int *left = xcalloc((size_t)g->nvalues, sizeof(int));
    for (int i = 0; i < g->nnodes; i++)
        for (int k = 0; k < g->nodes[i].nin; k++)
            left[g->nodes[i].in[k]]++;
    int64_t nin = shape_count(&g->values[g->input].shape);
    data[g->input] = xmalloc(sizeof(double) * (size_t)(nin + 1));
    memcpy(data[g->input], input, sizeof(double) * (size_t)nin);
    double t0 = now(), last = t0;
    for (int i = 0; i < g->nnodes; i++) {
        const GNode *n = &g->nodes[i];
        const double **in = xcalloc((size_t)n->nin, sizeof *in); /* [nin]: concat takes any number */
        const Shape **ins = xcalloc((size_t)n->nin, sizeof *ins);
        for (int k = 0; k < n->nin; k++) {
            in[k] = data[n->in[k]];
            ins[k] = &g->values[n->in[k]].shape;
        }
        const Shape *os = &g->values[n->out].shape;
        Step st = {n, in, ins, os, xmalloc(sizeof(double) * (size_t)(shape_count(os) + 1)), NULL, NULL, f64, NULL, NULL};
        if (n->param >= 0) {
            int bi = gnode_bias(n);
            st.w = params + g->tensors[n->param].offset;
            st.b = bi >= 0 ? params + g->tensors[bi].offset : NULL;
        }
        if (op_info[n->op].nparams == 4) {
            st.mean = params + g->tensors[n->param + 2].offset;
            st.var = params + g->tensors[n->param + 3].offset;
        }
        eval_fns[n->op](&st);
        free(in);
        free(ins);
        data[n->out] = st.out;
        for (int k = 0; k < n->nin && !keep; k++)
            if (--left[n->in[k]] == 0 && n->in[k] != g->input && n->in[k] != g->output) {
                free(data[n->in[k]]);
                data[n->in[k]] = NULL;
            }
        if (progress && now() - last > 0.2) {
            last = now();
            fprintf(stderr, "\r\033[Kgsc: eval %d/%d %s", i + 1, g->nnodes, n->name);
        }
    }
    if (progress)
        fprintf(stderr, "\r\033[Kgsc: eval %d operations in %.3f s\n", g->nnodes, now() - t0);
    free(left);
    return data;
}

static void free_values(const Graph *g, double **data)
{
    for (int v = 0; v < g->nvalues; v++)
        free(data[v]);
    free(data);
}

static double *to_double(const float *x, int64_t n)
{
    double *d = xmalloc(sizeof(double) * (size_t)(n + 1));
    for (int64_t i = 0; i < n; i++)
        d[i] = x[i];
    return d;
}

float *eval_graph(const Graph *g, const float *params, const float *input, bool f64, bool progress)
{
    double *p = to_double(params, g->nparams), *x = to_double(input, shape_count(&g->values[g->input].shape));
    double **data = forward(g, p, x, f64, false, progress);
    int64_t nout = shape_count(&g->values[g->output].shape);
    float *out = xmalloc(sizeof(float) * (size_t)(nout + 1));
    for (int64_t i = 0; i < nout; i++)
        out[i] = (float)data[g->output][i];
    free_values(g, data);
    free(p);
    free(x);
    return out;
}

/* ------------------------------------------------------------ the backward pass */

/* One operation's backward: its forward operands and result, the gradient
 * of its result, and where to add the gradients of its operands (NULL: not
 * needed) and parameters. */
typedef struct {
    const GNode *n;
    const double *const *in;
    const Shape *const *ins;
    const double *out;
    const Shape *os;
    const double *dout;
    double **din;
    const double *w, *b;
    double *dw, *db;
    const double *mean, *var; /* batchnorm_eval's running statistics */
} BStep;

static void grad_CONV2D(const BStep *st)
{
    const Shape *is = st->ins[0], *os = st->os;
    int64_t h = is->n[1], w = is->n[2];
    int64_t ng = st->n->a[CONV2D_groups], cig = is->n[0] / ng, cog = os->n[0] / ng;
    Win g = win_of(st->n);
    double *dx = st->din[0];
    for (int64_t co = 0; co < os->n[0]; co++)
        for (int64_t oy = 0; oy < os->n[1]; oy++)
            for (int64_t ox = 0; ox < os->n[2]; ox++) {
                double gr = st->dout[(co * os->n[1] + oy) * os->n[2] + ox];
                if (st->db)
                    st->db[co] += gr;
                for (int64_t ci = 0; ci < cig; ci++)
                    for (int64_t ky = 0; ky < g.kh; ky++)
                        for (int64_t kx = 0; kx < g.kw; kx++) {
                            int64_t y = oy * g.sh + ky * g.dh - g.top, x = ox * g.sw + kx * g.dw - g.left;
                            if (y < 0 || x < 0 || y >= h || x >= w)
                                continue;
                            int64_t wi = ((co * cig + ci) * g.kh + ky) * g.kw + kx;
                            int64_t xi = ((co / cog * cig + ci) * h + y) * w + x;
                            st->dw[wi] += gr * st->in[0][xi];
                            if (dx)
                                dx[xi] += gr * st->w[wi];
                        }
            }
}

/* The forward's terms read backwards: each x[ci, iy, ix] * w[ci, co, ky, kx]
 * that reached y[co, oy, ox] gives dx += dy * w, dw += dy * x; db += dy. */
static void grad_CONV_TRANSPOSE2D(const BStep *st)
{
    const Shape *is = st->ins[0], *os = st->os;
    int64_t cin = is->n[0], cout = os->n[0], h = is->n[1], w = is->n[2];
    Win g = win_of(st->n);
    double *dx = st->din[0];
    for (int64_t i = 0; i < shape_count(os) && st->db; i++)
        st->db[i / (os->n[1] * os->n[2])] += st->dout[i];
    for (int64_t ci = 0; ci < cin; ci++)
        for (int64_t iy = 0; iy < h; iy++)
            for (int64_t ix = 0; ix < w; ix++)
                for (int64_t co = 0; co < cout; co++)
                    for (int64_t ky = 0; ky < g.kh; ky++)
                        for (int64_t kx = 0; kx < g.kw; kx++) {
                            int64_t oy = iy * g.sh - g.top + ky * g.dh, ox = ix * g.sw - g.left + kx * g.dw;
                            if (oy < 0 || ox < 0 || oy >= os->n[1] || ox >= os->n[2])
                                continue;
                            double gr = st->dout[(co * os->n[1] + oy) * os->n[2] + ox];
                            int64_t wi = ((ci * cout + co) * g.kh + ky) * g.kw + kx, xi = (ci * h + iy) * w + ix;
                            st->dw[wi] += gr * st->in[0][xi];
                            if (dx)
                                dx[xi] += gr * st->w[wi];
                        }
}

/* y = xhat * gamma + beta with xhat = (x - mean) / sqrt(var + eps) and the
 * statistics of this input: the gradient flows through mean and var too. */
static void grad_BATCHNORM(const BStep *st)
{
    const Shape *s = st->os;
    int64_t hw = s->n[1] * s->n[2];
    for (int64_t c = 0; c < s->n[0]; c++) {
        const double *x = st->in[0] + c * hw, *dy = st->dout + c * hw;
        double mean = 0.0, var = 0.0, sdy = 0.0, sdyx = 0.0;
        for (int64_t i = 0; i < hw; i++)
            mean += x[i];
        mean /= (double)hw;
        for (int64_t i = 0; i < hw; i++)
            var += (x[i] - mean) * (x[i] - mean);
        var /= (double)hw;
        double inv = 1.0 / sqrt(var + GSC_BN_EPS);
        for (int64_t i = 0; i < hw; i++) {
            sdy += dy[i];
            sdyx += dy[i] * (x[i] - mean) * inv;
        }
        st->dw[c] += sdyx;
        st->db[c] += sdy;
        if (!st->din[0])
            continue;
        double *dx = st->din[0] + c * hw;
        for (int64_t i = 0; i < hw; i++)
            dx[i] += st->w[c] * inv / (double)hw * ((double)hw * dy[i] - sdy - (x[i] - mean) * inv * sdyx);
    }
}

/* y = xhat * gamma + beta, xhat = (x - mean) * inv with the statistics of
 * the position: dgamma += dy xhat, dbeta += dy, and with g = dy * gamma,
 * dx = inv * (g - mean(g) - xhat * mean(g xhat)) over the channels. */
static void grad_LAYERNORM(const BStep *st)
{
    int64_t c = st->os->n[0], hw = ln_positions(st->os);
    const double *x = st->in[0], *dy = st->dout;
    for (int64_t p = 0; p < hw; p++) {
        double mean, inv, sg = 0.0, sgx = 0.0;
        ln_stats(x, c, hw, p, st->n->r[LAYERNORM_eps], &mean, &inv);
        for (int64_t ch = 0; ch < c; ch++) {
            double xhat = (x[ch * hw + p] - mean) * inv, g = dy[ch * hw + p] * st->w[ch];
            st->dw[ch] += dy[ch * hw + p] * xhat;
            st->db[ch] += dy[ch * hw + p];
            sg += g;
            sgx += g * xhat;
        }
        for (int64_t ch = 0; ch < c && st->din[0]; ch++) {
            double xhat = (x[ch * hw + p] - mean) * inv, g = dy[ch * hw + p] * st->w[ch];
            st->din[0][ch * hw + p] += inv * (g - sg / (double)c - xhat * sgx / (double)c);
        }
    }
}

static void grad_PARAM(const BStep *st)
{
    for (int64_t i = 0; i < shape_count(st->os); i++)
        st->dw[i] += st->dout[i];
}

/* The running statistics are constants (PyTorch's buffers): no gradient. */
static void grad_BATCHNORM_EVAL(const BStep *st)
{
    const Shape *s = st->os;
    int64_t hw = s->n[1] * s->n[2];
    for (int64_t c = 0; c < s->n[0]; c++) {
        double inv = 1.0 / sqrt(st->var[c] + st->n->r[BATCHNORM_EVAL_eps]);
        const double *x = st->in[0] + c * hw, *dy = st->dout + c * hw;
        double sdy = 0.0, sdyx = 0.0;
        for (int64_t i = 0; i < hw; i++) {
            sdy += dy[i];
            sdyx += dy[i] * (x[i] - st->mean[c]) * inv;
        }
        st->dw[c] += sdyx;
        st->db[c] += sdy;
        for (int64_t i = 0; i < hw && st->din[0]; i++)
            st->din[0][c * hw + i] += dy[i] * st->w[c] * inv;
    }
}

static void grad_LINEAR(const BStep *st)
{
    int64_t in = st->ins[0]->n[0], out = st->os->n[0];
    for (int64_t o = 0; o < out; o++) {
        double g = st->dout[o];
        st->db[o] += g;
        for (int64_t i = 0; i < in; i++) {
            st->dw[o * in + i] += g * st->in[0][i];
            if (st->din[0])
                st->din[0][i] += g * st->w[o * in + i];
        }
    }
}

static void grad_RELU(const BStep *st)
{
    int64_t n = shape_count(st->os);
    for (int64_t i = 0; i < n; i++)
        st->din[0][i] += st->in[0][i] > 0 ? st->dout[i] : 0.0;
}

/* The gradient goes to the cell the forward chose (window_argmax). */
static void grad_MAXPOOL2D(const BStep *st)
{
    const Shape *os = st->os;
    for (int64_t c = 0; c < os->n[0]; c++)
        for (int64_t oy = 0; oy < os->n[1]; oy++)
            for (int64_t ox = 0; ox < os->n[2]; ox++) {
                int64_t arg = window_argmax(st->in[0], st->ins[0], st->n, c, oy, ox);
                if (arg >= 0)
                    st->din[0][arg] += st->dout[(c * os->n[1] + oy) * os->n[2] + ox];
            }
}

static void grad_AVGPOOL2D(const BStep *st)
{
    const Shape *is = st->ins[0], *os = st->os;
    Win g = win_of(st->n);
    for (int64_t c = 0; c < os->n[0]; c++)
        for (int64_t oy = 0; oy < os->n[1]; oy++)
            for (int64_t ox = 0; ox < os->n[2]; ox++) {
                double d = st->dout[(c * os->n[1] + oy) * os->n[2] + ox] / avg_divisor(st->n, &g, is, oy, ox);
                for (int64_t ky = 0; ky < g.kh; ky++)
                    for (int64_t kx = 0; kx < g.kw; kx++) {
                        int64_t y = oy * g.sh + ky * g.dh - g.top, x = ox * g.sw + kx * g.dw - g.left;
                        if (y >= 0 && x >= 0 && y < is->n[1] && x < is->n[2])
                            st->din[0][(c * is->n[1] + y) * is->n[2] + x] += d;
                    }
            }
}

static void grad_ADAPTIVE_AVGPOOL2D(const BStep *st)
{
    const Shape *is = st->ins[0], *os = st->os;
    for (int64_t c = 0; c < os->n[0]; c++)
        for (int64_t oy = 0; oy < os->n[1]; oy++)
            for (int64_t ox = 0; ox < os->n[2]; ox++) {
                int64_t w[4];
                double n = adaptive_cell(is, os, oy, ox, w), d = st->dout[(c * os->n[1] + oy) * os->n[2] + ox] / n;
                for (int64_t y = w[0]; y < w[1]; y++)
                    for (int64_t x = w[2]; x < w[3]; x++)
                        st->din[0][(c * is->n[1] + y) * is->n[2] + x] += d;
            }
}

/* Each output's gradient goes to the cells it read, with the same weights:
 * nearest's sums over each s-by-s block, bilinear's scatter. */
static void grad_upsample(const BStep *st)
{
    const Shape *is = st->ins[0], *os = st->os;
    for (int64_t c = 0; c < os->n[0]; c++)
        for (int64_t oy = 0; oy < os->n[1]; oy++)
            for (int64_t ox = 0; ox < os->n[2]; ox++) {
                int64_t at[4];
                double wt[4], d = st->dout[(c * os->n[1] + oy) * os->n[2] + ox];
                up_cell(st->n, is, os, c, oy, ox, at, wt);
                for (int k = 0; k < 4; k++)
                    st->din[0][at[k]] += wt[k] * d;
            }
}
#define grad_UPSAMPLE grad_upsample
#define grad_UPSAMPLE_BILINEAR grad_upsample

static void grad_GLOBAL_AVGPOOL(const BStep *st)
{
    const Shape *is = st->ins[0];
    int64_t hw = is->n[1] * is->n[2];
    for (int64_t c = 0; c < is->n[0]; c++)
        for (int64_t i = 0; i < hw; i++)
            st->din[0][c * hw + i] += st->dout[c] / (double)hw;
}

/* Each operand gets dy times d y / d operand, summed over its broadcast
 * dimensions; maximum and minimum send it to the operand chosen, half to
 * each on a tie (PyTorch 1.13's rule). */
static void grad_binary(const BStep *st, OpKind op)
{
    int64_t n = shape_count(st->os);
    for (int64_t i = 0; i < n; i++) {
        int64_t ia = bcast_at(st->ins[0], st->os, i), ib = bcast_at(st->ins[1], st->os, i);
        double a = st->in[0][ia], b = st->in[1][ib], g = st->dout[i], ga = g, gb = g;
        if (op == OP_SUB)
            gb = -g;
        else if (op == OP_MUL)
            ga = g * b, gb = g * a;
        else if (op == OP_MAXIMUM || op == OP_MINIMUM) {
            bool a_wins = op == OP_MAXIMUM ? a > b : a < b;
            ga = a == b ? g / 2 : a_wins ? g : 0.0;
            gb = a == b ? g / 2 : a_wins ? 0.0 : g;
        }
        if (st->din[0])
            st->din[0][ia] += ga;
        if (st->din[1])
            st->din[1][ib] += gb;
    }
}

static void grad_ADD(const BStep *st)
{
    grad_binary(st, OP_ADD);
}
static void grad_MUL(const BStep *st)
{
    grad_binary(st, OP_MUL);
}
static void grad_SUB(const BStep *st)
{
    grad_binary(st, OP_SUB);
}
static void grad_MAXIMUM(const BStep *st)
{
    grad_binary(st, OP_MAXIMUM);
}
static void grad_MINIMUM(const BStep *st)
{
    grad_binary(st, OP_MINIMUM);
}

static void grad_CONCAT(const BStep *st)
{
    const double *d = st->dout;
    for (int k = 0; k < st->n->nin; k++) {
        int64_t n = shape_count(st->ins[k]);
        for (int64_t i = 0; i < n && st->din[k]; i++)
            st->din[k][i] += d[i];
        d += n;
    }
}

static void grad_FLATTEN(const BStep *st)
{
    int64_t n = shape_count(st->os);
    for (int64_t i = 0; i < n; i++)
        st->din[0][i] += st->dout[i];
}

static void grad_IDENTITY(const BStep *st)
{
    int64_t n = shape_count(st->os);
    for (int64_t i = 0; i < n; i++)
        st->din[0][i] += st->dout[i];
}

static void grad_gather(const BStep *st)
{
    int64_t hw = shape_count(st->os) / st->os->n[0];
    for (int64_t o = 0; o < st->os->n[0]; o++) {
        double *dx = st->din[0] + gather_src(st->n, st->ins[0]->n[0], o) * hw;
        for (int64_t i = 0; i < hw; i++)
            dx[i] += st->dout[o * hw + i];
    }
}

static void grad_NARROW(const BStep *st)
{
    grad_gather(st);
}

static void grad_CHANNEL_SHUFFLE(const BStep *st)
{
    grad_gather(st);
}

/* dx = y * (dy - sum(dy * y)) */
static void grad_SOFTMAX(const BStep *st)
{
    int64_t n = st->os->n[0];
    double dot = 0.0;
    for (int64_t i = 0; i < n; i++)
        dot += st->dout[i] * st->out[i];
    for (int64_t i = 0; i < n; i++)
        st->din[0][i] += st->out[i] * (st->dout[i] - dot);
}

/* dx += dy * f'(x) */
static void grad_elementwise(const BStep *st, double (*d)(double))
{
    int64_t n = shape_count(st->os);
    for (int64_t i = 0; i < n; i++)
        st->din[0][i] += st->dout[i] * d(st->in[0][i]);
}
#define ACTIVATION(ID) \
    static void grad_##ID(const BStep *st) { grad_elementwise(st, d_##ID); }
ACTIVATION(RELU6)
ACTIVATION(SIGMOID)
ACTIVATION(TANH)
ACTIVATION(SILU)
ACTIVATION(GELU)
ACTIVATION(GELU_TANH)
ACTIVATION(HARDSWISH)
ACTIVATION(HARDSIGMOID)
#undef ACTIVATION

/* clamp_backward: dy where min <= x <= max; leaky_relu: dy for x > 0, else alpha dy */
static void grad_CLIP(const BStep *st)
{
    int64_t n = shape_count(st->os);
    double lo = st->n->r[CLIP_min], hi = st->n->r[CLIP_max];
    for (int64_t i = 0; i < n; i++)
        if (st->in[0][i] >= lo && st->in[0][i] <= hi)
            st->din[0][i] += st->dout[i];
}

static void grad_LEAKY_RELU(const BStep *st)
{
    int64_t n = shape_count(st->os);
    for (int64_t i = 0; i < n; i++)
        st->din[0][i] += st->in[0][i] > 0.0 ? st->dout[i] : st->n->r[LEAKY_RELU_alpha] * st->dout[i];
}

typedef void (*GradFn)(const BStep *);
static const GradFn grad_fns[OP__COUNT] = {
#define X(id, name, mi, ma, np, attrs) [OP_##id] = grad_##id,
#include "ops.h"
#undef X
};

/* The loss of z (the value the loss reads) and its gradient dz. */
static double loss_and_grad(const Grad *gr, const double *z, int64_t n, int64_t label, const double *target,
                            double *dz)
{
    if (gr->loss == LOSS_MSE) {
        double sum = 0.0;
        for (int64_t i = 0; i < n; i++) {
            double d = z[i] - target[i];
            sum += d * d;
            dz[i] = 2.0 * d / (double)n;
        }
        return sum / (double)n;
    }
    double mx = -INFINITY, sum = 0.0;
    for (int64_t i = 0; i < n; i++)
        mx = z[i] > mx ? z[i] : mx;
    for (int64_t i = 0; i < n; i++)
        sum += exp(z[i] - mx);
    for (int64_t i = 0; i < n; i++)
        dz[i] = exp(z[i] - mx) / sum - (i == label ? 1.0 : 0.0);
    return mx + log(sum) - z[label];
}

static void round_all(double *x, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        x[i] = (double)(float)x[i];
}

double eval_grad(const Grad *gr, const double *params, const double *input, int64_t label, const double *target,
                 bool f64, double *dparams, double *dinput)
{
    const Graph *g = gr->g;
    double **data = forward(g, params, input, f64, true, false);
    double **grad = xcalloc((size_t)g->nvalues, sizeof(double *));
    for (int v = 0; v < g->nvalues; v++)
        if (gr->need[v] || v == gr->loss_value)
            grad[v] = xcalloc((size_t)shape_count(&g->values[v].shape) + 1, sizeof(double));
    memset(dparams, 0, sizeof(double) * (size_t)g->nparams);
    int64_t nz = shape_count(&g->values[gr->loss_value].shape);
    double loss = loss_and_grad(gr, data[gr->loss_value], nz, label, target, grad[gr->loss_value]);
    for (int i = 0; i < gr->norder; i++) {
        const GNode *n = &g->nodes[gr->order[i]];
        const double **in = xcalloc((size_t)n->nin, sizeof(double *));
        const Shape **ins = xcalloc((size_t)n->nin, sizeof(Shape *));
        double **din = xcalloc((size_t)n->nin, sizeof(double *));
        for (int k = 0; k < n->nin; k++) {
            in[k] = data[n->in[k]];
            ins[k] = &g->values[n->in[k]].shape;
            din[k] = gr->need[n->in[k]] ? grad[n->in[k]] : NULL;
        }
        if (!f64) /* the gradient of n's result is complete: stored as float */
            round_all(grad[n->out], shape_count(&g->values[n->out].shape));
        BStep st = {n, in, ins, data[n->out], &g->values[n->out].shape, grad[n->out], din, NULL, NULL, NULL, NULL,
                    NULL, NULL};
        if (op_info[n->op].nparams == 4) {
            st.mean = params + g->tensors[n->param + 2].offset;
            st.var = params + g->tensors[n->param + 3].offset;
        }
        if (n->param >= 0) {
            int bi = gnode_bias(n);
            st.w = params + g->tensors[n->param].offset;
            st.b = bi >= 0 ? params + g->tensors[bi].offset : NULL;
            st.dw = dparams + g->tensors[n->param].offset;
            st.db = bi >= 0 ? dparams + g->tensors[bi].offset : NULL;
        }
        grad_fns[n->op](&st);
        free(in);
        free(ins);
        free(din);
    }
    if (!f64)
        round_all(dparams, g->nparams);
    if (dinput) {
        int64_t nin = shape_count(&g->values[g->input].shape);
        if (grad[g->input])
            memcpy(dinput, grad[g->input], sizeof(double) * (size_t)nin);
        else
            memset(dinput, 0, sizeof(double) * (size_t)nin);
        if (!f64)
            round_all(dinput, nin);
    }
    for (int v = 0; v < g->nvalues; v++)
        free(grad[v]);
    free(grad);
    free_values(g, data);
    return f64 ? loss : (double)(float)loss;
}
