/*
 * onnx.c - an ONNX model in: the GraphSpec model it means, and its weights.
 *
 * The model file is decoded with protobuf-c from the ONNX schema Debian
 * ships (/usr/include/onnx/onnx.proto, C generated into build/ by protoc-c).
 * Each node is mapped, in graph order, to GraphSpec statements (a layer
 * declaration, a let, an expression): one row of op_table per ONNX operator.
 * print.c writes those statements as source text, and main.c parses that
 * text like any other model, so every later stage (the checker's proofs
 * included) is the one .gs files go through, and `gsc --emit=gs` gives
 * exactly what `gsc model.onnx` compiles.
 *
 * Layout: a leading batch dimension of 1 (or symbolic) is dropped, NCHW is
 * CHW. A value's GraphSpec shape is its ONNX shape without the batch, except
 * after GlobalAveragePool ([1, c, 1, 1] is the vector [c]). Reshapes are
 * accepted where they keep that mapping (flatten, squeeze of the pooled
 * axes). BatchNormalization, and Add/Sub/Mul/Div by a per-channel constant,
 * are folded into the Conv or Gemm before them when that is their only use.
 * Anything else is an error that names the node, its op type and the opset;
 * never a different model.
 *
 * Built without protobuf-c (no GSC_ONNX), onnx_import reports that ONNX
 * input is not built in.
 */
#include "gsc.h"

#include <ctype.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

bool onnx_path(const char *path)
{
    size_t n = strlen(path);
    return n > 5 && !strcmp(path + n - 5, ".onnx");
}

/* The weights in g's ABI, by name. A name the import did not write is a
 * bug in gsc (the printed model declares only layers it has weights for). */
float *onnx_params(const Graph *g, const Imported *im)
{
    float *p = xcalloc((size_t)(g->nparams ? g->nparams : 1), sizeof(float));
    for (int t = 0; t < g->ntensors; t++) {
        const Tensor *ts = &g->tensors[t];
        const ImWeight *w = NULL;
        for (int i = 0; i < im->weights.n && !w; i++)
            if (!strcmp(((ImWeight *)im->weights.v[i])->name, ts->name))
                w = im->weights.v[i];
        if (!w || w->count != ts->count)
            internal_error("imported model: tensor '%s' has %s", ts->name, w ? "the wrong size" : "no weights");
        memcpy(p + ts->offset, w->data, sizeof(float) * (size_t)w->count);
    }
    return p;
}

#ifndef GSC_ONNX

Imported *onnx_import(const char *path, const uint8_t *data, size_t len, const char *symbolic)
{
    (void)data, (void)len, (void)symbolic;
    error_file(path, "this gsc was built without ONNX input (it needs protobuf-c and the ONNX schema: "
                     "apt-get install protobuf-c-compiler libprotobuf-c-dev libonnx-dev, then make)");
    return NULL;
}

#else

#include "onnx.pb-c.h"

#define MAX_CDIMS 8
#define MAX_SHAPE_TEXT 40 /* a let's shape longer than this is left to the checker */
#define MAX_OPERANDS 72   /* characters of operands written inline in one call */

/* A constant tensor: an initializer or a Constant node. */
typedef struct {
    int rank;
    int64_t dims[MAX_CDIMS];
    int64_t count;
    float *f;   /* as float32 (every numeric type) */
    int64_t *i; /* as integers (the integer types) or NULL */
} Const;

/* A conv2d, conv_transpose2d or linear layer whose weights a following
 * per-channel op may still change (its output has no other use). */
typedef struct {
    ImWeight *w, *b;
    int64_t cout, per; /* output channels, weights per output channel */
    int64_t taps;      /* conv_transpose2d: kh*kw of a [cin, cout, kh, kw] weight; 0: [cout][per] */
} Fold;

/* Weight i of output channel o. */
static float *fold_weight(const Fold *f, int64_t o, int64_t i)
{
    if (!f->taps)
        return &f->w->data[o * f->per + i];
    return &f->w->data[(i / f->taps * f->cout + o) * f->taps + i % f->taps];
}

typedef struct Val Val;
struct Val {
    const char *name; /* ONNX name */
    bool defined;
    Const *k;         /* a constant, else a tensor of the graph */
    int rank;         /* GraphSpec shape */
    Dim *d[MAX_RANK];
    bool pooled;      /* ONNX [1, c, 1, 1], GraphSpec [c] */
    bool last;        /* channels last: ONNX [1, h, w, c] ([1, 1, 1, c] when
                         pooled), a Transpose (0, 2, 3, 1) of the GraphSpec
                         value [c, h, w] (or [c]) that expr is */
    const char *expr; /* GraphSpec expression */
    int depth;        /* calls nested in expr */
    bool sum;         /* expr is a + b */
    int uses;
    Fold *fold;
    bool shared;      /* k belongs to another value */
    const Val *gate_of;     /* this is sigmoid or hardsigmoid of gate_of ... */
    const char *gate_expr;  /* ... written as this expression ... */
    const char *gated;      /* ... and gate_of * this is gated(gate_of): silu, hardswish */
    const Val *pool_src;    /* this is global_avgpool(pool_src) ... */
    const char *pool_expr;  /* ... written as this expression */
    int shuffle;      /* 1: x viewed as [g, c/g, h, w] by a Reshape; 2: that
                         view transposed to [c/g, g, h, w]; expr is x's. Only
                         the next step of the channel shuffle may take it */
    int64_t groups;   /* g */
    int pat;          /* a step of GELU's pattern on px (enum Pat) */
    const Val *px;
    const Val *pd;    /* a layer norm's pattern: its x - mean */
    float eps;        /* ... and its epsilon */
    int64_t pad;      /* a Pad by zeros not yet applied: the shape and expr are
                         the unpadded tensor's; only a Conv or an AveragePool
                         (which pad by zeros themselves) may take it */
    bool input;       /* the graph's input itself */
};

typedef struct {
    const char *path;
    int opset;
    Onnx__NodeProto *node; /* being converted */
    bool takes_pad;        /* the node's operand 1 may be a pending Pad */
    bool takes_shuffle;    /* the node's operand 1 may be a pending channel shuffle */
    bool takes_pattern;    /* the node may take a step of GELU's pattern */
    bool takes_last;       /* the node's operands may be channels-last views */
    DimEnv env;            /* the input's size symbols */
    int64_t *defval;       /* their values in the file (-1: none) */
    int *axis;             /* their input axes */
    Vec vals;
    StrMap vmap;           /* name -> index + 1 */
    StrMap names;          /* GraphSpec names taken */
    StrMap scope_end;      /* a PyTorch module's path (scope_path) -> 1 + the index of its last node */
    int at;                /* the index of the node being converted */
    Vec req_a, req_b;      /* side conditions a >= b of the windows */
    Imported *im;
    int nlet;
    const char *output;    /* the graph's output (ONNX name) */
    const char *prefix;    /* "model/": the path part every node's name begins with */
} Imp;

/* ------------------------------------------------------------ errors */

static bool node_error(Imp *m, const char *fmt, ...) PRINTF(2, 3);
static bool node_error(Imp *m, const char *fmt, ...)
{
    Buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (m->node)
        error_file(m->path, "node '%s' (%s, opset %d): %s", m->node->name && *m->node->name ? m->node->name : "(unnamed)",
                   m->node->op_type ? m->node->op_type : "?", m->opset, b.s);
    else
        error_file(m->path, "%s", b.s);
    buf_free(&b);
    return false;
}

/* ------------------------------------------------------------ names */

static bool reserved(const char *s)
{
    static const char *const kw[] = {"dim", "block", "model", "let", "return", "assert", "where", "default", "seq",
                                     "tensors", "params"};
    for (int i = 0; i < countof(kw); i++)
        if (!strcmp(s, kw[i]))
            return true;
    return op_lookup(s) >= 0;
}

/* An identifier from an ONNX name, not yet taken: "layer1.0.conv1" ->
 * layer1_0_conv1; "" or a reserved word gets a suffix. */
static const char *fresh_name(Imp *m, const char *s, const char *fallback)
{
    Buf b = {0};
    for (; s && *s; s++) {
        if (isalnum((unsigned char)*s))
            buf_putc(&b, *s);
        else if (b.len && b.s[b.len - 1] != '_')
            buf_putc(&b, '_');
    }
    while (b.len && b.s[b.len - 1] == '_')
        b.s[--b.len] = 0;
    const char *base = b.len ? arena_printf("%s%s", isdigit((unsigned char)b.s[0]) ? "v" : "", b.s) : fallback;
    buf_free(&b);
    const char *name = base;
    for (int k = 2; reserved(name) || strmap_get(&m->names, name); k++)
        name = arena_printf("%s_%d", base, k);
    *strmap_put(&m->names, name) = 1;
    return name;
}

/* The module path of a PyTorch scope name: "/layer1/layer1.0/conv1/Conv"
 * -> "layer1.0.conv1" (the last part is the operator; a part that the next
 * one extends is dropped). NULL when the name is not of that form. */
static const char *scope_path(const char *s)
{
    if (!s || s[0] != '/')
        return NULL;
    Vec parts = {0};
    for (const char *p = s + 1; *p;) {
        size_t n = strcspn(p, "/");
        vec_push(&parts, arena_strndup(p, n));
        p += n + (p[n] == '/');
    }
    Buf b = {0};
    for (int i = 0; i + 1 < parts.n; i++) {
        const char *c = parts.v[i];
        if (i + 2 < parts.n && !strncmp(parts.v[i + 1], c, strlen(c)))
            continue;
        buf_printf(&b, "%s%s", b.len ? "." : "", c);
    }
    const char *r = b.len ? arena_strndup(b.s, b.len) : NULL;
    buf_free(&b);
    free(parts.v);
    return r;
}

/* The part of a TensorFlow path name (tf2onnx) that tells it from the
 * others: "model/tf.math.maximum_2/Maximum:0" -> "maximum_2" (the prefix
 * all nodes share, the operator and the output number dropped, and of the
 * Keras layer's dotted name its last part); where that is taken or
 * reserved, the path after the prefix ("model/conv2d/Conv2D" ->
 * conv2d_Conv2D). NULL when the name is not a path under m->prefix. */
static const char *path_tail(Imp *m, const char *s)
{
    size_t np = m->prefix ? strlen(m->prefix) : 0;
    if (!np || !s || strncmp(s, m->prefix, np))
        return NULL;
    s += np;
    const char *slash = strchr(s, '/');
    if (!slash || slash == s)
        return NULL;
    const char *dot = s;
    for (const char *p = s; p < slash; p++)
        if (*p == '.' && p + 1 < slash)
            dot = p + 1;
    const char *t = arena_strndup(dot, (size_t)(slash - dot));
    Buf b = {0};
    for (const char *p = t; *p; p++)
        buf_putc(&b, isalnum((unsigned char)*p) ? *p : '_');
    bool ok = b.len && !isdigit((unsigned char)b.s[0]) && !reserved(b.s) && !strmap_get(&m->names, b.s) &&
              strcmp(b.s, m->output); /* the graph's output keeps its name */
    buf_free(&b);
    if (ok)
        return fresh_name(m, t, "v");
    const char *colon = strrchr(slash, ':');
    return fresh_name(m, colon ? arena_strndup(s, (size_t)(colon - s)) : s, "v");
}

/* A layer's name: its weight's name without ".weight", else the node's
 * scope, else its path's tail, else the node's name, else the op type and
 * a number. */
static const char *layer_name(Imp *m, const char *weight)
{
    size_t n = weight ? strlen(weight) : 0;
    if (n > 7 && !strcmp(weight + n - 7, ".weight") && !strchr(weight, ':'))
        return fresh_name(m, arena_strndup(weight, n - 7), "layer");
    const char *sp = scope_path(m->node->name);
    if (sp)
        return fresh_name(m, sp, "layer");
    const char *tail = path_tail(m, m->node->name);
    if (tail)
        return tail;
    if (m->node->name && *m->node->name)
        return fresh_name(m, m->node->name, "layer");
    char *lower = arena_printf("%s", m->node->op_type);
    for (char *c = lower; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    return fresh_name(m, lower, "layer");
}

/* A let's name, from the ONNX value's name: a PyTorch module's result
 * takes the module's path, a value inside a module that has nodes still to
 * come (whose layer is named by that path: LayerNorm2d's Transpose before
 * its norm) the path and its operator, "/features/features.0/features.0.1/
 * Transpose_output_0" -> features_0_1_transpose. */
static const char *value_name(Imp *m, const char *onnx)
{
    const char *sp = scope_path(onnx);
    const int *end = sp ? strmap_get(&m->scope_end, sp) : NULL;
    if (end && *end > m->at + 1) {
        const char *op = strrchr(onnx, '/') + 1, *o = strstr(op, "_output");
        char *s = arena_printf("%s.%.*s", sp, (int)(o ? o - op : (ptrdiff_t)strlen(op)), op);
        for (char *c = s; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        return fresh_name(m, s, "v");
    }
    if (sp)
        return fresh_name(m, sp, "v");
    const char *tail = path_tail(m, onnx);
    if (tail)
        return tail;
    size_t n = strlen(onnx);
    if (onnx[0] == '/' && n > 10 && !strcmp(onnx + n - 9, "_output_0")) { /* "/Relu_output_0" -> relu */
        char *s = arena_strndup(onnx + 1, n - 10);
        for (char *c = s; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        return fresh_name(m, s, "v");
    }
    if (!strncmp(onnx, "onnx::", 6))
        onnx += 6;
    return fresh_name(m, onnx, "v");
}

/* ------------------------------------------------------------ attributes */

static const char *const no_attrs[] = {NULL};

static Onnx__AttributeProto *attr(Imp *m, const char *name)
{
    for (size_t i = 0; i < m->node->n_attribute; i++)
        if (m->node->attribute[i]->name && !strcmp(m->node->attribute[i]->name, name))
            return m->node->attribute[i];
    return NULL;
}

static int64_t attr_int(Imp *m, const char *name, int64_t def)
{
    Onnx__AttributeProto *a = attr(m, name);
    return a ? a->i : def;
}

static double attr_float(Imp *m, const char *name, double def)
{
    Onnx__AttributeProto *a = attr(m, name);
    return a ? a->f : def;
}

static const char *attr_str(Imp *m, const char *name, const char *def)
{
    Onnx__AttributeProto *a = attr(m, name);
    return a ? arena_strndup((const char *)a->s.data, a->s.len) : def;
}

/* An INTS attribute: its count (0 when absent), values in *v. */
static int attr_ints(Imp *m, const char *name, const int64_t **v)
{
    Onnx__AttributeProto *a = attr(m, name);
    *v = a ? a->ints : NULL;
    return a ? (int)a->n_ints : 0;
}

/* Every attribute of the node is one the converter reads. */
static bool attrs_known(Imp *m, const char *const *known)
{
    for (size_t i = 0; i < m->node->n_attribute; i++) {
        const char *n = m->node->attribute[i]->name ? m->node->attribute[i]->name : "";
        bool ok = false;
        for (int k = 0; known[k] && !ok; k++)
            ok = !strcmp(n, known[k]);
        if (!ok)
            return node_error(m, "attribute '%s' is not supported", n);
    }
    return true;
}

/* ------------------------------------------------------------ constants */

static bool read_le(const uint8_t *p, int size, bool is_float, bool is_signed, double *out, int64_t *iout)
{
    uint64_t u = 0;
    for (int i = 0; i < size; i++)
        u |= (uint64_t)p[i] << (8 * i);
    if (is_float && size == 4) {
        float f;
        uint32_t w = (uint32_t)u;
        memcpy(&f, &w, 4);
        *out = f;
    } else if (is_float) {
        memcpy(out, &u, 8);
    } else {
        int64_t v = (int64_t)u;
        if (is_signed && size < 8 && (u >> (8 * size - 1)) & 1)
            v = (int64_t)(u | ~(((uint64_t)1 << (8 * size)) - 1));
        *iout = v;
        *out = (double)v;
    }
    return true;
}

/* A TensorProto as a constant; NULL (reported) for types or storage the
 * reader does not take. */
static Const *read_tensor(Imp *m, const Onnx__TensorProto *t)
{
    const char *tn = t->name ? t->name : "";
    if (t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) {
        node_error(m, "tensor '%s' is stored in an external file, which gsc does not read", tn);
        return NULL;
    }
    if (t->n_dims > MAX_CDIMS) {
        node_error(m, "tensor '%s' has %zu dimensions (at most %d)", tn, t->n_dims, MAX_CDIMS);
        return NULL;
    }
    Const *k = arena_alloc(sizeof *k);
    k->rank = (int)t->n_dims;
    k->count = 1;
    for (int i = 0; i < k->rank; i++) {
        if (t->dims[i] < 0 || (t->dims[i] && k->count > INT32_MAX / t->dims[i])) {
            node_error(m, "tensor '%s' has a bad or too large shape", tn);
            return NULL;
        }
        k->dims[i] = t->dims[i];
        k->count *= t->dims[i];
    }
    int size;
    bool fl = false, sg = true;
    switch (t->data_type) {
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT: size = 4, fl = true; break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: size = 8, fl = true; break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT64: size = 8; break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT32: size = 4; break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT8: size = 1; break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT8: size = 1, sg = false; break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__BOOL: size = 1, sg = false; break;
    default:
        node_error(m, "tensor '%s' has element type %d, which gsc does not take (float32, float64 and integers)", tn,
                   t->data_type);
        return NULL;
    }
    size_t have;
    if (t->has_raw_data)
        have = t->raw_data.len / (size_t)size;
    else if (t->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
        have = t->n_float_data;
    else if (t->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE)
        have = t->n_double_data;
    else if (t->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__INT64)
        have = t->n_int64_data;
    else
        have = t->n_int32_data;
    if (have != (size_t)k->count || (t->has_raw_data && t->raw_data.len != (size_t)k->count * (size_t)size)) {
        node_error(m, "tensor '%s' has %zu values, but its shape holds %lld", tn, have, (long long)k->count);
        return NULL;
    }
    k->f = xmalloc(sizeof(float) * (size_t)(k->count + 1));
    if (!fl)
        k->i = xmalloc(sizeof(int64_t) * (size_t)(k->count + 1));
    for (int64_t i = 0; i < k->count; i++) {
        double v = 0;
        int64_t iv = 0;
        if (t->has_raw_data) {
            read_le(t->raw_data.data + (size_t)i * (size_t)size, size, fl, sg, &v, &iv);
        } else if (t->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT) {
            v = t->float_data[i];
        } else if (t->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE) {
            v = t->double_data[i];
        } else if (t->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__INT64) {
            iv = t->int64_data[i], v = (double)iv;
        } else {
            iv = t->int32_data[i], v = (double)iv;
        }
        k->f[i] = (float)v;
        if (k->i)
            k->i[i] = iv;
    }
    return k;
}

/* A new constant of the given shape, integers too when ints. */
static Const *new_const(int rank, const int64_t *dims, bool ints)
{
    Const *k = arena_alloc(sizeof *k);
    k->rank = rank;
    k->count = 1;
    for (int i = 0; i < rank; i++)
        k->dims[i] = dims[i], k->count *= dims[i];
    k->f = xmalloc(sizeof(float) * (size_t)(k->count + 1));
    if (ints)
        k->i = xmalloc(sizeof(int64_t) * (size_t)(k->count + 1));
    return k;
}

/* ------------------------------------------------------------ values */

/* protobuf-c leaves an absent string NULL */
static const char *str(const char *s)
{
    return s ? s : "";
}

static Val *find(Imp *m, const char *name)
{
    name = str(name);
    int *ix = strmap_get(&m->vmap, name);
    return ix ? m->vals.v[*ix - 1] : NULL;
}

static Val *slot(Imp *m, const char *name)
{
    name = str(name);
    Val *v = find(m, name);
    if (v)
        return v;
    v = arena_alloc(sizeof *v);
    v->name = arena_printf("%s", name);
    vec_push(&m->vals, v);
    *strmap_put(&m->vmap, v->name) = m->vals.n;
    return v;
}

/* Output 0 of the node is the constant k. */
static bool define_const(Imp *m, Const *k)
{
    if (m->node->n_output < 1 || !*m->node->output[0]) {
        free(k->f), free(k->i);
        return node_error(m, "has no output");
    }
    Val *v = slot(m, m->node->output[0]);
    if (v->k && !v->shared)
        free(v->k->f), free(v->k->i);
    v->defined = true;
    v->k = k;
    v->shared = false;
    return true;
}

/* The steps of GELU as torch.onnx writes it: the erf form x * (1 + Erf(x /
 * sqrt 2)) * 0.5 (nn.GELU()) and the tanh form x * (1 + Tanh(sqrt(2 / pi) *
 * (x + 0.044715 * x * x * x))) * 0.5 (approximate="tanh"), in any operand
 * order; and of hardswish, x * Clip(x + 3, 0, 6) / 6 (or * 1/6). P_X2 and P_X3 (x * x, x * x * x) are tensors of their own too; the
 * others are only steps, refused anywhere but the next step. */
enum Pat {
    P_NONE,
    P_GELU,      /* finished: gelu(x) */
    P_GELU_TANH, /* finished: gelu_tanh(x) */
    P_HARDSWISH, /* finished: hardswish(x) */
    P_X2,        /* x * x */
    P_X3,        /* x * x * x */
    P_HALF,      /* x / 2 */
    P_E1,        /* x / sqrt 2 */
    P_E2,        /* erf(x / sqrt 2) */
    P_E3,        /* 1 + erf(x / sqrt 2) */
    P_E4,        /* x (1 + erf(x / sqrt 2)) */
    P_E5,        /* (1 + erf(x / sqrt 2)) / 2 */
    P_T3,        /* 0.044715 x^3 */
    P_T4,        /* x + 0.044715 x^3 */
    P_T5,        /* sqrt(2 / pi) (x + 0.044715 x^3) */
    P_T6,        /* tanh of that */
    P_T7,        /* 1 + tanh */
    P_T8,        /* x (1 + tanh) */
    P_T9,        /* (1 + tanh) / 2 */
    P_H1,        /* x + 3: hardswish as paddle2onnx writes it, x * Clip(x + 3, 0, 6) / 6 */
    P_H2,        /* Clip(x + 3, 0, 6) */
    P_H3,        /* x * Clip(x + 3, 0, 6) */
    P_L1,        /* a layer norm's ReduceMean(x) over the channels: the mean */
    P_L2,        /* x - mean (pd: this value) */
    P_L3,        /* (x - mean)^2 */
    P_L4,        /* the variance: ReduceMean((x - mean)^2) */
    P_L5,        /* variance + eps */
    P_L6,        /* Sqrt(variance + eps); (x - mean) / that is layernorm(c, eps=...) */
};

static bool pattern_step(const Val *v)
{
    return v->pat >= P_HALF;
}

/* v is a step of GELU's pattern, which this node does not continue. */
static bool pattern_refused(Imp *m, const Val *v)
{
    if (!pattern_step(v))
        return false;
    if (v->pat >= P_L1)
        return node_error(m, "operand '%s' is a step of a layer norm's pattern (ReduceMean over the channels, Sub, "
                             "Pow 2, ReduceMean, Add eps, Sqrt, Div), which gsc reads only as the whole pattern",
                          v->name);
    if (v->pat >= P_H1)
        return node_error(m, "operand '%s' is a step of hardswish's pattern (x * Clip(x + 3, 0, 6) / 6), which gsc "
                             "reads only as the whole pattern", v->name);
    return node_error(m, "operand '%s' is a step of GELU's pattern (x * 0.5 * (1 + Erf(x / sqrt(2))), or its tanh "
                         "form), which gsc reads only as the whole pattern", v->name);
}

/* Operand i of the node: defined, and a tensor unless want_const. */
static Val *operand(Imp *m, int i)
{
    if ((size_t)i >= m->node->n_input || !*m->node->input[i]) {
        node_error(m, "operand %d is missing", i + 1);
        return NULL;
    }
    Val *v = find(m, m->node->input[i]);
    if (!v || !v->defined) {
        node_error(m, "operand '%s' is not defined before the node (no input, initializer or earlier node)",
                   m->node->input[i]);
        return NULL;
    }
    /* a value that is a step of a pattern, not a tensor of its own */
    if (!m->takes_pattern && pattern_refused(m, v))
        return NULL;
    if (v->shuffle && !(i == 0 && m->takes_shuffle)) {
        node_error(m, "operand '%s' is part of a channel shuffle, which gsc reads only as the whole pattern "
                      "Reshape [1, g, c/g, h, w], Transpose (0, 2, 1, 3, 4), Reshape [1, c, h, w]", v->name);
        return NULL;
    }
    if (v->last && !m->takes_last) {
        node_error(m, "operand '%s' is a channels-last view (Transpose (0, 2, 3, 1)), which gsc takes only in a layer "
                      "norm, a MatMul by a constant, element-wise operators and the Transpose (0, 3, 1, 2) back",
                   v->name);
        return NULL;
    }
    if (v->pad && !(i == 0 && m->takes_pad)) {
        node_error(m, "operand '%s' is a Pad, which is supported only before a Conv or an AveragePool", v->name);
        return NULL;
    }
    return v;
}

static Val *tensor_operand(Imp *m, int i)
{
    Val *v = operand(m, i);
    if (v && v->k) {
        node_error(m, "operand '%s' is a constant; gsc computes only on the model's input", v->name);
        return NULL;
    }
    return v;
}

static Const *const_operand(Imp *m, int i, const char *what)
{
    Val *v = operand(m, i);
    if (v && !v->k) {
        node_error(m, "the %s ('%s') must be a constant (an initializer or a Constant node)", what, v->name);
        return NULL;
    }
    return v ? v->k : NULL;
}

static bool has_operand(Imp *m, int i)
{
    return (size_t)i < m->node->n_input && *m->node->input[i];
}

/* A list of integers given as the INTS attribute name (older opsets) or as
 * the constant operand i (newer ones): its count in *n (0 when neither). */
static bool ints_arg(Imp *m, const char *name, int i, const int64_t **v, int *n)
{
    *n = attr_ints(m, name, v);
    if (!has_operand(m, i))
        return true;
    Val *o = operand(m, i);
    if (o && !o->k)
        return node_error(m, "the %s ('%s') must be a constant (an initializer or a Constant node)", name, o->name);
    if (o && !o->k->i)
        return node_error(m, "the %s must be integers", name);
    if (o)
        *v = o->k->i, *n = (int)o->k->count;
    return o != NULL;
}

/* A dimension as the text says it: simplified for the sizes the input may
 * have (every symbol at least 1 while importing, so also under the final
 * 'where' bounds). */
static const char *dim_text(Imp *m, Dim *d)
{
    return dim_str(dim_simplify(d, &m->env), &m->env);
}

static const char *shape_text(Imp *m, int rank, Dim *const *d)
{
    Buf b = {0};
    buf_putc(&b, '[');
    for (int i = 0; i < rank; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", dim_text(m, d[i]));
    buf_putc(&b, ']');
    const char *s = arena_printf("%s", b.s);
    buf_free(&b);
    return s;
}

/* A statement; a let's shape (rank, d) is written or not once the sizes'
 * bounds are known (annotate). */
static void stmt(Imp *m, ImKind kind, const char *name, const char *expr, int rank, Dim *const *d)
{
    ImStmt *s = arena_alloc(sizeof *s);
    s->kind = kind;
    s->name = name;
    s->expr = expr;
    s->rank = rank;
    s->d = arena_alloc(sizeof(Dim *) * (size_t)(rank + 1));
    for (int i = 0; i < rank; i++)
        s->d[i] = d[i];
    s->from = m->node && m->node->name && *m->node->name ? arena_printf("%s", m->node->name) : NULL;
    vec_push(&m->im->stmts, s);
}

/* v becomes a let: its expression is written once, under a name. */
static void name_value(Imp *m, Val *v)
{
    const char *n = value_name(m, v->name);
    stmt(m, IM_LET, n, v->expr, v->rank, v->d);
    v->expr = n;
    v->depth = 0;
    v->sum = false;
}

/* Output k of the node is expr, of the given GraphSpec shape. A value used
 * more than once, or deep enough, becomes a let. */
static Val *define(Imp *m, int k, const char *expr, int depth, int rank, Dim *const *d)
{
    if ((size_t)k >= m->node->n_output)
        return NULL;
    Val *v = slot(m, m->node->output[k]);
    v->defined = true;
    v->rank = rank;
    for (int i = 0; i < rank; i++)
        v->d[i] = d[i];
    v->expr = expr;
    v->depth = depth;
    if (v->uses >= 2 || (depth >= 4 && v->uses >= 1))
        name_value(m, v);
    return v;
}

/* x's expression, for an operand of a call that has room for `room`
 * characters of it: a longer one is named by a let first (so that no line
 * of the text grows past what a reader takes in), unless x is not a value
 * of its own yet (a constant, or a step of a pattern a later node ends). */
static const char *operand_expr(Imp *m, Val *x, size_t room)
{
    if (strlen(x->expr) > room && !x->k && !pattern_step(x) && !x->shuffle && !x->pad && !x->gate_of &&
        !x->pool_src)
        name_value(m, x);
    return x->expr;
}

/* The same tensor under another name (Identity, Dropout, a no-op reshape). */
static bool alias(Imp *m, Val *in, int rank, Dim *const *d, bool pooled)
{
    Val *v = define(m, 0, in->expr, in->depth, rank, d);
    if (v) {
        v->pooled = pooled;
        v->sum = in->sum && v->expr == in->expr;
        v->last = in->last;
        v->fold = v->uses == 1 ? in->fold : NULL;
    }
    return true;
}

/* Is dimension a equal to b for every size? */
static bool dims_equal(Imp *m, Dim *a, Dim *b)
{
    return prove_eq(&m->env, a, b).res == PROVE_TRUE;
}

/* A dimension's value at the file's sizes; -1 when a symbol has none. */
static int64_t dim_at(Imp *m, Dim *d)
{
    bool ovf = false;
    for (int i = 0; i < m->env.nsyms; i++)
        if (m->defval[i] < 0)
            return dim_is_const(d, &(int64_t){0}) ? dim_eval(d, m->defval, &ovf) : -1;
    int64_t v = dim_eval(d, m->defval, &ovf);
    return ovf ? -1 : v;
}

static ImWeight *new_weight(Imp *m, const char *layer, const char *which, int64_t count)
{
    ImWeight *w = arena_alloc(sizeof *w);
    w->name = which ? arena_printf("%s.%s", layer, which) : layer; /* a param tensor: no suffix */
    w->count = count;
    w->data = xcalloc((size_t)(count ? count : 1), sizeof(float));
    vec_push(&m->im->weights, w);
    return w;
}

static const char *call1(const char *fn, const Val *x, const char *extra)
{
    return arena_printf("%s(%s%s)", fn, x->expr, extra ? extra : "");
}

/* ------------------------------------------------------------ operators */

/* A 2-D window: kernel and stride per axis (height, width), pads [top,
 * left, bottom, right] (ONNX's order and GraphSpec's). */
typedef struct {
    int64_t k[2], s[2], p[4], d[2]; /* d: Conv's dilation */
} ImWin;

/* opad: a ConvTranspose's output_padding (NULL for Conv and the pools):
 * its SAME_* pads stride*in - out cells, (k - 1)*d + 1 + opad - s, which
 * gsc takes only where that is 0 (ONNX's versions disagree on which side
 * gets the odd cell). */
static bool window_attrs(Imp *m, ImWin *w, const int64_t *wshape, const int64_t *opad)
{
    const int64_t *v;
    int n = attr_ints(m, "kernel_shape", &v);
    if (n == 0 && wshape)
        v = wshape, n = 2;
    if (n != 2 || v[0] < 1 || v[1] < 1)
        return node_error(m, "kernel_shape must have 2 values (a 2-D window)");
    w->k[0] = v[0], w->k[1] = v[1];
    n = attr_ints(m, "strides", &v);
    if (n && (n != 2 || v[0] < 1 || v[1] < 1))
        return node_error(m, "strides must have 2 values of 1 or more");
    w->s[0] = n ? v[0] : 1, w->s[1] = n ? v[1] : 1;
    n = attr_ints(m, "dilations", &v);
    if (n && (n != 2 || v[0] < 1 || v[1] < 1))
        return node_error(m, "dilations must have 2 values of 1 or more");
    w->d[0] = n ? v[0] : 1, w->d[1] = n ? v[1] : 1;
    if (!wshape && (w->d[0] != 1 || w->d[1] != 1))
        return node_error(m, "dilations other than 1 are not supported (gsc's pools have none)");
    const char *ap = attr_str(m, "auto_pad", "NOTSET");
    n = attr_ints(m, "pads", &v);
    memset(w->p, 0, sizeof w->p);
    if (opad && strcmp(ap, "NOTSET") && strcmp(ap, "VALID")) {
        for (int a = 0; a < 2; a++)
            if (w->d[a] * (w->k[a] - 1) + 1 + opad[a] != w->s[a])
                return node_error(m, "auto_pad %s is supported only where it pads nothing (stride = (k - 1)*dilation"
                                     " + 1 + output_padding); write pads", ap);
        return true;
    }
    if (strcmp(ap, "NOTSET") && strcmp(ap, "VALID")) {
        /* SAME_UPPER/LOWER at stride 1: k - 1 in all, the odd one after (UPPER) or before (LOWER) */
        bool upper = !strcmp(ap, "SAME_UPPER");
        if ((!upper && strcmp(ap, "SAME_LOWER")) || w->s[0] != 1 || w->s[1] != 1)
            return node_error(m, "auto_pad %s is supported at stride 1 only", ap);
        for (int a = 0; a < 2; a++) {
            int64_t t = w->d[a] * (w->k[a] - 1);
            w->p[a] = upper ? t / 2 : t - t / 2, w->p[a + 2] = t - w->p[a];
        }
        return true;
    }
    if (!strcmp(ap, "VALID") || n == 0)
        return true;
    if (n != 4)
        return node_error(m, "pads must have 4 values");
    for (int i = 0; i < 4; i++) {
        if (v[i] < 0)
            return node_error(m, "negative pads are not supported");
        w->p[i] = v[i];
    }
    return true;
}

/* The window rule on the two spatial axes of x: (h + top + bottom - k) / s
 * + 1, with the side condition h + top + bottom >= k recorded for the
 * 'where' bounds; with ceil (MaxPool's ceil_mode) the count rounds up:
 * (h + top + bottom + s - 1 - k) / s + 1, h + top + bottom + s - 1 >= k. */
static bool window_mode(Imp *m, const Val *x, const ImWin *w, bool ceil, Dim **out)
{
    for (int a = 1; a <= 2; a++) {
        int64_t k = w->d[a - 1] * (w->k[a - 1] - 1) + 1, s = w->s[a - 1], extra = w->p[a - 1] + w->p[a + 1] + (ceil ? s - 1 : 0);
        Dim *padded = dim_bin(DX_ADD, x->d[a], dim_num(extra));
        vec_push(&m->req_a, padded);
        vec_push(&m->req_b, dim_num(k));
        int64_t at = dim_at(m, padded);
        if (at >= 0 && at < k)
            return node_error(m, "the %lld-wide window does not fit the padded input (%lld)", (long long)k,
                              (long long)(at - (ceil ? s - 1 : 0)));
        out[a] = dim_bin(DX_ADD, dim_bin(DX_DIV, dim_bin(DX_SUB, padded, dim_num(k)), dim_num(s)), dim_num(1));
    }
    return true;
}

/* ", k=3, stride=2, pad=1" for w: a pair per axis, and pad=(top, left,
 * bottom, right), only where the axes or sides differ; defaults left out. */
static void window_text(Buf *b, const ImWin *w)
{
    const int64_t *p = w->p;
    buf_printf(b, w->k[0] == w->k[1] ? ", k=%lld" : ", k=(%lld, %lld)", (long long)w->k[0], (long long)w->k[1]);
    if (w->s[0] != 1 || w->s[1] != 1)
        buf_printf(b, w->s[0] == w->s[1] ? ", stride=%lld" : ", stride=(%lld, %lld)", (long long)w->s[0],
                   (long long)w->s[1]);
    if (p[0] == p[1] && p[0] == p[2] && p[0] == p[3]) {
        if (p[0])
            buf_printf(b, ", pad=%lld", (long long)p[0]);
    } else if (p[0] == p[2] && p[1] == p[3]) {
        buf_printf(b, ", pad=(%lld, %lld)", (long long)p[0], (long long)p[1]);
    } else {
        buf_printf(b, ", pad=(%lld, %lld, %lld, %lld)", (long long)p[0], (long long)p[1], (long long)p[2],
                   (long long)p[3]);
    }
    if (w->d[0] != 1 || w->d[1] != 1)
        buf_printf(b, w->d[0] == w->d[1] ? ", dilation=%lld" : ", dilation=(%lld, %lld)", (long long)w->d[0],
                   (long long)w->d[1]);
}

static bool want_image(Imp *m, const Val *x)
{
    if (x->rank != 3 || x->pooled)
        return node_error(m, "wants an NCHW image with a batch of 1, but its operand has shape %s",
                          shape_text(m, x->rank, x->d));
    return true;
}

/* The ONNX shape of a tensor value: the batch of 1, then its GraphSpec
 * shape ([1, c, 1, 1] when pooled). */
static int onnx_shape(const Val *x, Dim **d)
{
    d[0] = dim_num(1);
    for (int i = 0; i < x->rank; i++)
        d[i + 1] = x->d[i];
    int rank = x->rank + 1;
    if (x->pooled)
        d[2] = d[3] = dim_num(1), rank = 4;
    if (x->last) { /* [1, h, w, c] */
        Dim *c = d[1];
        d[1] = d[2], d[2] = d[3], d[3] = c;
    }
    return rank;
}

/* The ONNX axis of x's channels: 1, or the last one of a channels-last view. */
static int channel_axis(const Val *x)
{
    return x->last ? 3 : 1;
}

/* A Conv on the pooled vector (a squeeze-and-excitation gate) takes the
 * [c, 1, 1] image of a pool whose window is the whole input instead:
 * avgpool2d(x, k=h), or adaptive_avgpool2d(x, size=1) when h = w is not
 * proved. The pooled value must be used only there. */
static Val *unpooled(Imp *m, Val *x)
{
    if (!x || !x->pooled || !x->pool_src || x->uses != 1 || x->expr != x->pool_expr)
        return x;
    const Val *src = x->pool_src;
    Val *v = arena_alloc(sizeof *v);
    *v = *x;
    v->pooled = false;
    v->rank = 3;
    v->d[0] = src->d[0], v->d[1] = v->d[2] = dim_num(1);
    const char *h = dim_text(m, src->d[1]);
    v->expr = dims_equal(m, src->d[1], src->d[2]) ? arena_printf("avgpool2d(%s, k=%s)", src->expr, h)
                                                  : arena_printf("adaptive_avgpool2d(%s, size=1)", src->expr);
    v->depth = src->depth + 1;
    return v;
}

/* A Conv's or ConvTranspose's weight and bias (zeros without one) as the
 * layer's tensors, kept foldable (Fold; taps as Fold.taps). */
static Fold *conv_weights(Imp *m, const char *name, const Const *w, const Const *b, int64_t cout, int64_t per,
                          int64_t taps)
{
    Fold *f = arena_alloc(sizeof *f);
    f->cout = cout;
    f->per = per;
    f->taps = taps;
    f->w = new_weight(m, name, "weight", w->count);
    f->b = new_weight(m, name, "bias", cout);
    memcpy(f->w->data, w->f, sizeof(float) * (size_t)w->count);
    if (b)
        memcpy(f->b->data, b->f, sizeof(float) * (size_t)cout);
    return f;
}

/* The layer whose declaration d holds so far (its closing parenthesis to
 * come), applied to x: the node's output, foldable by f when used once. */
static bool conv_layer(Imp *m, const char *name, Buf *d, const Val *x, Dim *const *out, Fold *f)
{
    buf_putc(d, ')');
    stmt(m, IM_LAYER, name, arena_printf("%s", d->s), 0, NULL);
    buf_free(d);
    Val *v = define(m, 0, arena_printf("%s(%s)", name, x->expr), x->depth + 1, 3, out);
    if (v && v->uses == 1)
        v->fold = f;
    return true;
}

/* The operand's channels are the weight's cin; the bias, if any, has cout
 * values (*b, else NULL). */
static bool conv_operands(Imp *m, const Val *x, int64_t cin, int64_t cout, Const **b)
{
    if (!dims_equal(m, x->d[0], dim_num(cin)))
        return node_error(m, "the weight has %lld input channels, the operand %s", (long long)cin,
                          dim_text(m, x->d[0]));
    *b = has_operand(m, 2) ? const_operand(m, 2, "bias") : NULL;
    if (has_operand(m, 2) && (!*b || (*b)->count != cout))
        return *b ? node_error(m, "the bias must have %lld values", (long long)cout) : false;
    return true;
}

static bool op_conv(Imp *m)
{
    static const char *const known[] = {"kernel_shape", "strides", "pads", "dilations", "group", "auto_pad", NULL};
    Val *x = unpooled(m, tensor_operand(m, 0));
    Const *w = x ? const_operand(m, 1, "weight") : NULL;
    if (!w || !attrs_known(m, known) || !want_image(m, x))
        return false;
    if (w->rank != 4)
        return node_error(m, "the weight must have 4 dimensions [cout, cin, kh, kw]");
    int64_t g = attr_int(m, "group", 1), cout = w->dims[0], cin = w->dims[1] * g;
    if (g < 1 || cout % g)
        return node_error(m, "group %lld does not divide the %lld output channels", (long long)g, (long long)cout);
    ImWin win;
    if (!window_attrs(m, &win, w->dims + 2, NULL))
        return false;
    for (int i = 0; i < 4; i++)
        win.p[i] += x->pad;
    if (win.k[0] != w->dims[2] || win.k[1] != w->dims[3])
        return node_error(m, "kernel_shape does not match the weight");
    Const *b;
    if (!conv_operands(m, x, cin, cout, &b))
        return false;
    Dim *out[3] = {dim_num(cout)};
    if (!window_mode(m, x, &win, false, out))
        return false;
    const char *name = layer_name(m, m->node->input[1]);
    Fold *f = conv_weights(m, name, w, b, cout, w->dims[1] * win.k[0] * win.k[1], 0);
    Buf d = {0};
    buf_printf(&d, "conv2d(%lld -> %lld", (long long)cin, (long long)cout);
    window_text(&d, &win);
    if (g != 1)
        buf_printf(&d, ", groups=%lld", (long long)g);
    return conv_layer(m, name, &d, x, out, f);
}

/* ConvTranspose (group 1) as conv_transpose2d: the weight [cin, cout, kh,
 * kw] as it is, output_padding as output_pad; each axis (h - 1)*s - pads
 * + (k - 1)*d + output_padding + 1, at least 1 cell (a 'where' bound). A
 * per-channel Add, Mul or BatchNormalization after it folds into it as
 * into a Conv (fold_weight reads its [cin, cout, kh, kw] layout).
 * output_shape is refused (pads and output_padding say the same). */
static bool op_conv_transpose(Imp *m)
{
    static const char *const known[] = {"kernel_shape", "strides", "pads", "dilations", "group", "auto_pad",
                                        "output_padding", "output_shape", NULL};
    Val *x = tensor_operand(m, 0);
    Const *w = x ? const_operand(m, 1, "weight") : NULL;
    if (!w || !attrs_known(m, known) || !want_image(m, x))
        return false;
    if (attr(m, "output_shape"))
        return node_error(m, "output_shape is not supported; write the same size with pads and output_padding");
    if (w->rank != 4)
        return node_error(m, "the weight must have 4 dimensions [cin, cout, kh, kw]");
    if (attr_int(m, "group", 1) != 1)
        return node_error(m, "group %lld is not supported (conv_transpose2d is dense: group 1)",
                          (long long)attr_int(m, "group", 1));
    int64_t cin = w->dims[0], cout = w->dims[1], opad[2] = {0, 0};
    const int64_t *op;
    int n = attr_ints(m, "output_padding", &op);
    if (n && (n != 2 || op[0] < 0 || op[1] < 0))
        return node_error(m, "output_padding must have 2 values of 0 or more");
    if (n)
        opad[0] = op[0], opad[1] = op[1];
    ImWin win;
    if (!window_attrs(m, &win, w->dims + 2, opad))
        return false;
    if (win.k[0] != w->dims[2] || win.k[1] != w->dims[3])
        return node_error(m, "kernel_shape does not match the weight");
    for (int a = 0; a < 2; a++)
        if (opad[a] >= win.s[a])
            return node_error(m, "output_padding %lld is not below the stride %lld", (long long)opad[a],
                              (long long)win.s[a]);
    Const *b;
    if (!conv_operands(m, x, cin, cout, &b))
        return false;
    Dim *out[3] = {dim_num(cout)};
    for (int a = 1; a <= 2; a++) {
        int64_t extra = win.d[a - 1] * (win.k[a - 1] - 1) + opad[a - 1] + 1, cut = win.p[a - 1] + win.p[a + 1];
        Dim *full = dim_bin(DX_ADD, dim_bin(DX_MUL, dim_bin(DX_SUB, x->d[a], dim_num(1)), dim_num(win.s[a - 1])),
                            dim_num(extra));
        vec_push(&m->req_a, full);
        vec_push(&m->req_b, dim_num(cut + 1));
        int64_t at = dim_at(m, full);
        if (at >= 0 && at <= cut)
            return node_error(m, "the pads (%lld) leave no cell of the %lld-wide output", (long long)cut, (long long)at);
        out[a] = dim_bin(DX_SUB, full, dim_num(cut));
    }
    const char *name = layer_name(m, m->node->input[1]);
    Fold *f = conv_weights(m, name, w, b, cout, cin * win.k[0] * win.k[1], win.k[0] * win.k[1]);
    Buf d = {0};
    buf_printf(&d, "conv_transpose2d(%lld -> %lld", (long long)cin, (long long)cout);
    window_text(&d, &win);
    if (opad[0] || opad[1])
        buf_printf(&d, opad[0] == opad[1] ? ", output_pad=%lld" : ", output_pad=(%lld, %lld)", (long long)opad[0],
                   (long long)opad[1]);
    return conv_layer(m, name, &d, x, out, f);
}

/* The weight [out][in] (alpha B, or alpha B^T for transB) and bias (beta C,
 * or 0) of a layer named name, kept foldable. */
static Fold *matrix_weights(Imp *m, const char *name, const Const *B, bool transB, double alpha, const Const *C,
                            double beta)
{
    int64_t in = transB ? B->dims[1] : B->dims[0], out = transB ? B->dims[0] : B->dims[1];
    Fold *f = arena_alloc(sizeof *f);
    f->cout = out;
    f->per = in;
    f->w = new_weight(m, name, "weight", in * out);
    f->b = new_weight(m, name, "bias", out);
    for (int64_t o = 0; o < out; o++) {
        for (int64_t i = 0; i < in; i++)
            f->w->data[o * in + i] = (float)(alpha * (transB ? B->f[o * in + i] : B->f[i * out + o]));
        f->b->data[o] = C ? (float)(beta * C->f[C->count == 1 ? 0 : o]) : 0.0f;
    }
    return f;
}

/* y = W x + b from a constant matrix: Gemm (alpha, beta, transB) and
 * MatMul (then bias 0). */
static bool linear_from(Imp *m, Val *x, Const *B, bool transB, double alpha, Const *C, double beta)
{
    if (x->rank != 1)
        return node_error(m, "wants a [1, n] matrix (the batch of 1 and a vector), but its operand has shape %s",
                          shape_text(m, x->rank, x->d));
    if (B->rank != 2)
        return node_error(m, "the weight must be a matrix");
    int64_t in = transB ? B->dims[1] : B->dims[0], out = transB ? B->dims[0] : B->dims[1];
    if (!dims_equal(m, x->d[0], dim_num(in)))
        return node_error(m, "the weight takes %lld inputs, the operand has %s", (long long)in,
                          dim_text(m, x->d[0]));
    if (C && C->count != out && C->count != 1)
        return node_error(m, "the bias C must have 1 or %lld values", (long long)out);
    const char *name = layer_name(m, transB ? m->node->input[1] : NULL);
    Fold *f = matrix_weights(m, name, B, transB, alpha, C, beta);
    stmt(m, IM_LAYER, name, arena_printf("linear(%lld -> %lld)", (long long)in, (long long)out), 0, NULL);
    Dim *d[1] = {dim_num(out)};
    Val *v = define(m, 0, arena_printf("%s(%s)", name, x->expr), x->depth + 1, 1, d);
    if (v && v->uses == 1)
        v->fold = f;
    return true;
}

static bool op_gemm(Imp *m)
{
    static const char *const known[] = {"alpha", "beta", "transA", "transB", NULL};
    Val *x = tensor_operand(m, 0);
    Const *B = x ? const_operand(m, 1, "matrix B") : NULL;
    if (!B || !attrs_known(m, known))
        return false;
    if (attr_int(m, "transA", 0))
        return node_error(m, "transA=1 is not supported (the input is a row vector)");
    Const *C = has_operand(m, 2) ? const_operand(m, 2, "bias C") : NULL;
    if (has_operand(m, 2) && !C)
        return false;
    return linear_from(m, x, B, attr_int(m, "transB", 0) != 0, attr_float(m, "alpha", 1.0), C,
                       attr_float(m, "beta", 1.0));
}

/* x B on a channels-last view [1, h, w, c] by a constant [c, c'] (PyTorch's
 * nn.Linear between ConvNeXt's permutes): conv2d(c -> c', k=1), its weight
 * B transposed and bias 0 (an Add of [c'] after it folds in), channels last
 * still. */
static bool pointwise_from(Imp *m, Val *x, const Const *B)
{
    if (x->rank != 3 || x->pooled)
        return node_error(m, "a MatMul of a channels-last view is supported only on an image [1, h, w, c]");
    if (B->rank != 2)
        return node_error(m, "the weight must be a matrix");
    if (!dims_equal(m, x->d[0], dim_num(B->dims[0])))
        return node_error(m, "the weight takes %lld inputs, the operand has %s channels", (long long)B->dims[0],
                          dim_text(m, x->d[0]));
    const char *name = layer_name(m, NULL);
    Fold *f = matrix_weights(m, name, B, false, 1.0, NULL, 0.0);
    Buf d = {0};
    buf_printf(&d, "conv2d(%lld -> %lld, k=1", (long long)B->dims[0], (long long)B->dims[1]);
    Dim *out[3] = {dim_num(B->dims[1]), x->d[1], x->d[2]};
    conv_layer(m, name, &d, x, out, f);
    Val *v = find(m, m->node->output[0]);
    if (v)
        v->last = true;
    return true;
}

static bool op_matmul(Imp *m)
{
    m->takes_last = true;
    Val *x = tensor_operand(m, 0);
    Const *B = x ? const_operand(m, 1, "matrix B") : NULL;
    if (!B || !attrs_known(m, no_attrs))
        return false;
    return x->last ? pointwise_from(m, x, B) : linear_from(m, x, B, false, 1.0, NULL, 0.0);
}

/* The per-channel values of a constant that broadcasts against [1, c, ...]
 * (or [1, h, w, c] when last), or a scalar: NULL when it does not. */
static const float *per_channel(const Const *k, int64_t c, int out_rank, bool last, int64_t *step)
{
    if (k->count == 1) {
        *step = 0;
        return k->f;
    }
    if (k->count != c || k->rank > 4)
        return NULL;
    if (last) { /* [c], [1, c], ... [1, 1, 1, c] */
        for (int i = 0; i + 1 < k->rank; i++)
            if (k->dims[i] != 1)
                return NULL;
        *step = 1;
        return k->f;
    }
    /* [c], [c, 1, 1], [1, c, 1, 1] for an image; [c] or [1, c] for a vector */
    int lead = 0;
    while (lead < k->rank && k->dims[lead] == 1)
        lead++;
    int trail = k->rank - lead - 1;
    for (int i = lead + 1; i < k->rank; i++)
        if (k->dims[i] != 1)
            return NULL;
    if (trail != (out_rank == 3 ? 2 : 0) && !(out_rank == 1 && k->rank == 1))
        return NULL;
    *step = 1;
    return k->f;
}

/* x op k for a scalar or per-channel constant k on an image x that no
 * layer before takes (paddle2onnx's learnable affine blocks, y * a + b after
 * an activation): a param tensor [1, 1, 1] or [c, 1, 1] holding k, and
 * mul, add or sub of x and it (x / k as x * (1 / k)). */
static bool const_param(Imp *m, Val *x, const Const *k, char op, bool k_first)
{
    int64_t c = 0, step = 0;
    const float *v = x->rank == 3 && !x->pooled && dim_is_const(x->d[0], &c) ? per_channel(k, c, 3, x->last, &step)
                                                                              : NULL;
    if (!v || (k_first && op == '/'))
        return node_error(m, "a constant operand is supported only per channel, right after a Conv, Gemm or "
                             "MatMul whose output has no other use, or as a scalar or per-channel constant times, "
                             "plus or minus an image");
    int64_t n = step ? c : 1;
    const char *name = layer_name(m, m->node->input[k_first ? 0 : 1]);
    ImWeight *w = new_weight(m, name, NULL, n);
    for (int64_t i = 0; i < n; i++)
        w->data[i] = op == '/' ? 1.0f / v[i] : v[i];
    stmt(m, IM_LAYER, name, arena_printf("param(%lld, 1, 1, init=0.0)", (long long)n), 0, NULL);
    const char *fn = op == '+' ? "add" : op == '-' ? "sub" : "mul";
    const char *e = k_first && op == '-' ? arena_printf("sub(%s, %s)", name, x->expr)
                                         : arena_printf("%s(%s, %s)", fn, x->expr, name);
    Val *r = define(m, 0, e, x->depth + 1, x->rank, x->d);
    if (r)
        r->last = x->last;
    return true;
}

/* x op k for a constant k per output channel of the layer before x,
 * folded into that layer's weights; else a param tensor. */
static bool fold_const(Imp *m, Val *x, const Const *k, char op, bool k_first)
{
    int64_t step;
    const float *c = x->fold ? per_channel(k, x->fold->cout, x->rank, x->last, &step) : NULL;
    if (!c || (k_first && (op == '-' || op == '/')))
        return const_param(m, x, k, op, k_first);
    Fold *f = x->fold;
    for (int64_t o = 0; o < f->cout; o++) {
        float v = c[o * step];
        if (op == '+' || op == '-') {
            f->b->data[o] += op == '+' ? v : -v;
            continue;
        }
        float s = op == '*' ? v : 1.0f / v;
        for (int64_t i = 0; i < f->per; i++)
            *fold_weight(f, o, i) *= s;
        f->b->data[o] *= s;
    }
    alias(m, x, x->rank, x->d, x->pooled);
    return true;
}

/* When the shapes a and b (of one rank, from axis `from` on) differ for
 * some sizes but agree where every size symbol is a multiple of 2^k (the
 * least k up to 10):
 * "; they agree where H and W are multiples of 32: import with --symbolic
 * H=2:32,W=3:32" for the error; else "". */
static const char *multiple_hint(Imp *m, int from, int rank, Dim *const *a, Dim *const *b)
{
    int n = m->env.nsyms;
    if (n == 0)
        return "";
    int64_t *old = arena_alloc(sizeof(int64_t) * (size_t)n);
    for (int i = 0; i < n; i++)
        old[i] = m->env.syms[i].step > 1 ? m->env.syms[i].step : 1;
    int64_t found = 0;
    for (int64_t p = 2; p <= 1024 && !found; p *= 2) {
        for (int i = 0; i < n; i++)
            m->env.syms[i].step = dim_lcm(old[i], p);
        bool ok = true;
        for (int r = from; r < rank && ok; r++)
            ok = dims_equal(m, a[r], b[r]);
        if (ok)
            found = p;
    }
    Buf names = {0}, spec = {0};
    for (int i = 0; i < n; i++) {
        if (found) {
            buf_printf(&names, "%s%s", i == 0 ? "" : i == n - 1 ? " and " : ", ", m->env.syms[i].name);
            buf_printf(&spec, "%s%s=%d:%lld", i ? "," : "", m->env.syms[i].name, m->axis[i],
                       (long long)m->env.syms[i].step);
        }
        m->env.syms[i].step = old[i] > 1 ? old[i] : 0;
    }
    const char *h = found ? arena_printf("; they agree where %s %s multiples of %lld: import with --symbolic %s",
                                         names.s, n > 1 ? "are" : "is", (long long)found, spec.s)
                          : "";
    buf_free(&names);
    buf_free(&spec);
    return h;
}

/* a and b have the same GraphSpec shape for all sizes */
static bool same_shape(Imp *m, const Val *a, const Val *b)
{
    bool same = a->rank == b->rank && a->pooled == b->pooled && a->last == b->last;
    for (int i = 0; same && i < a->rank; i++)
        same = dims_equal(m, a->d[i], b->d[i]);
    return same;
}

/* The SiLU and HardSwish patterns: x * Sigmoid(x), x * HardSigmoid(x) (as
 * PyTorch exports hardswish before opset 14), the gate used only here. */
static const Val *gated_by(const Val *a, const Val *b)
{
    return b->gate_of == a && b->uses == 1 && b->expr == b->gate_expr ? a : NULL;
}

/* a op b on two tensors: mul, sub, maximum, minimum, or add, with the
 * language's broadcasting (equal ranks, each axis equal or 1 in one
 * operand, for all sizes); x * Sigmoid(x) is silu(x), x * HardSigmoid(x)
 * hardswish(x). */
static bool tensor_binary(Imp *m, Val *a, Val *b, char op)
{
    const char *fn = op == '*' ? "mul" : op == '-' ? "sub" : op == '>' ? "maximum" : op == '<' ? "minimum" : op == '+' ? "add" : NULL;
    if (!fn)
        return node_error(m, "%s of two tensors is not supported (only Add, Sub, Mul, Max, Min)", m->node->op_type);
    const Val *x = op == '*' ? gated_by(a, b) : NULL, *gate = b;
    if (!x && op == '*')
        x = gated_by(b, a), gate = a;
    if (x) {
        Val *v = define(m, 0, call1(gate->gated, x, NULL), x->depth + 1, x->rank, x->d);
        if (v)
            v->pooled = x->pooled, v->last = x->last;
        return true;
    }
    if (a->last != b->last)
        return node_error(m, "%s of a channels-last view and a tensor that is not one is not supported",
                          m->node->op_type);
    bool ok = a->rank == b->rank && a->pooled == b->pooled;
    Dim *d[MAX_RANK];
    for (int i = 0; ok && i < a->rank; i++) {
        if (dims_equal(m, a->d[i], b->d[i]) || dims_equal(m, b->d[i], dim_num(1)))
            d[i] = a->d[i];
        else if (dims_equal(m, a->d[i], dim_num(1)))
            d[i] = b->d[i];
        else
            ok = false;
    }
    if (!ok)
        return node_error(m, "%s of shapes %s and %s: they do not broadcast (equal ranks, each axis equal or 1 in "
                             "one operand, for all sizes)%s",
                          m->node->op_type, shape_text(m, a->rank, a->d), shape_text(m, b->rank, b->d),
                          a->rank == b->rank ? multiple_hint(m, 0, a->rank, a->d, b->d) : "");
    const char *ea = operand_expr(m, a, MAX_OPERANDS / 2), *eb = operand_expr(m, b, MAX_OPERANDS / 2);
    Val *v = define(m, 0, arena_printf("%s(%s, %s)", fn, ea, eb), (a->depth > b->depth ? a->depth : b->depth) + 1,
                    a->rank, d);
    if (v)
        v->pooled = a->pooled, v->last = a->last;
    return true;
}

/* a op b of two constants (the shape arithmetic of torch.onnx's exports:
 * Shape, Gather, Add, Div, Mul ...): equal counts, or one of a single
 * value; integers as ONNX computes them (Div truncates). */
static bool fold_consts(Imp *m, const Const *a, const Const *b, char op)
{
    if (op != '+' && op != '-' && op != '*' && op != '/')
        return node_error(m, "%s of two constants is not supported", m->node->op_type);
    if (a->count != b->count && a->count != 1 && b->count != 1)
        return node_error(m, "constants of %lld and %lld values: gsc folds only equal counts or a single value",
                          (long long)a->count, (long long)b->count);
    const Const *big = b->count > a->count || (b->count == a->count && b->rank > a->rank) ? b : a;
    bool ints = a->i && b->i;
    Const *k = new_const(big->rank, big->dims, ints);
    for (int64_t j = 0; j < k->count; j++) {
        int64_t ia = a->count == 1 ? 0 : j, ib = b->count == 1 ? 0 : j;
        if (!ints) {
            float x = a->f[ia], y = b->f[ib];
            k->f[j] = op == '+' ? x + y : op == '-' ? x - y : op == '*' ? x * y : x / y;
            continue;
        }
        int64_t x = a->i[ia], y = b->i[ib];
        if (x > INT32_MAX || x < -INT32_MAX || y > INT32_MAX || y < -INT32_MAX || (op == '/' && y == 0)) {
            free(k->f), free(k->i);
            return node_error(m, "%s of the integers %lld and %lld is not supported (a division by 0 or values past "
                                 "2^31)", m->node->op_type, (long long)x, (long long)y);
        }
        k->i[j] = op == '+' ? x + y : op == '-' ? x - y : op == '*' ? x * y : x / y;
        k->f[j] = (float)k->i[j];
    }
    return define_const(m, k);
}

/* Output 0 of the node as a step of a pattern on x (GELU's, the channel
 * shuffle's, a layer norm's): of the given shape, x's expression, used
 * `uses` times (the pattern's next steps). */
static Val *step_value(Imp *m, const Val *x, int rank, Dim *const *d, const char *what, int uses)
{
    Val *v = m->node->n_output && *m->node->output[0] ? slot(m, m->node->output[0]) : NULL;
    if (!v) {
        node_error(m, "has no output");
        return NULL;
    }
    if (v->uses != uses) {
        node_error(m, "%s used %d times is not supported", what, v->uses);
        return NULL;
    }
    v->defined = true;
    v->rank = rank;
    for (int i = 0; i < rank; i++)
        v->d[i] = d[i];
    v->pooled = x->pooled;
    v->last = x->last;
    v->expr = x->expr;
    v->depth = x->depth;
    return v;
}

/* Output 0 of the node is step pat of a pattern on x (a finished pattern is
 * gelu(x), gelu_tanh(x) or hardswish(x)). */
static bool pattern_define(Imp *m, const Val *x, int pat)
{
    if (pat == P_GELU || pat == P_GELU_TANH || pat == P_HARDSWISH) {
        const char *fn = pat == P_GELU ? "gelu" : pat == P_GELU_TANH ? "gelu_tanh" : "hardswish";
        Val *v = define(m, 0, call1(fn, x, NULL), x->depth + 1, x->rank, x->d);
        if (v)
            v->pooled = x->pooled, v->last = x->last;
        return true;
    }
    Val *v = step_value(m, x, x->rank, x->d, pat >= P_H1 ? "a step of hardswish's pattern" : "a step of GELU's pattern",
                         1);
    if (!v)
        return false;
    v->pat = pat;
    v->px = x;
    return true;
}

/* v op k, for a scalar constant k, as a step of a pattern: 1 when it is one
 * (and defined), 0 when not. */
static int pattern_const(Imp *m, Val *v, const Const *k, char op, bool k_first)
{
    static const struct {
        int from;
        char op;
        double c;
        int to;
    } steps[] = {
        {P_E2, '+', 1.0, P_E3},       {P_E3, '*', 0.5, P_E5},       {P_E3, '/', 2.0, P_E5},
        {P_E4, '*', 0.5, P_GELU},     {P_E4, '/', 2.0, P_GELU},     {P_X3, '*', 0.044715, P_T3},
        {P_T4, '*', 0.7978845608028654, P_T5}, {P_T6, '+', 1.0, P_T7}, {P_T7, '*', 0.5, P_T9},
        {P_T7, '/', 2.0, P_T9},       {P_T8, '*', 0.5, P_GELU_TANH}, {P_T8, '/', 2.0, P_GELU_TANH},
        {P_H3, '/', 6.0, P_HARDSWISH}, {P_H3, '*', 0.16666666666666666, P_HARDSWISH},
        /* from the tensor x itself */
        {P_NONE, '/', 1.4142135623730951, P_E1}, {P_NONE, '*', 0.7071067811865476, P_E1},
        {P_NONE, '*', 0.5, P_HALF},   {P_NONE, '/', 2.0, P_HALF},   {P_NONE, '+', 3.0, P_H1},
    };
    if (k->count != 1 || (k_first && op == '/'))
        return 0;
    for (int i = 0; i < countof(steps); i++) {
        bool from_x = steps[i].from == P_NONE;
        if (steps[i].op != op || (from_x ? pattern_step(v) || v->fold : v->pat != steps[i].from) ||
            fabs(k->f[0] - steps[i].c) > 1e-6 * steps[i].c)
            continue;
        return pattern_define(m, from_x ? v : v->px, steps[i].to) ? 1 : -1;
    }
    return 0;
}

/* a op b of two tensors as a step of a pattern: 1 when it is one (and
 * defined), -1 on an error, 0 when not. */
static int pattern_tensors(Imp *m, Val *a, Val *b, char op)
{
    static const struct {
        char op;
        int a, b; /* P_NONE: x itself */
        int to;
    } steps[] = {
        {'*', P_NONE, P_E3, P_E4},      {'*', P_NONE, P_E5, P_GELU},      {'*', P_HALF, P_E3, P_GELU},
        {'*', P_NONE, P_T7, P_T8},      {'*', P_NONE, P_T9, P_GELU_TANH}, {'*', P_HALF, P_T7, P_GELU_TANH},
        {'+', P_NONE, P_T3, P_T4},      {'*', P_NONE, P_NONE, P_X2},      {'*', P_NONE, P_X2, P_X3},
        {'*', P_NONE, P_H2, P_H3},
    };
    for (int i = 0; i < countof(steps); i++) {
        for (int swap = 0; swap < 2; swap++) {
            const Val *p = swap ? b : a, *q = swap ? a : b;
            const Val *x = steps[i].a == P_NONE ? p : p->px;
            bool ok = steps[i].op == op && (steps[i].a == P_NONE ? !pattern_step(p) : p->pat == steps[i].a) &&
                      (steps[i].b == P_NONE ? q == p && !pattern_step(q) : q->pat == steps[i].b && q->px == x);
            if (!ok)
                continue;
            if (steps[i].to == P_X2 || steps[i].to == P_X3) { /* a tensor too: mul(x, x), mul(x, mul(x, x)) */
                if (!tensor_binary(m, a, b, op))
                    return -1;
                Val *v = find(m, m->node->output[0]);
                if (v)
                    v->pat = steps[i].to, v->px = x;
                return 1;
            }
            return pattern_define(m, x, steps[i].to) ? 1 : -1;
        }
    }
    return 0;
}

/* Output 0 of the node is step pat of a layer norm's pattern (ReduceMean
 * over the channels, Sub, Pow 2, ReduceMean, Add eps, Sqrt, Div) of px,
 * from x: its x - mean pd, its epsilon eps. */
static bool norm_step(Imp *m, const Val *x, int pat, const Val *px, const Val *pd, float eps)
{
    Val *v = step_value(m, x, x->rank, x->d, pat == P_L2 ? "x - mean of a layer norm's pattern (the Pow's and the "
                        "Div's operand)" : "a step of a layer norm's pattern", pat == P_L2 ? 2 : 1);
    if (!v)
        return false;
    v->pat = pat, v->px = px, v->pd = pd, v->eps = eps;
    return true;
}

/* a op b as a step of a layer norm's pattern: 1 when it is one (and
 * defined), -1 on an error, 0 when not. x - mean is used by the Pow and
 * the Div alone; the Div of it by the Sqrt of its own variance ends the
 * pattern: layernorm(c, eps=...), weight 1 and bias 0 until the Mul and
 * Add after it fold in. */
static bool layernorm_layer(Imp *m, const Val *x, const char *weight, float eps, const Const *w, const Const *b);

static int pattern_norm(Imp *m, Val *a, Val *b, char op)
{
    Val *t = a->k ? b : a;
    const Const *k = a->k ? a->k : b->k;
    if (op == '-' && !a->k && b->pat == P_L1 && b->px == a)
        return norm_step(m, a, P_L2, a, NULL, 0) ? 1 : -1;
    if (op == '+' && k && !(a->k && b->k) && t->pat == P_L4) {
        if (k->count != 1) {
            node_error(m, "the epsilon of a layer norm's pattern must be a scalar constant, not %lld values",
                       (long long)k->count);
            return -1;
        }
        return norm_step(m, t, P_L5, t->px, t->pd, k->f[0]) ? 1 : -1;
    }
    if (op == '/' && a->pat == P_L2 && b->pat == P_L6 && b->pd == a)
        return layernorm_layer(m, b->px, NULL, b->eps, NULL, NULL) ? 1 : -1;
    return 0;
}

static bool op_binary(Imp *m, char op)
{
    m->takes_pattern = true;
    m->takes_last = true;
    if (!attrs_known(m, no_attrs))
        return false;
    Val *a = operand(m, 0), *b = a ? operand(m, 1) : NULL;
    if (!b)
        return false;
    if (a->k && b->k)
        return fold_consts(m, a->k, b->k, op);
    int step = pattern_norm(m, a, b, op);
    if (step)
        return step > 0;
    step = a->k || b->k ? pattern_const(m, a->k ? b : a, a->k ? a->k : b->k, op, a->k != NULL)
                            : pattern_tensors(m, a, b, op);
    if (step)
        return step > 0;
    if (pattern_refused(m, a) || pattern_refused(m, b))
        return false;
    if (a->k || b->k)
        return fold_const(m, a->k ? b : a, a->k ? a->k : b->k, op, a->k != NULL);
    if (op != '+' || !same_shape(m, a, b))
        return tensor_binary(m, a, b, op);
    const char *ea = operand_expr(m, a, MAX_OPERANDS / 2), *eb = operand_expr(m, b, MAX_OPERANDS / 2);
    Val *v = define(m, 0, arena_printf("%s + %s", ea, b->sum ? arena_printf("(%s)", eb) : eb),
                    (a->depth > b->depth ? a->depth : b->depth) + 1, a->rank, a->d);
    if (v) {
        v->pooled = a->pooled, v->last = a->last;
        v->sum = v->expr != a->expr && v->expr[0] != 0 && strchr(v->expr, '+');
    }
    return true;
}

static bool op_add(Imp *m) { return op_binary(m, '+'); }
static bool op_sub(Imp *m) { return op_binary(m, '-'); }
static bool op_mul(Imp *m) { return op_binary(m, '*'); }
static bool op_div(Imp *m) { return op_binary(m, '/'); }

static const char *real_text(float v);

/* clip's arguments for the bounds [lo, hi] (each within float32's range):
 * a bound that is float32's largest value is clip's default, left out
 * (clip(x, min=-0.4)), unless both are. */
static const char *clip_args(float lo, float hi)
{
    bool l = lo > -FLT_MAX, h = hi < FLT_MAX;
    return arena_printf("%s%s%s%s", l || !h ? ", min=" : "", l || !h ? real_text(lo) : "", h || !l ? ", max=" : "",
                        h || !l ? real_text(hi) : "");
}

/* Max and Min of two tensors, or of a tensor and one constant value c (a
 * bound: tf2onnx's tf.maximum(x, c)): Max is clip(x, min=c) (relu where c
 * is 0), Min clip(x, max=c), as Clip with one bound (the other float32's
 * largest value). The variadic forms of more or fewer operands are not read. */
static bool op_maxmin(Imp *m)
{
    bool max = !strcmp(m->node->op_type, "Max");
    if (m->node->n_input != 2)
        return node_error(m, "%zu operands are not supported (only 2)", m->node->n_input);
    if (!attrs_known(m, no_attrs))
        return false;
    Val *a = operand(m, 0), *b = a ? operand(m, 1) : NULL;
    if (!b)
        return false;
    if (!a->k || !b->k) {
        Val *x = a->k ? b : a;
        const Const *k = a->k ? a->k : b->k;
        if (!k)
            return tensor_binary(m, a, b, max ? '>' : '<');
        Dim *od[MAX_RANK + 1];
        if (k->count != 1 || k->rank > onnx_shape(x, od))
            return node_error(m, "a constant operand of %lld values is not supported (only one value, a bound)",
                              (long long)k->count);
        float c = k->f[0];
        if (!isfinite(c))
            return node_error(m, "the bound %g is not supported (only a finite one)", (double)c);
        const char *e = max && c == 0.0f ? call1("relu", x, NULL)
                        : call1("clip", x, clip_args(max ? c : -FLT_MAX, max ? FLT_MAX : c));
        Val *v = define(m, 0, e, x->depth + 1, x->rank, x->d);
        if (v)
            v->pooled = x->pooled;
        return true;
    }
    return tensor_operand(m, 0) != NULL; /* two constants: refused, naming the first */
}

/* A float32 as a GraphSpec real literal: the shortest text that reads back
 * as the same float, with a '.' or an exponent ("0.2", "6.0", "1e-05"). */
static const char *real_text(float v)
{
    char *s = NULL;
    for (int digits = 6; digits <= 9; digits++) {
        s = arena_printf("%.*g", digits, (double)v);
        if ((float)strtod(s, NULL) == v)
            break;
    }
    return strpbrk(s, ".e") ? s : arena_printf("%s.0", s);
}

/* The epsilon attribute (> 0) as a layer's eps argument: ", eps=..." unless
 * it is the default 1e-5; false (reported) when it is not > 0. */
static bool eps_value(Imp *m, float eps, const char **e)
{
    *e = "";
    if (!(eps > 0))
        return node_error(m, "epsilon %g is not supported (it must be > 0)", (double)eps);
    *e = eps != (float)1e-5 ? arena_printf(", eps=%s", real_text(eps)) : "";
    return true;
}

static bool eps_argument(Imp *m, const char **e)
{
    return eps_value(m, (float)attr_float(m, "epsilon", 1e-5), e);
}

/* A BatchNormalization that no Conv before it takes: batchnorm_eval(c),
 * its four tensors named as PyTorch's state_dict. */
static bool batchnorm_eval(Imp *m, Val *x, Const *const *k)
{
    int64_t c;
    if (!want_image(m, x))
        return false;
    if (!dim_is_const(x->d[0], &c))
        return node_error(m, "the channels must be a constant");
    static const char *const what[] = {"weight", "bias", "running_mean", "running_var"};
    for (int i = 0; i < 4; i++)
        if (k[i]->count != c)
            return node_error(m, "the %s must have %lld values", what[i], (long long)c);
    const char *name = layer_name(m, m->node->input[1]);
    for (int i = 0; i < 4; i++)
        memcpy(new_weight(m, name, what[i], c)->data, k[i]->f, sizeof(float) * (size_t)c);
    const char *e;
    if (!eps_argument(m, &e))
        return false;
    stmt(m, IM_LAYER, name, arena_printf("batchnorm_eval(%lld%s)", (long long)c, e), 0, NULL);
    define(m, 0, call1(name, x, NULL), x->depth + 1, x->rank, x->d);
    return true;
}

/* layernorm(c, eps=...) of x, an image or a vector whose channels are c:
 * weight and bias from w and b (1 and 0 when NULL), named by the node's
 * scope (or weight, the scale's name); a per-channel Mul or Add after it
 * (the affine step of a decomposed layer norm) folds into them. */
static bool layernorm_layer(Imp *m, const Val *x, const char *weight, float eps, const Const *w, const Const *b)
{
    int64_t c;
    const char *e;
    if ((x->rank != 3 || x->pooled) && x->rank != 1)
        return node_error(m, "a layer norm of %s is not supported (gsc's layernorm takes an image or a vector)",
                          shape_text(m, x->rank, x->d));
    if (!dim_is_const(x->d[0], &c))
        return node_error(m, "the channels must be a constant");
    if ((w && w->count != c) || (b && b->count != c))
        return node_error(m, "the scale and the bias must have %lld values", (long long)c);
    if (!eps_value(m, eps, &e))
        return false;
    const char *name = weight || scope_path(m->node->name) ? layer_name(m, weight) : fresh_name(m, "norm", "layer");
    Fold *f = arena_alloc(sizeof *f);
    f->cout = c, f->per = 1;
    f->w = new_weight(m, name, "weight", c);
    f->b = new_weight(m, name, "bias", c);
    for (int64_t i = 0; i < c; i++)
        f->w->data[i] = w ? w->f[i] : 1.0f, f->b->data[i] = b ? b->f[i] : 0.0f;
    stmt(m, IM_LAYER, name, arena_printf("layernorm(%lld%s)", (long long)c, e), 0, NULL);
    Val *v = define(m, 0, call1(name, x, NULL), x->depth + 1, x->rank, x->d);
    if (v)
        v->pooled = x->pooled, v->last = x->last, v->fold = v->uses == 1 ? f : NULL;
    return true;
}

/* LayerNormalization (opset 17) over the channels alone: axis 1 of a vector
 * [1, c] (PyTorch's nn.LayerNorm after a Flatten) or of [1, c, 1, 1] (a
 * pooled value), the last axis of a channels-last view [1, h, w, c] (a
 * Transpose (0, 2, 3, 1) before it, as ConvNeXt's blocks): layernorm(c,
 * eps=...), Scale and B (0 when absent) as its .weight and .bias. Over
 * other axes it is no layernorm of gsc's (which normalises each position's
 * channels). */
static bool op_layernorm(Imp *m)
{
    static const char *const known[] = {"axis", "epsilon", "stash_type", NULL};
    m->takes_last = true;
    Val *x = tensor_operand(m, 0);
    if (!x || !attrs_known(m, known))
        return false;
    for (size_t i = 1; i < m->node->n_output; i++)
        if (*m->node->output[i])
            return node_error(m, "the mean and inverse standard deviation outputs are not supported");
    Dim *od[MAX_RANK + 1];
    int orank = onnx_shape(x, od), ch = channel_axis(x);
    int64_t axis = attr_int(m, "axis", -1);
    axis = axis < 0 ? axis + orank : axis;
    bool ok = axis >= 1 && axis <= ch;
    for (int i = (int)axis; ok && i < orank; i++)
        ok = i == ch || dims_equal(m, od[i], dim_num(1));
    if (!ok)
        return node_error(m, "a layer norm over axes %lld to %d of %s is not supported (gsc's layernorm normalises "
                             "over the channels alone: axis 1 of [1, c] or of [1, c, 1, 1], axis 3 of [1, h, w, c])",
                          (long long)axis, orank - 1, shape_text(m, orank, od));
    Const *s = const_operand(m, 1, "scale"), *b = has_operand(m, 2) ? const_operand(m, 2, "bias") : NULL;
    if (!s || (has_operand(m, 2) && !b))
        return false;
    return layernorm_layer(m, x, m->node->input[1], (float)attr_float(m, "epsilon", 1e-5), s, b);
}

static bool op_batchnorm(Imp *m)
{
    static const char *const known[] = {"epsilon", "momentum", "training_mode", "spatial", NULL};
    Val *x = tensor_operand(m, 0);
    if (!x || !attrs_known(m, known))
        return false;
    if (attr_int(m, "training_mode", 0))
        return node_error(m, "training_mode=1 is not supported (an inference model is expected)");
    if (!attr_int(m, "spatial", 1))
        return node_error(m, "spatial=0 (statistics per element, before opset 9) is not supported");
    if (m->node->n_output > 1 && *m->node->output[1])
        return node_error(m, "the running-statistics outputs are not supported");
    Const *k[4];
    static const char *const what[] = {"scale", "bias", "mean", "variance"};
    for (int i = 0; i < 4; i++)
        if (!(k[i] = const_operand(m, i + 1, what[i])))
            return false;
    if (!x->fold || x->rank != 3)
        return batchnorm_eval(m, x, k);
    Fold *f = x->fold;
    for (int i = 0; i < 4; i++)
        if (k[i]->count != f->cout)
            return node_error(m, "the %s must have %lld values", what[i], (long long)f->cout);
    double eps = attr_float(m, "epsilon", 1e-5);
    for (int64_t o = 0; o < f->cout; o++) {
        double s = k[0]->f[o] / sqrt((double)k[3]->f[o] + eps);
        for (int64_t i = 0; i < f->per; i++)
            *fold_weight(f, o, i) = (float)(*fold_weight(f, o, i) * s);
        f->b->data[o] = (float)((f->b->data[o] - k[2]->f[o]) * s + k[1]->f[o]);
    }
    alias(m, x, x->rank, x->d, false);
    return true;
}

/* An elementwise activation fn(x, args) of the node's one operand (args
 * NULL or ", name=value ..."). */
static bool unary_args(Imp *m, const char *fn, const char *args, const char *const *known)
{
    m->takes_last = true; /* element-wise: any layout */
    Val *x = tensor_operand(m, 0);
    if (!x || !attrs_known(m, known))
        return false;
    Val *v = define(m, 0, call1(fn, x, args), x->depth + 1, x->rank, x->d);
    if (v)
        v->pooled = x->pooled, v->last = x->last;
    if (v && (!strcmp(fn, "sigmoid") || !strcmp(fn, "hardsigmoid")))
        v->gate_of = x, v->gate_expr = v->expr, v->gated = fn[0] == 's' ? "silu" : "hardswish";
    return true;
}

static bool unary(Imp *m, const char *fn, const char *const *known) { return unary_args(m, fn, NULL, known); }

static bool op_relu(Imp *m) { return unary(m, "relu", no_attrs); }
static bool op_sigmoid(Imp *m) { return unary(m, "sigmoid", no_attrs); }
/* Tanh, or the step of GELU's tanh form */
static bool op_tanh(Imp *m)
{
    m->takes_pattern = true;
    m->takes_last = true;
    Val *x = operand(m, 0);
    if (x && x->pat == P_T5 && attrs_known(m, no_attrs))
        return pattern_define(m, x->px, P_T6);
    if (!x || pattern_refused(m, x))
        return false;
    return unary(m, "tanh", no_attrs);
}

/* The one operand of an operator read only as step pat of a pattern (Erf,
 * Sqrt); NULL (reported: what) when it is not that. */
static Val *step_operand(Imp *m, int pat, const char *what)
{
    m->takes_pattern = true;
    m->takes_last = true;
    Val *x = operand(m, 0);
    if (!x || !attrs_known(m, no_attrs))
        return NULL;
    if (x->pat != pat) {
        node_error(m, "%s is supported only in %s", m->node->op_type, what);
        return NULL;
    }
    return x;
}

/* Erf: only as the step of GELU's erf form */
static bool op_erf(Imp *m)
{
    Val *x = step_operand(m, P_E1, "GELU's pattern x * 0.5 * (1 + Erf(x / sqrt(2)))");
    return x && pattern_define(m, x->px, P_E2);
}
static bool op_hardswish(Imp *m) { return unary(m, "hardswish", no_attrs); }

/* Pow(x, 2): the square of a layer norm's pattern, else mul(x, x) (x named
 * by a let first unless it is a name). Other exponents are not supported. */
static bool op_pow(Imp *m)
{
    m->takes_pattern = true;
    m->takes_last = true;
    Val *x = tensor_operand(m, 0);
    Const *e = x ? const_operand(m, 1, "exponent") : NULL;
    if (!e || !attrs_known(m, no_attrs))
        return false;
    if (e->count != 1 || e->f[0] != 2.0f)
        return node_error(m, "exponent %s is not supported (only the scalar 2)",
                          e->count == 1 ? real_text(e->f[0]) : arena_printf("of %lld values", (long long)e->count));
    if (x->pat == P_L2)
        return norm_step(m, x, P_L3, x->px, x, 0);
    if (pattern_refused(m, x))
        return false;
    if (x->depth)
        name_value(m, x);
    return tensor_binary(m, x, x, '*');
}

/* Sqrt: only the step of a layer norm's pattern (GraphSpec has no sqrt) */
static bool op_sqrt(Imp *m)
{
    Val *x = step_operand(m, P_L5, "a layer norm's pattern (x - mean) / Sqrt(ReduceMean((x - mean)^2) + eps)");
    return x && norm_step(m, x, P_L6, x->px, x->pd, x->eps);
}

/* HardSigmoid max(0, min(1, alpha x + beta)): PyTorch's hardsigmoid is
 * alpha = 1/6, beta = 0.5 (as float32, as the exporter writes them). */
static bool op_hardsigmoid(Imp *m)
{
    static const char *const known[] = {"alpha", "beta", NULL};
    m->takes_last = true; /* element-wise: any layout; the fold below is per channel */
    float alpha = (float)attr_float(m, "alpha", 0.2), beta = (float)attr_float(m, "beta", 0.5);
    if (alpha == (float)(1.0 / 6) && beta == 0.5f)
        return unary(m, "hardsigmoid", known);
    /* Others (paddle2onnx writes alpha 0.2) right after a layer whose output
     * has no other use: clip(a z + b, 0, 1) is hardsigmoid(6a z + 6b - 3),
     * the scale and shift folded into the layer. */
    Val *x = tensor_operand(m, 0);
    if (!x || !attrs_known(m, known))
        return false;
    Fold *f = x->fold;
    if (!f)
        return node_error(m, "alpha %g and beta %g are not supported where no Conv, Gemm or MatMul whose output has "
                             "no other use comes before it (PyTorch's alpha 1/6 and beta 0.5 are, anywhere)",
                          (double)alpha, (double)beta);
    double a = 6.0 * alpha, b = 6.0 * beta - 3.0;
    for (int64_t o = 0; o < f->cout; o++) {
        for (int64_t i = 0; i < f->per; i++)
            *fold_weight(f, o, i) = (float)(*fold_weight(f, o, i) * a);
        f->b->data[o] = (float)(f->b->data[o] * a + b);
    }
    return unary(m, "hardsigmoid", known);
}

/* Clip: min and max as attributes (opset < 11) or constant operands.
 * Clip(0, 6) is relu6, Clip(0, none) relu, other bounds clip(x, min=, max=)
 * (an absent bound is float32's largest value, clip's default: left out). */
static bool op_clip(Imp *m)
{
    m->takes_last = true; /* element-wise: any layout (its bounds are constants) */
    bool old = m->opset < 11; /* the default bounds are then -FLT_MAX and FLT_MAX */
    float lo = (float)attr_float(m, "min", old ? -FLT_MAX : -INFINITY);
    float hi = (float)attr_float(m, "max", old ? FLT_MAX : INFINITY);
    if (old && m->node->n_input > 1)
        return node_error(m, "takes one operand before opset 11 (min and max are attributes)");
    for (int i = 1; i <= 2; i++) {
        if (!has_operand(m, i))
            continue;
        Const *k = const_operand(m, i, i == 1 ? "min" : "max");
        if (!k)
            return false;
        if (k->count != 1)
            return node_error(m, "the %s must be one value", i == 1 ? "min" : "max");
        *(i == 1 ? &lo : &hi) = k->f[0];
    }
    static const char *const attrs[] = {"min", "max", NULL};
    const char *const *known = old ? attrs : no_attrs;
    m->takes_pattern = true; /* Clip(x + 3, 0, 6) is a step of hardswish */
    Val *x = operand(m, 0);
    if (!x || !attrs_known(m, known))
        return false;
    if (x->pat == P_H1 && lo == 0.0f && hi == 6.0f)
        return pattern_define(m, x->px, P_H2);
    if (pattern_refused(m, x))
        return false;
    if (lo == 0.0f && hi == 6.0f)
        return unary(m, "relu6", known);
    if (lo == 0.0f && hi == INFINITY)
        return unary(m, "relu", known);
    if (isnan(lo) || isnan(hi) || lo > hi)
        return node_error(m, "bounds [%g, %g] are not supported (min must be at most max)", (double)lo, (double)hi);
    if (lo == -INFINITY && hi == INFINITY) {
        Val *x = tensor_operand(m, 0);
        return x && attrs_known(m, known) && alias(m, x, x->rank, x->d, x->pooled);
    }
    lo = lo < -FLT_MAX ? -FLT_MAX : lo;
    hi = hi > FLT_MAX ? FLT_MAX : hi;
    return unary_args(m, "clip", clip_args(lo, hi), known);
}

/* LeakyRelu: leaky_relu(x), alpha= when it is not PyTorch's 0.01. */
static bool op_leaky_relu(Imp *m)
{
    float alpha = (float)attr_float(m, "alpha", 0.01);
    return unary_args(m, "leaky_relu", alpha == 0.01f ? NULL : arena_printf(", alpha=%s", real_text(alpha)),
                      (const char *const[]){"alpha", NULL});
}

static bool op_pool(Imp *m, bool max)
{
    static const char *const known[] = {"kernel_shape", "strides", "pads", "dilations", "auto_pad", "ceil_mode",
                                        "count_include_pad", "storage_order", NULL};
    Val *x = tensor_operand(m, 0);
    if (!x || !attrs_known(m, known) || !want_image(m, x))
        return false;
    if (m->node->n_output > 1 && *m->node->output[1])
        return node_error(m, "the Indices output is not supported");
    if (attr_int(m, "storage_order", 0))
        return node_error(m, "storage_order=1 is not supported");
    ImWin w;
    if (!window_attrs(m, &w, NULL, NULL))
        return false;
    bool padded = w.p[0] || w.p[1] || w.p[2] || w.p[3];
    if (x->pad && (padded || attr_int(m, "ceil_mode", 0)))
        return node_error(m, "a Pad before a padded or ceil_mode pool is not supported");
    if (x->pad) /* zeros counted in the average: count_include_pad */
        w.p[0] = w.p[1] = w.p[2] = w.p[3] = x->pad;
    bool count_pad = x->pad || max || attr_int(m, "count_include_pad", 0);
    for (int a = 0; a < 2 && padded && !count_pad; a++)
        if (w.k[a] <= w.p[a] || w.k[a] <= w.p[a + 2])
            return node_error(m, "count_include_pad=0 with a window %lld not wider than its padding: a window of "
                                 "padding alone would have no cells to divide by", (long long)w.k[a]);
    /* ceil_mode: the floor size where the two agree for the file's (constant)
     * sizes; else, for MaxPool, ceil=1, whose condition k >= pad + stride
     * per axis (no last window starting in the padding) the language proves */
    bool ceil = false;
    for (int a = 1; a <= 2 && attr_int(m, "ceil_mode", 0); a++) {
        int64_t h;
        ceil |= !dim_is_const(x->d[a], &h) || (h + w.p[a - 1] + w.p[a + 1] - w.k[a - 1]) % w.s[a - 1];
    }
    for (int a = 0; a < 2 && ceil; a++)
        if (w.k[a] < w.p[a + 2] + w.s[a])
            return node_error(m, "ceil_mode=1 with a window %lld smaller than pad + stride (%lld): PyTorch drops a "
                                 "last window that starts in the padding, which gsc's ceil=1 does not take",
                              (long long)w.k[a], (long long)(w.p[a + 2] + w.s[a]));
    Dim *out[3] = {x->d[0]};
    if (!window_mode(m, x, &w, ceil, out))
        return false;
    Buf e = {0};
    window_text(&e, &w);
    if (ceil)
        buf_printf(&e, ", ceil=1");
    if (padded && !count_pad)
        buf_printf(&e, ", count_pad=0");
    operand_expr(m, x, e.len < MAX_OPERANDS ? MAX_OPERANDS - e.len : 0);
    define(m, 0, call1(max ? "maxpool2d" : "avgpool2d", x, arena_printf("%s", e.s)), x->depth + 1, 3, out);
    buf_free(&e);
    return true;
}

static bool op_maxpool(Imp *m) { return op_pool(m, true); }

static bool op_avgpool(Imp *m)
{
    m->takes_pad = true;
    return op_pool(m, false);
}

static bool op_conv_padded(Imp *m)
{
    m->takes_pad = true;
    return op_conv(m);
}

/* Resize (opsets 11 to 17) and Upsample (its opset-9 form) by integer
 * factors on H and W, 1 on N and C, given as constant scales or sizes:
 * upsample (mode nearest) or upsample_bilinear (mode linear). With output
 * o = s*i + r (0 <= r < s) the source coordinate x is, per
 * coordinate_transformation_mode, i + r/s (asymmetric), i + (r + 0.5)/s - 0.5
 * (half_pixel, pytorch_half_pixel; out = 1 only when in = s = 1) or
 * i + (r + 0.5)/s (tf_half_pixel_for_nn). Replication reads cell i: floor
 * of the first and third gives it (r/s and (r + 0.5)/s are in [0, 1)), and
 * rounding the second does with either tie rule ((r + 0.5)/s - 0.5 lies
 * strictly between -0.5 and 0.5); every other pair reads a neighbour for
 * some r once s > 1 (ceil of i + r/s is i + 1 for r > 0), and is refused.
 * Linear with half_pixel or pytorch_half_pixel is align_corners=0 (ONNX's
 * edge cells beyond the border are PyTorch's clamp), with align_corners 1. */
static bool resize_factors(Imp *m, const Val *x, int64_t *f)
{
    bool upsample = !strcmp(m->node->op_type, "Upsample");
    int si = upsample ? 1 : 2;
    Const *k = NULL;
    bool sizes = false;
    if (has_operand(m, si) && !(k = const_operand(m, si, "scales")))
        return false;
    if ((!k || !k->count) && !upsample && has_operand(m, 3)) {
        if (!(k = const_operand(m, 3, "sizes")))
            return false;
        sizes = true;
    }
    if (!k || k->count != 4)
        return node_error(m, "wants 4 %s (N, C, H, W), not %lld", sizes ? "sizes" : "scales",
                          (long long)(k ? k->count : 0));
    if (sizes && !k->i)
        return node_error(m, "the sizes must be integers");
    Dim *od[MAX_RANK + 1];
    onnx_shape(x, od);
    for (int a = 0; a < 4; a++) {
        int64_t in = 1;
        if (sizes && !dim_is_const(od[a], &in))
            return node_error(m, "sizes on the symbolic axis %s: gsc needs a constant factor, as scales give it",
                              dim_str(od[a], &m->env));
        f[a] = sizes ? k->i[a] / in : (int64_t)k->f[a];
        bool whole = sizes ? k->i[a] == f[a] * in : (double)k->f[a] == (double)f[a];
        if (!whole || f[a] < 1 || (a < 2 && f[a] != 1)) {
            const char *v = sizes ? arena_printf("size %lld (the input's %lld)", (long long)k->i[a], (long long)in)
                                  : arena_printf("scale %s", real_text(k->f[a]));
            return node_error(m, "the %s on axis %d: gsc reads 1 on N and C and integer factors >= 1 on H and W", v,
                              a);
        }
    }
    return true;
}

static bool op_resize(Imp *m)
{
    static const char *const known[] = {"mode", "coordinate_transformation_mode", "nearest_mode", "cubic_coeff_a",
                                        "exclude_outside", "extrapolation_value", NULL};
    bool upsample = !strcmp(m->node->op_type, "Upsample");
    if (!upsample && m->opset < 11)
        return node_error(m, "Resize of opset 10 is not supported (gsc reads Resize of opsets 11 and later)");
    Val *x = tensor_operand(m, 0);
    if (!x || !attrs_known(m, upsample ? (const char *const[]){"mode", NULL} : known) || !want_image(m, x))
        return false;
    const char *mode = attr_str(m, "mode", "nearest");
    const char *ct = upsample ? "asymmetric" : attr_str(m, "coordinate_transformation_mode", "half_pixel");
    const char *nm = upsample ? "floor" : attr_str(m, "nearest_mode", "round_prefer_floor");
    bool linear = !strcmp(mode, "linear"), half = !strcmp(ct, "half_pixel") || !strcmp(ct, "pytorch_half_pixel");
    if (strcmp(mode, "nearest") && !linear)
        return node_error(m, "mode '%s' is not supported (nearest or linear)", mode);
    if (attr_int(m, "exclude_outside", 0))
        return node_error(m, "exclude_outside=1 is not supported");
    if (linear && !half && strcmp(ct, "align_corners"))
        return node_error(m, "coordinate_transformation_mode '%s' with mode linear is not supported (half_pixel, "
                             "pytorch_half_pixel or align_corners)", ct);
    bool floor_ok = !strcmp(nm, "floor") && (!strcmp(ct, "asymmetric") || !strcmp(ct, "tf_half_pixel_for_nn"));
    bool round_ok = half && (!strcmp(nm, "round_prefer_floor") || !strcmp(nm, "round_prefer_ceil"));
    if (!linear && !floor_ok && !round_ok)
        return node_error(m, "coordinate_transformation_mode '%s' with nearest_mode '%s' is not a replication by "
                             "integer factors (gsc reads asymmetric or tf_half_pixel_for_nn with floor, half_pixel "
                             "or pytorch_half_pixel with round_prefer_floor or round_prefer_ceil)", ct, nm);
    int64_t f[4];
    if (!resize_factors(m, x, f))
        return false;
    Dim *out[3] = {x->d[0], dim_bin(DX_MUL, x->d[1], dim_num(f[2])), dim_bin(DX_MUL, x->d[2], dim_num(f[3]))};
    const char *sc = f[2] == f[3] ? arena_printf(", scale=%lld", (long long)f[2])
                                  : arena_printf(", scale=(%lld, %lld)", (long long)f[2], (long long)f[3]);
    if (linear && !half)
        sc = arena_printf("%s, align_corners=1", sc);
    define(m, 0, call1(linear ? "upsample_bilinear" : "upsample", x, sc), x->depth + 1, 3, out);
    return true;
}

/* Pad by zeros, equal on both spatial axes and sides, kept pending for the
 * Conv or AveragePool that uses it (no pad is a no-op). */
static bool op_pad(Imp *m)
{
    Val *x = tensor_operand(m, 0);
    if (!x || !attrs_known(m, (const char *const[]){"mode", "pads", "value", NULL}))
        return false;
    if (strcmp(attr_str(m, "mode", "constant"), "constant"))
        return node_error(m, "mode '%s' is not supported (only constant zeros)", attr_str(m, "mode", ""));
    const int64_t *p;
    int n = attr_ints(m, "pads", &p);
    if (has_operand(m, 1)) {
        Const *k = const_operand(m, 1, "pads");
        if (!k || !k->i)
            return k ? node_error(m, "the pads must be integers") : false;
        p = k->i, n = (int)k->count;
    }
    float value = (float)attr_float(m, "value", 0.0);
    if (has_operand(m, 2)) {
        Const *k = const_operand(m, 2, "constant_value");
        if (!k)
            return false;
        value = k->count ? k->f[0] : 0.0f;
    }
    if (has_operand(m, 3))
        return node_error(m, "the axes operand is not supported");
    Dim *od[MAX_RANK + 1];
    int orank = onnx_shape(x, od);
    if (n != 2 * orank)
        return node_error(m, "wants %d pads, not %d", 2 * orank, n);
    bool zero = true;
    for (int i = 0; i < n; i++)
        zero &= p[i] == 0;
    if (zero)
        return alias(m, x, x->rank, x->d, x->pooled);
    if (value != 0.0f || orank != 4 || x->pooled || p[0] || p[1] || p[4] || p[5] || p[2] != p[3] || p[2] != p[6] ||
        p[2] != p[7] || p[2] < 0)
        return node_error(m, "only zeros equal on every side of the two spatial axes are supported");
    if (x->pad)
        return node_error(m, "a Pad of a Pad is not supported");
    Val *v = define(m, 0, x->expr, x->depth, x->rank, x->d);
    if (v && v->expr != x->expr)
        return node_error(m, "a Pad whose output is used more than once is not supported");
    if (v)
        v->pad = p[2];
    return true;
}

static bool op_global_avgpool(Imp *m)
{
    Val *x = tensor_operand(m, 0);
    if (!x || !attrs_known(m, no_attrs) || !want_image(m, x))
        return false;
    Val *v = define(m, 0, call1("global_avgpool", x, NULL), x->depth + 1, 1, x->d);
    if (v)
        v->pooled = true, v->pool_src = x, v->pool_expr = v->expr;
    return true;
}

/* ReduceMean over the two spatial axes: global_avgpool (keepdims=1 the
 * pooled [1, c, 1, 1], else the vector [1, c]); over the channels alone
 * (keepdims=1): the mean or the variance of a layer norm's pattern. */
static bool op_reduce_mean(Imp *m)
{
    m->takes_pattern = true;
    m->takes_last = true;
    Val *x = tensor_operand(m, 0);
    if (!x || !attrs_known(m, (const char *const[]){"axes", "keepdims", NULL}))
        return false;
    const int64_t *ax;
    int n = attr_ints(m, "axes", &ax);
    Dim *od[MAX_RANK + 1];
    int orank = onnx_shape(x, od);
    if (n == 1 && (ax[0] < 0 ? ax[0] + orank : ax[0]) == channel_axis(x) && (x->pat == P_L3 || !pattern_step(x))) {
        if (!attr_int(m, "keepdims", 1))
            return node_error(m, "a mean over the channels is supported only with keepdims=1, in a layer norm's "
                                 "pattern");
        return x->pat == P_L3 ? norm_step(m, x, P_L4, x->px, x->pd, 0) : norm_step(m, x, P_L1, x, NULL, 0);
    }
    if (pattern_refused(m, x))
        return false;
    if (x->last)
        return node_error(m, "a mean of the channels-last view %s is supported only over its channels (axis 3), in "
                             "a layer norm's pattern", shape_text(m, orank, od));
    if (!want_image(m, x))
        return false;
    bool hw = n == 2;
    for (int i = 0; hw && i < 2; i++)
        hw = (ax[i] + 4) % 4 != ax[1 - i] && ((ax[i] + 4) % 4 == 2 || (ax[i] + 4) % 4 == 3);
    if (!hw)
        return node_error(m, "only a mean over the two spatial axes (axes 2 and 3) or over the channels (axis 1, in "
                             "a layer norm's pattern) is supported");
    bool keep = attr_int(m, "keepdims", 1) != 0;
    Val *v = define(m, 0, call1("global_avgpool", x, NULL), x->depth + 1, 1, x->d);
    if (v && keep)
        v->pooled = true, v->pool_src = x, v->pool_expr = v->expr;
    return true;
}

/* A reshape of x to the ONNX shape [rank]d: a no-op, flatten, or the
 * pooled vector; anything else has no GraphSpec form here. */
static bool reshape_to(Imp *m, Val *x, int rank, Dim **d)
{
    if (rank < 1 || !dims_equal(m, d[0], dim_num(1)))
        return node_error(m, "the result %s does not keep the batch of 1 in front", shape_text(m, rank, d));
    if (rank == 2) {
        if (x->rank == 1) /* the pooled vector, or a vector */
            return alias(m, x, 1, d + 1, false);
        define(m, 0, call1("flatten", x, NULL), x->depth + 1, 1, d + 1);
        return true;
    }
    if (rank == 4 && x->rank == 1 && dims_equal(m, d[1], x->d[0]) && dims_equal(m, d[2], dim_num(1)) &&
        dims_equal(m, d[3], dim_num(1)))
        return alias(m, x, 1, x->d, true);
    bool same = rank - 1 == x->rank && !x->pooled;
    for (int i = 0; same && i < x->rank; i++)
        same = dims_equal(m, d[i + 1], x->d[i]);
    if (same)
        return alias(m, x, x->rank, x->d, false);
    Dim *od[MAX_RANK + 1];
    int orank = onnx_shape(x, od);
    /* ONNX's Reshape keeps the values in their order, as gsc's layout does:
     * the graph's input, read by this Reshape alone, is declared in the
     * Reshape's shape (tf2onnx's NHWC [1, h, w, 1] as NCHW [1, 1, h, w]) ... */
    if (x->input && x->uses == 1 && rank >= 2) {
        m->im->in_file = m->im->in_shape;
        x->rank = rank - 1;
        for (int i = 0; i < x->rank; i++)
            x->d[i] = d[i + 1];
        m->im->in_shape = shape_text(m, x->rank, x->d);
        return alias(m, x, x->rank, x->d, false);
    }
    /* ... and the graph's output, this Reshape's result used nowhere else, is
     * its values in that order, flatten(x) (or x, a vector) */
    if (!strcmp(m->node->output[0], m->output) && slot(m, m->output)->uses == 1) {
        Dim *n = dim_num(1);
        for (int i = 1; i < rank; i++)
            n = dim_bin(DX_MUL, n, d[i]);
        m->im->out_file = shape_text(m, rank - 1, d + 1);
        if (x->rank == 1)
            return alias(m, x, 1, &n, false);
        define(m, 0, call1("flatten", x, NULL), x->depth + 1, 1, &n);
        return true;
    }
    return node_error(m, "reshaping %s to %s is not supported (only flattening and no-op reshapes)",
                      shape_text(m, orank, od), shape_text(m, rank, d));
}

static bool op_flatten(Imp *m)
{
    Val *x = tensor_operand(m, 0);
    if (!x || !attrs_known(m, (const char *const[]){"axis", NULL}))
        return false;
    Dim *od[MAX_RANK + 1];
    int orank = onnx_shape(x, od);
    int64_t axis = attr_int(m, "axis", 1);
    if (axis < 0)
        axis += orank;
    if (axis < 0 || axis > orank)
        return node_error(m, "axis %lld is out of range", (long long)attr_int(m, "axis", 1));
    Dim *d[2] = {dim_num(1), dim_num(1)};
    for (int i = 0; i < orank; i++)
        d[i >= axis] = dim_bin(DX_MUL, d[i >= axis], od[i]);
    return reshape_to(m, x, 2, d);
}

/* The value of x in the channel shuffle pattern: stage 1 is x viewed as
 * [g, c/g, h, w], stage 2 that view transposed; the expression is still
 * x's, and only the next step may take it. */
static bool shuffle_view(Imp *m, const Val *x, int stage, int64_t g, Dim *const *d)
{
    Val *v = step_value(m, x, 4, d, "a channel shuffle whose intermediate value is", 1);
    if (!v)
        return false;
    v->shuffle = stage;
    v->groups = g;
    return true;
}

/* PyTorch's channel shuffle, x.view(1, g, c / g, h, w).transpose(1, 2)
 * .reshape(1, -1, h, w), is channel_shuffle(x, g): this Reshape is its
 * first step (x an image, d = [1, g, c / g, h, w]) or its last (x the
 * transposed view, d = [1, c, h, w]). */
static bool shuffle_reshape(Imp *m, const Val *x, int rank, Dim **d)
{
    int64_t g, c, cg;
    if (x->shuffle == 0 && !x->pooled && dim_is_const(d[1], &g) && dim_is_const(x->d[0], &c) &&
        dim_is_const(d[2], &cg) && g >= 1 && g * cg == c && dims_equal(m, d[3], x->d[1]) &&
        dims_equal(m, d[4], x->d[2]))
        return shuffle_view(m, x, 1, g, d + 1);
    if (x->shuffle == 2 && rank == 4 && dims_equal(m, d[1], dim_bin(DX_MUL, x->d[0], x->d[1])) &&
        dims_equal(m, d[2], x->d[2]) && dims_equal(m, d[3], x->d[3])) {
        Dim *o[3] = {d[1], d[2], d[3]};
        define(m, 0, call1("channel_shuffle", x, arena_printf(", %lld", (long long)x->groups)), x->depth + 1, 3, o);
        return true;
    }
    Dim *od[MAX_RANK + 1];
    int orank = onnx_shape(x, od);
    return node_error(m, "reshaping %s to %s is not supported (only flattening, no-op reshapes and the channel "
                         "shuffle Reshape [1, g, c/g, h, w], Transpose (0, 2, 1, 3, 4), Reshape [1, c, h, w])",
                      shape_text(m, orank, od), shape_text(m, rank, d));
}

static bool op_reshape(Imp *m)
{
    m->takes_shuffle = true;
    Val *x = tensor_operand(m, 0);
    Const *s = x ? const_operand(m, 1, "shape") : NULL;
    if (!s || !attrs_known(m, (const char *const[]){"allowzero", NULL}))
        return false;
    if (!s->i || s->rank != 1 || s->count > MAX_RANK + 1 || s->count < 1)
        return node_error(m, "the shape must be a list of 1 to %d integers", MAX_RANK + 1);
    Dim *od[MAX_RANK + 1], *d[MAX_RANK + 1];
    int orank = onnx_shape(x, od), minus = -1;
    Dim *total = dim_num(1), *known = dim_num(1);
    for (int i = 0; i < orank; i++)
        total = dim_bin(DX_MUL, total, od[i]);
    for (int i = 0; i < s->count; i++) {
        int64_t v = s->i[i];
        if (v == 0 && !attr_int(m, "allowzero", 0) && i < orank)
            d[i] = od[i];
        else if (v == -1 && minus < 0)
            minus = i, d[i] = NULL;
        else if (v >= 1)
            d[i] = dim_num(v);
        else
            return node_error(m, "shape entry %lld is not supported", (long long)v);
        if (d[i])
            known = dim_bin(DX_MUL, known, d[i]);
    }
    if (minus >= 0)
        d[minus] = dim_bin(DX_DIV, total, known);
    Dim *all = dim_num(1);
    for (int i = 0; i < s->count; i++)
        all = dim_bin(DX_MUL, all, d[i]);
    if (!dims_equal(m, all, total))
        return node_error(m, "the shape %s does not hold the %s values of the operand for all sizes",
                          shape_text(m, (int)s->count, d), dim_text(m, total));
    if (x->shuffle || (s->count == 5 && x->rank == 3))
        return shuffle_reshape(m, x, (int)s->count, d);
    return reshape_to(m, x, (int)s->count, d);
}

/* Squeeze and Unsqueeze: the axes from the attribute (opset < 13) or the
 * second operand. */
static bool op_squeeze_common(Imp *m, bool un)
{
    Val *x = operand(m, 0);
    if (!x || !attrs_known(m, (const char *const[]){"axes", NULL}))
        return false;
    const int64_t *ax = NULL;
    int nax;
    if (!ints_arg(m, "axes", 1, &ax, &nax))
        return false;
    Dim *od[MAX_RANK + 1], *d[MAX_RANK + 2];
    if (x->k && x->k->rank > MAX_RANK + 1)
        return node_error(m, "a constant of rank %d is not supported", x->k->rank);
    int orank = x->k ? x->k->rank : onnx_shape(x, od), rank = un ? orank + nax : orank - nax;
    for (int i = 0; x->k && i < orank; i++)
        od[i] = dim_num(x->k->dims[i]);
    if (!un && nax == 0)
        return node_error(m, "squeezing every 1 without axes is not supported; give the axes");
    if (rank < (x->k ? 0 : 1) || rank > MAX_RANK + 1)
        return node_error(m, "a result of rank %d is not supported", rank);
    bool mark[MAX_RANK + 2] = {0};
    for (int i = 0; i < nax; i++) {
        int64_t a = ax[i] < 0 ? ax[i] + (un ? rank : orank) : ax[i];
        if (a < 0 || a >= (un ? rank : orank) || mark[a])
            return node_error(m, "axis %lld is out of range or repeated", (long long)ax[i]);
        if (!un && !dims_equal(m, od[a], dim_num(1)))
            return node_error(m, "axis %lld is not of size 1", (long long)ax[i]);
        mark[a] = true;
    }
    for (int i = 0, j = 0, o = 0; i < (un ? rank : orank); i++) {
        if (un)
            d[o++] = mark[i] ? dim_num(1) : od[j++];
        else if (!mark[i])
            d[o++] = od[i];
    }
    if (x->k) { /* a constant of the new shape: the same values */
        int64_t dims[MAX_RANK + 2];
        for (int i = 0; i < rank; i++)
            dim_is_const(d[i], &dims[i]);
        Const *k = new_const(rank, dims, x->k->i != NULL);
        memcpy(k->f, x->k->f, sizeof(float) * (size_t)k->count);
        if (k->i)
            memcpy(k->i, x->k->i, sizeof(int64_t) * (size_t)k->count);
        return define_const(m, k);
    }
    return reshape_to(m, x, rank, d);
}

static bool op_squeeze(Imp *m) { return op_squeeze_common(m, false); }
static bool op_unsqueeze(Imp *m) { return op_squeeze_common(m, true); }

static bool op_transpose(Imp *m)
{
    m->takes_shuffle = true;
    m->takes_last = true;
    Val *x = tensor_operand(m, 0);
    if (!x || !attrs_known(m, (const char *const[]){"perm", NULL}))
        return false;
    const int64_t *p;
    int n = attr_ints(m, "perm", &p);
    Dim *od[MAX_RANK + 1];
    int orank = onnx_shape(x, od);
    if (x->shuffle) { /* the channel shuffle's middle step */
        static const int64_t swap[5] = {0, 2, 1, 3, 4};
        if (x->shuffle != 1 || n != 5 || memcmp(p, swap, sizeof swap))
            return node_error(m, "a channel shuffle wants Transpose (0, 2, 1, 3, 4) of the grouped view");
        Dim *d[4] = {x->d[1], x->d[0], x->d[2], x->d[3]};
        return shuffle_view(m, x, 2, x->groups, d);
    }
    /* NCHW to channels last and back: a view, the tensor unchanged */
    static const int64_t to_last[4] = {0, 2, 3, 1}, to_first[4] = {0, 3, 1, 2};
    bool there = orank == 4 && n == 4 && !x->last && !memcmp(p, to_last, sizeof to_last);
    if (x->last && (n != 4 || memcmp(p, to_first, sizeof to_first)))
        return node_error(m, "a channels-last view [1, h, w, c] is supported only with Transpose (0, 3, 1, 2) back");
    if (there || x->last) {
        alias(m, x, x->rank, x->d, x->pooled);
        Val *v = find(m, m->node->output[0]);
        if (v)
            v->last = there;
        return true;
    }
    /* a permutation that moves only axes of size 1 keeps the element order */
    int last = -1;
    for (int i = 0; i < n; i++) {
        if (p[i] < 0 || p[i] >= orank || n != orank)
            return node_error(m, "perm is not a permutation of the %d axes", orank);
        if (dims_equal(m, od[p[i]], dim_num(1)))
            continue;
        if (p[i] < last)
            return node_error(m, "a transpose that reorders the elements is not supported (only layout no-ops)");
        last = (int)p[i];
    }
    if (n == 0 && orank > 1)
        return node_error(m, "a transpose that reverses the axes is not supported (only layout no-ops)");
    Dim *d[MAX_RANK + 1];
    for (int i = 0; i < orank; i++)
        d[i] = od[n ? p[i] : i];
    return reshape_to(m, x, orank, d);
}

/* Shape of a tensor whose sizes are constants: the int64 vector of its ONNX
 * shape (start and end of opset 15 too). A symbolic size cannot be folded. */
static bool op_shape(Imp *m)
{
    m->takes_shuffle = true;
    Val *x = tensor_operand(m, 0);
    if (!x || !attrs_known(m, (const char *const[]){"start", "end", NULL}))
        return false;
    Dim *od[MAX_RANK + 1];
    int orank = onnx_shape(x, od);
    int64_t st = attr_int(m, "start", 0), en = attr_int(m, "end", orank);
    st = st < 0 ? st + orank : st, en = en < 0 ? en + orank : en;
    st = st < 0 ? 0 : st > orank ? orank : st, en = en < st ? st : en > orank ? orank : en;
    int64_t n = en - st, v[MAX_RANK + 1];
    for (int64_t i = st; i < en; i++)
        if (!dim_is_const(od[i], &v[i - st]))
            return node_error(m, "the shape of '%s' is %s, whose axis %lld is a size symbol: gsc folds Shape only "
                                 "where the sizes are constants (export with fixed sizes, or leave out --symbolic)",
                              x->name, shape_text(m, orank, od), (long long)i);
    Const *k = new_const(1, &n, true);
    for (int64_t i = 0; i < n; i++)
        k->i[i] = v[i], k->f[i] = (float)v[i];
    return define_const(m, k);
}

/* Cast of a constant (the shape arithmetic of paddle2onnx's exports casts a
 * Shape to int32 and back) to float32, int32 or int64, refused where the
 * type does not hold a value exactly; Cast of a tensor to float32 is the
 * tensor (gsc computes in float32). */
static bool op_cast(Imp *m)
{
    Val *x = operand(m, 0);
    if (!x || !attrs_known(m, (const char *const[]){"to", NULL}))
        return false;
    int64_t to = attr_int(m, "to", 0);
    bool fl = to == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, i32 = to == ONNX__TENSOR_PROTO__DATA_TYPE__INT32;
    if (!fl && !i32 && to != ONNX__TENSOR_PROTO__DATA_TYPE__INT64)
        return node_error(m, "a cast to element type %lld is not supported (only float32, int32 and int64)",
                          (long long)to);
    if (!x->k) {
        if (!fl)
            return node_error(m, "a cast of a tensor to integers is not supported (gsc computes in float32)");
        return alias(m, x, x->rank, x->d, x->pooled);
    }
    Const *k = new_const(x->k->rank, x->k->dims, !fl);
    for (int64_t j = 0; j < k->count; j++) {
        double v = x->k->i ? (double)x->k->i[j] : (double)x->k->f[j];
        int64_t lim = i32 ? INT32_MAX : (int64_t)1 << 53;
        if (!fl && (v != trunc(v) || fabs(v) > (double)lim) && !(x->k->i && !i32)) {
            free(k->f), free(k->i);
            return node_error(m, "the value %g does not convert to an integer of the type exactly", v);
        }
        k->f[j] = (float)v;
        if (k->i)
            k->i[j] = x->k->i ? x->k->i[j] : (int64_t)v;
    }
    return define_const(m, k);
}

/* Gather from a constant vector (shape arithmetic), constant indices. */
static bool op_gather(Imp *m)
{
    Val *x = operand(m, 0);
    if (!x || !attrs_known(m, (const char *const[]){"axis", NULL}))
        return false;
    if (!x->k)
        return node_error(m, "Gather of a tensor is not supported (only of a constant vector, as in shape arithmetic)");
    Const *ix = const_operand(m, 1, "indices");
    if (!ix)
        return false;
    int64_t axis = attr_int(m, "axis", 0), n = x->k->count;
    if (!ix->i || x->k->rank != 1 || (axis != 0 && axis != -1))
        return node_error(m, "only integer indices into a constant vector (axis 0) are supported");
    Const *k = new_const(ix->rank, ix->dims, x->k->i != NULL);
    for (int64_t j = 0; j < k->count; j++) {
        int64_t i = ix->i[j] < 0 ? ix->i[j] + n : ix->i[j];
        if (i < 0 || i >= n) {
            free(k->f), free(k->i);
            return node_error(m, "index %lld is out of range (%lld values)", (long long)ix->i[j], (long long)n);
        }
        k->f[j] = x->k->f[i];
        if (k->i)
            k->i[j] = x->k->i[i];
    }
    return define_const(m, k);
}

/* Output k of the node is channels [start, start + len) of x. */
static void narrow_to(Imp *m, int k, const Val *x, int64_t start, int64_t len)
{
    Dim *d[MAX_RANK];
    for (int i = 0; i < x->rank; i++)
        d[i] = i ? x->d[i] : dim_num(len);
    Val *v = define(m, k, call1("narrow", x, arena_printf(", start=%lld, length=%lld", (long long)start,
                                                           (long long)len)), x->depth + 1, x->rank, d);
    if (v)
        v->pooled = x->pooled;
}

/* Slice's starts, ends, axes and steps (NULL when absent): attributes
 * before opset 10, constant operands from it; *n of each. */
static bool slice_args(Imp *m, const int64_t **v, int64_t *n)
{
    static const char *const what[] = {"starts", "ends", "axes", "steps"}, *const attrs[] = {"starts", "ends", "axes",
                                                                                             NULL};
    bool old = m->opset < 10;
    if (!attrs_known(m, old ? attrs : no_attrs))
        return false;
    if (old && m->node->n_input > 1)
        return node_error(m, "takes one operand before opset 10 (starts, ends and axes are attributes)");
    *n = 0;
    for (int i = 0; i < 4; i++) {
        int64_t c = 0;
        v[i] = NULL;
        if (old && i < 3 && (i < 2 || attr(m, what[i]))) {
            if (!attr(m, what[i]))
                return node_error(m, "the %s attribute is missing", what[i]);
            c = attr_ints(m, what[i], &v[i]);
        } else if (!old && (i < 2 || has_operand(m, i + 1))) {
            Const *k = const_operand(m, i + 1, what[i]);
            if (!k)
                return false;
            v[i] = k->i, c = k->count;
        } else {
            continue;
        }
        if (!v[i] && c)
            return node_error(m, "the %s must be integers", what[i]);
        if (i == 0)
            *n = c;
        else if (c != *n)
            return node_error(m, "the %s must be %lld integers", what[i], (long long)*n);
    }
    return true;
}

/* [start, end) of an axis of the given size as ONNX clamps it (step 1). */
static void slice_range(int64_t size, int64_t *st, int64_t *en)
{
    *st = *st < 0 ? *st + size : *st, *en = *en < 0 ? *en + size : *en;
    *st = *st < 0 ? 0 : *st > size ? size : *st, *en = *en < 0 ? 0 : *en > size ? size : *en;
    *en = *en < *st ? *st : *en;
}

/* Slice of a constant vector (shape arithmetic): steps 1. */
static bool slice_const(Imp *m, const Const *x, const int64_t *const *v, int64_t n)
{
    int64_t st = 0, en = x->count;
    if (x->rank != 1)
        return node_error(m, "a Slice of a constant is supported only of a vector");
    for (int64_t j = 0; j < n; j++) {
        if ((v[2] && v[2][j] != 0 && v[2][j] != -1) || n > 1)
            return node_error(m, "a Slice of a constant vector has one axis, 0");
        if (v[3] && v[3][j] != 1)
            return node_error(m, "steps other than 1 are not supported");
        st = v[0][j], en = v[1][j];
        slice_range(x->count, &st, &en);
    }
    int64_t len = en - st;
    Const *k = new_const(1, &len, x->i != NULL);
    for (int64_t j = 0; j < len; j++) {
        k->f[j] = x->f[st + j];
        if (k->i)
            k->i[j] = x->i[st + j];
    }
    return define_const(m, k);
}

/* Slice with constant starts, ends, axes and steps 1: narrow along the
 * channels; an axis sliced whole is a no-op. A constant vector is sliced
 * as a constant. */
static bool op_slice(Imp *m)
{
    Val *x = operand(m, 0);
    const int64_t *v[4];
    int64_t n = 0;
    if (!x || !slice_args(m, v, &n))
        return false;
    if (x->k)
        return slice_const(m, x->k, v, n);
    Dim *od[MAX_RANK + 1];
    int orank = onnx_shape(x, od);
    bool seen[MAX_RANK + 1] = {0};
    int64_t start = 0, len = -1;
    for (int64_t j = 0; j < n; j++) {
        int64_t a = v[2] ? v[2][j] : j, st = v[0][j], en = v[1][j], size;
        a = a < 0 ? a + orank : a;
        if (a < 0 || a >= orank || seen[a])
            return node_error(m, "axis %lld is out of range or repeated", (long long)(v[2] ? v[2][j] : j));
        seen[a] = true;
        if (v[3] && v[3][j] != 1)
            return node_error(m, "steps other than 1 are not supported");
        if (!dim_is_const(od[a], &size)) {
            if (st == 0 && en >= INT32_MAX)
                continue;
            return node_error(m, "slicing axis %lld, a size symbol, is not supported", (long long)a);
        }
        slice_range(size, &st, &en);
        if (st == 0 && en == size)
            continue;
        if (a != 1)
            return node_error(m, "only slices along the channels (axis 1) are supported");
        if (en <= st)
            return node_error(m, "an empty slice is not supported");
        start = st, len = en - st;
    }
    if (len < 0)
        return alias(m, x, x->rank, x->d, x->pooled);
    narrow_to(m, 0, x, start, len);
    return true;
}

/* Split along the channels: one narrow per output (sizes from the split
 * attribute before opset 13, the operand after, else equal parts). */
static bool op_split(Imp *m)
{
    Val *x = tensor_operand(m, 0);
    if (!x || !attrs_known(m, (const char *const[]){"axis", "split", NULL}))
        return false;
    Dim *od[MAX_RANK + 1];
    int orank = onnx_shape(x, od);
    int64_t axis = attr_int(m, "axis", 0), c, n = (int64_t)m->node->n_output;
    axis = axis < 0 ? axis + orank : axis;
    if (axis != 1)
        return node_error(m, "only a split along the channels (axis 1) is supported");
    if (!dim_is_const(x->d[0], &c))
        return node_error(m, "the channels must be a constant");
    const int64_t *sz;
    int nsz;
    if (!ints_arg(m, "split", 1, &sz, &nsz))
        return false;
    if (nsz && nsz != n)
        return node_error(m, "%d sizes for %lld outputs", nsz, (long long)n);
    if (!nsz && (n < 1 || c % n))
        return node_error(m, "%lld channels do not split into %lld equal parts", (long long)c, (long long)n);
    int64_t start = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t len = nsz ? sz[i] : c / n;
        if (len < 1 || start + len > c)
            return node_error(m, "the sizes do not split the %lld channels into parts of 1 or more", (long long)c);
        if (*m->node->output[i])
            narrow_to(m, (int)i, x, start, len);
        start += len;
    }
    if (start != c)
        return node_error(m, "the sizes add up to %lld, not the %lld channels", (long long)start, (long long)c);
    return true;
}

/* Concat of constant vectors (shape arithmetic): integers when all are. */
static bool concat_consts(Imp *m)
{
    int64_t n = 0, axis = attr_int(m, "axis", 0);
    bool ints = true;
    for (size_t i = 0; i < m->node->n_input; i++) {
        Const *k = const_operand(m, (int)i, "operand of a Concat of constants");
        if (!k)
            return false;
        if (k->rank != 1 || (axis != 0 && axis != -1))
            return node_error(m, "a Concat of constants is supported only of vectors (axis 0)");
        n += k->count, ints &= k->i != NULL;
    }
    Const *k = new_const(1, &n, ints);
    for (size_t i = 0, o = 0; i < m->node->n_input; i++) {
        const Const *a = find(m, m->node->input[i])->k;
        for (int64_t j = 0; j < a->count; j++, o++) {
            k->f[o] = a->f[j];
            if (ints)
                k->i[o] = a->i[j];
        }
    }
    return define_const(m, k);
}

static bool op_concat(Imp *m)
{
    Val *x = operand(m, 0);
    if (!x || !attrs_known(m, (const char *const[]){"axis", NULL}))
        return false;
    if (x->k)
        return concat_consts(m);
    int64_t axis = attr_int(m, "axis", 1);
    Dim *od[MAX_RANK + 1];
    int orank = onnx_shape(x, od);
    if (axis < 0)
        axis += orank;
    if (axis != 1 || x->pooled)
        return node_error(m, "only concatenation along the channels (axis 1) is supported");
    if (m->node->n_input < 2)
        return alias(m, x, x->rank, x->d, false);
    Buf e = {0};
    Dim *c = dim_num(0);
    int depth = 0;
    for (size_t i = 0; i < m->node->n_input; i++) {
        Val *v = tensor_operand(m, (int)i);
        if (!v)
            return false;
        bool ok = v->rank == x->rank && !v->pooled;
        for (int j = 1; ok && j < x->rank; j++)
            ok = dims_equal(m, v->d[j], x->d[j]);
        if (!ok) {
            buf_free(&e);
            return node_error(m, "operand %zu has shape %s, which does not match %s but for the channels%s", i + 1,
                              shape_text(m, v->rank, v->d), shape_text(m, x->rank, x->d),
                              v->rank == x->rank && !v->pooled ? multiple_hint(m, 1, x->rank, v->d, x->d) : "");
        }
        c = dim_bin(DX_ADD, c, v->d[0]);
        depth = v->depth > depth ? v->depth : depth;
        buf_printf(&e, "%s%s", i ? ", " : "", operand_expr(m, v, MAX_OPERANDS / m->node->n_input));
    }
    Dim *d[MAX_RANK];
    for (int j = 0; j < x->rank; j++)
        d[j] = j ? x->d[j] : c;
    define(m, 0, arena_printf("concat(%s)", e.s), depth + 1, x->rank, d);
    buf_free(&e);
    return true;
}

static bool op_softmax(Imp *m)
{
    Val *x = tensor_operand(m, 0);
    if (!x || !attrs_known(m, (const char *const[]){"axis", NULL}))
        return false;
    Dim *od[MAX_RANK + 1];
    int orank = onnx_shape(x, od);
    int64_t axis = attr_int(m, "axis", m->opset >= 13 ? -1 : 1);
    if (axis < 0)
        axis += orank;
    if (x->rank != 1 || x->pooled || axis != 1)
        return node_error(m, "only a softmax over a vector ([1, n], axis 1 or -1) is supported");
    define(m, 0, call1("softmax", x, NULL), x->depth + 1, 1, x->d);
    return true;
}

static bool op_identity(Imp *m)
{
    m->takes_last = true;
    Val *x = operand(m, 0);
    if (!x || !attrs_known(m, (const char *const[]){"seed", "ratio", NULL}))
        return false;
    if (x->k) { /* a constant under another name */
        Val *v = m->node->n_output ? slot(m, m->node->output[0]) : NULL;
        if (v)
            v->defined = true, v->k = x->k, v->shared = true;
        return v != NULL;
    }
    if (!strcmp(m->node->op_type, "Dropout")) {
        if (has_operand(m, 2)) {
            Const *t = const_operand(m, 2, "training_mode");
            if (!t)
                return false;
            if (t->count != 1 || t->f[0] != 0)
                return node_error(m, "training_mode must be false (an inference model is expected)");
        }
        if (m->node->n_output > 1 && *m->node->output[1]) {
            Val *mask = find(m, m->node->output[1]);
            if (mask && mask->uses)
                return node_error(m, "the mask output is not supported");
        }
    }
    return alias(m, x, x->rank, x->d, x->pooled);
}

static bool op_constant(Imp *m)
{
    if (m->node->n_attribute != 1)
        return node_error(m, "wants exactly one attribute");
    Onnx__AttributeProto *a = m->node->attribute[0];
    const char *an = str(a->name);
    Const *k;
    if (!strcmp(an, "value") && a->t) {
        if (!(k = read_tensor(m, a->t)))
            return false;
    } else if (!strcmp(an, "value_float") || !strcmp(an, "value_int")) {
        k = arena_alloc(sizeof *k);
        k->count = 1;
        k->f = xmalloc(sizeof(float));
        bool fl = an[6] == 'f';
        k->f[0] = fl ? a->f : (float)a->i;
        if (!fl) {
            k->i = xmalloc(sizeof(int64_t));
            k->i[0] = a->i;
        }
    } else if (!strcmp(an, "value_floats") || !strcmp(an, "value_ints")) {
        bool fl = an[6] == 'f';
        k = arena_alloc(sizeof *k);
        k->rank = 1;
        k->count = k->dims[0] = (int64_t)(fl ? a->n_floats : a->n_ints);
        k->f = xmalloc(sizeof(float) * (size_t)(k->count + 1));
        if (!fl)
            k->i = xmalloc(sizeof(int64_t) * (size_t)(k->count + 1));
        for (int64_t i = 0; i < k->count; i++) {
            k->f[i] = fl ? a->floats[i] : (float)a->ints[i];
            if (!fl)
                k->i[i] = a->ints[i];
        }
    } else {
        return node_error(m, "attribute '%s' is not supported", an);
    }
    return define_const(m, k);
}

/* One row per ONNX operator: its converter reads every form the operator
 * has in opsets 9 to 17 (the attribute forms of Clip before 11 and of Slice
 * before 10 too); since is the first opset that has it. */
typedef struct {
    const char *op;
    bool (*fn)(Imp *m);
    int since;
} OnnxOp;

static const OnnxOp op_table[] = {
    {"Add", op_add, 1},
    {"AveragePool", op_avgpool, 1},
    {"BatchNormalization", op_batchnorm, 1},
    {"Cast", op_cast, 1},
    {"Clip", op_clip, 1},
    {"Concat", op_concat, 1},
    {"Constant", op_constant, 1},
    {"Conv", op_conv_padded, 1},
    {"ConvTranspose", op_conv_transpose, 1},
    {"Div", op_div, 1},
    {"Dropout", op_identity, 1},
    {"Erf", op_erf, 9},
    {"Flatten", op_flatten, 1},
    {"Gather", op_gather, 1},
    {"Gemm", op_gemm, 1},
    {"GlobalAveragePool", op_global_avgpool, 1},
    {"HardSigmoid", op_hardsigmoid, 1},
    {"HardSwish", op_hardswish, 14},
    {"Identity", op_identity, 1},
    {"LayerNormalization", op_layernorm, 17},
    {"LeakyRelu", op_leaky_relu, 1},
    {"MatMul", op_matmul, 1},
    {"Max", op_maxmin, 1},
    {"MaxPool", op_maxpool, 1},
    {"Min", op_maxmin, 1},
    {"Mul", op_mul, 1},
    {"Pad", op_pad, 1},
    {"Pow", op_pow, 1},
    {"ReduceMean", op_reduce_mean, 1},
    {"Relu", op_relu, 1},
    {"Reshape", op_reshape, 1},
    {"Resize", op_resize, 10},
    {"Shape", op_shape, 1},
    {"Sigmoid", op_sigmoid, 1},
    {"Slice", op_slice, 1},
    {"Softmax", op_softmax, 1},
    {"Split", op_split, 1},
    {"Sqrt", op_sqrt, 1},
    {"Squeeze", op_squeeze, 1},
    {"Sub", op_sub, 1},
    {"Tanh", op_tanh, 1},
    {"Transpose", op_transpose, 1},
    {"Unsqueeze", op_unsqueeze, 1},
    {"Upsample", op_resize, 7},
};

enum { OPSET_MIN = 9, OPSET_MAX = 17 };

static const char *supported_list(void)
{
    Buf b = {0};
    for (int i = 0; i < countof(op_table); i++)
        buf_printf(&b, "%s%s", i ? ", " : "", op_table[i].op);
    const char *s = arena_printf("%s", b.s);
    buf_free(&b);
    return s;
}

/* The row of node n's operator; NULL (reported) when gsc has none. */
static const OnnxOp *node_op(Imp *m, Onnx__NodeProto *n)
{
    m->node = n;
    if (!n->op_type) {
        node_error(m, "has no op type");
        return NULL;
    }
    if (n->domain && *n->domain && strcmp(n->domain, "ai.onnx")) {
        node_error(m, "operator domain '%s' is not supported (only the default ONNX domain)", n->domain);
        return NULL;
    }
    for (int i = 0; i < countof(op_table); i++) {
        if (strcmp(op_table[i].op, n->op_type))
            continue;
        if (m->opset >= op_table[i].since)
            return &op_table[i];
        node_error(m, "%s is an operator of opset %d and later", n->op_type, op_table[i].since);
        return NULL;
    }
    node_error(m, "unsupported operator; gsc supports %s", supported_list());
    return NULL;
}

static bool convert_node(Imp *m, Onnx__NodeProto *n)
{
    const OnnxOp *op = node_op(m, n);
    m->takes_pad = false;
    m->takes_shuffle = false;
    m->takes_pattern = false;
    m->takes_last = false;
    return op && op->fn(m);
}

/* ------------------------------------------------------------ the graph */

/* One pair of --symbolic, n characters at p: NAME=AXIS or NAME=AXIS:M (the
 * multiples of M >= 1 only, else *step 0); false when it is not that. */
static bool symbolic_pair(const char *p, size_t n, size_t *name_len, long *axis, int64_t *step)
{
    const char *eq = memchr(p, '=', n);
    char *end;
    *step = 0;
    if (!eq || eq == p || !isdigit((unsigned char)eq[1]))
        return false;
    *name_len = (size_t)(eq - p);
    *axis = strtol(eq + 1, &end, 10);
    if (end < p + n && *end == ':') {
        if (!isdigit((unsigned char)end[1]))
            return false;
        long long k = strtoll(end + 1, &end, 10);
        if (k < 1)
            return false;
        *step = k;
    }
    return end == p + n;
}

/* --symbolic "H=2,W=3" or "H=2:32,W=3:32": the name of input axis a, or
 * NULL, and in *step the multiple it takes (0: any size); *bad when a pair
 * is malformed or names no axis of an input of rank orank (1 to orank - 1,
 * the batch kept at 1). */
static const char *symbolic_name(const char *spec, int axis, int orank, int64_t *step, bool *bad)
{
    const char *name = NULL;
    *step = 0;
    for (const char *p = spec; p && *p;) {
        size_t n = strcspn(p, ","), len;
        long a;
        int64_t k;
        if (!symbolic_pair(p, n, &len, &a, &k) || a < 1 || a >= orank)
            *bad = true;
        else if (a == axis && !name) {
            *step = k;
            name = arena_strndup(p, len);
        }
        p += n + (p[n] == ',');
    }
    return name;
}

static bool read_input(Imp *m, const Onnx__ValueInfoProto *vi, const char *symbolic)
{
    const char *iname = str(vi->name);
    const Onnx__TypeProto *t = vi->type;
    if (!t || t->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !t->tensor_type->shape)
        return node_error(m, "input '%s' is not a tensor of known rank", iname);
    if (t->tensor_type->elem_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
        return node_error(m, "input '%s' has element type %d; gsc takes float32", iname, t->tensor_type->elem_type);
    const Onnx__TensorShapeProto *s = t->tensor_type->shape;
    int orank = (int)s->n_dim;
    if (orank < 2 || orank > MAX_RANK + 1)
        return node_error(m, "input '%s' has rank %d; gsc takes a batch of 1 and 1 to %d more dimensions", iname,
                          orank, MAX_RANK);
    Val *v = slot(m, iname);
    v->defined = true;
    v->input = true;
    v->rank = orank - 1;
    m->env.syms = arena_alloc(sizeof(DimSym) * (size_t)orank);
    m->defval = arena_alloc(sizeof(int64_t) * (size_t)orank);
    m->axis = arena_alloc(sizeof(int) * (size_t)orank);
    bool bad = false;
    for (int a = 0; a < orank; a++) {
        const Onnx__TensorShapeProto__Dimension *d = s->dim[a];
        bool has = d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
        if (has && d->dim_value < 1)
            return node_error(m, "input '%s', axis %d has size %lld", iname, a, (long long)d->dim_value);
        if (a == 0) {
            if (has && d->dim_value != 1)
                return node_error(m, "input '%s' has a batch of %lld; gsc compiles a batch of 1 (export with batch 1, "
                                     "or a symbolic batch)", iname, (long long)d->dim_value);
            continue;
        }
        int64_t step;
        const char *name = symbolic_name(symbolic, a, orank, &step, &bad);
        if (has && step > 1 && d->dim_value % step)
            return node_error(m, "--symbolic: input '%s', axis %d has size %lld in the file, not a multiple of %lld",
                              iname, a, (long long)d->dim_value, (long long)step);
        if (!name && !has)
            name = d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM ? d->dim_param : NULL;
        if (!name && !has)
            name = orank == 4 ? (const char *[]){"N", "C", "H", "W"}[a] : arena_printf("D%d", a);
        if (!name) {
            v->d[a - 1] = dim_num(d->dim_value);
            continue;
        }
        name = fresh_name(m, name, "S");
        int k = m->env.nsyms++;
        m->env.syms[k] = (DimSym){name, 1, INT64_MAX, step};
        m->defval[k] = has ? d->dim_value : -1;
        m->axis[k] = a;
        v->d[a - 1] = dim_sym(k);
    }
    if (bad)
        return node_error(m, "--symbolic wants NAME=AXIS pairs, as in H=2,W=3, each AXIS one of input '%s' (1 to "
                             "%d) with an optional :M for the multiples of M only, as in H=2:32,W=3:32",
                          iname, orank - 1);
    m->im->input = fresh_name(m, iname, "x");
    v->expr = m->im->input;
    m->im->in_shape = shape_text(m, v->rank, v->d);
    return true;
}

/* The least value of each symbol for which every window fits (at the
 * others' values), searched up to the file's value: the 'where' bound the
 * checker then proves every fact under. */
static void size_bounds(Imp *m)
{
    Buf w = {0}, d = {0};
    int64_t *vals = arena_alloc(sizeof(int64_t) * (size_t)(m->env.nsyms + 1));
    for (int s = 0; s < m->env.nsyms; s++) {
        for (int i = 0; i < m->env.nsyms; i++)
            vals[i] = m->defval[i] > 0 ? m->defval[i] : 4096;
        int64_t top = vals[s], lo = top, step = m->env.syms[s].step > 1 ? m->env.syms[s].step : 1;
        for (int64_t v = step; v <= top; v += step) {
            vals[s] = v;
            bool ok = true, ovf = false;
            for (int r = 0; r < m->req_a.n && ok; r++)
                ok = dim_eval(m->req_a.v[r], vals, &ovf) >= dim_eval(m->req_b.v[r], vals, &ovf);
            if (ok) {
                lo = v;
                break;
            }
        }
        m->env.syms[s].lo = lo;
        buf_printf(&w, "%s%s >= %lld", s ? ", " : "", m->env.syms[s].name, (long long)lo);
        if (step > 1)
            buf_printf(&w, ", %s %% %lld == 0", m->env.syms[s].name, (long long)step);
        if (m->defval[s] > 0)
            buf_printf(&d, "%s%s = %lld", d.len ? ", " : "", m->env.syms[s].name, (long long)m->defval[s]);
    }
    m->im->where = w.len ? arena_printf("%s", w.s) : NULL;
    m->im->defaults = d.len ? arena_printf("%s", d.s) : NULL;
    buf_free(&w);
    buf_free(&d);
}

/* The lets' shapes where they help a reader: where the rank or the sizes
 * but for the channels (which the layers show) change from the last shape
 * the text shows, the input's first, and only when short. A [c, 1, 1]
 * (a squeeze-excitation's pooled branch) is shown without becoming the
 * shape the next ones are compared with. The checker proves every one. */
static void annotate(Imp *m, const Val *in)
{
    int rank = in->rank;
    Dim *const *last = in->d;
    for (int i = 0; i < m->im->stmts.n; i++) {
        ImStmt *s = m->im->stmts.v[i];
        if (s->kind != IM_LET)
            continue;
        bool changed = s->rank != rank, pooled = s->rank == 3 && rank == 3;
        for (int k = 1; k < s->rank && !changed; k++)
            changed = !dims_equal(m, s->d[k], last[k]);
        for (int k = 1; k < s->rank && pooled; k++)
            pooled = dims_equal(m, s->d[k], dim_num(1));
        const char *t = shape_text(m, s->rank, s->d);
        if (changed && strlen(t) <= MAX_SHAPE_TEXT) {
            s->shape = t;
            if (!pooled)
                rank = s->rank, last = s->d;
        }
    }
}

/* "model/" when every node's name is a path that begins with it (and has
 * a part after it), else NULL. */
static const char *common_prefix(const Onnx__GraphProto *g)
{
    const char *p = NULL;
    size_t n = 0;
    for (size_t i = 0; i < g->n_node; i++) {
        const char *s = g->node[i]->name;
        const char *slash = s ? strchr(s, '/') : NULL;
        if (!slash || slash == s || !strchr(slash + 1, '/'))
            return NULL;
        if (!p)
            p = s, n = (size_t)(slash + 1 - s);
        else if (strncmp(s, p, n))
            return NULL;
    }
    return p ? arena_strndup(p, n) : NULL;
}

static const char *model_name(Imp *m)
{
    const char *b = strrchr(m->path, '/');
    b = b ? b + 1 : m->path;
    return fresh_name(m, arena_strndup(b, strcspn(b, ".")), "model");
}

static bool convert(Imp *m, Onnx__ModelProto *mp, const char *symbolic)
{
    Onnx__GraphProto *g = mp->graph;
    if (!g)
        return node_error(m, "the file holds no graph");
    m->opset = -1;
    for (size_t i = 0; i < mp->n_opset_import; i++) {
        const char *d = mp->opset_import[i]->domain;
        if (!d || !*d || !strcmp(d, "ai.onnx"))
            m->opset = (int)mp->opset_import[i]->version;
    }
    if (m->opset < 0)
        return node_error(m, "the model imports no opset of the default ONNX domain");
    if (m->opset < OPSET_MIN || m->opset > OPSET_MAX)
        return node_error(m, "opset %d: gsc reads opsets %d to %d", m->opset, OPSET_MIN, OPSET_MAX);
    bool producer = mp->producer_name && *mp->producer_name; /* paddle2onnx leaves it empty */
    m->im->about = arena_printf("%s%s%s%sopset %d", producer ? "producer " : "", producer ? mp->producer_name : "",
                                producer && mp->producer_version && *mp->producer_version
                                    ? arena_printf(" %s", mp->producer_version)
                                    : "",
                                producer ? ", " : "", m->opset);
    m->im->model = model_name(m);
    m->prefix = common_prefix(g);
    /* an operator gsc does not read (If, Loop, Resize ...) is named first,
     * before what the graph's inputs or values would be refused for */
    for (size_t i = 0; i < g->n_node; i++)
        if (!node_op(m, g->node[i]))
            return false;
    m->node = NULL;
    for (size_t i = 0; i < g->n_initializer; i++) {
        if (!g->initializer[i]->name || !*g->initializer[i]->name)
            return node_error(m, "initializer %zu has no name", i);
        Val *v = slot(m, g->initializer[i]->name);
        if (v->defined)
            return node_error(m, "initializer '%s' is given twice", v->name);
        if (!(v->k = read_tensor(m, g->initializer[i])))
            return false;
        v->defined = true;
    }
    const Onnx__ValueInfoProto *input = NULL;
    for (size_t i = 0; i < g->n_input; i++) {
        Val *v = find(m, g->input[i]->name ? g->input[i]->name : "");
        if (v && v->k)
            continue; /* an initializer that is an input too: a weight */
        if (input)
            return node_error(m, "the graph has several inputs ('%s', '%s'); gsc models have one", str(input->name),
                              str(g->input[i]->name));
        input = g->input[i];
    }
    if (!input)
        return node_error(m, "the graph has no input");
    if (g->n_output != 1)
        return node_error(m, "the graph has %zu outputs; gsc models have one", g->n_output);
    for (size_t i = 0; i < g->n_node; i++)
        for (size_t j = 0; j < g->node[i]->n_input; j++)
            if (*g->node[i]->input[j])
                slot(m, g->node[i]->input[j])->uses++;
    slot(m, g->output[0]->name)->uses++;
    m->output = str(g->output[0]->name);
    if (!read_input(m, input, symbolic))
        return false;
    for (size_t i = 0; i < g->n_node; i++) {
        const char *sp = scope_path(g->node[i]->name);
        if (sp)
            *strmap_put(&m->scope_end, sp) = (int)i + 1;
    }
    for (size_t i = 0; i < g->n_node; i++)
        if (m->at = (int)i, !convert_node(m, g->node[i]))
            return false;
    m->node = NULL;
    Val *out = find(m, g->output[0]->name);
    if (!out || !out->defined)
        return node_error(m, "the output '%s' is not computed by any node", str(g->output[0]->name));
    if (out->k)
        return node_error(m, "the output '%s' is a constant", out->name);
    if (pattern_step(out))
        return node_error(m, "the output '%s' is a step of %s pattern not finished by a later node", out->name,
                          out->pat >= P_L1 ? "a layer norm's" : out->pat >= P_H1 ? "hardswish's" : "GELU's");
    if (out->last) { /* of one position ([1, 1, 1, c], a pooled value): its values in the order of the GraphSpec
                        value's, returned flattened */
        Dim *od[MAX_RANK + 1];
        int orank = onnx_shape(out, od);
        if (!out->pooled && !(out->rank == 3 && dims_equal(m, out->d[1], dim_num(1)) &&
                              dims_equal(m, out->d[2], dim_num(1))))
            return node_error(m, "the output '%s' is a channels-last view (Transpose (0, 2, 3, 1)) not taken back by "
                                 "Transpose (0, 3, 1, 2)", out->name);
        m->im->out_file = shape_text(m, orank - 1, od + 1);
        if (!out->pooled)
            out->expr = call1("flatten", out, NULL), out->rank = 1;
    }
    if (out->shuffle || out->pad)
        return node_error(m, "the output '%s' is a %s not finished by a later node", out->name,
                          out->pad ? "Pad" : "channel shuffle");
    if (out->rank == 0)
        return node_error(m, "the output '%s' has no dimensions", out->name);
    stmt(m, IM_RETURN, NULL, out->expr, 0, NULL);
    size_bounds(m);
    m->im->out_shape = shape_text(m, out->rank, out->d);
    annotate(m, find(m, str(input->name)));
    return true;
}

Imported *onnx_import(const char *path, const uint8_t *data, size_t len, const char *symbolic)
{
    Imp m = {0};
    m.path = path;
    m.im = arena_alloc(sizeof *m.im);
    m.im->source = path;
    Onnx__ModelProto *mp = onnx__model_proto__unpack(NULL, len, data);
    if (!mp) {
        error_file(path, "not a valid ONNX model (the protobuf does not decode: truncated or not ONNX)");
        return NULL;
    }
    bool ok = convert(&m, mp, symbolic);
    onnx__model_proto__free_unpacked(mp, NULL);
    for (int i = 0; i < m.vals.n; i++) {
        Val *v = m.vals.v[i];
        if (v->k && !v->shared) {
            free(v->k->f);
            free(v->k->i);
        }
    }
    free(m.vals.v);
    strmap_free(&m.vmap);
    strmap_free(&m.names);
    free(m.req_a.v);
    free(m.req_b.v);
    if (!ok) { /* a model refused half-way: what it built so far goes */
        for (int i = 0; i < m.im->weights.n; i++)
            free(((ImWeight *)m.im->weights.v[i])->data);
        free(m.im->weights.v);
        free(m.im->stmts.v);
        return NULL;
    }
    return m.im;
}

#endif
