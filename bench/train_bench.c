/*
 * train_bench.c - the speed of the generated ResNet-18 training step
 * (`make bench-train`, bench/train.sh).
 *
 * One step is what a training loop does per example of batch 1:
 *   memset(grads, 0); loss = rn18_grad(params, x, label, grads, ws);
 *   gsc_opt_step(AdamW) over all RN18_NUM_PARAMS parameters.
 * The model is what `gsc --train models/resnet18.gs` emits (train.sh writes it
 * to build/bench/train/), the seed's weights (rn18_init), the deterministic
 * input of tests/driver/model_main.c, label TRAIN_LABEL, AdamW with PyTorch's
 * defaults (lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 1e-2).
 *
 * Built twice from the same source (train.sh does):
 *   cc -std=c99 -O3 -march=native -fopenmp -IDIR -Iruntime bench/train_bench.c \
 *      DIR/rn18.c runtime/gsc_{init,kernels,backward,fast_backward,safetensors,fast,train}.c -lm
 * once plain (whole-step times) and once with -DGSC_PROFILE from what
 * `gsc --train --profile` emits (the per-section breakdown; this file
 * defines the hooks).
 *
 *   train_bench [--threads 1,2] [--runs N] [--warmup N] [--macs N]
 *               [--peak1 GFLOPS] [--peak2 GFLOPS]
 *   train_bench --serve        (commands on stdin, see serve(); bench/train_peers.py)
 *
 * Plain build: per thread count, the median and minimum ms per step over
 * --runs runs after --warmup (the thread counts alternate in 5 rounds), the
 * part of it that is AdamW, GFLOP/s (3 x 2 x the forward's multiply-adds per
 * step: the backward of a convolution or a linear layer is two products of
 * the forward's size), the share of the measured fp32 peak, the training
 * workspace and the peak RSS. Profiled build: the ten most expensive sections,
 * and the forward, loss and backward sections summed per stage.
 */
#define _POSIX_C_SOURCE 200809L
#include "rn18.h"
#include "gsc_fast.h"
#include "gsc_train.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* The forward's multiply-adds (`gsc --emit=summary models/resnet18.gs`); train.sh passes --macs. */
#define RN18_MACS_DEFAULT 1814073344.0
#define TRAIN_LABEL 1

#define MAX_RUNS 10000
#define MAX_THREADS 8
#define MAX_SECTIONS 512
#define ROUNDS 5
#define BENCH_NAME "train_bench"
#include "bench_util.h"

/* ------------------------------------------------------------ the step */

typedef struct {
    float *params, *grads, *input, *state;
    void *ws;
    GscOptConfig cfg;
    GscOptState st;
    double opt_s; /* seconds of the last step spent in the AdamW update */
    float loss;   /* the last step's loss */
} Step;

static void step_setup(Step *s)
{
    long i;
    char err[256];
    s->params = xalloc(sizeof(float) * RN18_NUM_PARAMS);
    s->grads = xalloc(sizeof(float) * RN18_NUM_PARAMS);
    s->input = xalloc(sizeof(float) * RN18_INPUT_SIZE);
    s->ws = xalloc(RN18_TRAIN_WORKSPACE_BYTES);
    s->cfg = gsc_adamw_defaults();
    if (gsc_opt_check(&s->cfg, err, sizeof err)) {
        fprintf(stderr, "train_bench: %s\n", err);
        exit(2);
    }
    s->state = xalloc(sizeof(float) * (size_t)gsc_opt_state_floats(&s->cfg, RN18_NUM_PARAMS));
    gsc_opt_state_init(&s->st, &s->cfg, s->state, RN18_NUM_PARAMS);
    rn18_init(s->params);
    /* The deterministic input of tests/driver/model_main.c: a pattern in [-1, 1]. */
    for (i = 0; i < RN18_INPUT_SIZE; i++)
        s->input[i] = (float)((i * 7919 % 2001) - 1000) / 1000.0f;
}

/* One training step; its ms. */
static double step_ms(Step *s)
{
    double t0 = now(), t1;
    memset(s->grads, 0, sizeof(float) * RN18_NUM_PARAMS);
    s->loss = rn18_grad(s->params, s->input, TRAIN_LABEL, s->grads, s->ws);
    t1 = now();
    if (gsc_opt_step(&s->cfg, &s->st, s->params, s->grads, RN18_NUM_PARAMS)) {
        fprintf(stderr, "train_bench: the AdamW step failed\n");
        exit(2);
    }
    s->opt_s = now() - t1;
    return (now() - t0) * 1e3;
}

/* -------------------------------------------------------------- serve */

/*
 * --serve: for bench/train_peers.py. First computes the loss of the seed's
 * weights (a step without the update) and prints "ready ISA LOSS". Then one
 * command per stdin line:
 *   run T W N   T threads, W untimed steps, N timed steps; prints the N
 *               times in ms on one line
 *   quit
 */
static int serve(void)
{
    Step s;
    char line[256];
    float loss0;
    step_setup(&s);
    loss0 = rn18_grad(s.params, s.input, TRAIN_LABEL, s.grads, s.ws);
    printf("ready %s %.9g\n", gsc_fast_isa(), loss0);
    fflush(stdout);
    while (fgets(line, sizeof line, stdin)) {
        int t, w, n, i;
        if (sscanf(line, "run %d %d %d", &t, &w, &n) == 3) {
            set_threads(t);
            for (i = 0; i < w; i++)
                step_ms(&s);
            for (i = 0; i < n; i++)
                printf("%s%.4f", i ? " " : "", step_ms(&s));
            printf("\n");
        } else if (!strncmp(line, "quit", 4)) {
            break;
        } else {
            printf("error: unknown command\n");
        }
        fflush(stdout);
    }
    return 0;
}

/* ------------------------------------------------------------ reports */

#ifdef GSC_PROFILE
/* The stage of a section: stem, layer1..layer4, head (pool, fc, the loss). */
static const char *stage_of(const char *name)
{
    static const char *stages[] = {"layer1", "layer2", "layer3", "layer4"};
    const char *n = !strncmp(name, "backward of ", 12) ? name + 12 : name;
    int i;
    for (i = 0; i < 4; i++)
        if (!strncmp(n, stages[i], 6))
            return stages[i];
    if (!strncmp(n, "conv1", 5) || !strncmp(n, "bn1", 3) || !strcmp(n, "relu") || !strncmp(n, "maxpool", 7))
        return "stem";
    return "head";
}

static void profile_report(const double acc[][MAX_SECTIONS], const int *threads, int nt, int runs)
{
    static const char *stages[] = {"stem", "layer1", "layer2", "layer3", "layer4", "head"};
    int order[MAX_SECTIONS], i, j, k;
    double total[MAX_THREADS] = {0};
    for (k = 0; k < nt; k++)
        for (i = 0; i < prof_nsec; i++)
            total[k] += acc[k][i];
    for (i = 0; i < prof_nsec; i++)
        order[i] = i;
    for (i = 1; i < prof_nsec; i++) /* by 1-thread time, descending */
        for (j = i; j > 0 && acc[0][order[j]] > acc[0][order[j - 1]]; j--) {
            int tmp = order[j];
            order[j] = order[j - 1];
            order[j - 1] = tmp;
        }
    printf("Per-section breakdown of rn18_grad (mean ms per step over %d timed steps; share of the profiled total)\n",
           runs);
    printf("%-36s", "section");
    for (k = 0; k < nt; k++)
        printf("  %2d thr ms   share", threads[k]);
    printf("\n");
    for (i = 0; i < prof_nsec && i < 10; i++) {
        int s = order[i];
        printf("%-36s", prof_name[s] ? prof_name[s] : "?");
        for (k = 0; k < nt; k++)
            printf("  %9.3f  %5.1f%%", acc[k][s] * 1e3 / runs, 100 * acc[k][s] / total[k]);
        printf("\n");
    }
    printf("\nPer stage: forward, backward (mean ms per step); the loss is in head's forward\n");
    printf("%-8s", "stage");
    for (k = 0; k < nt; k++)
        printf("  %2d thr fwd  bwd      ", threads[k]);
    printf("\n");
    for (j = 0; j < 6; j++) {
        printf("%-8s", stages[j]);
        for (k = 0; k < nt; k++) {
            double f = 0, b = 0;
            for (i = 0; i < prof_nsec; i++) {
                if (!prof_name[i] || strcmp(stage_of(prof_name[i]), stages[j]))
                    continue;
                if (!strncmp(prof_name[i], "backward of ", 12))
                    b += acc[k][i];
                else
                    f += acc[k][i];
            }
            printf("  %9.3f %9.3f    ", f * 1e3 / runs, b * 1e3 / runs);
        }
        printf("\n");
    }
    printf("%-8s", "all");
    for (k = 0; k < nt; k++) {
        double f = 0, b = 0;
        for (i = 0; i < prof_nsec; i++) {
            if (prof_name[i] && !strncmp(prof_name[i], "backward of ", 12))
                b += acc[k][i];
            else
                f += acc[k][i];
        }
        printf("  %9.3f %9.3f    ", f * 1e3 / runs, b * 1e3 / runs);
    }
    printf("\n");
}
#endif

int main(int argc, char **argv)
{
    int threads[MAX_THREADS] = {1, 2}, nt = 2, runs = 20, warmup = 3, i, k, r;
    double macs = RN18_MACS_DEFAULT, peak[MAX_THREADS] = {0};
    static double times[MAX_THREADS][MAX_RUNS], opt[MAX_THREADS][MAX_RUNS];
#ifdef GSC_PROFILE
    static double acc[MAX_THREADS][MAX_SECTIONS];
#endif
    struct rusage ru;
    Step s;
    for (i = 1; i < argc; i += 2) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--serve"))
            return serve();
        if (!v) {
            fprintf(stderr, "train_bench: %s needs a value (or unknown option)\n", a);
            return 2;
        }
        if (!strcmp(a, "--threads"))
            nt = parse_threads(v, threads, MAX_THREADS);
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
        else {
            fprintf(stderr, "train_bench: unknown option %s\n", a);
            return 2;
        }
    }
    if (nt < 1 || runs < ROUNDS || runs > MAX_RUNS || warmup < 0 || macs <= 0) {
        fprintf(stderr, "train_bench: want --threads T,T.., --runs %d..%d, --warmup >= 0, --macs > 0\n", ROUNDS,
                MAX_RUNS);
        return 2;
    }
    runs -= runs % ROUNDS;
    step_setup(&s);
    printf("gsc_fast_isa(): %s; training workspace %.1f MiB (RN18_TRAIN_WORKSPACE_BYTES %lld); %d parameters\n",
           gsc_fast_isa(), RN18_TRAIN_WORKSPACE_BYTES / 1048576.0, (long long)RN18_TRAIN_WORKSPACE_BYTES,
           RN18_NUM_PARAMS);
    /* The thread counts alternate in ROUNDS rounds, each starting with warmup untimed steps. */
    for (r = 0; r < ROUNDS; r++)
        for (k = 0; k < nt; k++) {
            set_threads(threads[k]);
            for (i = 0; i < warmup; i++)
                step_ms(&s);
#ifdef GSC_PROFILE
            memset(prof_acc, 0, sizeof prof_acc);
#endif
            for (i = 0; i < runs / ROUNDS; i++) {
                int at = r * (runs / ROUNDS) + i;
                times[k][at] = step_ms(&s);
                opt[k][at] = s.opt_s * 1e3;
            }
#ifdef GSC_PROFILE
            for (i = 0; i < prof_nsec; i++)
                acc[k][i] += prof_acc[i];
#endif
        }
    printf("last loss %.6g (AdamW steps on one example: it falls)\n", s.loss);
#ifdef GSC_PROFILE
    profile_report((const double(*)[MAX_SECTIONS])acc, threads, nt, runs);
    printf("\n(the profiled build: its times include the hooks' clock_gettime pairs)\n");
#endif
    printf("Training step (rn18_grad + AdamW over all parameters), %d timed steps per thread count after %d untimed\n"
           "per round, %d rounds; GFLOP/s = 3 x %.4g GFLOP (forward, input and weight gradients) / median\n",
           runs, warmup, ROUNDS, 2 * macs * 1e-9);
    printf("threads  median ms     min ms   AdamW ms   GFLOP/s  share of peak\n");
    for (k = 0; k < nt; k++) {
        double m = median(times[k], runs), gf = 3 * 2 * macs / (m * 1e-3) * 1e-9;
        double pk = k < 2 && threads[k] == k + 1 ? peak[k] : 0;
        printf("%7d %10.2f %10.2f %10.2f %9.1f", threads[k], m, minimum(times[k], runs), median(opt[k], runs), gf);
        if (pk > 0)
            printf("  %5.1f%% of %.1f", 100 * gf / pk, pk);
        printf("\n");
    }
    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS %.1f MiB (params, grads, AdamW state 2x, training workspace, input)\n", ru.ru_maxrss / 1024.0);
    return 0;
}
