/*
 * model_main.c - runs one generated model through its C API.
 *
 * Built against any generated NAME.c/NAME.h:
 *   cc -DGSC_HEADER='"rn18.h"' -DGSC_P=rn18 -DGSC_PU=RN18 model_main.c rn18.c runtime/gsc_init.c ... -lm
 *
 *   model_main [--params W.safetensors | --random-params SEED [--save-params W.safetensors]]
 *              [--input X.bin] [--output Y.bin] [--runs N]
 *
 * Without --input it feeds a deterministic input (a pattern in [-1, 1]);
 * without --params the seed's weights (P_init). --random-params draws every
 * parameter from its own LCG stream (BN scales around 1, biases and betas in
 * [-0.5, 0.5), far from the seed's 1 and 0), and --save-params writes them as
 * safetensors for `gsc --eval --params`. Built with -DGSC_EMBEDDED against a
 * file made with --embed-weights, it runs on the compiled-in P_weights. Without --output
 * it prints the top-5 outputs and the time per forward pass.
 *
 * Built with -DGSC_TRAIN against a file made with gsc --train, it also runs
 * the training step:
 *   --grad LABEL           P_grad on the input; --output gets the gradients
 *                          (NUM_PARAMS floats) instead of the output, and the
 *                          loss is printed
 *   --second-params SEED   then write random parameters (SEED) into the same
 *                          params array and run P_grad again in the same
 *                          workspace: --output gets those gradients (P_grad
 *                          must read params as they are now)
 *   --compare REF.bin      gradients of the same problem from elsewhere: per
 *                          tensor max |g - ref| / max(max |ref of the tensor|,
 *                          1e-3 max |ref|), the worst printed; exit 1 above
 *   --tolerance T          (default 2e-4)
 *   --save-input X.bin     the input used, for gsc --eval
 *   --adamw K              instead: K training steps on the one example,
 *                          each P_grad (grads zeroed first) and then AdamW
 *                          (runtime/gsc_train.c; betas 0.9, 0.999, eps 1e-8)
 *                          with --lr LR (default 1e-3) and --wd WD (1e-2);
 *                          prints "step S: loss L" (the loss P_grad returns
 *                          before the step's update) and --dump-params
 *                          P.bin writes the final parameters as raw float32
 *                          in the layout of P_tensors[]
 * With -DGSC_TRAIN_MSE too (gsc --train --loss=mse), LABEL is ignored and the
 * target is a fixed pattern, written by --save-target T.bin.
 */
#define _POSIX_C_SOURCE 200809L
#include GSC_HEADER

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef GSC_TRAIN
#include "gsc_train.h" /* AdamW for --adamw */
#endif

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(GSC_P, name)
#define MAC(name) CAT(GSC_PU, name)

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void *xalloc(size_t n)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, n ? n : 64) != 0) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

static int read_floats(const char *path, float *x, long n)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    long got = (long)fread(x, sizeof(float), (size_t)n, f);
    int extra = fgetc(f) != EOF;
    fclose(f);
    if (got != n || extra) {
        fprintf(stderr, "%s: expected exactly %ld float32 values\n", path, n);
        return -1;
    }
    return 0;
}

/* n floats (host order) to path, through "<path>.tmp" and a rename, so that
 * an existing file is never left half-written. */
static int write_floats(const char *path, const float *x, long n)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    int bad = !f || fwrite(x, sizeof(float), (size_t)n, f) != (size_t)n;
    if ((f && fclose(f)) || bad || rename(tmp, path)) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

static void random_params(float *p, unsigned seed)
{
    for (int t = 0; t < MAC(_NUM_TENSORS); t++) {
        const GscTensorInfo *ti = &FN(_tensors)[t];
        long n = 1;
        for (int k = 0; k < ti->rank; k++)
            n *= (long)ti->shape[k];
        unsigned s = seed * 7919u + (unsigned)t;
        size_t len = strlen(ti->name);
        int is_bias = len >= 5 && !strcmp(ti->name + len - 5, ".bias"); /* conv/linear bias, BN beta */
        for (long i = 0; i < n; i++) {
            s = s * 1664525u + 1013904223u;
            float u = (float)((s >> 8) / 16777216.0 - 0.5); /* [-0.5, 0.5) */
            p[ti->offset + i] = !is_bias && ti->rank == 1 ? 1.0f + u : is_bias ? u : u * 0.2f;
        }
    }
}

static void print_top5(const float *y, double best, int runs)
{
    int top[5] = {-1, -1, -1, -1, -1};
    for (int k = 0; k < 5 && k < MAC(_OUTPUT_SIZE); k++)
        for (int i = 0; i < MAC(_OUTPUT_SIZE); i++) {
            int taken = 0;
            for (int j = 0; j < k; j++)
                taken |= top[j] == i;
            if (!taken && (top[k] < 0 || y[i] > y[top[k]]))
                top[k] = i;
        }
    printf("top-5 of %d outputs:\n", MAC(_OUTPUT_SIZE));
    for (int k = 0; k < 5 && top[k] >= 0; k++)
        printf("  #%d  class %4d  score %+.6f\n", k + 1, top[k], y[top[k]]);
    printf("forward pass: %.2f ms (best of %d), workspace %ld bytes\n", best * 1e3, runs, (long)MAC(_WORKSPACE_BYTES));
}

#ifdef GSC_TRAIN
/* The worst per-tensor error of g against ref (see the header). */
static double compare_grads(const float *g, const float *ref, const char **worst)
{
    double all = 0.0, bad = 0.0;
    for (long i = 0; i < MAC(_NUM_PARAMS); i++)
        all = fabs(ref[i]) > all ? fabs(ref[i]) : all;
    for (int t = 0; t < MAC(_NUM_TENSORS); t++) {
        const GscTensorInfo *ti = &FN(_tensors)[t];
        long n = 1;
        for (int k = 0; k < ti->rank; k++)
            n *= (long)ti->shape[k];
        double m = 0.0, d = 0.0;
        for (long i = 0; i < n; i++) {
            double r = ref[ti->offset + i], e = fabs(g[ti->offset + i] - r);
            m = fabs(r) > m ? fabs(r) : m;
            d = e > d ? e : d;
        }
        double scale = m > 1e-3 * all ? m : 1e-3 * all;
        double err = scale > 0 ? d / scale : d;
        if (err > bad || !*worst) {
            bad = err > bad ? err : bad;
            *worst = ti->name;
        }
    }
    return bad;
}

#ifdef GSC_TRAIN_MSE
static float target[MAC(_OUTPUT_SIZE)];
#define GRAD(params, x, label, grads, tws) ((void)(label), FN(_grad)(params, x, target, grads, tws))
#else
#define GRAD(params, x, label, grads, tws) FN(_grad)(params, x, label, grads, tws)
#endif

/* --grad: the training step, on one set of parameters or two. */
static int train_step(float *params, const float *x, long label, int second, const char *out_path,
                      const char *cmp_path, double tol)
{
    float *grads = xalloc(sizeof(float) * MAC(_NUM_PARAMS));
    void *tws = xalloc(MAC(_TRAIN_WORKSPACE_BYTES));
    memset(grads, 0, sizeof(float) * MAC(_NUM_PARAMS));
#ifndef GSC_TRAIN_MSE
    /* an out-of-range label writes nothing */
    if (FN(_grad)(params, x, -1, grads, tws) != -1.0f || FN(_grad)(params, x, MAC(_OUTPUT_SIZE), grads, tws) != -1.0f)
        return fprintf(stderr, "an out-of-range label was not refused\n"), 1;
    for (long i = 0; i < MAC(_NUM_PARAMS); i++)
        if (grads[i] != 0.0f)
            return fprintf(stderr, "an out-of-range label wrote grads\n"), 1;
#endif
    float loss = GRAD(params, x, (int32_t)label, grads, tws);
    if (second >= 0) {
        random_params(params, (unsigned)second);
        memset(grads, 0, sizeof(float) * MAC(_NUM_PARAMS));
        loss = GRAD(params, x, (int32_t)label, grads, tws);
    }
    printf("loss %.9g\n", loss);
    int rc = out_path && write_floats(out_path, grads, MAC(_NUM_PARAMS)) ? 1 : 0;
    if (cmp_path) {
        float *ref = xalloc(sizeof(float) * MAC(_NUM_PARAMS));
        const char *worst = NULL;
        double e = read_floats(cmp_path, ref, MAC(_NUM_PARAMS)) ? 1e30 : compare_grads(grads, ref, &worst);
        printf("gradients: worst tensor %s, error %.3g (tolerance %.3g)\n", worst ? worst : "-", e, tol);
        rc |= e > tol || e != e;
        free(ref);
    }
    free(grads);
    free(tws);
    return rc;
}

/* --adamw: steps of P_grad on one example, each followed by an AdamW update of params. */
static int adamw_steps(float *params, const float *x, long label, int steps, double lr, double wd,
                       const char *dump_path)
{
    GscOptConfig cfg = gsc_adamw_defaults();
    cfg.lr = lr;
    cfg.weight_decay = wd;
    char err[256];
    if (gsc_opt_check(&cfg, err, sizeof err))
        return fprintf(stderr, "%s\n", err), 2;
    float *grads = xalloc(sizeof(float) * MAC(_NUM_PARAMS));
    void *tws = xalloc(MAC(_TRAIN_WORKSPACE_BYTES));
    float *state = xalloc(sizeof(float) * (size_t)gsc_opt_state_floats(&cfg, MAC(_NUM_PARAMS)));
    GscOptState st;
    gsc_opt_state_init(&st, &cfg, state, MAC(_NUM_PARAMS));
    int rc = 0;
    for (int s = 1; s <= steps && !rc; s++) {
        memset(grads, 0, sizeof(float) * MAC(_NUM_PARAMS));
        float loss = GRAD(params, x, (int32_t)label, grads, tws);
        printf("step %d: loss %.9g\n", s, loss);
        rc = gsc_opt_step(&cfg, &st, params, grads, MAC(_NUM_PARAMS)) ? 1 : 0;
    }
    if (!rc && dump_path)
        rc = write_floats(dump_path, params, MAC(_NUM_PARAMS)) ? 1 : 0;
    free(grads);
    free(tws);
    free(state);
    return rc;
}
#endif

/* The forward pass, runs times: its output to out_path, or the top-5 and the time. */
static int forward_runs(const float *weights, const float *x, float *y, void *ws, int runs, const char *out_path)
{
    double best = 1e30;
    for (int r = 0; r < (runs > 0 ? runs : 1); r++) {
        double t0 = now();
        FN(_forward)(weights, x, y, ws);
        double t = now() - t0;
        if (t < best)
            best = t;
    }
    if (!out_path) {
        print_top5(y, best, runs);
        return 0;
    }
    return write_floats(out_path, y, MAC(_OUTPUT_SIZE)) ? 1 : 0;
}

int main(int argc, char **argv)
{
    const char *params_path = NULL, *in_path = NULL, *out_path = NULL, *save_path = NULL;
    const char *cmp_path = NULL, *save_input = NULL, *save_target = NULL, *dump_path = NULL;
    int runs = 1, rand_seed = -1, second = -1, adamw = -1;
    long label = -1;
    double lr = 1e-3, wd = 1e-2; /* torch.optim.AdamW's defaults */
    double tol = 2e-4; /* float32 kernels against float64: 6.3e-5 at worst on ResNet-18 64x64 */
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--params"))
            params_path = argv[i + 1];
        else if (!strcmp(argv[i], "--input"))
            in_path = argv[i + 1];
        else if (!strcmp(argv[i], "--output"))
            out_path = argv[i + 1];
        else if (!strcmp(argv[i], "--runs"))
            runs = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--random-params"))
            rand_seed = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--save-params"))
            save_path = argv[i + 1];
        else if (!strcmp(argv[i], "--save-input"))
            save_input = argv[i + 1];
        else if (!strcmp(argv[i], "--save-target"))
            save_target = argv[i + 1];
        else if (!strcmp(argv[i], "--grad"))
            label = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--second-params"))
            second = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--compare"))
            cmp_path = argv[i + 1];
        else if (!strcmp(argv[i], "--tolerance"))
            tol = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--adamw"))
            adamw = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--lr"))
            lr = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--wd"))
            wd = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--dump-params"))
            dump_path = argv[i + 1];
        else {
            fprintf(stderr, "unknown option %s\n", argv[i]);
            return 2;
        }
    }
#ifndef GSC_TRAIN
    if (label >= 0 || second >= 0 || cmp_path || adamw >= 0 || dump_path)
        return fprintf(stderr, "--grad, --second-params, --compare and --adamw need a build with -DGSC_TRAIN\n"), 2;
#else
    if ((adamw >= 0 || dump_path) && (adamw < 1 || label < 0 || second >= 0 || cmp_path || out_path))
        return fprintf(stderr, "--adamw K wants K >= 1 and --grad LABEL, and neither --second-params, "
                               "--compare nor --output (--dump-params P.bin writes the parameters)\n"), 2;
#endif
    float *params = xalloc(sizeof(float) * MAC(_NUM_PARAMS));
    float *prepared = xalloc(sizeof(float) * MAC(_PREPARED_SIZE));
    float *x = xalloc(sizeof(float) * MAC(_INPUT_SIZE));
    float *y = xalloc(sizeof(float) * MAC(_OUTPUT_SIZE));
    void *ws = xalloc(MAC(_WORKSPACE_BYTES));
    if (params_path) {
        GscStFile f;
        char err[4096];
        if (gsc_st_open(params_path, &f, err, sizeof err) ||
            gsc_st_load_params(&f, FN(_tensors), MAC(_NUM_TENSORS), params, err, sizeof err)) {
            fprintf(stderr, "%s: %s\n", params_path, err);
            return 1;
        }
        gsc_st_close(&f);
    } else if (rand_seed >= 0) {
        random_params(params, (unsigned)rand_seed);
    } else {
        FN(_init)(params);
    }
    if (save_path) {
        char err[1024];
        if (gsc_st_write(save_path, FN(_tensors), MAC(_NUM_TENSORS), params, err, sizeof err)) {
            fprintf(stderr, "%s: %s\n", save_path, err);
            return 1;
        }
    }
    FN(_prepare)(params, prepared);
    const float *weights = prepared;
#ifdef GSC_EMBEDDED
    weights = FN(_weights);
#endif
    if (in_path) {
        if (read_floats(in_path, x, MAC(_INPUT_SIZE)))
            return 1;
    } else {
        for (long i = 0; i < MAC(_INPUT_SIZE); i++)
            x[i] = (float)((i * 7919 % 2001) / 1000.0 - 1.0);
    }
    if (save_input && write_floats(save_input, x, MAC(_INPUT_SIZE)))
        return 1;
#ifdef GSC_TRAIN_MSE
    for (long i = 0; i < MAC(_OUTPUT_SIZE); i++)
        target[i] = (float)((i * 4099 % 1001) / 500.0 - 1.0);
    if (save_target && write_floats(save_target, target, MAC(_OUTPUT_SIZE)))
        return 1;
#endif
    (void)save_target;
    (void)tol;
    (void)lr;
    (void)wd;
    int rc = 0;
#ifdef GSC_TRAIN
    if (adamw >= 0)
        rc = adamw_steps(params, x, label, adamw, lr, wd, dump_path);
    else if (label >= 0)
        rc = train_step(params, x, label, second, out_path, cmp_path, tol);
    else
#endif
        rc = forward_runs(weights, x, y, ws, runs, out_path);
    free(params);
    free(prepared);
    free(x);
    free(y);
    free(ws);
    return rc;
}
