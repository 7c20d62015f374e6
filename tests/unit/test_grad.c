/*
 * test_grad.c - the interpreter's gradients against central finite
 * differences in float64.
 *
 * For every operation (a one-operation model around it) and every model in
 * models/ at small sizes: random parameters and input, a loss (mean squared
 * error against a random target, which weights every output differently, or
 * cross-entropy on a class), the analytic gradient of eval_grad in float64,
 * and the directional derivative along random directions u, estimated as
 * (L(p + h u) - L(p - h u)) / 2h. The two must agree to a relative error of
 * 1e-6 (the estimate's truncation error is O(h^2 |L'''|), its rounding error
 * O(eps |L| / h); h = 1e-5 puts both near 1e-10 relative for these models).
 * Gradients with respect to the input are checked the same way, so an
 * operation without parameters is covered too. Max-pool and ReLU are not
 * differentiable at ties and at 0: random data avoids both with probability 1,
 * and h is far below the gaps.
 */
#include "pipeline.h"

#include <math.h>
#include <stdlib.h>

static uint64_t rng = 88172645463325252ull;

static double uniform(double lo, double hi)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return lo + (hi - lo) * (double)(rng >> 11) / 9007199254740992.0;
}

typedef struct {
    const Graph *g;
    const Grad *gr;
    double *p, *x, *t;
    int64_t label;
} Problem;

static double loss_at(const Problem *pb, const double *p, const double *x)
{
    double *dp = malloc(sizeof(double) * (size_t)(pb->g->nparams + 1));
    double l = eval_grad(pb->gr, p, x, pb->label, pb->t, true, dp, NULL);
    free(dp);
    return l;
}

/* max over a few random directions of |analytic - numeric| / scale */
static double check_direction(const Problem *pb, const double *dp, const double *dx, bool params)
{
    const Graph *g = pb->g;
    int64_t np = g->nparams, nx = shape_count(&g->values[g->input].shape);
    int64_t n = params ? np : nx;
    const double *grad = params ? dp : dx;
    double *base = params ? pb->p : pb->x;
    double worst = 0.0, h = 1e-5;
    double *u = malloc(sizeof(double) * (size_t)(n + 1)), *plus = malloc(sizeof(double) * (size_t)(n + 1));
    double *minus = malloc(sizeof(double) * (size_t)(n + 1));
    double gnorm = 0.0;
    for (int64_t i = 0; i < n; i++)
        gnorm += grad[i] * grad[i];
    gnorm = sqrt(gnorm);
    for (int trial = 0; trial < 3; trial++) {
        double analytic = 0.0, unorm = 0.0;
        for (int64_t i = 0; i < n; i++) {
            u[i] = uniform(-1, 1);
            unorm += u[i] * u[i];
        }
        unorm = sqrt(unorm);
        for (int64_t i = 0; i < n; i++) {
            u[i] /= unorm;
            analytic += grad[i] * u[i];
            plus[i] = base[i] + h * u[i];
            minus[i] = base[i] - h * u[i];
        }
        double lp = params ? loss_at(pb, plus, pb->x) : loss_at(pb, pb->p, plus);
        double lm = params ? loss_at(pb, minus, pb->x) : loss_at(pb, pb->p, minus);
        double numeric = (lp - lm) / (2 * h);
        /* relative to the gradient's norm: a direction almost orthogonal to
         * it has a tiny derivative, and is still a fair test */
        double err = fabs(analytic - numeric) / (gnorm > 1e-12 ? gnorm : 1e-12);
        worst = err > worst ? err : worst;
    }
    free(u);
    free(plus);
    free(minus);
    return worst;
}

/* Compiles text (or a file) with defs, draws a problem, checks parameter
 * and input gradients; returns the worst error. */
static double check_model_grad(const char *what, const SrcFile *f, const char *const *defs, int ndefs, LossKind loss)
{
    Graph *g = compile(f, defs, ndefs);
    const Grad *gr = grad_graph(g, loss, true);
    ck_assert_ptr_nonnull(gr);
    int64_t np = g->nparams, nx = shape_count(&g->values[g->input].shape);
    int64_t ny = shape_count(&g->values[g->output].shape);
    Problem pb = {g, gr, malloc(sizeof(double) * (size_t)(np + 1)), malloc(sizeof(double) * (size_t)(nx + 1)),
                  malloc(sizeof(double) * (size_t)(ny + 1)), 0};
    for (int64_t i = 0; i < np; i++)
        pb.p[i] = uniform(-0.5, 0.5);
    /* batchnorm scales near 1, as trained models have them */
    for (int i = 0; i < g->ntensors; i++)
        if (g->tensors[i].init == INIT_ONE)
            for (int64_t k = 0; k < g->tensors[i].count; k++)
                pb.p[g->tensors[i].offset + k] = uniform(0.5, 1.5);
    for (int64_t i = 0; i < nx; i++)
        pb.x[i] = uniform(-1, 1);
    for (int64_t i = 0; i < ny; i++)
        pb.t[i] = uniform(-1, 1);
    pb.label = (int64_t)(uniform(0, 1) * (double)ny) % (ny ? ny : 1);
    double *dp = malloc(sizeof(double) * (size_t)(np + 1)), *dx = malloc(sizeof(double) * (size_t)(nx + 1));
    eval_grad(gr, pb.p, pb.x, pb.label, pb.t, true, dp, dx);
    double ep = np ? check_direction(&pb, dp, dx, true) : 0.0;
    double ex = check_direction(&pb, dp, dx, false);
    printf("%-44s %-18s d/dparams %.2e, d/dinput %.2e\n", what, loss_name(loss), ep, ex);
    free(dp);
    free(dx);
    free(pb.p);
    free(pb.x);
    free(pb.t);
    return ep > ex ? ep : ex;
}

#define LIMIT 1e-6

/* One operation, its input [c, h, w] = [3, 6, 5] or a vector. */
static const struct {
    const char *name, *text;
} op_cases[] = {
    {"conv2d 3x3 stride 1 pad 1", "model t(x: [3, 6, 5]) -> [4, 6, 5] {\n c = conv2d(3 -> 4, k=3, stride=1, pad=1)\n"
                                  " return c(x)\n}\n"},
    {"conv2d 3x3 stride 2 pad 0", "model t(x: [3, 7, 6]) -> [2, 3, 2] {\n c = conv2d(3 -> 2, k=3, stride=2)\n"
                                  " return c(x)\n}\n"},
    {"conv2d 1x1 stride 2", "model t(x: [3, 6, 5]) -> [5, 3, 3] {\n c = conv2d(3 -> 5, k=1, stride=2)\n return c(x)\n}\n"},
    {"conv2d 3x2 dilation (2, 1) stride (1, 2) pad (2, 0, 1, 1)",
     "model t(x: [3, 6, 5]) -> [4, 5, 3] {\n c = conv2d(3 -> 4, k=(3, 2), stride=(1, 2), pad=(2, 0, 1, 1), dilation=(2, 1))\n"
     " return c(x)\n}\n"},
    {"conv2d 3x3 dilation 2 pad 2, depthwise", "model t(x: [3, 6, 5]) -> [3, 6, 5] {\n"
                                               " c = conv2d(3 -> 3, k=3, pad=2, dilation=2, groups=3)\n return c(x)\n}\n"},
    {"conv_transpose2d 2x2 stride 2", "model t(x: [3, 6, 5]) -> [4, 12, 10] {\n c = conv_transpose2d(3 -> 4, k=2, stride=2)\n"
                                      " return c(x)\n}\n"},
    {"conv_transpose2d 3x2 stride (2, 1) pad (1, 0, 2, 1) output_pad (1, 0) dilation (1, 2), no bias",
     "model t(x: [3, 6, 5]) -> [2, 11, 6] {\n c = conv_transpose2d(3 -> 2, k=(3, 2), stride=(2, 1), pad=(1, 0, 2, 1),"
     " output_pad=(1, 0), dilation=(1, 2), bias=0)\n return c(x)\n}\n"},
    {"batchnorm (train-time statistics)", "model t(x: [3, 6, 5]) -> [3, 6, 5] {\n b = batchnorm(3)\n return b(x)\n}\n"},
    {"batchnorm over 2 positions", "model t(x: [3, 2, 1]) -> [3, 2, 1] {\n b = batchnorm(3)\n return b(x)\n}\n"},
    {"layernorm over the channels", "model t(x: [5, 3, 4]) -> [5, 3, 4] {\n n = layernorm(5, eps=1e-6)\n return n(x)\n}\n"},
    {"param used twice in mul and add", "model t(x: [3, 6, 5]) -> [3, 6, 5] {\n p = param(3, 1, 1, init=0.5)\n"
                                        " return mul(x, p) + mul(relu(x), p)\n}\n"},
    {"layernorm over a vector", "model t(x: [7]) -> [7] {\n n = layernorm(7)\n return n(x)\n}\n"},
    {"linear", "model t(x: [7]) -> [4] {\n f = linear(7 -> 4)\n return f(x)\n}\n"},
    {"relu", "model t(x: [3, 6, 5]) -> [3, 6, 5] {\n return relu(x)\n}\n"},
    {"maxpool2d 3x3 stride 2 pad 1", "model t(x: [3, 6, 5]) -> [3, 3, 3] {\n return maxpool2d(x, k=3, stride=2, pad=1)\n}\n"},
    {"maxpool2d 2x2 stride 2", "model t(x: [3, 6, 5]) -> [3, 3, 2] {\n return maxpool2d(x, k=2, stride=2)\n}\n"},
    {"maxpool2d 3x3 stride 2 ceil", "model t(x: [3, 6, 5]) -> [3, 3, 2] {\n return maxpool2d(x, k=3, stride=2, ceil=1)\n}\n"},
    {"avgpool2d 3x3 stride 1 pad 1", "model t(x: [3, 6, 5]) -> [3, 6, 5] {\n return avgpool2d(x, k=3, stride=1, pad=1)\n}\n"},
    {"avgpool2d 3x3 stride 2 pad 1 ceil count_pad=0",
     "model t(x: [3, 6, 5]) -> [3, 4, 3] {\n return avgpool2d(x, k=3, stride=2, pad=1, ceil=1, count_pad=0)\n}\n"},
    {"avgpool2d 3x3 stride 2 ceil", "model t(x: [3, 6, 5]) -> [3, 3, 2] {\n return avgpool2d(x, k=3, stride=2, ceil=1)\n}\n"},
    {"global_avgpool", "model t(x: [3, 6, 5]) -> [3] {\n return global_avgpool(x)\n}\n"},
    {"adaptive_avgpool2d 6x5 to 4x7 (overlapping rows, repeated columns)",
     "model t(x: [3, 6, 5]) -> [3, 4, 7] {\n return adaptive_avgpool2d(x, size=(4, 7))\n}\n"},
    {"upsample 2x3 (nearest: each block sums)", "model t(x: [3, 3, 2]) -> [3, 6, 6] {\n return upsample(x, scale=(2, 3))\n}\n"},
    {"upsample_bilinear 3x2, half-pixel centres",
     "model t(x: [2, 3, 4]) -> [2, 9, 8] {\n return upsample_bilinear(x, scale=(3, 2))\n}\n"},
    {"upsample_bilinear 2, align_corners=1",
     "model t(x: [2, 3, 4]) -> [2, 6, 8] {\n return upsample_bilinear(x, scale=2, align_corners=1)\n}\n"},
    {"add (and fan-out: x + relu(x))", "model t(x: [3, 6, 5]) -> [3, 6, 5] {\n return x + relu(x)\n}\n"},
    {"concat of three (x used twice)", "model t(x: [3, 6, 5]) -> [8, 6, 5] {\n c = conv2d(3 -> 2, k=1)\n"
                                       " return concat(x, c(x), x)\n}\n"},
    {"flatten", "model t(x: [3, 6, 5]) -> [90] {\n return flatten(x)\n}\n"},
    {"softmax", "model t(x: [6]) -> [6] {\n return softmax(x)\n}\n"},
    {"a layer applied twice (shared parameters)", "model t(x: [5]) -> [5] {\n f = linear(5 -> 5)\n"
                                                  " return f(relu(f(x)))\n}\n"},
};

START_TEST(each_operation_mse)
{
    double e = check_model_grad(op_cases[_i].name, src_text(op_cases[_i].text), NULL, 0, LOSS_MSE);
    ck_assert_msg(e < LIMIT, "%s: gradient error %.3e", op_cases[_i].name, e);
}
END_TEST

START_TEST(cross_entropy_on_logits_and_on_softmax)
{
    const char *logits = "model t(x: [6]) -> [4] {\n f = linear(6 -> 4)\n return f(x)\n}\n";
    const char *probs = "model t(x: [6]) -> [4] {\n f = linear(6 -> 4)\n return softmax(f(x))\n}\n";
    ck_assert(check_model_grad("linear, cross-entropy of logits", src_text(logits), NULL, 0, LOSS_XENT) < LIMIT);
    ck_assert(check_model_grad("linear + softmax, cross-entropy", src_text(probs), NULL, 0, LOSS_XENT) < LIMIT);
}
END_TEST

/* The cross-entropy of a model ending in softmax is that of its input: the
 * same loss and gradients as the model without the softmax. */
START_TEST(softmax_output_is_read_stably)
{
    Graph *a = compile(src_text("model t(x: [3]) -> [3] {\n f = linear(3 -> 3)\n return softmax(f(x))\n}\n"), NULL, 0);
    Graph *b = compile(src_text("model t(x: [3]) -> [3] {\n f = linear(3 -> 3)\n return f(x)\n}\n"), NULL, 0);
    Grad *ga = grad_graph(a, LOSS_XENT, false), *gb = grad_graph(b, LOSS_XENT, false);
    ck_assert_int_ge(ga->skipped, 0);
    double p[12] = {900, -900, 3, 1, 2, -1, 0.5, 0.25, 1, 0, 0, 0}, x[3] = {1, 2, 3}, da[12], db[12];
    double la = eval_grad(ga, p, x, 0, NULL, true, da, NULL), lb = eval_grad(gb, p, x, 0, NULL, true, db, NULL);
    ck_assert(isfinite(la) && la > 800); /* probability ~exp(-895): its log taken stably */
    ck_assert(la == lb);
    for (int i = 0; i < 12; i++)
        ck_assert(da[i] == db[i]);
}
END_TEST

static const struct {
    const char *path;
    const char *defs[4];
    int ndefs;
} model_cases[] = {
    {"models/mlp.gs", {"in_features=12", "hidden=6", "classes=4"}, 3},
    {"models/cnn.gs", {"H=8", "W=8", "in_c=2"}, 3},
    {"models/residual_mlp.gs", {0}, 0},
    {"tests/codegen/small.gs", {"H=5", "W=4"}, 2},
    {"tests/codegen/grouped.gs", {"H=7", "W=6"}, 1}, /* depthwise, grouped, bias-free */
    {"models/resnet18.gs", {"H=40", "W=40", "classes=5"}, 3}, /* 2x2 at the end: 1x1 would make the output independent of the input */
};

START_TEST(each_model)
{
    char what[128];
    snprintf(what, sizeof what, "%s", model_cases[_i].path);
    for (int l = 0; l < 2; l++) {
        LossKind loss = l ? LOSS_MSE : LOSS_XENT;
        double e = check_model_grad(what, src_file(model_cases[_i].path), model_cases[_i].defs, model_cases[_i].ndefs,
                                    loss);
        ck_assert_msg(e < LIMIT, "%s (%s): gradient error %.3e", what, loss_name(loss), e);
    }
}
END_TEST

/* float32 mode stays close to float64 (rounding only), and a value with
 * no parameter upstream gets no gradient. */
START_TEST(float32_mode_and_needed_values)
{
    Graph *g = compile(src_text("model t(x: [4]) -> [3] {\n f = linear(4 -> 3)\n let r = relu(x)\n"
                                " return f(r)\n}\n"),
                       NULL, 0);
    Grad *gr = grad_graph(g, LOSS_XENT, false);
    ck_assert(!gr->need[g->input]);
    ck_assert_int_eq(gr->norder, 1); /* the relu of the input needs no backward */
    double p[15], x[4] = {0.5, -1, 2, 0.25}, d64[15], d32[15];
    for (int i = 0; i < 15; i++)
        p[i] = uniform(-1, 1);
    eval_grad(gr, p, x, 2, NULL, true, d64, NULL);
    eval_grad(gr, p, x, 2, NULL, false, d32, NULL);
    for (int i = 0; i < 15; i++) {
        ck_assert(fabs(d32[i] - d64[i]) <= 1e-6 * (fabs(d64[i]) + 1e-3));
        ck_assert(d32[i] == (double)(float)d32[i]);
    }
}
END_TEST

/* Cross-entropy needs a vector of class scores: another output is an
 * error at the output, not a crash. */
START_TEST(cross_entropy_needs_a_vector)
{
    Graph *g = compile(src_text("model t(x: [2, 3, 3]) -> [2, 3, 3] {\n return relu(x)\n}\n"), NULL, 0);
    int before = diag_errors;
    ck_assert_ptr_nonnull(freopen("/dev/null", "w", stderr)); /* the expected message (Check forks per test) */
    ck_assert_ptr_null(grad_graph(g, LOSS_XENT, false));
    ck_assert_int_eq(diag_errors, before + 1);
    diag_errors = before;
    ck_assert_ptr_nonnull(grad_graph(g, LOSS_MSE, false));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("gradients");
    TCase *t = tcase_create("finite differences");
    tcase_set_timeout(t, 300);
    tcase_add_loop_test(t, each_operation_mse, 0, (int)(sizeof op_cases / sizeof op_cases[0]));
    tcase_add_test(t, cross_entropy_on_logits_and_on_softmax);
    tcase_add_test(t, softmax_output_is_read_stably);
    tcase_add_loop_test(t, each_model, 0, (int)(sizeof model_cases / sizeof model_cases[0]));
    tcase_add_test(t, float32_mode_and_needed_values);
    tcase_add_test(t, cross_entropy_needs_a_vector);
    suite_add_tcase(s, t);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
