/*
 * gsc_fast_backward.c - the convolution of the training step (P_grad):
 * forward, weight and bias gradient, input gradient, on plain CHW buffers
 * (the layout of the reference kernels and of P_grad's workspace), split
 * across OpenMP threads (without -fopenmp: one thread).
 *
 * The loops are the reference kernels' (gsc_kernels.c, gsc_backward.c)
 * reordered so that the innermost one runs along a row of positions with
 * independent float32 lanes, which the compiler turns into SIMD for the
 * target it builds for (AVX-512, AVX2+FMA, SSE, NEON, or scalar C99):
 *   forward   a chunk of an output row, in double (a float32 sum over
 *             cin k k terms feeds batchnorm's statistics with errors that
 *             the gradient tests see): += w[co, ci, ky, kx] * x[ci] row per
 *             tap, threads split the output channels;
 *   dx        dx[ci] row += w[co, ci, ky, kx] * dy[co] row (the convolution
 *             of dy with the flipped weights, written in scatter form),
 *             threads split the input channels, so no two write one value;
 *   dw, db    per tap, lane j of a row accumulates dy * x over the rows
 *             (float), the lanes are summed in double; threads split the
 *             output channels, each writing only its own rows of dwt and
 *             dbias: no reduction across threads, no serial tail.
 * Grouped convolutions (groups > 1) as the reference kernels: input
 * channels g cin/groups .. (g+1) cin/groups - 1 feed output channels
 * g cout/groups ..; a NULL bias is 0 (and its gradient not computed).
 * The results differ from the reference kernels' only by float32 rounding
 * (the reference sums in double): P_grad's differential tests bound it.
 */
#include "gsc_runtime.h"

#include <stddef.h>

#define LANES 64 /* row chunk of the accumulations */

void gsc_fast_conv2d_chw(const float *x, int cin, int h, int w, const float *wt, const float *bias, int cout, int k,
                         int stride, int pad, int groups, float *y)
{
    int oh = gsc_out_size(h, k, stride, pad), ow = gsc_out_size(w, k, stride, pad);
    int cig = cin / groups, cog = cout / groups;
    int co;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (co = 0; co < cout; co++) {
        const float *wo = wt + (ptrdiff_t)co * cig * k * k;
        const float *xg = x + (ptrdiff_t)(co / cog) * cig * h * w;
        double acc[LANES];
        int ci, ky, kx, oy, o0, j, y0, y1, x0, x1;
        for (oy = 0; oy < oh; oy++)
            for (o0 = 0; o0 < ow; o0 += LANES) {
                int n = ow - o0 < LANES ? ow - o0 : LANES;
                float *yr = y + ((ptrdiff_t)co * oh + oy) * ow + o0;
                for (j = 0; j < n; j++)
                    acc[j] = bias ? bias[co] : 0.0f;
                for (ci = 0; ci < cig; ci++)
                    for (ky = 0; ky < k; ky++) {
                        gsc_tap_range(ky, pad, stride, h, oh, &y0, &y1);
                        if (oy < y0 || oy >= y1)
                            continue;
                        for (kx = 0; kx < k; kx++) {
                            const float *xr = xg + ((ptrdiff_t)ci * h + oy * stride + ky - pad) * w + kx - pad +
                                              (ptrdiff_t)o0 * stride;
                            double wv = wo[((ptrdiff_t)ci * k + ky) * k + kx];
                            gsc_tap_range(kx, pad, stride, w, ow, &x0, &x1);
                            x0 = x0 > o0 ? x0 - o0 : 0;
                            x1 = x1 - o0 < n ? x1 - o0 : n;
                            if (stride == 1)
                                for (j = x0; j < x1; j++)
                                    acc[j] += xr[j] * wv;
                            else
                                for (j = x0; j < x1; j++)
                                    acc[j] += xr[(ptrdiff_t)j * stride] * wv;
                        }
                    }
                for (j = 0; j < n; j++)
                    yr[j] = (float)acc[j];
            }
    }
}

void gsc_fast_conv2d_chw_backward(const float *x, int cin, int h, int w, const float *wt, const float *dy, int cout,
                                  int k, int stride, int pad, int groups, float *dx, float *dwt, float *dbias)
{
    int oh = gsc_out_size(h, k, stride, pad), ow = gsc_out_size(w, k, stride, pad);
    int cig = cin / groups, cog = cout / groups;
    int co, ci;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (co = 0; co < cout; co++) {
        const float *dyc = dy + (ptrdiff_t)co * oh * ow;
        const float *xg = x + (ptrdiff_t)(co / cog) * cig * h * w;
        float part[LANES];
        double db = 0.0;
        int c, ky, kx, oy, o0, j, y0, y1, x0, x1;
        ptrdiff_t i;
        for (i = 0; i < (ptrdiff_t)oh * ow; i++)
            db += dyc[i];
        if (dbias)
            dbias[co] += (float)db;
        for (c = 0; c < cig; c++)
            for (ky = 0; ky < k; ky++) {
                gsc_tap_range(ky, pad, stride, h, oh, &y0, &y1);
                for (kx = 0; kx < k; kx++) {
                    double acc = 0.0;
                    gsc_tap_range(kx, pad, stride, w, ow, &x0, &x1);
                    for (o0 = x0; o0 < x1; o0 += LANES) {
                        int n = x1 - o0 < LANES ? x1 - o0 : LANES;
                        for (j = 0; j < n; j++)
                            part[j] = 0.0f;
                        for (oy = y0; oy < y1; oy++) {
                            const float *xr = xg + ((ptrdiff_t)c * h + oy * stride + ky - pad) * w + kx - pad +
                                              (ptrdiff_t)o0 * stride;
                            const float *dr = dyc + (ptrdiff_t)oy * ow + o0;
                            if (stride == 1)
                                for (j = 0; j < n; j++)
                                    part[j] += dr[j] * xr[j];
                            else
                                for (j = 0; j < n; j++)
                                    part[j] += dr[j] * xr[(ptrdiff_t)j * stride];
                        }
                        for (j = 0; j < n; j++)
                            acc += part[j];
                    }
                    dwt[(((ptrdiff_t)co * cig + c) * k + ky) * k + kx] += (float)acc;
                }
            }
    }
    if (!dx)
        return;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (ci = 0; ci < cin; ci++) {
        int o, ky, kx, oy, ox, y0, y1, x0, x1, g = ci / cig;
        for (o = g * cog; o < (g + 1) * cog; o++)
            for (ky = 0; ky < k; ky++) {
                gsc_tap_range(ky, pad, stride, h, oh, &y0, &y1);
                for (kx = 0; kx < k; kx++) {
                    float wv = wt[(((ptrdiff_t)o * cig + ci % cig) * k + ky) * k + kx];
                    gsc_tap_range(kx, pad, stride, w, ow, &x0, &x1);
                    for (oy = y0; oy < y1; oy++) {
                        float *xr = dx + ((ptrdiff_t)ci * h + oy * stride + ky - pad) * w + kx - pad;
                        const float *dr = dy + ((ptrdiff_t)o * oh + oy) * ow;
                        if (stride == 1)
                            for (ox = x0; ox < x1; ox++)
                                xr[ox] += dr[ox] * wv;
                        else
                            for (ox = x0; ox < x1; ox++)
                                xr[(ptrdiff_t)ox * stride] += dr[ox] * wv;
                    }
                }
            }
    }
}
