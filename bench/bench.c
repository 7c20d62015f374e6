/*
 * bench.c - speed of the generated ResNet-18 (generated/rn18.c, 3x224x224,
 * the seed's weights and semantics). Driven by bench/run.sh (`make bench`);
 * bench/peers.py uses its --serve mode (`make bench-peers`).
 *
 * Build it twice from the same source (run.sh does):
 *   cc -std=c99 -O3 -march=native -fopenmp -Igenerated -Iruntime bench/bench.c \
 *      generated/rn18.c runtime/gsc_{init,kernels,safetensors,fast}.c -lm
 * once plain (whole-forward times: the hooks compile to nothing) and once with
 * -DGSC_PROFILE (the per-section breakdown: this file defines the hooks).
 *
 *   bench [--threads 1,2] [--runs N] [--warmup N] [--macs N]
 *         [--peak1 GFLOPS] [--peak2 GFLOPS] [--gsc PATH --gsc-out FILE.c]
 *         [--misalign N]
 *   bench [--misalign N] --serve INPUT.bin    (commands on stdin, see serve())
 *
 * --misalign N (bytes, a multiple of 4 below 64; default 0): the model's
 * buffers (params, prepared, input, output, workspace) start N bytes after a
 * 64-byte boundary instead of on one, the cost of buffers that are only
 * float-aligned (docs/c-api.md, memory and alignment).
 *
 * Plain build: prints, per thread count, the median and minimum ms per
 * forward pass over --runs runs after --warmup, GFLOP/s, the share of the
 * measured fp32 peak (--peak1/--peak2, from bench/peak.c, measured by run.sh),
 * the workspace size and peak RSS; with --gsc, the median time of 10 runs of
 * `gsc models/resnet18.gs -o FILE.c`.
 * Profiled build: the ten most expensive sections per thread count (mean ms
 * per forward over the timed runs, share of the mean profiled total).
 */
#define _POSIX_C_SOURCE 200809L
#include "rn18.h"
#include "gsc_fast.h"

#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

extern char **environ;

/* Multiply-adds of one forward pass: the "multiply-adds" line of
 * `build/gsc --emit=summary models/resnet18.gs` (run.sh passes it as --macs;
 * this is the fallback). 2 FLOP per multiply-add: 3.628 GFLOP. */
#define RN18_MACS_DEFAULT 1814073344.0

#define MAX_RUNS 10000
#define MAX_THREADS 8
#define MAX_SECTIONS 256
#define BENCH_NAME "bench"
#include "bench_util.h"

static int misalign; /* --misalign: bytes past a 64-byte boundary of the model's buffers */

/* A model buffer: 64-byte aligned, plus `misalign` bytes. *base is what to free. */
static void *model_alloc(size_t n, void **base)
{
    *base = xalloc(n + 64);
    return (char *)*base + misalign;
}

/* ------------------------------------------------------------ the model */

typedef struct {
    float *prepared, *input, *output;
    void *ws;
} Model;

/* Never freed (the bench lives once), except the parameters. */
static void model_setup(Model *m)
{
    void *base, *params_base;
    float *params = model_alloc(sizeof(float) * RN18_NUM_PARAMS, &params_base);
    m->prepared = model_alloc(sizeof(float) * RN18_PREPARED_SIZE, &base);
    m->input = model_alloc(sizeof(float) * RN18_INPUT_SIZE, &base);
    m->output = model_alloc(sizeof(float) * RN18_OUTPUT_SIZE, &base);
    m->ws = model_alloc(RN18_WORKSPACE_BYTES, &base);
    rn18_init(params);
    rn18_prepare(params, m->prepared);
    free(params_base);
}

/* The deterministic input of tests/driver/model_main.c: a pattern in [-1, 1]. */
static void default_input(float *x)
{
    long i;
    for (i = 0; i < RN18_INPUT_SIZE; i++)
        x[i] = (float)((i * 7919 % 2001) - 1000) / 1000.0f;
}

static double forward_ms(Model *m)
{
    double t0 = now();
    rn18_forward(m->prepared, m->input, m->output, m->ws);
    return (now() - t0) * 1e3;
}

/* --------------------------------------------------- timing a program */

/* Runs argv to completion with stdout/stderr to /dev/null; seconds, or -1. */
static double time_spawn(char *const argv[])
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int status;
    double t0, t;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", 1 /* O_WRONLY */, 0);
    t0 = now();
    if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return -1;
    }
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        t = -1;
    else
        t = now() - t0;
    posix_spawn_file_actions_destroy(&fa);
    return t;
}

/* -------------------------------------------------------------- serve */

static double serve_forward(void *m)
{
    return forward_ms(m);
}

/*
 * --serve INPUT.bin: for bench/peers.py. Reads one command per stdin line
 * (serve_commands in bench_util.h):
 *   run T W N   set T threads, W untimed runs, N timed runs; prints the N
 *               times in ms on one line
 *   out PATH    writes the last output (RN18_OUTPUT_SIZE float32) to PATH;
 *               prints "ok"
 *   quit
 */
static int serve(const char *input_path)
{
    Model m;
    FILE *f;
    model_setup(&m);
    f = fopen(input_path, "rb");
    if (!f || fread(m.input, sizeof(float), RN18_INPUT_SIZE, f) != RN18_INPUT_SIZE) {
        fprintf(stderr, "bench: cannot read %d floats from %s\n", RN18_INPUT_SIZE, input_path);
        return 2;
    }
    fclose(f);
    printf("ready %s%s\n", gsc_fast_isa(), misalign ? " misaligned" : "");
    fflush(stdout);
    return serve_commands(serve_forward, &m, m.output, RN18_OUTPUT_SIZE);
}

/* --------------------------------------------------------------- main */

#ifdef GSC_PROFILE
static double sec_ms[MAX_THREADS][MAX_SECTIONS]; /* ms, summed over the timed runs */

/* The ten most expensive sections, per thread count: mean ms per forward. */
static void report_sections(const int *th, int nth, int runs, const double *total)
{
    int order[MAX_SECTIONS], n = prof_nsec, i, j, k;
    for (i = 0; i < n; i++)
        order[i] = i;
    /* by the time at the first thread count, descending (insertion sort) */
    for (i = 1; i < n; i++)
        for (k = i; k > 0 && sec_ms[0][order[k]] > sec_ms[0][order[k - 1]]; k--) {
            int t = order[k];
            order[k] = order[k - 1];
            order[k - 1] = t;
        }
    printf("\nPer-section time (build with -DGSC_PROFILE; mean ms per forward over the timed runs,\n"
           "%% of the mean profiled total), the ten most expensive sections:\n");
    printf("  %-3s %-24s", "#", "section");
    for (j = 0; j < nth; j++)
        printf("  %2dT ms      %%", th[j]);
    if (nth > 1)
        printf("  speedup %dT/%dT", th[nth - 1], th[0]);
    printf("\n");
    for (i = 0; i < n && i < 10; i++) {
        int s = order[i];
        printf("  %-3d %-24s", s, prof_name[s] ? prof_name[s] : "?");
        for (j = 0; j < nth; j++)
            printf("  %7.3f %5.1f%%", sec_ms[j][s] / runs, 100.0 * sec_ms[j][s] / runs / total[j]);
        if (nth > 1)
            printf("  %6.2fx", sec_ms[0][s] / sec_ms[nth - 1][s]);
        printf("\n");
    }
    {
        double top[MAX_THREADS] = {0}, all[MAX_THREADS] = {0};
        for (j = 0; j < nth; j++)
            for (i = 0; i < n; i++) {
                all[j] += sec_ms[j][order[i]] / runs;
                if (i < 10)
                    top[j] += sec_ms[j][order[i]] / runs;
            }
        printf("  %-3s %-24s", "", "top ten");
        for (j = 0; j < nth; j++)
            printf("  %7.3f %5.1f%%", top[j], 100.0 * top[j] / total[j]);
        printf("\n  %-3s %-24s", "", "all sections");
        for (j = 0; j < nth; j++)
            printf("  %7.3f %5.1f%%", all[j], 100.0 * all[j] / total[j]);
        printf("\n  %-3s %-24s", "", "profiled forward (mean)");
        for (j = 0; j < nth; j++)
            printf("  %7.3f %5.1f%%", total[j], 100.0);
        printf("\n");
    }
    /* per kind of section */
    {
        static const char *kind[] = {"conv", "add (bn2+skip+relu)", "maxpool", "bn fold", "other"};
        printf("\nPer kind of section (mean ms per forward):\n");
        for (k = 0; k < 5; k++) {
            double st[MAX_THREADS] = {0};
            for (i = 0; i < n; i++) {
                const char *nm = prof_name[i] ? prof_name[i] : "";
                size_t l = strlen(nm);
                int c = (l >= 5 && (!strcmp(nm + l - 5, "conv1") || !strcmp(nm + l - 5, "conv2"))) ||
                                (l >= 12 && !strcmp(nm + l - 12, "downsample.0")) ? 0
                        : l >= 3 && !strcmp(nm + l - 3, "add")                  ? 1
                        : !strcmp(nm, "maxpool2d")                              ? 2
                        : strstr(nm, "bn") || (l >= 12 && !strcmp(nm + l - 12, "downsample.1")) ? 3
                                                                                : 4;
                if (c == k)
                    for (j = 0; j < nth; j++)
                        st[j] += sec_ms[j][i] / runs;
            }
            printf("  %-20s", kind[k]);
            for (j = 0; j < nth; j++)
                printf("  %2dT %7.3f ms %5.1f%%", th[j], st[j], 100.0 * st[j] / total[j]);
            if (nth > 1 && st[nth - 1] > 0)
                printf("  speedup %.2fx", st[0] / st[nth - 1]);
            printf("\n");
        }
    }
    /* per stage: where 2-thread scaling is lost */
    {
        static const char *stage[] = {"stem", "layer1", "layer2", "layer3", "layer4", "head"};
        printf("\nPer stage (mean ms per forward):\n");
        for (k = 0; k < 6; k++) {
            double st[MAX_THREADS] = {0};
            for (i = 0; i < n; i++) {
                const char *nm = prof_name[i] ? prof_name[i] : "";
                int stg = strncmp(nm, "layer", 5) == 0 ? nm[5] - '0'
                          : (!strcmp(nm, "global_avgpool") || !strcmp(nm, "fc")) ? 5 : 0;
                if (stg == k)
                    for (j = 0; j < nth; j++)
                        st[j] += sec_ms[j][i] / runs;
            }
            printf("  %-8s", stage[k]);
            for (j = 0; j < nth; j++)
                printf("  %2dT %7.3f ms", th[j], st[j]);
            if (nth > 1)
                printf("  speedup %.2fx", st[0] / st[nth - 1]);
            printf("\n");
        }
    }
}
#endif

int main(int argc, char **argv)
{
    int th[MAX_THREADS] = {1, 2}, nth = 2, runs = 50, warmup = 5, rounds = 5;
    double macs = RN18_MACS_DEFAULT, peak[MAX_THREADS] = {0};
    const char *gsc = NULL, *gsc_out = "build/bench/gsc/rn18.c";
    static double times[MAX_THREADS][MAX_RUNS];
    double mean_total[MAX_THREADS];
    Model m;
    int i, j, r;
    struct rusage ru;

    for (i = 1; i < argc; i += 2) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--serve") && v)
            return serve(v);
        if (!strcmp(a, "--misalign") && v) {
            misalign = atoi(v);
            if (misalign < 0 || misalign >= 64 || misalign % 4) {
                fprintf(stderr, "bench: --misalign takes a multiple of 4 from 0 to 60\n");
                return 2;
            }
            continue;
        }
        if (!v) {
            fprintf(stderr, "bench: %s needs a value\n", a);
            return 2;
        }
        if (!strcmp(a, "--threads"))
            nth = parse_threads(v, th, MAX_THREADS);
        else if (!strcmp(a, "--runs"))
            runs = atoi(v);
        else if (!strcmp(a, "--warmup"))
            warmup = atoi(v);
        else if (!strcmp(a, "--macs"))
            macs = atof(v);
        else if (!strcmp(a, "--peak1"))
            peak[0] = atof(v);
        else if (!strcmp(a, "--peak2"))
            peak[1] = atof(v);
        else if (!strcmp(a, "--gsc"))
            gsc = v;
        else if (!strcmp(a, "--gsc-out"))
            gsc_out = v;
        else {
            fprintf(stderr, "bench: unknown option %s\n", a);
            return 2;
        }
    }
    if (nth < 1 || runs < 1 || runs > MAX_RUNS || warmup < 0 || macs <= 0) {
        fprintf(stderr, "bench: bad arguments\n");
        return 2;
    }
    if (runs < rounds)
        rounds = runs;

    model_setup(&m);
    default_input(m.input);

    /* Thread counts alternate in rounds, so that drift hits all of them
     * equally; each round starts with `warmup` untimed runs. */
    for (r = 0; r < rounds; r++) {
        int lo = runs * r / rounds, hi = runs * (r + 1) / rounds;
        for (j = 0; j < nth; j++) {
            set_threads(th[j]);
            for (i = 0; i < warmup; i++)
                forward_ms(&m);
#ifdef GSC_PROFILE
            prof_reset();
#endif
            for (i = lo; i < hi; i++)
                times[j][i] = forward_ms(&m);
#ifdef GSC_PROFILE
            for (i = 0; i < MAX_SECTIONS; i++)
                sec_ms[j][i] += prof_acc[i] * 1e3;
#endif
        }
    }

#ifdef GSC_PROFILE
    printf("(profiled build: the whole-forward times below include the hooks' cost)\n");
#endif
    printf("ResNet-18 (generated/rn18.c), 3x224x224, seed weights, kernels: %s\n", gsc_fast_isa());
    if (misalign)
        printf("buffers misaligned: %d bytes past a 64-byte boundary (--misalign)\n", misalign);
    printf("%.0f multiply-adds = %.4f GFLOP per forward; %d timed runs per thread count\n"
           "after %d warm-up runs per round, thread counts alternating in %d rounds\n\n",
           macs, 2 * macs * 1e-9, runs, warmup, rounds);
    printf("(GFLOP/s counts the direct method's multiply-adds; Winograd's layers do fewer, so the share\n"
           "of the peak can pass 100%%)\n");
    printf("  threads   median ms     min ms   GFLOP/s (median)   fp32 peak GFLOP/s   share of peak\n");
    for (j = 0; j < nth; j++) {
        double med = median(times[j], runs), mn = minimum(times[j], runs);
        double gf = 2 * macs / (med * 1e-3) * 1e-9;
        mean_total[j] = 0;
        for (i = 0; i < runs; i++)
            mean_total[j] += times[j][i] / runs;
        printf("  %7d   %9.2f  %9.2f   %16.1f", th[j], med, mn, gf);
        if (j < 2 && peak[j] > 0)
            printf("   %17.1f   %12.1f%%\n", peak[j], 100.0 * gf / peak[j]);
        else
            printf("   %17s   %13s\n", "-", "-");
    }
    if (nth > 1) {
        printf("  speedup %dT/%dT (medians): %.2fx", th[nth - 1], th[0],
               median(times[0], runs) / median(times[nth - 1], runs));
        if (th[0] == 1 && th[nth - 1] == 2 && peak[0] > 0 && peak[1] > 0)
            printf(", beside the measured 2-thread/1-thread FMA peak ratio %.2fx", peak[1] / peak[0]);
        printf("\n");
    }
    printf("\n  workspace (RN18_WORKSPACE_BYTES): %d bytes (%.2f MiB)\n", RN18_WORKSPACE_BYTES,
           RN18_WORKSPACE_BYTES / 1048576.0);
    printf("  prepared weights (RN18_PREPARED_SIZE): %.2f MiB\n",
           RN18_PREPARED_SIZE * 4.0 / 1048576.0);
    getrusage(RUSAGE_SELF, &ru);
    printf("  peak RSS (ru_maxrss): %ld KiB (%.1f MiB; includes the %.1f MiB parameter array freed after\n"
           "  rn18_prepare, the prepared weights, the workspace and the C runtime)\n",
           (long)ru.ru_maxrss, ru.ru_maxrss / 1024.0, RN18_NUM_PARAMS * 4.0 / 1048576.0);

#ifdef GSC_PROFILE
    report_sections(th, nth, runs, mean_total);
#endif

    if (gsc) {
        char *av[] = {(char *)gsc, "models/resnet18.gs", "-o", (char *)gsc_out, NULL};
        double t[10];
        int n = 0;
        if (time_spawn(av) < 0) { /* warm-up (page cache) */
            fprintf(stderr, "bench: %s models/resnet18.gs -o %s failed\n", gsc, gsc_out);
            return 1;
        }
        for (i = 0; i < 10; i++)
            if ((t[n] = time_spawn(av)) >= 0)
                n++;
        printf("\n  gsc models/resnet18.gs -o %s: median %.1f ms, min %.1f ms (%d runs; target < 50 ms)\n",
               gsc_out, median(t, n) * 1e3, minimum(t, n) * 1e3, n);
    }
    return 0;
}
