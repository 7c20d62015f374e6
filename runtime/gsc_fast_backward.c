/*
 * gsc_fast_backward.c - the convolution of the training step (P_grad):
 * forward, weight and bias gradient, input gradient, on plain CHW buffers
 * (the layout of the reference kernels and of P_grad's workspace), split
 * across OpenMP threads (without -fopenmp: one thread); and its train-mode
 * batchnorm, forward and backward (the section "batchnorm" at the end).
 *
 * Each pass is one matrix product C = A B (per group) over the columns of
 * the convolution, P = oh ow output positions and R = cin/groups k k taps
 * (r = (ci, ky, kx)), with im2col(x)[r, p] = x[ci, oy s + ky - pad,
 * ox s + kx - pad] (0 outside the image) never stored as a matrix:
 *   forward  y[cout, P]  = W[cout, R] im2col(x)[R, P] + bias     (K = R)
 *   dW       dW[cout, R] += dy[cout, P] im2col(x)^T[P, R]         (K = P)
 *            or swapped, dW^T[R, cout] += im2col(x)[R, P] dy^T[P, cout]
 *   dx       dcol[R, P]  = W^T[R, cout] dy[cout, P], scatter-added into dx
 *            at the cells im2col reads (col2im)                   (K = cout)
 *   db       the row sums of dy (in double).
 * The product is the classic Goto/BLIS one: for each NC-column panel and
 * each KC-deep slice, B is packed into NR-wide slivers (the im2col gather,
 * or its transpose, happens in this packing; a transposed operand is only a
 * different stride), then for each MC-row block A is packed into MR-tall
 * slivers and a register-blocked MR x NR micro-kernel runs over the slivers:
 * per k one load of NR floats of B, MR broadcasts of A, MR NR / VW FMAs into
 * accumulators that stay in registers for the whole KC slice. Partial
 * slivers at the edges are packed with zeros and only their valid part is
 * stored; dW's whole tiles are added into dW straight from the registers.
 * The packing buffers are each thread's own, on its stack
 * ((MC KC + KC NC + MR8 NR) floats: 214 KiB on AVX-512, 165 KiB on AVX2,
 * 153 KiB portable).
 *   AVX-512: MR 14 x NR 32 (2 zmm): 28 accumulators + 2 + 1 of 32 zmm;
 *   AVX2+FMA: MR 6 x NR 16 (2 ymm): 12 accumulators + 2 + 1 of 16 ymm;
 *   portable: MR 4 x NR 16 floats, plain C that compilers vectorise.
 * KC 256, MC 6 MR, NC 128 columns on every path: the B sliver (KC NR floats,
 * 16 or 32 KiB) stays in L1 across the MC rows, the B panel (128 KiB) in L2
 * (512 KiB on Zen 1, 1 MiB or more on Zen 4/5 and the Xeons), and A, which
 * is packed again for each NC panel, is copied 1/128 as often as it is
 * multiplied. On Zen 1 (AVX2) the 6 x 16 kernel alone runs at 97% of the
 * FMA peak with A and B packed; what dW loses beside it is the packing (the
 * im2col gathers, 10-15% of its time) and dx the col2im adds (about 15%:
 * each dcol element is made of only K = cout multiply-adds). col2im adds
 * the tiles into dx in the loop order, so dx's rounding depends on NC.
 * dW's two orientations pack differently: dy im2col^T gathers its B slivers
 * from x one cell at a time (per position, the taps at fixed offsets) once
 * for all cout rows; the swapped im2col dy^T packs its A slivers as runs of
 * x's rows (8-float vectors on x86) and its B panel as 8 x 8 transposes of
 * dy, but adds each tile into dW transposed, once per KC-deep slice. So the
 * direct product's packing costs about 1/cout of its multiply-adds and the
 * swapped one's stores about 1/min(P, KC): the swapped product is taken
 * when cout <= NC (its B panel holds every output channel, so im2col is
 * packed once) and 2 cout < min(P, KC) (dw_swapped). On ResNet-18 at
 * 224x224 that is the stem and layer1; both orders sum the same terms in
 * the same order, so the two give the same bits.
 * Accumulation is float32 (K-slices of KC terms, partial sums in C); the
 * forward sums FWD_KC-deep float32 slices into a double tile (gemm_block_fwd).
 *
 * Threads: the C matrix is split into one block per thread, each writing
 * only its own block (no reduction, no serial tail): along the columns when
 * there are enough of them (B packed once for all rows), else along the
 * rows; the swapped dW always along its rows (taps: each thread packs only
 * its own rows of im2col, and all of dy^T, 1/R of its work). dx's rows are split at input channel boundaries (multiples of k k
 * rows), because col2im adds the taps of one channel into the same cells.
 *
 * Grouped convolutions (groups > 1) as the reference kernels: input
 * channels g cin/groups .. (g+1) cin/groups - 1 feed output channels
 * g cout/groups ..; a NULL bias is 0 (and its gradient not computed).
 * The results differ from the reference kernels' only by float32 rounding
 * (the reference sums in double): P_grad's differential tests bound it.
 */
#include "gsc_runtime.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "gsc_simd.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#if defined(__AVX512F__)
#define MR 14
#define NR 32
#elif defined(__AVX2__) && defined(__FMA__)
#define MR 6
#define NR 16
#else
#define MR 4
#define NR 16
#endif
#define NRV (NR / VW)
#define MR8 ((MR + 7) / 8 * 8) /* a tile's rows in whole 8 x 8 blocks (store_tile's transpose) */
#define KC 256
#define MC (MR * 6)
#define NC 128 /* a B panel of KC x NC floats (128 KiB) stays in L2 on every core (header) */
#define FWD_ROWS (128 / MR * MR) /* the forward's double sums: FWD_ROWS x FWD_SLIVERS NR */
#define FWD_SLIVERS 4
#ifndef FWD_KC
#define FWD_KC 32 /* the forward's float32 slice depth: 64 put ResNet-18 64x64 at 2.3e-4 (gemm_block_fwd) */
#endif

enum { PASS_FWD, PASS_DW, PASS_DWT, PASS_DX };

/* One pass of one group: the operands and the geometry. */
typedef struct {
    int pass;
    const float *x, *wt, *dy, *bias; /* x, dy and wt of the group */
    float *out;                      /* y, dW or dx of the group */
    int cig, h, w, k, stride, pad, oh, ow;
    int M, N, K; /* C is M x N, the reduction K deep */
} ConvGemm;

static void im2col_rows(const ConvGemm *g, int r0, int nrows, int p0, int ncols, float *dst, int ld);

/* A(i, p) of the pass: forward W[i, p], dW dy[i, p], dx W[p, i]. The dx
 * sliver is k-major (dst[p MR + i]: W^T's rows are W's columns); the others
 * are row-major with rows `stride` apart (dst[i stride + p]), so that the
 * packing copies runs of W's or dy's rows and the micro-kernel broadcasts
 * each row's value from a constant offset. */
static void pack_a(const ConvGemm *g, int i0, int mr, int p0, int kc, int stride, float *dst)
{
    int i, p;
    if (g->pass == PASS_DX) {
        const float *src = g->wt + (ptrdiff_t)p0 * g->M + i0;
        if (mr == MR) /* a constant count: vector moves */
            for (p = 0; p < kc; p++)
                for (i = 0; i < MR; i++)
                    dst[p * MR + i] = src[(ptrdiff_t)p * g->M + i];
        else
            for (p = 0; p < kc; p++) {
                for (i = 0; i < mr; i++)
                    dst[p * MR + i] = src[(ptrdiff_t)p * g->M + i];
                for (; i < MR; i++)
                    dst[p * MR + i] = 0.0f;
            }
        return;
    }
    if (g->pass == PASS_DWT) {
        im2col_rows(g, i0, mr, p0, kc, dst, stride);
        for (i = mr; i < MR; i++)
            memset(dst + (ptrdiff_t)i * stride, 0, sizeof(float) * (size_t)kc);
        return;
    }
    const float *a = g->pass == PASS_FWD ? g->wt : g->dy;
    for (i = 0; i < mr; i++)
        memcpy(dst + (ptrdiff_t)i * stride, a + (ptrdiff_t)(i0 + i) * g->K + p0, sizeof(float) * (size_t)kc);
    for (; i < MR; i++)
        memset(dst + (ptrdiff_t)i * stride, 0, sizeof(float) * (size_t)kc);
}

/* A tap r = (ci, ky, kx) of the window, stepped along r without divisions. */
typedef struct {
    int ci, ky, kx;
} Tap;

static Tap tap_of(const ConvGemm *g, int r)
{
    Tap t;
    t.ci = r / (g->k * g->k);
    t.ky = r % (g->k * g->k) / g->k;
    t.kx = r % g->k;
    return t;
}

static void tap_next(const ConvGemm *g, Tap *t)
{
    if (++t->kx == g->k) {
        t->kx = 0;
        if (++t->ky == g->k) {
            t->ky = 0;
            t->ci++;
        }
    }
}

/* The positions j0 .. j0+nr-1 of a sliver as runs along output rows: run q
 * is columns sj[q] .. sj[q+1]-1 of the sliver, output row soy[q] from
 * column sox[q]; returns the number of runs. */
static int sliver_runs(const ConvGemm *g, int j0, int nr, int *sj, int *soy, int *sox)
{
    int j, ns = 0, oy = j0 / g->ow, ox = j0 % g->ow;
    for (j = 0; j < nr; j += g->ow - ox, ox = 0, oy++) {
        sj[ns] = j;
        soy[ns] = oy;
        sox[ns++] = ox;
    }
    sj[ns] = nr;
    return ns;
}

/* A run of n cells of an input row from column ix, every st-th: cell q is
 * inside the row (0 <= ix + q st < w) for *lo <= q < *hi. */
static int ceil_div(int a, int st) /* a >= 0, st >= 1: no division at strides 1 and 2 */
{
    return st == 1 ? a : st == 2 ? (a + 1) >> 1 : (a + st - 1) / st;
}

static void run_inside(int ix, int st, int w, int n, int *lo, int *hi)
{
    int l = ix < 0 ? ceil_div(-ix, st) : 0, h = ix < w ? ceil_div(w - ix, st) : 0;
    h = h < n ? h : n;
    *lo = l < h ? l : h;
    *hi = h;
}

/* ------------------------------------------------ the weight gradient's packing
 * Both orientations of dW's product read im2col(x) as rows of taps: a row is
 * runs of x along the output rows (contiguous at stride 1, every other cell
 * at stride 2), zero where the window leaves the image (im2col_rows). The
 * sliver of dW = dy im2col^T wants columns of taps, and that of the swapped
 * dW^T = im2col dy^T wants columns of dy: both are transposes of rows
 * (pack_t), in 8 x 8 blocks. On both x86 paths the runs and the blocks move
 * as 8-float vectors (AVX instructions that every AVX2 or AVX-512 core has),
 * so AVX-512 runs the code that the AVX2 path runs; portable C moves floats. */
#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
#define PACK8 1
/* d[0 .. 7] = s[0], s[2], .. s[14] (reads s[0 .. 15]) */
GF_INLINE void copy8_even(float *d, const float *s)
{
    __m256 e = _mm256_shuffle_ps(_mm256_loadu_ps(s), _mm256_loadu_ps(s + 8), _MM_SHUFFLE(2, 0, 2, 0));
    /* e = s0 s2 s8 s10 | s4 s6 s12 s14 as pairs 0 1 2 3: reorder to 0 2 1 3 */
    _mm256_storeu_ps(d, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(e), _MM_SHUFFLE(3, 1, 2, 0))));
}

/* d[p ld + j] = s[j ls + p] for j, p < 8 */
GF_INLINE void transpose8(const float *s, ptrdiff_t ls, float *d, ptrdiff_t ld)
{
    __m256 r[8], t[8], u[8];
    int i;
    for (i = 0; i < 8; i++)
        r[i] = _mm256_loadu_ps(s + i * ls);
    for (i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    }
    for (i = 0; i < 8; i += 4) {
        u[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        u[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        u[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        u[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (i = 0; i < 4; i++) {
        _mm256_storeu_ps(d + i * ld, _mm256_permute2f128_ps(u[i], u[i + 4], 0x20));
        _mm256_storeu_ps(d + (i + 4) * ld, _mm256_permute2f128_ps(u[i], u[i + 4], 0x31));
    }
}
#endif

/* d[j] = s[j st] for j < n, where s[0 .. avail - 1] may be read */
static void copy_run(float *d, const float *s, int n, int st, int avail)
{
    int j = 0;
#ifdef PACK8
    if (st == 1)
        for (; j + 8 <= n; j += 8)
            _mm256_storeu_ps(d + j, _mm256_loadu_ps(s + j));
    else if (st == 2)
        for (; j + 8 <= n && 2 * j + 16 <= avail; j += 8)
            copy8_even(d + j, s + 2 * j);
#endif
    (void)avail;
    for (; j < n; j++)
        d[j] = s[(ptrdiff_t)j * st];
}

/* dst[r ld + p] = im2col(x)[r0 + r, p0 + p] for r < nrows, p < ncols: per
 * tap, the positions' runs along output rows read a row of x */
static void im2col_rows(const ConvGemm *g, int r0, int nrows, int p0, int ncols, float *dst, int ld)
{
    int r, st = g->stride, oy0 = p0 / g->ow, ox0 = p0 % g->ow;
    Tap t = tap_of(g, r0);
    for (r = 0; r < nrows; r++, tap_next(g, &t)) {
        const float *xc = g->x + (ptrdiff_t)t.ci * g->h * g->w;
        float *d = dst + (ptrdiff_t)r * ld;
        int j = 0, oy = oy0, ox = ox0;
        while (j < ncols) {
            int n = g->ow - ox < ncols - j ? g->ow - ox : ncols - j, q = 0;
            int iy = oy * st - g->pad + t.ky, ix = ox * st - g->pad + t.kx;
            float *dq = d + j;
            if ((unsigned)iy < (unsigned)g->h) {
                int lo, hi; /* run element q reads column ix + q st */
                run_inside(ix, st, g->w, n, &lo, &hi);
                for (; q < lo; q++)
                    dq[q] = 0.0f;
                if (hi > lo)
                    copy_run(dq + lo, xc + (ptrdiff_t)iy * g->w + ix + lo * st, hi - lo, st, g->w - (ix + lo * st));
                q = hi;
            }
            for (; q < n; q++)
                dq[q] = 0.0f;
            j += n;
            ox = 0;
            oy++;
        }
    }
}

/* d[p ld + j] = s[j ls + p] for j < nrows, p < ncols */
static void transpose(const float *s, ptrdiff_t ls, int nrows, int ncols, float *d, ptrdiff_t ld)
{
    int j = 0, p;
#ifdef PACK8
    for (; j + 8 <= nrows; j += 8) {
        for (p = 0; p + 8 <= ncols; p += 8)
            transpose8(s + j * ls + p, ls, d + (ptrdiff_t)p * ld + j, ld);
        for (; p < ncols; p++) {
            int i;
            for (i = 0; i < 8; i++)
                d[(ptrdiff_t)p * ld + j + i] = s[(j + i) * ls + p];
        }
    }
#endif
    for (p = 0; p < ncols; p++) {
        int i;
        for (i = j; i < nrows; i++)
            d[(ptrdiff_t)p * ld + i] = s[i * ls + p];
    }
}

/* A B sliver (ncols rows of NR) of the transpose of nrows <= NR rows of s,
 * zero past them */
static void pack_t(const float *s, ptrdiff_t ls, int nrows, int ncols, float *dst)
{
    int p, j;
    transpose(s, ls, nrows, ncols, dst, NR);
    if (nrows < NR)
        for (p = 0; p < ncols; p++)
            for (j = nrows; j < NR; j++)
                dst[p * NR + j] = 0.0f;
}

/* Sliver of B rows p0 .. p0+kc-1, columns j0 .. j0+nr-1 (zero past nr):
 * forward im2col(x)[p, j], dW im2col(x)[j, p], dx dy[p, j]. */
static void pack_b(const ConvGemm *g, int p0, int kc, int j0, int nr, float *dst)
{
    int p, j;
    if (g->pass == PASS_DX || (g->pass == PASS_FWD && g->k == 1 && g->stride == 1 && g->pad == 0)) {
        const float *b = g->pass == PASS_DX ? g->dy : g->x; /* a plain [K, N] matrix */
        for (p = 0; p < kc; p++) {
            const float *src = b + (ptrdiff_t)(p0 + p) * g->N + j0;
            for (j = 0; j < nr; j++)
                dst[p * NR + j] = src[j];
            for (; j < NR; j++)
                dst[p * NR + j] = 0.0f;
        }
        return;
    }
    if (g->pass == PASS_DWT) {
        pack_t(g->dy + (ptrdiff_t)j0 * g->K + p0, g->K, nr, kc, dst);
        return;
    }
    if (g->pass == PASS_FWD) {
        /* the sliver's positions are runs along output rows: per tap, each
         * run reads a row of x at stride `stride`, zero outside it */
        int sj[NR + 1], soy[NR], sox[NR], ns = sliver_runs(g, j0, nr, sj, soy, sox), st = g->stride, q;
        Tap t = tap_of(g, p0);
        for (p = 0; p < kc; p++, tap_next(g, &t)) {
            float *d = dst + p * NR;
            for (q = 0; q < ns; q++) {
                int iy = soy[q] * st - g->pad + t.ky, ix = sox[q] * st - g->pad + t.kx, n = sj[q + 1] - sj[q];
                float *dq = d + sj[q];
                if ((unsigned)iy >= (unsigned)g->h) {
                    for (j = 0; j < n; j++)
                        dq[j] = 0.0f;
                    continue;
                }
                int lo, hi; /* run element j reads column ix + j st */
                const float *src = g->x + ((ptrdiff_t)t.ci * g->h + iy) * g->w + ix;
                run_inside(ix, st, g->w, n, &lo, &hi);
                for (j = 0; j < lo; j++)
                    dq[j] = 0.0f;
                if (st == 1)
                    for (; j < hi; j++)
                        dq[j] = src[j];
                else
                    for (; j < hi; j++)
                        dq[j] = src[(ptrdiff_t)j * st];
                for (; j < n; j++)
                    dq[j] = 0.0f;
            }
            for (j = nr; j < NR; j++)
                d[j] = 0.0f;
        }
        return;
    }
    /* dW: row p is position p0 + p, column j is tap j0 + j */
    {
        ptrdiff_t off[NR];
        int ty[NR], tx[NR], kk = g->k * g->k;
        for (j = 0; j < NR; j++) {
            int r = j0 + (j < nr ? j : 0), ci = r / kk;
            ty[j] = r % kk / g->k;
            tx[j] = r % g->k;
            off[j] = ((ptrdiff_t)ci * g->h + ty[j]) * g->w + tx[j];
        }
        for (p = 0; p < kc; p++) {
            int q = p0 + p, by = q / g->ow * g->stride - g->pad, bx = q % g->ow * g->stride - g->pad;
            ptrdiff_t base = (ptrdiff_t)by * g->w + bx;
            float *d = dst + p * NR;
            if (by >= 0 && bx >= 0 && by + g->k <= g->h && bx + g->k <= g->w) { /* every tap inside */
                const float *xb = g->x + base;
                for (j = 0; j < nr; j++)
                    d[j] = xb[off[j]];
            } else {
                for (j = 0; j < nr; j++) {
                    int iy = by + ty[j], ix = bx + tx[j];
                    d[j] = (unsigned)iy < (unsigned)g->h && (unsigned)ix < (unsigned)g->w ? g->x[base + off[j]] : 0.0f;
                }
            }
            for (j = nr; j < NR; j++)
                d[j] = 0.0f;
        }
    }
}

/* tile = A sliver (kc x MR: A(i, p) at a[i as + p ap]) times B sliver
 * (kc x NR), MR x NR row-major; with ldc > 0 the product is added into C
 * instead (tile[i ldc + j] +=: a whole tile of a row-major C). as, ap and
 * whether ldc is 0 are constants where it is inlined. */
GF_INLINE void micro_kernel(int kc, const float *a, int as, int ap, const float *b, float *tile, ptrdiff_t ldc)
{
    VT acc[MR][NRV];
    int i, v, p;
    for (i = 0; i < MR; i++)
        for (v = 0; v < NRV; v++)
            acc[i][v] = VZERO();
    GF_NO_UNROLL
    for (p = 0; p < kc; p++) {
        VT bv[NRV];
        for (v = 0; v < NRV; v++)
            bv[v] = VLOAD(b + v * VW);
        for (i = 0; i < MR; i++) {
            VT av = VSET1(a[i * as]);
            for (v = 0; v < NRV; v++)
                acc[i][v] = VFMA(av, bv[v], acc[i][v]);
        }
        a += ap;
        b += NR;
    }
    if (ldc > 0)
        for (i = 0; i < MR; i++)
            for (v = 0; v < NRV; v++)
                VSTORE(tile + i * ldc + v * VW, VADD(VLOAD(tile + i * ldc + v * VW), acc[i][v]));
    else
        for (i = 0; i < MR; i++)
            for (v = 0; v < NRV; v++)
                VSTORE(tile + i * NR + v * VW, acc[i][v]);
}


/* C[i0 .. i0+mr, j0 .. j0+nr] gets the tile: dW +=, dx col2im +=. */
static void store_tile(const ConvGemm *g, int i0, int mr, int j0, int nr, const float *tile)
{
    int i, j;
    if (g->pass == PASS_DX) {
        /* per tap, each run of positions along an output row adds into a
         * row of dx at stride `stride` (distinct cells), where inside it */
        int sj[NR + 1], soy[NR], sox[NR], ns = sliver_runs(g, j0, nr, sj, soy, sox), st = g->stride, q;
        Tap t = tap_of(g, i0);
        for (i = 0; i < mr; i++, tap_next(g, &t)) {
            float *dst = g->out + (ptrdiff_t)t.ci * g->h * g->w;
            for (q = 0; q < ns; q++) {
                int iy = soy[q] * st - g->pad + t.ky, ix = sox[q] * st - g->pad + t.kx, lo, hi;
                const float *s = tile + i * NR + sj[q];
                float *d;
                if ((unsigned)iy >= (unsigned)g->h)
                    continue;
                d = dst + (ptrdiff_t)iy * g->w + ix;
                run_inside(ix, st, g->w, sj[q + 1] - sj[q], &lo, &hi);
                if (st == 1)
                    for (j = lo; j < hi; j++)
                        d[j] += s[j];
                else
                    for (j = lo; j < hi; j++)
                        d[(ptrdiff_t)j * st] += s[j];
            }
        }
        return;
    }
    if (g->pass == PASS_DWT) { /* tile row i is tap i0 + i, column j output channel j0 + j */
#ifdef PACK8
        float tt[NR * MR8]; /* tt[j MR8 + i] = tile[i NR + j] */
        for (i = 0; i < MR8; i += 8)
            for (j = 0; j < NR; j += 8)
                transpose8(tile + i * NR + j, NR, tt + j * MR8 + i, MR8);
        for (j = 0; j < nr; j++) {
            float *c = g->out + (ptrdiff_t)(j0 + j) * g->M + i0;
            const float *t = tt + j * MR8;
            for (i = 0; i < mr; i++)
                c[i] += t[i];
        }
#else
        for (j = 0; j < nr; j++) {
            float *c = g->out + (ptrdiff_t)(j0 + j) * g->M + i0;
            for (i = 0; i < mr; i++)
                c[i] += tile[i * NR + j];
        }
#endif
        return;
    }
    for (i = 0; i < mr; i++) {
        float *c = g->out + (ptrdiff_t)(i0 + i) * g->N + j0;
        const float *t = tile + i * NR;
        for (j = 0; j < nr; j++)
            c[j] += t[j];
    }
}

/* dW's or dx's C block rows m0 .. m1-1, columns n0 .. n1-1, by one thread. */
static void gemm_block(const ConvGemm *g, int m0, int m1, int n0, int n1)
{
    float apack[MC * KC], bpack[KC * NC], tile[MR8 * NR];
    int jc, pc, ic, jr, ir;
    memset(tile, 0, sizeof tile); /* rows MR .. MR8 - 1 stay 0 */
    for (jc = n0; jc < n1; jc += NC) {
        int nc = n1 - jc < NC ? n1 - jc : NC;
        for (pc = 0; pc < g->K; pc += KC) {
            int kc = g->K - pc < KC ? g->K - pc : KC;
            for (jr = 0; jr < nc; jr += NR)
                pack_b(g, pc, kc, jc + jr, nc - jr < NR ? nc - jr : NR, bpack + (ptrdiff_t)jr * kc);
            for (ic = m0; ic < m1; ic += MC) {
                int mc = m1 - ic < MC ? m1 - ic : MC;
                for (ir = 0; ir < mc; ir += MR)
                    pack_a(g, ic + ir, mc - ir < MR ? mc - ir : MR, pc, kc, KC, apack + (ptrdiff_t)ir * KC);
                for (jr = 0; jr < nc; jr += NR)
                    for (ir = 0; ir < mc; ir += MR) {
                        const float *a = apack + (ptrdiff_t)ir * KC, *b = bpack + (ptrdiff_t)jr * kc;
                        int mr = mc - ir < MR ? mc - ir : MR, nr = nc - jr < NR ? nc - jr : NR;
                        if (g->pass == PASS_DX)
                            micro_kernel(kc, a, 1, MR, b, tile, 0);
                        else if (g->pass == PASS_DW && mr == MR && nr == NR) { /* added into dW in place */
                            micro_kernel(kc, a, KC, 1, b, g->out + (ptrdiff_t)(ic + ir) * g->N + jc + jr, g->N);
                            continue;
                        } else
                            micro_kernel(kc, a, KC, 1, b, tile, 0);
                        store_tile(g, ic + ir, mr, jc + jr, nr, tile);
                    }
            }
        }
    }
}


/* The forward's C block rows m0 .. m1-1, columns n0 .. n1-1, by one thread:
 * per FWD_ROWS rows and FWD_SLIVERS NR-column slivers, the float32
 * micro-kernel sums each FWD_KC-deep slice of K and the slice's tile is
 * added into a double accumulator (acc) that holds the sum over the whole
 * of K until y is written once: float32 rounding grows with FWD_KC terms,
 * not with K = cin k k (4608 in ResNet-18's layer4). Each packed A sliver
 * serves FWD_SLIVERS micro-kernel calls. */
static void gemm_block_fwd(const ConvGemm *g, int m0, int m1, int n0, int n1)
{
    double acc[FWD_SLIVERS * FWD_ROWS * NR];
    float apack[MR * FWD_KC], bpack[FWD_SLIVERS * FWD_KC * NR], tile[MR * NR];
    int mb, jc, pc, ir, jb, i, j;
    for (mb = m0; mb < m1; mb += FWD_ROWS) {
        int mrows = m1 - mb < FWD_ROWS ? m1 - mb : FWD_ROWS;
        for (jc = n0; jc < n1; jc += FWD_SLIVERS * NR) {
            int ncols = n1 - jc < FWD_SLIVERS * NR ? n1 - jc : FWD_SLIVERS * NR, nsl = (ncols + NR - 1) / NR;
            for (i = 0; i < FWD_SLIVERS * FWD_ROWS * NR; i++)
                acc[i] = 0.0;
            for (pc = 0; pc < g->K; pc += FWD_KC) {
                int kc = g->K - pc < FWD_KC ? g->K - pc : FWD_KC;
                for (jb = 0; jb < nsl; jb++)
                    pack_b(g, pc, kc, jc + jb * NR, ncols - jb * NR < NR ? ncols - jb * NR : NR,
                           bpack + (ptrdiff_t)jb * kc * NR);
                for (ir = 0; ir < mrows; ir += MR) {
                    pack_a(g, mb + ir, mrows - ir < MR ? mrows - ir : MR, pc, kc, FWD_KC, apack);
                    for (jb = 0; jb < nsl; jb++) {
                        double *c = acc + ((ptrdiff_t)jb * FWD_ROWS + ir) * NR;
                        micro_kernel(kc, apack, FWD_KC, 1, bpack + (ptrdiff_t)jb * kc * NR, tile, 0);
                        for (i = 0; i < MR * NR; i++)
                            c[i] += tile[i];
                    }
                }
            }
            for (i = 0; i < mrows; i++) {
                float *y = g->out + (ptrdiff_t)(mb + i) * g->N + jc;
                double b = g->bias ? g->bias[mb + i] : 0.0;
                for (j = 0; j < ncols; j++)
                    y[j] = (float)(acc[((ptrdiff_t)(j / NR) * FWD_ROWS + i) * NR + j % NR] + b);
            }
        }
    }
}

/* Thread t of nt takes its C block: for dx whole input channels (row units
 * of k k) over all columns; otherwise NR-sliver column ranges when there are
 * at least two slivers per thread, else MR-sliver row ranges. */
static void gemm_thread(const ConvGemm *g, int t, int nt)
{
    if (g->pass == PASS_DX) {
        int kk = g->k * g->k;
        int c0 = (int)((long long)g->cig * t / nt), c1 = (int)((long long)g->cig * (t + 1) / nt);
        if (c1 > c0)
            gemm_block(g, c0 * kk, c1 * kk, 0, g->N);
        return;
    }
    int ns = (g->N + NR - 1) / NR, ms = (g->M + MR - 1) / MR;
    int m0 = 0, m1 = g->M, n0 = 0, n1 = g->N;
    if (g->pass != PASS_DWT && (ns >= 2 * nt || ns >= ms)) {
        int s0 = (int)((long long)ns * t / nt), s1 = (int)((long long)ns * (t + 1) / nt);
        n0 = s0 * NR;
        n1 = s1 * NR < g->N ? s1 * NR : g->N;
    } else {
        int s0 = (int)((long long)ms * t / nt), s1 = (int)((long long)ms * (t + 1) / nt);
        m0 = s0 * MR;
        m1 = s1 * MR < g->M ? s1 * MR : g->M;
    }
    if (m1 <= m0 || n1 <= n0)
        return;
    if (g->pass == PASS_FWD)
        gemm_block_fwd(g, m0, m1, n0, n1);
    else
        gemm_block(g, m0, m1, n0, n1);
}

static void conv_gemm(const ConvGemm *g)
{
    if (g->M <= 0 || g->N <= 0 || g->K <= 0)
        return;
#ifdef _OPENMP
#pragma omp parallel
    gemm_thread(g, omp_get_thread_num(), omp_get_num_threads());
#else
    gemm_thread(g, 0, 1);
#endif
}

static void conv_geometry(ConvGemm *g, int cin, int h, int w, int k, int stride, int pad, int groups)
{
    memset(g, 0, sizeof *g);
    g->cig = cin / groups;
    g->h = h;
    g->w = w;
    g->k = k;
    g->stride = stride;
    g->pad = pad;
    g->oh = gsc_out_size(h, k, stride, pad);
    g->ow = gsc_out_size(w, k, stride, pad);
}

void gsc_fast_conv2d_chw(const float *x, int cin, int h, int w, const float *wt, const float *bias, int cout, int k,
                         int stride, int pad, int groups, float *y)
{
    ConvGemm g;
    int gi, cog = cout / groups;
    conv_geometry(&g, cin, h, w, k, stride, pad, groups);
    g.pass = PASS_FWD;
    g.M = cog;
    g.N = g.oh * g.ow;
    g.K = g.cig * k * k;
    for (gi = 0; gi < groups; gi++) {
        g.x = x + (ptrdiff_t)gi * g.cig * h * w;
        g.wt = wt + (ptrdiff_t)gi * cog * g.K;
        g.bias = bias ? bias + (ptrdiff_t)gi * cog : NULL;
        g.out = y + (ptrdiff_t)gi * cog * g.N;
        conv_gemm(&g);
    }
}

#ifndef DW_SWAP
#define DW_SWAP -1 /* -1: by the rule of dw_swapped; 0 never, 1 always (for measuring) */
#endif
static int dw_swapped(int cout, int P)
{
    int depth = P < KC ? P : KC;
    if (DW_SWAP >= 0)
        return DW_SWAP;
    return cout <= NC && 2 * cout < depth;
}

void gsc_fast_conv2d_chw_backward(const float *x, int cin, int h, int w, const float *wt, const float *dy, int cout,
                                  int k, int stride, int pad, int groups, float *dx, float *dwt, float *dbias)
{
    ConvGemm g;
    int gi, co, cog = cout / groups;
    conv_geometry(&g, cin, h, w, k, stride, pad, groups);
    int P = g.oh * g.ow, R = g.cig * k * k;
    if (dbias) {
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
        for (co = 0; co < cout; co++) {
            const float *d = dy + (ptrdiff_t)co * P;
            double s = 0.0;
            int i;
            for (i = 0; i < P; i++)
                s += d[i];
            dbias[co] += (float)s;
        }
    }
    for (gi = 0; gi < groups; gi++) {
        g.x = x + (ptrdiff_t)gi * g.cig * h * w;
        g.wt = wt + (ptrdiff_t)gi * cog * R;
        g.dy = dy + (ptrdiff_t)gi * cog * P;
        g.pass = dw_swapped(cog, P) ? PASS_DWT : PASS_DW;
        g.M = g.pass == PASS_DW ? cog : R;
        g.N = g.pass == PASS_DW ? R : cog;
        g.K = P;
        g.out = dwt + (ptrdiff_t)gi * cog * R;
        conv_gemm(&g);
        if (dx) {
            g.pass = PASS_DX;
            g.M = R;
            g.N = P;
            g.K = cog;
            g.out = dx + (ptrdiff_t)gi * g.cig * h * w;
            conv_gemm(&g);
        }
    }
}

/* ------------------------------------------------------------ batchnorm */

/*
 * Train-mode batchnorm on CHW, forward and backward, with the statistics of
 * each channel in double as the reference gsc_batchnorm (gsc_kernels.c)
 * takes them, VDW lanes at a time: a channel's sums are
 * VDW partial sums (lane j takes the terms j, j + VDW, ...) added in lane
 * order, then the tail, so a result depends on neither the thread count nor
 * the alignment. The channels are split across OpenMP threads (each writes
 * only its own). The forward differs from the reference kernel by the
 * rounding of those double sums, far below float32's.
 */
#define BN_THREAD_MIN 32768 /* the fewest elements split across threads */

/* sum lanes in order, then the tail */
static double vd_total(VD acc, double tail)
{
    double lane[VDW], s = 0.0;
    int j;
    VD_STORE(lane, acc);
    for (j = 0; j < VDW; j++)
        s += lane[j];
    return s + tail;
}

/* The mean and 1 / sqrt(var + eps) of one channel (the biased variance, two passes). */
static void bn_channel_stats(const float *x, int64_t hw, double *mean, double *inv)
{
    VD acc = VD_ZERO(), vm;
    double t = 0.0, m, var;
    int64_t i, nv = hw / VDW * VDW;
    for (i = 0; i < nv; i += VDW)
        acc = VD_ADD(acc, VD_LOADF(x + i));
    for (; i < hw; i++)
        t += x[i];
    m = vd_total(acc, t) / (double)hw;
    vm = VD_SET1(m);
    acc = VD_ZERO();
    t = 0.0;
    for (i = 0; i < nv; i += VDW) {
        VD d = VD_SUB(VD_LOADF(x + i), vm);
        acc = VD_FMA(d, d, acc);
    }
    for (; i < hw; i++)
        t += (x[i] - m) * (x[i] - m);
    var = vd_total(acc, t) / (double)hw;
    *mean = m;
    *inv = 1.0 / sqrt((var > 0.0 ? var : 0.0) + GSC_BN_EPS);
}

/* The operands of a batchnorm pass, for one channel at a time. */
typedef struct {
    const float *x, *gamma, *beta, *mask, *dy;
    float *y, *dx, *dgamma, *dbeta;
    int64_t hw;
} BnPass;

/* fn for each of the c channels, split across threads. */
static void bn_channels(void (*fn)(const BnPass *, int), const BnPass *b, int c)
{
    int ch;
    if (b->hw <= 0)
        return;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if ((int64_t)c * b->hw >= BN_THREAD_MIN)
#endif
    for (ch = 0; ch < c; ch++)
        fn(b, ch);
}

/* y = (x - mean) / sqrt(var + eps) gamma + beta on channel ch; in place is safe. */
static void bn_forward_channel(const BnPass *b, int ch)
{
    int64_t hw = b->hw, i, nv = hw / VDW * VDW;
    const float *xc = b->x + (ptrdiff_t)ch * hw;
    float *yc = b->y + (ptrdiff_t)ch * hw;
    double mean, inv, a, sh = b->beta[ch];
    VD vm, va, vb;
    bn_channel_stats(xc, hw, &mean, &inv);
    a = inv * b->gamma[ch];
    vm = VD_SET1(mean), va = VD_SET1(a), vb = VD_SET1(sh);
    for (i = 0; i < nv; i += VDW)
        VD_STOREF(yc + i, VD_FMA(VD_SUB(VD_LOADF(xc + i), vm), va, vb));
    for (; i < hw; i++)
        yc[i] = (float)((xc[i] - mean) * a + sh);
}

void gsc_fast_batchnorm_chw(const float *x, int c, int64_t hw, const float *gamma, const float *beta, float *y)
{
    BnPass b = {x, gamma, beta, NULL, NULL, y, NULL, NULL, NULL, hw};
    bn_channels(bn_forward_channel, &b, c);
}

/* The gradient that reaches the batchnorm's output: dy, or with a mask (the
 * ReLU after it, fused) dy where mask > 0 and 0 elsewhere. */
#define BN_DY(m, d, i) ((m) ? VD_LOADF_POS((m) + (i), (d) + (i)) : VD_LOADF((d) + (i)))
#define BN_DY1(m, d, i) ((m) ? loadf_pos((m) + (i), (d) + (i)) : (double)(d)[i])

/*
 * Through the batch statistics, on channel ch: with xhat = (x - mean) inv,
 * dx += gamma inv / n (n g - sum g - xhat sum(g xhat)) for g the gradient of
 * the output, dgamma += sum(g xhat), dbeta += sum g. mask NULL: g = dy. mask
 * the batchnorm's output, which a ReLU reads: dy is the ReLU's output
 * gradient and g = dy where mask > 0 (the ReLU backward fused, d loss / d
 * batchnorm output never stored). dx may be NULL.
 */
static void bn_backward_channel(const BnPass *b, int ch)
{
    int64_t hw = b->hw, i, nv = hw / VDW * VDW;
    ptrdiff_t o = (ptrdiff_t)ch * hw;
    const float *xc = b->x + o, *dyc = b->dy + o, *mc = b->mask ? b->mask + o : NULL;
    double mean, inv, sdy, sdyx, td = 0.0, tdx = 0.0, k1, k0, k2;
    VD ad = VD_ZERO(), adx = VD_ZERO(), vm, v1, v0, v2;
    float *dxc;
    bn_channel_stats(xc, hw, &mean, &inv);
    vm = VD_SET1(mean);
    for (i = 0; i < nv; i += VDW) {
        VD g = BN_DY(mc, dyc, i);
        ad = VD_ADD(ad, g);
        adx = VD_FMA(g, VD_SUB(VD_LOADF(xc + i), vm), adx);
    }
    for (; i < hw; i++) {
        double g = BN_DY1(mc, dyc, i);
        td += g;
        tdx += g * (xc[i] - mean);
    }
    sdy = vd_total(ad, td);
    sdyx = vd_total(adx, tdx) * inv;
    b->dgamma[ch] += (float)sdyx;
    b->dbeta[ch] += (float)sdy;
    if (!b->dx)
        return;
    /* dx += k1 g - k0 - (x - mean) k2 */
    k1 = b->gamma[ch] * inv;
    k0 = k1 / (double)hw * sdy;
    k2 = k1 / (double)hw * inv * sdyx;
    dxc = b->dx + o;
    v1 = VD_SET1(k1), v0 = VD_SET1(k0), v2 = VD_SET1(k2);
    for (i = 0; i < nv; i += VDW) {
        VD t = VD_SUB(VD_MUL(v1, BN_DY(mc, dyc, i)), v0);
        t = VD_SUB(t, VD_MUL(VD_SUB(VD_LOADF(xc + i), vm), v2));
        VD_STOREF(dxc + i, VD_ADD(VD_LOADF(dxc + i), t));
    }
    for (; i < hw; i++)
        dxc[i] += (float)(k1 * BN_DY1(mc, dyc, i) - k0 - (xc[i] - mean) * k2);
}

void gsc_fast_batchnorm_chw_backward(const float *x, int c, int64_t hw, const float *gamma, const float *mask,
                                     const float *dy, float *dx, float *dgamma, float *dbeta)
{
    BnPass b = {x, gamma, NULL, mask, dy, NULL, dx, dgamma, dbeta, hw};
    bn_channels(bn_backward_channel, &b, c);
}
