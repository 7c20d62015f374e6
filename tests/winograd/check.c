/*
 * tests/winograd/check.c - gsc_fast_conv2d_winograd (F(2x2) and F(4x4))
 * and gsc_fast_conv2d against a float64 convolution, on the SIMD path this
 * file is compiled for (make test-winograd builds it portable, AVX2+FMA and
 * native). Per geometry: the input transform of the producer's BN + ReLU
 * fused, padding 0 and 1, channel counts that are and are not multiples of
 * 16, outputs smaller than a tile. Prints the relative error (2-norm) of each
 * method and of its batch statistics; fails when a Winograd error exceeds
 * 1e-5 or a statistic 1e-4 (float32 convolutions of these sizes: 1e-7..2e-6).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "gsc_fast.h"

static unsigned long long rng = 88172645463325252ull;
static float rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (float)((double)(rng >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

static double rel(const double *ref, const float *y, size_t n, size_t stride_ref, size_t stride_y)
{
    double e = 0, s = 0;
    for (size_t i = 0; i < n; i++) {
        double d = ref[i * stride_ref] - y[i * stride_y];
        e += d * d;
        s += ref[i * stride_ref] * ref[i * stride_ref];
    }
    return s > 0 ? sqrt(e / s) : sqrt(e);
}

int main(void)
{
    static const int geo[][5] = {/* cin, h, w, cout, pad */
                                 {16, 8, 8, 16, 1},  {3, 7, 5, 20, 1},  {64, 56, 56, 64, 1}, {40, 9, 13, 33, 0},
                                 {256, 14, 14, 256, 1}, {512, 7, 7, 512, 1}, {17, 2, 2, 5, 1},  {16, 1, 1, 16, 1}};
    int fails = 0;
    for (size_t gi = 0; gi < sizeof geo / sizeof geo[0]; gi++) {
        GscFastConv g = {.cin = geo[gi][0], .h = geo[gi][1], .w = geo[gi][2], .cout = geo[gi][3], .k = 3, .stride = 1,
                         .pad = geo[gi][4], .groups = 1};
        int oh = gsc_out_size(g.h, 3, 1, g.pad), ow = gsc_out_size(g.w, 3, 1, g.pad);
        int cpi = GSC_FAST_CPAD(g.cin), cpo = GSC_FAST_CPAD(g.cout);
        size_t nin = (size_t)g.cin * g.h * g.w, ny = (size_t)GSC_FAST_ACT_FLOATS(g.cout, oh, ow);
        float *xc = malloc(sizeof(float) * nin), *x = malloc(sizeof(float) * (size_t)GSC_FAST_ACT_FLOATS(g.cin, g.h, g.w));
        float *wt = malloc(sizeof(float) * (size_t)g.cout * g.cin * 9), *b = malloc(sizeof(float) * g.cout);
        float *ss = calloc(2 * (size_t)cpi, sizeof(float));
        double *ref = malloc(sizeof(double) * (size_t)g.cout * oh * ow), *t = malloc(sizeof(double) * nin);
        double *mref = calloc(2 * (size_t)cpo, sizeof(double));
        for (size_t i = 0; i < nin; i++)
            xc[i] = rnd();
        for (size_t i = 0; i < (size_t)g.cout * g.cin * 9; i++)
            wt[i] = rnd() / sqrtf(9.0f * g.cin);
        for (int i = 0; i < g.cout; i++)
            b[i] = rnd();
        for (int c = 0; c < g.cin; c++) {
            ss[c] = 1.0f + rnd() / 2;
            ss[cpi + c] = rnd() / 2;
        }
        gsc_fast_from_chw(xc, g.cin, g.h, g.w, x);
        /* float64: T(x) = relu(x*sc + sh) (the float32 product-sum, as the kernels round it), then the conv */
        for (size_t i = 0; i < nin; i++) {
            float v = fmaf(xc[i], ss[i / ((size_t)g.h * g.w)], ss[cpi + i / ((size_t)g.h * g.w)]);
            t[i] = v > 0 ? v : 0;
        }
        for (int co = 0; co < g.cout; co++) {
            double sum = 0, m2 = 0;
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    double s = b[co];
                    for (int ci = 0; ci < g.cin; ci++)
                        for (int ky = 0; ky < 3; ky++)
                            for (int kx = 0; kx < 3; kx++) {
                                int iy = oy - g.pad + ky, ix = ox - g.pad + kx;
                                if (iy >= 0 && iy < g.h && ix >= 0 && ix < g.w)
                                    s += t[((size_t)ci * g.h + iy) * g.w + ix] * wt[((size_t)co * g.cin + ci) * 9 + ky * 3 + kx];
                            }
                    ref[((size_t)co * oh + oy) * ow + ox] = s;
                    sum += s;
                }
            double mean = sum / ((double)oh * ow);
            for (int i = 0; i < oh * ow; i++)
                m2 += (ref[(size_t)co * oh * ow + i] - mean) * (ref[(size_t)co * oh * ow + i] - mean);
            mref[co] = mean;
            mref[cpo + co] = m2 / ((double)oh * ow);
        }
        float *y = malloc(sizeof(float) * ny), *yc = malloc(sizeof(float) * (size_t)g.cout * oh * ow);
        float *mom = malloc(sizeof(float) * 2 * (size_t)cpo);
        for (int m = 0; m <= 4; m += 2) {
            size_t pf = m ? (size_t)gsc_fast_winograd_packed_floats(g.cin, g.cout, m)
                          : (size_t)gsc_fast_conv_packed_floats(g.cin, g.cout, 3, 1);
            size_t wsb = m ? gsc_fast_winograd_workspace_bytes(&g, m) : gsc_fast_conv_workspace_bytes(&g);
            float *packed = malloc(sizeof(float) * pf);
            void *ws = malloc(wsb);
            if (m) {
                gsc_fast_winograd_prepare(wt, b, g.cin, g.cout, m, packed);
                gsc_fast_conv2d_winograd(&g, m, x, packed, ss, GSC_FAST_RELU, y, mom, ws);
            } else {
                gsc_fast_conv_prepare(wt, b, g.cin, g.cout, 3, 1, packed);
                gsc_fast_conv2d(&g, x, packed, ss, GSC_FAST_RELU, y, mom, ws);
            }
            gsc_fast_to_chw(y, g.cout, oh, ow, yc);
            double ey = rel(ref, yc, (size_t)g.cout * oh * ow, 1, 1);
            double emean = rel(mref, mom, (size_t)g.cout, 1, 1), evar = rel(mref + cpo, mom + cpo, (size_t)g.cout, 1, 1);
            int pad_ok = 1;
            for (size_t i = 0; i < ny; i++)
                if (i / ((size_t)oh * ow * 16) == (size_t)(cpo / 16 - 1) && (int)(i % 16) >= g.cout % 16 &&
                    g.cout % 16 && y[i] != 0.0f)
                    pad_ok = 0;
            int bad = m && (!(ey <= 1e-5) || !(emean <= 1e-4) || !(evar <= 1e-4) || !pad_ok);
            printf("%s %-9s cin %3d %2dx%-2d cout %3d pad %d: output %.2e, mean %.2e, variance %.2e%s\n", gsc_fast_isa(),
                   m == 4 ? "F(4x4)" : m == 2 ? "F(2x2)" : "direct", g.cin, g.h, g.w, g.cout, g.pad, ey, emean, evar,
                   bad ? "  FAILED" : "");
            fails += bad;
            free(packed);
            free(ws);
        }
        free(xc); free(x); free(wt); free(b); free(ss); free(ref); free(t); free(mref); free(y); free(yc); free(mom);
    }
    printf("%d failed\n", fails);
    return fails ? 1 : 0;
}
