/*
 * optim_driver.c - runs one of gsc_train.c's optimisers on raw float32 files,
 * for tools/test_optim_torch.py, which runs torch.optim on the same data.
 *
 *   optim_driver KIND SHAPES STEPS PARAMS GRADS OUT CKPT [key=value ...]
 *
 * KIND is SGD, Adam or AdamW; SHAPES the parameter tensors, e.g.
 * "16x3x3x3,16,10" (named p0, p1, ... in the checkpoint; their sizes add up
 * to n); PARAMS holds n floats, GRADS STEPS * n (the gradient of each step).
 * Writes to OUT the n parameters after each step (STEPS * n floats), then
 * the state buffers after the last (momentum_buffer, or exp_avg, exp_avg_sq
 * and max_exp_avg_sq, as the configuration has them), and to CKPT the
 * checkpoint after the last step. The keys are GscOptConfig's fields (lr,
 * momentum, dampening, nesterov, beta1, beta2, eps, weight_decay, amsgrad,
 * maximize); numbers are read with strtod, so Python's repr() of a float
 * arrives as the same double.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gsc_train.h"

#define MAX_TENSORS 64

static int die(const char *msg, const char *arg)
{
    fprintf(stderr, "optim_driver: %s%s\n", msg, arg ? arg : "");
    return 1;
}

/* The table from "16x3x3x3,16,10"; returns n, or -1. */
static int64_t parse_shapes(const char *s, GscTensorInfo *tab, int *ntab,
                            char names[][8])
{
    int64_t n = 0;
    char *end;
    *ntab = 0;
    while (*s && *ntab < MAX_TENSORS) {
        GscTensorInfo *t = &tab[*ntab];
        int64_t size = 1;
        memset(t, 0, sizeof *t);
        snprintf(names[*ntab], 8, "p%d", *ntab);
        t->name = names[*ntab];
        t->offset = n;
        do {
            if (t->rank == 4)
                return -1;
            t->shape[t->rank] = strtol(s, &end, 10);
            size *= t->shape[t->rank++];
            s = end;
        } while (*s == 'x' && s++);
        n += size;
        (*ntab)++;
        if (*s == ',')
            s++;
        else if (*s)
            return -1;
    }
    return *s ? -1 : n;
}

/* One key=value into the configuration. */
static int set_option(GscOptConfig *c, const char *kv)
{
    const char *eq = strchr(kv, '=');
    double v;
    if (!eq)
        return -1;
    v = strtod(eq + 1, NULL);
#define NUM(name) if (strncmp(kv, #name "=", (size_t)(eq - kv) + 1) == 0) { c->name = v; return 0; }
#define BOOL(name) if (strncmp(kv, #name "=", (size_t)(eq - kv) + 1) == 0) { c->name = v != 0; return 0; }
    NUM(lr) NUM(momentum) NUM(dampening) NUM(beta1) NUM(beta2) NUM(eps) NUM(weight_decay)
    BOOL(nesterov) BOOL(amsgrad) BOOL(maximize)
    return -1;
}

static float *read_floats(const char *path, int64_t n)
{
    FILE *fp = fopen(path, "rb");
    float *x = malloc((size_t)(n > 0 ? n : 1) * sizeof *x);
    int ok = fp && x && fread(x, sizeof *x, (size_t)n, fp) == (size_t)n;
    if (fp)
        fclose(fp);
    if (!ok) {
        free(x);
        return NULL;
    }
    return x;
}

int main(int argc, char **argv)
{
    static GscTensorInfo tab[MAX_TENSORS];
    static char names[MAX_TENSORS][8];
    GscOptConfig cfg;
    GscOptState st;
    char err[512];
    float *params, *grads, *state;
    int64_t n, steps, t, nstate;
    int ntab, i;
    FILE *out;
    if (argc < 8)
        return die("usage: optim_driver KIND SHAPES STEPS PARAMS GRADS OUT "
                   "CKPT [key=value ...]", NULL);
    if (strcmp(argv[1], "SGD") == 0)
        cfg = gsc_sgd_defaults(0.0);
    else if (strcmp(argv[1], "Adam") == 0)
        cfg = gsc_adam_defaults();
    else if (strcmp(argv[1], "AdamW") == 0)
        cfg = gsc_adamw_defaults();
    else
        return die("unknown optimiser ", argv[1]);
    n = parse_shapes(argv[2], tab, &ntab, names);
    steps = atol(argv[3]);
    if (n < 0 || steps < 1)
        return die("bad shapes or step count", NULL);
    for (i = 8; i < argc; i++)
        if (set_option(&cfg, argv[i]) < 0)
            return die("bad option ", argv[i]);
    if (gsc_opt_check(&cfg, err, sizeof err) < 0)
        return die(err, NULL);
    params = read_floats(argv[4], n);
    grads = read_floats(argv[5], steps * n);
    nstate = gsc_opt_state_floats(&cfg, n);
    state = malloc((size_t)(nstate > 0 ? nstate : 1) * sizeof *state);
    out = fopen(argv[6], "wb");
    if (!params || !grads || !state || !out)
        return die("cannot read the inputs or create ", argv[6]);
    gsc_opt_state_init(&st, &cfg, state, n);
    for (t = 0; t < steps; t++) {
        if (gsc_opt_step(&cfg, &st, params, grads + t * n, n) < 0)
            return die("gsc_opt_step failed", NULL);
        fwrite(params, sizeof *params, (size_t)n, out);
    }
    fwrite(state, sizeof *state, (size_t)nstate, out);
    if (fclose(out) != 0)
        return die("write error on ", argv[6]);
    if (gsc_ckpt_save(argv[7], tab, ntab, params, &cfg, &st, err,
                      sizeof err) < 0)
        return die(err, NULL);
    free(params);
    free(grads);
    free(state);
    return 0;
}
