/*
 * dw_bench.c - the convolution's weight gradient (gsc_fast_conv2d_chw_backward
 * with dx and the bias gradient NULL) per ResNet-18 224x224 convolution shape
 * (the 7x7/2 stem, layer1-4's 3x3 and 3x3/2, the 1x1/2 downsamples), four
 * builds of runtime/gsc_fast_backward.c linked into one process and
 * alternated step by step (bench/dw.sh builds them):
 *   before    the file at another revision (its symbols renamed before_*);
 *   direct    this tree with -DDW_SWAP=0: dW = dy im2col(x)^T always;
 *   swapped   this tree with -DDW_SWAP=1: dW^T = im2col(x) dy^T always;
 *   rule      this tree as shipped (dw_swapped picks per shape).
 * Per shape and thread count (1, 2): the minimum wall ms and the median CPU
 * ms (the calling thread's at 1 thread, the process's at 2: run it with
 * OMP_WAIT_POLICY=passive, or spinning threads count), GFLOP/s from that CPU
 * time, each build's CPU time over before's, and each result's largest error
 * against a float64 reference relative to the reference's largest value ("!"
 * when its bits differ from before's). With --dx the whole backward is timed,
 * the weight and the input gradient (dx, col2im), and the error is dx's.
 *
 *   dw_bench [--dx] [REPS [SHAPE]]      (REPS default 7; SHAPE an index to run one)
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

typedef void BackwardFn(const float *x, int cin, int h, int w, const float *wt, const float *dy, int cout, int k,
                        int stride, int pad, int groups, float *dx, float *dwt, float *dbias);
BackwardFn before_bw, direct_bw, swapped_bw, gsc_fast_conv2d_chw_backward;

#define NB 4
#define MAX_REPS 64
static BackwardFn *const builds[NB] = {before_bw, direct_bw, swapped_bw, gsc_fast_conv2d_chw_backward};
static const char *const names[NB] = {"before", "direct", "swapped", "rule"};

typedef struct {
    const char *name;
    int cin, h, cout, k, stride, pad;
} Shape;

static const Shape shapes[] = {
    {"stem 7x7/2", 3, 224, 64, 7, 2, 3},    {"l1 3x3", 64, 56, 64, 3, 1, 1},
    {"l2.0 3x3/2", 64, 56, 128, 3, 2, 1},   {"l2 3x3", 128, 28, 128, 3, 1, 1},
    {"l2 ds 1x1/2", 64, 56, 128, 1, 2, 0},  {"l3.0 3x3/2", 128, 28, 256, 3, 2, 1},
    {"l3 3x3", 256, 14, 256, 3, 1, 1},      {"l3 ds 1x1/2", 128, 28, 256, 1, 2, 0},
    {"l4.0 3x3/2", 256, 14, 512, 3, 2, 1},  {"l4 3x3", 512, 7, 512, 3, 1, 1},
    {"l4 ds 1x1/2", 256, 14, 512, 1, 2, 0},
};

static double clock_s(clockid_t c)
{
    struct timespec t;
    clock_gettime(c, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static float *fill(size_t n, unsigned *seed)
{
    float *p = malloc(sizeof(float) * n);
    size_t i;
    if (!p) {
        fprintf(stderr, "dw_bench: out of memory\n");
        exit(2);
    }
    for (i = 0; i < n; i++) {
        *seed = *seed * 1664525u + 1013904223u;
        p[i] = (float)((*seed >> 8) / 16777216.0 - 0.5);
    }
    return p;
}

static void run_shape(const Shape *s, int reps, int with_dx, unsigned *seed)
{
    int h = s->h, oh = (h + 2 * s->pad - s->k) / s->stride + 1, P = oh * oh, R = s->cin * s->k * s->k;
    size_t nw = (size_t)s->cout * R, nx = (size_t)s->cin * h * h, nout = with_dx ? nx : nw;
    float *x = fill(nx, seed), *dy = fill((size_t)s->cout * P, seed), *wt = fill(nw, seed), *dw[NB], *dx[NB];
    double *ref = calloc(nw, sizeof(double)), *refx = calloc(nx, sizeof(double)), scale = 0.0;
    int b, co, r, nt;
    for (b = 0; b < NB; b++) {
        dw[b] = malloc(sizeof(float) * nw);
        dx[b] = malloc(sizeof(float) * nx);
        if (!dw[b] || !dx[b]) {
            fprintf(stderr, "dw_bench: out of memory\n");
            exit(2);
        }
    }
    if (!ref || !refx) {
        fprintf(stderr, "dw_bench: out of memory\n");
        exit(2);
    }
    for (co = 0; co < s->cout; co++)
        for (r = 0; r < R; r++) {
            int ci = r / (s->k * s->k), ky = r % (s->k * s->k) / s->k, kx = r % s->k, oy, ox;
            double sum = 0.0;
            for (oy = 0; oy < oh; oy++)
                for (ox = 0; ox < oh; ox++) {
                    int iy = oy * s->stride - s->pad + ky, ix = ox * s->stride - s->pad + kx;
                    if (iy >= 0 && iy < h && ix >= 0 && ix < h) {
                        sum += (double)dy[co * P + oy * oh + ox] * x[((size_t)ci * h + iy) * h + ix];
                        refx[((size_t)ci * h + iy) * h + ix] +=
                            (double)dy[co * P + oy * oh + ox] * wt[(size_t)co * R + r];
                    }
                }
            ref[(size_t)co * R + r] = sum;
        }
    {
        const double *rf = with_dx ? refx : ref; /* the result whose error is printed */
        size_t i;
        for (i = 0; i < nout; i++)
            scale = fabs(rf[i]) > scale ? fabs(rf[i]) : scale;
    }
    for (nt = 1; nt <= 2; nt++) {
        double wall[NB][MAX_REPS], cpu[NB][MAX_REPS], med0 = 0.0;
        clockid_t cc = nt == 1 ? CLOCK_THREAD_CPUTIME_ID : CLOCK_PROCESS_CPUTIME_ID;
        int rep;
#ifdef _OPENMP
        omp_set_num_threads(nt);
#else
        if (nt > 1)
            break;
#endif
        for (rep = 0; rep <= reps; rep++) /* rep 0 warms up */
            for (b = 0; b < NB; b++) {
                double c0, w0, c1, w1;
                memset(dw[b], 0, sizeof(float) * nw);
                memset(dx[b], 0, sizeof(float) * nx);
                c0 = clock_s(cc), w0 = clock_s(CLOCK_MONOTONIC);
                builds[b](x, s->cin, h, h, wt, dy, s->cout, s->k, s->stride, s->pad, 1, with_dx ? dx[b] : NULL, dw[b],
                          NULL);
                c1 = clock_s(cc), w1 = clock_s(CLOCK_MONOTONIC);
                if (rep) {
                    wall[b][rep - 1] = w1 - w0;
                    cpu[b][rep - 1] = c1 - c0;
                }
            }
        printf("%-12s %dT", s->name, nt);
        for (b = 0; b < NB; b++) {
            double err = 0.0, med;
            int differs = 0;
            size_t i;
            for (i = 0; i < nout; i++) {
                const float *o = with_dx ? dx[b] : dw[b], *o0 = with_dx ? dx[0] : dw[0];
                double e = fabs(o[i] - (with_dx ? refx : ref)[i]);
                err = e > err ? e : err;
                differs |= o[i] != o0[i];
            }
            qsort(wall[b], (size_t)reps, sizeof(double), cmp_double);
            qsort(cpu[b], (size_t)reps, sizeof(double), cmp_double);
            med = cpu[b][reps / 2];
            if (b == 0)
                med0 = med;
            printf("  %s %.2f/%.2f ms %.1f GF/s x%.3f err %.1e%s", names[b], wall[b][0] * 1e3, med * 1e3,
                   (with_dx ? 4.0 : 2.0) * (double)nw * P / med * 1e-9, med / med0, err / scale, differs ? "!" : "");
        }
        printf("\n");
        fflush(stdout);
    }
    for (b = 0; b < NB; b++)
        free(dw[b]), free(dx[b]);
    free(x);
    free(dy);
    free(wt);
    free(ref);
    free(refx);
}

int main(int argc, char **argv)
{
    int with_dx = argc > 1 && strcmp(argv[1], "--dx") == 0;
    int reps = argc > 1 + with_dx ? atoi(argv[1 + with_dx]) : 7;
    int only = argc > 2 + with_dx ? atoi(argv[2 + with_dx]) : -1, i;
    int n = (int)(sizeof shapes / sizeof shapes[0]);
    unsigned seed = 1;
    if (reps < 1 || reps > MAX_REPS || only >= n) {
        fprintf(stderr, "usage: dw_bench [--dx] [REPS 1..%d [SHAPE 0..%d]]\n", MAX_REPS, n - 1);
        return 2;
    }
    printf("%s per ResNet-18 224x224 convolution: min wall / median CPU ms, GFLOP/s of that CPU time,\n"
           "CPU time over before's, %s's error against float64 relative to its largest value (! = bits differ from "
           "before's)\n",
           with_dx ? "weight and input gradient" : "weight gradient", with_dx ? "dx" : "dW");
    for (i = 0; i < n; i++)
        if (only < 0 || i == only)
            run_shape(&shapes[i], reps, with_dx, &seed);
    return 0;
}
