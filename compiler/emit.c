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
 *   PU_INPUT_SIZE, PU_OUTPUT_SIZE, PU_NUM_TENSORS, PU_NUM_PARAMS,
 *   PU_PREPARED_SIZE, PU_WORKSPACE_BYTES, P_tensors[],
 *   P_init(params), P_prepare(params, prepared),
 *   P_forward(prepared, input, output, workspace).
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
    const char **bufname;  /* per buffer */
    const char **prepname; /* per PrepStep */
    const char **geomname; /* per LGeom */
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
};

/* A C identifier for a dotted name, unused so far in NAME.c: layer1.0.conv1
 * -> layer1_0_conv1; a clash gets _2, _3, ... */
static const char *c_name(Emitter *e, const char *dotted, const char *suffix)
{
    Buf b = {0};
    for (const char *s = dotted; *s; s++)
        buf_putc(&b, isalnum((unsigned char)*s) ? *s : '_');
    buf_puts(&b, suffix);
    /* the runtime's names and C's reserved ones stay theirs */
    bool theirs = !strncmp(b.s, "gsc_", 4) || !strncmp(b.s, "GSC_", 4) || b.s[0] == '_' ||
                  isdigit((unsigned char)b.s[0]) || !strncmp(b.s, e->p, strlen(e->p)) ||
                  !strncmp(b.s, e->pu, strlen(e->pu));
    const char *name = theirs ? arena_printf("v_%s", b.s) : arena_printf("%s", b.s);
    for (int k = 2; strmap_get(&e->used, name); k++)
        name = arena_printf("%s_%d", b.s, k);
    *strmap_put(&e->used, name) = 1;
    buf_free(&b);
    return name;
}

static void name_everything(Emitter *e)
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
    e->bufname = arena_alloc(sizeof(char *) * (size_t)(L->bufs.n + 1));
    for (int i = 0; i < L->bufs.n; i++) {
        const WBuf *w = L->bufs.v[i];
        e->bufname[i] = w->loc == LOC_INPUT ? "input" : w->loc == LOC_OUTPUT ? "output" : c_name(e, w->name, "");
    }
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

static void emit_header(Emitter *e, Buf *h)
{
    const Graph *g = e->g;
    const char *p = e->p, *pu = e->pu;
    emit_banner(e, h);
    buf_printf(h, " */\n#ifndef %s_H\n#define %s_H\n\n#include \"gsc_runtime.h\"\n\n", pu, pu);
    const Shape *is = &g->values[g->input].shape, *os = &g->values[g->output].shape;
    buf_printf(h, "#define %s_INPUT_SIZE %lld /* floats, ", pu, N(shape_count(is)));
    shape_text(h, is);
    buf_printf(h, " */\n#define %s_OUTPUT_SIZE %lld /* floats, ", pu, N(shape_count(os)));
    shape_text(h, os);
    buf_printf(h, " */\n#define %s_NUM_TENSORS %d\n", pu, g->ntensors);
    buf_printf(h, "#define %s_NUM_PARAMS %lld /* floats */\n", pu, N(g->nparams));
    buf_printf(h, "#define %s_PREPARED_SIZE %lld /* floats */\n", pu, N(e->L->prepared_floats));
    buf_printf(h, "#define %s_WORKSPACE_BYTES %lld\n", pu, N(e->L->workspace_bytes));
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
                  " * are the fastest. None may overlap another.\n */\n\n");
    buf_printf(h, "/* Fills params[%s_NUM_PARAMS] with the seed's deterministic initialiser. */\n", pu);
    buf_printf(h, "void %s_init(float *params);\n\n", p);
    buf_printf(h, "/* Once per set of weights: params[%s_NUM_PARAMS] -> prepared[%s_PREPARED_SIZE],\n", pu, pu);
    buf_printf(h, " * the kernels' layout. */\n");
    buf_printf(h, "void %s_prepare(const float *params, float *prepared);\n\n", p);
    buf_printf(h, "/* One forward pass. input[%s_INPUT_SIZE], output[%s_OUTPUT_SIZE], a workspace of\n", pu, pu);
    buf_printf(h, " * %s_WORKSPACE_BYTES bytes. Reentrant: threads may run it at once with their own\n", pu);
    buf_printf(h, " * workspaces. No allocation. */\n");
    buf_printf(h, "void %s_forward(const float *prepared, const float *input, float *output, void *workspace);\n\n",
               p);
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
        else
            buf_printf(e->o, "    gsc_init_fill(params + %lld, %lld, %s); /* %s */\n", N(t->offset), N(t->count),
                       t->init == INIT_ONE ? "1.0f" : "0.0f", t->name);
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
            buf_printf(e->o, "    %-*s /* %s, %s, packed */\n", width, def, tensor_desc(e, p->tensor),
                       tensor_desc(e, p->tensor + 1));
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
            buf_printf(e->o, "    gsc_fast_conv_prepare(params + %lld, params + %lld, %lld, %lld, %lld, prepared + %s);"
                             " /* %s, %s */\n",
                       N(p->src), N(p->src2), N(n->a[CONV2D_cin]), N(n->a[CONV2D_cout]), N(n->a[CONV2D_k]), dst, t,
                       e->g->tensors[p->tensor + 1].name);
            break;
        case PREP_LINEAR:
            buf_printf(e->o, "    gsc_fast_linear_prepare(params + %lld, params + %lld, %lld, %lld, prepared + %s);"
                             " /* %s, %s */\n",
                       N(p->src), N(p->src2), N(n->a[LINEAR_in]), N(n->a[LINEAR_out]), dst, t,
                       e->g->tensors[p->tensor + 1].name);
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
        char *rhs = g->pool ? arena_printf("{.c = %lld, .h = %lld, .w = %lld, .k = %lld, .stride = %lld, .pad = %lld};",
                                           N(g->cin), N(g->h), N(g->w), N(g->k), N(g->stride), N(g->pad))
                            : arena_printf("{.cin = %lld, .h = %lld, .w = %lld, .cout = %lld, .k = %lld, "
                                           ".stride = %lld, .pad = %lld};",
                                           N(g->cin), N(g->h), N(g->w), N(g->cout), N(g->k), N(g->stride), N(g->pad));
        if (strlen(lhs) + strlen(rhs) + 1 <= LINE_WIDTH)
            buf_printf(e->o, "%s %s\n", lhs, rhs);
        else
            buf_printf(e->o, "%s\n    %s\n", lhs, rhs);
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
            int len = (int)strlen(e->bufname[i]) + 30;
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
        emit_buffer_decl(e, idx, width < 40 ? 40 : width);
    }
}

static void emit_section_comment(Emitter *e, const GNode *n)
{
    int line, col;
    span_linecol(n->span, &line, &col);
    buf_printf(e->o, "\n    /* %s (%s:%d): ", n->name, e->opt->source_name, line);
    for (int k = 0; k < n->nin; k++) {
        if (k)
            buf_puts(e->o, " + ");
        shape_text(e->o, &e->g->values[n->in[k]].shape);
    }
    buf_puts(e->o, " -> ");
    shape_text(e->o, &e->g->values[n->out].shape);
    buf_puts(e->o, " */\n");
}

static const char *const fuse_text[] = {
    [FUSE_INPUT] = "applied to its input here",
    [FUSE_OUTPUT] = "applied to its result here",
    [FUSE_STATS] = "statistics computed here",
    [FUSE_VIEW] = "a view of its operand, nothing to do",
};

/* "+ bn1, relu: applied to its input here", a line per kind. */
static void emit_fused(Emitter *e, const LCall *c)
{
    bool any = false;
    for (int how = FUSE_INPUT; how <= FUSE_VIEW; how++) {
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
        buf_printf(b, c->k == K_COPY ? "%lld * sizeof(float)" : "%lld", N(a->v));
        break;
    case LA_FLAGS:
        if (!a->v)
            buf_putc(b, '0');
        else if (a->v == GSC_FAST_RELU)
            buf_puts(b, "GSC_FAST_RELU");
        else if (a->v == GSC_FAST_IN_CHW)
            buf_puts(b, "GSC_FAST_IN_CHW");
        else
            buf_puts(b, "GSC_FAST_IN_CHW | GSC_FAST_RELU");
        break;
    case LA_PREP:
        buf_printf(b, "prepared + %s", e->prepname[a->v]);
        break;
    case LA_GEOM:
        buf_printf(b, "&%s", e->geomname[a->v]);
        break;
    }
}

static void emit_call(Emitter *e, const LCall *c)
{
    Buf b = {0};
    emit_fused(e, c);
    buf_printf(&b, "%s(", kernel_info[c->k].fn);
    for (int i = 0; i < c->nargs; i++) {
        if (i)
            buf_puts(&b, ", ");
        arg_text(e, &b, c, i);
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

static void emit_forward(Emitter *e)
{
    const Lowered *L = e->L;
    bool prof = e->opt->profile;
    buf_printf(e->o, "void %s_forward(const float *prepared, const float *input, float *output, void *workspace)\n{\n",
               e->p);
    if (!uses_prepared(L))
        buf_puts(e->o, "    (void)prepared;\n");
    if (!L->workspace_naive)
        buf_puts(e->o, "    (void)workspace;\n");
    emit_buffers(e);
    const GNode *section = NULL;
    int k = 0;
    for (int i = 0; i < L->calls.n; i++) {
        const LCall *c = L->calls.v[i];
        if (i == 0 || c->node != section) {
            if (prof && i)
                buf_printf(e->o, "    GSC_PROFILE_END(%d, \"%s\");\n", k++, section ? section->name : "output");
            section = c->node;
            if (section)
                emit_section_comment(e, section);
            else
                buf_puts(e->o, "\n    /* the result, in the caller's layout */\n");
            if (prof)
                buf_printf(e->o, "    GSC_PROFILE_BEGIN(%d);\n", k);
        }
        emit_call(e, c);
    }
    if (prof && L->calls.n)
        buf_printf(e->o, "    GSC_PROFILE_END(%d, \"%s\");\n", k, section ? section->name : "output");
    buf_puts(e->o, "}\n");
}

void emit_c(const Graph *g, const Lowered *L, const EmitOptions *opt, Buf *c, Buf *h)
{
    if (!L->planned)
        internal_error("emit_c: the lowered program is not planned");
    char *pu = arena_printf("%s", opt->prefix);
    for (char *q = pu; *q; q++)
        *q = (char)toupper((unsigned char)*q);
    Emitter e = {.g = g, .L = L, .opt = opt, .p = opt->prefix, .pu = pu, .o = c};
    name_everything(&e);
    emit_banner(&e, c);
    buf_printf(c, " * Workspace: %lld bytes. The largest total of live values at any point of this\n",
               N(L->workspace_bytes));
    buf_printf(c, " * operation order is %lld bytes (no plan can use less); every value in its own\n",
               N(L->workspace_bound));
    buf_printf(c, " * buffer would take %lld bytes.\n", N(L->workspace_naive));
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
    emit_header(&e, h);
    strmap_free(&e.used);
}
