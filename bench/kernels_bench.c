/*
 * kernels_bench.c - ResNet-18 (3x224x224, one image, float32, train-time BN)
 * built only from the gsc_fast kernels: validates every kernel against a
 * naive float64 reference on the real layer shapes, then times the whole
 * forward pass per layer for 1 and 2 threads.
 *
 *   gcc -O3 -march=native -fopenmp -Iruntime bench/kernels_bench.c \
 *       runtime/gsc_fast.c runtime/gsc_kernels.c -lm -o /tmp/kb && /tmp/kb [runs]
 *
 * Error metric: max |fast - ref| / max |ref| over the tensor (normwise
 * relative error), limit 1e-4. Weights: the seed's LCG init (SEMANTICS.md);
 * biases, gamma and beta are NOT the seed's 0/1/0 but random (bias +-0.1,
 * gamma 0.5..1.5, beta +-0.1) so the validation exercises them.
 */
#define _POSIX_C_SOURCE 200112L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "gsc_fast.h"
#include "gsc_runtime.h"

#define TOL 1e-4

static double now(void)
{
#ifdef _OPENMP
    return omp_get_wtime();
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
#endif
}

/* 64-byte aligned, zeroed, never freed (the bench lives once). */
static void *amalloc(size_t bytes)
{
    char *p = calloc(bytes + 64, 1);
    uintptr_t a;
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    a = ((uintptr_t)p + 63) & ~(uintptr_t)63;
    return (void *)a;
}
static float *fa(size_t n) { return amalloc(n * sizeof(float)); }
static double *da(size_t n) { return amalloc(n * sizeof(double)); }

/* the seed's LCG stream: element i = -0.1 + LCG^(i+1)(seed) / 2^32 * 0.2 */
static void lcg_fill(float *p, size_t n, uint32_t seed, double lo, double hi)
{
    size_t i;
    uint32_t s = seed;
    for (i = 0; i < n; i++) {
        s = 1664525u * s + 1013904223u;
        p[i] = (float)(lo + ((double)s / 4294967296.0) * (hi - lo));
    }
}

/* ------------------------------------------------------------- network */

typedef struct {
    const char *name;
    int cin, cout, k, s, p, h, w; /* input h, w */
    int oh, ow;
    float *wt, *bias, *gamma, *beta; /* PyTorch layouts */
    float *packed;
} Conv;

#define NCONV 20
static Conv convs[NCONV];
static int nconv;
static float *fc_w, *fc_b, *fc_packed;
static float *input; /* [3, 224, 224] */

static int add_conv(const char *name, int cin, int cout, int k, int s, int p,
                    int h, int w, uint32_t seed)
{
    Conv *c = &convs[nconv];
    size_t nw = (size_t)cout * cin * k * k;
    c->name = name;
    c->cin = cin; c->cout = cout; c->k = k; c->s = s; c->p = p;
    c->h = h; c->w = w;
    c->oh = gsc_out_size(h, k, s, p);
    c->ow = gsc_out_size(w, k, s, p);
    c->wt = fa(nw);
    lcg_fill(c->wt, nw, seed, -0.1, 0.1);
    c->bias = fa(cout);
    lcg_fill(c->bias, cout, seed + 1000, -0.1, 0.1);
    c->gamma = fa(cout);
    lcg_fill(c->gamma, cout, seed + 2000, 0.5, 1.5);
    c->beta = fa(cout);
    lcg_fill(c->beta, cout, seed + 3000, -0.1, 0.1);
    c->packed = fa(gsc_fast_conv_packed_floats(cin, cout, k, 1));
    gsc_fast_conv_prepare(c->wt, c->bias, cin, cout, k, 1, c->packed);
    return nconv++;
}

/* Block structure: conv indices per block (proj = -1 for identity skip). */
typedef struct { int c1, c2, proj; } Block;
static Block blocks[8];
static int stem;

static void build(void)
{
    static const char *names[] = {
        "layer1.0.conv1", "layer1.0.conv2", "layer1.1.conv1", "layer1.1.conv2",
        "layer2.0.conv1", "layer2.0.conv2", "layer2.0.downsample", "layer2.1.conv1", "layer2.1.conv2",
        "layer3.0.conv1", "layer3.0.conv2", "layer3.0.downsample", "layer3.1.conv1", "layer3.1.conv2",
        "layer4.0.conv1", "layer4.0.conv2", "layer4.0.downsample", "layer4.1.conv1", "layer4.1.conv2"};
    int widths[4] = {64, 128, 256, 512};
    int st, b, hw = 56, cin = 64, ni = 0, bi = 0;
    uint32_t seed = 0;
    stem = add_conv("conv1 (stem 7x7 s2)", 3, 64, 7, 2, 3, 224, 224, seed);
    seed += 4;
    for (st = 0; st < 4; st++)
        for (b = 0; b < 2; b++) {
            int s = (st > 0 && b == 0) ? 2 : 1, ohw = (hw - 1) / s + 1;
            Block *B = &blocks[bi++];
            B->c1 = add_conv(names[ni++], cin, widths[st], 3, s, 1, hw, hw, seed);
            seed += 4;
            B->c2 = add_conv(names[ni++], widths[st], widths[st], 3, 1, 1, ohw, ohw, seed);
            seed += 4;
            B->proj = -1;
            if (s == 2) {
                B->proj = add_conv(names[ni++], cin, widths[st], 1, 2, 0, hw, hw, seed);
                seed += 4;
            }
            cin = widths[st];
            hw = ohw;
        }
    fc_w = fa(1000 * 512);
    lcg_fill(fc_w, 1000 * 512, 80, -0.1, 0.1);
    fc_b = fa(1000);
    lcg_fill(fc_b, 1000, 81, -0.1, 0.1);
    fc_packed = fa(gsc_fast_linear_packed_floats(512, 1000));
    gsc_fast_linear_prepare(fc_w, fc_b, 512, 1000, fc_packed);
    input = fa(3 * 224 * 224);
    lcg_fill(input, 3 * 224 * 224, 12345, -1.0, 1.0);
}

static double conv_flop(const Conv *c)
{
    return 2.0 * c->cout * c->oh * c->ow * (double)c->cin * c->k * c->k;
}

/* ------------------------------------------------- reference (float64, CHW) */

static void ref_conv(const double *x, const Conv *c, double *y)
{
    int co, ci, oy, ox, ky, kx;
    for (co = 0; co < c->cout; co++)
        for (oy = 0; oy < c->oh; oy++)
            for (ox = 0; ox < c->ow; ox++) {
                double acc = c->bias[co];
                for (ci = 0; ci < c->cin; ci++)
                    for (ky = 0; ky < c->k; ky++) {
                        int iy = oy * c->s - c->p + ky;
                        const double *xr;
                        const float *wr;
                        if (iy < 0 || iy >= c->h)
                            continue;
                        xr = x + ((size_t)ci * c->h + iy) * c->w;
                        wr = c->wt + (((size_t)co * c->cin + ci) * c->k + ky) * c->k;
                        for (kx = 0; kx < c->k; kx++) {
                            int ix = ox * c->s - c->p + kx;
                            if (ix >= 0 && ix < c->w)
                                acc += xr[ix] * wr[kx];
                        }
                    }
                y[((size_t)co * c->oh + oy) * c->ow + ox] = acc;
            }
}

/* mean/var per channel, then y = bn(x) [+ r] [relu] ; mom[2][c] */
static void ref_moments(const double *x, int c, int hw, double *mean, double *var)
{
    int ch, i;
    for (ch = 0; ch < c; ch++) {
        double s = 0, m2 = 0, m;
        for (i = 0; i < hw; i++)
            s += x[(size_t)ch * hw + i];
        m = s / hw;
        for (i = 0; i < hw; i++) {
            double d = x[(size_t)ch * hw + i] - m;
            m2 += d * d;
        }
        mean[ch] = m;
        var[ch] = m2 / hw;
    }
}

static void ref_bn(const double *x, int c, int hw, const float *g,
                   const float *b, double *y)
{
    double mean[512], var[512];
    int ch, i;
    ref_moments(x, c, hw, mean, var);
    for (ch = 0; ch < c; ch++) {
        double sc = g[ch] / sqrt(var[ch] + 1e-6);
        for (i = 0; i < hw; i++)
            y[(size_t)ch * hw + i] = (x[(size_t)ch * hw + i] - mean[ch]) * sc + b[ch];
    }
}

static void ref_relu(double *x, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        x[i] = x[i] > 0 ? x[i] : 0;
}

static void ref_maxpool(const double *x, int c, int h, int w, int k, int s,
                        int p, double *y)
{
    int oh = gsc_out_size(h, k, s, p), ow = gsc_out_size(w, k, s, p);
    int ch, oy, ox, ky, kx;
    for (ch = 0; ch < c; ch++)
        for (oy = 0; oy < oh; oy++)
            for (ox = 0; ox < ow; ox++) {
                double best = 0;
                int seen = 0;
                for (ky = 0; ky < k; ky++)
                    for (kx = 0; kx < k; kx++) {
                        int iy = oy * s - p + ky, ix = ox * s - p + kx;
                        double v;
                        if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                            continue;
                        v = x[((size_t)ch * h + iy) * w + ix];
                        if (!seen || v > best)
                            best = v;
                        seen = 1;
                    }
                y[((size_t)ch * oh + oy) * ow + ox] = best;
            }
}

/* --------------------------------------------------------- comparisons */

static int nfail;

/* fast is blocked [c,h,w] (blocked=1) or plain; ref is plain double. */
static double cmp(const char *what, const float *fast, int blocked, const double *ref,
                  int c, int h, int w)
{
    double maxref = 0, maxerr = 0, rel;
    int ch, i, hw = h * w;
    for (ch = 0; ch < c; ch++)
        for (i = 0; i < hw; i++) {
            double r = ref[(size_t)ch * hw + i];
            double f = blocked ? fast[((size_t)(ch / 16) * hw + i) * 16 + ch % 16]
                               : fast[(size_t)ch * hw + i];
            double e = fabs(f - r);
            if (fabs(r) > maxref) maxref = fabs(r);
            if (e > maxerr || e != e) maxerr = e != e ? 1e30 : e;
        }
    rel = maxref > 0 ? maxerr / maxref : maxerr;
    if (!(rel <= TOL)) nfail++;
    printf("  %-44s rel err %.2e %s\n", what, rel, rel <= TOL ? "ok" : "FAIL");
    return rel;
}

static float *to_blocked_f(const double *x, int c, int h, int w)
{
    float *plain = fa((size_t)c * h * w), *b = fa(GSC_FAST_ACT_FLOATS(c, h, w));
    size_t i;
    for (i = 0; i < (size_t)c * h * w; i++)
        plain[i] = (float)x[i];
    gsc_fast_from_chw(plain, c, h, w, b);
    return b;
}

/* ------------------------------------------------------------- the forward */

/* activations and scratch for the fast forward */
static float *A_stem, *A_pool, *A_t1[8], *A_t2[8], *A_tp[8], *A_out[8];
static float *V_pool, *V_logits, *mom, *ss1, *ss2, *ssp;
static void *ws;

static void alloc_fast(void)
{
    size_t wsb = 0;
    int i;
    for (i = 0; i < nconv; i++) {
        Conv *c = &convs[i];
        size_t b = gsc_fast_conv_workspace_bytes(&(GscFastConv){c->cin, c->h, c->w, c->cout, c->k, c->s, c->p, 1});
        if (b > wsb) wsb = b;
    }
    ws = amalloc(wsb);
    A_stem = fa(GSC_FAST_ACT_FLOATS(64, 112, 112));
    A_pool = fa(GSC_FAST_ACT_FLOATS(64, 56, 56));
    for (i = 0; i < 8; i++) {
        Conv *c = &convs[blocks[i].c1];
        A_t1[i] = fa(GSC_FAST_ACT_FLOATS(c->cout, c->oh, c->ow));
        A_t2[i] = fa(GSC_FAST_ACT_FLOATS(c->cout, c->oh, c->ow));
        A_tp[i] = fa(GSC_FAST_ACT_FLOATS(c->cout, c->oh, c->ow));
        A_out[i] = fa(GSC_FAST_ACT_FLOATS(c->cout, c->oh, c->ow));
    }
    V_pool = fa(512);
    V_logits = fa(1024);
    mom = fa(2 * 512);
    ss1 = fa(2 * 512);
    ss2 = fa(2 * 512);
    ssp = fa(2 * 512);
}

/* timing slots: one per conv (incl. its BN fold and what follows fused) */
#define MAXOP 40
static const char *op_name[MAXOP];
static double op_flop[MAXOP];
static int nop;
static double *op_time; /* [nop] for the current run */

#define TIME(id, name, flop, stmt)                                  \
    do {                                                            \
        int i_ = (id);                                              \
        double t0_ = now();                                         \
        stmt;                                                       \
        if (op_time) op_time[i_] += now() - t0_;                    \
        op_name[i_] = (name);                                       \
        op_flop[i_] = (flop);                                       \
    } while (0)

static void fast_forward(void)
{
    int b, id = 0;
    Conv *c = &convs[stem];
    const float *x;
    TIME(id++, "conv1 (stem 7x7 s2) + stats", conv_flop(c),
         gsc_fast_conv2d(&(GscFastConv){3, 224, 224, 64, 7, 2, 3, 1}, input, c->packed, NULL, GSC_FAST_IN_CHW, A_stem, mom, ws));
    TIME(id++, "bn1+relu+maxpool 3x3 s2", 0,
         (gsc_fast_bn_fold(mom, c->gamma, c->beta, 64, ss1),
          gsc_fast_maxpool2d(&(GscFastPool){64, 112, 112, 3, 2, 1, 0}, A_stem, ss1, 1, A_pool)));
    x = A_pool;
    for (b = 0; b < 8; b++) {
        Conv *c1 = &convs[blocks[b].c1], *c2 = &convs[blocks[b].c2];
        int C = c1->cout, H = c1->oh, W = c1->ow;
        TIME(id++, c1->name, conv_flop(c1),
             (gsc_fast_conv2d(&(GscFastConv){c1->cin, c1->h, c1->w, C, 3, c1->s, 1, 1}, x, c1->packed, NULL, 0, A_t1[b], mom, ws),
              gsc_fast_bn_fold(mom, c1->gamma, c1->beta, C, ss1)));
        TIME(id++, c2->name, conv_flop(c2),
             (gsc_fast_conv2d(&(GscFastConv){C, H, W, C, 3, 1, 1, 1}, A_t1[b], c2->packed, ss1, GSC_FAST_RELU, A_t2[b], mom, ws),
              gsc_fast_bn_fold(mom, c2->gamma, c2->beta, C, ss2)));
        if (blocks[b].proj >= 0) {
            Conv *cp = &convs[blocks[b].proj];
            TIME(id++, cp->name, conv_flop(cp),
                 (gsc_fast_conv2d(&(GscFastConv){cp->cin, cp->h, cp->w, C, 1, 2, 0, 1}, x, cp->packed, NULL, 0, A_tp[b], mom, ws),
                  gsc_fast_bn_fold(mom, cp->gamma, cp->beta, C, ssp)));
            TIME(id++, "  bn2+bn_proj+add+relu", 0,
                 gsc_fast_bn_apply(A_t2[b], C, H, W, ss2, A_tp[b], ssp, 1, A_out[b]));
        } else {
            TIME(id++, "  bn2+add+relu", 0,
                 gsc_fast_bn_apply(A_t2[b], C, H, W, ss2, x, NULL, 1, A_out[b]));
        }
        x = A_out[b];
    }
    TIME(id++, "avgpool+fc", 2.0 * 512 * 1000,
         (gsc_fast_global_avgpool(x, 512, 7, 7, V_pool),
          gsc_fast_linear(V_pool, 512, fc_packed, 1000, V_logits)));
    nop = id;
}

/* -------------------------------------------------------- validation */

static double *ref_logits;

static void validate(void)
{
    double *x, *y, *t, *t1, *t2, *tp, *r;
    double mean[512], var[512];
    float *xb, *yb, *mm;
    int b, i, cpo;
    Conv *c = &convs[stem];
    size_t maxn = (size_t)64 * 112 * 112;
    printf("validation (naive float64 reference, real ResNet-18 shapes, %s path):\n",
           gsc_fast_isa());
    x = da(maxn); y = da(maxn); t = da(maxn); t1 = da(maxn); t2 = da(maxn);
    tp = da(maxn); r = da(maxn);
    yb = fa(maxn); mm = fa(2 * 512);

    /* stem: conv reading CHW directly, with stats */
    for (i = 0; i < 3 * 224 * 224; i++)
        x[i] = input[i];
    ref_conv(x, c, y);
    gsc_fast_conv2d(&(GscFastConv){3, 224, 224, 64, 7, 2, 3, 1}, input, c->packed, NULL, GSC_FAST_IN_CHW, yb, mm, ws);
    cmp("conv1 7x7 s2 (CHW input)", yb, 1, y, 64, 112, 112);
    ref_moments(y, 64, 112 * 112, mean, var);
    cmp("  fused stats: mean", mm, 0, mean, 1, 1, 64);
    cmp("  fused stats: var", mm + 64, 0, var, 1, 1, 64);
    /* same from a blocked input */
    xb = to_blocked_f(x, 3, 224, 224);
    gsc_fast_conv2d(&(GscFastConv){3, 224, 224, 64, 7, 2, 3, 1}, xb, c->packed, NULL, 0, yb, NULL, ws);
    cmp("conv1 7x7 s2 (blocked input)", yb, 1, y, 64, 112, 112);
    /* bn + relu + maxpool */
    ref_bn(y, 64, 112 * 112, c->gamma, c->beta, t);
    ref_relu(t, maxn);
    ref_maxpool(t, 64, 112, 112, 3, 2, 1, x); /* x = pooled */
    {
        float *yf = to_blocked_f(y, 64, 112, 112), *ss = fa(2 * 64), *pb = fa(64 * 56 * 56);
        gsc_fast_moments(yf, 64, 112, 112, mm);
        gsc_fast_bn_fold(mm, c->gamma, c->beta, 64, ss);
        gsc_fast_maxpool2d(&(GscFastPool){64, 112, 112, 3, 2, 1, 0}, yf, ss, 1, pb);
        cmp("moments + bn_fold + maxpool(bn,relu) fused", pb, 1, x, 64, 56, 56);
        gsc_fast_bn_apply(yf, 64, 112, 112, ss, NULL, NULL, 1, yf);
        cmp("bn_apply + relu (in place)", yf, 1, t, 64, 112, 112);
        gsc_fast_maxpool2d(&(GscFastPool){64, 112, 112, 3, 2, 1, 0}, yf, NULL, 0, pb);
        cmp("maxpool 3x3 s2 p1 (plain)", pb, 1, x, 64, 56, 56);
    }
    /* blocks, feeding each kernel the float-rounded reference input */
    for (b = 0; b < 8; b++) {
        Conv *c1 = &convs[blocks[b].c1], *c2 = &convs[blocks[b].c2];
        int C = c1->cout, H = c1->oh, W = c1->ow;
        size_t n = (size_t)C * H * W;
        float *ss = fa(2 * 512), *ssq = fa(2 * 512), *zb;
        char buf[96];
        cpo = GSC_FAST_CPAD(C);
        xb = to_blocked_f(x, c1->cin, c1->h, c1->w);
        ref_conv(x, c1, t1);
        gsc_fast_conv2d(&(GscFastConv){c1->cin, c1->h, c1->w, C, 3, c1->s, 1, 1}, xb, c1->packed, NULL, 0, yb, mm, ws);
        sprintf(buf, "%s 3x3 s%d %dx%dx%d", c1->name, c1->s, C, H, W);
        cmp(buf, yb, 1, t1, C, H, W);
        ref_moments(t1, C, H * W, mean, var);
        cmp("  fused stats: mean", mm, 0, mean, 1, 1, C);
        cmp("  fused stats: var", mm + cpo, 0, var, 1, 1, C);
        /* conv2 with the fused input transform bn1 + relu */
        ref_bn(t1, C, H * W, c1->gamma, c1->beta, t);
        ref_relu(t, n);
        ref_conv(t, c2, t2);
        gsc_fast_bn_fold(mm, c1->gamma, c1->beta, C, ss);
        zb = to_blocked_f(t1, C, H, W);
        gsc_fast_conv2d(&(GscFastConv){C, H, W, C, 3, 1, 1, 1}, zb, c2->packed, ss, GSC_FAST_RELU, yb, mm, ws);
        sprintf(buf, "%s (input bn+relu fused)", c2->name);
        cmp(buf, yb, 1, t2, C, H, W);
        ref_moments(t2, C, H * W, mean, var);
        cmp("  fused stats: var", mm + cpo, 0, var, 1, 1, C);
        gsc_fast_bn_fold(mm, c2->gamma, c2->beta, C, ss);
        ref_bn(t2, C, H * W, c2->gamma, c2->beta, r); /* r = bn2(t2) */
        zb = to_blocked_f(t2, C, H, W);
        if (blocks[b].proj >= 0) {
            Conv *cp = &convs[blocks[b].proj];
            float *pb = fa(GSC_FAST_ACT_FLOATS(C, H, W));
            ref_conv(x, cp, tp);
            gsc_fast_conv2d(&(GscFastConv){cp->cin, cp->h, cp->w, C, 1, 2, 0, 1}, xb, cp->packed, NULL, 0, pb, mm, ws);
            sprintf(buf, "%s 1x1 s2", cp->name);
            cmp(buf, pb, 1, tp, C, H, W);
            gsc_fast_bn_fold(mm, cp->gamma, cp->beta, C, ssq);
            ref_bn(tp, C, H * W, cp->gamma, cp->beta, t);
            for (i = 0; i < (int)n; i++)
                r[i] += t[i];
            ref_relu(r, n);
            gsc_fast_bn_apply(zb, C, H, W, ss, pb, ssq, 1, yb);
            cmp("  bn2 + bn_proj + add + relu", yb, 1, r, C, H, W);
        } else {
            for (i = 0; i < (int)n; i++)
                r[i] += x[i];
            ref_relu(r, n);
            gsc_fast_bn_apply(zb, C, H, W, ss, xb, NULL, 1, yb);
            cmp("  bn2 + add + relu", yb, 1, r, C, H, W);
        }
        memcpy(x, r, n * sizeof(double));
    }
    /* head */
    {
        double v[512], lg[1000];
        float *xf = to_blocked_f(x, 512, 7, 7), vf[512], *lf = fa(1000), *sm = fa(1000);
        double mx = -1e300, s = 0;
        int o;
        for (i = 0; i < 512; i++) {
            double sum = 0;
            int j;
            for (j = 0; j < 49; j++)
                sum += x[i * 49 + j];
            v[i] = sum / 49;
            vf[i] = (float)v[i];
        }
        gsc_fast_global_avgpool(xf, 512, 7, 7, fa(512));
        {
            float *gv = fa(512);
            gsc_fast_global_avgpool(xf, 512, 7, 7, gv);
            cmp("global avgpool 512x7x7", gv, 0, v, 1, 1, 512);
        }
        for (o = 0; o < 1000; o++) {
            double acc = fc_b[o];
            for (i = 0; i < 512; i++)
                acc += (double)fc_w[(size_t)o * 512 + i] * v[i];
            lg[o] = acc;
        }
        gsc_fast_linear(vf, 512, fc_packed, 1000, lf);
        cmp("linear 512 -> 1000", lf, 0, lg, 1, 1, 1000);
        ref_logits = da(1000);
        memcpy(ref_logits, lg, sizeof lg);
        for (o = 0; o < 1000; o++)
            if (lg[o] > mx) mx = lg[o];
        for (o = 0; o < 1000; o++)
            s += exp(lg[o] - mx);
        for (o = 0; o < 1000; o++)
            lg[o] = exp(lg[o] - mx) / s;
        gsc_softmax(lf, 1000, sm);
        cmp("softmax 1000", sm, 0, lg, 1, 1, 1000);
    }
    /* the generic ops ResNet-18 does not use, on odd shapes */
    {
        int C = 37, H = 13, W = 11, C2 = 21, k, o;
        size_t n = (size_t)C * H * W;
        double *rx = da(n), *ry = da((size_t)(C + C2) * H * W);
        float *px = fa(n), *bx, *by = fa(GSC_FAST_ACT_FLOATS(C + C2, H, W)), *bz, *pk, *mm2 = fa(128);
        float *pz = fa(GSC_FAST_ACT_FLOATS(C + C2, H, W));
        Conv cc;
        lcg_fill(px, n, 777, -1, 1);
        for (i = 0; i < (int)n; i++)
            rx[i] = px[i];
        bx = fa(GSC_FAST_ACT_FLOATS(C, H, W));
        gsc_fast_from_chw(px, C, H, W, bx);
        gsc_fast_to_chw(bx, C, H, W, pz);
        cmp("from_chw/to_chw 37x13x11", pz, 0, rx, C, H, W);
        /* odd conv shapes: k 3/5/1, stride 1/2/3, pad 0/1/2, cin 37, cout 21 */
        for (k = 0; k < 4; k++) {
            static const int kk[4] = {3, 5, 1, 4}, ss_[4] = {1, 2, 1, 3}, pp[4] = {1, 2, 0, 2};
            char buf[96];
            cc.name = "odd"; cc.cin = C; cc.cout = C2; cc.k = kk[k]; cc.s = ss_[k]; cc.p = pp[k];
            cc.h = H; cc.w = W;
            cc.oh = gsc_out_size(H, cc.k, cc.s, cc.p);
            cc.ow = gsc_out_size(W, cc.k, cc.s, cc.p);
            cc.wt = fa((size_t)C2 * C * cc.k * cc.k);
            lcg_fill(cc.wt, (size_t)C2 * C * cc.k * cc.k, 99 + k, -0.1, 0.1);
            cc.bias = fa(C2);
            lcg_fill(cc.bias, C2, 5, -0.1, 0.1);
            pk = fa(gsc_fast_conv_packed_floats(C, C2, cc.k, 1));
            gsc_fast_conv_prepare(cc.wt, cc.bias, C, C2, cc.k, 1, pk);
            ref_conv(rx, &cc, ry);
            bz = fa(GSC_FAST_ACT_FLOATS(C2, cc.oh, cc.ow));
            {
                void *w2 = amalloc(gsc_fast_conv_workspace_bytes(&(GscFastConv){C, H, W, C2, cc.k, cc.s, cc.p, 1}));
                gsc_fast_conv2d(&(GscFastConv){C, H, W, C2, cc.k, cc.s, cc.p, 1}, bx, pk, NULL, 0, bz, mm2, w2);
            }
            sprintf(buf, "conv %d->%d k%d s%d p%d on %dx%d", C, C2, cc.k, cc.s, cc.p, H, W);
            cmp(buf, bz, 1, ry, C2, cc.oh, cc.ow);
            ref_moments(ry, C2, cc.oh * cc.ow, mean, var);
            cmp("  fused stats: var", mm2 + 32, 0, var, 1, 1, C2);
        }
        /* concat, avgpool, relu, add */
        lcg_fill(px, (size_t)C2 * H * W, 4242, -1, 1);
        bz = fa(GSC_FAST_ACT_FLOATS(C2, H, W));
        gsc_fast_from_chw(px, C2, H, W, bz);
        gsc_fast_copy_channels(bx, C, H, W, by, C + C2, 0);
        gsc_fast_copy_channels(bz, C2, H, W, by, C + C2, C);
        for (i = 0; i < (int)n; i++)
            ry[i] = rx[i];
        for (i = 0; i < C2 * H * W; i++)
            ry[n + i] = px[i];
        cmp("concat 37+21 channels", by, 1, ry, C + C2, H, W);
        gsc_fast_avgpool2d(&(GscFastPool){C, H, W, 3, 2, 1}, bx, pz);
        {
            int oh = gsc_out_size(H, 3, 2, 1), ow = gsc_out_size(W, 3, 2, 1);
            int ch, oy, ox, ky, kx;
            for (ch = 0; ch < C; ch++)
                for (oy = 0; oy < oh; oy++)
                    for (ox = 0; ox < ow; ox++) {
                        double s = 0;
                        for (ky = 0; ky < 3; ky++)
                            for (kx = 0; kx < 3; kx++) {
                                int iy = oy * 2 - 1 + ky, ix = ox * 2 - 1 + kx;
                                if (iy >= 0 && iy < H && ix >= 0 && ix < W)
                                    s += rx[((size_t)ch * H + iy) * W + ix];
                            }
                        ry[((size_t)ch * oh + oy) * ow + ox] = s / 9;
                    }
            cmp("avgpool 3x3 s2 p1 (count_include_pad)", pz, 1, ry, C, oh, ow);
        }
        gsc_fast_add(bx, bx, GSC_FAST_ACT_FLOATS(C, H, W), pz);
        gsc_fast_relu(pz, GSC_FAST_ACT_FLOATS(C, H, W), pz);
        for (o = 0; o < (int)n; o++)
            ry[o] = rx[o] > 0 ? 2 * rx[o] : 0;
        cmp("add + relu", pz, 1, ry, C, H, W);
        gsc_fast_moments(bx, C, H, W, mm2);
        ref_moments(rx, C, H * W, mean, var);
        cmp("moments (standalone)", mm2 + 48, 0, var, 1, 1, C);
    }
}

/* -------------------------------------------------------------- timing */

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void bench(int threads, int runs)
{
    double *tt = da((size_t)runs * MAXOP), *tot = da(runs), *col = da(runs);
    double med[MAXOP], tf = 0, tmed, tmin;
    int r, i, j, idx[MAXOP];
#ifdef _OPENMP
    omp_set_num_threads(threads);
#else
    if (threads > 1) {
        printf("\n(no OpenMP: skipping %d threads)\n", threads);
        return;
    }
#endif
    op_time = NULL;
    for (r = 0; r < 5; r++)
        fast_forward(); /* warm-up */
    for (r = 0; r < runs; r++) {
        double t0;
        op_time = tt + (size_t)r * MAXOP;
        t0 = now();
        fast_forward();
        tot[r] = now() - t0;
    }
    op_time = NULL;
    for (i = 0; i < nop; i++) {
        for (r = 0; r < runs; r++)
            col[r] = tt[(size_t)r * MAXOP + i];
        qsort(col, runs, sizeof(double), cmpd);
        med[i] = col[runs / 2];
        idx[i] = i;
        tf += op_flop[i];
    }
    qsort(tot, runs, sizeof(double), cmpd);
    tmed = tot[runs / 2];
    tmin = tot[0];
    for (i = 0; i < nop; i++) /* sort by median time, descending */
        for (j = i + 1; j < nop; j++)
            if (med[idx[j]] > med[idx[i]]) {
                int t = idx[i]; idx[i] = idx[j]; idx[j] = t;
            }
    printf("\n== %d thread%s, %d runs: total median %.2f ms, min %.2f ms, %.1f GFLOP/s "
           "(%.2f GFLOP)\n", threads, threads > 1 ? "s" : "", runs, tmed * 1e3, tmin * 1e3,
           tf / tmed * 1e-9, tf * 1e-9);
    printf("   %-34s %9s %8s %6s\n", "layer (sorted by median)", "ms", "GFLOP/s", "share");
    for (i = 0; i < nop; i++) {
        int k = idx[i];
        printf("   %-34s %9.3f %8.1f %5.1f%%\n", op_name[k], med[k] * 1e3,
               op_flop[k] > 0 ? op_flop[k] / med[k] * 1e-9 : 0.0, 100 * med[k] / tmed);
    }
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 50;
    int novalidate = argc > 2 && strcmp(argv[2], "novalidate") == 0;
    build();
    alloc_fast();
    if (!novalidate) {
        validate();
        /* end to end: fast forward vs the float64 reference logits */
        fast_forward();
        cmp("END TO END: logits, fast forward vs float64 ref", V_logits, 0, ref_logits, 1, 1, 1000);
        printf("validation: %s\n", nfail ? "FAILED" : "all ok");
    }
    bench(1, runs);
    bench(2, runs);
    return nfail ? 1 : 0;
}
