/*
 * gsc_kernels.c - reference kernels for the GraphSpec operations.
 *
 * Does: compute each operation exactly as docs/semantics.md defines it, on CHW
 * float32 tensors without a batch dimension, with plain loops. Sums are
 * accumulated in double and rounded to float once, so these kernels are an
 * accurate oracle for the fast kernels that later replace them behind the
 * same calls.
 * Does not: allocate, check sizes (the compiler proved them), or do concat
 * and flatten (the generated code does those with memcpy or not at all).
 * Threads: built with -fopenmp, the elementwise ReLU and add and the pools
 * split their elements (the pools their channels) across OpenMP threads
 * when there are at least EW_THREAD_MIN outputs; each output is computed
 * alone, so the results do not depend on the thread count.
 */
#include <math.h>

#include "gsc_runtime.h"

#include <string.h>

#define EW_THREAD_MIN 65536 /* the fewest outputs split across threads */

/* ---------------------------------------------------------------- conv2d */

/* Each output is the sum over (ci, ky, kx), in that order, of x * w over the
 * cells inside the input (padded cells are zeros), taken in double, plus the
 * bias. The loops run a row of outputs at a time, in chunks of up to
 * CONV_CHUNK, so that the innermost loop is over outputs with no test; the
 * order of the terms of each output stays (ci, ky, kx). */
#define CONV_CHUNK 256

void gsc_conv2d_axes(const float *x, int cin, int h, int w, const float *wt, const float *bias, int cout, int kh,
                     int kw, int sh, int sw, int top, int left, int bottom, int right, int dh, int dw, int groups,
                     float *y)
{
    int oh = gsc_axis_out_size(h, kh, dh, sh, top, bottom, 0);
    int ow = gsc_axis_out_size(w, kw, dw, sw, left, right, 0);
    int co, ci, ky, kx, oy, ox, o0, y0, y1, x0, x1;
    int cig = cin / groups, cog = cout / groups;
    double acc[CONV_CHUNK];
    for (co = 0; co < cout; co++) {
        const float *wo = wt + (ptrdiff_t)co * cig * kh * kw;
        const float *xg = x + (ptrdiff_t)(co / cog) * cig * h * w;
        for (oy = 0; oy < oh; oy++)
            for (o0 = 0; o0 < ow; o0 += CONV_CHUNK) {
                int n = ow - o0 < CONV_CHUNK ? ow - o0 : CONV_CHUNK;
                float *yr = y + ((ptrdiff_t)co * oh + oy) * ow + o0;
                for (ox = 0; ox < n; ox++)
                    acc[ox] = 0.0;
                for (ci = 0; ci < cig; ci++)
                    for (ky = 0; ky < kh; ky++) {
                        gsc_tap_range(ky * dh, top, sh, h, oh, &y0, &y1);
                        if (oy < y0 || oy >= y1)
                            continue;
                        for (kx = 0; kx < kw; kx++) {
                            const float *xr = xg + ((ptrdiff_t)ci * h + oy * sh + ky * dh - top) * w + kx * dw - left;
                            double wv = wo[((ptrdiff_t)ci * kh + ky) * kw + kx];
                            gsc_tap_range(kx * dw, left, sw, w, ow, &x0, &x1);
                            x0 = x0 > o0 ? x0 - o0 : 0;
                            x1 = x1 - o0 < n ? x1 - o0 : n;
                            for (ox = x0; ox < x1; ox++)
                                acc[ox] += xr[(ptrdiff_t)(o0 + ox) * sw] * wv;
                        }
                    }
                for (ox = 0; ox < n; ox++)
                    yr[ox] = (float)(acc[ox] + (bias ? bias[co] : 0.0f));
            }
    }
}

void gsc_conv2d(const float *x, int cin, int h, int w, const float *wt, const float *bias, int cout, int k,
                int stride, int pad, int groups, float *y)
{
    gsc_conv2d_axes(x, cin, h, w, wt, bias, cout, k, k, stride, stride, pad, pad, pad, pad, 1, 1, groups, y);
}

/* ------------------------------------------------------- conv_transpose2d */

/* Gathered per output: the sum over (ci, ky, kx) of the input cells whose
 * taps land on it (gsc_convt_source), in double, plus the bias. */
void gsc_conv_transpose2d(const float *x, int cin, int h, int w, const float *wt, const float *bias, int cout, int kh,
                          int kw, int sh, int sw, int top, int left, int bottom, int right, int oph, int opw, int dh,
                          int dw, float *y)
{
    int oh = gsc_convt_out_size(h, kh, dh, sh, top, bottom, oph), ow = gsc_convt_out_size(w, kw, dw, sw, left, right, opw);
    int co, ci, ky, kx, oy, ox;
    for (co = 0; co < cout; co++)
        for (oy = 0; oy < oh; oy++)
            for (ox = 0; ox < ow; ox++) {
                double acc = 0.0;
                for (ci = 0; ci < cin; ci++)
                    for (ky = 0; ky < kh; ky++) {
                        int iy = gsc_convt_source(oy, ky, dh, sh, top, h);
                        if (iy < 0)
                            continue;
                        for (kx = 0; kx < kw; kx++) {
                            int ix = gsc_convt_source(ox, kx, dw, sw, left, w);
                            if (ix >= 0)
                                acc += (double)x[((ptrdiff_t)ci * h + iy) * w + ix] *
                                       wt[(((ptrdiff_t)ci * cout + co) * kh + ky) * kw + kx];
                        }
                    }
                y[((ptrdiff_t)co * oh + oy) * ow + ox] = (float)(acc + (bias ? bias[co] : 0.0f));
            }
}

/* ------------------------------------------------------------- batchnorm */

/* Mean and biased variance of one channel, two passes in double (the
 * one-pass E[x^2] - E[x]^2 form cancels badly); clamped at >= 0 as the seed
 * says, although two passes cannot go negative. */
static void channel_stats(const float *x, int64_t hw, double *mean, double *var)
{
    double sum = 0.0, sq = 0.0;
    int64_t i;
    for (i = 0; i < hw; i++)
        sum += x[i];
    *mean = sum / (double)hw;
    for (i = 0; i < hw; i++) {
        double d = x[i] - *mean;
        sq += d * d;
    }
    *var = sq / (double)hw;
    if (*var < 0.0)
        *var = 0.0;
}

/* In place is safe: each channel's statistics are taken before it is
 * overwritten, and channels do not share cells. */
void gsc_batchnorm(const float *x, int c, int64_t hw, const float *gamma,
                   const float *beta, float *y)
{
    int ch;
    int64_t i;
    if (hw <= 0)
        return;
    for (ch = 0; ch < c; ch++) {
        const float *xc = x + (ptrdiff_t)ch * hw;
        float *yc = y + (ptrdiff_t)ch * hw;
        double mean, var, sd;
        channel_stats(xc, hw, &mean, &var);
        sd = sqrt(var + GSC_BN_EPS);
        for (i = 0; i < hw; i++)
            yc[i] = (float)((xc[i] - mean) / sd * gamma[ch] + beta[ch]);
    }
}

void gsc_batchnorm_eval(const float *x, int c, int64_t hw, const float *gamma, const float *beta,
                        const float *mean, const float *var, float eps, float *y)
{
    int ch;
    int64_t i;
    for (ch = 0; ch < c; ch++) {
        const float *xc = x + (ptrdiff_t)ch * hw;
        float *yc = y + (ptrdiff_t)ch * hw;
        double sd = sqrt((double)var[ch] + (double)eps);
        for (i = 0; i < hw; i++)
            yc[i] = (float)((xc[i] - (double)mean[ch]) / sd * gamma[ch] + beta[ch]);
    }
}

/* ------------------------------------------------------------- layernorm */

void gsc_layernorm_stats(const float *x, int c, int64_t hw, int64_t p, float eps, double *mean, double *inv)
{
    int ch;
    double sum = 0.0, sq = 0.0;
    for (ch = 0; ch < c; ch++)
        sum += x[(ptrdiff_t)ch * hw + p];
    *mean = sum / c;
    for (ch = 0; ch < c; ch++) {
        double d = x[(ptrdiff_t)ch * hw + p] - *mean;
        sq += d * d;
    }
    *inv = 1.0 / sqrt(sq / c + (double)eps);
}

void gsc_layernorm(const float *x, int c, int64_t hw, const float *gamma, const float *beta, float eps, float *y)
{
    int64_t p;
    int ch;
    for (p = 0; p < hw; p++) {
        double mean, inv;
        gsc_layernorm_stats(x, c, hw, p, eps, &mean, &inv);
        for (ch = 0; ch < c; ch++)
            y[(ptrdiff_t)ch * hw + p] = (float)((x[(ptrdiff_t)ch * hw + p] - mean) * inv * gamma[ch] + beta[ch]);
    }
}

/* ------------------------------------------------------------------ relu */

void gsc_relu(const float *x, int64_t n, float *y)
{
    int64_t i;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (n >= EW_THREAD_MIN)
#endif
    for (i = 0; i < n; i++)
        y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

/* ----------------------------------------------------------- activations */

/* act(x) in double, from the definitions (gelu's erf form through erfc for
 * x < 0, so the tail keeps its relative accuracy). */
static double act_value(int act, double x)
{
    double t;
    switch (act) {
    case GSC_ACT_RELU:
        return x > 0.0 ? x : 0.0;
    case GSC_ACT_RELU6:
        return x < 0.0 ? 0.0 : x > 6.0 ? 6.0 : x;
    case GSC_ACT_SIGMOID:
        return 1.0 / (1.0 + exp(-x));
    case GSC_ACT_TANH:
        return tanh(x);
    case GSC_ACT_SILU:
        return x / (1.0 + exp(-x));
    case GSC_ACT_GELU:
        return 0.5 * x * erfc(-x * 0.70710678118654752440);
    case GSC_ACT_GELU_TANH:
        t = 0.79788456080286535588 * (x + 0.044715 * x * x * x);
        return 0.5 * x * (1.0 + tanh(t));
    case GSC_ACT_HARDSWISH:
        t = x + 3.0;
        return x * (t < 0.0 ? 0.0 : t > 6.0 ? 6.0 : t) / 6.0;
    case GSC_ACT_HARDSIGMOID:
        t = x + 3.0;
        return (t < 0.0 ? 0.0 : t > 6.0 ? 6.0 : t) / 6.0;
    default:
        return x;
    }
}

void gsc_act(const float *x, int64_t n, int act, float *y)
{
    int64_t i;
    for (i = 0; i < n; i++)
        y[i] = (float)act_value(act, x[i]);
}

void gsc_act_param(const float *x, int64_t n, int act, float a, float b, float *y)
{
    int64_t i;
    for (i = 0; i < n; i++) {
        float v = x[i];
        if (act == GSC_ACT_CLIP)
            y[i] = v < a ? a : v > b ? b : v;
        else /* GSC_ACT_LEAKY_RELU: the product in double, rounded once */
            y[i] = v > 0.0f ? v : (float)((double)a * v);
    }
}

/* ------------------------------------------------------------ elementwise */

static float ew_apply(int op, float a, float b)
{
    switch (op) {
    case GSC_EW_SUB:
        return a - b;
    case GSC_EW_MUL:
        return a * b;
    case GSC_EW_MAX:
        return a > b ? a : b;
    case GSC_EW_MIN:
        return a < b ? a : b;
    default:
        return a + b;
    }
}

void gsc_binary(const float *a, int ca, int ha, int wa, const float *b, int cb, int hb, int wb, int c, int h, int w,
                int op, float *y)
{
    int ch, yy, xx;
    for (ch = 0; ch < c; ch++)
        for (yy = 0; yy < h; yy++)
            for (xx = 0; xx < w; xx++) {
                float va = a[((ptrdiff_t)(ca == 1 ? 0 : ch) * ha + (ha == 1 ? 0 : yy)) * wa + (wa == 1 ? 0 : xx)];
                float vb = b[((ptrdiff_t)(cb == 1 ? 0 : ch) * hb + (hb == 1 ? 0 : yy)) * wb + (wb == 1 ? 0 : xx)];
                y[((ptrdiff_t)ch * h + yy) * w + xx] = ew_apply(op, va, vb);
            }
}

/* ----------------------------------------------------- channels gathered */

void gsc_gather_channels(const float *x, int c, int64_t hw, int start, int groups, int cout, float *y)
{
    int o;
    (void)c;
    for (o = 0; o < cout; o++) {
        int src = start + (groups > 1 ? (o % groups) * (cout / groups) + o / groups : o);
        memcpy(y + (ptrdiff_t)o * hw, x + (ptrdiff_t)src * hw, sizeof(float) * (size_t)hw);
    }
}

/* --------------------------------------------------------------- pooling */


/* One window of a pool: rows [iy0, iy0 + kh) by columns [ix0, ix0 + kw) of
 * a channel, the padded extent ending before rows he and columns we (h +
 * bottom, w + right: a ceil-mode window may hang past it). */
typedef struct {
    const float *xc;
    int h, w, kh, kw, iy0, ix0, he, we, count_pad;
} PoolWin;

/* Maximum over the in-bounds cells of one window; the strict > keeps the
 * first of equal values; no in-bounds cell gives 0. */
static float max_window(const PoolWin *p)
{
    float best = 0.0f;
    int seen = 0, ky, kx;
    for (ky = 0; ky < p->kh; ky++) {
        int iy = p->iy0 + ky;
        if (iy < 0 || iy >= p->h)
            continue;
        for (kx = 0; kx < p->kw; kx++) {
            int ix = p->ix0 + kx;
            float v;
            if (ix < 0 || ix >= p->w)
                continue;
            v = p->xc[(ptrdiff_t)iy * p->w + ix];
            if (!seen || v > best)
                best = v;
            seen = 1;
        }
    }
    return best;
}

/* Sum over the in-bounds cells of one window / gsc_pool_divisor. */
static float avg_window(const PoolWin *p)
{
    double sum = 0.0;
    int ky, kx;
    for (ky = 0; ky < p->kh; ky++) {
        int iy = p->iy0 + ky;
        if (iy < 0 || iy >= p->h)
            continue;
        for (kx = 0; kx < p->kw; kx++) {
            int ix = p->ix0 + kx;
            if (ix >= 0 && ix < p->w)
                sum += p->xc[(ptrdiff_t)iy * p->w + ix];
        }
    }
    return (float)(sum / gsc_pool_divisor(p->iy0, p->ix0, p->kh, p->kw, p->h, p->w, p->he, p->we, p->count_pad));
}

typedef float (*WindowFn)(const PoolWin *p);

/* The loop both pools share: every channel, every output cell, one window. */
static void pool2d(WindowFn fn, const float *x, int c, int h, int w, int kh, int kw, int sh, int sw, int top,
                   int left, int bottom, int right, int ceil_mode, int count_pad, float *y)
{
    int oh = gsc_axis_out_size(h, kh, 1, sh, top, bottom, ceil_mode);
    int ow = gsc_axis_out_size(w, kw, 1, sw, left, right, ceil_mode);
    int ch;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if ((int64_t)c * oh * ow >= EW_THREAD_MIN)
#endif
    for (ch = 0; ch < c; ch++) {
        float *yc = y + (ptrdiff_t)ch * oh * ow;
        int oy, ox;
        PoolWin p = {NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        p.h = h; p.w = w; p.kh = kh; p.kw = kw; p.he = h + bottom; p.we = w + right; p.count_pad = count_pad;
        p.xc = x + (ptrdiff_t)ch * h * w;
        for (oy = 0; oy < oh; oy++)
            for (ox = 0; ox < ow; ox++) {
                p.iy0 = oy * sh - top;
                p.ix0 = ox * sw - left;
                yc[(ptrdiff_t)oy * ow + ox] = fn(&p);
            }
    }
}

void gsc_maxpool2d_axes(const float *x, int c, int h, int w, int kh, int kw, int sh, int sw, int top, int left,
                        int bottom, int right, int ceil_mode, float *y)
{
    pool2d(max_window, x, c, h, w, kh, kw, sh, sw, top, left, bottom, right, ceil_mode, 1, y);
}

void gsc_maxpool2d(const float *x, int c, int h, int w, int k, int stride,
                   int pad, int ceil_mode, float *y)
{
    gsc_maxpool2d_axes(x, c, h, w, k, k, stride, stride, pad, pad, pad, pad, ceil_mode, y);
}

void gsc_avgpool2d_axes(const float *x, int c, int h, int w, int kh, int kw, int sh, int sw, int top, int left,
                        int bottom, int right, int ceil_mode, int count_pad, float *y)
{
    pool2d(avg_window, x, c, h, w, kh, kw, sh, sw, top, left, bottom, right, ceil_mode, count_pad, y);
}

void gsc_avgpool2d(const float *x, int c, int h, int w, int k, int stride,
                   int pad, float *y)
{
    gsc_avgpool2d_axes(x, c, h, w, k, k, stride, stride, pad, pad, pad, pad, 0, 1, y);
}

void gsc_adaptive_avgpool2d(const float *x, int c, int h, int w, int oh, int ow, float *y)
{
    int ch, oy, ox, iy, ix;
    for (ch = 0; ch < c; ch++) {
        const float *xc = x + (ptrdiff_t)ch * h * w;
        for (oy = 0; oy < oh; oy++) {
            int y0, y1;
            gsc_adaptive_window(oy, h, oh, &y0, &y1);
            for (ox = 0; ox < ow; ox++) {
                int x0, x1;
                double sum = 0.0;
                gsc_adaptive_window(ox, w, ow, &x0, &x1);
                for (iy = y0; iy < y1; iy++)
                    for (ix = x0; ix < x1; ix++)
                        sum += xc[(ptrdiff_t)iy * w + ix];
                y[((ptrdiff_t)ch * oh + oy) * ow + ox] = (float)(sum / ((double)(y1 - y0) * (x1 - x0)));
            }
        }
    }
}

void gsc_upsample_nearest(const float *x, int c, int h, int w, int sh, int sw, float *y)
{
    int ch, oy, ox, oh = h * sh, ow = w * sw;
    for (ch = 0; ch < c; ch++)
        for (oy = 0; oy < oh; oy++) {
            const float *xr = x + ((ptrdiff_t)ch * h + oy / sh) * w;
            float *yr = y + ((ptrdiff_t)ch * oh + oy) * ow;
            for (ox = 0; ox < ow; ox++)
                yr[ox] = xr[ox / sw];
        }
}

void gsc_upsample_bilinear(const float *x, int c, int h, int w, int sh, int sw, int align_corners, float *y)
{
    int ch, oy, ox, oh = h * sh, ow = w * sw;
    for (ch = 0; ch < c; ch++)
        for (oy = 0; oy < oh; oy++) {
            int y0, y1;
            float ly = gsc_bilinear_taps(oy, h, sh, align_corners, &y0, &y1);
            const float *r0 = x + ((ptrdiff_t)ch * h + y0) * w, *r1 = x + ((ptrdiff_t)ch * h + y1) * w;
            float *yr = y + ((ptrdiff_t)ch * oh + oy) * ow;
            for (ox = 0; ox < ow; ox++) {
                int x0, x1;
                float lx = gsc_bilinear_taps(ox, w, sw, align_corners, &x0, &x1);
                yr[ox] = (1.0f - ly) * ((1.0f - lx) * r0[x0] + lx * r0[x1]) + ly * ((1.0f - lx) * r1[x0] + lx * r1[x1]);
            }
        }
}

void gsc_global_avgpool(const float *x, int c, int64_t hw, float *y)
{
    int ch;
    int64_t i;
    for (ch = 0; ch < c; ch++) {
        const float *xc = x + (ptrdiff_t)ch * hw;
        double sum = 0.0;
        for (i = 0; i < hw; i++)
            sum += xc[i];
        y[ch] = hw > 0 ? (float)(sum / (double)hw) : 0.0f;
    }
}

/* ------------------------------------------------------- linear, add, softmax */

void gsc_linear(const float *x, int in, const float *wt, const float *bias,
                int out, float *y)
{
    int o, i;
    for (o = 0; o < out; o++) {
        const float *wo = wt + (ptrdiff_t)o * in;
        double acc = 0.0;
        for (i = 0; i < in; i++)
            acc += (double)wo[i] * x[i];
        y[o] = (float)(acc + bias[o]);
    }
}

/* Elementwise, each y[i] written after its a[i], b[i] are read: aliasing ok. */
void gsc_add(const float *a, const float *b, int64_t n, float *y)
{
    int64_t i;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (n >= EW_THREAD_MIN)
#endif
    for (i = 0; i < n; i++)
        y[i] = a[i] + b[i];
}

/* Subtracting the maximum keeps exp() from overflowing; the result is the
 * same mathematically. In place is safe: the maximum is found before any y
 * is written, and each later pass reads only y. */
void gsc_softmax(const float *x, int64_t n, float *y)
{
    float mx;
    double sum = 0.0;
    int64_t i;
    if (n <= 0)
        return;
    mx = x[0];
    for (i = 1; i < n; i++)
        if (x[i] > mx)
            mx = x[i];
    for (i = 0; i < n; i++) {
        y[i] = (float)exp((double)x[i] - mx);
        sum += y[i];
    }
    for (i = 0; i < n; i++)
        y[i] = (float)(y[i] / sum);
}
