/*
 * gsc_winograd.c - 3x3 stride-1 convolution by Winograd's minimal filtering
 * F(m x m, 3 x 3), m = 4 (6x6 transformed tiles) or m = 2 (4x4), on the
 * channel-blocked layout of gsc_fast.h (see its Winograd section for the API).
 *
 * With a = m + 2, an output tile of m x m pixels is A^T [ (G g G^T) .* (B^T d B) ] A
 * for the a x a input patch d and the 3x3 filter g (Lavin and Gray, "Fast
 * Algorithms for Convolutional Neural Networks", 2016). Summed over the input
 * channels, the a*a elementwise products become a*a independent matrix
 * products  M[pos] = V[pos] U[pos]:  V[pos] is [tiles][cin], U[pos] is
 * [cin][cout]. Per 16 outputs F(4x4) does 36 multiplies where the direct
 * method does 144 (F(2x2): 16 per 4 outputs, against 36).
 *
 * Three passes, each one OpenMP loop:
 *   1. input transform: per (tile, input channel block) the patch of T(x)
 *      (the producer's BN scale/shift and ReLU applied as it is read, zeros
 *      outside the image) -> B^T d B -> V[pos][tile][cpad(cin)];
 *   2. the a*a products, with the register-blocked outer-product micro-kernel
 *      of the direct convolution (TNB output blocks x TNP tiles, gsc_simd.h):
 *      M[pos][tile][cpad(cout)];
 *   3. output transform: A^T M A + bias -> y (only the pixels inside the
 *      output); then the batch statistics, if asked, by gsc_fast_moments.
 * The weights are transformed once, in double, by gsc_fast_winograd_prepare.
 *
 * Rounding: the transforms scale values by up to 8 (A^T of F(4x4)) and
 * 1/24 (G), so F(4x4) rounds somewhat worse than the direct sum; F(2x2)
 * about as well. tests/unit/test_codegen.c measures it against the
 * interpreter with --conv=winograd.
 */
#include <string.h>

#include "gsc_fast.h"
#include "gsc_simd.h"

static size_t wround64(size_t bytes) { return (bytes + 63) / 64 * 64; }

typedef struct {
    int m, a, oh, ow, th, tw, ntiles, ntp, cpi, cpo, ncbi, ncbo, ngroups, nstrips;
} WinoPlan;

static void wino_plan(WinoPlan *P, const GscFastConv *g, int m)
{
    P->m = m;
    P->a = m + 2;
    P->oh = gsc_out_size(g->h, 3, 1, g->pad);
    P->ow = gsc_out_size(g->w, 3, 1, g->pad);
    P->th = (P->oh + m - 1) / m;
    P->tw = (P->ow + m - 1) / m;
    P->ntiles = P->th * P->tw;
    P->nstrips = (P->ntiles + TNP - 1) / TNP;
    P->ntp = P->nstrips * TNP; /* tiles padded to whole strips of the micro-kernel */
    P->cpi = GSC_FAST_CPAD(g->cin);
    P->cpo = GSC_FAST_CPAD(g->cout);
    P->ncbi = GSC_FAST_CBLK(g->cin);
    P->ncbo = GSC_FAST_CBLK(g->cout);
    P->ngroups = (P->ncbo + TNB - 1) / TNB;
}

int64_t gsc_fast_winograd_packed_floats(int cin, int cout, int m)
{
    int a = m + 2;
    return (int64_t)a * a * GSC_FAST_CPAD(cin) * GSC_FAST_CPAD(cout) + GSC_FAST_CPAD(cout);
}

/* V and M for the tiles rounded up to strips of 14 (the largest TNP), so
 * that the size is the same whatever the SIMD path of the build. */
size_t gsc_fast_winograd_workspace_bytes(const GscFastConv *g, int m)
{
    WinoPlan P;
    wino_plan(&P, g, m);
    size_t ntp = (size_t)(P.ntiles + 13) / 14 * 14 + 14;
    return wround64((size_t)P.a * P.a * ntp * P.cpi * sizeof(float)) +
           wround64((size_t)P.a * P.a * ntp * P.cpo * sizeof(float));
}

/* G of F(4x4) and of F(2x2), a x 3 */
static const double G4[6][3] = {{1.0 / 4, 0, 0},
                                {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                {0, 0, 1}};
static const double G2[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};

/* U[pos][cout_blk][cpad(cin) ic][16 oc] = (G g G^T)[pos], zero for padding
 * channels, then the bias [cpad(cout)]. */
void gsc_fast_winograd_prepare(const float *wt, const float *bias, int cin, int cout, int m, float *packed)
{
    gsc_fast_winograd_prepare_bn(wt, bias, NULL, 0.0, cin, cout, m, packed);
}

/* With a batchnorm folded in: s * (G g G^T) (the transform is linear) in
 * double, rounded once. */
void gsc_fast_winograd_prepare_bn(const float *wt, const float *bias, const float *bn, double eps, int cin, int cout,
                                  int m, float *packed)
{
    int a = m + 2, cpi = GSC_FAST_CPAD(cin), cpo = GSC_FAST_CPAD(cout), co, ci, i, j, r, c;
    size_t npos = (size_t)a * a;
    double sc[16];
    memset(packed, 0, sizeof(float) * (size_t)gsc_fast_winograd_packed_floats(cin, cout, m));
    for (co = 0; co < cout; co++)
        for (ci = 0; ci < cin; ci++) {
            if (co % 16 == 0 && ci == 0)
                gsc_fast_bn_fold_scales(bn, cout, eps, co, sc);
            const float *g = wt + ((size_t)co * cin + ci) * 9;
            double t[6][3];
            for (i = 0; i < a; i++)
                for (c = 0; c < 3; c++) {
                    double s = 0;
                    for (r = 0; r < 3; r++)
                        s += (m == 4 ? G4[i][r] : G2[i][r]) * g[r * 3 + c];
                    t[i][c] = s;
                }
            for (i = 0; i < a; i++)
                for (j = 0; j < a; j++) {
                    double s = 0;
                    for (c = 0; c < 3; c++)
                        s += t[i][c] * (m == 4 ? G4[j][c] : G2[j][c]);
                    packed[(((size_t)(i * a + j) * (cpo / 16) + co / 16) * cpi + ci) * 16 + co % 16] =
                        (float)(s * sc[co % 16]);
                }
        }
    gsc_fast_bn_fold_bias(bias, bn, cout, eps, packed + npos * cpi * cpo);
}

/* ------------------------------------------------ the 1-D transforms
 * d[k * s] -> r[k * rs], VT vectors (each lane its own channel). */
GF_INLINE void bt4(const VT *d, int s, VT *r, int rs)
{
    VT d0 = d[0], d1 = d[s], d2 = d[2 * s], d3 = d[3 * s], d4 = d[4 * s], d5 = d[5 * s];
    VT four = VSET1(4.0f), five = VSET1(5.0f), two = VSET1(2.0f);
    VT t1 = VSUB(d4, VMUL(four, d2)); /* d4 - 4 d2 */
    VT t2 = VSUB(d3, VMUL(four, d1)); /* d3 - 4 d1 */
    VT t3 = VSUB(d4, d2);
    VT t4 = VMUL(two, VSUB(d3, d1));
    r[0] = VADD(VFMA(four, d0, VMUL(VSET1(-5.0f), d2)), d4);
    r[rs] = VADD(t1, t2);
    r[2 * rs] = VSUB(t1, t2);
    r[3 * rs] = VADD(t3, t4);
    r[4 * rs] = VSUB(t3, t4);
    r[5 * rs] = VADD(VSUB(VMUL(four, d1), VMUL(five, d3)), d5);
}

GF_INLINE void bt2(const VT *d, int s, VT *r, int rs)
{
    VT d0 = d[0], d1 = d[s], d2 = d[2 * s], d3 = d[3 * s];
    r[0] = VSUB(d0, d2);
    r[rs] = VADD(d1, d2);
    r[2 * rs] = VSUB(d2, d1);
    r[3 * rs] = VSUB(d1, d3);
}

GF_INLINE void at4(const VT *d, int s, VT *r, int rs)
{
    VT m1 = d[s], m2 = d[2 * s], m3 = d[3 * s], m4 = d[4 * s];
    VT p12 = VADD(m1, m2), d12 = VSUB(m1, m2), p34 = VADD(m3, m4), d34 = VSUB(m3, m4);
    r[0] = VADD(VADD(d[0], p12), p34);
    r[rs] = VFMA(VSET1(2.0f), d34, d12);
    r[2 * rs] = VFMA(VSET1(4.0f), p34, p12);
    r[3 * rs] = VADD(VFMA(VSET1(8.0f), d34, d12), d[5 * s]);
}

GF_INLINE void at2(const VT *d, int s, VT *r, int rs)
{
    VT m1 = d[s], m2 = d[2 * s];
    r[0] = VADD(VADD(d[0], m1), m2);
    r[rs] = VSUB(VSUB(m1, m2), d[3 * s]);
}

/* Pass 1 for one tile and one 16-channel block: V[pos][tile][cb*16 ..]. */
GF_INLINE void input_tile(const WinoPlan *P, const int m, const GscFastConv *g, const float *x, const float *in_ss,
                          int relu, int tile, int cb, float *V)
{
    enum { A = 6 };
    const int a = m + 2;
    int v, r, c;
    size_t vstride = (size_t)P->ntp * P->cpi; /* floats between positions */
    float *out = V + (size_t)tile * P->cpi + (size_t)cb * 16;
    if (tile >= P->ntiles) { /* padding tiles of the last strip */
        for (r = 0; r < a * a; r++)
            memset(out + r * vstride, 0, 16 * sizeof(float));
        return;
    }
    int y0 = (tile / P->tw) * m - g->pad, x0 = (tile % P->tw) * m - g->pad;
    const float *xb = x + (size_t)cb * 16 * g->h * g->w;
    for (v = 0; v < NV; v++) {
        VT d[A * A], t[A * A], sc = VSET1(1.0f), sh = VZERO();
        if (in_ss) {
            sc = VLOAD(in_ss + cb * 16 + v * VW);
            sh = VLOAD(in_ss + P->cpi + cb * 16 + v * VW);
        }
        for (r = 0; r < a; r++)
            for (c = 0; c < a; c++) {
                int iy = y0 + r, ix = x0 + c;
                VT e = VZERO();
                if (iy >= 0 && iy < g->h && ix >= 0 && ix < g->w) {
                    e = VLOAD(xb + ((size_t)iy * g->w + ix) * 16 + v * VW);
                    if (in_ss)
                        e = VFMA(e, sc, sh);
                    if (relu)
                        e = VMAX(e, VZERO());
                }
                d[r * A + c] = e;
            }
        for (c = 0; c < a; c++) /* columns: t = B^T d */
            if (m == 4)
                bt4(d + c, A, t + c, A);
            else
                bt2(d + c, A, t + c, A);
        for (r = 0; r < a; r++) /* rows: (B^T d) B */
            if (m == 4)
                bt4(t + r * A, 1, d + r * A, 1);
            else
                bt2(t + r * A, 1, d + r * A, 1);
        for (r = 0; r < a; r++)
            for (c = 0; c < a; c++)
                VSTORE(out + (size_t)(r * a + c) * vstride + v * VW, d[r * A + c]);
    }
}

/* Pass 2: NB output blocks x TNP tiles of M[pos] = V[pos] U[pos]. */
GF_INLINE void gemm_tile(const float *Vp, const float *Up, float *Mp, int cpi, int cpo, const int NB)
{
    VT acc[TNB][TNP][NV];
    int j, p, v, ic;
    for (j = 0; j < NB; j++)
        for (p = 0; p < TNP; p++)
            for (v = 0; v < NV; v++)
                acc[j][p][v] = VZERO();
    GF_NO_UNROLL
    for (ic = 0; ic < cpi; ic++) {
        VT wv[TNB][NV];
        for (j = 0; j < NB; j++)
            for (v = 0; v < NV; v++)
                wv[j][v] = VLOAD(Up + (size_t)j * cpi * 16 + ic * 16 + v * VW);
        for (p = 0; p < TNP; p++) {
            VT b = VSET1(Vp[(size_t)p * cpi + ic]);
            for (j = 0; j < NB; j++)
                for (v = 0; v < NV; v++)
                    acc[j][p][v] = VFMA(wv[j][v], b, acc[j][p][v]);
        }
    }
    for (j = 0; j < NB; j++)
        for (p = 0; p < TNP; p++)
            for (v = 0; v < NV; v++)
                VSTORE(Mp + (size_t)p * cpo + j * 16 + v * VW, acc[j][p][v]);
}

/* Pass 3 for one tile and one output block: y = A^T M A + bias. */
GF_INLINE void output_tile(const WinoPlan *P, const int m, const float *M, const float *bias, int tile, int ob,
                           float *y)
{
    enum { A = 6 };
    const int a = m + 2;
    int v, r, c;
    size_t mstride = (size_t)P->ntp * P->cpo;
    const float *in = M + (size_t)tile * P->cpo + (size_t)ob * 16;
    int y0 = (tile / P->tw) * m, x0 = (tile % P->tw) * m;
    float *yb = y + (size_t)ob * 16 * P->oh * P->ow;
    for (v = 0; v < NV; v++) {
        VT d[A * A], t[A * A], b = VLOAD(bias + ob * 16 + v * VW);
        for (r = 0; r < a; r++)
            for (c = 0; c < a; c++)
                d[r * A + c] = VLOAD(in + (size_t)(r * a + c) * mstride + v * VW);
        for (c = 0; c < a; c++) /* columns: t = A^T d (m rows) */
            if (m == 4)
                at4(d + c, A, t + c, A);
            else
                at2(d + c, A, t + c, A);
        for (r = 0; r < m; r++) /* rows: (A^T d) A */
            if (m == 4)
                at4(t + r * A, 1, d + r * A, 1);
            else
                at2(t + r * A, 1, d + r * A, 1);
        for (r = 0; r < m && y0 + r < P->oh; r++)
            for (c = 0; c < m && x0 + c < P->ow; c++)
                VSTORE(yb + ((size_t)(y0 + r) * P->ow + x0 + c) * 16 + v * VW, VADD(d[r * A + c], b));
    }
}

void gsc_fast_conv2d_winograd(const GscFastConv *g, int m, const float *x, const float *packed, const float *in_ss,
                              int flags, float *y, float *moments, void *ws)
{
    WinoPlan P;
    int t, nwork, relu = (flags & GSC_ACT_MASK) == GSC_ACT_RELU;
    wino_plan(&P, g, m);
    size_t npos = (size_t)P.a * P.a;
    size_t wsn = (size_t)(P.ntiles + 13) / 14 * 14 + 14;
    float *V = (float *)ws;
    float *M = (float *)((char *)ws + wround64(npos * wsn * P.cpi * sizeof(float)));
    const float *bias = packed + npos * P.cpi * P.cpo;

    nwork = P.ntp * P.ncbi;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (t = 0; t < nwork; t++) {
        if (m == 4)
            input_tile(&P, 4, g, x, in_ss, relu, t / P.ncbi, t % P.ncbi, V);
        else
            input_tile(&P, 2, g, x, in_ss, relu, t / P.ncbi, t % P.ncbi, V);
    }

    nwork = (int)npos * P.ngroups * P.nstrips;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (t = 0; t < nwork; t++) {
        int pos = t / (P.ngroups * P.nstrips), rest = t % (P.ngroups * P.nstrips);
        int grp = rest / P.nstrips, strip = rest % P.nstrips;
        int ob = grp * TNB, nb = P.ncbo - ob < TNB ? P.ncbo - ob : TNB;
        const float *Vp = V + ((size_t)pos * P.ntp + (size_t)strip * TNP) * P.cpi;
        const float *Up = packed + ((size_t)pos * P.ncbo + ob) * P.cpi * 16;
        float *Mp = M + ((size_t)pos * P.ntp + (size_t)strip * TNP) * P.cpo + (size_t)ob * 16;
#if TNB > 1
        if (nb == TNB) {
            gemm_tile(Vp, Up, Mp, P.cpi, P.cpo, TNB);
            continue;
        }
#endif
        (void)nb;
        gemm_tile(Vp, Up, Mp, P.cpi, P.cpo, 1);
    }

    nwork = P.ntiles * P.ncbo;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (t = 0; t < nwork; t++) {
        if (m == 4)
            output_tile(&P, 4, M, bias, t / P.ncbo, t % P.ncbo, y);
        else
            output_tile(&P, 2, M, bias, t / P.ncbo, t % P.ncbo, y);
    }

    if (moments)
        gsc_fast_moments(y, g->cout, P.oh, P.ow, moments);
}
