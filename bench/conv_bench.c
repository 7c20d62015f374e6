/*
 * bench/conv_bench.c - direct and Winograd 3x3 stride-1 convolutions side by
 * side, per ResNet-18 layer shape (224x224: 64x56x56, 128x28x28, 256x14x14,
 * 512x7x7; BN + ReLU of the producer fused, statistics of the next BN
 * computed), at 1 and 2 threads. The three methods are timed interleaved
 * in one process (direct, F(4x4), F(2x2), direct, ...), so a machine that
 * others load slows all of them alike; the ratios are what this prints
 * first. Also what `gsc --conv=auto`'s cost model predicts for each.
 *
 *   cc -std=c99 -O3 -march=native -fopenmp -Iruntime bench/conv_bench.c \
 *      runtime/gsc_fast.c runtime/gsc_winograd.c -lm -o conv_bench && ./conv_bench [ROUNDS]
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "gsc_fast.h"
#define BENCH_NAME "conv_bench"
#include "bench_util.h"

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 15;
    static const int shapes[][2] = {{64, 56}, {128, 28}, {256, 14}, {512, 7}};
    int maxthreads = 1;
#ifdef _OPENMP
    maxthreads = omp_get_max_threads() < 2 ? omp_get_max_threads() : 2;
#endif
    if (rounds < 1)
        rounds = 1;
    printf("SIMD path %s; median and minimum of %d interleaved rounds per method (ms); ratio = time / direct's\n"
           "(on a loaded machine the minimum is the run least disturbed)\n",
           gsc_fast_isa(), rounds);
    printf("%-11s %3s        %8s %8s %8s %6s %6s\n", "layer", "thr", "direct", "F(4x4)", "F(2x2)", "F4/d", "F2/d");
    for (int si = 0; si < 4; si++) {
        int c = shapes[si][0], hw = shapes[si][1];
        GscFastConv g = {.cin = c, .h = hw, .w = hw, .cout = c, .k = 3, .stride = 1, .pad = 1, .groups = 1};
        size_t nx = (size_t)GSC_FAST_ACT_FLOATS(c, hw, hw);
        float *x = malloc(nx * sizeof(float)), *y = malloc(nx * sizeof(float));
        float *wt = malloc((size_t)c * c * 9 * sizeof(float)), *b = calloc((size_t)c, sizeof(float));
        float *ss = malloc(2 * (size_t)GSC_FAST_CPAD(c) * sizeof(float));
        float *mom = malloc(2 * (size_t)GSC_FAST_CPAD(c) * sizeof(float));
        float *packed[3];
        void *ws[3];
        for (size_t i = 0; i < nx; i++)
            x[i] = (float)((i * 2654435761u) % 1000) / 500.0f - 1.0f;
        for (size_t i = 0; i < (size_t)c * c * 9; i++)
            wt[i] = (float)((i * 40503u) % 1000) / 5000.0f - 0.1f;
        for (int i = 0; i < 2 * GSC_FAST_CPAD(c); i++)
            ss[i] = i < GSC_FAST_CPAD(c) ? 1.0f : 0.1f;
        for (int k = 0; k < 3; k++) {
            int m = k == 1 ? 4 : 2;
            size_t pf = k ? (size_t)gsc_fast_winograd_packed_floats(c, c, m) : (size_t)gsc_fast_conv_packed_floats(c, c, 3, 1);
            packed[k] = malloc(pf * sizeof(float));
            ws[k] = malloc(k ? gsc_fast_winograd_workspace_bytes(&g, m) : gsc_fast_conv_workspace_bytes(&g));
            if (k)
                gsc_fast_winograd_prepare(wt, b, c, c, m, packed[k]);
            else
                gsc_fast_conv_prepare(wt, b, c, c, 3, 1, packed[k]);
        }
        for (int th = 1; th <= maxthreads; th++) {
            double *t[3];
#ifdef _OPENMP
            omp_set_num_threads(th);
#endif
            for (int k = 0; k < 3; k++)
                t[k] = malloc((size_t)rounds * sizeof(double));
            for (int r = -2; r < rounds; r++) /* two rounds of warm-up */
                for (int k = 0; k < 3; k++) {
                    double t0 = now();
                    if (k)
                        gsc_fast_conv2d_winograd(&g, k == 1 ? 4 : 2, x, packed[k], ss, GSC_FAST_RELU, y, mom, ws[k]);
                    else
                        gsc_fast_conv2d(&g, x, packed[0], ss, GSC_FAST_RELU, y, mom, ws[0]);
                    if (r >= 0)
                        t[k][r] = now() - t0;
                }
            double med[3], mn[3];
            for (int k = 0; k < 3; k++) {
                qsort(t[k], (size_t)rounds, sizeof(double), cmp_double);
                med[k] = t[k][rounds / 2];
                mn[k] = t[k][0];
                free(t[k]);
            }
            printf("%3dx%3dx%-3d %3d median %8.3f %8.3f %8.3f %6.2f %6.2f   min %8.3f %8.3f %8.3f %6.2f %6.2f\n", c, hw,
                   hw, th, 1e3 * med[0], 1e3 * med[1], 1e3 * med[2], med[1] / med[0], med[2] / med[0], 1e3 * mn[0],
                   1e3 * mn[1], 1e3 * mn[2], mn[1] / mn[0], mn[2] / mn[0]);
        }
        for (int k = 0; k < 3; k++) {
            free(packed[k]);
            free(ws[k]);
        }
        free(x); free(y); free(wt); free(b); free(ss); free(mom);
    }
    return 0;
}
