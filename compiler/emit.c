/*
 * emit.c - the C emitter.
 *
 * Requires: a specialised and planned Graph (spec.c, plan.c). Provides
 * NAME.c and NAME.h: straight-line C99 in which every size, stride and
 * offset is a literal, one commented section per operation in topological
 * order, no allocation, no mutable globals (forward is reentrant: each
 * thread brings its own workspace). Output depends only on the input file's
 * contents and the options: no dates, no directories.
 *
 * The API (P = prefix, PU = its capitals) is documented in docs/c-api.md:
 *   PU_INPUT_SIZE, PU_OUTPUT_SIZE, PU_NUM_TENSORS, PU_NUM_PARAMS,
 *   PU_PREPARED_SIZE, PU_WORKSPACE_BYTES, P_tensors[],
 *   P_init(params), P_prepare(params, prepared),
 *   P_forward(prepared, input, output, workspace).
 */
#include "gsc.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

typedef struct {
    const Graph *g;
    const char *p;  /* prefix */
    const char *pu; /* prefix in capitals */
    const char *src;
    const float *embedded;
    Buf *o;
} Emitter;

/* The C expression for a value's storage. */
static const char *ref(const Emitter *e, int v)
{
    const Value *val = &e->g->values[v];
    switch (val->loc) {
    case LOC_INPUT:
        return "input";
    case LOC_OUTPUT:
        return "output";
    default:
        return arena_printf("(ws + %lld)", (long long)(val->off / 4));
    }
}

static const char *param(const Emitter *e, const GNode *n, int k)
{
    return arena_printf("prepared + %lld", (long long)e->g->tensors[n->param + k].offset);
}

static const Shape *in_shape(const Emitter *e, const GNode *n, int k)
{
    return &e->g->values[n->in[k]].shape;
}

static const Shape *out_shape(const Emitter *e, const GNode *n)
{
    return &e->g->values[n->out].shape;
}

static long long N(int64_t v)
{
    return (long long)v;
}

/* ------------------------------------------------------------ per operation */

static void emit_CONV2D(Emitter *e, const GNode *n)
{
    const Shape *s = in_shape(e, n, 0);
    buf_printf(e->o, "    gsc_conv2d(%s, %lld, %lld, %lld, %s, %s, %lld, %lld, %lld, %lld, %s);\n", ref(e, n->in[0]),
               N(s->n[0]), N(s->n[1]), N(s->n[2]), param(e, n, 0), param(e, n, 1), N(n->a[1]), N(n->a[2]), N(n->a[3]),
               N(n->a[4]), ref(e, n->out));
}

static void emit_BATCHNORM(Emitter *e, const GNode *n)
{
    const Shape *s = in_shape(e, n, 0);
    buf_printf(e->o, "    gsc_batchnorm(%s, %lld, %lld, %s, %s, %s);\n", ref(e, n->in[0]), N(s->n[0]),
               N(s->n[1] * s->n[2]), param(e, n, 0), param(e, n, 1), ref(e, n->out));
}

static void emit_LINEAR(Emitter *e, const GNode *n)
{
    buf_printf(e->o, "    gsc_linear(%s, %lld, %s, %s, %lld, %s);\n", ref(e, n->in[0]), N(n->a[0]), param(e, n, 0),
               param(e, n, 1), N(n->a[1]), ref(e, n->out));
}

static void emit_RELU(Emitter *e, const GNode *n)
{
    buf_printf(e->o, "    gsc_relu(%s, %lld, %s);\n", ref(e, n->in[0]), N(shape_count(out_shape(e, n))),
               ref(e, n->out));
}

static void emit_pool(Emitter *e, const GNode *n, const char *fn)
{
    const Shape *s = in_shape(e, n, 0);
    buf_printf(e->o, "    %s(%s, %lld, %lld, %lld, %lld, %lld, %lld, %s);\n", fn, ref(e, n->in[0]), N(s->n[0]),
               N(s->n[1]), N(s->n[2]), N(n->a[0]), N(n->a[1]), N(n->a[2]), ref(e, n->out));
}

static void emit_MAXPOOL2D(Emitter *e, const GNode *n)
{
    emit_pool(e, n, "gsc_maxpool2d");
}

static void emit_AVGPOOL2D(Emitter *e, const GNode *n)
{
    emit_pool(e, n, "gsc_avgpool2d");
}

static void emit_GLOBAL_AVGPOOL(Emitter *e, const GNode *n)
{
    const Shape *s = in_shape(e, n, 0);
    buf_printf(e->o, "    gsc_global_avgpool(%s, %lld, %lld, %s);\n", ref(e, n->in[0]), N(s->n[0]),
               N(s->n[1] * s->n[2]), ref(e, n->out));
}

static void emit_ADD(Emitter *e, const GNode *n)
{
    buf_printf(e->o, "    gsc_add(%s, %s, %lld, %s);\n", ref(e, n->in[0]), ref(e, n->in[1]),
               N(shape_count(out_shape(e, n))), ref(e, n->out));
}

static void emit_CONCAT(Emitter *e, const GNode *n)
{
    int64_t at = 0;
    for (int k = 0; k < n->nin; k++) {
        int64_t cnt = shape_count(in_shape(e, n, k));
        buf_printf(e->o, "    memcpy(%s + %lld, %s, %lld * sizeof(float));\n", ref(e, n->out), N(at), ref(e, n->in[k]),
                   N(cnt));
        at += cnt;
    }
}

static void emit_FLATTEN(Emitter *e, const GNode *n)
{
    const char *x = ref(e, n->in[0]), *y = ref(e, n->out);
    if (!strcmp(x, y))
        buf_puts(e->o, "    /* a view: the data is already in place */\n");
    else
        buf_printf(e->o, "    memcpy(%s, %s, %lld * sizeof(float));\n", y, x, N(shape_count(out_shape(e, n))));
}

static void emit_SOFTMAX(Emitter *e, const GNode *n)
{
    buf_printf(e->o, "    gsc_softmax(%s, %lld, %s);\n", ref(e, n->in[0]), N(out_shape(e, n)->n[0]), ref(e, n->out));
}

typedef void (*EmitFn)(Emitter *, const GNode *);
static const EmitFn emit_fns[OP__COUNT] = {
#define X(id, name, mi, ma, np, sig) [OP_##id] = emit_##id,
#include "ops.h"
#undef X
};

/* ------------------------------------------------------------ the files */

static void shape_text(Buf *b, const Shape *s)
{
    buf_putc(b, '[');
    for (int i = 0; i < s->rank; i++)
        buf_printf(b, "%s%lld", i ? "," : "", N(s->n[i]));
    buf_putc(b, ']');
}

static void emit_section_comment(Emitter *e, const GNode *n)
{
    int line, col;
    span_linecol(n->span, &line, &col);
    buf_printf(e->o, "\n    /* %s (%s:%d): ", n->name, e->src, line);
    for (int k = 0; k < n->nin; k++) {
        if (k)
            buf_puts(e->o, " + ");
        shape_text(e->o, in_shape(e, n, k));
    }
    buf_puts(e->o, " -> ");
    shape_text(e->o, out_shape(e, n));
    buf_puts(e->o, " */\n");
}

static void emit_banner(Emitter *e)
{
    const Graph *g = e->g;
    buf_printf(e->o, "/*\n * Generated by gsc %s from %s (model %s). Do not edit; regenerate.\n *\n * Sizes:", GSC_VERSION,
               e->src, g->model->name);
    for (int i = 0; i < g->env.nsyms; i++)
        buf_printf(e->o, " %s=%lld", g->env.syms[i].name, N(g->symval[i]));
    buf_puts(e->o, "\n");
}

static void emit_header(Emitter *e, Buf *h)
{
    const Graph *g = e->g;
    Buf *save = e->o;
    e->o = h;
    emit_banner(e);
    buf_printf(h, " */\n#ifndef %s_H\n#define %s_H\n\n#include \"gsc_runtime.h\"\n\n", e->pu, e->pu);
    const Shape *is = &g->values[g->input].shape, *os = &g->values[g->output].shape;
    buf_printf(h, "#define %s_INPUT_SIZE %lld /* floats, ", e->pu, N(shape_count(is)));
    shape_text(h, is);
    buf_printf(h, " */\n#define %s_OUTPUT_SIZE %lld /* floats, ", e->pu, N(shape_count(os)));
    shape_text(h, os);
    buf_printf(h, " */\n#define %s_NUM_TENSORS %d\n", e->pu, g->ntensors);
    buf_printf(h, "#define %s_NUM_PARAMS %lld /* floats */\n", e->pu, N(g->nparams));
    buf_printf(h, "#define %s_PREPARED_SIZE %lld /* floats */\n", e->pu, N(g->nparams));
    buf_printf(h, "#define %s_WORKSPACE_BYTES %lld /* 64-byte aligned */\n", e->pu, N(g->workspace_bytes));
    if (e->embedded)
        buf_printf(h, "#define %s_EMBEDDED_WEIGHTS 1\n", e->pu);
    buf_putc(h, '\n');
    buf_printf(h, "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
    buf_printf(h, "/* The parameter tensors: name (PyTorch state_dict style), offset in floats, shape. */\n");
    buf_printf(h, "extern const GscTensorInfo %s_tensors[%s_NUM_TENSORS];\n\n", e->p, e->pu);
    if (e->embedded) {
        buf_printf(h, "/* The prepared weights, compiled in: pass them to %s_forward. */\n", e->p);
        buf_printf(h, "extern const float %s_weights[%s_PREPARED_SIZE];\n\n", e->p, e->pu);
    }
    buf_printf(h, "/* Fills params[%s_NUM_PARAMS] with the seed's deterministic initialiser. */\n", e->pu);
    buf_printf(h, "void %s_init(float *params);\n\n", e->p);
    buf_printf(h, "/* Once per set of weights: params[%s_NUM_PARAMS] -> prepared[%s_PREPARED_SIZE]. */\n", e->pu, e->pu);
    buf_printf(h, "void %s_prepare(const float *params, float *prepared);\n\n", e->p);
    buf_printf(h, "/* One forward pass. input[%s_INPUT_SIZE], output[%s_OUTPUT_SIZE], workspace of\n", e->pu, e->pu);
    buf_printf(h, " * %s_WORKSPACE_BYTES bytes, 64-byte aligned. Reentrant: threads may run it at once\n", e->pu);
    buf_printf(h, " * with their own workspaces. No allocation. */\n");
    buf_printf(h, "void %s_forward(const float *prepared, const float *input, float *output, void *workspace);\n\n",
               e->p);
    buf_printf(h, "#ifdef __cplusplus\n}\n#endif\n\n#endif\n");
    e->o = save;
}

static void emit_table(Emitter *e)
{
    const Graph *g = e->g;
    buf_printf(e->o, "const GscTensorInfo %s_tensors[%s_NUM_TENSORS] = {\n", e->p, e->pu);
    for (int i = 0; i < g->ntensors; i++) {
        const Tensor *t = &g->tensors[i];
        buf_printf(e->o, "    {\"%s\", %lld, %d, {", t->name, N(t->offset), t->shape.rank);
        for (int k = 0; k < 4; k++)
            buf_printf(e->o, "%s%lld", k ? ", " : "", N(k < t->shape.rank ? t->shape.n[k] : 0));
        buf_puts(e->o, "}},\n");
    }
    buf_puts(e->o, "};\n\n");
}

static void emit_init(Emitter *e)
{
    const Graph *g = e->g;
    buf_printf(e->o, "void %s_init(float *params)\n{\n", e->p);
    for (int i = 0; i < g->ntensors; i++) {
        const Tensor *t = &g->tensors[i];
        if (t->init == INIT_UNIFORM)
            buf_printf(e->o, "    gsc_init_uniform(params + %lld, %lld, %du); /* %s */\n", N(t->offset), N(t->count), i,
                       t->name);
        else
            buf_printf(e->o, "    gsc_init_fill(params + %lld, %lld, %s); /* %s */\n", N(t->offset), N(t->count),
                       t->init == INIT_ONE ? "1.0f" : "0.0f", t->name);
    }
    buf_puts(e->o, "}\n\n");
}

static void emit_forward(Emitter *e)
{
    const Graph *g = e->g;
    buf_printf(e->o, "void %s_prepare(const float *params, float *prepared)\n{\n", e->p);
    buf_printf(e->o, "    memcpy(prepared, params, sizeof(float) * %s_NUM_PARAMS);\n}\n\n", e->pu);
    buf_printf(e->o, "void %s_forward(const float *prepared, const float *input, float *output, void *workspace)\n{\n",
               e->p);
    buf_puts(e->o, "    float *ws = (float *)workspace;\n");
    buf_puts(e->o, "    (void)ws;\n    (void)prepared;\n");
    for (int i = 0; i < g->nnodes; i++) {
        emit_section_comment(e, &g->nodes[i]);
        emit_fns[g->nodes[i].op](e, &g->nodes[i]);
    }
    if (g->output == g->input)
        buf_printf(e->o, "    memcpy(output, input, sizeof(float) * %s_OUTPUT_SIZE);\n", e->pu);
    buf_puts(e->o, "}\n");
}

/* The prepared weights as a constant array (for flash); %a is exact. */
static void emit_weights(Emitter *e)
{
    const Graph *g = e->g;
    buf_printf(e->o, "const float %s_weights[%s_PREPARED_SIZE] = {\n", e->p, e->pu);
    for (int i = 0; i < g->ntensors; i++) {
        const Tensor *t = &g->tensors[i];
        buf_printf(e->o, "    /* %s */\n   ", t->name);
        for (int64_t k = 0; k < t->count; k++) {
            float v = e->embedded[t->offset + k];
            if (v == 0.0f && !signbit(v))
                buf_puts(e->o, " 0,");
            else
                buf_printf(e->o, " %af,", (double)v);
            if (k % 8 == 7 && k + 1 < t->count)
                buf_puts(e->o, "\n   ");
        }
        buf_puts(e->o, "\n");
    }
    buf_puts(e->o, "};\n\n");
}

void emit_c(const Graph *g, const EmitOptions *opt, Buf *c, Buf *h)
{
    char *pu = arena_printf("%s", opt->prefix);
    for (char *q = pu; *q; q++)
        *q = (char)toupper((unsigned char)*q);
    Emitter e = {g, opt->prefix, pu, opt->source_name, opt->embedded, c};
    const char *header_name = opt->header_name;
    emit_banner(&e);
    buf_printf(c, " * Workspace: %lld bytes. The largest total of live values at any point of this\n", N(g->workspace_bytes));
    buf_printf(c, " * operation order is %lld bytes (no plan can use less); every value in its own\n", N(g->workspace_bound));
    buf_printf(c, " * buffer would take %lld bytes.\n */\n", N(g->workspace_naive));
    buf_printf(c, "#include \"%s\"\n\n#include <string.h>\n\n", header_name);
    emit_table(&e);
    if (e.embedded)
        emit_weights(&e);
    emit_init(&e);
    emit_forward(&e);
    emit_header(&e, h);
}
