/*
 * bench/train_conv.c - P_grad's forward convolution two ways, per ResNet-18
 * conv shape at 224x224: the plain-CHW matrix product it runs
 * (gsc_fast_conv2d_chw: 32-deep float32 slices added into a double tile)
 * against the inference kernels on the same CHW buffers, as P_grad would
 * have to call them: the current weights packed at every call
 * (gsc_fast_conv_prepare or gsc_fast_winograd_prepare), the direct kernel
 * reading the CHW input (GSC_FAST_IN_CHW) or Winograd F(2x2)/F(4x4) a
 * blocked copy (gsc_fast_from_chw), the blocked result converted back
 * (gsc_fast_to_chw). The routes are timed interleaved in one process, per
 * call (median of ROUNDS), and the packing alone (of the last route: F(4x4)
 * where Winograd applies, else direct); at one thread the clock
 * is the thread's CPU time (a loaded machine slows it less), else the wall
 * clock. Each route's rounding: the largest error of an output channel
 * relative to that channel's largest value, against gsc_conv2d (double
 * sums).
 *
 *   cc -std=c99 -O3 -march=native -fopenmp -Iruntime bench/train_conv.c runtime/gsc_kernels.c \
 *      runtime/gsc_fast_backward.c runtime/gsc_fast.c runtime/gsc_winograd.c runtime/gsc_init.c \
 *      -lm -o train_conv && OMP_NUM_THREADS=1 ./train_conv [ROUNDS]
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "gsc_fast.h"
#include "gsc_runtime.h"
#define BENCH_NAME "train_conv"
#include "bench_util.h"

typedef struct {
    const char *name;
    int cin, h, cout, k, stride, pad, count; /* count: how often ResNet-18 has it */
} Shape;

static const Shape shapes[] = {
    {"conv1", 3, 224, 64, 7, 2, 3, 1},         {"layer1", 64, 56, 64, 3, 1, 1, 4},
    {"layer2.0.conv1", 64, 56, 128, 3, 2, 1, 1}, {"layer2.0.ds", 64, 56, 128, 1, 2, 0, 1},
    {"layer2", 128, 28, 128, 3, 1, 1, 3},      {"layer3.0.conv1", 128, 28, 256, 3, 2, 1, 1},
    {"layer3.0.ds", 128, 28, 256, 1, 2, 0, 1}, {"layer3", 256, 14, 256, 3, 1, 1, 3},
    {"layer4.0.conv1", 256, 14, 512, 3, 2, 1, 1}, {"layer4.0.ds", 256, 14, 512, 1, 2, 0, 1},
    {"layer4", 512, 7, 512, 3, 1, 1, 3},
};

static int cpu_clock;

static double clock_ms(void)
{
    if (!cpu_clock)
        return now() * 1e3;
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

/* The blocked route: m 0 (direct), 2 or 4 (Winograd); scratch as parts. */
typedef struct {
    GscFastConv g;
    int m, oh, ow;
    float *packed, *xb, *yb;
    void *ws;
} Route;

static void route_init(Route *r, const Shape *s, int m)
{
    r->g = (GscFastConv){.cin = s->cin, .h = s->h, .w = s->h, .cout = s->cout, .k = s->k, .stride = s->stride,
                         .pad = s->pad, .groups = 1};
    r->m = m;
    r->oh = r->ow = gsc_out_size(s->h, s->k, s->stride, s->pad);
    r->packed = xalloc(sizeof(float) * (size_t)(m ? gsc_fast_winograd_packed_floats(s->cin, s->cout, m)
                                                  : gsc_fast_conv_packed_floats(s->cin, s->cout, s->k, 1)));
    r->xb = m ? xalloc(sizeof(float) * (size_t)GSC_FAST_ACT_FLOATS(s->cin, s->h, s->h)) : NULL;
    r->yb = xalloc(sizeof(float) * (size_t)GSC_FAST_ACT_FLOATS(s->cout, r->oh, r->ow));
    r->ws = xalloc(m ? gsc_fast_winograd_workspace_bytes(&r->g, m) : gsc_fast_conv_workspace_bytes(&r->g));
}

static void route_pack(Route *r, const float *wt, const float *bias)
{
    if (r->m)
        gsc_fast_winograd_prepare(wt, bias, r->g.cin, r->g.cout, r->m, r->packed);
    else
        gsc_fast_conv_prepare(wt, bias, r->g.cin, r->g.cout, r->g.k, 1, r->packed);
}

static void route_run(Route *r, const float *x, const float *wt, const float *bias, float *y)
{
    route_pack(r, wt, bias);
    if (r->m) {
        gsc_fast_from_chw(x, r->g.cin, r->g.h, r->g.w, r->xb);
        gsc_fast_conv2d_winograd(&r->g, r->m, r->xb, r->packed, NULL, 0, r->yb, NULL, r->ws);
    } else {
        gsc_fast_conv2d(&r->g, x, r->packed, NULL, GSC_FAST_IN_CHW, r->yb, NULL, r->ws);
    }
    gsc_fast_to_chw(r->yb, r->g.cout, r->oh, r->ow, y);
}

static void route_free(Route *r)
{
    free(r->packed);
    free(r->xb);
    free(r->yb);
    free(r->ws);
}

/* The largest error of a channel relative to its largest |value|. */
static double channel_error(const float *y, const float *ref, int c, int n)
{
    double worst = 0.0;
    for (int ch = 0; ch < c; ch++) {
        double e = 0.0, big = 0.0;
        for (int i = 0; i < n; i++) {
            double d = fabs((double)y[(size_t)ch * n + i] - ref[(size_t)ch * n + i]);
            e = d > e ? d : e;
            big = fabs(ref[(size_t)ch * n + i]) > big ? fabs(ref[(size_t)ch * n + i]) : big;
        }
        if (big > 0.0 && e / big > worst)
            worst = e / big;
    }
    return worst;
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 7, threads = 1;
    if (rounds < 1 || rounds > 64)
        rounds = 7;
#ifdef _OPENMP
    threads = omp_get_max_threads();
#endif
    cpu_clock = threads == 1;
    printf("SIMD path %s, %d thread(s), %s; per call, median of %d interleaved rounds (ms)\n", gsc_fast_isa(), threads,
           cpu_clock ? "thread CPU time" : "wall clock", rounds);
    printf("%-15s %2s %8s %8s %8s %8s %8s %6s  %-25s\n", "conv", "n", "gemm", "direct", "F(2x2)", "F(4x4)", "pack",
           "best/g", "channel error gemm/d/F2/F4");
    double total[4] = {0, 0, 0, 0}, best_total = 0.0;
    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        const Shape *s = &shapes[si];
        int oh = gsc_out_size(s->h, s->k, s->stride, s->pad), nm = s->k == 3 && s->stride == 1 ? 3 : 1;
        size_t nx = (size_t)s->cin * s->h * s->h, nw = (size_t)s->cout * s->cin * s->k * s->k,
               ny = (size_t)s->cout * oh * oh;
        float *x = xalloc(4 * nx), *wt = xalloc(4 * nw), *bias = xalloc(4 * (size_t)s->cout), *y = xalloc(4 * ny),
              *ref = xalloc(4 * ny);
        srand(1);
        for (size_t i = 0; i < nx; i++)
            x[i] = (float)rand() / (float)RAND_MAX - 0.5f;
        for (size_t i = 0; i < nw; i++)
            wt[i] = ((float)rand() / (float)RAND_MAX - 0.5f) / sqrtf((float)(s->cin * s->k * s->k));
        for (int i = 0; i < s->cout; i++)
            bias[i] = 0.01f * (float)(i % 7);
        gsc_conv2d(x, s->cin, s->h, s->h, wt, bias, s->cout, s->k, s->stride, s->pad, 1, ref);
        static const int ms[3] = {0, 2, 4};
        Route r[3];
        double err[4], t[4][64], tp[64], med[4] = {0, 0, 0, 0};
        for (int q = 0; q < nm; q++)
            route_init(&r[q], s, ms[q]);
        gsc_fast_conv2d_chw(x, s->cin, s->h, s->h, wt, bias, s->cout, s->k, s->stride, s->pad, 1, y);
        err[0] = channel_error(y, ref, s->cout, oh * oh);
        for (int q = 0; q < nm; q++) {
            route_run(&r[q], x, wt, bias, y);
            err[q + 1] = channel_error(y, ref, s->cout, oh * oh);
        }
        for (int k = 0; k < rounds; k++) {
            double a = clock_ms();
            gsc_fast_conv2d_chw(x, s->cin, s->h, s->h, wt, bias, s->cout, s->k, s->stride, s->pad, 1, y);
            t[0][k] = clock_ms() - a;
            for (int q = 0; q < nm; q++) {
                a = clock_ms();
                route_run(&r[q], x, wt, bias, y);
                t[q + 1][k] = clock_ms() - a;
            }
            a = clock_ms();
            route_pack(&r[nm - 1], wt, bias);
            tp[k] = clock_ms() - a;
        }
        double best = 1e30;
        for (int q = 0; q <= nm; q++) {
            med[q] = median(t[q], rounds);
            if (q > 0 && med[q] < best)
                best = med[q];
        }
        printf("%-15s %2d %8.3f %8.3f ", s->name, s->count, med[0], med[1]);
        if (nm == 3)
            printf("%8.3f %8.3f ", med[2], med[3]);
        else
            printf("%8s %8s ", "-", "-");
        printf("%8.3f %6.2f  %.1e/%.1e", median(tp, rounds), best / med[0], err[0], err[1]);
        if (nm == 3)
            printf("/%.1e/%.1e", err[2], err[3]);
        printf("\n");
        for (int q = 0; q < 4; q++)
            total[q] += s->count * (q < nm + 1 ? med[q] : med[1]);
        best_total += s->count * best;
        for (int q = 0; q < nm; q++)
            route_free(&r[q]);
        free(x);
        free(wt);
        free(bias);
        free(y);
        free(ref);
    }
    printf("ResNet-18's forward convolutions: gemm %.2f ms, the inference kernels %.2f ms (the best route per "
           "shape; all direct %.2f), ratio %.2f\n",
           total[0], best_total, total[1], best_total / total[0]);
    return 0;
}
