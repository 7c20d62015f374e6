/*
 * test_train.c - unit tests of the training runtime (runtime/gsc_train.c and
 * the general safetensors functions it uses), with Check.
 *
 * Does: the optimisers on cases with exact answers (first steps, momentum,
 * dampening, nesterov, weight decay, maximize, n = 0, refused
 * configurations) and against float64 references of PyTorch's formulas
 * over several steps; the state helpers; checkpoint round trips, resuming
 * after a save and a load into fresh buffers bit-identically, every load
 * error with nothing changed, and files left untouched by failed writes;
 * the metadata reader and the general writer; the fast convolution
 * backward (runtime/gsc_fast_backward.c) against the reference kernel.
 * Does not: compare with PyTorch itself (tools/test_optim_torch.py does,
 * bit for bit).
 *
 * Temporary files live in a mkdtemp directory removed at exit (tmpdir.h).
 */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gsc_train.h"
#include "tmpdir.h"

#define ck_err_has(err, what) \
    ck_assert_msg(strstr((err), (what)) != NULL, "error \"%s\" lacks \"%s\"", \
                  (err), (what))

#define ck_close(a, b, tol) \
    ck_assert_msg(fabs((double)(a) - (double)(b)) <= (tol) * fabs((double)(b)) + 1e-12, \
                  "%s = %.9g, expected %.9g", #a, (double)(a), (double)(b))

/* Field by field: struct copies need not keep the padding memcmp would see. */
static int same_config(const GscOptConfig *a, const GscOptConfig *b)
{
    return a->kind == b->kind && a->lr == b->lr && a->momentum == b->momentum &&
           a->dampening == b->dampening && a->nesterov == b->nesterov &&
           a->beta1 == b->beta1 && a->beta2 == b->beta2 && a->eps == b->eps &&
           a->amsgrad == b->amsgrad && a->weight_decay == b->weight_decay &&
           a->maximize == b->maximize;
}

/* ------------------------------------------------------------ configuration */

START_TEST(defaults_are_pytorch_s)
{
    GscOptConfig s = gsc_sgd_defaults(0.1), a = gsc_adam_defaults(),
                 w = gsc_adamw_defaults();
    ck_assert_int_eq(s.kind, GSC_OPT_SGD);
    ck_assert(s.lr == 0.1 && s.momentum == 0 && s.dampening == 0 &&
              s.weight_decay == 0 && !s.nesterov && !s.maximize);
    ck_assert_int_eq(a.kind, GSC_OPT_ADAM);
    ck_assert(a.lr == 1e-3 && a.beta1 == 0.9 && a.beta2 == 0.999 &&
              a.eps == 1e-8 && a.weight_decay == 0 && !a.amsgrad && !a.maximize);
    ck_assert_int_eq(w.kind, GSC_OPT_ADAMW);
    ck_assert(w.lr == 1e-3 && w.beta1 == 0.9 && w.beta2 == 0.999 &&
              w.eps == 1e-8 && w.weight_decay == 1e-2 && !w.amsgrad);
    ck_assert_int_eq(gsc_opt_check(&s, NULL, 0), 0);
    ck_assert_int_eq(gsc_opt_check(&a, NULL, 0), 0);
    ck_assert_int_eq(gsc_opt_check(&w, NULL, 0), 0);
    ck_assert_str_eq(gsc_opt_name(GSC_OPT_SGD), "SGD");
    ck_assert_str_eq(gsc_opt_name(GSC_OPT_ADAM), "Adam");
    ck_assert_str_eq(gsc_opt_name(GSC_OPT_ADAMW), "AdamW");
    ck_assert_ptr_null(gsc_opt_name((GscOptKind)0));
}
END_TEST

/* cfg must be refused with a message containing what. */
static void refused(GscOptConfig cfg, const char *what)
{
    char err[256];
    ck_assert_int_eq(gsc_opt_check(&cfg, err, sizeof err), -1);
    ck_err_has(err, what);
}

START_TEST(check_refuses_what_pytorch_refuses)
{
    GscOptConfig c;
    c = gsc_sgd_defaults(-1.0);
    refused(c, "SGD: lr = -1 is not >= 0");
    c = gsc_sgd_defaults(NAN);
    refused(c, "lr = nan is not finite");
    c = gsc_sgd_defaults(0.1), c.momentum = -0.5;
    refused(c, "momentum = -0.5 is not >= 0");
    c = gsc_sgd_defaults(0.1), c.momentum = INFINITY;
    refused(c, "momentum = inf is not finite");
    c = gsc_sgd_defaults(0.1), c.weight_decay = -1e-4;
    refused(c, "weight_decay");
    c = gsc_sgd_defaults(0.1), c.nesterov = 1;
    refused(c, "nesterov needs momentum > 0 and dampening = 0");
    c = gsc_sgd_defaults(0.1), c.nesterov = 1, c.momentum = 0.9, c.dampening = 0.1;
    refused(c, "nesterov needs momentum > 0 and dampening = 0");
    c = gsc_sgd_defaults(0.1), c.maximize = 2;
    refused(c, "maximize = 2 is not 0 or 1");
    c = gsc_adam_defaults(), c.beta1 = 1.0;
    refused(c, "Adam: beta1 = 1 is not in [0, 1)");
    c = gsc_adam_defaults(), c.beta2 = -0.1;
    refused(c, "beta2 = -0.1 is not in [0, 1)");
    c = gsc_adamw_defaults(), c.eps = -1e-8;
    refused(c, "AdamW: eps");
    c = gsc_adamw_defaults(), c.weight_decay = -0.01;
    refused(c, "AdamW: weight_decay");
    c = gsc_adam_defaults(), c.amsgrad = -1;
    refused(c, "amsgrad");
    c = gsc_adam_defaults(), c.kind = (GscOptKind)7;
    refused(c, "unknown optimiser kind 7");
    /* Allowed: any finite dampening, SGD's momentum fields ignored by Adam. */
    c = gsc_sgd_defaults(0.0), c.dampening = -3.0, c.momentum = 0.5;
    ck_assert_int_eq(gsc_opt_check(&c, NULL, 0), 0);
    c = gsc_adam_defaults(), c.momentum = -5, c.nesterov = 9, c.beta1 = 0;
    ck_assert_int_eq(gsc_opt_check(&c, NULL, 0), 0);
}
END_TEST

START_TEST(state_sizes_and_init)
{
    GscOptConfig c = gsc_sgd_defaults(0.1);
    GscOptState st;
    float mem[12];
    int i;
    ck_assert_int_eq(gsc_opt_state_floats(&c, 4), 0);
    c.momentum = 0.9;
    ck_assert_int_eq(gsc_opt_state_floats(&c, 4), 4);
    c = gsc_adam_defaults();
    ck_assert_int_eq(gsc_opt_state_floats(&c, 4), 8);
    c.amsgrad = 1;
    ck_assert_int_eq(gsc_opt_state_floats(&c, 4), 12);
    for (i = 0; i < 12; i++)
        mem[i] = 5.0f;
    memset(&st, 0x5a, sizeof st);
    gsc_opt_state_init(&st, &c, mem, 4);
    ck_assert_int_eq(st.step, 0);
    ck_assert_ptr_null(st.momentum_buffer);
    ck_assert_ptr_eq(st.exp_avg, mem);
    ck_assert_ptr_eq(st.exp_avg_sq, mem + 4);
    ck_assert_ptr_eq(st.max_exp_avg_sq, mem + 8);
    for (i = 0; i < 12; i++)
        ck_assert(mem[i] == 0.0f);
    c = gsc_sgd_defaults(0.1);
    gsc_opt_state_init(&st, &c, NULL, 4); /* no buffers at all */
    ck_assert(!st.momentum_buffer && !st.exp_avg && !st.exp_avg_sq &&
              !st.max_exp_avg_sq && st.step == 0);
}
END_TEST

/* --------------------------------------------------------------------- SGD */

/* Powers of two throughout, so every expected value is exact. */

START_TEST(sgd_plain)
{
    GscOptConfig c = gsc_sgd_defaults(0.5);
    GscOptState st;
    float p[3] = {1.0f, -2.0f, 0.0f};
    const float g[3] = {0.5f, 0.25f, -1.0f};
    gsc_opt_state_init(&st, &c, NULL, 3);
    ck_assert_int_eq(gsc_opt_step(&c, &st, p, g, 3), 0);
    ck_assert_int_eq(st.step, 1);
    ck_assert(p[0] == 0.75f && p[1] == -2.125f && p[2] == 0.5f);
    c.maximize = 1; /* ascend: back to the start */
    ck_assert_int_eq(gsc_opt_step(&c, &st, p, g, 3), 0);
    ck_assert(p[0] == 1.0f && p[1] == -2.0f && p[2] == 0.0f);
}
END_TEST

/* The first step copies the gradient into the buffer, ignoring dampening;
 * later ones decay it. */
START_TEST(sgd_momentum_dampening)
{
    GscOptConfig c = gsc_sgd_defaults(1.0);
    GscOptState st;
    float mem[2], p[2] = {4.0f, 0.0f};
    const float g1[2] = {1.0f, -2.0f}, g2[2] = {2.0f, 2.0f};
    c.momentum = 0.5;
    c.dampening = 0.5;
    gsc_opt_state_init(&st, &c, mem, 2);
    ck_assert_int_eq(gsc_opt_step(&c, &st, p, g1, 2), 0);
    ck_assert(st.momentum_buffer[0] == 1.0f && st.momentum_buffer[1] == -2.0f);
    ck_assert(p[0] == 3.0f && p[1] == 2.0f);
    ck_assert_int_eq(gsc_opt_step(&c, &st, p, g2, 2), 0);
    /* buf = 0.5 * buf + (1 - 0.5) * g2 */
    ck_assert(st.momentum_buffer[0] == 1.5f && st.momentum_buffer[1] == 0.0f);
    ck_assert(p[0] == 1.5f && p[1] == 2.0f);
}
END_TEST

START_TEST(sgd_nesterov)
{
    GscOptConfig c = gsc_sgd_defaults(1.0);
    GscOptState st;
    float mem[1], p[1] = {0.0f};
    const float g1[1] = {2.0f}, g2[1] = {4.0f};
    c.momentum = 0.5;
    c.nesterov = 1;
    gsc_opt_state_init(&st, &c, mem, 1);
    gsc_opt_step(&c, &st, p, g1, 1); /* buf = 2; d = 2 + 0.5 * 2 = 3 */
    ck_assert(mem[0] == 2.0f && p[0] == -3.0f);
    gsc_opt_step(&c, &st, p, g2, 1); /* buf = 1 + 4 = 5; d = 4 + 2.5 */
    ck_assert(mem[0] == 5.0f && p[0] == -9.5f);
}
END_TEST

/* L2 weight decay joins the gradient before the momentum buffer sees it. */
START_TEST(sgd_weight_decay)
{
    GscOptConfig c = gsc_sgd_defaults(0.5);
    GscOptState st;
    float mem[2], p[2] = {2.0f, -4.0f};
    const float g[2] = {0.0f, 1.0f};
    c.weight_decay = 0.25;
    c.momentum = 0.5;
    gsc_opt_state_init(&st, &c, mem, 2);
    gsc_opt_step(&c, &st, p, g, 2); /* d = g + p / 4 = {0.5, 0} */
    ck_assert(mem[0] == 0.5f && mem[1] == 0.0f);
    ck_assert(p[0] == 1.75f && p[1] == -4.0f);
}
END_TEST

/* The float64 definitions of PyTorch's SGD over several steps. */
START_TEST(sgd_against_float64)
{
    GscOptConfig c = gsc_sgd_defaults(0.05);
    GscOptState st;
    float mem[5], p[5] = {0.3f, -0.2f, 0.0f, 1.5f, -0.7f}, g[5];
    double rp[5], rb[5];
    int t, i, variant;
    for (variant = 0; variant < 3; variant++) {
        c.momentum = 0.9;
        c.dampening = variant == 1 ? 0.2 : 0.0;
        c.nesterov = variant == 2;
        c.weight_decay = 1e-3;
        gsc_opt_state_init(&st, &c, mem, 5);
        for (i = 0; i < 5; i++)
            rp[i] = p[i];
        for (t = 1; t <= 8; t++) {
            for (i = 0; i < 5; i++) {
                double d;
                g[i] = (float)sin(3.0 * t + i);
                d = g[i] + c.weight_decay * rp[i];
                rb[i] = t == 1 ? d : c.momentum * rb[i] + (1 - c.dampening) * d;
                d = c.nesterov ? d + c.momentum * rb[i] : rb[i];
                rp[i] -= c.lr * d;
            }
            ck_assert_int_eq(gsc_opt_step(&c, &st, p, g, 5), 0);
        }
        for (i = 0; i < 5; i++) {
            ck_close(p[i], rp[i], 1e-5);
            ck_close(mem[i], rb[i], 1e-5);
        }
    }
}
END_TEST

START_TEST(step_n0_and_refusals)
{
    GscOptConfig c = gsc_adam_defaults();
    GscOptState st;
    float mem[4], p[2] = {1.0f, 2.0f};
    const float g[2] = {1.0f, 1.0f};
    memset(&st, 0, sizeof st);
    ck_assert_int_eq(gsc_opt_step(&c, &st, NULL, NULL, 0), 0); /* no buffers needed */
    ck_assert_int_eq(st.step, 1);
    gsc_opt_state_init(&st, &c, mem, 2);
    st.exp_avg_sq = NULL;
    ck_assert_int_eq(gsc_opt_step(&c, &st, p, g, 2), -1); /* a buffer missing */
    ck_assert(st.step == 0 && p[0] == 1.0f && p[1] == 2.0f && mem[0] == 0.0f);
    gsc_opt_state_init(&st, &c, mem, 2);
    c.beta1 = 2.0;
    ck_assert_int_eq(gsc_opt_step(&c, &st, p, g, 2), -1); /* bad config */
    ck_assert(st.step == 0 && p[0] == 1.0f && mem[0] == 0.0f);
    c = gsc_adam_defaults();
    ck_assert_int_eq(gsc_opt_step(&c, &st, p, g, -1), -1);
    ck_assert_int_eq(gsc_opt_step(&c, &st, p, NULL, 2), -1);
    ck_assert_int_eq(st.step, 0);
}
END_TEST

/* ------------------------------------------------------------- Adam, AdamW */

/* The first Adam step moves each parameter by lr against its gradient's
 * sign (m_hat / sqrt(v_hat) = g / |g|), less eps's share. */
START_TEST(adam_first_step)
{
    GscOptConfig c = gsc_adam_defaults();
    GscOptState st;
    float mem[8], p[4] = {0.5f, 0.5f, -1.0f, 0.0f};
    const float g[4] = {2.0f, -1e-3f, 3e-4f, 0.0f};
    int i;
    gsc_opt_state_init(&st, &c, mem, 4);
    gsc_opt_step(&c, &st, p, g, 4);
    for (i = 0; i < 4; i++) {
        ck_close(st.exp_avg[i], 0.1 * g[i], 1e-6);
        ck_close(st.exp_avg_sq[i], 0.001 * (double)g[i] * g[i], 1e-6);
    }
    ck_close(p[0], 0.5 - 1e-3, 1e-6);
    ck_close(p[1], 0.5 + 1e-3 * (1e-3 / (1e-3 + 1e-8)), 1e-6);
    ck_close(p[2], -1.0 - 1e-3 * (3e-4 / (3e-4 + 1e-8)), 1e-6);
    ck_assert(p[3] == 0.0f); /* 0 / eps */
}
END_TEST

/* The float64 definitions of PyTorch's Adam and AdamW (with weight decay,
 * amsgrad) over several steps, bias corrections included. */
static void adam_reference(GscOptConfig c)
{
    GscOptState st;
    float mem[15], p[5] = {0.3f, -0.2f, 0.0f, 1.5f, -0.7f}, g[5];
    double rp[5], m[5] = {0}, v[5] = {0}, vmax[5] = {0};
    int t, i;
    gsc_opt_state_init(&st, &c, mem, 5);
    for (i = 0; i < 5; i++)
        rp[i] = p[i];
    for (t = 1; t <= 12; t++) {
        double bc1 = 1 - pow(c.beta1, t), bc2 = 1 - pow(c.beta2, t);
        for (i = 0; i < 5; i++) {
            double gi, vh;
            g[i] = (float)(sin(2.0 * t + i) * pow(10.0, -(i % 3)));
            gi = g[i];
            if (c.kind == GSC_OPT_ADAMW)
                rp[i] *= 1 - c.lr * c.weight_decay;
            else
                gi += c.weight_decay * rp[i];
            m[i] = c.beta1 * m[i] + (1 - c.beta1) * gi;
            v[i] = c.beta2 * v[i] + (1 - c.beta2) * gi * gi;
            vmax[i] = v[i] > vmax[i] ? v[i] : vmax[i];
            vh = c.amsgrad ? vmax[i] : v[i];
            rp[i] -= c.lr / bc1 * m[i] / (sqrt(vh) / sqrt(bc2) + c.eps);
        }
        ck_assert_int_eq(gsc_opt_step(&c, &st, p, g, 5), 0);
    }
    ck_assert_int_eq(st.step, 12);
    for (i = 0; i < 5; i++) {
        ck_close(p[i], rp[i], 1e-5);
        ck_close(st.exp_avg[i], m[i], 1e-5);
        ck_close(st.exp_avg_sq[i], v[i], 1e-5);
        if (c.amsgrad)
            ck_close(st.max_exp_avg_sq[i], vmax[i], 1e-5);
    }
}

START_TEST(adam_against_float64)
{
    GscOptConfig c = gsc_adam_defaults();
    adam_reference(c);
    c.lr = 1e-2;
    c.weight_decay = 0.1;
    c.beta1 = 0.8;
    adam_reference(c);
    c.amsgrad = 1;
    adam_reference(c);
    c = gsc_adamw_defaults();
    adam_reference(c);
    c.weight_decay = 0.3;
    c.lr = 0.05;
    c.amsgrad = 1;
    adam_reference(c);
}
END_TEST

/* AdamW's decay is decoupled: with a zero gradient, the parameter is only
 * scaled by (float)(1 - lr * wd); Adam's L2 term would move it by ~lr. */
START_TEST(adamw_decoupled_decay)
{
    GscOptConfig c = gsc_adamw_defaults();
    GscOptState st;
    float mem[4], p[2] = {0.75f, -3.0f};
    const float g[2] = {0.0f, 0.0f};
    const float decay = (float)(1.0 - 1e-3 * 1e-2);
    gsc_opt_state_init(&st, &c, mem, 2);
    gsc_opt_step(&c, &st, p, g, 2);
    ck_assert(p[0] == 0.75f * decay && p[1] == -3.0f * decay);
    ck_assert(mem[0] == 0 && mem[1] == 0 && mem[2] == 0 && mem[3] == 0);
    c = gsc_adam_defaults();
    c.weight_decay = 1e-2;
    p[0] = 0.75f;
    gsc_opt_state_init(&st, &c, mem, 1);
    gsc_opt_step(&c, &st, p, g, 1);
    ck_close(p[0], 0.75 - 1e-3, 1e-6);
}
END_TEST

/* amsgrad keeps the largest second moment: after a large gradient and then
 * small ones, the step is normalised by the old maximum. */
START_TEST(adam_amsgrad_keeps_max)
{
    GscOptConfig c = gsc_adam_defaults();
    GscOptState st;
    float mem[3], p[1] = {0.0f}, peak;
    const float big[1] = {10.0f}, small[1] = {0.01f};
    int t;
    c.amsgrad = 1;
    gsc_opt_state_init(&st, &c, mem, 1);
    gsc_opt_step(&c, &st, p, big, 1);
    peak = st.max_exp_avg_sq[0];
    ck_assert(peak == st.exp_avg_sq[0] && peak > 0);
    for (t = 0; t < 5; t++) {
        gsc_opt_step(&c, &st, p, small, 1);
        ck_assert(st.exp_avg_sq[0] < peak);
        ck_assert(st.max_exp_avg_sq[0] == peak);
    }
}
END_TEST

/* ---------------------------------------------------------------- checkpoints */

/* A small model: a rank-2, a rank-1 and a rank-0 tensor (9 floats). */
static const GscTensorInfo tab[] = {
    {"layer.weight", 0, 2, {2, 3, 0, 0}},
    {"layer.bias", 6, 1, {2, 0, 0, 0}},
    {"scale", 8, 0, {0, 0, 0, 0}},
};
#define NTAB 3
#define NP 9

/* A model being trained: parameters, configuration, state. */
typedef struct {
    float params[NP];
    float mem[3 * NP];
    GscOptConfig cfg;
    GscOptState st;
} Run;

static void run_init(Run *r, GscOptConfig cfg)
{
    int i;
    for (i = 0; i < NP; i++)
        r->params[i] = (float)cos(1.0 + i) * 0.5f;
    r->cfg = cfg;
    gsc_opt_state_init(&r->st, &cfg, r->mem, NP);
}

/* The gradient of step t: fixed, so every run sees the same sequence. */
static void run_steps(Run *r, int from, int to)
{
    float g[NP];
    int t, i;
    for (t = from; t < to; t++) {
        for (i = 0; i < NP; i++)
            g[i] = (float)sin(0.7 * t + 1.3 * i) * (i % 2 ? 1e-3f : 1.0f);
        ck_assert_int_eq(gsc_opt_step(&r->cfg, &r->st, r->params, g, NP), 0);
    }
}

static int same_run(const Run *a, const Run *b)
{
    int64_t nstate = gsc_opt_state_floats(&a->cfg, NP);
    return memcmp(a->params, b->params, sizeof a->params) == 0 &&
           memcmp(a->mem, b->mem, (size_t)nstate * sizeof(float)) == 0 &&
           a->st.step == b->st.step;
}

static void save(const char *path, const Run *r)
{
    char err[256];
    ck_assert_msg(gsc_ckpt_save(path, tab, NTAB, r->params, &r->cfg, &r->st,
                                err, sizeof err) == 0, "%s", err);
}

/* k steps, save, load into a fresh run, the rest: the same bits as all the
 * steps in one run. */
static void resume_equals_uninterrupted(GscOptConfig cfg, int k, int total)
{
    Run straight, first, resumed;
    GscOptConfig want;
    char path[512], err[256];
    tmp_path(path, sizeof path, "resume.safetensors");
    run_init(&straight, cfg);
    run_steps(&straight, 0, total);
    run_init(&first, cfg);
    run_steps(&first, 0, k);
    save(path, &first);
    memset(&resumed, 0xff, sizeof resumed); /* fresh buffers: NaN garbage */
    want = cfg.kind == GSC_OPT_SGD ? gsc_sgd_defaults(123.0)
           : cfg.kind == GSC_OPT_ADAM ? gsc_adam_defaults() : gsc_adamw_defaults();
    want.amsgrad = cfg.amsgrad;
    want.momentum = cfg.momentum;
    resumed.cfg = want; /* the kind, and enough to bind the buffers */
    gsc_opt_state_init(&resumed.st, &want, resumed.mem, NP);
    ck_assert_msg(gsc_ckpt_load(path, tab, NTAB, resumed.params, &resumed.cfg,
                                &resumed.st, err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(err, "");
    ck_assert(same_config(&resumed.cfg, &cfg)); /* restored */
    ck_assert_int_eq(resumed.st.step, k);
    run_steps(&resumed, k, total);
    ck_assert(same_run(&straight, &resumed));
    remove(path);
}

START_TEST(resume_adamw_5_of_10)
{
    GscOptConfig c = gsc_adamw_defaults();
    c.lr = 0.01;
    resume_equals_uninterrupted(c, 5, 10);
}
END_TEST

START_TEST(resume_others)
{
    GscOptConfig c = gsc_adam_defaults();
    c.amsgrad = 1;
    c.weight_decay = 1e-3;
    resume_equals_uninterrupted(c, 3, 9);
    c = gsc_sgd_defaults(0.1);
    c.momentum = 0.9;
    c.nesterov = 1;
    c.weight_decay = 1e-4;
    resume_equals_uninterrupted(c, 1, 6); /* right after the first step */
    c = gsc_sgd_defaults(0.1);
    resume_equals_uninterrupted(c, 4, 7); /* no state at all */
    c = gsc_adam_defaults();
    resume_equals_uninterrupted(c, 0, 3); /* saved before any step */
}
END_TEST

/* The file: PyTorch's names, the metadata, readable by gsc_st_open_meta. */
START_TEST(ckpt_file_layout)
{
    Run r;
    GscOptConfig c = gsc_adam_defaults();
    GscStFile f;
    GscStMeta m;
    char path[512], tmp[520], err[256];
    static const char *const names[] = {
        "layer.weight", "layer.bias", "scale",
        "layer.weight.exp_avg", "layer.bias.exp_avg", "scale.exp_avg",
        "layer.weight.exp_avg_sq", "layer.bias.exp_avg_sq", "scale.exp_avg_sq",
        "layer.weight.max_exp_avg_sq", "layer.bias.max_exp_avg_sq",
        "scale.max_exp_avg_sq",
    };
    static const char *const pairs[][2] = {
        {"format", "pt"}, {"gsc.checkpoint", "1"}, {"optimizer", "Adam"},
        {"step", "3"}, {"lr", "0.002"}, {"beta1", "0.9"}, {"beta2", "0.999"},
        {"eps", "1e-08"}, {"weight_decay", "0.1"}, {"amsgrad", "true"},
        {"maximize", "false"},
    };
    int i;
    c.lr = 2e-3;
    c.amsgrad = 1;
    c.weight_decay = 0.1;
    run_init(&r, c);
    run_steps(&r, 0, 3);
    tmp_path(path, sizeof path, "layout.safetensors");
    save(path, &r);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    ck_assert_int_ne(access(tmp, F_OK), 0);
    ck_assert_msg(gsc_st_open_meta(path, &f, &m, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(f.ntensors, 12);
    for (i = 0; i < 12; i++) {
        ck_assert_str_eq(f.tensors[i].name, names[i]);
        ck_assert_str_eq(f.tensors[i].dtype, "F32");
        ck_assert_int_eq(f.tensors[i].rank, tab[i % 3].rank);
    }
    ck_assert(memcmp(f.tensors[4].data, r.st.exp_avg + 6, 8) == 0);
    ck_assert(memcmp(f.tensors[11].data, r.st.max_exp_avg_sq + 8, 4) == 0);
    ck_assert_int_eq(m.npairs, 11);
    for (i = 0; i < 11; i++) {
        ck_assert_str_eq(m.pairs[i].key, pairs[i][0]);
        ck_assert_str_eq(m.pairs[i].value, pairs[i][1]);
    }
    gsc_st_meta_free(&m);
    gsc_st_close(&f);
    remove(path);
}
END_TEST

/* SGD checkpoints name their buffer momentum_buffer and their own fields;
 * numbers are the shortest decimals that read back exactly. */
START_TEST(ckpt_sgd_metadata)
{
    Run r;
    GscOptConfig c = gsc_sgd_defaults(0.1), got;
    GscStFile f;
    GscStMeta m;
    char path[512], err[256];
    int64_t step = -1;
    c.momentum = 0.9;
    c.dampening = 1.0 / 3.0;
    c.weight_decay = 5e-4;
    run_init(&r, c);
    run_steps(&r, 0, 2);
    tmp_path(path, sizeof path, "sgd.safetensors");
    save(path, &r);
    ck_assert_int_eq(gsc_st_open_meta(path, &f, &m, err, sizeof err), 0);
    ck_assert_int_eq(f.ntensors, 6);
    ck_assert_str_eq(f.tensors[3].name, "layer.weight.momentum_buffer");
    ck_assert_str_eq(gsc_st_meta_get(&m, "optimizer"), "SGD");
    ck_assert_str_eq(gsc_st_meta_get(&m, "lr"), "0.1");
    ck_assert_str_eq(gsc_st_meta_get(&m, "momentum"), "0.9");
    ck_assert_str_eq(gsc_st_meta_get(&m, "dampening"), "0.3333333333333333");
    ck_assert_str_eq(gsc_st_meta_get(&m, "weight_decay"), "0.0005");
    ck_assert_str_eq(gsc_st_meta_get(&m, "nesterov"), "false");
    ck_assert_ptr_null(gsc_st_meta_get(&m, "beta1"));
    gsc_st_meta_free(&m);
    gsc_st_close(&f);
    memset(&got, 0, sizeof got);
    ck_assert_int_eq(gsc_ckpt_read_config(path, &got, &step, err, sizeof err), 0);
    ck_assert(same_config(&got, &c) && step == 2);
    ck_assert_int_eq(gsc_ckpt_read_config(path, &got, NULL, err, sizeof err), 0);
    remove(path);
}
END_TEST

/* ------------------------------------------------------ checkpoint: errors */

/* The target of a failing load: a run with sentinels everywhere, to see
 * that nothing moves. */
static void target_init(Run *t, GscOptConfig cfg)
{
    int i;
    run_init(t, cfg);
    for (i = 0; i < NP; i++)
        t->params[i] = 77.0f;
    for (i = 0; i < 3 * NP; i++)
        t->mem[i] = 66.0f;
    t->st.step = 99;
}

static int target_untouched(const Run *t, GscOptConfig cfg)
{
    int i;
    for (i = 0; i < NP; i++)
        if (t->params[i] != 77.0f)
            return 0;
    for (i = 0; i < 3 * NP; i++)
        if (t->mem[i] != 66.0f)
            return 0;
    return t->st.step == 99 && same_config(&t->cfg, &cfg);
}

/* Loading path with table[ntab] into an Adam (or cfg's) target fails with
 * a message containing what, and changes nothing. */
static void load_fails(const char *path, const GscTensorInfo *tb, int ntb,
                       GscOptConfig cfg, const char *what)
{
    Run t;
    char err[512];
    target_init(&t, cfg);
    ck_assert_int_eq(gsc_ckpt_load(path, tb, ntb, t.params, &t.cfg, &t.st, err,
                                   sizeof err), -1);
    ck_err_has(err, what);
    ck_assert_msg(strchr(err, '\n') == NULL, "two lines: %s", err);
    ck_assert_msg(target_untouched(&t, cfg), "changed by a failed load: %s", err);
}

/* A valid Adam checkpoint of tab, saved after 2 steps. */
static void good_adam(const char *path)
{
    Run r;
    run_init(&r, gsc_adam_defaults());
    run_steps(&r, 0, 2);
    save(path, &r);
}

START_TEST(load_errors_files)
{
    char path[512], other[512], err[256];
    unsigned char *buf;
    size_t len;
    float w[NP] = {0};
    GscOptConfig adam = gsc_adam_defaults();
    load_fails(tmp_path(path, sizeof path, "none.safetensors"), tab, NTAB, adam,
               "none.safetensors: cannot open");
    tmp_path(path, sizeof path, "bad.safetensors");
    good_adam(path);
    buf = slurp(path, &len);
    spit(path, buf, len - 3); /* truncated */
    load_fails(path, tab, NTAB, adam, "past the data buffer");
    spit(path, (const unsigned char *)"not a safetensors file", 22);
    load_fails(path, tab, NTAB, adam, "bad.safetensors: safetensors");
    free(buf);
    /* A weights file is not a checkpoint. */
    tmp_path(other, sizeof other, "weights.safetensors");
    ck_assert_int_eq(gsc_st_write(other, tab, NTAB, w, err, sizeof err), 0);
    load_fails(other, tab, NTAB, adam, "not a gsc checkpoint");
    remove(other);
    remove(path);
}
END_TEST

START_TEST(load_errors_kind_and_buffers)
{
    char path[512];
    GscOptConfig sgd = gsc_sgd_defaults(0.1), adamw = gsc_adamw_defaults();
    Run t;
    char err[256];
    tmp_path(path, sizeof path, "kind.safetensors");
    good_adam(path);
    load_fails(path, tab, NTAB, sgd, "kind.safetensors: the checkpoint's "
               "optimizer is Adam, not SGD");
    load_fails(path, tab, NTAB, adamw, "optimizer is Adam, not AdamW");
    target_init(&t, gsc_adam_defaults());
    t.st.exp_avg_sq = NULL;
    ck_assert_int_eq(gsc_ckpt_load(path, tab, NTAB, t.params, &t.cfg, &t.st,
                                   err, sizeof err), -1);
    ck_err_has(err, "state has exp_avg_sq, but the GscOptState has no buffer");
    ck_assert(t.params[0] == 77.0f && t.mem[0] == 66.0f && t.st.step == 99);
    remove(path);
}
END_TEST

/* Missing, extra and mis-shaped tensors are all listed, in one line. */
START_TEST(load_errors_tensors)
{
    char path[512];
    GscOptConfig adam = gsc_adam_defaults();
    const GscTensorInfo more[] = {
        tab[0], tab[1], tab[2], {"extra", 0, 1, {2, 0, 0, 0}},
    };
    const GscTensorInfo reshaped[] = {
        {"layer.weight", 0, 2, {3, 2, 0, 0}}, tab[1], tab[2],
    };
    const GscTensorInfo bad_row[] = {{"layer.weight", -4, 1, {1, 0, 0, 0}}};
    tmp_path(path, sizeof path, "tensors.safetensors");
    good_adam(path);
    load_fails(path, more, 4, adam, "missing extra; missing extra.exp_avg; "
               "missing extra.exp_avg_sq");
    load_fails(path, tab, 2, adam, "unknown scale; unknown scale.exp_avg; "
               "unknown scale.exp_avg_sq");
    load_fails(path, reshaped, NTAB, adam, "layer.weight has shape [2, 3] but "
               "the model wants [3, 2]; layer.weight.exp_avg has shape [2, 3]");
    load_fails(path, bad_row, 1, adam, "table entry 0 (\"layer.weight\") is "
               "malformed");
    remove(path);
}
END_TEST

/* A state tensor of the wrong dtype (patched in place: I32 has F32's size). */
START_TEST(load_errors_dtype)
{
    char path[512];
    unsigned char *buf, *at;
    size_t len;
    const char *key = "\"scale.exp_avg\":{\"dtype\":\"F32\"";
    tmp_path(path, sizeof path, "dtype.safetensors");
    good_adam(path);
    buf = slurp(path, &len);
    at = (unsigned char *)strstr((char *)buf + 8, key);
    ck_assert_ptr_nonnull(at);
    memcpy(at + strlen(key) - 4, "I32", 3);
    spit(path, buf, len);
    load_fails(path, tab, NTAB, gsc_adam_defaults(), "scale.exp_avg is I32 not F32");
    free(buf);
    remove(path);
}
END_TEST

/* A checkpoint of tab with hand-made metadata: Adam's pairs with key set to
 * value (added if new, dropped if value is NULL). */
static void write_meta(const char *path, const char *key, const char *value)
{
    static float data[3][NP];
    GscStPair pairs[16] = {
        {"format", "pt"}, {"gsc.checkpoint", "1"}, {"optimizer", "Adam"},
        {"step", "2"}, {"lr", "0.001"}, {"beta1", "0.9"}, {"beta2", "0.999"},
        {"eps", "1e-08"}, {"weight_decay", "0"}, {"amsgrad", "false"},
        {"maximize", "false"},
    };
    static const char *const suffix[3] = {"", ".exp_avg", ".exp_avg_sq"};
    static char names[9][64];
    GscStF32 t[9];
    char err[256];
    int i, k, n = 11, found = 0;
    for (i = 0; i < n; i++)
        if (strcmp(pairs[i].key, key) == 0) {
            found = 1;
            if (value)
                pairs[i].value = value;
            else
                pairs[i] = pairs[--n];
        }
    if (!found && value) {
        pairs[n].key = key;
        pairs[n++].value = value;
    }
    for (k = 0; k < 3; k++)
        for (i = 0; i < NTAB; i++) {
            GscStF32 *e = &t[k * NTAB + i];
            memset(e, 0, sizeof *e);
            snprintf(names[k * NTAB + i], 64, "%s%s", tab[i].name, suffix[k]);
            e->name = names[k * NTAB + i];
            e->rank = tab[i].rank;
            e->shape[0] = tab[i].shape[0];
            e->shape[1] = tab[i].shape[1];
            e->data = data[k] + tab[i].offset;
        }
    ck_assert_msg(gsc_st_write_f32(path, t, 9, pairs, n, err, sizeof err) == 0,
                  "%s", err);
}

START_TEST(load_errors_metadata)
{
    static const char *const cases[][3] = {
        /* key, value (NULL: dropped), the message */
        {"gsc.checkpoint", NULL, "not a gsc checkpoint"},
        {"gsc.checkpoint", "2", "checkpoint version \"2\" is not 1"},
        {"format", "tf", "metadata \"format\" is \"tf\", not pt"},
        {"optimizer", NULL, "metadata lacks \"optimizer\""},
        {"optimizer", "RMSprop", "unknown optimizer \"RMSprop\""},
        {"step", NULL, "metadata lacks \"step\""},
        {"step", "-1", "metadata \"step\" is \"-1\", not a step count"},
        {"step", "01", "not a step count"},
        {"step", "1.5", "not a step count"},
        {"step", "99999999999999999999", "not a step count"},
        {"lr", NULL, "metadata lacks \"lr\""},
        {"lr", "fast", "metadata \"lr\" is \"fast\", not a finite number"},
        {"lr", "1e999", "not a finite number"},
        {"lr", "0x10", "not a finite number"},
        {"lr", " 0.1", "not a finite number"},
        {"lr", "0.1 ", "not a finite number"},
        {"lr", ".5", "not a finite number"},
        {"lr", "nan", "not a finite number"},
        {"lr", "-0.001", "Adam: lr = -0.001 is not >= 0"},
        {"beta1", "1.5", "Adam: beta1 = 1.5 is not in [0, 1)"},
        {"amsgrad", "yes", "metadata \"amsgrad\" is \"yes\", not true or false"},
        {"amsgrad", "1", "not true or false"},
        {"momentum", "0.9", "unknown metadata key \"momentum\" for Adam"},
        {"comment", "hello", "unknown metadata key \"comment\""},
    };
    char path[512];
    GscOptConfig adam = gsc_adam_defaults();
    size_t i;
    tmp_path(path, sizeof path, "meta.safetensors");
    write_meta(path, "lr", "0.001"); /* the unmodified pairs load */
    {
        Run t;
        char err[256];
        target_init(&t, adam);
        ck_assert_msg(gsc_ckpt_load(path, tab, NTAB, t.params, &t.cfg, &t.st, err,
                                    sizeof err) == 0, "%s", err);
        ck_assert_int_eq(t.st.step, 2);
    }
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_meta(path, cases[i][0], cases[i][1]);
        load_fails(path, tab, NTAB, adam, cases[i][2]);
    }
    remove(path);
}
END_TEST

/* A small err buffer holds the path and as much of the message as fits. */
START_TEST(load_error_small_buffer)
{
    char path[512], err[40];
    Run t;
    const GscTensorInfo more[] = {tab[0], tab[1], tab[2], {"x", 0, 0, {0}}};
    tmp_path(path, sizeof path, "small.safetensors");
    good_adam(path);
    target_init(&t, gsc_adam_defaults());
    memset(err, 'X', sizeof err);
    ck_assert_int_eq(gsc_ckpt_load(path, more, 4, t.params, &t.cfg, &t.st, err,
                                   sizeof err), -1);
    ck_assert_ptr_nonnull(memchr(err, '\0', sizeof err));
    ck_assert_int_eq(gsc_ckpt_load(path, more, 4, t.params, &t.cfg, &t.st, NULL,
                                   0), -1);
    ck_assert(t.params[0] == 77.0f);
    remove(path);
}
END_TEST

/* ----------------------------------------------------- checkpoint: saving */

/* A failed save leaves the existing checkpoint as it was. */
START_TEST(save_failure_leaves_file)
{
    char path[512], tmp[520], err[256];
    unsigned char *b1, *b2;
    size_t len1, len2;
    Run r;
    tmp_path(path, sizeof path, "keep.safetensors");
    good_adam(path);
    b1 = slurp(path, &len1);
    run_init(&r, gsc_adam_defaults());
    run_steps(&r, 0, 5);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    ck_assert_int_eq(mkdir(tmp, 0700), 0); /* creating the .tmp fails */
    ck_assert_int_eq(gsc_ckpt_save(path, tab, NTAB, r.params, &r.cfg, &r.st, err,
                                   sizeof err), -1);
    ck_err_has(err, "cannot create");
    b2 = slurp(path, &len2);
    ck_assert(len1 == len2 && memcmp(b1, b2, len1) == 0);
    free(b2);
    rmdir(tmp);
    /* Refused before writing: a bad configuration, a missing buffer, a
     * state tensor name that clashes with a parameter's. */
    r.cfg.eps = -1.0;
    ck_assert_int_eq(gsc_ckpt_save(path, tab, NTAB, r.params, &r.cfg, &r.st, err,
                                   sizeof err), -1);
    ck_err_has(err, "Adam: eps = -1 is not >= 0");
    r.cfg.eps = 1e-8;
    r.st.exp_avg = NULL;
    ck_assert_int_eq(gsc_ckpt_save(path, tab, NTAB, r.params, &r.cfg, &r.st, err,
                                   sizeof err), -1);
    ck_err_has(err, "the Adam state has no exp_avg buffer");
    r.st.exp_avg = r.mem;
    {
        const GscTensorInfo clash[] = {{"a", 0, 1, {1}}, {"a.exp_avg", 1, 1, {1}}};
        ck_assert_int_eq(gsc_ckpt_save(path, clash, 2, r.params, &r.cfg, &r.st,
                                       err, sizeof err), -1);
        ck_err_has(err, "duplicate tensor \"a.exp_avg\"");
    }
    r.st.step = -1;
    ck_assert_int_eq(gsc_ckpt_save(path, tab, NTAB, r.params, &r.cfg, &r.st, err,
                                   sizeof err), -1);
    b2 = slurp(path, &len2);
    ck_assert(len1 == len2 && memcmp(b1, b2, len1) == 0);
    ck_assert_int_ne(access(tmp, F_OK), 0);
    ck_assert_int_eq(gsc_ckpt_save("/nonexistent-dir/ck.safetensors", tab, NTAB,
                                   r.params, &r.cfg, &r.st, err, sizeof err), -1);
    free(b1);
    free(b2);
    remove(path);
}
END_TEST

/* ------------------------------------------- general safetensors functions */

START_TEST(st_meta_round_trip)
{
    static float x[2] = {1.5f, -2.0f};
    const GscStF32 t[] = {{"x", 1, {2}, x}, {"empty", 2, {0, 3}, NULL},
                          {"s", 0, {0}, x}};
    const GscStPair pairs[] = {{"quote\"back\\slash", "line\nbreak \xc3\xa9"},
                               {"", ""}};
    char path[512], err[256];
    float got[3] = {0, 0, 0};
    GscStF32 back[3];
    GscStFile f;
    GscStMeta m;
    tmp_path(path, sizeof path, "meta_rt.safetensors");
    ck_assert_msg(gsc_st_write_f32(path, t, 3, pairs, 2, err, sizeof err) == 0,
                  "%s", err);
    ck_assert_int_eq(gsc_st_open_meta(path, &f, &m, err, sizeof err), 0);
    ck_assert_int_eq(m.npairs, 2);
    ck_assert_str_eq(m.pairs[0].key, "quote\"back\\slash");
    ck_assert_str_eq(m.pairs[0].value, "line\nbreak \xc3\xa9");
    ck_assert_str_eq(gsc_st_meta_get(&m, ""), "");
    ck_assert_ptr_null(gsc_st_meta_get(&m, "nope"));
    memcpy(back, t, sizeof back);
    back[0].data = got;
    back[1].data = NULL;
    back[2].data = got + 2;
    ck_assert_msg(gsc_st_load_f32(&f, back, 3, err, sizeof err) == 0, "%s", err);
    ck_assert(got[0] == 1.5f && got[1] == -2.0f && got[2] == 1.5f);
    back[0].shape[0] = 3; /* all or nothing */
    got[0] = 9.0f;
    ck_assert_int_eq(gsc_st_load_f32(&f, back, 2, err, sizeof err), -1);
    ck_err_has(err, "x has shape [2] but the model wants [3]; unknown s");
    ck_assert(got[0] == 9.0f);
    back[0].rank = 9;
    ck_assert_int_eq(gsc_st_load_f32(&f, back, 3, err, sizeof err), -1);
    ck_err_has(err, "entry \"x\" is malformed");
    gsc_st_meta_free(&m);
    gsc_st_meta_free(&m); /* twice is harmless */
    gsc_st_close(&f);
    /* No pairs: no __metadata__ at all; gsc_st_write's file has format pt. */
    ck_assert_int_eq(gsc_st_write_f32(path, t, 1, NULL, 0, err, sizeof err), 0);
    ck_assert_int_eq(gsc_st_open_meta(path, &f, &m, err, sizeof err), 0);
    ck_assert(m.npairs == 0 && m.pairs == NULL && f.ntensors == 1);
    gsc_st_close(&f);
    {
        const GscTensorInfo one[] = {{"x", 0, 1, {2}}};
        ck_assert_int_eq(gsc_st_write(path, one, 1, x, err, sizeof err), 0);
    }
    ck_assert_int_eq(gsc_st_open_meta(path, &f, &m, err, sizeof err), 0);
    ck_assert_int_eq(m.npairs, 1);
    ck_assert_str_eq(gsc_st_meta_get(&m, "format"), "pt");
    gsc_st_meta_free(&m);
    gsc_st_close(&f);
    remove(path);
}
END_TEST

START_TEST(st_write_f32_refusals)
{
    static float x[1] = {0};
    const GscStF32 dup[] = {{"a", 0, {0}, x}, {"a", 0, {0}, x}};
    const GscStF32 neg[] = {{"a", 1, {-1}, x}};
    const GscStF32 nodata[] = {{"a", 1, {1}, NULL}};
    const GscStF32 meta_name[] = {{"__metadata__", 0, {0}, x}};
    const GscStPair dupkeys[] = {{"k", "1"}, {"k", "2"}};
    const GscStPair badutf[] = {{"k", "\xff"}};
    char path[512], err[256];
    tmp_path(path, sizeof path, "refused.safetensors");
    ck_assert_int_eq(gsc_st_write_f32(path, dup, 2, NULL, 0, err, sizeof err), -1);
    ck_err_has(err, "gsc_st_write_f32: duplicate tensor \"a\"");
    ck_assert_int_eq(gsc_st_write_f32(path, neg, 1, NULL, 0, err, sizeof err), -1);
    ck_err_has(err, "malformed");
    ck_assert_int_eq(gsc_st_write_f32(path, nodata, 1, NULL, 0, err, sizeof err), -1);
    ck_assert_int_eq(gsc_st_write_f32(path, meta_name, 1, NULL, 0, err, sizeof err), -1);
    ck_err_has(err, "bad tensor name");
    ck_assert_int_eq(gsc_st_write_f32(path, dup, 1, dupkeys, 2, err, sizeof err), -1);
    ck_err_has(err, "duplicate metadata key \"k\"");
    ck_assert_int_eq(gsc_st_write_f32(path, dup, 1, badutf, 1, err, sizeof err), -1);
    ck_err_has(err, "metadata pair 0 is not two UTF-8 strings");
    ck_assert_int_ne(access(path, F_OK), 0);
}
END_TEST

/* A duplicate key in a file's metadata is refused by the reader too. */
START_TEST(st_meta_duplicate_in_file)
{
    static const char json[] = "{\"__metadata__\":{\"a\":\"1\",\"a\":\"2\"}}";
    unsigned char buf[64];
    GscStFile f;
    GscStMeta m;
    char err[256];
    size_t n = sizeof json - 1;
    int i;
    for (i = 0; i < 8; i++)
        buf[i] = (unsigned char)(i == 0 ? n : 0);
    memcpy(buf + 8, json, n);
    ck_assert_int_eq(gsc_st_parse_meta(buf, 8 + n, &f, &m, err, sizeof err), -1);
    ck_err_has(err, "duplicate key \"a\" in __metadata__");
    ck_assert(m.npairs == 0 && m.pairs == NULL);
    ck_assert_int_eq(gsc_st_parse(buf, 8 + n, &f, err, sizeof err), -1);
}
END_TEST

/* ------------------------------------------------ the fast convolution backward */

/* n values in [-0.5, 0.5) from seed */
static float *random_floats(size_t n, unsigned seed)
{
    float *p = malloc(sizeof(float) * (n ? n : 1));
    size_t i;
    ck_assert_ptr_nonnull(p);
    for (i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        p[i] = (float)((seed >> 8) / 16777216.0 - 0.5);
    }
    return p;
}

/* the largest |a - b| over the largest |b| */
static double rel_err(const float *a, const float *b, size_t n)
{
    double e = 0.0, m = 0.0;
    size_t i;
    for (i = 0; i < n; i++) {
        double d = fabs((double)a[i] - b[i]);
        e = d > e ? d : e;
        m = fabs((double)b[i]) > m ? fabs((double)b[i]) : m;
    }
    return m > 0.0 ? e / m : e;
}

/* gsc_fast_conv2d_chw_backward against the reference gsc_conv2d_backward
 * (double sums) on shapes that take both orientations of the weight
 * gradient's product (gsc_fast_backward.c, dw_swapped: cout small against
 * the positions P, or not), several KC-deep slices of P, partial slivers,
 * strides 1 and 2 (stride 2 reads every other cell of a row), padding,
 * groups: dW, dx and the bias gradient within 1e-5 of the largest reference
 * value, the gradients added to what the buffers held. */
START_TEST(fast_conv_backward_matches_reference)
{
    static const struct {
        int cin, h, w, cout, k, stride, pad, groups;
    } cs[] = {
        {3, 37, 41, 8, 7, 2, 3, 1},     /* the stem's form, P = 399: swapped */
        {5, 20, 19, 6, 3, 1, 1, 1},     /* swapped, partial slivers */
        {4, 33, 34, 4, 3, 2, 0, 2},     /* stride 2 runs, groups */
        {6, 11, 13, 9, 5, 1, 2, 3},     /* groups, k 5 */
        {16, 9, 7, 70, 3, 1, 1, 1},     /* P = 63: direct */
        {12, 7, 7, 40, 3, 2, 1, 1},     /* P = 16, stride 2: direct */
        {8, 15, 15, 24, 1, 2, 0, 1},    /* 1x1/2 */
        {8, 40, 40, 140, 3, 1, 1, 1},   /* cout past NC, P = 1600: direct, several slices */
    };
    size_t c;
    for (c = 0; c < sizeof cs / sizeof cs[0]; c++) {
        int cin = cs[c].cin, h = cs[c].h, w = cs[c].w, cout = cs[c].cout, k = cs[c].k, s = cs[c].stride;
        int pad = cs[c].pad, groups = cs[c].groups;
        int oh = gsc_out_size(h, k, s, pad), ow = gsc_out_size(w, k, s, pad);
        size_t nx = (size_t)cin * h * w, nw = (size_t)cout * (cin / groups) * k * k, ny = (size_t)cout * oh * ow;
        float *x = random_floats(nx, 1u + (unsigned)c), *wt = random_floats(nw, 100u + (unsigned)c);
        float *dy = random_floats(ny, 200u + (unsigned)c);
        float *dx[2], *dw[2], *db[2];
        int v;
        for (v = 0; v < 2; v++) { /* the same start values in both: the gradients are added */
            dx[v] = random_floats(nx, 300u);
            dw[v] = random_floats(nw, 400u);
            db[v] = random_floats((size_t)cout, 500u);
        }
        gsc_conv2d_backward(x, cin, h, w, wt, dy, cout, k, s, pad, groups, dx[0], dw[0], db[0]);
        gsc_fast_conv2d_chw_backward(x, cin, h, w, wt, dy, cout, k, s, pad, groups, dx[1], dw[1], db[1]);
        ck_assert_msg(rel_err(dw[1], dw[0], nw) <= 1e-5, "case %zu: dW error %.3g", c, rel_err(dw[1], dw[0], nw));
        ck_assert_msg(rel_err(dx[1], dx[0], nx) <= 1e-5, "case %zu: dx error %.3g", c, rel_err(dx[1], dx[0], nx));
        ck_assert_msg(rel_err(db[1], db[0], (size_t)cout) <= 1e-5, "case %zu: dbias error %.3g", c,
                      rel_err(db[1], db[0], (size_t)cout));
        for (v = 0; v < 2; v++) {
            free(dx[v]);
            free(dw[v]);
            free(db[v]);
        }
        free(x);
        free(wt);
        free(dy);
    }
}
END_TEST

/* ------------------------------------------------------------------- main */

static Suite *train_suite(void)
{
    Suite *s = suite_create("train");
    TCase *opt = tcase_create("optimisers"), *ck = tcase_create("checkpoints");
    TCase *st = tcase_create("safetensors"), *conv = tcase_create("fast convolution backward");
    tcase_add_test(conv, fast_conv_backward_matches_reference);
    suite_add_tcase(s, conv);
    tcase_add_test(opt, defaults_are_pytorch_s);
    tcase_add_test(opt, check_refuses_what_pytorch_refuses);
    tcase_add_test(opt, state_sizes_and_init);
    tcase_add_test(opt, sgd_plain);
    tcase_add_test(opt, sgd_momentum_dampening);
    tcase_add_test(opt, sgd_nesterov);
    tcase_add_test(opt, sgd_weight_decay);
    tcase_add_test(opt, sgd_against_float64);
    tcase_add_test(opt, step_n0_and_refusals);
    tcase_add_test(opt, adam_first_step);
    tcase_add_test(opt, adam_against_float64);
    tcase_add_test(opt, adamw_decoupled_decay);
    tcase_add_test(opt, adam_amsgrad_keeps_max);
    tcase_add_test(ck, resume_adamw_5_of_10);
    tcase_add_test(ck, resume_others);
    tcase_add_test(ck, ckpt_file_layout);
    tcase_add_test(ck, ckpt_sgd_metadata);
    tcase_add_test(ck, load_errors_files);
    tcase_add_test(ck, load_errors_kind_and_buffers);
    tcase_add_test(ck, load_errors_tensors);
    tcase_add_test(ck, load_errors_dtype);
    tcase_add_test(ck, load_errors_metadata);
    tcase_add_test(ck, load_error_small_buffer);
    tcase_add_test(ck, save_failure_leaves_file);
    tcase_add_test(st, st_meta_round_trip);
    tcase_add_test(st, st_write_f32_refusals);
    tcase_add_test(st, st_meta_duplicate_in_file);
    suite_add_tcase(s, opt);
    suite_add_tcase(s, ck);
    suite_add_tcase(s, st);
    return s;
}

int main(void)
{
    return run_suite(train_suite(), "gsc_train");
}
