/*
 * eval.c - the reference interpreter: the oracle.
 *
 * Requires: a specialised Graph (spec.c). Runs it on one input with plain
 * loops that follow docs/semantics.md line by line, accumulating in
 * double. Nothing clever: no fusion, no layout changes, no reuse of memory
 * beyond freeing a value after its last use. The generated C and every
 * optimisation are tested against this file, so it must stay obviously right.
 *
 * Values are held in double. With float32 precision (the language's
 * semantics) every result is rounded to float as it is stored, which gives
 * bit for bit what float storage gives; with float64 nothing is rounded, so
 * comparing the two measures how much float32 rounding moves a model's
 * output (how ill-conditioned it is at this input and these weights).
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "gsc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Operands and result of one operation. */
typedef struct {
    const GNode *n;
    const double *const *in; /* operand data */
    const Shape *const *ins; /* operand shapes */
    const Shape *os;        /* result shape */
    double *out;
    const float *w, *b;     /* parameters, or NULL */
    bool f64;               /* keep double results (else round to float) */
} Step;

/* Stores result i: rounded to float32 unless evaluating in float64. */
static void put(const Step *st, int64_t i, double v)
{
    st->out[i] = st->f64 ? v : (double)(float)v;
}

/* Input cell (c, y, x) with zero padding outside. */
static double at_padded(const double *x, const Shape *s, int64_t c, int64_t y, int64_t xx)
{
    if (y < 0 || xx < 0 || y >= s->n[1] || xx >= s->n[2])
        return 0.0;
    return x[(c * s->n[1] + y) * s->n[2] + xx];
}

static void eval_CONV2D(const Step *st)
{
    const Shape *is = st->ins[0], *os = st->os;
    int64_t cin = is->n[0], k = st->n->a[2], s = st->n->a[3], p = st->n->a[4];
    for (int64_t co = 0; co < os->n[0]; co++)
        for (int64_t oy = 0; oy < os->n[1]; oy++)
            for (int64_t ox = 0; ox < os->n[2]; ox++) {
                double acc = 0.0;
                for (int64_t ci = 0; ci < cin; ci++)
                    for (int64_t ky = 0; ky < k; ky++)
                        for (int64_t kx = 0; kx < k; kx++)
                            acc += at_padded(st->in[0], is, ci, oy * s + ky - p, ox * s + kx - p) *
                                   st->w[((co * cin + ci) * k + ky) * k + kx];
                put(st, (co * os->n[1] + oy) * os->n[2] + ox, acc + st->b[co]);
            }
}

/* Train-time batch normalisation: statistics of this input, per channel. */
static void eval_BATCHNORM(const Step *st)
{
    const Shape *s = st->os;
    int64_t hw = s->n[1] * s->n[2];
    for (int64_t c = 0; c < s->n[0]; c++) {
        const double *x = st->in[0] + c * hw;
        double sum = 0.0, sq = 0.0;
        for (int64_t i = 0; i < hw; i++)
            sum += x[i];
        double mean = sum / (double)hw;
        for (int64_t i = 0; i < hw; i++)
            sq += (x[i] - mean) * (x[i] - mean);
        double var = sq / (double)hw;
        if (var < 0)
            var = 0;
        double inv = 1.0 / sqrt(var + GSC_BN_EPS);
        for (int64_t i = 0; i < hw; i++)
            put(st, c * hw + i, (x[i] - mean) * inv * st->w[c] + st->b[c]);
    }
}

static void eval_LINEAR(const Step *st)
{
    int64_t in = st->ins[0]->n[0], out = st->os->n[0];
    for (int64_t o = 0; o < out; o++) {
        double acc = 0.0;
        for (int64_t i = 0; i < in; i++)
            acc += (double)st->w[o * in + i] * st->in[0][i];
        put(st, o, acc + st->b[o]);
    }
}

static void eval_RELU(const Step *st)
{
    int64_t n = shape_count(st->os);
    for (int64_t i = 0; i < n; i++)
        st->out[i] = st->in[0][i] > 0 ? st->in[0][i] : 0.0;
}

/* Max over the in-bounds cells of each window; ties keep the first in
 * row-major order; a window with no in-bounds cell gives 0. */
static void eval_MAXPOOL2D(const Step *st)
{
    const Shape *is = st->ins[0], *os = st->os;
    int64_t k = st->n->a[0], s = st->n->a[1], p = st->n->a[2];
    for (int64_t c = 0; c < os->n[0]; c++)
        for (int64_t oy = 0; oy < os->n[1]; oy++)
            for (int64_t ox = 0; ox < os->n[2]; ox++) {
                bool any = false;
                double best = 0.0;
                for (int64_t ky = 0; ky < k; ky++)
                    for (int64_t kx = 0; kx < k; kx++) {
                        int64_t y = oy * s + ky - p, x = ox * s + kx - p;
                        if (y < 0 || x < 0 || y >= is->n[1] || x >= is->n[2])
                            continue;
                        double v = st->in[0][(c * is->n[1] + y) * is->n[2] + x];
                        if (!any || v > best)
                            best = v;
                        any = true;
                    }
                st->out[(c * os->n[1] + oy) * os->n[2] + ox] = best;
            }
}

/* Sum of the window (padding counts as 0) divided by k*k. */
static void eval_AVGPOOL2D(const Step *st)
{
    const Shape *is = st->ins[0], *os = st->os;
    int64_t k = st->n->a[0], s = st->n->a[1], p = st->n->a[2];
    for (int64_t c = 0; c < os->n[0]; c++)
        for (int64_t oy = 0; oy < os->n[1]; oy++)
            for (int64_t ox = 0; ox < os->n[2]; ox++) {
                double acc = 0.0;
                for (int64_t ky = 0; ky < k; ky++)
                    for (int64_t kx = 0; kx < k; kx++)
                        acc += at_padded(st->in[0], is, c, oy * s + ky - p, ox * s + kx - p);
                put(st, (c * os->n[1] + oy) * os->n[2] + ox, acc / (double)(k * k));
            }
}

static void eval_GLOBAL_AVGPOOL(const Step *st)
{
    const Shape *is = st->ins[0];
    int64_t hw = is->n[1] * is->n[2];
    for (int64_t c = 0; c < is->n[0]; c++) {
        double acc = 0.0;
        for (int64_t i = 0; i < hw; i++)
            acc += st->in[0][c * hw + i];
        put(st, c, acc / (double)hw);
    }
}

static void eval_ADD(const Step *st)
{
    int64_t n = shape_count(st->os);
    for (int64_t i = 0; i < n; i++)
        put(st, i, st->in[0][i] + st->in[1][i]);
}

/* Joins along the first dimension: the operands one after the other. */
static void eval_CONCAT(const Step *st)
{
    double *o = st->out;
    for (int i = 0; i < st->n->nin; i++) {
        int64_t n = shape_count(st->ins[i]);
        memcpy(o, st->in[i], sizeof(double) * (size_t)n);
        o += n;
    }
}

static void eval_FLATTEN(const Step *st)
{
    memcpy(st->out, st->in[0], sizeof(double) * (size_t)shape_count(st->os));
}

static void eval_SOFTMAX(const Step *st)
{
    int64_t n = st->os->n[0];
    double mx = -INFINITY, sum = 0.0;
    for (int64_t i = 0; i < n; i++)
        if (st->in[0][i] > mx)
            mx = st->in[0][i];
    for (int64_t i = 0; i < n; i++)
        sum += exp(st->in[0][i] - mx);
    for (int64_t i = 0; i < n; i++)
        put(st, i, exp(st->in[0][i] - mx) / sum);
}

typedef void (*EvalFn)(const Step *);
static const EvalFn eval_fns[OP__COUNT] = {
#define X(id, name, mi, ma, np, sig) [OP_##id] = eval_##id,
#include "ops.h"
#undef X
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Fills params with the seed's deterministic initialiser: uniform weights
 * seeded with the tensor's ABI index, biases 0, BN gamma 1. */
void init_params(const Graph *g, float *params)
{
    for (int i = 0; i < g->ntensors; i++) {
        const Tensor *t = &g->tensors[i];
        float *p = params + t->offset;
        switch (t->init) {
        case INIT_UNIFORM:
            gsc_init_uniform(p, t->count, (uint32_t)i);
            break;
        case INIT_ZERO:
            gsc_init_fill(p, t->count, 0.0f);
            break;
        case INIT_ONE:
            gsc_init_fill(p, t->count, 1.0f);
            break;
        }
    }
}

float *eval_graph(const Graph *g, const float *params, const float *input, bool f64, bool progress)
{
    double **data = xcalloc((size_t)g->nvalues, sizeof(double *));
    int *left = xcalloc((size_t)g->nvalues, sizeof(int));
    for (int i = 0; i < g->nnodes; i++)
        for (int k = 0; k < g->nodes[i].nin; k++)
            left[g->nodes[i].in[k]]++;
    int64_t nin = shape_count(&g->values[g->input].shape);
    data[g->input] = xmalloc(sizeof(double) * (size_t)nin);
    for (int64_t i = 0; i < nin; i++)
        data[g->input][i] = input[i];
    double t0 = now(), last = t0;
    for (int i = 0; i < g->nnodes; i++) {
        const GNode *n = &g->nodes[i];
        const double **in = xcalloc((size_t)n->nin, sizeof *in); /* [nin]: concat takes any number */
        const Shape **ins = xcalloc((size_t)n->nin, sizeof *ins);
        for (int k = 0; k < n->nin; k++) {
            in[k] = data[n->in[k]];
            ins[k] = &g->values[n->in[k]].shape;
        }
        const Shape *os = &g->values[n->out].shape;
        Step st = {n, in, ins, os, xmalloc(sizeof(double) * (size_t)shape_count(os)), NULL, NULL, f64};
        if (n->param >= 0) {
            st.w = params + g->tensors[n->param].offset;
            st.b = params + g->tensors[n->param + 1].offset;
        }
        eval_fns[n->op](&st);
        free(in);
        free(ins);
        data[n->out] = st.out;
        for (int k = 0; k < n->nin; k++)
            if (--left[n->in[k]] == 0 && n->in[k] != g->input && n->in[k] != g->output) {
                free(data[n->in[k]]);
                data[n->in[k]] = NULL;
            }
        if (progress && now() - last > 0.2) {
            last = now();
            fprintf(stderr, "\r\033[Kgsc: eval %d/%d %s", i + 1, g->nnodes, n->name);
        }
    }
    if (progress)
        fprintf(stderr, "\r\033[Kgsc: eval %d operations in %.3f s\n", g->nnodes, now() - t0);
    int64_t nout = shape_count(&g->values[g->output].shape);
    float *out = xmalloc(sizeof(float) * (size_t)nout);
    for (int64_t i = 0; i < nout; i++)
        out[i] = (float)data[g->output][i];
    free(data[g->output]);
    if (g->output != g->input)
        free(data[g->input]);
    free(data);
    free(left);
    return out;
}
