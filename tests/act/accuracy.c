/*
 * accuracy.c - the fast activations (gsc_fast_act: vector exp, tanh, erf)
 * against double-precision libm over a dense sweep: every float of
 * 4M points log spaced from 1e-30 to 1 (both signs: near 0), 3M on a uniform
 * grid of [-30, 30], 400k in the tails out to +-100. For each activation it
 * prints the largest relative error where |act(x)| >= 1e-6, the largest in
 * the tails (1e-30 <= |act(x)| < 1e-6), and the largest absolute error; it
 * judges the relative error over the condition number max(1, |x f'/f|)
 * wherever |act(x)| >= 1e-30 (no float evaluation can do better than the
 * function's own sensitivity to a rounding of x: gelu_tanh's is 26 at
 * x = -4.4) against the limit given on the command line. clip and
 * leaky_relu (gsc_fast_act_param, with their arguments) are swept the same
 * way, and on a blocked tensor whose padding lanes must stay 0.
 *
 *   accuracy LIMIT     e.g. accuracy 1e-6
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "gsc_fast.h"
#include "gsc_runtime.h"

static double ref_param(int act, double a, double b, double x)
{
    double t;
    switch (act) {
    case GSC_ACT_CLIP:
        return x < a ? a : x > b ? b : x;
    case GSC_ACT_LEAKY_RELU:
        return x > 0.0 ? x : a * x;
    case GSC_ACT_RELU6:
        return x < 0.0 ? 0.0 : x > 6.0 ? 6.0 : x;
    case GSC_ACT_SIGMOID:
        return 1.0 / (1.0 + exp(-x));
    case GSC_ACT_TANH:
        return tanh(x);
    case GSC_ACT_SILU:
        return x / (1.0 + exp(-x));
    case GSC_ACT_GELU:
        return 0.5 * x * erfc(-x / sqrt(2.0));
    case GSC_ACT_GELU_TANH:
        t = sqrt(2.0 / 3.14159265358979323846) * (x + 0.044715 * x * x * x);
        return x / (1.0 + exp(-2.0 * t)); /* x (1 + tanh t) / 2 without the cancellation */
    case GSC_ACT_HARDSWISH:
        t = x + 3.0;
        return x * (t < 0.0 ? 0.0 : t > 6.0 ? 6.0 : t) / 6.0;
    case GSC_ACT_HARDSIGMOID:
        t = x + 3.0;
        return (t < 0.0 ? 0.0 : t > 6.0 ? 6.0 : t) / 6.0;
    default:
        return x > 0.0 ? x : 0.0;
    }
}

int main(int argc, char **argv)
{
    static const struct { int act; const char *name; float a, b; } acts[] = {
        {GSC_ACT_RELU6, "relu6", 0, 0}, {GSC_ACT_SIGMOID, "sigmoid", 0, 0}, {GSC_ACT_TANH, "tanh", 0, 0},
        {GSC_ACT_SILU, "silu", 0, 0}, {GSC_ACT_GELU, "gelu", 0, 0}, {GSC_ACT_GELU_TANH, "gelu_tanh", 0, 0},
        {GSC_ACT_HARDSWISH, "hardswish", 0, 0}, {GSC_ACT_HARDSIGMOID, "hardsigmoid", 0, 0},
        {GSC_ACT_CLIP, "clip", -0.5f, 0.75f}, {GSC_ACT_LEAKY_RELU, "leaky_relu", 0.01f, 0},
    };
    double limit = argc > 1 ? atof(argv[1]) : 1e-6;
    int64_t n = 0, cap = 8 << 20, i;
    float *x = malloc(sizeof(float) * (size_t)cap), *y = malloc(sizeof(float) * (size_t)cap);
    int fails = 0;
    size_t a;
    if (!x || !y)
        return 2;
    for (i = 0; i < 2000000; i++) { /* 1e-30 .. 1, log spaced, both signs */
        float v = (float)pow(10.0, -30.0 + 30.0 * (double)i / 2000000.0);
        x[n++] = v;
        x[n++] = -v;
    }
    for (i = 0; i <= 3000000; i++) /* [-30, 30] */
        x[n++] = (float)(-30.0 + 60.0 * (double)i / 3000000.0);
    for (i = 0; i <= 200000; i++) { /* the tails */
        x[n++] = (float)(30.0 + 70.0 * (double)i / 200000.0);
        x[n++] = -(float)(30.0 + 70.0 * (double)i / 200000.0);
    }
    printf("%s path, %lld points\n", gsc_fast_isa(), (long long)n);
    for (a = 0; a < sizeof acts / sizeof acts[0]; a++) {
        double maxrel = 0.0, maxscaled = 0.0, tailrel = 0.0, maxabs = 0.0, relx = 0.0;
        int act = acts[a].act;
        double pa = acts[a].a, pb = acts[a].b;
        if (act == GSC_ACT_CLIP || act == GSC_ACT_LEAKY_RELU)
            gsc_fast_act_param(x, n, 0, act, acts[a].a, acts[a].b, y);
        else
            gsc_fast_act(x, n, act, y);
        for (i = 0; i < n; i++) {
            double r = ref_param(act, pa, pb, x[i]), e = fabs((double)y[i] - r), cond = 1.0, rel;
            if (e > maxabs)
                maxabs = e;
            if (fabs(r) >= 1e-30 && x[i] != 0.0f) { /* |x f'(x) / f(x)|, a central difference */
                double h = 1e-7 * fabs((double)x[i]);
                double d = (ref_param(act, pa, pb, x[i] + h) - ref_param(act, pa, pb, x[i] - h)) / (2.0 * h);
                cond = fabs(x[i] * d / r);
                if (cond < 1.0)
                    cond = 1.0;
            }
            rel = fabs(r) > 0.0 ? e / fabs(r) : 0.0;
            if (fabs(r) >= 1e-6 && rel > maxrel) {
                maxrel = rel;
                relx = x[i];
            }
            if (fabs(r) >= 1e-30 && rel / cond > maxscaled)
                maxscaled = rel / cond;
            if (fabs(r) >= 1e-30 && fabs(r) < 1e-6 && rel > tailrel)
                tailrel = rel;
        }
        printf("  %-12s relative error %.3g (at x = %.9g), in the tails %.3g; over the condition number %.3g;"
               " absolute %.3g%s\n",
               acts[a].name, maxrel, relx, tailrel, maxscaled, maxabs, maxscaled > limit ? "  FAIL" : "");
        fails += maxscaled > limit;
    }
    { /* a blocked [20, 3, 5] tensor: clip(0) = 0.25, the padding lanes of channels 20..31 stay 0 */
        int bad = 0;
        int64_t nb = GSC_FAST_ACT_FLOATS(20, 3, 5);
        for (i = 0; i < nb; i++)
            x[i] = (i / 16) >= 15 && i % 16 >= 4 ? 0.0f : (float)((i % 7) - 3);
        gsc_fast_act_param(x, nb, 20, GSC_ACT_CLIP, 0.25f, 2.0f, y);
        for (i = 0; i < nb; i++)
            bad += y[i] != ((i / 16) >= 15 && i % 16 >= 4 ? 0.0f : (float)ref_param(GSC_ACT_CLIP, 0.25, 2.0, x[i]));
        printf("  clip on a blocked [20, 3, 5]: %d wrong values (padding lanes 0)%s\n", bad, bad ? "  FAIL" : "");
        fails += bad != 0;
    }
    free(x);
    free(y);
    return fails != 0;
}
