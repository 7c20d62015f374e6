/*
 * gsc_backward.c - the reference backward kernels and the losses, for the
 * P_grad that `gsc --train` generates (see gsc_runtime.h).
 *
 * Plain loops written from the definitions, in the same layout as the
 * reference forward kernels (float32, CHW, no batch dimension). Every
 * backward kernel ADDS into its gradient outputs (llm.c's convention): a
 * value read by several operations accumulates all their gradients, and the
 * parameter gradients of several examples add up in one grads array. Sums
 * over many terms are taken in double and added once, in gather form, so a
 * result does not depend on the order of the terms. The losses WRITE the
 * gradient of their input. Threads: built with -fopenmp, the ReLU backward,
 * the accumulation and the max-pool backward split their elements (the
 * pool its channels) across OpenMP threads when there are at least
 * EW_THREAD_MIN; no two threads write one cell, so the results do not depend
 * on the thread count.
 */
#include "gsc_runtime.h"

#include <math.h>
#include <stddef.h>

#define EW_THREAD_MIN 65536 /* the fewest elements split across threads */

/* --------------------------------------------------------------- conv2d */

/* dbias[co] += sum dy[co]; dwt[co, ci, ky, kx] += sum over the outputs of
 * dy[co, oy, ox] * x[ci, oy*s + ky - p, ox*s + kx - p] (in double);
 * dx[ci, iy, ix] += dy[co, oy, ox] * w[co, ci, ky, kx] over every output
 * whose window covers the cell (added term by term, in a fixed order). */
void gsc_conv2d_backward_axes(const float *x, int cin, int h, int w, const float *wt, const float *dy, int cout,
                              int kh, int kw, int sh, int sw, int top, int left, int bottom, int right, int dh,
                              int dw, int groups, float *dx, float *dwt, float *dbias)
{
    int oh = gsc_axis_out_size(h, kh, dh, sh, top, bottom, 0), ow = gsc_axis_out_size(w, kw, dw, sw, left, right, 0);
    int co, ci, ky, kx, oy, ox, y0, y1, x0, x1;
    int cig = cin / groups, cog = cout / groups;
    for (co = 0; co < cout; co++) {
        const float *dyc = dy + (ptrdiff_t)co * oh * ow;
        const float *xg = x + (ptrdiff_t)(co / cog) * cig * h * w;
        double db = 0.0;
        for (oy = 0; oy < oh * ow; oy++)
            db += dyc[oy];
        if (dbias)
            dbias[co] += (float)db;
        for (ci = 0; ci < cig; ci++)
            for (ky = 0; ky < kh; ky++) {
                gsc_tap_range(ky * dh, top, sh, h, oh, &y0, &y1);
                for (kx = 0; kx < kw; kx++) {
                    double acc = 0.0;
                    gsc_tap_range(kx * dw, left, sw, w, ow, &x0, &x1);
                    for (oy = y0; oy < y1; oy++) {
                        const float *xr = xg + ((ptrdiff_t)ci * h + oy * sh + ky * dh - top) * w + kx * dw - left;
                        const float *dr = dyc + (ptrdiff_t)oy * ow;
                        for (ox = x0; ox < x1; ox++)
                            acc += (double)dr[ox] * xr[(ptrdiff_t)ox * sw];
                    }
                    dwt[(((ptrdiff_t)co * cig + ci) * kh + ky) * kw + kx] += (float)acc;
                }
            }
    }
    if (!dx)
        return;
    for (co = 0; co < cout; co++)
        for (ci = 0; ci < cig; ci++)
            for (ky = 0; ky < kh; ky++) {
                gsc_tap_range(ky * dh, top, sh, h, oh, &y0, &y1);
                for (kx = 0; kx < kw; kx++) {
                    float wv = wt[(((ptrdiff_t)co * cig + ci) * kh + ky) * kw + kx];
                    gsc_tap_range(kx * dw, left, sw, w, ow, &x0, &x1);
                    for (oy = y0; oy < y1; oy++) {
                        float *xr = dx + ((ptrdiff_t)(co / cog * cig + ci) * h + oy * sh + ky * dh - top) * w +
                                    kx * dw - left;
                        const float *dr = dy + ((ptrdiff_t)co * oh + oy) * ow;
                        for (ox = x0; ox < x1; ox++)
                            xr[(ptrdiff_t)ox * sw] += dr[ox] * wv;
                    }
                }
            }
}

void gsc_conv2d_backward(const float *x, int cin, int h, int w, const float *wt, const float *dy, int cout, int k,
                         int stride, int pad, int groups, float *dx, float *dwt, float *dbias)
{
    gsc_conv2d_backward_axes(x, cin, h, w, wt, dy, cout, k, k, stride, stride, pad, pad, pad, pad, 1, 1, groups, dx,
                             dwt, dbias);
}

/* ----------------------------------------------------- conv_transpose2d */

/* dbias[co] += sum dy[co]; dwt[ci, co, ky, kx] += sum over the input cells
 * of x * dy at the cell the tap sends it to; dx[ci, iy, ix] += sum over
 * (co, ky, kx) of dy there * w: the strided convolution of dy. Each sum in
 * double, added once. */
void gsc_conv_transpose2d_backward(const float *x, int cin, int h, int w, const float *wt, const float *dy, int cout,
                                   int kh, int kw, int sh, int sw, int top, int left, int bottom, int right, int oph,
                                   int opw, int dh, int dw, float *dx, float *dwt, float *dbias)
{
    int oh = gsc_convt_out_size(h, kh, dh, sh, top, bottom, oph), ow = gsc_convt_out_size(w, kw, dw, sw, left, right, opw);
    int co, ci, ky, kx, iy, ix;
    for (co = 0; co < cout && dbias; co++) {
        double db = 0.0;
        for (iy = 0; iy < oh * ow; iy++)
            db += dy[(ptrdiff_t)co * oh * ow + iy];
        dbias[co] += (float)db;
    }
    for (ci = 0; ci < cin && dx; ci++)
        for (iy = 0; iy < h; iy++)
            for (ix = 0; ix < w; ix++) {
                double acc = 0.0;
                for (co = 0; co < cout; co++)
                    for (ky = 0; ky < kh; ky++) {
                        int oy = iy * sh - top + ky * dh;
                        if (oy < 0 || oy >= oh)
                            continue;
                        for (kx = 0; kx < kw; kx++) {
                            int ox = ix * sw - left + kx * dw;
                            ptrdiff_t wi = (((ptrdiff_t)ci * cout + co) * kh + ky) * kw + kx;
                            if (ox < 0 || ox >= ow)
                                continue;
                            acc += (double)dy[((ptrdiff_t)co * oh + oy) * ow + ox] * wt[wi];
                        }
                    }
                dx[((ptrdiff_t)ci * h + iy) * w + ix] += (float)acc;
            }
    for (ci = 0; ci < cin; ci++)
        for (co = 0; co < cout; co++)
            for (ky = 0; ky < kh; ky++)
                for (kx = 0; kx < kw; kx++) {
                    double acc = 0.0;
                    for (iy = 0; iy < h; iy++) {
                        int oy = iy * sh - top + ky * dh;
                        if (oy < 0 || oy >= oh)
                            continue;
                        for (ix = 0; ix < w; ix++) {
                            int ox = ix * sw - left + kx * dw;
                            if (ox >= 0 && ox < ow)
                                acc += (double)x[((ptrdiff_t)ci * h + iy) * w + ix] *
                                       dy[((ptrdiff_t)co * oh + oy) * ow + ox];
                        }
                    }
                    dwt[(((ptrdiff_t)ci * cout + co) * kh + ky) * kw + kx] += (float)acc;
                }
}

/* ------------------------------------------------------------ batchnorm */

void gsc_batchnorm_eval_backward(const float *x, int c, int64_t hw, const float *gamma, const float *mean,
                                 const float *var, float eps, const float *dy, float *dx, float *dgamma, float *dbeta)
{
    int ch;
    int64_t i;
    for (ch = 0; ch < c; ch++) {
        const float *xc = x + (ptrdiff_t)ch * hw, *dyc = dy + (ptrdiff_t)ch * hw;
        double inv = 1.0 / sqrt((double)var[ch] + (double)eps), sdy = 0.0, sdyx = 0.0;
        for (i = 0; i < hw; i++) {
            sdy += dyc[i];
            sdyx += dyc[i] * (xc[i] - (double)mean[ch]) * inv;
        }
        dgamma[ch] += (float)sdyx;
        dbeta[ch] += (float)sdy;
        if (!dx)
            continue;
        for (i = 0; i < hw; i++)
            dx[(ptrdiff_t)ch * hw + i] += (float)(dyc[i] * gamma[ch] * inv);
    }
}

void gsc_layernorm_backward(const float *x, int c, int64_t hw, const float *gamma, float eps, const float *dy,
                            float *dx, float *dgamma, float *dbeta)
{
    int64_t p;
    int ch;
    for (p = 0; p < hw; p++) {
        double mean, inv, sg = 0.0, sgx = 0.0;
        gsc_layernorm_stats(x, c, hw, p, eps, &mean, &inv);
        for (ch = 0; ch < c; ch++) {
            ptrdiff_t i = (ptrdiff_t)ch * hw + p;
            double xhat = (x[i] - mean) * inv, g = (double)dy[i] * gamma[ch];
            dgamma[ch] += (float)(dy[i] * xhat);
            dbeta[ch] += dy[i];
            sg += g;
            sgx += g * xhat;
        }
        for (ch = 0; ch < c && dx; ch++) {
            ptrdiff_t i = (ptrdiff_t)ch * hw + p;
            double xhat = (x[i] - mean) * inv;
            dx[i] += (float)(inv * ((double)dy[i] * gamma[ch] - sg / c - xhat * sgx / c));
        }
    }
}

/* --------------------------------------------------------------- linear */

#define LINEAR_CHUNK 256

void gsc_linear_backward(const float *x, int in, const float *wt, const float *dy, int out, float *dx, float *dwt,
                         float *dbias)
{
    int o, i, i0;
    for (o = 0; o < out; o++) {
        dbias[o] += dy[o];
        for (i = 0; i < in; i++)
            dwt[(ptrdiff_t)o * in + i] += dy[o] * x[i];
    }
    if (!dx)
        return;
    /* dx[i] += sum over o, in that order, of dy[o] w[o, i] in double: LINEAR_CHUNK
     * inputs at a time, so that the inner loop runs along w's rows */
    for (i0 = 0; i0 < in; i0 += LINEAR_CHUNK) {
        double acc[LINEAR_CHUNK];
        int n = in - i0 < LINEAR_CHUNK ? in - i0 : LINEAR_CHUNK;
        for (i = 0; i < n; i++)
            acc[i] = 0.0;
        for (o = 0; o < out; o++) {
            const float *wr = wt + (ptrdiff_t)o * in + i0;
            double d = dy[o];
            for (i = 0; i < n; i++)
                acc[i] += d * wr[i];
        }
        for (i = 0; i < n; i++)
            dx[i0 + i] += (float)acc[i];
    }
}

/* ------------------------------------------------------ elementwise, pools */

void gsc_relu_backward(const float *x, const float *dy, int64_t n, float *dx)
{
    int64_t i;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (n >= EW_THREAD_MIN)
#endif
    for (i = 0; i < n; i++)
        if (x[i] > 0.0f)
            dx[i] += dy[i];
}

/* d act / dx in double, as PyTorch 1.13's backward kernels define it. */
static double act_slope(int act, double x)
{
    double s, t, u;
    switch (act) {
    case GSC_ACT_RELU:
        return x > 0.0 ? 1.0 : 0.0;
    case GSC_ACT_RELU6:
        return x <= 0.0 || x >= 6.0 ? 0.0 : 1.0;
    case GSC_ACT_SIGMOID:
        s = 1.0 / (1.0 + exp(-x));
        return s * (1.0 - s);
    case GSC_ACT_TANH:
        t = tanh(x);
        return 1.0 - t * t;
    case GSC_ACT_SILU:
        s = 1.0 / (1.0 + exp(-x));
        return s * (1.0 + x * (1.0 - s));
    case GSC_ACT_GELU: /* Phi(x) + x phi(x) */
        return 0.5 * erfc(-x * 0.70710678118654752440) + x * exp(-0.5 * x * x) * 0.39894228040143267794;
    case GSC_ACT_GELU_TANH:
        u = 0.79788456080286535588 * (x + 0.044715 * x * x * x);
        t = tanh(u);
        return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * 0.79788456080286535588 * (1.0 + 3.0 * 0.044715 * x * x);
    case GSC_ACT_HARDSWISH:
        return x < -3.0 ? 0.0 : x <= 3.0 ? x / 3.0 + 0.5 : 1.0;
    case GSC_ACT_HARDSIGMOID:
        return x > -3.0 && x < 3.0 ? 1.0 / 6.0 : 0.0;
    default:
        return 1.0;
    }
}

void gsc_act_backward(const float *x, const float *dy, int64_t n, int act, float *dx)
{
    int64_t i;
    for (i = 0; i < n; i++)
        dx[i] += (float)(dy[i] * act_slope(act, x[i]));
}

void gsc_act_param_backward(const float *x, const float *dy, int64_t n, int act, float a, float b, float *dx)
{
    int64_t i;
    for (i = 0; i < n; i++) {
        float v = x[i];
        if (act == GSC_ACT_CLIP)
            dx[i] += v >= a && v <= b ? dy[i] : 0.0f;
        else /* GSC_ACT_LEAKY_RELU */
            dx[i] += v > 0.0f ? dy[i] : (float)((double)a * dy[i]);
    }
}

void gsc_binary_backward(const float *a, int ca, int ha, int wa, const float *b, int cb, int hb, int wb, int c, int h,
                         int w, int op, const float *dy, float *da, float *db)
{
    int ch, yy, xx;
    for (ch = 0; ch < c; ch++)
        for (yy = 0; yy < h; yy++)
            for (xx = 0; xx < w; xx++) {
                ptrdiff_t ia = ((ptrdiff_t)(ca == 1 ? 0 : ch) * ha + (ha == 1 ? 0 : yy)) * wa + (wa == 1 ? 0 : xx);
                ptrdiff_t ib = ((ptrdiff_t)(cb == 1 ? 0 : ch) * hb + (hb == 1 ? 0 : yy)) * wb + (wb == 1 ? 0 : xx);
                float g = dy[((ptrdiff_t)ch * h + yy) * w + xx], ga = g, gb = g;
                switch (op) {
                case GSC_EW_SUB:
                    gb = -g;
                    break;
                case GSC_EW_MUL:
                    ga = g * b[ib];
                    gb = g * a[ia];
                    break;
                case GSC_EW_MAX:
                case GSC_EW_MIN:
                    if (a[ia] == b[ib])
                        ga = gb = 0.5f * g;
                    else if ((a[ia] > b[ib]) == (op == GSC_EW_MAX))
                        gb = 0.0f;
                    else
                        ga = 0.0f;
                    break;
                default:
                    break;
                }
                if (da)
                    da[ia] += ga;
                if (db)
                    db[ib] += gb;
            }
}

void gsc_gather_channels_backward(const float *dy, int c, int64_t hw, int start, int groups, int cout, float *dx)
{
    int o;
    int64_t i;
    (void)c;
    for (o = 0; o < cout; o++) {
        int src = start + (groups > 1 ? (o % groups) * (cout / groups) + o / groups : o);
        for (i = 0; i < hw; i++)
            dx[(ptrdiff_t)src * hw + i] += dy[(ptrdiff_t)o * hw + i];
    }
}

void gsc_accumulate(const float *dy, int64_t n, float *dx)
{
    int64_t i;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (n >= EW_THREAD_MIN)
#endif
    for (i = 0; i < n; i++)
        dx[i] += dy[i];
}

/* Each output's gradient goes to the cell the forward chose: the first
 * maximum of the in-bounds cells in row-major window order. */
void gsc_maxpool2d_backward_axes(const float *x, int c, int h, int w, int kh, int kw, int sh, int sw, int top,
                                 int left, int bottom, int right, int ceil_mode, const float *dy, float *dx)
{
    int oh = gsc_axis_out_size(h, kh, 1, sh, top, bottom, ceil_mode);
    int ow = gsc_axis_out_size(w, kw, 1, sw, left, right, ceil_mode);
    int ch;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if ((int64_t)c * oh * ow >= EW_THREAD_MIN)
#endif
    for (ch = 0; ch < c; ch++) {
        const float *xc = x + (ptrdiff_t)ch * h * w;
        float *dxc = dx + (ptrdiff_t)ch * h * w;
        int oy, ox, ky, kx;
        for (oy = 0; oy < oh; oy++)
            for (ox = 0; ox < ow; ox++) {
                /* the window's taps inside the image: ky0 <= ky < ky1, kx0 <= kx < kx1 */
                int iy0 = oy * sh - top, ix0 = ox * sw - left;
                int ky0 = iy0 < 0 ? -iy0 : 0, ky1 = h - iy0 < kh ? h - iy0 : kh;
                int kx0 = ix0 < 0 ? -ix0 : 0, kx1 = w - ix0 < kw ? w - ix0 : kw;
                ptrdiff_t arg;
                float best;
                if (ky0 >= ky1 || kx0 >= kx1)
                    continue;
                arg = (ptrdiff_t)(iy0 + ky0) * w + ix0 + kx0;
                best = xc[arg];
                for (ky = ky0; ky < ky1; ky++)
                    for (kx = kx0; kx < kx1; kx++) {
                        ptrdiff_t at = (ptrdiff_t)(iy0 + ky) * w + ix0 + kx;
                        float v = xc[at];
                        arg = v > best ? at : arg; /* the first maximum: ties and NaN keep arg */
                        best = v > best ? v : best;
                    }
                dxc[arg] += dy[((ptrdiff_t)ch * oh + oy) * ow + ox];
            }
    }
}

void gsc_maxpool2d_backward(const float *x, int c, int h, int w, int k, int stride, int pad, int ceil_mode,
                            const float *dy, float *dx)
{
    gsc_maxpool2d_backward_axes(x, c, h, w, k, k, stride, stride, pad, pad, pad, pad, ceil_mode, dy, dx);
}

/* Each in-bounds cell of a window gets dy / its divisor (gsc_pool_divisor). */
void gsc_avgpool2d_backward_axes(int c, int h, int w, int kh, int kw, int sh, int sw, int top, int left, int bottom,
                                 int right, int ceil_mode, int count_pad, const float *dy, float *dx)
{
    int oh = gsc_axis_out_size(h, kh, 1, sh, top, bottom, ceil_mode);
    int ow = gsc_axis_out_size(w, kw, 1, sw, left, right, ceil_mode);
    int ch, y, xx, ky, kx;
    for (ch = 0; ch < c; ch++)
        for (y = 0; y < h; y++)
            for (xx = 0; xx < w; xx++) {
                double acc = 0.0;
                for (ky = 0; ky < kh; ky++)
                    for (kx = 0; kx < kw; kx++) {
                        int ty = y + top - ky, tx = xx + left - kx;
                        if (ty < 0 || tx < 0 || ty % sh || tx % sw || ty / sh >= oh || tx / sw >= ow)
                            continue;
                        acc += dy[((ptrdiff_t)ch * oh + ty / sh) * ow + tx / sw] /
                               gsc_pool_divisor(ty - top, tx - left, kh, kw, h, w, h + bottom, w + right, count_pad);
                    }
                dx[((ptrdiff_t)ch * h + y) * w + xx] += (float)acc;
            }
}

void gsc_avgpool2d_backward(int c, int h, int w, int k, int stride, int pad, const float *dy, float *dx)
{
    gsc_avgpool2d_backward_axes(c, h, w, k, k, stride, stride, pad, pad, pad, pad, 0, 1, dy, dx);
}

void gsc_adaptive_avgpool2d_backward(int c, int h, int w, int oh, int ow, const float *dy, float *dx)
{
    int ch, oy, ox, iy, ix;
    for (ch = 0; ch < c; ch++) {
        float *dxc = dx + (ptrdiff_t)ch * h * w;
        for (oy = 0; oy < oh; oy++) {
            int y0, y1;
            gsc_adaptive_window(oy, h, oh, &y0, &y1);
            for (ox = 0; ox < ow; ox++) {
                int x0, x1;
                float d;
                gsc_adaptive_window(ox, w, ow, &x0, &x1);
                d = (float)(dy[((ptrdiff_t)ch * oh + oy) * ow + ox] / ((double)(y1 - y0) * (x1 - x0)));
                for (iy = y0; iy < y1; iy++)
                    for (ix = x0; ix < x1; ix++)
                        dxc[(ptrdiff_t)iy * w + ix] += d;
            }
        }
    }
}

void gsc_upsample_nearest_backward(int c, int h, int w, int sh, int sw, const float *dy, float *dx)
{
    int ch, iy, ix, ky, kx, ow = w * sw;
    for (ch = 0; ch < c; ch++)
        for (iy = 0; iy < h; iy++)
            for (ix = 0; ix < w; ix++) {
                const float *b = dy + ((ptrdiff_t)ch * h * sh + (ptrdiff_t)iy * sh) * ow + (ptrdiff_t)ix * sw;
                double sum = 0.0;
                for (ky = 0; ky < sh; ky++)
                    for (kx = 0; kx < sw; kx++)
                        sum += b[(ptrdiff_t)ky * ow + kx];
                dx[((ptrdiff_t)ch * h + iy) * w + ix] += (float)sum;
            }
}

void gsc_upsample_bilinear_backward(int c, int h, int w, int sh, int sw, int align_corners, const float *dy,
                                    float *dx)
{
    int ch, oy, ox, oh = h * sh, ow = w * sw;
    for (ch = 0; ch < c; ch++)
        for (oy = 0; oy < oh; oy++) {
            int y0, y1;
            float ly = gsc_bilinear_taps(oy, h, sh, align_corners, &y0, &y1);
            float *r0 = dx + ((ptrdiff_t)ch * h + y0) * w, *r1 = dx + ((ptrdiff_t)ch * h + y1) * w;
            const float *dr = dy + ((ptrdiff_t)ch * oh + oy) * ow;
            for (ox = 0; ox < ow; ox++) {
                int x0, x1;
                float lx = gsc_bilinear_taps(ox, w, sw, align_corners, &x0, &x1), d = dr[ox];
                r0[x0] += (1.0f - ly) * (1.0f - lx) * d;
                r0[x1] += (1.0f - ly) * lx * d;
                r1[x0] += ly * (1.0f - lx) * d;
                r1[x1] += ly * lx * d;
            }
        }
}

void gsc_global_avgpool_backward(int c, int64_t hw, const float *dy, float *dx)
{
    int ch;
    int64_t i;
    for (ch = 0; ch < c; ch++)
        for (i = 0; i < hw; i++)
            dx[(ptrdiff_t)ch * hw + i] += (float)(dy[ch] / (double)hw);
}

/* dx = y * (dy - sum(dy * y)) */
void gsc_softmax_backward(const float *y, const float *dy, int64_t n, float *dx)
{
    double dot = 0.0;
    int64_t i;
    for (i = 0; i < n; i++)
        dot += (double)dy[i] * y[i];
    for (i = 0; i < n; i++)
        dx[i] += (float)(y[i] * (dy[i] - dot));
}

/* --------------------------------------------------------------- losses */

float gsc_xent_loss(const float *z, int64_t n, int32_t label, float *dz)
{
    double mx = -INFINITY, sum = 0.0;
    int64_t i;
    for (i = 0; i < n; i++)
        mx = z[i] > mx ? z[i] : mx;
    for (i = 0; i < n; i++)
        sum += exp(z[i] - mx);
    for (i = 0; i < n; i++)
        dz[i] = (float)(exp(z[i] - mx) / sum - (i == label ? 1.0 : 0.0));
    return (float)(mx + log(sum) - z[label]);
}

float gsc_mse_loss(const float *y, const float *target, int64_t n, float *dy)
{
    double sum = 0.0;
    int64_t i;
    for (i = 0; i < n; i++) {
        double d = (double)y[i] - target[i];
        sum += d * d;
        dy[i] = (float)(2.0 * d / (double)n);
    }
    return (float)(sum / (double)n);
}
