/*
 * test_model.c - the checked model, its parameter ABI, the seed initialiser
 * and the reference interpreter on hand-computed cases.
 * Run from the repository root (reads models/).
 */
#define _POSIX_C_SOURCE 200809L
#include "pipeline.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static Graph *compile_file(const char *path, const char *const *defs, int ndefs)
{
    return compile(src_file(path), defs, ndefs);
}

static uint32_t bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

/* ------------------------------------------------------------ ResNet-18 ABI */

START_TEST(resnet18_abi)
{
    Graph *g = compile_file("models/resnet18.gs", NULL, 0);
    ck_assert_int_eq(g->ntensors, 82);
    ck_assert_int_eq(g->nparams, 11694312);
    const char *names[82];
    int n = 0;
    names[n++] = "conv1.weight", names[n++] = "conv1.bias", names[n++] = "bn1.weight", names[n++] = "bn1.bias";
    static const char *const parts[] = {"conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias",
                                        "conv2.weight", "conv2.bias", "bn2.weight", "bn2.bias",
                                        "downsample.0.weight", "downsample.0.bias", "downsample.1.weight",
                                        "downsample.1.bias"};
    for (int l = 1; l <= 4; l++)
        for (int b = 0; b < 2; b++)
            for (int k = 0; k < (l > 1 && b == 0 ? 12 : 8); k++)
                names[n++] = arena_printf("layer%d.%d.%s", l, b, parts[k]);
    names[n++] = "fc.weight", names[n++] = "fc.bias";
    ck_assert_int_eq(n, 82);
    int64_t off = 0;
    for (int i = 0; i < 82; i++) {
        ck_assert_str_eq(g->tensors[i].name, names[i]);
        ck_assert_int_eq(g->tensors[i].offset, off);
        off += g->tensors[i].count;
    }
    ck_assert_int_eq(off, 11694312);
    /* spot shapes */
    const Tensor *t = &g->tensors[0];
    ck_assert_int_eq(t->shape.rank, 4);
    ck_assert_int_eq(t->shape.n[0], 64);
    ck_assert_int_eq(t->shape.n[1], 3);
    ck_assert_int_eq(t->shape.n[2], 7);
    t = &g->tensors[80];
    ck_assert_str_eq(t->name, "fc.weight");
    ck_assert_int_eq(t->shape.n[0], 1000);
    ck_assert_int_eq(t->shape.n[1], 512);
    /* the projection conv of layer2 is 1x1, 64 -> 128 */
    t = &g->tensors[4 + 8 + 8 + 8];
    ck_assert_str_eq(t->name, "layer2.0.downsample.0.weight");
    ck_assert_int_eq(t->shape.n[0], 128);
    ck_assert_int_eq(t->shape.n[1], 64);
    ck_assert_int_eq(t->shape.n[2], 1);
}
END_TEST

START_TEST(resnet18_shapes_follow_defines)
{
    const char *defs[] = {"H=64", "W=31", "classes=10", "in_c=1"};
    Graph *g = compile_file("models/resnet18.gs", defs, 4);
    const Shape *in = &g->values[g->input].shape;
    ck_assert_int_eq(in->n[0], 1);
    ck_assert_int_eq(in->n[1], 64);
    ck_assert_int_eq(in->n[2], 31);
    ck_assert_int_eq(g->values[g->output].shape.n[0], 10);
    ck_assert_int_eq(g->tensors[0].shape.n[1], 1);
    /* the stem output is down2(64) x down2(31) = 32 x 16 */
    const Shape *stem = &g->values[g->nodes[0].out].shape;
    ck_assert_int_eq(stem->n[1], 32);
    ck_assert_int_eq(stem->n[2], 16);
}
END_TEST

START_TEST(resnet18_shares_block_inputs)
{
    Graph *g = compile_file("models/resnet18.gs", NULL, 0);
    /* Each block input feeds the main path and the skip: computed once,
     * used twice. 8 blocks -> 8 values with two uses (the maxpool output
     * and each block's result). */
    int twice = 0;
    for (int v = 0; v < g->nvalues; v++)
        twice += g->values[v].nuses == 2;
    ck_assert_int_eq(twice, 8);
    int convs = 0;
    for (int i = 0; i < g->nnodes; i++)
        convs += g->nodes[i].op == OP_CONV2D;
    ck_assert_int_eq(convs, 20);
}
END_TEST

/* The checker's window rule (a shape expression, check.c) and the kernels'
 * gsc_out_size (gsc_runtime.h) are one rule written twice: they must agree
 * wherever the padded input covers the window. */
START_TEST(window_rule_matches_runtime)
{
    for (int k = 1; k <= 5; k++)
        for (int s = 1; s <= 3; s++)
            for (int p = 0; p <= 2; p++) {
                if (1 + 2 * p < k)
                    continue; /* the width of 1 does not cover the window */
                int lo = k - 2 * p > 1 ? k - 2 * p : 1;
                char *m = arena_printf("model t(x: [1, H, 1]) -> [1, (H + 2*%d - %d) / %d + 1, (1 + 2*%d - %d) / %d + 1]\n"
                                       "      where H >= %d default H = %d {\n"
                                       "    return avgpool2d(x, k=%d, stride=%d, pad=%d)\n}\n",
                                       p, k, s, p, k, s, lo, lo, k, s, p);
                Graph *g = compile(src_text(m), NULL, 0);
                const Dim *oh = g->values[g->output].shape.d[1]; /* over H, the only symbol */
                for (int64_t h = lo; h < lo + 40; h++) {
                    bool ovf = false;
                    int64_t got = dim_eval(oh, &h, &ovf);
                    ck_assert(!ovf);
                    ck_assert_msg(got == gsc_out_size((int)h, k, s, p), "h %lld k %d stride %d pad %d: %lld, runtime %d",
                                  (long long)h, k, s, p, (long long)got, gsc_out_size((int)h, k, s, p));
                }
            }
}
END_TEST

/* ------------------------------------------------------------ initialiser */

START_TEST(seed_initialiser_known_values)
{
    Graph *g = compile_file("models/resnet18.gs", NULL, 0);
    float *p = xmalloc(sizeof(float) * (size_t)g->nparams);
    init_params(g, p);
    ck_assert_uint_eq(bits(p[0]), 0xbd58368fu);
    ck_assert_uint_eq(bits(p[1]), 0xbd3565e3u);
    ck_assert_uint_eq(bits(p[2]), 0x3d82e18bu);
    const float *fc = p + g->tensors[80].offset;
    ck_assert_float_eq_tol(fc[0], -0.0465855673f, 1e-9);
    ck_assert_float_eq_tol(fc[1], 0.00697362423f, 1e-9);
    ck_assert_float_eq_tol(fc[2], 0.019239109f, 1e-9);
    /* biases 0, BN gamma 1 and beta 0 */
    ck_assert_float_eq(p[g->tensors[1].offset], 0.0f);
    ck_assert_float_eq(p[g->tensors[2].offset + 63], 1.0f);
    ck_assert_float_eq(p[g->tensors[3].offset], 0.0f);
    /* every weight in [-0.1, 0.1) */
    for (int64_t i = 0; i < g->tensors[80].count; i++)
        ck_assert(fc[i] >= -0.1f && fc[i] < 0.1f);
    free(p);
}
END_TEST

/* ------------------------------------------------------------ interpreter */

static float *run(const char *text, const float *params, const float *x, Graph **out)
{
    Graph *g = compile(src_text(text), NULL, 0);
    *out = g;
    return eval_graph(g, params, x, false, false);
}

static void expect(const float *got, const float *want, int n, double tol)
{
    for (int i = 0; i < n; i++)
        ck_assert_msg(fabs((double)got[i] - want[i]) <= tol, "element %d: got %.9g, want %.9g", i, got[i], want[i]);
}

START_TEST(eval_conv_stride_and_padding)
{
    const char *m = "model t(x: [1, 3, 3]) -> [1, 2, 2] {\n"
                    "    c = conv2d(1 -> 1, k=3, stride=2, pad=1)\n"
                    "    return c(x)\n}\n";
    float params[10] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 0.5f};
    float x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    Graph *g;
    float *y = run(m, params, x, &g);
    float want[4] = {12.5f, 16.5f, 24.5f, 28.5f};
    expect(y, want, 4, 0);
}
END_TEST

START_TEST(eval_conv_cross_correlation)
{
    /* No kernel flip: a kernel with a single 1 at (0, 0) picks the cell up
     * and to the left of the centre. */
    const char *m = "model t(x: [1, 3, 3]) -> [1, 3, 3] {\n"
                    "    c = conv2d(1 -> 1, k=3, stride=1, pad=1)\n"
                    "    return c(x)\n}\n";
    float params[10] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    float x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    Graph *g;
    float *y = run(m, params, x, &g);
    float want[9] = {0, 0, 0, 0, 1, 2, 0, 4, 5};
    expect(y, want, 9, 0);
}
END_TEST

START_TEST(eval_batchnorm_constant_channel)
{
    const char *m = "model t(x: [2, 1, 2]) -> [2, 1, 2] {\n"
                    "    bn = batchnorm(2)\n"
                    "    return bn(x)\n}\n";
    float params[4] = {2, 2, 0.5f, -1};
    float x[4] = {3, 3, 1, 3};
    Graph *g;
    float *y = run(m, params, x, &g);
    double s = 1.0 / sqrt(1.0 + 1e-6); /* var 1, eps 1e-6 */
    float want[4] = {0.5f, 0.5f, (float)(-2 * s - 1), (float)(2 * s - 1)};
    expect(y, want, 4, 1e-7);
}
END_TEST

START_TEST(eval_maxpool_padding_and_negatives)
{
    const char *m = "model t(x: [1, 2, 2]) -> [1, 2, 2] {\n"
                    "    return maxpool2d(x, k=2, stride=2, pad=1)\n}\n";
    float x[4] = {-5, -3, -4, -6};
    Graph *g;
    float *y = run(m, NULL, x, &g);
    float want[4] = {-5, -3, -4, -6}; /* padded cells never win */
    expect(y, want, 4, 0);
    const char *m2 = "model t(x: [1, 2, 2]) -> [1, 1, 1] {\n"
                     "    return maxpool2d(x, k=2)\n}\n";
    y = run(m2, NULL, x, &g);
    ck_assert_float_eq(y[0], -3.0f);
}
END_TEST

START_TEST(eval_pools_linear_add_concat)
{
    const char *m = "model t(x: [2, 1, 2]) -> [2] {\n"
                    "    return global_avgpool(x)\n}\n";
    float x[4] = {1, 3, 5, 7};
    Graph *g;
    float *y = run(m, NULL, x, &g);
    float want[2] = {2, 6};
    expect(y, want, 2, 0);

    const char *lin = "model t(x: [3]) -> [2] {\n"
                      "    fc = linear(3 -> 2)\n"
                      "    return fc(x)\n}\n";
    float params[8] = {1, 2, 3, 4, 5, 6, 1, -1};
    float v[3] = {1, 1, 2};
    y = run(lin, params, v, &g);
    float want2[2] = {10, 20};
    expect(y, want2, 2, 0);

    const char *add = "model t(x: [4]) -> [8] {\n"
                      "    let r = relu(x)\n"
                      "    return concat(x + r, r)\n}\n";
    float a[4] = {-1, 2, -3, 4};
    y = run(add, NULL, a, &g);
    float want3[8] = {-1, 4, -3, 8, 0, 2, 0, 4};
    expect(y, want3, 8, 0);

    const char *avg1 = "model t(x: [1, 1, 1]) -> [1, 1, 1] {\n"
                       "    return avgpool2d(x, k=3, stride=1, pad=1)\n}\n";
    float one[1] = {9};
    y = run(avg1, NULL, one, &g);
    ck_assert_float_eq(y[0], 1.0f); /* 9 / (3 * 3): padding counts */
}
END_TEST

/* More operands than a fixed array would hold (the interpreter once had room
 * for 64): operand i is (i + 1) * x, so the order is checked too. */
START_TEST(eval_concat_many_operands)
{
    enum { N = 100 };
    Buf b = {0};
    buf_printf(&b, "model t(x: [2]) -> [%d] {\n    let v0 = x\n", 2 * N);
    for (int i = 1; i < N; i++)
        buf_printf(&b, "    let v%d = v%d + x\n", i, i - 1);
    buf_puts(&b, "    return concat(");
    for (int i = 0; i < N; i++)
        buf_printf(&b, "%sv%d", i ? ", " : "", i);
    buf_puts(&b, ")\n}\n");
    float x[2] = {-1, 0.5f};
    Graph *g;
    float *y = run(b.s, NULL, x, &g);
    float want[2 * N];
    for (int i = 0; i < N; i++) {
        want[2 * i] = (float)(i + 1) * x[0];
        want[2 * i + 1] = (float)(i + 1) * x[1];
    }
    expect(y, want, 2 * N, 0);
    free(y);
}
END_TEST

START_TEST(eval_softmax)
{
    const char *m = "model t(x: [3]) -> [3] {\n    return softmax(x)\n}\n";
    float x[3] = {1000, 1000, 1000};
    Graph *g;
    float *y = run(m, NULL, x, &g);
    for (int i = 0; i < 3; i++)
        ck_assert_float_eq_tol(y[i], 1.0f / 3, 1e-7);
}
END_TEST

/* ResNet-18 at 64x64, seed weights, input ((i * 37) % 101) / 50 - 1: the
 * first outputs and the argmax as computed by the independent numpy
 * implementation (tests/ref/seed_resnet18.py). */
START_TEST(eval_resnet18_is_stable)
{
    const char *defs[] = {"H=64", "W=64"};
    Graph *g = compile_file("models/resnet18.gs", defs, 2);
    float *p = xmalloc(sizeof(float) * (size_t)g->nparams);
    init_params(g, p);
    int n = 3 * 64 * 64;
    float *x = xmalloc(sizeof(float) * (size_t)n);
    for (int i = 0; i < n; i++)
        x[i] = (float)((i * 37 % 101) / 50.0 - 1);
    float *y = eval_graph(g, p, x, false, false);
    const double want[4] = {0.13235856592655182, 0.3754170536994934, 0.38764774799346924, 0.22255322337150574};
    for (int i = 0; i < 4; i++)
        ck_assert_msg(fabs(y[i] - want[i]) <= 1e-5 * 4.3632, "output %d: %.9g, want %.9g", i, y[i], want[i]);
    int arg = 0;
    for (int i = 1; i < 1000; i++)
        if (y[i] > y[arg])
            arg = i;
    ck_assert_int_eq(arg, 195);
    ck_assert_float_eq_tol(y[195], 3.123561382293701, 1e-4);
    free(p);
    free(x);
    free(y);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model");
    TCase *abi = tcase_create("abi");
    tcase_set_timeout(abi, 60);
    tcase_add_test(abi, resnet18_abi);
    tcase_add_test(abi, resnet18_shapes_follow_defines);
    tcase_add_test(abi, resnet18_shares_block_inputs);
    tcase_add_test(abi, window_rule_matches_runtime);
    tcase_add_test(abi, seed_initialiser_known_values);
    suite_add_tcase(s, abi);
    TCase *ev = tcase_create("interpreter");
    tcase_set_timeout(ev, 60);
    tcase_add_test(ev, eval_conv_stride_and_padding);
    tcase_add_test(ev, eval_conv_cross_correlation);
    tcase_add_test(ev, eval_batchnorm_constant_channel);
    tcase_add_test(ev, eval_maxpool_padding_and_negatives);
    tcase_add_test(ev, eval_pools_linear_add_concat);
    tcase_add_test(ev, eval_concat_many_operands);
    tcase_add_test(ev, eval_softmax);
    tcase_add_test(ev, eval_resnet18_is_stable);
    suite_add_tcase(s, ev);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
