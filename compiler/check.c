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
    int ntensors;       /* L_OP: the tensors it declares (op_layer_tensors) */
    Dim *attr[MAX_ATTR];
    double real[MAX_ATTR]; /* L_OP: its real attributes */
    Node **attr_src;    /* L_OP: the arguments as written (NULL entry: the default) */
    Item *block;        /* L_BLOCK */
    Dim **bargs;        /* L_BLOCK: integer arguments, per block parameter */
    Layer **elems;      /* L_SEQ */
    int nelems;
    int applied;
    bool bad;           /* its declaration had an error */
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
    int64_t *defvals; /* per env symbol, its default; NULL when one has none */
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

/* "H = 28, W = 28", the defaults of the symbols in d (all of them when
 * d is NULL), or NULL when there are no defaults or d has no symbol. */
static const char *defaults_text(Ctx *c, const Dim *const *d, int n)
{
    const DimEnv *env = &c->g->env;
    if (!c->defvals)
        return NULL;
    bool *used = arena_alloc(sizeof(bool) * (size_t)(env->nsyms + 1));
    for (int i = 0; i < n; i++)
        mark_syms(d[i], used);
    Buf b = {0};
    int k = 0;
    for (int i = 0; i < env->nsyms; i++)
        if (used[i])
            buf_printf(&b, "%s%s = %lld", k++ ? ", " : "", env->syms[i].name, (long long)c->defvals[i]);
    char *s = k ? arena_strndup(b.s, b.len) : NULL;
    buf_free(&b);
    return s;
}

/* A size in a diagnostic: as written, or shorter where an exact rewrite
 * makes it so ((H + 4 - 5) / 2 + 1 is (H + 1) / 2; dim_simplify). */
static const char *size_text(const DimEnv *env, Dim *d)
{
    return dim_str(dim_simplify(d, env), env);
}

/* "[32, (H + 3) / 4, (W + 3) / 4]": a shape, simplified. */
static char *shape_nf(Ctx *c, const Shape *s)
{
    Buf b = {0};
    for (int i = 0; i < s->rank; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", size_text(&c->g->env, s->d[i]));
    char *r = arena_printf("[%s]", b.s ? b.s : "");
    buf_free(&b);
    return r;
}

/* "[32, 7, 7]", a shape at the defaults (c->defvals set). */
static char *shape_at_defaults(Ctx *c, const Shape *s)
{
    Buf b = {0};
    for (int i = 0; i < s->rank; i++) {
        bool ovf = false;
        buf_printf(&b, "%s%lld", i ? ", " : "", (long long)dim_eval(s->d[i], c->defvals, &ovf));
    }
    char *r = arena_printf("[%s]", b.s ? b.s : "");
    buf_free(&b);
    return r;
}

/* Shapes normalised, and their values at the defaults when they have
 * symbols: "[128, (H + 7) / 8, ...] and [64, ...] ([128, 28, 28] and
 * [64, 56, 56] at H = 224, W = 224)". */
static char *shapes_str(Ctx *c, const Shape *const *s, int n, const char *sep)
{
    Buf b = {0}, v = {0};
    const Dim *dims[4 * MAX_RANK];
    int nd = 0;
    for (int k = 0; k < n; k++) {
        buf_printf(&b, "%s%s", k ? sep : "", shape_nf(c, s[k]));
        for (int i = 0; i < s[k]->rank && nd < countof(dims); i++)
            dims[nd++] = s[k]->d[i];
    }
    const char *at = defaults_text(c, dims, nd);
    for (int k = 0; at && k < n; k++)
        buf_printf(&v, "%s%s", k ? sep : "", shape_at_defaults(c, s[k]));
    char *r = at ? arena_printf("%s (%s at %s)", b.s, v.s, at) : arena_strndup(b.s, b.len);
    buf_free(&b);
    buf_free(&v);
    return r;
}

static char *shape_str(Ctx *c, const Shape *s)
{
    return shapes_str(c, &s, 1, "");
}

/* Proves lhs = rhs (or lhs >= rhs) for all sizes and records the claim
 * for --explain; reports nothing. */
static Proof claim(Ctx *c, Span at, const char *what, Dim *lhs, Dim *rhs, bool ge)
{
    Proof pr = ge ? prove_ge(&c->g->env, lhs, rhs) : prove_eq(&c->g->env, lhs, rhs);
    Obligation *o = arena_alloc(sizeof *o);
    *o = (Obligation){at, what, lhs, rhs, ge, pr};
    vec_push(&c->obls, o);
    return pr;
}

/* "counterexample: H = 2: y gives 1, H gives 2", or why it is undecided. */
static const char *failure_text(Ctx *c, Proof pr, Dim *lhs, const char *lhs_name, Dim *rhs, const char *rhs_name,
                                bool ge)
{
    const DimEnv *env = &c->g->env;
    if (pr.res == PROVE_FALSE) {
        bool ovf = false;
        int64_t lv = dim_eval(lhs, pr.cex, &ovf), rv = dim_eval(rhs, pr.cex, &ovf);
        return arena_printf("counterexample: %s: %s gives %lld, %s gives %lld", cex_text_for(env, pr.cex, lhs, rhs),
                            lhs_name, (long long)lv, rhs_name, (long long)rv);
    }
    return arena_printf("cannot prove %s %s %s (%s)", size_text(env, lhs), ge ? ">=" : "=",
                        size_text(env, rhs), pr.why ? pr.why : "outside the procedure");
}

/* The notes that close every shape error: where the value came from, and
 * the block instances being elaborated. */
static void note_context(Ctx *c, Span at, Span origin, const char *lhs_name)
{
    if (origin.file && (origin.lo != at.lo || origin.hi != at.hi))
        note_at(origin, "%s comes from here", lhs_name);
    for (int i = c->ninst - 1; i >= 0; i--)
        note_at(c->inst[i].at, "in '%s', the instance of block '%s' applied here", c->inst[i].layer->path,
                c->inst[i].layer->block->name);
}

/* Reports a failed claim at `at`: what was claimed, in normal form, a
 * counterexample, and the text the right side was written as when that
 * differs. The caller adds the context (note_context). */
static void report_claim(Ctx *c, Span at, const char *what, Proof pr, Dim *lhs, const char *lhs_name, Dim *rhs,
                         const char *rhs_name, bool ge)
{
    const DimEnv *env = &c->g->env;
    const char *rel = ge ? ">=" : "=";
    const char *ls = size_text(env, lhs), *rs = size_text(env, rhs);
    int64_t k;
    if (pr.res == PROVE_FALSE && dim_is_const(lhs, &k) && dim_is_const(rhs, &k)) {
        bool ovf = false;
        error_at(at, "%s: %s gives %lld, %s gives %lld", what, lhs_name, (long long)dim_eval(lhs, pr.cex, &ovf),
                 rhs_name, (long long)dim_eval(rhs, pr.cex, &ovf));
    } else if (pr.res == PROVE_FALSE) {
        error_at(at, "%s: %s %s %s does not hold for all sizes", what, ls, rel, rs);
        if (strcmp(rhs_name, rs) && strchr(rhs_name, '(') && strlen(rhs_name) < 60)
            note_at(at, "%s is written %s", rs, rhs_name);
        note_at(at, "%s", failure_text(c, pr, lhs, lhs_name, rhs, rhs_name, ge));
    } else {
        error_at(at, "%s: %s", what, failure_text(c, pr, lhs, lhs_name, rhs, rhs_name, ge));
    }
    c->errors++;
}

/* Proves lhs = rhs (or lhs >= rhs) for all sizes; reports a failure. */
static bool oblige(Ctx *c, Span at, const char *what, Dim *lhs, const char *lhs_name, Dim *rhs,
                   const char *rhs_name, bool ge, Span origin)
{
    Proof pr = claim(c, at, what, lhs, rhs, ge);
    if (pr.res == PROVE_TRUE)
        return true;
    report_claim(c, at, what, pr, lhs, lhs_name, rhs, rhs_name, ge);
    note_context(c, at, origin, lhs_name);
    return false;
}

/* got[i] = want[i] for every dimension, one claim each; a mismatch is one
 * error, whatever the number of dimensions that differ: the caller's
 * headline, then a note per failing dimension. Returns the number failed. */
typedef struct {
    int rank;
    Dim *got[MAX_RANK], *want[MAX_RANK];
    const char *want_text[MAX_RANK];
    const char *what[MAX_RANK];
    Proof pr[MAX_RANK];
    bool skip[MAX_RANK]; /* not claimed (a fresh shape variable binds it) */
} DimClaims;

static int claim_dims(Ctx *c, Span at, DimClaims *d)
{
    int failed = 0;
    for (int i = 0; i < d->rank; i++) {
        if (d->skip[i])
            continue;
        d->pr[i] = claim(c, at, d->what[i], d->got[i], d->want[i], false);
        failed += d->pr[i].res != PROVE_TRUE;
    }
    return failed;
}

static void note_dims(Ctx *c, Span at, DimClaims *d, const char *got_name)
{
    for (int i = 0; i < d->rank; i++) {
        if (d->skip[i] || d->pr[i].res == PROVE_TRUE)
            continue;
        int64_t a, b;
        if (dim_is_const(d->got[i], &a) && dim_is_const(d->want[i], &b))
            note_at(at, "dimension %d: %s gives %lld, %s gives %lld", i + 1, got_name, (long long)a, d->want_text[i],
                    (long long)b);
        else if (d->pr[i].res == PROVE_FALSE)
            note_at(at, "dimension %d: %s = %s fails at %s (%s gives %lld, %s gives %lld)", i + 1,
                    size_text(&c->g->env, d->got[i]), size_text(&c->g->env, d->want[i]),
                    cex_text_for(&c->g->env, d->pr[i].cex, d->got[i], d->want[i]), got_name,
                    (long long)dim_eval(d->got[i], d->pr[i].cex, &(bool){false}), d->want_text[i],
                    (long long)dim_eval(d->want[i], d->pr[i].cex, &(bool){false}));
        else
            note_at(at, "dimension %d: %s", i + 1,
                    failure_text(c, d->pr[i], d->got[i], got_name, d->want[i], d->want_text[i], false));
    }
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
    bool ok = true; /* the first dimension that may be 0 is the one error */
    for (int i = 0; i < s->rank && ok; i++)
        ok = oblige_at_least_1(c, at, arena_printf("%s, dimension %d is at least 1", what, i + 1),
                                arena_printf("dimension %d", i + 1), s->d[i]);
    return ok;
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

/* Each rule checks operand shapes (errors at the application, or at the
 * layer's declaration when that is where the fix goes) and returns the
 * result shape; false when it reported an error. */
typedef struct {
    Ctx *c;
    GNode *n;
    Shape *in;          /* operand shapes */
    const int *ins;     /* operand values */
    const Layer *decl;  /* the layer applied, or NULL (an operation inline) */
    Span at;
} Rule;

/* "'a'" for an input or let value, else "its operand" ("operand 2"). */
static const char *operand_name(Rule *r, int k)
{
    Value *v = val(r->c, r->ins[k]);
    if (v->named)
        return arena_printf("'%s'", v->name);
    return r->n->nin > 1 ? arena_printf("operand %d", k + 1) : "its operand";
}

/* The name a layer has in its body: "fc" for "layer2.0.fc"; NULL for a
 * seq member ("layer1.0"), which has none. */
static const char *short_name(const char *path)
{
    const char *s = strrchr(path, '.');
    s = s ? s + 1 : path;
    return *s >= '0' && *s <= '9' ? NULL : s;
}

static bool want_rank(Rule *r, int k, int rank, const char *form)
{
    if (r->in[k].rank == rank)
        return true;
    const char *hint = "";
    if (r->n->op == OP_LINEAR && r->in[k].rank > 1) {
        const char *l = r->decl ? short_name(r->decl->path) : NULL;
        Value *v = val(r->c, r->ins[k]);
        hint = l && v->named ? arena_printf("; flatten it first: %s(flatten(%s))", l, v->name)
                             : "; flatten it first (flatten of [c, h, w] is the vector [c*h*w])";
    }
    error_at(r->at, "'%s' wants %s, but %s has shape %s%s", op_info[r->n->op].name, form, operand_name(r, k),
             shape_str(r->c, &r->in[k]), hint);
    note_context(r->c, r->at, (Span){0}, NULL);
    r->c->errors++;
    return false;
}

/* An operand dimension that must equal a layer argument (conv2d's cin,
 * batchnorm's c, linear's in). A written argument is where the fix goes,
 * so the error is there, with a note at the use; an inline operation or a
 * default is reported at the use. */
static bool arg_dim(Rule *r, int slot, Dim *got, const char *what, const char *unit)
{
    Ctx *c = r->c;
    Dim *want = r->n->attr[slot];
    const char *aname = op_sig(r->n->op)->attr[slot];
    Node *src = r->decl && r->decl->attr_src ? r->decl->attr_src[slot] : NULL;
    Proof pr = claim(c, src ? src->span : r->at, what, got, want, false);
    if (pr.res == PROVE_TRUE)
        return true;
    if (!src) {
        report_claim(c, r->at, what, pr, got, "the operand", want, aname, false);
        note_context(c, r->at, (Span){0}, NULL);
        return false;
    }
    const DimEnv *env = &c->g->env;
    const char *gs = size_text(env, got), *ws = size_text(env, want);
    int64_t k;
    const char *head = arena_printf("'%s' is declared with %s = %s, but its input has %s", r->decl->path, aname, ws,
                                    strcmp(unit, "length") ? arena_printf("%s %s", gs, unit) : arena_printf("length %s", gs));
    if (dim_is_const(got, &k) && dim_is_const(want, &k)) {
        error_at(src->span, "%s", head);
    } else if (pr.res == PROVE_FALSE) {
        error_at(src->span, "%s, and %s = %s does not hold for all sizes", head, gs, ws);
        note_at(src->span, "%s", failure_text(c, pr, got, "the input", want, aname, false));
    } else {
        error_at(src->span, "%s: %s", head, failure_text(c, pr, got, "the input", want, aname, false));
    }
    note_at(r->at, "'%s' is applied here to %s, of shape %s", r->decl->path, operand_name(r, 0),
            shape_str(c, &r->in[0]));
    note_context(c, r->at, (Span){0}, NULL);
    c->errors++;
    return false;
}

/* h + 2*pad, the padded extent of an axis. */
static Dim *padded(Dim *h, Dim *p)
{
    return dim_bin(DX_ADD, h, dim_bin(DX_MUL, dim_num(2), p));
}

/* (h + top + bottom - kh) / sh + 1 and (w + left + right - kw) / sw + 1,
 * with the side conditions that the padded extents cover the window: the
 * one place the checker builds the window rule. Padding on both sides alike
 * is h + 2*pad, as written before per-axis forms existed. The kernels
 * compute it on ints with gsc_out_size (gsc_runtime.h); test_model.c checks
 * that the two agree. A window too large for both axes is one error.
 * ceil (a max-pool's ceil=1) rounds the count up: the extents gain
 * stride - 1, (h + top + bottom + sh - 1 - kh) / sh + 1, and the last window
 * may hang over the edge (h + top + bottom + sh - 1 >= kh suffices). */
static bool rule_window(Rule *r, Shape *out, Dim *cout, bool ceil)
{
    if (!want_rank(r, 0, 3, "a [c, h, w] tensor"))
        return false;
    Ctx *c = r->c;
    const char *op = op_info[r->n->op].name;
    int ki = op_attr_index(r->n->op, "k"), si = op_attr_index(r->n->op, "stride"), pi = op_attr_index(r->n->op, "pad");
    Dim **at = r->n->attr;
    Dim *kh = at[ki], *kw = at[ki + 1], *sh = at[si], *sw = at[si + 1];
    Dim *top = at[pi], *left = at[pi + 1], *bottom = at[pi + 2], *right = at[pi + 3];
    bool square = dim_same(kh, kw), even = dim_same(top, bottom) && dim_same(left, right) && dim_same(top, left);
    /* conv2d's dilation: kh taps dh rows apart cover (kh - 1)*dh + 1 rows, the
     * extent every rule below reads as the window's */
    bool dilated = false;
    const char *khd = NULL, *kwd = NULL;
    if (r->n->op == OP_CONV2D) {
        Dim *dh = at[CONV2D_dilation], *dw = at[CONV2D_dilation_w];
        int64_t v1, v2;
        dilated = !(dim_is_const(dh, &v1) && v1 == 1 && dim_is_const(dw, &v2) && v2 == 1);
        if (dilated) {
            kh = dim_bin(DX_ADD, dim_bin(DX_MUL, dim_bin(DX_SUB, kh, dim_num(1)), dh), dim_num(1));
            kw = dim_bin(DX_ADD, dim_bin(DX_MUL, dim_bin(DX_SUB, kw, dim_num(1)), dw), dim_num(1));
            khd = square && dim_same(dh, dw) ? "(k - 1)*dilation + 1" : "(kh - 1)*dh + 1";
            kwd = square && dim_same(dh, dw) ? "(k - 1)*dilation + 1" : "(kw - 1)*dw + 1";
            square = false; /* the messages name the dilated extent */
        }
    }
    Dim *ph = dim_same(top, bottom) ? padded(r->in[0].d[1], top) : dim_bin(DX_ADD, dim_bin(DX_ADD, r->in[0].d[1], top), bottom);
    Dim *pw = dim_same(left, right) ? padded(r->in[0].d[2], left) : dim_bin(DX_ADD, dim_bin(DX_ADD, r->in[0].d[2], left), right);
    const char *khn = dilated ? khd : square ? "k" : "kh", *kwn = dilated ? kwd : square ? "k" : "kw";
    const char *wh = even && square ? arena_printf("%s: the padded height covers the window (h + 2*pad >= k)", op)
                                    : arena_printf("%s: the padded height covers the window (h + top + bottom >= %s)", op, khn);
    const char *ww = even && square ? arena_printf("%s: the padded width covers the window (w + 2*pad >= k)", op)
                                    : arena_printf("%s: the padded width covers the window (w + left + right >= %s)", op, kwn);
    const char *hn = ceil ? "the padded height + stride - 1" : "the padded height";
    const char *wn = ceil ? "the padded width + stride - 1" : "the padded width";
    if (ceil) {
        ph = dim_bin(DX_ADD, ph, dim_bin(DX_SUB, sh, dim_num(1)));
        pw = dim_bin(DX_ADD, pw, dim_bin(DX_SUB, sw, dim_num(1)));
        wh = even && square ? arena_printf("%s: with ceil=1 the height reaches the window (h + 2*pad + stride - 1 >= k)", op)
                            : arena_printf("%s: with ceil=1 the height reaches the window (h + top + bottom + sh - 1 >= %s)",
                                           op, khn);
        ww = even && square ? arena_printf("%s: with ceil=1 the width reaches the window (w + 2*pad + stride - 1 >= k)", op)
                            : arena_printf("%s: with ceil=1 the width reaches the window (w + left + right + sw - 1 >= %s)",
                                           op, kwn);
    }
    Proof a = claim(c, r->at, wh, ph, kh, true), b = claim(c, r->at, ww, pw, kw, true);
    bool ok = a.res == PROVE_TRUE && b.res == PROVE_TRUE;
    if (a.res != PROVE_TRUE) {
        report_claim(c, r->at, wh, a, ph, hn, kh, khn, true);
        if (b.res != PROVE_TRUE)
            note_at(r->at, "the same for the width: %s", failure_text(c, b, pw, wn, kw, kwn, true));
    } else if (b.res != PROVE_TRUE) {
        report_claim(c, r->at, ww, b, pw, wn, kw, kwn, true);
    }
    if (!ok)
        note_context(c, r->at, (Span){0}, NULL);
    int64_t v1, v2;
    if ((dim_is_const(sh, &v1) && v1 == 0) || (dim_is_const(sw, &v2) && v2 == 0)) {
        error_at(r->at, "stride must be at least 1");
        c->errors++;
        ok = false;
    }
    if (r->n->op == OP_CONV2D && ((dim_is_const(at[CONV2D_dilation], &v1) && v1 == 0) ||
                                  (dim_is_const(at[CONV2D_dilation_w], &v2) && v2 == 0))) {
        error_at(r->at, "dilation must be at least 1 (1: adjacent taps)");
        c->errors++;
        ok = false;
    }
    out->rank = 3;
    out->d[0] = cout ? cout : r->in[0].d[0];
    out->d[1] = dim_bin(DX_ADD, dim_bin(DX_DIV, dim_bin(DX_SUB, ph, kh), sh), dim_num(1));
    out->d[2] = dim_bin(DX_ADD, dim_bin(DX_DIV, dim_bin(DX_SUB, pw, kw), sw), dim_num(1));
    return ok;
}

static bool shape_CONV2D(Rule *r, Shape *out)
{
    if (!want_rank(r, 0, 3, "a [c, h, w] tensor"))
        return false;
    if (!arg_dim(r, CONV2D_cin, r->in[0].d[0], "conv2d: input channels equal cin", "channels"))
        return false;
    return rule_window(r, out, r->n->attr[CONV2D_cout], false);
}

/* One axis of a transposed convolution: (h - 1)*stride + (k - 1)*dilation
 * + output_pad + 1 cells before the padding is cut off, lo + hi of them
 * (PyTorch's ConvTranspose2d). Side conditions, proved for all sizes: the
 * stride and the dilation are at least 1, output_pad is below the stride
 * (each output cell has one meaning), and the cut leaves at least a cell. */
static Dim *convt_axis(Rule *r, const char *axis, Dim *h, Dim *k, Dim *s, Dim *lo, Dim *hi, Dim *op, Dim *d, bool *ok)
{
    Ctx *c = r->c;
    Dim *one = dim_num(1);
    Dim *full = dim_bin(DX_ADD, dim_bin(DX_ADD, dim_bin(DX_MUL, dim_bin(DX_SUB, h, one), s),
                                        dim_bin(DX_MUL, dim_bin(DX_SUB, k, one), d)),
                        dim_bin(DX_ADD, op, one));
    Dim *cut = dim_bin(DX_ADD, lo, hi);
    if (*ok && !oblige(c, r->at, arena_printf("conv_transpose2d: the %s stride is at least 1", axis), s, "stride", one,
                       "1", true, r->at))
        *ok = false;
    if (*ok && !oblige(c, r->at, arena_printf("conv_transpose2d: the %s dilation is at least 1", axis), d, "dilation",
                       one, "1", true, r->at))
        *ok = false;
    if (*ok && !oblige(c, r->at,
                       arena_printf("conv_transpose2d: the %s output_pad is less than the stride (stride >= output_pad + 1)",
                                    axis),
                       s, "the stride", dim_bin(DX_ADD, op, one), "output_pad + 1", true, r->at))
        *ok = false;
    if (*ok && !oblige(c, r->at,
                       arena_printf("conv_transpose2d: the %s padding leaves a cell ((h - 1)*stride + (k - 1)*dilation + "
                                    "output_pad + 1 >= pads + 1)",
                                    axis),
                       full, "the unpadded extent", dim_bin(DX_ADD, cut, one), "the padding + 1", true, r->at))
        *ok = false;
    return dim_bin(DX_SUB, full, cut);
}

/* conv_transpose2d: out = (h - 1)*stride - top - bottom + (k - 1)*dilation
 * + output_pad + 1, the width likewise; the kernel at least 1x1. */
static bool shape_CONV_TRANSPOSE2D(Rule *r, Shape *out)
{
    if (!want_rank(r, 0, 3, "a [c, h, w] tensor"))
        return false;
    if (!arg_dim(r, CONV_TRANSPOSE2D_cin, r->in[0].d[0], "conv_transpose2d: input channels equal cin", "channels"))
        return false;
    Dim **a = r->n->attr;
    bool ok = oblige(r->c, r->at, "conv_transpose2d: the kernel height is at least 1", a[CONV_TRANSPOSE2D_k], "k",
                     dim_num(1), "1", true, r->at) &&
              oblige(r->c, r->at, "conv_transpose2d: the kernel width is at least 1", a[CONV_TRANSPOSE2D_k_w], "k",
                     dim_num(1), "1", true, r->at);
    out->rank = 3;
    out->d[0] = a[CONV_TRANSPOSE2D_cout];
    out->d[1] = convt_axis(r, "height's", r->in[0].d[1], a[CONV_TRANSPOSE2D_k], a[CONV_TRANSPOSE2D_stride],
                           a[CONV_TRANSPOSE2D_pad], a[CONV_TRANSPOSE2D_pad_bottom], a[CONV_TRANSPOSE2D_output_pad],
                           a[CONV_TRANSPOSE2D_dilation], &ok);
    out->d[2] = convt_axis(r, "width's", r->in[0].d[2], a[CONV_TRANSPOSE2D_k_w], a[CONV_TRANSPOSE2D_stride_w],
                           a[CONV_TRANSPOSE2D_pad_left], a[CONV_TRANSPOSE2D_pad_right],
                           a[CONV_TRANSPOSE2D_output_pad_w], a[CONV_TRANSPOSE2D_dilation_w], &ok);
    return ok;
}

static bool shape_BATCHNORM(Rule *r, Shape *out)
{
    if (!want_rank(r, 0, 3, "a [c, h, w] tensor"))
        return false;
    *out = r->in[0];
    return arg_dim(r, BATCHNORM_c, r->in[0].d[0], "batchnorm: input channels equal c", "channels");
}

static bool shape_BATCHNORM_EVAL(Rule *r, Shape *out)
{
    if (!want_rank(r, 0, 3, "a [c, h, w] tensor"))
        return false;
    *out = r->in[0];
    return arg_dim(r, BATCHNORM_EVAL_c, r->in[0].d[0], "batchnorm_eval: input channels equal c", "channels");
}

/* layernorm(c): over the channels at each position of [c, h, w]
 * (torchvision's LayerNorm2d, a CNBlock's permuted LayerNorm), or over a
 * vector [c] (nn.LayerNorm on a flattened tensor): the first dimension is c */
static bool shape_LAYERNORM(Rule *r, Shape *out)
{
    if (r->in[0].rank != 1 && !want_rank(r, 0, 3, "a [c, h, w] tensor or a vector [c]"))
        return false;
    *out = r->in[0];
    return arg_dim(r, LAYERNORM_c, r->in[0].d[0],
                   r->in[0].rank == 1 ? "layernorm: input length equals c" : "layernorm: input channels equal c",
                   r->in[0].rank == 1 ? "length" : "channels");
}

static bool shape_LINEAR(Rule *r, Shape *out)
{
    if (!want_rank(r, 0, 1, "a vector [n]"))
        return false;
    out->rank = 1;
    out->d[0] = r->n->attr[LINEAR_out];
    return arg_dim(r, LINEAR_in, r->in[0].d[0], "linear: input length equals in", "length");
}

static bool shape_RELU(Rule *r, Shape *out)
{
    *out = r->in[0];
    return true;
}

/* the activations: elementwise, like relu */
#define shape_RELU6 shape_RELU
#define shape_SIGMOID shape_RELU
#define shape_TANH shape_RELU
#define shape_SILU shape_RELU
#define shape_GELU shape_RELU
#define shape_GELU_TANH shape_RELU
#define shape_HARDSWISH shape_RELU
#define shape_HARDSIGMOID shape_RELU

/* maxpool2d's ceil=1 (PyTorch's ceil_mode=True): the output rounds up,
 * (h + top + bottom + sh - 1 - kh) / sh + 1 (rule_window). PyTorch drops a last window
 * that would start in the bottom padding; the checker proves instead that
 * none does, kh >= bottom + sh (kw >= right + sw), so the rounded-up count
 * is PyTorch's for every size. ceil is the constant 0 or 1. */
static bool pool_ceil(Rule *r, bool *ceil)
{
    Dim **at = r->n->attr;
    const char *op = op_info[r->n->op].name;
    int ki = op_attr_index(r->n->op, "k"), si = op_attr_index(r->n->op, "stride"), pi = op_attr_index(r->n->op, "pad");
    int64_t v;
    *ceil = false;
    if (!dim_is_const(at[op_attr_index(r->n->op, "ceil")], &v) || v > 1) {
        error_at(r->at, "%s: ceil is 0 (rounding down, the default) or 1 (rounding up, PyTorch's ceil_mode=True), a constant",
                 op);
        r->c->errors++;
        return false;
    }
    if (!v)
        return true;
    *ceil = true;
    bool one = dim_same(at[ki], at[ki + 1]) && dim_same(at[si], at[si + 1]) && dim_same(at[pi + 2], at[pi + 3]);
    const char *kh = one ? "k" : "kh", *bh = one ? "pad + stride" : "bottom + sh";
    bool ok = oblige(r->c, r->at,
                     arena_printf("%s: with ceil=1 the last window starts inside the input (%s >= %s)", op, kh, bh),
                     at[ki], kh, dim_bin(DX_ADD, at[pi + 2], at[si]), bh, true, r->at);
    return ok && (one || oblige(r->c, r->at,
                                arena_printf("%s: with ceil=1 the last window starts inside the input (kw >= right + sw)",
                                             op),
                                at[ki + 1], "kw", dim_bin(DX_ADD, at[pi + 3], at[si + 1]), "right + sw", true, r->at));
}

/* clip(x, min=a, max=b): elementwise, with a <= b (torch.clamp's result
 * for a > b is b everywhere: refused, not guessed) */
static bool shape_CLIP(Rule *r, Shape *out)
{
    if (!(r->n->r[CLIP_min] <= r->n->r[CLIP_max])) {
        error_at(r->at, "clip's min (%g) is greater than its max (%g)", r->n->r[CLIP_min], r->n->r[CLIP_max]);
        r->c->errors++;
        return false;
    }
    *out = r->in[0];
    return true;
}
#define shape_LEAKY_RELU shape_RELU

static bool shape_MAXPOOL2D(Rule *r, Shape *out)
{
    bool ceil;
    return pool_ceil(r, &ceil) && rule_window(r, out, NULL, ceil);
}

/* count_pad=0 (PyTorch's count_include_pad=False) divides by the window's
 * cells inside the input: every window must hold one, which k > pad on each
 * side gives (the first window's top row, the last's bottom row). */
static bool shape_AVGPOOL2D(Rule *r, Shape *out)
{
    Dim **at = r->n->attr;
    int64_t v;
    bool ceil;
    if (!pool_ceil(r, &ceil))
        return false;
    if (!dim_is_const(at[AVGPOOL2D_count_pad], &v) || v > 1) {
        error_at(r->at, "avgpool2d: count_pad is 1 (padding counts in the divisor, the default) or 0 (only the input's "
                        "cells: PyTorch's count_include_pad=False), a constant");
        r->c->errors++;
        return false;
    }
    if (!v) {
        static const char *const side[4] = {"top", "left", "bottom", "right"};
        for (int i = 0; i < 4; i++) {
            Dim *k = at[AVGPOOL2D_k + (i % 2)];
            const char *kn = i % 2 ? "kw" : "kh";
            if (!oblige(r->c, r->at,
                        arena_printf("avgpool2d: with count_pad=0 every window holds a cell of the input (%s > %s)", kn,
                                     side[i]),
                        k, kn, dim_bin(DX_ADD, at[AVGPOOL2D_pad + i], dim_num(1)), arena_printf("%s + 1", side[i]),
                        true, r->at))
                return false;
        }
    }
    return rule_window(r, out, NULL, ceil);
}

static bool shape_GLOBAL_AVGPOOL(Rule *r, Shape *out)
{
    if (!want_rank(r, 0, 3, "a [c, h, w] tensor"))
        return false;
    out->rank = 1;
    out->d[0] = r->in[0].d[0];
    return true;
}

/* adaptive_avgpool2d(x, size=(oh, ow)): [c, h, w] -> [c, oh, ow] for any
 * h, w >= 1 (PyTorch's adaptive_avg_pool2d; output row i averages rows
 * [floor(i*h/oh), ceil((i+1)*h/oh)), which overlap when oh does not divide
 * h and repeat rows when h < oh). oh and ow are constants >= 1: the kernels
 * take them as numbers, and the shape is theirs whatever h and w are. */
static bool shape_ADAPTIVE_AVGPOOL2D(Rule *r, Shape *out)
{
    if (!want_rank(r, 0, 3, "a [c, h, w] tensor"))
        return false;
    Dim **at = r->n->attr;
    int64_t v[2];
    for (int i = 0; i < 2; i++) {
        Dim *d = at[ADAPTIVE_AVGPOOL2D_size + i];
        if (!dim_is_const(d, &v[i]) || v[i] < 1) {
            error_at(r->at, "adaptive_avgpool2d: the output's %s is %s, but size=n or size=(oh, ow) takes constants "
                            "of at least 1",
                     i ? "width" : "height", dim_str(d, &r->c->g->env));
            r->c->errors++;
            return false;
        }
    }
    int64_t oh = v[0], ow = v[1];
    out->rank = 3;
    out->d[0] = r->in[0].d[0];
    out->d[1] = dim_num(oh);
    out->d[2] = dim_num(ow);
    return true;
}

/* upsample(x, scale=s) or scale=(sh, sw), and upsample_bilinear(x, scale=...,
 * align_corners=0): [c, h, w] -> [c, h * sh, w * sw]. The factors are
 * constants >= 1, so h * sh stays linear in h and every claim about the
 * output is decided for all sizes; align_corners is the constant 0 or 1. */
static bool shape_upsample(Rule *r, Shape *out)
{
    if (!want_rank(r, 0, 3, "a [c, h, w] tensor"))
        return false;
    const char *op = op_info[r->n->op].name;
    Dim **at = r->n->attr;
    int si = op_attr_index(r->n->op, "scale");
    int64_t v;
    for (int i = 0; i < 2; i++)
        if (!dim_is_const(at[si + i], &v) || v < 1) {
            error_at(r->at, "%s: the %s factor is %s, but scale=s or scale=(sh, sw) takes constants of at least 1", op,
                     i ? "width" : "height", dim_str(at[si + i], &r->c->g->env));
            r->c->errors++;
            return false;
        }
    if (r->n->op == OP_UPSAMPLE_BILINEAR && (!dim_is_const(at[UPSAMPLE_BILINEAR_align_corners], &v) || v > 1)) {
        error_at(r->at, "upsample_bilinear: align_corners is 0 (half-pixel centres, the default) or 1 (corners to "
                        "corners), a constant");
        r->c->errors++;
        return false;
    }
    out->rank = 3;
    out->d[0] = r->in[0].d[0];
    out->d[1] = dim_bin(DX_MUL, r->in[0].d[1], at[si]);
    out->d[2] = dim_bin(DX_MUL, r->in[0].d[2], at[si + 1]);
    return true;
}
#define shape_UPSAMPLE shape_upsample
#define shape_UPSAMPLE_BILINEAR shape_upsample

/* Elementwise binary operations (add, mul, sub, maximum, minimum), typed
 * broadcasting: an operand that is the scalar [1] meets any shape; else the
 * ranks are equal and in each dimension the operands agree (proved for all
 * sizes) or one of them is the constant 1 and is broadcast ([c, 1, 1]
 * against [c, h, w]). Broadcasting is up to rank 3. */
/* Is d 1 for all sizes? A constant, or proved (and recorded as an
 * obligation: the broadcast rests on it). */
static bool dim_is_one(Rule *r, Dim *d, const char *what)
{
    int64_t v;
    if (dim_is_const(d, &v))
        return v == 1;
    if (prove_eq(&r->c->g->env, d, one).res != PROVE_TRUE)
        return false;
    claim(r->c, r->at, what, d, one, false);
    return true;
}

static bool rule_broadcast(Rule *r, Shape *out)
{
    Ctx *c = r->c;
    const char *op = op_info[r->n->op].name;
    const Shape *a = &r->in[0], *b = &r->in[1];
    const Shape *both[2] = {a, b};
    bool sa = a->rank == 1 && b->rank != 1 && dim_is_one(r, a->d[0], arena_printf("%s: the left operand is the scalar [1]", op));
    bool sb = b->rank == 1 && a->rank != 1 && dim_is_one(r, b->d[0], arena_printf("%s: the right operand is the scalar [1]", op));
    bool bcast = false;
    *out = sa ? *b : *a;
    if (sa || sb) {
        bcast = (sa ? b : a)->rank > 3;
    } else if (a->rank != b->rank) {
        error_at(r->at, "%s: the operands have different ranks: %s", op, shapes_str(c, both, 2, " and "));
        note_context(c, r->at, (Span){0}, NULL);
        c->errors++;
        return false;
    } else {
        DimClaims d = {.rank = a->rank};
        for (int i = 0; i < d.rank; i++) {
            bool one_a = dim_is_one(r, a->d[i], arena_printf("%s: the left operand is broadcast in dimension %d", op, i + 1));
            bool one_b = dim_is_one(r, b->d[i], arena_printf("%s: the right operand is broadcast in dimension %d", op, i + 1));
            if (one_a != one_b) { /* broadcast in this dimension */
                d.skip[i] = true;
                out->d[i] = one_a ? b->d[i] : a->d[i];
                bcast = true;
                continue;
            }
            d.got[i] = a->d[i];
            d.want[i] = b->d[i];
            d.want_text[i] = "the right operand";
            d.what[i] = arena_printf("%s: operands agree in dimension %d", op, i + 1);
        }
        if (claim_dims(c, r->at, &d)) {
            error_at(r->at, "%s: the operands have different shapes: %s", op, shapes_str(c, both, 2, " and "));
            note_dims(c, r->at, &d, "the left operand");
            note_context(c, r->at, (Span){0}, NULL);
            c->errors++;
            return false;
        }
        bcast = bcast && a->rank > 3;
    }
    if (bcast) {
        error_at(r->at, "%s: broadcasting is up to rank 3, and the operands have rank %d: %s", op, out->rank,
                 shapes_str(c, both, 2, " and "));
        note_context(c, r->at, (Span){0}, NULL);
        c->errors++;
        return false;
    }
    return true;
}

static bool shape_ADD(Rule *r, Shape *out)
{
    return rule_broadcast(r, out);
}
#define shape_MUL rule_broadcast
#define shape_SUB rule_broadcast
#define shape_MAXIMUM rule_broadcast
#define shape_MINIMUM rule_broadcast

/* param(c, h, w, init=v): no operand; the value is the layer's tensor */
static bool shape_PARAM(Rule *r, Shape *out)
{
    *out = (Shape){.rank = 3, .d = {r->n->attr[PARAM_c], r->n->attr[PARAM_h], r->n->attr[PARAM_w]}};
    return true;
}

static bool shape_IDENTITY(Rule *r, Shape *out)
{
    *out = r->in[0];
    return true;
}

/* Channels [start, start + length) of [c, ...]: start + length <= c. */
static bool shape_NARROW(Rule *r, Shape *out)
{
    Dim *start = r->n->attr[NARROW_start], *len = r->n->attr[NARROW_length];
    *out = r->in[0];
    out->d[0] = len;
    return oblige(r->c, r->at, "narrow: start + length is at most the channels", r->in[0].d[0], "the channels",
                  dim_bin(DX_ADD, start, len), "start + length", true, r->at);
}

/* [c, h, w] with c a multiple of groups: c = groups * (c / groups). */
static bool shape_CHANNEL_SHUFFLE(Rule *r, Shape *out)
{
    if (!want_rank(r, 0, 3, "[c, h, w]"))
        return false;
    Dim *g = r->n->attr[CHANNEL_SHUFFLE_groups], *c = r->in[0].d[0];
    *out = r->in[0];
    return oblige(r->c, r->at, "channel_shuffle: the channels are a multiple of groups", c, "the channels",
                  dim_bin(DX_MUL, g, dim_bin(DX_DIV, c, g)), "groups * (channels / groups)", false, r->at);
}

static bool shape_CONCAT(Rule *r, Shape *out)
{
    Ctx *c = r->c;
    *out = r->in[0];
    for (int k = 1; k < r->n->nin; k++) {
        const Shape *two[2] = {&r->in[k], &r->in[0]};
        if (r->in[k].rank != r->in[0].rank) {
            error_at(r->at, "concat: operand %d has another rank than operand 1: %s", k + 1,
                     shapes_str(c, two, 2, " and "));
            note_context(c, r->at, (Span){0}, NULL);
            c->errors++;
            return false;
        }
        DimClaims d = {.rank = r->in[0].rank, .skip = {true}};
        for (int i = 1; i < d.rank; i++) {
            d.got[i] = r->in[k].d[i];
            d.want[i] = r->in[0].d[i];
            d.want_text[i] = "operand 1";
            d.what[i] = arena_printf("concat: operand %d agrees in dimension %d", k + 1, i + 1);
        }
        if (claim_dims(c, r->at, &d)) {
            error_at(r->at, "concat: operand %d does not fit operand 1 (all dimensions but the first must agree): %s",
                     k + 1, shapes_str(c, two, 2, " and "));
            note_dims(c, r->at, &d, arena_printf("operand %d", k + 1));
            note_context(c, r->at, (Span){0}, NULL);
            c->errors++;
            return false;
        }
        out->d[0] = dim_bin(DX_ADD, out->d[0], r->in[k].d[0]);
    }
    return true;
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
    return want_rank(r, 0, 1, "a vector [n]");
}

typedef bool (*ShapeRule)(Rule *, Shape *);
static const ShapeRule shape_rules[OP__COUNT] = {
#define X(id, name, mi, ma, np, sig) [OP_##id] = shape_##id,
#include "ops.h"
#undef X
};

/* Applies an operation: checks the rule and appends the node. Returns the
 * value index of the result, or -1. */
static int apply_op(Ctx *c, OpKind op, Dim **attr, const double *real, const int *ins, int nin, int param,
                    const char *name, Span at, const Layer *decl)
{
    GNode *n = arena_alloc(sizeof *n);
    n->op = op;
    n->name = name;
    n->span = at;
    n->nin = nin;
    n->in = arena_alloc(sizeof(int) * (size_t)(nin + 1));
    if (nin)
        memcpy(n->in, ins, sizeof(int) * (size_t)nin);
    memcpy(n->attr, attr, sizeof n->attr);
    memcpy(n->r, real, sizeof n->r);
    n->param = param;
    Shape *in = arena_alloc(sizeof(Shape) * (size_t)(nin + 1));
    for (int i = 0; i < nin; i++) {
        in[i] = val(c, ins[i])->shape;
        val(c, ins[i])->nuses++;
    }
    Rule r = {c, n, in, ins, decl, at};
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

/* Attribute i of an operation as written (else its default): a size, or
 * NULL for a real one, whose value op_real gives. */
static Dim *op_attr(Frame *f, OpKind op, Node **attrs, int i)
{
    const OpSig *sig = op_sig(op);
    if (sig->real[i])
        return NULL;
    return attrs && attrs[i] ? dim_of(f, attrs[i]) : dim_num(sig->defval[i]);
}

static double op_real(OpKind op, Node **attrs, int i)
{
    const OpSig *sig = op_sig(op);
    if (!sig->real[i])
        return 0;
    return attrs && attrs[i] ? attrs[i]->real : sig->rdefval[i];
}

/* ---- conv2d's groups and bias */

/* The tensors an operation layer declares: its nparams, but 1 for a conv2d
 * written with bias=0 (a literal, so that the count is known from the text). */
static int op_layer_tensors(OpKind op, Node **attrs)
{
    Node *b = (op == OP_CONV2D || op == OP_CONV_TRANSPOSE2D) && attrs ? attrs[op_attr_index(op, "bias")] : NULL;
    return b && b->kind == ND_NUM && b->num == 0 ? 1 : op_info[op].nparams;
}

/* groups >= 1 dividing cin and cout (proved for all sizes), and bias the
 * literal 0 or 1. Reported at the argument when it is written. */
static bool conv_bias_literal(Ctx *c, Layer *l)
{
    Node *bs = l->attr_src ? l->attr_src[op_attr_index(l->op, "bias")] : NULL;
    if (bs && (bs->kind != ND_NUM || bs->num > 1)) {
        error_at(bs->span, "%s: bias is 0 (no bias) or 1 (a bias, the default), written as a literal",
                 op_info[l->op].name);
        c->errors++;
        return false;
    }
    return true;
}

static bool conv_groups(Ctx *c, Layer *l)
{
    Dim **a = l->attr;
    if (!conv_bias_literal(c, l))
        return false;
    Node *gs = l->attr_src ? l->attr_src[CONV2D_groups] : NULL;
    Span at = gs ? gs->span : l->span;
    if (!oblige(c, at, "conv2d: groups is at least 1", a[CONV2D_groups], "groups", dim_num(1), "1", true, at))
        return false;
    bool ok = oblige(c, at, "conv2d: groups divides cin (cin % groups = 0)",
                     dim_bin(DX_MOD, a[CONV2D_cin], a[CONV2D_groups]), "cin % groups", dim_num(0), "0", false, at);
    return ok && oblige(c, at, "conv2d: groups divides cout (cout % groups = 0)",
                        dim_bin(DX_MOD, a[CONV2D_cout], a[CONV2D_groups]), "cout % groups", dim_num(0), "0", false, at);
}

/* A normalisation's eps (a real attribute) is greater than 0; reported at
 * the written value, else at the layer. */
static bool eps_positive(Ctx *c, const Layer *l, int slot)
{
    if (l->real[slot] > 0)
        return true;
    Node *src = l->attr_src ? l->attr_src[slot] : NULL;
    error_at(src ? src->span : l->span, "%s's eps must be greater than 0 (PyTorch's default is 1e-5)",
             op_info[l->op].name);
    c->errors++;
    return false;
}

/* Parameter shapes of an op layer, known from its attributes alone.
 * False (reported) when a dimension may be 0. */
static bool op_params(Ctx *c, Layer *l)
{
    const OpInfo *oi = &op_info[l->op];
    if (!oi->nparams)
        return true;
    int nt = l->ntensors;
    Tensor *w = tensor(c, l->tbase), *b = nt > 1 ? tensor(c, l->tbase + 1) : w;
    Dim **a = l->attr;
    switch (l->op) {
    case OP_CONV2D:
        if (!conv_groups(c, l))
            return false;
        w->shape = (Shape){.rank = 4,
                           .d = {a[CONV2D_cout], dim_bin(DX_DIV, a[CONV2D_cin], a[CONV2D_groups]), a[CONV2D_k],
                                 a[CONV2D_k_w]}};
        w->init = INIT_UNIFORM;
        if (nt > 1) {
            b->shape = (Shape){.rank = 1, .d = {a[CONV2D_cout]}};
            b->init = INIT_ZERO;
        }
        break;
    case OP_CONV_TRANSPOSE2D: /* PyTorch's ConvTranspose2d: weight [cin, cout, kh, kw], its fan-in cout*kh*kw */
        if (!conv_bias_literal(c, l))
            return false;
        w->shape = (Shape){.rank = 4,
                           .d = {a[CONV_TRANSPOSE2D_cin], a[CONV_TRANSPOSE2D_cout], a[CONV_TRANSPOSE2D_k],
                                 a[CONV_TRANSPOSE2D_k_w]}};
        w->init = INIT_UNIFORM_FAN;
        if (nt > 1) {
            b->shape = (Shape){.rank = 1, .d = {a[CONV_TRANSPOSE2D_cout]}};
            b->init = INIT_ZERO;
        }
        break;
    case OP_BATCHNORM:
        w->shape = b->shape = (Shape){.rank = 1, .d = {a[BATCHNORM_c]}};
        w->init = INIT_ONE;
        b->init = INIT_ZERO;
        break;
    case OP_LAYERNORM: /* PyTorch's LayerNorm: weight 1, bias 0 */
        w->shape = b->shape = (Shape){.rank = 1, .d = {a[LAYERNORM_c]}};
        w->init = INIT_ONE;
        b->init = INIT_ZERO;
        if (!eps_positive(c, l, LAYERNORM_eps))
            return false;
        break;
    case OP_BATCHNORM_EVAL: { /* PyTorch's BatchNorm2d: weight 1, bias 0, running mean 0, running var 1 */
        Tensor *m = tensor(c, l->tbase + 2), *v = tensor(c, l->tbase + 3);
        w->shape = b->shape = m->shape = v->shape = (Shape){.rank = 1, .d = {a[BATCHNORM_EVAL_c]}};
        w->init = v->init = INIT_ONE;
        b->init = m->init = INIT_ZERO;
        if (!eps_positive(c, l, BATCHNORM_EVAL_eps))
            return false;
        break;
    }
    case OP_PARAM: /* nn.Parameter(torch.ones(c, h, w) * init), as ConvNeXt's layer_scale */
        w->shape = (Shape){.rank = 3, .d = {a[PARAM_c], a[PARAM_h], a[PARAM_w]}};
        w->init = INIT_FILL;
        w->fill = l->real[PARAM_init];
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
    case OP_ADAPTIVE_AVGPOOL2D:
    case OP_UPSAMPLE:
    case OP_UPSAMPLE_BILINEAR:
    case OP_ADD:
    case OP_CONCAT:
    case OP_FLATTEN:
    case OP_SOFTMAX:
    case OP_RELU6:
    case OP_SIGMOID:
    case OP_TANH:
    case OP_SILU:
    case OP_GELU:
    case OP_GELU_TANH:
    case OP_HARDSWISH:
    case OP_HARDSIGMOID:
    case OP_CLIP:
    case OP_LEAKY_RELU:
    case OP_MUL:
    case OP_SUB:
    case OP_MAXIMUM:
    case OP_MINIMUM:
    case OP_IDENTITY:
    case OP_NARROW:
    case OP_CHANNEL_SHUFFLE:
    case OP__COUNT:
        internal_error("operation %s has parameters but no parameter rule", oi->name);
    }
    bool ok = true;
    for (int i = 0; i < nt; i++) {
        Tensor *t = tensor(c, l->tbase + i);
        t->shaped = true;
        ok = ok && oblige_positive(c, l->span, arena_printf("parameter %s", t->name), &t->shape);
    }
    return ok;
}

static int count_tensors(Node *n);

/* The layer a repeat(n, i -> layer) copies. */
static Node *repeat_body(const Node *n)
{
    return n->args[1]->kind == ND_ARROW ? n->args[1]->rhs : n->args[1];
}

static Layer *declare_layer(Ctx *c, Frame *f, Node *n, const char *path, Span span);

/* The elements of a seq or repeat, numbered on from *next: a repeat inside
 * a seq adds its copies to the seq's numbering (seq(down(128), repeat(3,
 * basic)) is layer.0 to layer.3), each copy with its index bound. */
static void declare_elems(Ctx *c, Frame *f, Node *n, const char *path, Vec *elems)
{
    if (n->ref == REF_REPEAT) {
        Node *body = repeat_body(n);
        for (int64_t k = 0; k < n->num; k++) {
            if (n->slot >= 0)
                f->dims[n->slot] = dim_num(k);
            vec_push(elems, declare_layer(c, f, body, arena_printf("%s.%d", path, elems->n), body->span));
        }
        if (n->slot >= 0)
            f->dims[n->slot] = NULL;
        return;
    }
    for (int i = 0; i < n->nargs; i++) {
        if (n->args[i]->ref == REF_REPEAT)
            declare_elems(c, f, n->args[i], path, elems);
        else
            vec_push(elems, declare_layer(c, f, n->args[i], arena_printf("%s.%d", path, elems->n), n->args[i]->span));
    }
}

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
        return op_layer_tensors(n->opkind, n->attrs);
    case REF_BLOCK:
        return count_block_tensors(n->item);
    case REF_SEQ: {
        int k = 0;
        for (int i = 0; i < n->nargs; i++)
            k += count_tensors(n->args[i]);
        return k;
    }
    case REF_REPEAT:
        return (int)n->num * count_tensors(repeat_body(n));
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
        l->attr_src = n->attrs;
        for (int i = 0; i < op_sig(n->opkind)->nattr; i++) {
            l->attr[i] = op_attr(f, n->opkind, n->attrs, i);
            l->real[i] = op_real(n->opkind, n->attrs, i);
        }
        l->ntensors = op_layer_tensors(l->op, n->attrs);
        for (int i = 0; i < l->ntensors; i++) {
            const char *pn = op_param_name(l->op, i);
            new_tensor(c, *pn ? join_path(path, arena_printf(".%s", pn)) : path, span);
        }
        l->bad = !op_params(c, l); /* reported: its applications are not checked again */
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
    case REF_REPEAT: {
        Vec elems = {0};
        declare_elems(c, f, n, path, &elems);
        l->kind = L_SEQ;
        l->nelems = elems.n;
        l->elems = arena_alloc(sizeof(Layer *) * (size_t)(elems.n + 1));
        memcpy(l->elems, elems.v, sizeof(Layer *) * (size_t)elems.n);
        free(elems.v);
        break;
    }
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
    if (l->bad)
        return -1;
    switch (l->kind) {
    case L_OP:
        return apply_op(c, l->op, l->attr, l->real, ins, nin, op_info[l->op].nparams ? l->tbase : -1, l->path, at, l);
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
    double real[MAX_ATTR] = {0};
    for (int i = 0; i < op_sig(n->opkind)->nattr; i++) {
        attr[i] = op_attr(f, n->opkind, n->attrs, i);
        real[i] = op_real(n->opkind, n->attrs, i);
    }
    return apply_op(c, n->opkind, attr, real, ins, n->nins, -1, unique_name(c, f->prefix, n->name), n->span, NULL);
}

static int elab_value(Ctx *c, Frame *f, Node *n)
{
    switch (n->kind) {
    case ND_NAME: /* a value, or a param layer: its tensor */
        if (f->item->syms[n->slot].kind == SYM_LAYER)
            return apply_layer(c, f->layers[n->slot], NULL, 0, n->span);
        return f->vals[n->slot];
    case ND_BIN: {
        int ins[2] = {elab_value(c, f, n->lhs), elab_value(c, f, n->rhs)};
        if (ins[0] < 0 || ins[1] < 0)
            return -1;
        Dim *attr[MAX_ATTR] = {0};
        double real[MAX_ATTR] = {0};
        return apply_op(c, OP_ADD, attr, real, ins, 2, -1, unique_name(c, f->prefix, "add"), n->span, NULL);
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
    Value *val_ = val(c, v);
    Shape *s = &val_->shape;
    if (shape->nargs != s->rank) {
        error_at(shape->span, "%s is annotated with %d dimensions, but its shape is %s", what, shape->nargs,
                 shape_str(c, s));
        note_context(c, shape->span, val_->span, val_->name);
        c->errors++;
        return false;
    }
    DimClaims d = {.rank = s->rank};
    for (int i = 0; i < s->rank; i++) {
        d.got[i] = s->d[i];
        d.want[i] = dim_of(f, shape->args[i]);
        d.want_text[i] = span_text(shape->args[i]->span);
        d.what[i] = arena_printf("%s, dimension %d", what, i + 1);
    }
    if (!claim_dims(c, shape->span, &d))
        return true;
    error_at(shape->span, "%s is annotated %s, but its shape is %s", what, span_text(shape->span), shape_str(c, s));
    note_dims(c, shape->span, &d, val_->name);
    note_context(c, shape->span, val_->span, val_->name);
    c->errors++;
    return false;
}

/* Binds an input's declared shape to an actual shape: a fresh shape
 * variable takes the actual dimension; anything else must equal it (one
 * error for the input, whatever the number of dimensions that differ). */
static bool bind_input(Ctx *c, Frame *f, Param *p, int v, Span at)
{
    Shape *s = &val(c, v)->shape;
    Node *shape = p->shape;
    if (shape->nargs != s->rank) {
        error_at(at, "'%s' takes %s: %s, with %d dimensions, but its operand has shape %s", f->item->name, p->name,
                 span_text(shape->span), shape->nargs, shape_str(c, s));
        note_at(shape->span, "'%s' is declared here", p->name);
        note_context(c, at, (Span){0}, NULL);
        c->errors++;
        return false;
    }
    DimClaims d = {.rank = s->rank};
    for (int i = 0; i < s->rank; i++) {
        Node *e = shape->args[i];
        d.skip[i] = e->kind == ND_NAME && f->item->syms[e->slot].bound_by == e && !f->dims[e->slot];
        if (d.skip[i])
            f->dims[e->slot] = s->d[i];
    }
    for (int i = 0; i < s->rank; i++) {
        if (d.skip[i])
            continue;
        d.got[i] = s->d[i];
        d.want[i] = dim_of(f, shape->args[i]);
        d.want_text[i] = span_text(shape->args[i]->span);
        d.what[i] = arena_printf("input '%s' of '%s', dimension %d", p->name, f->item->name, i + 1);
    }
    if (!claim_dims(c, at, &d))
        return true;
    error_at(at, "'%s' takes %s: %s, but its operand has shape %s", f->item->name, p->name, span_text(shape->span),
             shape_str(c, s));
    note_dims(c, at, &d, "the operand");
    note_at(shape->span, "'%s' is declared here", p->name);
    note_context(c, at, val(c, v)->span, "the operand");
    c->errors++;
    return false;
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
            val(c, v)->named = true;
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
            DimClaims d = {.rank = src->shape.rank};
            for (int k = 0; k < d.rank; k++) {
                d.got[k] = src->shape.d[k];
                d.want[k] = dst->shape.d[k];
                d.want_text[k] = "the first use";
                d.what[k] = arena_printf("shared layer: parameter %s, dimension %d", dst->name, k + 1);
            }
            if (claim_dims(c, at, &d)) {
                const Shape *two[2] = {&src->shape, &dst->shape};
                error_at(at, "shared layer: parameter %s has shape %s here, but the first use gave it %s", dst->name,
                         shape_nf(c, &src->shape), shapes_str(c, two + 1, 1, ""));
                note_dims(c, at, &d, "this use");
                note_context(c, at, (Span){0}, NULL);
                c->errors++;
            }
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
        error_at(at, "'%s' (%s) returns shape %s, but its signature says %s", b->name, l->path, shape_str(c, s),
                 span_text(sig));
        note_context(c, at, val(c, v)->span, "the result");
        c->errors++;
        return -1;
    }
    DimClaims d = {.rank = s->rank};
    for (int i = 0; i < s->rank; i++) {
        d.got[i] = s->d[i];
        d.want[i] = dim_of(f, b->result->args[i]);
        d.want_text[i] = span_text(b->result->args[i]->span);
        d.what[i] = arena_printf("result of '%s' (%s), dimension %d", b->name, l->path, i + 1);
    }
    if (claim_dims(c, at, &d)) {
        error_at(at, "'%s' (%s) returns shape %s, but its signature says %s", b->name, l->path, shape_str(c, s),
                 span_text(sig));
        note_dims(c, at, &d, "the result");
        note_context(c, at, val(c, v)->span, "the result");
        c->errors++;
        return -1;
    }
    return v;
}

/* ------------------------------------------------------------ the model */

/* Does the symbol's domain hold a value: a multiple of its step in [lo, hi]? */
static bool sym_has_value(const DimSym *s)
{
    int64_t first = s->lo, r = s->step > 1 && s->lo > 0 ? s->lo % s->step : 0;
    if (r && __builtin_add_overflow(s->lo, s->step - r, &first))
        return false;
    return first <= s->hi;
}

static bool is_modulo(const Node *n)
{
    return n->kind == ND_BIN && n->op == '%';
}

/* 'where H % 32 == 0': H takes only the multiples of 32 (the step of its
 * DimSym; several such clauses give their least common multiple). */
static bool where_multiple(Ctx *c, Frame *f, Node *w, Node *mod, Node *zero)
{
    int64_t v, k;
    if (mod->lhs->kind != ND_NAME || f->dims[mod->lhs->slot]->kind != DX_SYM || w->op != CMP_EQ ||
        !dim_is_const(dim_of(f, zero), &v) || v != 0) {
        error_at(w->span, "unsupported constraint: a multiple is written NAME %% M == 0, as in H %% 32 == 0");
        return false;
    }
    if (!dim_is_const(dim_of(f, mod->rhs), &k) || k < 1) {
        error_at(mod->rhs->span, "the modulus of a multiple must be a constant of at least 1, as in H %% 32 == 0");
        return false;
    }
    DimSym *ds = &c->g->env.syms[f->dims[mod->lhs->slot]->sym];
    ds->step = dim_lcm(ds->step > 1 ? ds->step : 1, k);
    if (!ds->step || !sym_has_value(ds)) {
        error_at(w->span, "the constraints on '%s' allow no value", ds->name);
        return false;
    }
    return true;
}

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
        g->env.syms[k] = (DimSym){s->name, s->kind == SYM_INT ? 1 : 0, INT64_MAX, 0};
        f->dims[i] = dim_sym(k);
    }
    bool ok = true;
    for (int i = 0; i < m->nwhere; i++) {
        Node *w = m->where[i];
        Node *sym = w->lhs, *lim = w->rhs;
        int op = w->op;
        if (is_modulo(lim) && !is_modulo(sym)) { /* 0 == H % 32 */
            sym = lim;
            lim = w->lhs;
        }
        if (is_modulo(sym)) {
            ok &= where_multiple(c, f, w, sym, lim);
            continue;
        }
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
                              "such as H >= 1 or H <= 4096, and multiples, such as H %% 32 == 0");
            ok = false;
            continue;
        }
        DimSym *ds = &g->env.syms[f->dims[sym->slot]->sym];
        if (op == CMP_GE || op == CMP_EQ || op == CMP_GT)
            ds->lo = v + (op == CMP_GT) > ds->lo ? v + (op == CMP_GT) : ds->lo;
        if (op == CMP_LE || op == CMP_EQ || op == CMP_LT)
            ds->hi = v - (op == CMP_LT) < ds->hi ? v - (op == CMP_LT) : ds->hi;
        if (!sym_has_value(ds)) {
            error_at(w->span, "the constraints on '%s' allow no value", ds->name);
            ok = false;
        }
    }
    return ok;
}

/* The value of every symbol at the model's defaults, for diagnostics (the
 * shapes at the sizes a user first runs); NULL when a symbol has no
 * constant default (spec.c reports that, if it matters). */
static int64_t *model_defaults(Graph *g, Item *m, Frame *f)
{
    int64_t *vals = arena_alloc(sizeof(int64_t) * (size_t)(g->env.nsyms + 1));
    for (int k = 0; k < g->env.nsyms; k++) {
        Node *def = NULL;
        for (int i = 0; i < m->nparams; i++)
            if (!strcmp(m->params[i].name, g->env.syms[k].name))
                def = m->params[i].defval;
        for (int i = 0; i < m->ndefaults; i++)
            if (!strcmp(m->defaults[i].name, g->env.syms[k].name))
                def = m->defaults[i].defval;
        if (!def || !dim_is_const(dim_of(f, def), &vals[k]))
            return NULL;
    }
    return vals;
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
    one = dim_num(1); /* in this arena: a caller may free the arena between models */
    Graph *g = arena_alloc(sizeof *g);
    g->prog = p;
    g->model = m;
    Ctx c = {.g = g};
    Frame *f = new_frame(m, "");
    if (!model_env(&c, m, f))
        return NULL;
    c.defvals = model_defaults(g, m, f);
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
    val(&c, g->input)->named = true;
    for (int i = 0; i < m->nsyms; i++)
        if (m->syms[i].kind == SYM_INPUT)
            f->vals[i] = g->input;
    int v = c.errors ? -1 : elab_body(&c, f);
    if (v >= 0) {
        g->output = v;
        Shape *os = &val(&c, v)->shape;
        DimClaims d = {.rank = os->rank};
        for (int i = 0; i < os->rank && m->result->nargs == os->rank; i++) {
            d.got[i] = os->d[i];
            d.want[i] = dim_of(f, m->result->args[i]);
            d.want_text[i] = span_text(m->result->args[i]->span);
            d.what[i] = arena_printf("result of '%s', dimension %d", m->name, i + 1);
        }
        if (m->result->nargs != os->rank || claim_dims(&c, m->result->span, &d)) {
            error_at(m->result->span, "'%s' returns shape %s, but its signature says %s", m->name, shape_str(&c, os),
                     span_text(m->result->span));
            if (m->result->nargs == os->rank)
                note_dims(&c, m->result->span, &d, "the result");
            note_context(&c, m->result->span, val(&c, v)->span, "the result");
            c.errors++;
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
    fprintf(out, "%d of %d obligations proved for all%s%s\n", proved, g->nobls, g->env.nsyms ? " " : "",
            dim_domain_str(&g->env));
}
