/*
 * check.c - elaboration and the symbolic shape checker.
 *
 * Requires: a resolved Program (resolve.c). Provides: the model as a flat
 * Graph in topological order (every block instance expanded, every value
 * computed once), the parameter ABI (declaration order, nested instances
 * expanded, dotted PyTorch-style names), and every shape fact proved for all
 * values of the model's symbols allowed by its 'where' clause:
 *   - each operation's shape rule and side conditions (ops.h, shape_*),
 *   - every annotation on a 'let', every block signature at every
 *     instantiation, every operand agreement (the residual add),
 *   - every dimension of every value and parameter is at least 1.
 * Proofs are by prove.c; a claim it cannot decide is an error ("cannot
 * prove"), never a silent accept. Concrete sizes come later (spec.c).
 */
#include "gsc.h"

#include <stdlib.h>
#include <string.h>

/* An instantiated layer: parameters reserved in the ABI at declaration. */
typedef enum { L_OP, L_BLOCK, L_SEQ } LayerKind;

typedef struct Layer Layer;
struct Layer {
    LayerKind kind;
    const char *path;   /* dotted path: layer2.0 */
    Span span;          /* its declaration */
    int tbase;          /* first ABI tensor */
    OpKind op;          /* L_OP */
    Dim *attr[MAX_ATTR];
    Item *block;        /* L_BLOCK */
    Dim **bargs;        /* L_BLOCK: integer arguments, per block parameter */
    Layer **elems;      /* L_SEQ */
    int nelems;
    int applied;
};

/* A block or model body being elaborated. */
typedef struct Frame {
    Item *item;
    const char *prefix; /* "" or "layer2.0." */
    Dim **dims;         /* per item Sym: SYM_INT, SYM_DIMVAR */
    int *vals;          /* per item Sym: SYM_INPUT, SYM_VALUE */
    Layer **layers;     /* per item Sym: SYM_LAYER */
    int tnext;          /* next ABI tensor of this instance */
} Frame;

/* A block instance being elaborated, for "in 'layer2.0' ..." notes. */
typedef struct {
    Layer *layer;
    Span at;
} Instance;

enum { MAX_INSTANCE_DEPTH = 256 };

typedef struct {
    Graph *g;
    Vec nodes, values, tensors, obls; /* GNode*, Value*, Tensor*, Obligation* */
    int errors;
    Instance inst[MAX_INSTANCE_DEPTH];
    int ninst;
    StrMap names; /* unique_name: uses of each automatic name */
} Ctx;

char *span_text(Span sp)
{
    return arena_strndup(sp.file->text + sp.lo, (size_t)(sp.hi - sp.lo));
}

static const char *join_path(const char *prefix, const char *name)
{
    return arena_printf("%s%s", prefix, name);
}

/* ------------------------------------------------------------ sizes */

static Dim *dim_of(Frame *f, Node *n);

/* Expands a call of a dimension function by substituting its arguments. */
static Dim *expand_dimfn(Frame *f, Node *n)
{
    Item *fn = n->item;
    Frame sub = {.item = fn, .prefix = ""};
    sub.dims = arena_alloc(sizeof(Dim *) * (size_t)(fn->nsyms + 1));
    for (int i = 0; i < fn->nparams && i < n->nargs; i++)
        sub.dims[i] = dim_of(f, n->args[i]);
    return dim_of(&sub, fn->result);
}

static Dim *dim_of(Frame *f, Node *n)
{
    switch (n->kind) {
    case ND_NUM:
        return dim_num(n->num);
    case ND_NAME:
        if (n->ref != REF_SYM || !f->dims[n->slot])
            internal_error("size '%s' has no value", n->name);
        return f->dims[n->slot];
    case ND_BIN:
        return dim_bin(dim_op_kind(n->op), dim_of(f, n->lhs), dim_of(f, n->rhs));
    case ND_CALL:
        return expand_dimfn(f, n);
    default:
        internal_error("not a size expression");
    }
}

/* ------------------------------------------------------------ obligations */

static char *cex_text(const DimEnv *env, const int64_t *cex)
{
    Buf b = {0};
    for (int i = 0; i < env->nsyms; i++)
        buf_printf(&b, "%s%s = %lld", i ? ", " : "", env->syms[i].name, (long long)cex[i]);
    char *s = arena_strndup(b.s ? b.s : "", b.len);
    buf_free(&b);
    return s;
}

/* Only the symbols that occur in either side, for readable counterexamples. */
static void mark_syms(const Dim *d, bool *used)
{
    if (!d)
        return;
    if (d->kind == DX_SYM)
        used[d->sym] = true;
    mark_syms(d->a, used);
    mark_syms(d->b, used);
}

static char *cex_text_for(const DimEnv *env, const int64_t *cex, const Dim *a, const Dim *b)
{
    bool *used = arena_alloc(sizeof(bool) * (size_t)(env->nsyms + 1));
    mark_syms(a, used);
    mark_syms(b, used);
    Buf buf = {0};
    int k = 0;
    for (int i = 0; i < env->nsyms; i++)
        if (used[i])
            buf_printf(&buf, "%s%s = %lld", k++ ? ", " : "", env->syms[i].name, (long long)cex[i]);
    char *s = k ? arena_strndup(buf.s, buf.len) : cex_text(env, cex);
    buf_free(&buf);
    return s;
}

/*
 * Proves lhs = rhs (or lhs >= rhs) for all sizes. On failure reports at `at`:
 * what was claimed, both sides (as written where given, and normalised), a
 * counterexample, and a note at `origin` (the operation that made lhs).
 */
static bool oblige(Ctx *c, Span at, const char *what, Dim *lhs, const char *lhs_name, Dim *rhs,
                   const char *rhs_name, bool ge, Span origin)
{
    Graph *g = c->g;
    Proof pr = ge ? prove_ge(&g->env, lhs, rhs) : prove_eq(&g->env, lhs, rhs);
    Obligation *o = arena_alloc(sizeof *o);
    *o = (Obligation){at, what, lhs, rhs, ge, pr};
    vec_push(&c->obls, o);
    if (pr.res == PROVE_TRUE)
        return true;
    const char *rel = ge ? ">=" : "=";
    const char *ls = prove_normal_str(&g->env, lhs), *rs = prove_normal_str(&g->env, rhs);
    if (pr.res == PROVE_FALSE) {
        bool ovf = false;
        int64_t lv = dim_eval(lhs, pr.cex, &ovf), rv = dim_eval(rhs, pr.cex, &ovf);
        int64_t k;
        if (dim_is_const(lhs, &k) && dim_is_const(rhs, &k)) {
            error_at(at, "%s: %s gives %lld, %s gives %lld", what, lhs_name, (long long)lv, rhs_name, (long long)rv);
        } else {
            error_at(at, "%s: %s %s %s does not hold for all sizes", what, ls, rel, rs);
            const char *lw = dim_str(lhs, &g->env), *rw = dim_str(rhs, &g->env);
            if (strcmp(lw, ls) || strcmp(rw, rs))
                note_at(at, "before normalising: %s %s %s", lw, rel, rw);
            note_at(at, "counterexample: %s: %s gives %lld, %s gives %lld", cex_text_for(&g->env, pr.cex, lhs, rhs),
                    lhs_name, (long long)lv, rhs_name, (long long)rv);
        }
    } else {
        error_at(at, "%s: cannot prove %s %s %s (%s)", what, ls, rel, rs, pr.why ? pr.why : "outside the procedure");
    }
    if (origin.file && (origin.lo != at.lo || origin.hi != at.hi))
        note_at(origin, "%s comes from here", lhs_name);
    for (int i = c->ninst - 1; i >= 0; i--)
        note_at(c->inst[i].at, "in '%s', the instance of block '%s' applied here", c->inst[i].layer->path,
                c->inst[i].layer->block->name);
    c->errors++;
    return false;
}

static Dim *one;

/* Every dimension of a shape is at least 1. */
/* d >= 1 by structure, without reporting: a product of naturals is at
 * least 1 when every factor is, a sum when one summand is. The prover
 * decides the pieces even where the expanded polynomial
 * (30*H*W - 60*H - 60*W + 120) is beyond its bounds. */
static bool positive_by_parts(const DimEnv *env, const Dim *d)
{
    int64_t v;
    if (dim_is_const(d, &v))
        return v >= 1;
    if (d->kind == DX_MUL)
        return positive_by_parts(env, d->a) && positive_by_parts(env, d->b);
    if (d->kind == DX_ADD && (positive_by_parts(env, d->a) || positive_by_parts(env, d->b)))
        return true;
    return prove_ge(env, d, one).res == PROVE_TRUE;
}

/* d >= 1: by parts when that works (recorded as proved), else the claim
 * itself goes to the prover and is reported if it fails. */
static bool oblige_at_least_1(Ctx *c, Span at, const char *what, const char *name, Dim *d)
{
    int64_t v;
    if (dim_is_const(d, &v) && v >= 1)
        return true;
    if ((d->kind == DX_MUL || d->kind == DX_ADD) && positive_by_parts(&c->g->env, d)) {
        Obligation *o = arena_alloc(sizeof *o);
        *o = (Obligation){at, what, d, one, true, {.res = PROVE_TRUE, .method = "by parts: factors, or a summand, >= 1"}};
        vec_push(&c->obls, o);
        return true;
    }
    return oblige(c, at, what, d, name, one, "the minimum", true, at);
}

static bool oblige_positive(Ctx *c, Span at, const char *what, const Shape *s)
{
    bool ok = true;
    for (int i = 0; i < s->rank; i++)
        ok &= oblige_at_least_1(c, at, arena_printf("%s, dimension %d is at least 1", what, i + 1),
                                arena_printf("dimension %d", i + 1), s->d[i]);
    return ok;
}

static char *shape_str(const Graph *g, const Shape *s)
{
    Buf b = {0};
    buf_putc(&b, '[');
    for (int i = 0; i < s->rank; i++) {
        if (i)
            buf_puts(&b, ", ");
        dim_print(&b, s->d[i], &g->env);
    }
    buf_putc(&b, ']');
    char *r = arena_strndup(b.s, b.len);
    buf_free(&b);
    return r;
}

/* ------------------------------------------------------------ graph building */

static int new_value(Ctx *c, Shape s, int producer, const char *name, Span span)
{
    Value *v = arena_alloc(sizeof *v);
    v->shape = s;
    v->producer = producer;
    v->name = name;
    v->span = span;
    vec_push(&c->values, v);
    return c->values.n - 1;
}

static Value *val(Ctx *c, int i)
{
    return c->values.v[i];
}

static int new_tensor(Ctx *c, const char *name, Span span)
{
    Tensor *t = arena_alloc(sizeof *t);
    t->name = name;
    t->span = span;
    vec_push(&c->tensors, t);
    return c->tensors.n - 1;
}

static Tensor *tensor(Ctx *c, int i)
{
    return c->tensors.v[i];
}

/* ------------------------------------------------------------ shape rules */

/* Each rule checks operand shapes (errors at the application) and returns
 * the result shape; false when it reported an error. */
typedef struct {
    Ctx *c;
    GNode *n;
    Shape *in; /* operand shapes */
    Span at;
} Rule;

static bool want_rank(Rule *r, int k, int rank, const char *form)
{
    if (r->in[k].rank == rank)
        return true;
    error_at(r->at, "'%s' wants a %s tensor, but operand %d has shape %s", op_info[r->n->op].name, form, k + 1,
             shape_str(r->c->g, &r->in[k]));
    r->c->errors++;
    return false;
}

static bool same_dim(Rule *r, Dim *got, Dim *want, const char *what, const char *want_name)
{
    return oblige(r->c, r->at, what, got, "the operand", want, want_name, false, r->at);
}

/* (h + 2p - k) / s + 1, with the side condition h + 2p >= k: the one place
 * the checker builds the window rule. The kernels compute it on ints with
 * gsc_out_size (gsc_runtime.h); test_model.c checks that the two agree. */
static Dim *window_out(Rule *r, Dim *h, Dim *k, Dim *s, Dim *p, const char *axis)
{
    Dim *padded = dim_bin(DX_ADD, h, dim_bin(DX_MUL, dim_num(2), p));
    oblige(r->c, r->at, arena_printf("%s: the padded %s covers the window (h + 2*pad >= k)", op_info[r->n->op].name, axis),
           padded, arena_printf("padded %s", axis), k, "k", true, r->at);
    int64_t sv;
    if (dim_is_const(s, &sv) && sv == 0) {
        error_at(r->at, "stride must be at least 1");
        r->c->errors++;
    }
    return dim_bin(DX_ADD, dim_bin(DX_DIV, dim_bin(DX_SUB, padded, k), s), dim_num(1));
}

static bool rule_window(Rule *r, Shape *out, Dim *cout)
{
    if (!want_rank(r, 0, 3, "[c, h, w]"))
        return false;
    int k = op_attr_index(r->n->op, "k"), s = op_attr_index(r->n->op, "stride"), p = op_attr_index(r->n->op, "pad");
    out->rank = 3;
    out->d[0] = cout ? cout : r->in[0].d[0];
    out->d[1] = window_out(r, r->in[0].d[1], r->n->attr[k], r->n->attr[s], r->n->attr[p], "height");
    out->d[2] = window_out(r, r->in[0].d[2], r->n->attr[k], r->n->attr[s], r->n->attr[p], "width");
    return true;
}

static bool shape_CONV2D(Rule *r, Shape *out)
{
    if (!want_rank(r, 0, 3, "[c, h, w]"))
        return false;
    if (!same_dim(r, r->in[0].d[0], r->n->attr[CONV2D_cin], "conv2d: input channels equal cin", "cin"))
        return false;
    return rule_window(r, out, r->n->attr[CONV2D_cout]);
}

static bool shape_BATCHNORM(Rule *r, Shape *out)
{
    if (!want_rank(r, 0, 3, "[c, h, w]"))
        return false;
    *out = r->in[0];
    return same_dim(r, r->in[0].d[0], r->n->attr[BATCHNORM_c], "batchnorm: input channels equal c", "c");
}

static bool shape_LINEAR(Rule *r, Shape *out)
{
    if (!want_rank(r, 0, 1, "[n] vector"))
        return false;
    out->rank = 1;
    out->d[0] = r->n->attr[LINEAR_out];
    return same_dim(r, r->in[0].d[0], r->n->attr[LINEAR_in], "linear: input length equals in", "in");
}

static bool shape_RELU(Rule *r, Shape *out)
{
    *out = r->in[0];
    return true;
}

static bool shape_MAXPOOL2D(Rule *r, Shape *out)
{
    return rule_window(r, out, NULL);
}

static bool shape_AVGPOOL2D(Rule *r, Shape *out)
{
    return rule_window(r, out, NULL);
}

static bool shape_GLOBAL_AVGPOOL(Rule *r, Shape *out)
{
    if (!want_rank(r, 0, 3, "[c, h, w]"))
        return false;
    out->rank = 1;
    out->d[0] = r->in[0].d[0];
    return true;
}

static bool shape_ADD(Rule *r, Shape *out)
{
    *out = r->in[0];
    if (r->in[0].rank != r->in[1].rank) {
        error_at(r->at, "add: operands have different ranks: %s and %s", shape_str(r->c->g, &r->in[0]),
                 shape_str(r->c->g, &r->in[1]));
        r->c->errors++;
        return false;
    }
    bool ok = true;
    for (int i = 0; i < r->in[0].rank; i++)
        ok &= oblige(r->c, r->at, arena_printf("add: operands agree in dimension %d", i + 1), r->in[0].d[i],
                     "the left operand", r->in[1].d[i], "the right operand", false, r->at);
    return ok;
}

static bool shape_CONCAT(Rule *r, Shape *out)
{
    *out = r->in[0];
    bool ok = true;
    for (int k = 1; k < r->n->nin; k++) {
        if (r->in[k].rank != r->in[0].rank) {
            error_at(r->at, "concat: operand %d has shape %s, operand 1 has %s", k + 1, shape_str(r->c->g, &r->in[k]),
                     shape_str(r->c->g, &r->in[0]));
            r->c->errors++;
            return false;
        }
        for (int i = 1; i < r->in[0].rank; i++)
            ok &= oblige(r->c, r->at, arena_printf("concat: operand %d agrees in dimension %d", k + 1, i + 1),
                         r->in[k].d[i], arena_printf("operand %d", k + 1), r->in[0].d[i], "operand 1", false, r->at);
        out->d[0] = dim_bin(DX_ADD, out->d[0], r->in[k].d[0]);
    }
    return ok;
}

static bool shape_FLATTEN(Rule *r, Shape *out)
{
    out->rank = 1;
    out->d[0] = r->in[0].d[0];
    for (int i = 1; i < r->in[0].rank; i++)
        out->d[0] = dim_bin(DX_MUL, out->d[0], r->in[0].d[i]);
    return true;
}

static bool shape_SOFTMAX(Rule *r, Shape *out)
{
    *out = r->in[0];
    return want_rank(r, 0, 1, "[n] vector");
}

typedef bool (*ShapeRule)(Rule *, Shape *);
static const ShapeRule shape_rules[OP__COUNT] = {
#define X(id, name, mi, ma, np, sig) [OP_##id] = shape_##id,
#include "ops.h"
#undef X
};

/* Applies an operation: checks the rule and appends the node. Returns the
 * value index of the result, or -1. */
static int apply_op(Ctx *c, OpKind op, Dim **attr, const int *ins, int nin, int param, const char *name, Span at)
{
    GNode *n = arena_alloc(sizeof *n);
    n->op = op;
    n->name = name;
    n->span = at;
    n->nin = nin;
    n->in = arena_alloc(sizeof(int) * (size_t)nin);
    memcpy(n->in, ins, sizeof(int) * (size_t)nin);
    memcpy(n->attr, attr, sizeof n->attr);
    n->param = param;
    Shape *in = arena_alloc(sizeof(Shape) * (size_t)nin);
    for (int i = 0; i < nin; i++) {
        in[i] = val(c, ins[i])->shape;
        val(c, ins[i])->nuses++;
    }
    Rule r = {c, n, in, at};
    Shape out = {0};
    if (!shape_rules[op](&r, &out))
        return -1;
    if (!oblige_positive(c, at, arena_printf("%s result", op_info[op].name), &out))
        return -1;
    vec_push(&c->nodes, n);
    n->out = new_value(c, out, c->nodes.n - 1, name, at);
    return n->out;
}

/* ------------------------------------------------------------ layers */

static Dim *op_attr(Frame *f, OpKind op, Node **attrs, int i)
{
    const OpSig *sig = op_sig(op);
    return attrs && attrs[i] ? dim_of(f, attrs[i]) : dim_num(sig->defval[i]);
}

/* Parameter shapes of an op layer, known from its attributes alone. */
static void op_params(Ctx *c, Layer *l)
{
    const OpInfo *oi = &op_info[l->op];
    if (!oi->nparams)
        return;
    Tensor *w = tensor(c, l->tbase), *b = tensor(c, l->tbase + 1);
    Dim **a = l->attr;
    switch (l->op) {
    case OP_CONV2D:
        w->shape = (Shape){.rank = 4, .d = {a[CONV2D_cout], a[CONV2D_cin], a[CONV2D_k], a[CONV2D_k]}};
        b->shape = (Shape){.rank = 1, .d = {a[CONV2D_cout]}};
        w->init = INIT_UNIFORM;
        b->init = INIT_ZERO;
        break;
    case OP_BATCHNORM:
        w->shape = b->shape = (Shape){.rank = 1, .d = {a[BATCHNORM_c]}};
        w->init = INIT_ONE;
        b->init = INIT_ZERO;
        break;
    case OP_LINEAR:
        w->shape = (Shape){.rank = 2, .d = {a[LINEAR_out], a[LINEAR_in]}};
        b->shape = (Shape){.rank = 1, .d = {a[LINEAR_out]}};
        w->init = INIT_UNIFORM;
        b->init = INIT_ZERO;
        break;
    case OP_RELU:
    case OP_MAXPOOL2D:
    case OP_AVGPOOL2D:
    case OP_GLOBAL_AVGPOOL:
    case OP_ADD:
    case OP_CONCAT:
    case OP_FLATTEN:
    case OP_SOFTMAX:
    case OP__COUNT:
        internal_error("operation %s has parameters but no parameter rule", oi->name);
    }
    for (int i = 0; i < 2; i++) {
        Tensor *t = tensor(c, l->tbase + i);
        t->shaped = true;
        oblige_positive(c, l->span, arena_printf("parameter %s", t->name), &t->shape);
    }
}

static int count_tensors(Node *n);

static int count_block_tensors(Item *blk)
{
    int k = 0;
    for (int i = 0; i < blk->nbody; i++)
        if (blk->body[i].kind == ST_LAYER)
            k += count_tensors(blk->body[i].expr);
    return k;
}

/* Tensors a layer expression declares (structural, no shapes needed). */
static int count_tensors(Node *n)
{
    switch (n->ref) {
    case REF_OP:
        return op_info[n->opkind].nparams;
    case REF_BLOCK:
        return count_block_tensors(n->item);
    case REF_SEQ: {
        int k = 0;
        for (int i = 0; i < n->nargs; i++)
            k += count_tensors(n->args[i]);
        return k;
    }
    default:
        return 0;
    }
}

/* Declares a layer: reserves its tensors (names now, shapes when known). */
static Layer *declare_layer(Ctx *c, Frame *f, Node *n, const char *path, Span span)
{
    Layer *l = arena_alloc(sizeof *l);
    l->path = path;
    l->span = span;
    l->tbase = c->tensors.n;
    switch (n->ref) {
    case REF_OP: {
        l->kind = L_OP;
        l->op = n->opkind;
        for (int i = 0; i < op_sig(n->opkind)->nattr; i++)
            l->attr[i] = op_attr(f, n->opkind, n->attrs, i);
        if (op_info[l->op].nparams) {
            new_tensor(c, join_path(path, ".weight"), span);
            new_tensor(c, join_path(path, ".bias"), span);
        }
        op_params(c, l);
        break;
    }
    case REF_BLOCK: {
        Item *b = n->item;
        l->kind = L_BLOCK;
        l->block = b;
        l->bargs = arena_alloc(sizeof(Dim *) * (size_t)(b->nparams + 1));
        for (int i = 0; i < b->nparams; i++) {
            Node *a = n->attrs && n->attrs[i] ? n->attrs[i] : NULL;
            l->bargs[i] = a ? dim_of(f, a) : NULL;
        }
        int k = count_block_tensors(b);
        for (int i = 0; i < k; i++)
            new_tensor(c, NULL, span); /* named when the body is elaborated */
        break;
    }
    case REF_SEQ:
        l->kind = L_SEQ;
        l->nelems = n->nargs;
        l->elems = arena_alloc(sizeof(Layer *) * (size_t)n->nargs);
        for (int i = 0; i < n->nargs; i++)
            l->elems[i] = declare_layer(c, f, n->args[i], arena_printf("%s.%d", path, i), n->args[i]->span);
        break;
    default:
        internal_error("unresolved layer");
    }
    return l;
}

static int elab_block(Ctx *c, Layer *l, const int *ins, int nin, Span at);

/* Applies a layer to its operands; returns the result value or -1. */
static int apply_layer(Ctx *c, Layer *l, const int *ins, int nin, Span at)
{
    l->applied++;
    switch (l->kind) {
    case L_OP:
        return apply_op(c, l->op, l->attr, ins, nin, op_info[l->op].nparams ? l->tbase : -1, l->path, at);
    case L_BLOCK:
        return elab_block(c, l, ins, nin, at);
    case L_SEQ: {
        int v = ins[0];
        for (int i = 0; i < l->nelems && v >= 0; i++)
            v = apply_layer(c, l->elems[i], &v, 1, at);
        return v;
    }
    }
    return -1;
}

/* ------------------------------------------------------------ bodies */

static int elab_value(Ctx *c, Frame *f, Node *n);

/* Names for operations applied without a layer: prefix + op, then op_1,
 * op_2, ... within the same prefix (as PyTorch's tracer does: relu, relu_1). */
static const char *unique_name(Ctx *c, const char *prefix, const char *op)
{
    const char *base = arena_printf("%s%s", prefix, op);
    int n = (*strmap_put(&c->names, base))++;
    return n ? arena_printf("%s_%d", base, n) : base;
}

static int elab_call(Ctx *c, Frame *f, Node *n)
{
    int *ins = arena_alloc(sizeof(int) * (size_t)(n->nins + 1));
    for (int i = 0; i < n->nins; i++)
        if ((ins[i] = elab_value(c, f, n->ins[i])) < 0)
            return -1;
    if (n->ref == REF_SYM)
        return apply_layer(c, f->layers[n->slot], ins, n->nins, n->span);
    Dim *attr[MAX_ATTR] = {0};
    for (int i = 0; i < op_sig(n->opkind)->nattr; i++)
        attr[i] = op_attr(f, n->opkind, n->attrs, i);
    return apply_op(c, n->opkind, attr, ins, n->nins, -1, unique_name(c, f->prefix, n->name), n->span);
}

static int elab_value(Ctx *c, Frame *f, Node *n)
{
    switch (n->kind) {
    case ND_NAME:
        return f->vals[n->slot];
    case ND_BIN: {
        int ins[2] = {elab_value(c, f, n->lhs), elab_value(c, f, n->rhs)};
        if (ins[0] < 0 || ins[1] < 0)
            return -1;
        Dim *attr[MAX_ATTR] = {0};
        return apply_op(c, OP_ADD, attr, ins, 2, -1, unique_name(c, f->prefix, "add"), n->span);
    }
    case ND_CALL:
        return elab_call(c, f, n);
    default:
        internal_error("not a value expression");
    }
}

/* A shape annotation: each written dimension equals the actual one. */
static bool check_annotation(Ctx *c, Frame *f, Node *shape, int v, const char *what)
{
    Shape *s = &val(c, v)->shape;
    if (shape->nargs != s->rank) {
        error_at(shape->span, "%s: annotated with %d dimensions, but the value has shape %s", what, shape->nargs,
                 shape_str(c->g, s));
        note_at(val(c, v)->span, "the value is computed here");
        c->errors++;
        return false;
    }
    bool ok = true;
    for (int i = 0; i < s->rank; i++) {
        Node *e = shape->args[i];
        ok &= oblige(c, e->span, arena_printf("%s, dimension %d", what, i + 1), s->d[i],
                     val(c, v)->name, dim_of(f, e), span_text(e->span), false, val(c, v)->span);
    }
    return ok;
}

/* Binds an input's declared shape to an actual shape: a fresh shape
 * variable takes the actual dimension; anything else must equal it. */
static bool bind_input(Ctx *c, Frame *f, Param *p, int v, Span at)
{
    Shape *s = &val(c, v)->shape;
    Node *shape = p->shape;
    if (shape->nargs != s->rank) {
        error_at(at, "'%s' wants %s with %d dimensions, but the operand has shape %s", f->item->name, p->name,
                 shape->nargs, shape_str(c->g, s));
        note_at(shape->span, "'%s' is declared here", p->name);
        c->errors++;
        return false;
    }
    bool ok = true;
    for (int i = 0; i < s->rank; i++) {
        Node *e = shape->args[i];
        if (e->kind == ND_NAME && f->item->syms[e->slot].bound_by == e && !f->dims[e->slot]) {
            f->dims[e->slot] = s->d[i];
            continue;
        }
        ok &= oblige(c, at, arena_printf("input '%s' of '%s', dimension %d", p->name, f->item->name, i + 1), s->d[i],
                     "the operand", dim_of(f, e), span_text(e->span), false, val(c, v)->span);
    }
    return ok;
}

/* Elaborates the statements of a body; returns the returned value or -1. */
static int elab_body(Ctx *c, Frame *f)
{
    Item *it = f->item;
    int result = -1;
    for (int i = 0; i < it->nbody; i++) {
        Stmt *st = &it->body[i];
        int slot = st->slot;
        switch (st->kind) {
        case ST_LAYER:
            f->layers[slot] = declare_layer(c, f, st->expr, join_path(f->prefix, st->name), st->span);
            break;
        case ST_LET: {
            int v = elab_value(c, f, st->expr);
            if (v < 0)
                return -1;
            val(c, v)->name = join_path(f->prefix, st->name);
            if (st->shape && !check_annotation(c, f, st->shape, v, arena_printf("'%s'", st->name)))
                return -1;
            f->vals[slot] = v;
            break;
        }
        case ST_RETURN:
            result = elab_value(c, f, st->expr);
            break;
        }
    }
    return result;
}

static Frame *new_frame(Item *it, const char *prefix)
{
    Frame *f = arena_alloc(sizeof *f);
    int n = it->nsyms + 1;
    f->item = it;
    f->prefix = prefix;
    f->dims = arena_alloc(sizeof(Dim *) * (size_t)n);
    f->vals = arena_alloc(sizeof(int) * (size_t)n);
    f->layers = arena_alloc(sizeof(Layer *) * (size_t)n);
    return f;
}

/* Names the tensors a block instance reserved: its body declares them again
 * in the same order, so the names are the instance path plus the inner one. */
static void adopt_tensors(Ctx *c, int from, int to, int base, int count, Span at)
{
    if (to - from != count)
        internal_error("block instance declared %d tensors, reserved %d", to - from, count);
    for (int i = 0; i < count; i++) {
        Tensor *src = tensor(c, from + i), *dst = tensor(c, base + i);
        if (!dst->name) {
            *dst = *src;
        } else {
            for (int k = 0; k < src->shape.rank; k++)
                oblige(c, at, arena_printf("shared layer: parameter %s, dimension %d", dst->name, k + 1),
                       src->shape.d[k], "this use", dst->shape.d[k], "the first use", false, at);
        }
    }
}

static int elab_block_body(Ctx *c, Layer *l, const int *ins, int nin, Span at);

/* Elaborates a block instance's body, remembering where it was applied. */
static int elab_block(Ctx *c, Layer *l, const int *ins, int nin, Span at)
{
    if (c->ninst == MAX_INSTANCE_DEPTH) {
        error_at(at, "blocks nested more than %d deep", MAX_INSTANCE_DEPTH);
        c->errors++;
        return -1;
    }
    c->inst[c->ninst++] = (Instance){l, at};
    int v = elab_block_body(c, l, ins, nin, at);
    c->ninst--;
    return v;
}

static int elab_block_body(Ctx *c, Layer *l, const int *ins, int nin, Span at)
{
    Item *b = l->block;
    Frame *f = new_frame(b, join_path(l->path, "."));
    for (int i = 0; i < b->nparams; i++) {
        f->dims[i] = l->bargs[i] ? l->bargs[i] : dim_of(f, b->params[i].defval);
    }
    for (int i = 0; i < nin; i++) {
        if (!bind_input(c, f, &b->inputs[i], ins[i], at))
            return -1;
    }
    for (int i = 0; i < b->nsyms; i++)
        if (b->syms[i].kind == SYM_INPUT)
            f->vals[i] = ins[b->syms[i].index];
    int from = c->tensors.n, first_node = c->nodes.n;
    int v = elab_body(c, f);
    if (v < 0)
        return -1;
    /* The inner declarations appended fresh tensors; move them into the
     * slots reserved at the instance's declaration (ABI order), and point
     * the new operations at those slots. */
    adopt_tensors(c, from, c->tensors.n, l->tbase, count_block_tensors(b), at);
    for (int i = first_node; i < c->nodes.n; i++) {
        GNode *n = c->nodes.v[i];
        if (n->param >= from)
            n->param = l->tbase + (n->param - from);
    }
    c->tensors.n = from;
    Span sig = b->result->span;
    Shape *s = &val(c, v)->shape;
    if (b->result->nargs != s->rank) {
        error_at(at, "'%s' returns shape %s, but its signature says %s", b->name, shape_str(c->g, s),
                 span_text(sig));
        c->errors++;
        return -1;
    }
    for (int i = 0; i < s->rank; i++) {
        Node *e = b->result->args[i];
        if (!oblige(c, at, arena_printf("result of '%s' (%s), dimension %d", b->name, l->path, i + 1), s->d[i],
                    arena_printf("'%s'", b->name), dim_of(f, e), span_text(e->span), false, e->span))
            return -1;
    }
    return v;
}

/* ------------------------------------------------------------ the model */

/* The model's symbols: integer parameters (at least 1), then the input's
 * dimension variables, with bounds from 'where'. */
static bool model_env(Ctx *c, Item *m, Frame *f)
{
    Graph *g = c->g;
    g->env.syms = arena_alloc(sizeof(DimSym) * (size_t)(m->nsyms + 1));
    for (int i = 0; i < m->nsyms; i++) {
        Sym *s = &m->syms[i];
        if (s->kind != SYM_INT && s->kind != SYM_DIMVAR)
            continue;
        int k = g->env.nsyms++;
        g->env.syms[k] = (DimSym){s->name, s->kind == SYM_INT ? 1 : 0, INT64_MAX};
        f->dims[i] = dim_sym(k);
    }
    bool ok = true;
    for (int i = 0; i < m->nwhere; i++) {
        Node *w = m->where[i];
        Node *sym = w->lhs, *lim = w->rhs;
        int op = w->op;
        if (sym->kind != ND_NAME) { /* 1 <= H */
            Node *t = sym;
            sym = lim;
            lim = t;
            static const int flip[] = {CMP_EQ, CMP_NE, CMP_GT, CMP_GE, CMP_LT, CMP_LE};
            op = flip[op];
        }
        int64_t v;
        if (sym->kind != ND_NAME || !dim_is_const(dim_of(f, lim), &v) || op == CMP_NE ||
            f->dims[sym->slot]->kind != DX_SYM) {
            error_at(w->span, "unsupported constraint: 'where' takes bounds on a parameter or input dimension, "
                              "such as H >= 1 or H <= 4096");
            ok = false;
            continue;
        }
        DimSym *ds = &g->env.syms[f->dims[sym->slot]->sym];
        if (op == CMP_GE || op == CMP_EQ || op == CMP_GT)
            ds->lo = v + (op == CMP_GT) > ds->lo ? v + (op == CMP_GT) : ds->lo;
        if (op == CMP_LE || op == CMP_EQ || op == CMP_LT)
            ds->hi = v - (op == CMP_LT) < ds->hi ? v - (op == CMP_LT) : ds->hi;
        if (ds->lo > ds->hi) {
            error_at(w->span, "the constraints on '%s' allow no value", ds->name);
            ok = false;
        }
    }
    return ok;
}

static void *vec_to_array(Vec *v, size_t elem, int *n)
{
    *n = v->n;
    char *a = arena_alloc(elem * (size_t)(v->n + 1));
    for (int i = 0; i < v->n; i++)
        memcpy(a + elem * (size_t)i, v->v[i], elem);
    free(v->v);
    return a;
}

Graph *check_model(Program *p, Item *m)
{
    if (!one)
        one = dim_num(1);
    Graph *g = arena_alloc(sizeof *g);
    g->prog = p;
    g->model = m;
    Ctx c = {.g = g};
    Frame *f = new_frame(m, "");
    if (!model_env(&c, m, f))
        return NULL;
    Param *in = &m->inputs[0];
    Shape s = {.rank = in->shape->nargs};
    if (s.rank > MAX_RANK) {
        error_at(in->shape->span, "tensors have at most %d dimensions", MAX_RANK);
        return NULL;
    }
    for (int i = 0; i < s.rank; i++)
        s.d[i] = dim_of(f, in->shape->args[i]);
    oblige_positive(&c, in->span, arena_printf("input '%s'", in->name), &s);
    g->input = new_value(&c, s, -1, in->name, in->span);
    for (int i = 0; i < m->nsyms; i++)
        if (m->syms[i].kind == SYM_INPUT)
            f->vals[i] = g->input;
    int v = c.errors ? -1 : elab_body(&c, f);
    if (v >= 0) {
        g->output = v;
        Shape *os = &val(&c, v)->shape;
        if (m->result->nargs != os->rank) {
            error_at(m->result->span, "'%s' returns shape %s, but its signature says %s", m->name,
                     shape_str(g, os), span_text(m->result->span));
            c.errors++;
        } else {
            for (int i = 0; i < os->rank; i++)
                oblige(&c, m->result->args[i]->span, arena_printf("result of '%s', dimension %d", m->name, i + 1),
                       os->d[i], "the result", dim_of(f, m->result->args[i]), span_text(m->result->args[i]->span),
                       false, val(&c, v)->span);
        }
    }
    for (int i = 0; i < c.tensors.n; i++) {
        Tensor *t = tensor(&c, i);
        if (!t->shaped && !c.errors) {
            error_at(t->span, "the shapes of this layer's parameters are unknown, because it is never applied");
            c.errors++;
            break;
        }
    }
    g->nodes = vec_to_array(&c.nodes, sizeof(GNode), &g->nnodes);
    g->values = vec_to_array(&c.values, sizeof(Value), &g->nvalues);
    g->tensors = vec_to_array(&c.tensors, sizeof(Tensor), &g->ntensors);
    g->obls = vec_to_array(&c.obls, sizeof(Obligation), &g->nobls);
    strmap_free(&c.names);
    return c.errors || v < 0 ? NULL : g;
}

/* ------------------------------------------------------------ --explain */

void explain_graph(const Graph *g, FILE *out)
{
    int proved = 0;
    for (int i = 0; i < g->nobls; i++) {
        const Obligation *o = &g->obls[i];
        int line, col;
        span_linecol(o->span, &line, &col);
        fprintf(out, "%s:%d:%d: %s: %s\n", o->span.file->name, line, col,
                o->proof.res == PROVE_TRUE ? "proved" : "FAILED", o->what);
        fprintf(out, "    %s %s %s\n", dim_str(o->lhs, &g->env), o->ge ? ">=" : "=", dim_str(o->rhs, &g->env));
        fprintf(out, "    normal form: %s %s %s", prove_normal_str(&g->env, o->lhs), o->ge ? ">=" : "=",
                prove_normal_str(&g->env, o->rhs));
        if (o->proof.method)
            fprintf(out, "  [%s]", o->proof.method);
        fputc('\n', out);
        proved += o->proof.res == PROVE_TRUE;
    }
    fprintf(out, "%d of %d obligations proved for all", proved, g->nobls);
    for (int i = 0; i < g->env.nsyms; i++) {
        const DimSym *s = &g->env.syms[i];
        fprintf(out, "%s %s >= %lld", i ? "," : "", s->name, (long long)s->lo);
        if (s->hi != INT64_MAX)
            fprintf(out, " and <= %lld", (long long)s->hi);
    }
    fputc('\n', out);
}
