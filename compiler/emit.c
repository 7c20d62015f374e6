/*
 * emit.c - the C emitter.
 *
 * Requires: a specialised graph, lowered (lower.c) and planned (plan.c).
 * Provides NAME.c and NAME.h: straight-line C99 in which every size, stride
 * and offset is a literal, no allocation, no mutable globals (forward is
 * reentrant: each thread brings its own workspace). It prints the calls as
 * they are: every buffer is a named pointer declared once with its shape and
 * layout, every call a commented step that says which operations it does.
 * Output depends only on the input file's contents and the options: no
 * dates, no directories.
 *
 * The API (P = prefix, PU = its capitals) is documented in docs/c-api.md:
 *   PU_INPUT_SIZE, PU_OUTPUT_SIZE, PU_INPUT_/OUTPUT_RANK, _DIM0.., _SHAPE,
 *   PU_NUM_TENSORS, PU_NUM_PARAMS, PU_PREPARED_SIZE, PU_WORKSPACE_BYTES,
 *   P_tensors[],
 *   P_init(params), P_prepare(params, prepared),
 *   P_forward(prepared, input, output, workspace).
 * NAME.h stops the build with an #error when gsc_runtime.h is not the
 * runtime version gsc was built with (GSC_RUNTIME_VERSION_NUM).
 */
#include "gsc.h"
#include "gsc_fast.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

#define LINE_WIDTH 100

typedef struct {
    const Graph *g;
    const Lowered *L;
    const EmitOptions *opt;
    const char *p;  /* prefix */
    const char *pu; /* prefix in capitals */
    Buf *o;
    StrMap used;        /* C identifiers taken in NAME.c */
    const char **bufname;  /* per buffer of L */
    const char **prepname; /* per PrepStep */
    const char **geomname; /* per LGeom */
    const char **paramname; /* per tensor: its offset in params and grads (training) */
} Emitter;

static long long N(int64_t v)
{
    return (long long)v;
}

/* ------------------------------------------------------------ names */

static const char *const reserved[] = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern",
    "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return", "short", "signed",
    "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while", "main",
    "input", "output", "prepared", "params", "workspace", "ws", "memcpy", "memset", "NULL", "size_t",
    "grads", "label", "target", "loss", "int32_t", "int64_t",
};

/* Is name taken: at file scope, or in the function's own names? */
static bool taken(const Emitter *e, const StrMap *local, const char *name)
{
    return strmap_get(&e->used, name) || (local && strmap_get(local, name));
}

/* A C identifier for a dotted name, unused so far at file scope (and in
 * local, a function's names, when given; the name is added there, else at
 * file scope): layer1.0.conv1 -> layer1_0_conv1; a clash gets clash (if not
 * NULL), then _2, _3, ... */
static const char *c_name_in(Emitter *e, StrMap *local, const char *dotted, const char *suffix, const char *clash)
{
    Buf b = {0};
    for (const char *s = dotted; *s; s++)
        buf_putc(&b, isalnum((unsigned char)*s) ? *s : '_');
    buf_puts(&b, suffix);
    /* the runtime's names and C's reserved ones stay theirs */
    bool theirs = !strncmp(b.s, "gsc_", 4) || !strncmp(b.s, "GSC_", 4) || b.s[0] == '_' ||
                  isdigit((unsigned char)b.s[0]) || !strncmp(b.s, e->p, strlen(e->p)) ||
                  !strncmp(b.s, e->pu, strlen(e->pu));
    const char *base = theirs ? arena_printf("v_%s", b.s) : arena_printf("%s", b.s);
    if (clash && taken(e, local, base))
        base = arena_printf("%s%s", base, clash);
    const char *name = base;
    for (int k = 2; taken(e, local, name); k++)
        name = arena_printf("%s_%d", base, k);
    *strmap_put(local ? local : &e->used, name) = 1;
    buf_free(&b);
    return name;
}

static const char *c_name(Emitter *e, const char *dotted, const char *suffix)
{
    return c_name_in(e, NULL, dotted, suffix, NULL);
}

/* The buffers of one function: names unique within it and apart from the
 * file's names. */
static const char **name_buffers(Emitter *e, const Lowered *L)
{
    StrMap local = {0};
    const char **names = arena_alloc(sizeof(char *) * (size_t)(L->bufs.n + 1));
    for (int i = 0; i < L->bufs.n; i++) {
        const WBuf *w = L->bufs.v[i];
        names[i] = w->loc == LOC_INPUT    ? "input"
                   : w->loc == LOC_OUTPUT ? "output"
                   : w->loc == LOC_TARGET ? "target"
                                          : c_name_in(e, &local, w->name, "", NULL);
    }
    strmap_free(&local);
    return names;
}

static void name_everything(Emitter *e, const Lowered *T)
{
    const Lowered *L = e->L;
    for (int i = 0; i < countof(reserved); i++)
        *strmap_put(&e->used, reserved[i]) = 1;
    e->prepname = arena_alloc(sizeof(char *) * (size_t)(L->prep.n + 1));
    for (int i = 0; i < L->prep.n; i++)
        e->prepname[i] = c_name(e, ((const PrepStep *)L->prep.v[i])->name, "");
    e->geomname = arena_alloc(sizeof(char *) * (size_t)(L->geoms.n + 1));
    for (int i = 0; i < L->geoms.n; i++)
        e->geomname[i] = c_name(e, ((const LGeom *)L->geoms.v[i])->node->name, "_geom");
    if (T) {
        e->paramname = arena_alloc(sizeof(char *) * (size_t)(e->g->ntensors + 1));
        for (int i = 0; i < e->g->ntensors; i++)
            e->paramname[i] = c_name_in(e, NULL, e->g->tensors[i].name, "", "_param");
    }
    e->bufname = name_buffers(e, L); /* after every file-scope name */
}

/* ------------------------------------------------------------ text helpers */

static void shape_text(Buf *b, const Shape *s)
{
    buf_putc(b, '[');
    for (int i = 0; i < s->rank; i++)
        buf_printf(b, "%s%lld", i ? "," : "", N(s->n[i]));
    buf_putc(b, ']');
}

/* Appends "    text" to the output, broken after commas so that no line
 * passes LINE_WIDTH; continuation lines align after the first '('. */
static void put_wrapped(Emitter *e, const char *text)
{
    const char *open = strchr(text, '(');
    int indent = 4 + (open ? (int)(open - text) + 1 : 4);
    int col = 4;
    buf_puts(e->o, "    ");
    for (const char *s = text; *s;) {
        /* the next piece: up to and including the next ',' of ", " */
        const char *comma = strstr(s, ", ");
        int len = comma ? (int)(comma - s) + 1 : (int)strlen(s);
        if (s != text) {
            if (col + 1 + len > LINE_WIDTH) {
                buf_printf(e->o, "\n%*s", indent, "");
                col = indent;
            } else {
                buf_putc(e->o, ' ');
                col++;
            }
        }
        buf_printf(e->o, "%.*s", len, s);
        col += len;
        s += len;
        if (*s == ' ')
            s++;
    }
    buf_putc(e->o, '\n');
}

/* ------------------------------------------------------------ the header */

static void emit_banner(Emitter *e, Buf *o)
{
    const Graph *g = e->g;
    buf_printf(o, "/*\n * Generated by gsc %s from %s (model %s). Do not edit; regenerate.\n *\n * Sizes:", GSC_VERSION,
               e->opt->source_name, g->model->name);
    for (int i = 0; i < g->env.nsyms; i++)
        buf_printf(o, " %s=%lld", g->env.syms[i].name, N(g->symval[i]));
    buf_puts(o, "\n");
}

static void emit_grad_header(Emitter *e, const Lowered *T, Buf *h);

/* The runtime headers must be the version this header was generated for
 * (the runtime gsc was built with): a clear #error otherwise. */
static void emit_version_check(const Emitter *e, Buf *h)
{
    buf_printf(h, "/* Generated for the runtime %s: runtime/ of the same gsc. */\n", GSC_RUNTIME_VERSION);
    buf_printf(h, "#if !defined(GSC_RUNTIME_VERSION_NUM) || GSC_RUNTIME_VERSION_NUM != %d\n", GSC_RUNTIME_VERSION_NUM);
    buf_printf(h, "#error \"%s was generated for the gsc runtime %s (GSC_RUNTIME_VERSION_NUM %d), but gsc_runtime.h "
                  "is another version: vendor runtime/ from the gsc that generated it, or regenerate it with yours\"\n"
                  "#endif\n\n",
               e->opt->header_name, GSC_RUNTIME_VERSION, GSC_RUNTIME_VERSION_NUM);
}

/* PU_INPUT_RANK 3, PU_INPUT_DIM0 3, ..., PU_INPUT_SHAPE {3, 224, 224}. */
static void emit_shape_macros(const Emitter *e, Buf *h, const char *which, const Shape *s)
{
    buf_printf(h, "#define %s_%s_RANK %d\n", e->pu, which, s->rank);
    for (int i = 0; i < s->rank; i++)
        buf_printf(h, "#define %s_%s_DIM%d %lld\n", e->pu, which, i, N(s->n[i]));
    buf_printf(h, "#define %s_%s_SHAPE {", e->pu, which);
    for (int i = 0; i < s->rank; i++)
        buf_printf(h, "%s%lld", i ? ", " : "", N(s->n[i]));
    buf_puts(h, "}\n");
}

/* How trained weights get into params (the runtime's safetensors loader). */
static void emit_loader_comment(const Emitter *e, Buf *h)
{
    if (e->opt->weights_file)
        buf_printf(h, "/*\n * This model's weights are not compiled in (their prepared form is over gsc's\n"
                      " * --embed-limit): gsc wrote them to %s, beside this file. Load them\n"
                      " * into params as below, then %s_prepare(params, prepared).\n */\n",
                   e->opt->weights_file, e->p);
    buf_printf(h, "/*\n * Trained weights: a safetensors file with PyTorch state_dict names (a PyTorch .pt\n"
                  " * converts with tools/export_torch.py) loads into params[%s_NUM_PARAMS] with the\n"
                  " * loader of gsc_runtime.h (runtime/gsc_safetensors.c), checked by name and shape:\n *\n"
                  " *     GscStFile f;\n *     char err[512];\n"
                  " *     if (gsc_st_open(\"w.safetensors\", &f, err, sizeof err) != 0 ||\n"
                  " *         gsc_st_load_params(&f, %s_tensors, %s_NUM_TENSORS, params, err, sizeof err) != 0)\n"
                  " *         fail(err);      (err says why: not safetensors, a missing tensor, a wrong shape)\n"
                  " *     gsc_st_close(&f);   (safe after a failed open too)\n"
                  " */\n\n",
               e->pu, e->p, e->pu);
}

static void emit_header(Emitter *e, const Lowered *T, Buf *h)
{
    const Graph *g = e->g;
    const char *p = e->p, *pu = e->pu;
    emit_banner(e, h);
    buf_printf(h, " */\n#ifndef %s_H\n#define %s_H\n\n#include \"gsc_runtime.h\"\n\n", pu, pu);
    emit_version_check(e, h);
    const Shape *is = &g->values[g->input].shape, *os = &g->values[g->output].shape;
    buf_printf(h, "#define %s_INPUT_SIZE %lld /* floats, ", pu, N(shape_count(is)));
    shape_text(h, is);
    buf_printf(h, " */\n#define %s_OUTPUT_SIZE %lld /* floats, ", pu, N(shape_count(os)));
    shape_text(h, os);
    buf_printf(h, " */\n/* The shapes: rank, each dimension, and the dimensions as an initializer\n"
                  " * (int shape[%s_INPUT_RANK] = %s_INPUT_SHAPE;). Plain CHW, row-major. */\n", pu, pu);
    emit_shape_macros(e, h, "INPUT", is);
    emit_shape_macros(e, h, "OUTPUT", os);
    buf_printf(h, "#define %s_NUM_TENSORS %d\n", pu, g->ntensors);
    buf_printf(h, "#define %s_NUM_PARAMS %lld /* floats */\n", pu, N(g->nparams));
    buf_printf(h, "#define %s_PREPARED_SIZE %lld /* floats */\n", pu, N(e->L->prepared_floats));
    buf_printf(h, "#define %s_WORKSPACE_BYTES %lld\n", pu, N(e->L->workspace_bytes));
    if (T)
        buf_printf(h, "#define %s_TRAIN_WORKSPACE_BYTES %lld /* for %s_grad */\n", pu, N(T->workspace_bytes), p);
    if (e->opt->embedded)
        buf_printf(h, "#define %s_EMBEDDED_WEIGHTS 1\n", pu);
    buf_putc(h, '\n');
    buf_printf(h, "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
    buf_printf(h, "/* The parameter tensors: name (PyTorch state_dict style), offset in floats, shape%s. */\n",
               g->ntensors ? "" : " (none: one empty entry, as C has no empty arrays)");
    buf_printf(h, "extern const GscTensorInfo %s_tensors[%s];\n\n", p,
               g->ntensors ? arena_printf("%s_NUM_TENSORS", pu) : "1");
    if (e->opt->embedded) {
        buf_printf(h, "/* The prepared weights, compiled in: pass them to %s_forward. */\n", p);
        buf_printf(h, "extern const float %s_weights[%s_PREPARED_SIZE];\n\n", p, pu);
    }
    buf_printf(h, "/*\n * Buffers need only the alignment of float; 64-byte aligned ones (aligned_alloc(64, n))\n"
                  " * are the fastest. No two buffers passed to one call may overlap; in particular the\n"
                  " * output cannot be the input (there is no in-place forward pass).\n */\n\n");
    emit_loader_comment(e, h);
    buf_printf(h, "/* Fills params[%s_NUM_PARAMS] with the seed's deterministic initialiser. */\n", pu);
    buf_printf(h, "void %s_init(float *params);\n\n", p);
    buf_printf(h, "/* Once per set of weights: params[%s_NUM_PARAMS] -> prepared[%s_PREPARED_SIZE],\n", pu, pu);
    buf_printf(h, " * the kernels' layout. */\n");
    buf_printf(h, "void %s_prepare(const float *params, float *prepared);\n\n", p);
    buf_printf(h, "/* One forward pass. input[%s_INPUT_SIZE], output[%s_OUTPUT_SIZE], a workspace of\n", pu, pu);
    buf_printf(h, " * %s_WORKSPACE_BYTES bytes. Reentrant: threads may run it at once with their own\n", pu);
    buf_printf(h, " * workspaces. No allocation. output must not overlap input, prepared or workspace. */\n");
    buf_printf(h, "void %s_forward(const float *prepared, const float *input, float *output, void *workspace);\n\n",
               p);
    if (e->L->fast)
        buf_puts(h, "/* The SIMD path runtime/gsc_fast.c was compiled with: \"avx512\", \"avx2\" or \"portable\"\n"
                    " * (chosen by the compiler flags; also declared in gsc_fast.h). */\n"
                    "const char *gsc_fast_isa(void);\n\n");
    if (T)
        emit_grad_header(e, T, h);
    buf_printf(h, "#ifdef __cplusplus\n}\n#endif\n\n#endif\n");
}

/* ------------------------------------------------------------ tables, init, prepare */

static void emit_table(Emitter *e)
{
    const Graph *g = e->g;
    if (!g->ntensors) {
        buf_printf(e->o, "const GscTensorInfo %s_tensors[1] = {{NULL, 0, 0, {0, 0, 0, 0}}};\n\n", e->p);
        return;
    }
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

/* A float as a C float literal: "0.5f", "6.0f", "1e-06f" ("6f" is no C). */
static const char *float_literal(float v)
{
    const char *s = arena_printf("%.9g", (double)v);
    return arena_printf("%s%sf", s, strpbrk(s, ".e") ? "" : ".0");
}

static void emit_init(Emitter *e)
{
    const Graph *g = e->g;
    buf_printf(e->o, "void %s_init(float *params)\n{\n", e->p);
    if (!g->ntensors)
        buf_puts(e->o, "    (void)params; /* the model has no parameters */\n");
    for (int i = 0; i < g->ntensors; i++) {
        const Tensor *t = &g->tensors[i];
        if (t->init == INIT_UNIFORM)
            buf_printf(e->o, "    gsc_init_uniform(params + %lld, %lld, %du); /* %s */\n", N(t->offset), N(t->count), i,
                       t->name);
        else if (t->init == INIT_UNIFORM_FAN)
            buf_printf(e->o, "    gsc_init_uniform_bound(params + %lld, %lld, %du, %.17g); /* %s: 1/sqrt(fan_in) */\n",
                       N(t->offset), N(t->count), i, t->fill, t->name);
        else
            buf_printf(e->o, "    gsc_init_fill(params + %lld, %lld, %s); /* %s */\n", N(t->offset), N(t->count),
                       t->init == INIT_FILL ? float_literal((float)t->fill)
                                            : t->init == INIT_ONE ? "1.0f" : "0.0f",
                       t->name);
    }
    buf_puts(e->o, "}\n\n");
}

/* "conv1.weight [64,3,7,7]" */
static const char *tensor_desc(const Emitter *e, int t)
{
    Buf b = {0};
    buf_printf(&b, "%s ", e->g->tensors[t].name);
    shape_text(&b, &e->g->tensors[t].shape);
    const char *s = arena_printf("%s", b.s);
    buf_free(&b);
    return s;
}

/* Where each tensor sits in prepared[], by name. */
static void emit_prep_offsets(Emitter *e)
{
    const Lowered *L = e->L;
    if (!L->prep.n)
        return;
    buf_printf(e->o, "/* Offsets (floats, each a multiple of 16) of the weights in prepared[%s_PREPARED_SIZE]. */\n",
               e->pu);
    buf_puts(e->o, "enum {\n");
    int width = 0;
    for (int i = 0; i < L->prep.n; i++) {
        int n = (int)strlen(e->prepname[i]) + 4 + snprintf(NULL, 0, "%lld", N(((PrepStep *)L->prep.v[i])->dst));
        width = n > width ? n : width;
    }
    for (int i = 0; i < L->prep.n; i++) {
        const PrepStep *p = L->prep.v[i];
        char *def = arena_printf("%s = %lld,", e->prepname[i], N(p->dst));
        if (p->kind == PREP_COPY)
            buf_printf(e->o, "    %-*s /* %s */\n", width, def, tensor_desc(e, p->tensor));
        else
            buf_printf(e->o, "    %-*s /* %s + bias%s, packed */\n", width, def, tensor_desc(e, p->tensor),
                       p->bn ? arena_printf(", %s folded in", p->bn->name) : "");
    }
    buf_puts(e->o, "};\n\n");
}

static void emit_prepare(Emitter *e)
{
    buf_printf(e->o, "void %s_prepare(const float *params, float *prepared)\n{\n", e->p);
    if (!e->L->prep.n)
        buf_puts(e->o, "    (void)params;\n    (void)prepared; /* the model has no parameters */\n");
    else
        buf_printf(e->o, "    memset(prepared, 0, sizeof(float) * %s_PREPARED_SIZE);\n", e->pu);
    for (int i = 0; i < e->L->prep.n; i++) {
        const PrepStep *p = e->L->prep.v[i];
        const GNode *n = p->node;
        const char *t = e->g->tensors[p->tensor].name, *dst = e->prepname[i];
        switch (p->kind) {
        case PREP_COPY:
            buf_printf(e->o, "    memcpy(prepared + %s, params + %lld, %lld * sizeof(float));\n", dst, N(p->src),
                       N(p->count));
            break;
        case PREP_CONV:
        case PREP_WINOGRAD: {
            /* kh x kw filters through the _hw form; square ones as before; a
             * folded batchnorm through the _bn forms */
            bool wino = p->kind == PREP_WINOGRAD, hw = n->a[CONV2D_k] != n->a[CONV2D_k_w] || p->bn;
            const char *k = hw ? arena_printf("%lld, %lld", N(n->a[CONV2D_k]), N(n->a[CONV2D_k_w]))
                               : arena_printf("%lld", N(n->a[CONV2D_k]));
            const char *bias = p->src2 < 0 ? "NULL" : arena_printf("params + %lld", N(p->src2));
            buf_printf(e->o, "    /* %s, %s", t, p->src2 < 0 ? "no bias" : e->g->tensors[p->tensor + 1].name);
            if (wino)
                buf_printf(e->o, ": Winograd F(%dx%d, 3x3)", p->tile, p->tile);
            if (p->bn)
                buf_printf(e->o, "; %s folded in", p->bn->name);
            buf_puts(e->o, " */\n");
            const char *fold = p->bn ? arena_printf("params + %lld, %s, ", N(p->bn_src),
                                                    real_str(p->bn->r[BATCHNORM_EVAL_eps]))
                                     : "";
            if (wino)
                buf_printf(e->o, "    gsc_fast_winograd_prepare%s(params + %lld, %s, %s%lld, %lld, %d, prepared + %s);\n",
                           p->bn ? "_bn" : "", N(p->src), bias, fold, N(n->a[CONV2D_cin]), N(n->a[CONV2D_cout]),
                           p->tile, dst);
            else
                buf_printf(e->o, "    gsc_fast_conv_prepare%s(params + %lld, %s, %s%lld, %lld, %s, %lld, prepared + %s);\n",
                           p->bn ? "_bn" : hw ? "_hw" : "", N(p->src), bias, fold, N(n->a[CONV2D_cin]),
                           N(n->a[CONV2D_cout]), k, N(n->a[CONV2D_groups]), dst);
            break;
        }
        case PREP_CONVT:
            buf_printf(e->o, "    /* %s, %s: as a 1x1 convolution to kh*kw*cpad(cout) channels */\n", t,
                       p->src2 < 0 ? "no bias" : e->g->tensors[p->tensor + 1].name);
            buf_printf(e->o, "    gsc_fast_conv_transpose_prepare(params + %lld, %s, %lld, %lld, %lld, %lld, prepared + %s);\n",
                       N(p->src), p->src2 < 0 ? "NULL" : arena_printf("params + %lld", N(p->src2)),
                       N(n->a[CONV_TRANSPOSE2D_cin]), N(n->a[CONV_TRANSPOSE2D_cout]), N(n->a[CONV_TRANSPOSE2D_k]),
                       N(n->a[CONV_TRANSPOSE2D_k_w]), dst);
            break;
        case PREP_LINEAR:
            buf_printf(e->o, "    /* %s, %s */\n", t, e->g->tensors[p->tensor + 1].name);
            buf_printf(e->o, "    gsc_fast_linear_prepare(params + %lld, params + %lld, %lld, %lld, prepared + %s);\n",
                       N(p->src), N(p->src2), N(n->a[LINEAR_in]), N(n->a[LINEAR_out]), dst);
            break;
        }
    }
    buf_puts(e->o, "}\n\n");
}

/* The prepared weights as a constant array (for flash); %a is exact. */
static void emit_weights(Emitter *e)
{
    const Lowered *L = e->L;
    buf_printf(e->o, "GSC_ALIGN64 const float %s_weights[%s_PREPARED_SIZE] = {", e->p, e->pu);
    int step = 0, col = 0;
    for (int64_t k = 0; k < L->prepared_floats; k++) {
        if (step < L->prep.n && ((const PrepStep *)L->prep.v[step])->dst == k) {
            buf_printf(e->o, "\n    /* %s */", e->prepname[step]);
            step++;
            col = 0;
        }
        if (col++ % 8 == 0)
            buf_puts(e->o, "\n   ");
        float v = e->opt->embedded[k];
        if (v == 0.0f && !signbit(v))
            buf_puts(e->o, " 0,");
        else
            buf_printf(e->o, " %af,", (double)v);
    }
    buf_puts(e->o, "\n};\n\n");
}

/* ------------------------------------------------------------ geometries */

static void emit_geoms(Emitter *e)
{
    const Lowered *L = e->L;
    if (!L->geoms.n)
        return;
    buf_puts(e->o, "/* The geometry of every convolution (input [cin, h, w], cout k x k filters) and pooling window. */\n");
    for (int i = 0; i < L->geoms.n; i++) {
        const LGeom *g = L->geoms.v[i];
        char *lhs = arena_printf("static const %s %s =", g->pool ? "GscFastPool" : "GscFastConv", e->geomname[i]);
        /* a window that differs per axis or side: the width's and the other sides' fields after .axes = 1 */
        const Win *w = &g->win;
        const char *axes = !g->axes ? ""
                           : arena_printf(", .axes = 1, .kw = %lld, .sw = %lld, .left = %lld, .bottom = %lld, .right = %lld%s",
                                          N(w->kw), N(w->sw), N(w->left), N(w->bottom), N(w->right),
                                          g->pool || (w->dh == 1 && w->dw == 1)
                                              ? ""
                                              : arena_printf(", .dh = %lld, .dw = %lld", N(w->dh), N(w->dw)));
        char *rhs = g->pool ? arena_printf("{.c = %lld, .h = %lld, .w = %lld, .k = %lld, .stride = %lld, .pad = %lld%s%s};",
                                           N(g->cin), N(g->h), N(g->w), N(g->k), N(g->stride), N(g->pad),
                                           g->ceil ? ", .ceil = 1" : "",
                                           arena_printf("%s%s", g->no_pad_count ? ", .no_pad_count = 1" : "", axes))
                            : arena_printf("{.cin = %lld, .h = %lld, .w = %lld, .cout = %lld, .k = %lld, "
                                           ".stride = %lld, .pad = %lld%s%s};",
                                           N(g->cin), N(g->h), N(g->w), N(g->cout), N(g->k), N(g->stride), N(g->pad),
                                           g->groups > 1 ? arena_printf(", .groups = %lld", N(g->groups)) : "", axes);
        const char *cut = *axes ? strstr(rhs, " .axes") : NULL;
        if (strlen(lhs) + strlen(rhs) + 1 <= LINE_WIDTH)
            buf_printf(e->o, "%s %s\n", lhs, rhs);
        else if (4 + strlen(rhs) <= LINE_WIDTH || !cut)
            buf_printf(e->o, "%s\n    %s\n", lhs, rhs);
        else /* the per-axis fields on a line of their own */
            buf_printf(e->o, "%s\n    %.*s\n     %s\n", lhs, (int)(cut - rhs), rhs, cut + 1);
    }
    buf_putc(e->o, '\n');
}

/* ------------------------------------------------------------ the forward pass */

static const char *layout_text(const WBuf *w)
{
    switch (w->layout) {
    case LAY_BLOCKED:
        return " channel-blocked";
    case LAY_PLAIN:
    case LAY_PAIRS:
    case LAY_SCRATCH:
        break;
    }
    return "";
}

/* float *layer1_0_conv1 = ws + 200704; [64,56,56] channel-blocked */
static void emit_buffer_decl(Emitter *e, int i, int width)
{
    const WBuf *w = e->L->bufs.v[i];
    Buf c = {0};
    if (w->layout == LAY_PAIRS)
        buf_printf(&c, "[2][%lld]: %s", N(w->shape.n[0]), w->what);
    else if (w->layout == LAY_SCRATCH)
        buf_printf(&c, "%lld bytes: %s", N(w->bytes), "the convolution's scratch");
    else {
        shape_text(&c, &w->shape);
        buf_puts(&c, layout_text(w));
        if (w->what)
            buf_printf(&c, ": %s", w->what);
    }
    if (w->alias >= 0)
        buf_printf(&c, ", in place over %s", e->bufname[w->alias]);
    char *def = arena_printf("float *%s = ws + %lld;", e->bufname[i], N(w->off / 4));
    buf_printf(e->o, "    %-*s /* %s */\n", width, def, c.s);
    buf_free(&c);
}

static int cmp_first(const void *a, const void *b)
{
    const WBuf *x = *(WBuf *const *)a, *y = *(WBuf *const *)b;
    return x->first != y->first ? x->first - y->first : x->alias - y->alias;
}

static void emit_buffers(Emitter *e)
{
    const Lowered *L = e->L;
    int n = 0, width = 0;
    const WBuf **order = arena_alloc(sizeof(WBuf *) * (size_t)(L->bufs.n + 1));
    for (int i = 0; i < L->bufs.n; i++) {
        const WBuf *w = L->bufs.v[i];
        if (w->loc == LOC_WORKSPACE && w->first >= 0) {
            order[n++] = w;
            int len = snprintf(NULL, 0, "float *%s = ws + %lld;", e->bufname[i], N(w->off / 4));
            width = len > width ? len : width;
        }
    }
    if (!n)
        return;
    /* stable: buffers first used by the same call keep their creation order */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && cmp_first(&order[j - 1], &order[j]) > 0; j--) {
            const WBuf *t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    buf_puts(e->o, "    float *ws = (float *)workspace;\n");
    buf_puts(e->o, "    /* The workspace, planned: buffers whose lifetimes do not overlap share memory. */\n");
    for (int i = 0; i < n; i++) {
        int idx = 0;
        while (L->bufs.v[idx] != order[i])
            idx++;
        emit_buffer_decl(e, idx, width);
    }
}

static void emit_section_comment(Emitter *e, const LCall *c)
{
    const GNode *n = c->node;
    if (!n) {
        buf_printf(e->o, "\n    /* %s */\n", c->what);
        return;
    }
    int line, col;
    span_linecol(n->span, &line, &col);
    buf_printf(e->o, "\n    /* %s%s (%s:%d): ", c->backward ? "backward of " : "", n->name, e->opt->source_name, line);
    for (int k = 0; k < n->nin; k++) {
        if (k)
            buf_puts(e->o, " + ");
        shape_text(e->o, &e->g->values[n->in[k]].shape);
    }
    buf_puts(e->o, " -> ");
    shape_text(e->o, &e->g->values[n->out].shape);
    const OpSig *sig = op_sig(n->op);
    for (int k = 0; k < sig->nattr; k++)
        if (sig->real[k])
            buf_printf(e->o, ", %s=%s", sig->attr[k], real_str(n->r[k]));
    buf_puts(e->o, " */\n");
}

static const char *const fuse_text[] = {
    [FUSE_INPUT] = "applied to its input here",
    [FUSE_OUTPUT] = "applied to its result here",
    [FUSE_STATS] = "statistics computed here",
    [FUSE_FOLDED] = "folded into its weights by the prepare step",
    [FUSE_VIEW] = "a view of its operand, nothing to do",
    [FUSE_BACKWARD] = "its backward done here",
};

/* "+ bn1, relu: applied to its input here", a line per kind. */
static void emit_fused(Emitter *e, const LCall *c)
{
    bool any = false;
    for (int how = FUSE_INPUT; how <= FUSE_BACKWARD; how++) {
        bool first = true;
        for (int i = 0; i < c->nfused; i++) {
            if ((int)c->fused[i].how != how)
                continue;
            buf_puts(e->o, first ? (any ? "\n     * + " : "    /* + ") : ", ");
            buf_puts(e->o, c->fused[i].node->name);
            first = false;
            any = true;
        }
        if (!first)
            buf_printf(e->o, ": %s", fuse_text[how]);
    }
    if (any)
        buf_puts(e->o, " */\n");
}

/* GSC_FAST_* flags by name: the input layout bit and the activation field
 * (GSC_FAST_RELU for the ReLU, GSC_ACT_* for the others); or an elementwise
 * operation GSC_EW_*. */
static void emit_flags(Buf *b, int64_t v)
{
    static const char *const act_names[] = {
        NULL, "GSC_FAST_RELU", "GSC_ACT_RELU6", "GSC_ACT_SIGMOID", "GSC_ACT_TANH", "GSC_ACT_SILU",
        "GSC_ACT_GELU", "GSC_ACT_GELU_TANH", "GSC_ACT_HARDSWISH", "GSC_ACT_HARDSIGMOID",
        "GSC_ACT_CLIP", "GSC_ACT_LEAKY_RELU",
    };
    static const char *const ew_names[] = {
        NULL, "GSC_EW_ADD", "GSC_EW_SUB", "GSC_EW_MUL", "GSC_EW_MAX", "GSC_EW_MIN",
    };
    int64_t act = (v & GSC_ACT_MASK) >> 8, ew = (v & GSC_EW_MASK) >> 12;
    if (!v)
        buf_putc(b, '0');
    if (ew) {
        if (ew >= (int64_t)(sizeof ew_names / sizeof ew_names[0]))
            internal_error("unknown elementwise operation %lld in flags", (long long)ew);
        buf_puts(b, ew_names[ew]);
        return;
    }
    if (v & GSC_FAST_IN_CHW)
        buf_puts(b, act ? "GSC_FAST_IN_CHW | " : "GSC_FAST_IN_CHW");
    if (act) {
        if (act >= (int64_t)(sizeof act_names / sizeof act_names[0]))
            internal_error("unknown activation %lld in flags", (long long)act);
        buf_puts(b, act_names[act]);
    }
}

static void arg_text(Emitter *e, Buf *b, const LCall *c, int i)
{
    const LArg *a = &c->args[i];
    switch (a->kind) {
    case LA_BUF:
        buf_puts(b, e->bufname[a->buf]);
        if (a->v)
            buf_printf(b, " + %lld", N(a->v));
        break;
    case LA_NULL:
        buf_puts(b, "NULL");
        break;
    case LA_INT:
        buf_printf(b, c->k == K_COPY || c->k == K_COPY_PARAM || c->k == K_ZERO ? "%lld * sizeof(float)" : "%lld", N(a->v));
        break;
    case LA_REAL:
        buf_printf(b, "%sf", real_str(a->x));
        break;
    case LA_FLAGS:
        emit_flags(b, a->v);
        break;
    case LA_PREP:
        buf_printf(b, "prepared + %s", e->prepname[a->v]);
        break;
    case LA_GEOM:
        buf_printf(b, "&%s", e->geomname[a->v]);
        break;
    case LA_PARAM:
        buf_printf(b, "params + %s", e->paramname[a->v]);
        break;
    case LA_GRAD:
        buf_printf(b, "grads + %s", e->paramname[a->v]);
        break;
    case LA_LABEL:
        buf_puts(b, "label");
        break;
    }
}

static void emit_call(Emitter *e, const LCall *c)
{
    Buf b = {0};
    if (c->note)
        buf_printf(e->o, "    /* method: %s */\n", c->note);
    emit_fused(e, c);
    buf_printf(&b, "%s%s(", kernel_info[c->k].sig[0] == '=' ? "loss = " : "", kernel_info[c->k].fn);
    for (int i = 0; i < c->nargs; i++) {
        if (i)
            buf_puts(&b, ", ");
        arg_text(e, &b, c, i);
        if (c->k == K_ZERO && i == 0)
            buf_puts(&b, ", 0");
    }
    buf_puts(&b, ");");
    put_wrapped(e, b.s);
    buf_free(&b);
}

static bool uses_prepared(const Lowered *L)
{
    for (int i = 0; i < L->calls.n; i++) {
        const LCall *c = L->calls.v[i];
        for (int k = 0; k < c->nargs; k++)
            if (c->args[k].kind == LA_PREP)
                return true;
    }
    return false;
}

/* Does call c start a section of its own (another operation, or its backward)? */
static bool new_section(const LCall *prev, const LCall *c)
{
    return !prev || prev->node != c->node || prev->backward != c->backward || prev->what != c->what;
}

static const char *section_name(const LCall *c)
{
    if (!c->node)
        return c->what;
    return c->backward ? arena_printf("backward of %s", c->node->name) : c->node->name;
}

/* The calls of e->L, a commented section per operation. */
static void emit_calls(Emitter *e)
{
    const Lowered *L = e->L;
    bool prof = e->opt->profile;
    const LCall *prev = NULL;
    int k = 0;
    for (int i = 0; i < L->calls.n; i++) {
        const LCall *c = L->calls.v[i];
        if (new_section(prev, c)) {
            if (prof && prev)
                buf_printf(e->o, "    GSC_PROFILE_END(%d, \"%s\");\n", k++, section_name(prev));
            emit_section_comment(e, c);
            if (prof)
                buf_printf(e->o, "    GSC_PROFILE_BEGIN(%d);\n", k);
        }
        emit_call(e, c);
        prev = c;
    }
    if (prof && prev)
        buf_printf(e->o, "    GSC_PROFILE_END(%d, \"%s\");\n", k, section_name(prev));
}

static void emit_forward(Emitter *e)
{
    const Lowered *L = e->L;
    buf_printf(e->o, "void %s_forward(const float *prepared, const float *input, float *output, void *workspace)\n{\n",
               e->p);
    if (!uses_prepared(L))
        buf_puts(e->o, "    (void)prepared;\n");
    if (!L->workspace_naive)
        buf_puts(e->o, "    (void)workspace;\n");
    emit_buffers(e);
    emit_calls(e);
    buf_puts(e->o, "}\n");
}

/* ------------------------------------------------------------ the training step */

static const char *grad_signature(const Emitter *e)
{
    return arena_printf("float %s_grad(const float *params, const float *input, %s, float *grads, void *workspace)",
                        e->p, e->L->grad->loss == LOSS_XENT ? "int32_t label" : "const float *target");
}

/* Where each tensor sits in params[] and grads[], by name. */
static void emit_param_offsets(Emitter *e)
{
    const Graph *g = e->g;
    if (!g->ntensors)
        return;
    buf_printf(e->o, "/* Offsets (floats) of the parameter tensors in params[%s_NUM_PARAMS], and of their\n"
                     " * gradients in grads[%s_NUM_PARAMS]: the same layout. */\n",
               e->pu, e->pu);
    buf_puts(e->o, "enum {\n");
    int width = 0;
    for (int i = 0; i < g->ntensors; i++) {
        int n = (int)strlen(e->paramname[i]) + 4 + snprintf(NULL, 0, "%lld", N(g->tensors[i].offset));
        width = n > width ? n : width;
    }
    for (int i = 0; i < g->ntensors; i++)
        buf_printf(e->o, "    %-*s /* %s */\n", width, arena_printf("%s = %lld,", e->paramname[i], N(g->tensors[i].offset)),
                   tensor_desc(e, i));
    buf_puts(e->o, "};\n\n");
}

static void emit_grad(Emitter *e, const Lowered *T)
{
    const Lowered *F = e->L;
    const char **fnames = e->bufname;
    e->L = T;
    e->bufname = name_buffers(e, T);
    emit_param_offsets(e);
    buf_printf(e->o, "%s\n{\n", grad_signature(e));
    const Grad *gr = T->grad;
    int64_t classes = shape_count(&e->g->values[gr->loss_value].shape);
    if (gr->loss == LOSS_XENT)
        buf_printf(e->o, "    if (label < 0 || label >= %lld)\n        return -1.0f; /* not a class: nothing is written */\n",
                   N(classes));
    if (!e->g->ntensors)
        buf_puts(e->o, "    (void)params;\n    (void)grads;\n");
    buf_puts(e->o, "    float loss;\n");
    emit_buffers(e);
    emit_calls(e);
    buf_puts(e->o, "    return loss;\n}\n");
    e->L = F;
    e->bufname = fnames;
}

static void emit_grad_header(Emitter *e, const Lowered *T, Buf *h)
{
    const Lowered *F = e->L;
    e->L = T;
    bool xent = T->grad->loss == LOSS_XENT;
    buf_printf(h, "/*\n * The training step (gsc --train): the forward pass, the %s loss and the backward\n"
                  " * pass for one example, with the reference kernels. ADDS d loss / d params into\n"
                  " * grads[%s_NUM_PARAMS] (the layout of params; zero it before the first example of a\n"
                  " * mini-batch) and returns the loss. params are read as they are now: update them\n"
                  " * between calls as you like (no prepared copy is involved). %s\n"
                  " * A workspace of %s_TRAIN_WORKSPACE_BYTES bytes; no allocation; reentrant (each thread\n"
                  " * its own grads and workspace).\n */\n",
               loss_name(T->grad->loss), e->pu,
               xent ? "label is the class, 0 to\n * the number of outputs - 1; any other label returns -1 and writes nothing."
                    : "target is the wanted\n * output, OUTPUT_SIZE floats.",
               e->pu);
    buf_printf(h, "%s;\n\n", grad_signature(e));
    e->L = F;
}

void emit_c(const Graph *g, const Lowered *L, const Lowered *T, const EmitOptions *opt, Buf *c, Buf *h)
{
    if (!L->planned || (T && !T->planned))
        internal_error("emit_c: the lowered program is not planned");
    char *pu = arena_upper(opt->prefix);
    Emitter e = {.g = g, .L = L, .opt = opt, .p = opt->prefix, .pu = pu, .o = c};
    name_everything(&e, T);
    emit_banner(&e, c);
    buf_printf(c, " * Workspace: %lld bytes. The largest total of live values at any point of this\n",
               N(L->workspace_bytes));
    buf_printf(c, " * operation order is %lld bytes (no plan can use less); every value in its own\n",
               N(L->workspace_bound));
    buf_printf(c, " * buffer would take %lld bytes.\n", N(L->workspace_naive));
    if (T)
        buf_printf(c, " * Training step (%s_grad): workspace %lld bytes (lower bound %lld, every value and\n"
                      " * gradient in its own buffer %lld).\n",
                   e.p, N(T->workspace_bytes), N(T->workspace_bound), N(T->workspace_naive));
    buf_printf(c, " *\n * Kernels: %s.\n", L->fast
        ? "runtime/gsc_fast.h (channel-blocked activations, packed weights; SIMD chosen by the\n"
          " * compiler flags)"
        : "runtime/gsc_runtime.h (reference loops, plain CHW)");
    if (opt->profile)
        buf_puts(c, " * Profiled: GSC_PROFILE_BEGIN/END around each operation (build with -DGSC_PROFILE).\n");
    buf_printf(c, " */\n#include \"%s\"\n", opt->header_name);
    if (L->fast)
        buf_puts(c, "#include \"gsc_fast.h\"\n");
    buf_puts(c, "\n#include <stddef.h>\n#include <string.h>\n\n");
    emit_table(&e);
    if (opt->embedded)
        emit_weights(&e);
    emit_init(&e);
    emit_prep_offsets(&e);
    emit_prepare(&e);
    emit_geoms(&e);
    emit_forward(&e);
    if (T) {
        buf_putc(c, '\n');
        emit_grad(&e, T);
    }
    emit_header(&e, T, h);
    strmap_free(&e.used);
}
