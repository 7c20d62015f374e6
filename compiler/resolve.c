/*
 * resolve.c - name resolution and call forms.
 *
 * Requires: a parsed Program. Provides: every name in a body annotated with
 * what it refers to (Node.ref / slot / opkind / item), every call's tensor
 * operands split from its integer arguments (Node.ins, Node.attrs in
 * signature order), and each block's and model's symbol table (Item.syms).
 * Reports unknown names (with a suggestion), duplicates, uses before
 * definition, wrong argument counts, unknown and missing keywords, misuse of
 * layers and values, and cycles among dimension functions and blocks.
 * Shapes are not looked at here (check.c does that).
 */
#include "gsc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    Program *prog;
    Item *item;   /* the item being resolved */
    Vec syms;     /* Sym* declared so far, in declaration order */
    StrMap index; /* name -> slot + 1 of its latest declaration */
} Scope;

static const char *const builtin_asserts[] = {"tensors", "params"};

/* The first non-assert item of each name, through p->item_index. */
Item *find_item(Program *p, const char *name)
{
    if (!p->item_index.n)
        for (int i = 0; i < p->nitems; i++) {
            int *v = p->items[i].kind != IT_ASSERT ? strmap_put(&p->item_index, p->items[i].name) : NULL;
            if (v && !*v)
                *v = i + 1;
        }
    int *v = strmap_get(&p->item_index, name);
    return v ? &p->items[*v - 1] : NULL;
}

static const char *sym_kind_name(SymKind k)
{
    static const char *const names[] = {"integer parameter", "shape variable", "input", "layer", "value",
                                        "repeat index"};
    return names[k];
}

/* "an input", "a layer". */
static const char *a_kind(SymKind k)
{
    static const char *const names[] = {"an integer parameter", "a shape variable", "an input", "a layer", "a value",
                                        "a repeat index"};
    return names[k];
}

/* ------------------------------------------------------------ suggestions */

/* The kinds of name a place wants: suggestions and lists come only from
 * these (an unknown tensor is never offered a size such as 'H'). */
enum {
    K_SIZE = 1,   /* integer parameters, shape variables */
    K_VALUE = 2,  /* inputs and let values */
    K_LAYER = 4,  /* layers declared so far */
    K_OP = 8,     /* operations, and seq */
    K_BLOCK = 16, /* the file's blocks */
    K_DIMFN = 32, /* the file's dimension functions */
};

static int sym_kind_bit(SymKind k)
{
    switch (k) {
    case SYM_INT:
    case SYM_DIMVAR:
        return K_SIZE;
    case SYM_INDEX: /* visible only inside its repeat: never suggested */
        return 0;
    case SYM_INPUT:
    case SYM_VALUE:
        return K_VALUE;
    case SYM_LAYER:
        return K_LAYER;
    }
    return 0;
}

/* Names close enough to be a typo: one edit in a short name, a third of a
 * longer one; a one-letter name is close to nothing else. Case is ignored. */
static void consider(const char **best, int *bestd, const char *cand, const char *name)
{
    int len = (int)strlen(name);
    int max = len <= 2 ? len - 1 : len / 3 + 1;
    int d = edit_distance(name, cand, max);
    if (d <= max && d < *bestd) {
        *best = cand;
        *bestd = d;
    }
}

/* PyTorch's names of the operations that gsc spells differently enough
 * that edit distance misses them. */
static const char *const torch_ops[][2] = {
    {"batchnorm2d", "batchnorm"},           {"batch_norm", "batchnorm"},
    {"adaptiveavgpool2d", "adaptive_avgpool2d"}, {"adaptive_avg_pool2d", "adaptive_avgpool2d"},
    {"cat", "concat"},                      {"sequential", "seq"},
    {"dense", "linear"},                    {"view", "flatten"},
    {"reshape", "flatten"},                 {"interpolate", "upsample"},
    {"upsamplingnearest2d", "upsample"},    {"upsamplingbilinear2d", "upsample_bilinear"},
    {"resize", "upsample"},
};

static bool same_ignoring_case(const char *a, const char *b)
{
    return edit_distance(a, b, 0) == 0;
}

/* The closest known name of the given kinds, or NULL. */
static const char *suggest(Scope *sc, const char *name, int kinds)
{
    if (kinds & K_OP)
        for (int i = 0; i < countof(torch_ops); i++)
            if (same_ignoring_case(name, torch_ops[i][0]))
                return torch_ops[i][1];
    const char *best = NULL;
    int bestd = 1 << 20;
    for (int i = 0; i < sc->syms.n; i++) {
        Sym *s = sc->syms.v[i];
        if (sym_kind_bit(s->kind) & kinds)
            consider(&best, &bestd, s->name, name);
    }
    if (kinds & K_OP) {
        for (int i = 0; i < OP__COUNT; i++)
            consider(&best, &bestd, op_info[i].name, name);
        consider(&best, &bestd, "seq", name);
    }
    for (int i = 0; i < sc->prog->nitems; i++) {
        Item *it = &sc->prog->items[i];
        if ((it->kind == IT_BLOCK && (kinds & K_BLOCK)) || (it->kind == IT_DIM && (kinds & K_DIMFN)))
            consider(&best, &bestd, it->name, name);
    }
    return best;
}

/* "the operations: conv2d, ...; the layers so far: conv1, bn1", the names
 * of the given kinds that exist here (at most 12 of each, so that a big
 * scope does not flood the note). Empty when there are none. */
static void list_names(Scope *sc, int kinds, Buf *b)
{
    struct {
        int kind;
        const char *what;
    } groups[] = {{K_VALUE, "the values so far"}, {K_SIZE, "the sizes"}, {K_LAYER, "the layers so far"},
                  {K_OP, "the operations"},      {K_BLOCK, "the blocks"}, {K_DIMFN, "the dimension functions"}};
    for (int g = 0; g < countof(groups); g++) {
        if (!(kinds & groups[g].kind))
            continue;
        Vec names = {0};
        for (int i = 0; i < sc->syms.n; i++) {
            Sym *s = sc->syms.v[i];
            if (sym_kind_bit(s->kind) & groups[g].kind)
                vec_push(&names, (void *)s->name);
        }
        if (groups[g].kind == K_OP) {
            for (int i = 0; i < OP__COUNT; i++)
                vec_push(&names, (void *)op_info[i].name);
            vec_push(&names, "seq(...)");
            vec_push(&names, "repeat(...)");
        }
        for (int i = 0; i < sc->prog->nitems; i++) {
            Item *it = &sc->prog->items[i];
            if ((it->kind == IT_BLOCK && groups[g].kind == K_BLOCK) || (it->kind == IT_DIM && groups[g].kind == K_DIMFN))
                vec_push(&names, (void *)it->name);
        }
        if (names.n) {
            buf_printf(b, "%s%s: ", b->len ? "; " : "", groups[g].what);
            int shown = names.n > 12 && groups[g].kind != K_OP ? 12 : names.n;
            for (int i = 0; i < shown; i++)
                buf_printf(b, "%s%s", i ? ", " : "", (const char *)names.v[i]);
            if (shown < names.n)
                buf_printf(b, ", ... (%d in all)", names.n);
        }
        free(names.v);
    }
}

/* "unknown value 'd'", with a suggestion of the right kind or, without
 * one, a note listing what exists. */
static void unknown_name(Scope *sc, Span at, const char *name, const char *what, int kinds)
{
    const char *s = suggest(sc, name, kinds);
    bool truth = !strcmp(name, "False") || !strcmp(name, "false") || !strcmp(name, "True") || !strcmp(name, "true");
    if (truth) {
        error_at(at, "unknown %s '%s': a yes/no argument is written 0 or 1 (conv2d's bias=0)", what, name);
    } else if (s) {
        error_at(at, "unknown %s '%s'; did you mean '%s'?", what, name, s);
    } else {
        error_at(at, "unknown %s '%s'", what, name);
        Buf b = {0};
        list_names(sc, kinds, &b);
        if (b.len)
            note_at(at, "%s", b.s);
        buf_free(&b);
    }
    sc->item->bad = true;
}

/* ------------------------------------------------------------ scopes */

static Sym *lookup_all(Scope *sc, const char *name, int *slot)
{
    int *v = strmap_get(&sc->index, name);
    if (!v || !*v) /* 0: a repeat index out of its layer */
        return NULL;
    *slot = *v - 1;
    return sc->syms.v[*slot];
}

static Sym *declare(Scope *sc, const char *name, SymKind kind, Span at, int index)
{
    int slot;
    Sym *old = lookup_all(sc, name, &slot);
    if (old) {
        error_at(at, "'%s' is already declared in '%s'", name, sc->item->name);
        note_at(old->span, "the earlier declaration (%s) is here", sym_kind_name(old->kind));
        sc->item->bad = true;
    } else if (op_lookup(name) >= 0 || !strcmp(name, "seq") || !strcmp(name, "repeat")) {
        error_at(at, "'%s' is the name of an operation; choose another name", name);
        sc->item->bad = true;
    }
    Sym *s = arena_alloc(sizeof *s);
    s->name = name;
    s->kind = kind;
    s->span = at;
    s->index = index;
    vec_push(&sc->syms, s);
    *strmap_put(&sc->index, name) = sc->syms.n; /* a later duplicate shadows */
    return s;
}

/* A statement of the body that defines name (for "used before"). */
static Stmt *defined_later(Scope *sc, const char *name)
{
    for (int i = 0; i < sc->item->nbody; i++)
        if (sc->item->body[i].kind != ST_RETURN && !strcmp(sc->item->body[i].name, name))
            return &sc->item->body[i];
    return NULL;
}

/* Resolves a name to a symbol of this scope, or reports it. Names declared
 * later in the body are "used before definition". */
static Sym *use_sym(Scope *sc, Node *n, const char *what, int kinds)
{
    int slot;
    Sym *s = lookup_all(sc, n->name, &slot);
    if (!s) {
        Stmt *later = defined_later(sc, n->name);
        if (later) {
            error_at(n->name_span, "'%s' is used before its definition", n->name);
            note_at(later->name_span, "'%s' is defined here", n->name);
        } else {
            unknown_name(sc, n->name_span, n->name, what, kinds);
        }
        sc->item->bad = true;
        return NULL;
    }
    n->ref = REF_SYM;
    n->slot = slot;
    s->used++;
    return s;
}

static void bad(Scope *sc, Span at, const char *fmt, ...) PRINTF(3, 4);
static void bad(Scope *sc, Span at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror_at(at, fmt, ap);
    va_end(ap);
    sc->item->bad = true;
}

/* ------------------------------------------------------------ dimension expressions */

static void resolve_dim(Scope *sc, Node *n);

static void resolve_dimfn_call(Scope *sc, Node *n)
{
    Item *fn = find_item(sc->prog, n->name);
    if (!fn || fn->kind != IT_DIM) {
        if (fn || op_lookup(n->name) >= 0)
            bad(sc, n->name_span, "'%s' is not a dimension function%s", n->name,
                fn ? "" : " (operations apply to tensors, not to sizes)");
        else
            unknown_name(sc, n->name_span, n->name, "dimension function", K_DIMFN);
        return;
    }
    n->ref = REF_DIMFN;
    n->item = fn;
    if (n->nargs != fn->nparams) {
        error_at(n->span, "'%s' takes %d argument%s but %d %s given", n->name, fn->nparams,
                 fn->nparams == 1 ? "" : "s", n->nargs, n->nargs == 1 ? "was" : "were");
        note_at(fn->name_span, "'%s' is defined here", fn->name);
        sc->item->bad = true;
    }
    for (int i = 0; i < n->nargs; i++)
        resolve_dim(sc, n->args[i]);
}

/* A size: integer literals, integer parameters, shape variables, + - * / %,
 * and calls of dimension functions. */
static void resolve_dim(Scope *sc, Node *n)
{
    switch (n->kind) {
    case ND_NUM:
        return;
    case ND_REAL:
        if (isnan(n->real)) { /* out of range: the lexer said so */
            sc->item->bad = true;
            return;
        }
        bad(sc, n->span, "'%s' is a real number, but a size (an integer) is expected here", span_text(n->span));
        return;
    case ND_NAME: {
        Sym *s = use_sym(sc, n, "size", K_SIZE);
        if (s && s->kind != SYM_INT && s->kind != SYM_DIMVAR && s->kind != SYM_INDEX)
            bad(sc, n->span, "'%s' is %s, but a size is expected here", n->name, a_kind(s->kind));
        return;
    }
    case ND_BIN:
        resolve_dim(sc, n->lhs);
        resolve_dim(sc, n->rhs);
        return;
    case ND_CALL:
        resolve_dimfn_call(sc, n);
        return;
    case ND_ARROW:
    case ND_KWARG:
    case ND_SHAPE:
    case ND_TUPLE:
    case ND_CMP:
    case ND_APPLY:
        bad(sc, n->span, "expected a size expression here");
        return;
    }
}

/* ------------------------------------------------------------ integer arguments */

/* The integer arguments a callee takes, as resolve matches them. */
typedef struct {
    const char *callee;
    int n;
    const char *const *names;
    const bool *has_default;
    const bool *positional; /* NULL: every slot may be given by position */
    const bool *arrow;      /* NULL: no arrow pairs */
    const bool *real;       /* NULL: every slot is an integer */
    const int *axes;        /* OpSig.axes; NULL: one value per slot */
    int op;                 /* the operation (OpKind), or -1 */
    const Item *block;      /* else the block */
} ArgSig;

/* PyTorch's keyword for an argument gsc names differently. */
static const char *const torch_args[][2] = {
    {"kernel_size", "k"},   {"padding", "pad"},
    {"in_channels", "cin"}, {"out_channels", "cout"}, {"in_features", "in"}, {"out_features", "out"},
    {"num_features", "c"},  {"channels", "c"},
    {"output_padding", "output_pad"},
};

/* PyTorch keywords that have no counterpart here, and why. */
static const char *const torch_unsupported[][2] = {
    {"bias", "only conv2d and conv_transpose2d can be without a bias (bias=0); the other layers always have one"},
    {"groups", "only conv2d has groups (conv_transpose2d is dense: groups 1)"},
    {"dilation", "only conv2d and conv_transpose2d have a dilation"},
    {"padding_mode", "padding is always with zeros"},
    {"eps", "the train-time batchnorm's epsilon is fixed at 1e-6; a trained BatchNorm2d (eval mode) is "
            "batchnorm_eval(c, eps=1e-5)"},
    {"momentum", "batchnorm normalises with the statistics of its input and keeps no running statistics; "
                 "batchnorm_eval(c) uses running statistics"},
    {"track_running_stats", "batchnorm normalises with the statistics of its input and keeps no running statistics; "
                            "batchnorm_eval(c) uses running statistics"},
    {"affine", "batchnorm always has a weight (gamma) and a bias (beta)"},
    {"ceil_mode", "maxpool2d and avgpool2d write it ceil=1"},
    {"count_include_pad", "avgpool2d writes count_include_pad=False as count_pad=0"},
    {"dim", "softmax works on a vector [n] and concat along dimension 1"},
    {"inplace", "every value is computed once; memory is shared by the compiler"},
};

/* A slot with no keyword of its own: the width of k=(kh, kw), the left,
 * bottom and right of pad. */
static bool axis_slot(const ArgSig *sig, int k)
{
    return sig->axes && !sig->axes[k];
}

static int slot_of(const ArgSig *sig, const char *name)
{
    int k = 0;
    while (k < sig->n && (strcmp(sig->names[k], name) || axis_slot(sig, k)))
        k++;
    return k;
}

/* conv2d(cin -> cout, k, stride=1, pad=0), from the signature. */
static const char *op_form(OpKind op)
{
    const OpSig *sig = op_sig(op);
    Buf b = {0};
    buf_printf(&b, "%s(", op_info[op].name);
    if (op_info[op].nparams == 0)
        buf_puts(&b, op_info[op].max_in == 1 ? "x" : op_info[op].max_in == 2 ? "a, b" : "a, b, ...");
    for (int i = 0; i < sig->nattr; i++) {
        if (!sig->axes[i])
            continue;
        buf_puts(&b, i || op_info[op].nparams == 0 ? ", " : "");
        if (sig->arrow[i])
            buf_printf(&b, "%s -> %s", sig->attr[i], sig->attr[i + 1]), i++;
        else if (sig->has_default[i] && sig->real[i])
            buf_printf(&b, "%s=%s", sig->attr[i], real_str(sig->rdefval[i]));
        else if (sig->has_default[i])
            buf_printf(&b, "%s=%lld", sig->attr[i], (long long)sig->defval[i]);
        else if (sig->positional[i])
            buf_puts(&b, sig->attr[i]);
        else
            buf_printf(&b, "%s=...", sig->attr[i]);
    }
    buf_putc(&b, ')');
    char *s = arena_strndup(b.s, b.len);
    buf_free(&b);
    return s;
}

/* down(co), b(k=3): a block's integer parameters. */
static const char *block_form(const Item *blk)
{
    Buf b = {0};
    buf_printf(&b, "%s(", blk->name);
    for (int i = 0; i < blk->nparams; i++) {
        const Param *p = &blk->params[i];
        buf_printf(&b, "%s%s%s%s", i ? ", " : "", p->name, p->defval ? "=" : "", p->defval ? span_text(p->defval->span) : "");
    }
    buf_putc(&b, ')');
    char *s = arena_strndup(b.s, b.len);
    buf_free(&b);
    return s;
}

/* How the callee is written, for errors only (made when one is reported). */
static const char *sig_form(const ArgSig *sig)
{
    return sig->op >= 0 ? op_form((OpKind)sig->op) : block_form(sig->block);
}

static void bind_value(Scope *sc, const ArgSig *sig, Node **attrs, int k, Node *a);

/* A keyword the callee does not have. PyTorch's names of its arguments
 * are not reported here but returned (true), for one error per call. */
static bool unknown_keyword(Scope *sc, const ArgSig *sig, Node *a, Node **attrs)
{
    const char *best = NULL, *why = NULL;
    bool torch = false;
    for (int i = 0; i < countof(torch_args) && !best; i++)
        if (!strcmp(a->name, torch_args[i][0]) && slot_of(sig, torch_args[i][1]) < sig->n)
            best = torch_args[i][1], torch = true;
    for (int i = 0; i < countof(torch_unsupported) && !best && !why; i++)
        if (!strcmp(a->name, torch_unsupported[i][0]))
            why = torch_unsupported[i][1];
    for (int j = 0; j < sig->n && !best && !why; j++) /* k for kernel, stride for strides */
        if (!axis_slot(sig, j) && !strncmp(a->name, sig->names[j], strlen(sig->names[j])))
            best = sig->names[j];
    int bestd = 1 << 20;
    for (int j = 0; j < sig->n && !best && !why; j++)
        if (!axis_slot(sig, j))
            consider(&best, &bestd, sig->names[j], a->name);
    if (torch)
        ; /* bind_args reports it */
    else if (best)
        error_at(a->name_span, "'%s' has no argument '%s'; did you mean '%s'?", sig->callee, a->name, best);
    else if (why)
        error_at(a->name_span, "'%s' has no argument '%s': %s; it takes %s", sig->callee, a->name, why, sig_form(sig));
    else
        error_at(a->name_span, "'%s' has no argument '%s'; it takes %s", sig->callee, a->name, sig_form(sig));
    sc->item->bad = true;
    int k = best ? slot_of(sig, best) : sig->n;
    if (k < sig->n && !attrs[k]) { /* what was meant: no "missing argument" for it */
        bind_value(sc, sig, attrs, k, a->rhs);
    }
    return torch;
}

/* The call as gsc spells it, from the bound arguments: conv2d(3 -> 8, k=3, pad=1). */
static const char *call_text(const ArgSig *sig, Node **attrs)
{
    Buf b = {0};
    buf_printf(&b, "%s(", sig->callee);
    for (int k = 0, i = 0; k < sig->n; k++) {
        if (!attrs[k] || axis_slot(sig, k))
            continue;
        buf_puts(&b, i++ ? ", " : "");
        if (sig->arrow && sig->arrow[k] && attrs[k + 1])
            buf_printf(&b, "%s -> %s", span_text(attrs[k]->span), span_text(attrs[k + 1]->span)), k++;
        else if (sig->op >= 0 && sig->positional[k])
            buf_puts(&b, span_text(attrs[k]->span));
        else
            buf_printf(&b, "%s=%s", sig->names[k], span_text(attrs[k]->span));
    }
    buf_putc(&b, ')');
    char *s = arena_strndup(b.s, b.len);
    buf_free(&b);
    return s;
}

/* PyTorch's names for a call's arguments (kernel_size=3, padding=1): one
 * error for the call, naming gsc's and, when nothing else is wrong with
 * the call, how it is written. */
static void torch_keywords(Scope *sc, const ArgSig *sig, Node **attrs, Node **torch, int ntorch, bool clean)
{
    Buf names = {0}, ours = {0};
    for (int i = 0; i < ntorch; i++) {
        const char *sep = i == 0 ? "" : i == ntorch - 1 ? " and " : ", ";
        const char *gsc = NULL;
        for (int k = 0; k < countof(torch_args) && !gsc; k++)
            if (!strcmp(torch[i]->name, torch_args[k][0]))
                gsc = torch_args[k][1];
        buf_printf(&names, "%s'%s'", sep, torch[i]->name);
        buf_printf(&ours, "%s%s", sep, gsc);
    }
    const char *how = clean ? arena_printf("; write %s", call_text(sig, attrs)) : "";
    if (ntorch == 1)
        bad(sc, torch[0]->name_span, "'%s' has no argument %s; did you mean '%s'? (PyTorch's name)%s", sig->callee,
            names.s, ours.s, how);
    else
        bad(sc, torch[0]->name_span, "'%s' has no arguments %s: they are PyTorch's names for %s%s", sig->callee, names.s,
            ours.s, how);
    buf_free(&names);
    buf_free(&ours);
}

static bool is_plain_arg(const Node *a)
{
    return a->kind != ND_KWARG && a->kind != ND_ARROW;
}

/* An arrow slot given something else: conv2d(ci, co, ...) is PyTorch's
 * Conv2d(ci, co, ...), one argument here. Returns the arguments used. */
static int misused_arrow(Scope *sc, const ArgSig *sig, Node **args, int i, int nargs, int slot, Node **attrs)
{
    Node *a = args[i], *b = i + 1 < nargs && is_plain_arg(args[i + 1]) ? args[i + 1] : NULL;
    const char *from = sig->names[slot], *to = sig->names[slot + 1];
    if (b) {
        bad(sc, (Span){a->span.file, a->span.lo, b->span.hi},
            "'%s' takes '%s -> %s' as one argument: write '%s -> %s'", sig->callee, from, to, span_text(a->span),
            span_text(b->span));
        attrs[slot] = a;
        attrs[slot + 1] = b;
        resolve_dim(sc, a);
        resolve_dim(sc, b);
        return 2;
    }
    bad(sc, a->span, "'%s' wants '%s -> %s' here: %s", sig->callee, from, to, sig_form(sig));
    return 1;
}

/* A per-axis argument: k=3 is k=(3, 3); pad=1 is pad=(1, 1, 1, 1) and
 * pad=(h, w) is pad=(h, w, h, w) (top, left, bottom, right). */
static void bind_axes(Scope *sc, const ArgSig *sig, Node **attrs, int k, Node *a)
{
    int want = sig->axes[k];
    if (a->kind != ND_TUPLE) {
        for (int i = 0; i < want; i++)
            attrs[k + i] = a;
        bind_value(sc, sig, attrs, k, a);
        return;
    }
    if (a->nargs != 2 && !(want == 4 && a->nargs == 4)) {
        bad(sc, a->span, "argument '%s' of '%s' is one size or %s, but '%s' has %d elements", sig->names[k], sig->callee,
            want == 4 ? "a pair (h, w) or four (top, left, bottom, right)" : "a pair (h, w)", span_text(a->span),
            a->nargs);
        return;
    }
    for (int i = 0; i < a->nargs; i++) {
        Node *e = a->args[i];
        if (e->kind == ND_TUPLE)
            bad(sc, e->span, "'%s' is a tuple inside a tuple; each element of '%s' is one size", span_text(e->span),
                sig->names[k]);
        else if (e->kind == ND_REAL)
            bad(sc, e->span, "argument '%s' of '%s' is made of integers, but '%s' is a real number", sig->names[k],
                sig->callee, span_text(e->span));
        else
            resolve_dim(sc, e);
    }
    for (int i = 0; i < want; i++)
        attrs[k + i] = a->args[i % a->nargs];
}

/* One argument for slot k, stored in attrs: a size, a real literal where
 * the slot is real, one size or a tuple where it is per axis. A real where
 * a size is wanted and the reverse are one error each. */
static void bind_value(Scope *sc, const ArgSig *sig, Node **attrs, int k, Node *a)
{
    const char *what = sig->op >= 0 ? "" : " (block parameters are integers)";
    if (sig->axes && sig->axes[k] > 1 && !attrs[k + 1]) {
        bind_axes(sc, sig, attrs, k, a);
        return;
    }
    attrs[k] = a;
    if (a->kind == ND_TUPLE) {
        bad(sc, a->span, "argument '%s' of '%s' is one size%s, not a tuple", sig->names[k], sig->callee, what);
        return;
    }
    if (sig->real && sig->real[k]) {
        if (a->kind == ND_NUM)
            bad(sc, a->span, "argument '%s' of '%s' is a real number: write '%s.0'", sig->names[k], sig->callee,
                span_text(a->span));
        else if (a->kind != ND_REAL)
            bad(sc, a->span, "argument '%s' of '%s' is a real number, written as a literal such as 1e-5 or 0.1; "
                             "'%s' is not one", sig->names[k], sig->callee, span_text(a->span));
        return;
    }
    if (a->kind == ND_REAL && isnan(a->real)) {
        sc->item->bad = true;
        return;
    }
    if (a->kind == ND_REAL) {
        bad(sc, a->span, "argument '%s' of '%s' is an integer%s, but '%s' is a real number", sig->names[k],
            sig->callee, what, span_text(a->span));
        return;
    }
    resolve_dim(sc, a);
}

/* Matches positional and keyword integer arguments against the signature:
 * positional ones fill slots in order, an arrow slot takes an a -> b pair.
 * One mistake gives one error: a keyword that means an existing argument
 * (a typo, PyTorch's spelling) fills it, and missing arguments are reported
 * only when the call had no other error. */
static void bind_args(Scope *sc, Node *call, Node **args, int nargs, const ArgSig *sig)
{
    int n = sig->n;
    Node **attrs = arena_alloc(sizeof(Node *) * (size_t)(n ? n : 1));
    int next = 0, errors = diag_errors, ntorch = 0;
    Node **torch = arena_alloc(sizeof(Node *) * (size_t)(nargs + 1)); /* PyTorch's keywords */
    bool too_many = false;
    for (int i = 0; i < nargs; i++) {
        Node *a = args[i];
        if (a->kind == ND_KWARG) {
            int k = slot_of(sig, a->name);
            if (k == n) {
                if (unknown_keyword(sc, sig, a, attrs))
                    torch[ntorch++] = a;
            } else if (attrs[k]) {
                bad(sc, a->name_span, "argument '%s' of '%s' is given twice", a->name, sig->callee);
            } else {
                bind_value(sc, sig, attrs, k, a->rhs);
            }
            continue;
        }
        if (too_many)
            continue;
        while (next < n && (attrs[next] || (sig->positional && !sig->positional[next])))
            next++;
        if (next >= n) {
            int kw = 0; /* maxpool2d(x, 2): k is a keyword */
            while (kw < n && (attrs[kw] || sig->has_default[kw] || !sig->positional || sig->positional[kw]))
                kw++;
            if (kw < n && a->kind != ND_ARROW) {
                bad(sc, a->span, "'%s' takes '%s' as a keyword: write '%s=%s'", sig->callee, sig->names[kw],
                    sig->names[kw], span_text(a->span));
                bind_value(sc, sig, attrs, kw, a);
                continue;
            }
            bad(sc, a->span, "too many arguments to '%s'; it takes %s", sig->callee, sig_form(sig));
            too_many = true;
            continue;
        }
        if (sig->arrow && sig->arrow[next]) {
            if (a->kind != ND_ARROW) {
                i += misused_arrow(sc, sig, args, i, nargs, next, attrs) - 1;
                next += 2;
                continue;
            }
            attrs[next] = a->lhs;
            attrs[next + 1] = a->rhs;
            resolve_dim(sc, a->lhs);
            resolve_dim(sc, a->rhs);
            next += 2;
            continue;
        }
        if (a->kind == ND_ARROW) {
            bad(sc, a->span, "'%s' takes no 'a -> b' argument here; it takes %s", sig->callee, sig_form(sig));
            next++;
            continue;
        }
        bind_value(sc, sig, attrs, next++, a);
    }
    if (ntorch)
        torch_keywords(sc, sig, attrs, torch, ntorch, diag_errors == errors);
    Buf miss = {0};
    int nmiss = 0;
    for (int k = 0; k < n; k++) {
        if (attrs[k] || sig->has_default[k] || axis_slot(sig, k))
            continue;
        if (sig->arrow && sig->arrow[k] && !attrs[k + 1])
            buf_printf(&miss, "%s'%s -> %s'", nmiss++ ? " and " : "", sig->names[k], sig->names[k + 1]), k++;
        else
            buf_printf(&miss, "%s'%s'", nmiss++ ? " and " : "", sig->names[k]);
    }
    if (nmiss && diag_errors == errors)
        bad(sc, call->span, "missing argument%s %s of '%s'; it takes %s", nmiss > 1 ? "s" : "", miss.s, sig->callee,
            sig_form(sig));
    buf_free(&miss);
    call->attrs = attrs;
}

static void bind_op_args(Scope *sc, Node *call, Node **args, int nargs)
{
    const OpSig *os = op_sig(call->opkind);
    ArgSig sig = {op_info[call->opkind].name, os->nattr, os->attr, os->has_default, os->positional, os->arrow,
                  os->real, os->axes, (int)call->opkind, NULL};
    bind_args(sc, call, args, nargs, &sig);
}

static void bind_block_args(Scope *sc, Node *call, Item *blk)
{
    int n = blk->nparams;
    const char **names = arena_alloc(sizeof(char *) * (size_t)(n + 1));
    bool *def = arena_alloc(sizeof(bool) * (size_t)(n + 1));
    for (int i = 0; i < n; i++) {
        names[i] = blk->params[i].name;
        def[i] = blk->params[i].defval != NULL;
    }
    ArgSig sig = {blk->name, n, names, def, NULL, NULL, NULL, NULL, -1, blk};
    bind_args(sc, call, call->args, call->nargs, &sig);
}

/* ------------------------------------------------------------ layers */

static void resolve_layer(Scope *sc, Node *n, bool in_seq);
static void resolve_repeat(Scope *sc, Node *n);
static void inline_apply(Scope *sc, Node *n);

static bool is_block_ref(Scope *sc, Node *n, Item **blk)
{
    Item *it = find_item(sc->prog, n->name);
    if (it && it->kind == IT_BLOCK) {
        *blk = it;
        return true;
    }
    return false;
}

/* A constant count: integer literals with + - * / % (as dim_eval computes them). */
static bool const_count(const Node *n, int64_t *v)
{
    int64_t a, b;
    if (n->kind == ND_NUM) {
        *v = n->num;
        return true;
    }
    if (n->kind != ND_BIN || !const_count(n->lhs, &a) || !const_count(n->rhs, &b))
        return false;
    return dim_apply(dim_op_kind(n->op), a, b, v);
}

enum { MAX_REPEAT = 10000 };

/* repeat(n, i -> layer) or repeat(n, layer): n copies of the layer, one
 * after the other as in seq; i is 0, 1, ..., n-1 in the layer's sizes and
 * is not visible outside it. */
static void resolve_repeat(Scope *sc, Node *n)
{
    n->ref = REF_REPEAT;
    n->slot = -1;
    if (n->nargs != 2) {
        bad(sc, n->span, "repeat takes a count and a layer: repeat(n, i -> layer), or repeat(n, layer)");
        return;
    }
    int64_t k;
    if (!const_count(n->args[0], &k) || k < 1 || k > MAX_REPEAT) {
        bad(sc, n->args[0]->span, "repeat's count must be a constant from 1 to %d (integer literals with + - * / %%)",
            MAX_REPEAT);
        return;
    }
    n->num = k;
    Node *body = n->args[1];
    if (body->kind != ND_ARROW) {
        resolve_layer(sc, body, true);
        return;
    }
    if (body->lhs->kind != ND_NAME) {
        bad(sc, body->lhs->span, "the index of repeat is a name: repeat(n, i -> layer)");
        return;
    }
    int slot;
    const char *name = body->lhs->name;
    if (lookup_all(sc, name, &slot)) {
        bad(sc, body->lhs->span, "'%s' is already declared in '%s'; the index of repeat needs a new name", name,
            sc->item->name);
        return;
    }
    Sym *s = declare(sc, name, SYM_INDEX, body->lhs->span, 0);
    s->used = 1;
    n->slot = sc->syms.n - 1;
    resolve_layer(sc, body->rhs, true);
    *strmap_get(&sc->index, name) = 0; /* out of scope */
}

/* layer := op(int-args) | block | block(int-args) | seq(layer, ...) | repeat(n, i -> layer) */
static void resolve_layer(Scope *sc, Node *n, bool in_seq)
{
    if (n->kind == ND_APPLY) {
        inline_apply(sc, n);
        return;
    }
    if (n->kind != ND_NAME && n->kind != ND_CALL) {
        bad(sc, n->span, "expected a layer: an operation with its arguments, a block, or seq(...)");
        return;
    }
    Item *blk;
    if (!strcmp(n->name, "seq") && n->kind == ND_CALL) {
        n->ref = REF_SEQ;
        if (n->nargs == 0)
            bad(sc, n->span, "seq needs at least one layer");
        for (int i = 0; i < n->nargs; i++)
            resolve_layer(sc, n->args[i], true);
        return;
    }
    if (!strcmp(n->name, "repeat") && n->kind == ND_CALL) {
        resolve_repeat(sc, n);
        return;
    }
    int op = op_lookup(n->name);
    if (op >= 0) {
        n->ref = REF_OP;
        n->opkind = (OpKind)op;
        if (op == OP_PARAM && in_seq) {
            bad(sc, n->name_span, "'param' takes no tensor, so it cannot be a member of seq or repeat; declare it "
                                  "(name = param(c, h, w, init=...)) and use its name as a value");
            return;
        }
        if (op_info[op].max_in == 0) {
            bind_op_args(sc, n, n->args, n->nargs);
            return;
        }
        if (op_info[op].min_in != 1 || op_info[op].max_in != 1) {
            bad(sc, n->name_span, "'%s' combines several tensors; use it in an expression, not as a layer", n->name);
            return;
        }
        if (op_info[op].nparams == 0 && !in_seq) {
            bad(sc, n->name_span,
                "'%s' has no parameters; apply it directly in a 'let' (or use it inside seq(...))", n->name);
            return;
        }
        bind_op_args(sc, n, n->args, n->nargs);
        return;
    }
    if (is_block_ref(sc, n, &blk)) {
        n->ref = REF_BLOCK;
        n->item = blk;
        bind_block_args(sc, n, blk);
        return;
    }
    int slot;
    Sym *s = lookup_all(sc, n->name, &slot);
    if (s && s->kind == SYM_LAYER) {
        bool quoted = strchr(n->name, '-') != NULL; /* spelt "block1-0" in the source */
        bad(sc, n->name_span, "'%s' is already a layer; reusing it shares its parameters, so apply it directly: %s%s%s(x)",
            n->name, quoted ? "\"" : "", n->name, quoted ? "\"" : "");
        return;
    }
    unknown_name(sc, n->name_span, n->name, "operation or block", K_OP | K_BLOCK);
}

/* Is layer s declared as param(...) (its name is then a value: its tensor)? */
static bool is_param_layer(Scope *sc, const Sym *s)
{
    const Node *e = sc->item->body[s->index].expr;
    return e->kind == ND_CALL && e->ref == REF_OP && e->opkind == OP_PARAM;
}

/* The layer a repeat copies. */
static Node *repeat_body(const Node *n)
{
    return n->args[1]->kind == ND_ARROW ? n->args[1]->rhs : n->args[1];
}

/* The number of tensors a layer expression takes. */
static int layer_arity(Node *n)
{
    if (n->ref == REF_BLOCK)
        return n->item->ninputs;
    if (n->ref == REF_SEQ)
        return n->nargs ? layer_arity(n->args[0]) : 1;
    if (n->ref == REF_REPEAT)
        return n->nargs == 2 ? layer_arity(repeat_body(n)) : 1;
    return n->ref == REF_OP && n->opkind == OP_PARAM ? 0 : 1;
}

/* Whether the right side of 'name = e' computes a tensor (so 'let' was
 * meant): a '+', an input or value, a layer applied to operands, or an
 * operation without parameters applied to a tensor. */
static bool is_value_expr(Scope *sc, Node *n)
{
    int slot;
    Sym *s = n->kind == ND_NAME || n->kind == ND_CALL ? lookup_all(sc, n->name, &slot) : NULL;
    switch (n->kind) {
    case ND_NAME:
        return s && (s->kind == SYM_INPUT || s->kind == SYM_VALUE);
    case ND_BIN:
        return n->op == '+' && (is_value_expr(sc, n->lhs) || is_value_expr(sc, n->rhs));
    case ND_CALL: {
        if (s && s->kind == SYM_LAYER)
            return n->nargs > 0 && n->args[0]->kind != ND_NUM && n->args[0]->kind != ND_REAL &&
                   is_plain_arg(n->args[0]);
        int op = op_lookup(n->name);
        Item *blk;
        if ((op >= 0 && op_info[op].nparams > 0) || s || is_block_ref(sc, n, &blk) || !strcmp(n->name, "seq") ||
            !strcmp(n->name, "repeat"))
            return false;
        return n->nargs > 0 && is_value_expr(sc, n->args[0]);
    }
    default:
        return false;
    }
}

/* ------------------------------------------------------------ values */

static void resolve_value(Scope *sc, Node *n);

static void check_arity(Scope *sc, Node *n, const char *what, int lo, int hi)
{
    if (n->nins >= lo && (hi < 0 || n->nins <= hi))
        return;
    if (hi < 0)
        error_at(n->span, "%s '%s' takes at least %d tensors but %d %s given", what, n->name, lo, n->nins,
                 n->nins == 1 ? "was" : "were");
    else if (lo == hi)
        error_at(n->span, "%s '%s' takes %d tensor%s but %d %s given", what, n->name, lo, lo == 1 ? "" : "s",
                 n->nins, n->nins == 1 ? "was" : "were");
    else
        error_at(n->span, "%s '%s' takes %d to %d tensors but %d %s given", what, n->name, lo, hi, n->nins,
                 n->nins == 1 ? "was" : "were");
    sc->item->bad = true;
}

/* Splits a call's arguments: plain names and nested calls that denote
 * tensors come first; integer arguments (keywords) follow. */
static void split_operands(Node *n, int *nint)
{
    int k = 0;
    while (k < n->nargs && n->args[k]->kind != ND_KWARG && n->args[k]->kind != ND_NUM &&
           n->args[k]->kind != ND_REAL && n->args[k]->kind != ND_ARROW)
        k++;
    n->ins = n->args;
    n->nins = k;
    *nint = n->nargs - k;
}

/* The source text from the first to the last of args, or "". */
static const char *args_text(Node **args, int nargs)
{
    if (!nargs)
        return "";
    return span_text((Span){args[0]->span.file, args[0]->span.lo, args[nargs - 1]->span.hi});
}

/* f(args)(operands): one error that says how to write it. */
static void inline_apply(Scope *sc, Node *n)
{
    Node *f = n->lhs;
    int op = op_lookup(f->name), slot;
    Item *blk;
    Sym *s = lookup_all(sc, f->name, &slot);
    if (!strcmp(f->name, "seq"))
        bad(sc, n->span, "seq(...) makes a layer, and a layer is applied by its name: declare it first "
                         "('name = seq(...)'), then apply it ('name(x)')");
    else if (op >= 0 && op_info[op].nparams > 0)
        bad(sc, n->span, "'%s' declares parameters: declare it as a layer first ('name = %s(%s)'), then apply it "
                         "('name(x)')", f->name, f->name, args_text(f->args, f->nargs));
    else if (op >= 0)
        bad(sc, n->span, "'%s' takes its operands first, then its arguments: write '%s(%s%s%s)'", f->name, f->name,
            args_text(n->args, n->nargs), n->nargs && f->nargs ? ", " : "", args_text(f->args, f->nargs));
    else if (is_block_ref(sc, f, &blk))
        bad(sc, n->span, "block '%s' is instantiated as a layer first ('name = %s'), then applied ('name(x)')",
            f->name, span_text(f->span));
    else if (s)
        bad(sc, n->span, "'%s' is already applied here; its result is a tensor, which cannot be applied", span_text(f->span));
    else
        unknown_name(sc, f->name_span, f->name, "operation", K_OP);
}

static void resolve_apply(Scope *sc, Node *n)
{
    int slot;
    Sym *s = lookup_all(sc, n->name, &slot);
    if (s && s->kind == SYM_LAYER) {
        use_sym(sc, n, "layer", K_LAYER);
        n->ins = n->args;
        n->nins = n->nargs;
        if (is_param_layer(sc, s)) {
            bad(sc, n->span, "'%s' is a parameter tensor (param), a value: use its name, as in mul(x, %s), "
                             "not %s(...)", n->name, n->name, n->name);
            return;
        }
        check_arity(sc, n, "layer", layer_arity(sc->item->body[s->index].expr),
                    layer_arity(sc->item->body[s->index].expr));
        for (int i = 0; i < n->nargs; i++)
            resolve_value(sc, n->args[i]);
        return;
    }
    if (s) {
        bad(sc, n->name_span, "'%s' is %s, not a layer or operation; it cannot be applied", n->name, a_kind(s->kind));
        return;
    }
    int op = op_lookup(n->name);
    if (op >= 0) {
        if (op_info[op].nparams > 0) {
            bad(sc, n->name_span, "'%s' declares parameters; declare it as a layer first (name = %s(...)) and apply that",
                n->name, n->name);
            return;
        }
        n->ref = REF_OP;
        n->opkind = (OpKind)op;
        int nint;
        split_operands(n, &nint);
        check_arity(sc, n, "operation", op_info[op].min_in, op_info[op].max_in);
        for (int i = 0; i < n->nins; i++)
            resolve_value(sc, n->ins[i]);
        bind_op_args(sc, n, nint ? n->args + n->nins : NULL, nint); /* args is NULL for f() */
        return;
    }
    Item *blk;
    if (is_block_ref(sc, n, &blk)) {
        bad(sc, n->name_span, "block '%s' must be instantiated as a layer first (name = %s) and then applied",
            n->name, n->name);
        return;
    }
    if (!strcmp(n->name, "seq")) {
        bad(sc, n->name_span, "seq(...) makes a layer; declare it (name = seq(...)) and apply that");
        return;
    }
    use_sym(sc, n, "operation or layer", K_OP | K_LAYER); /* reports it */
}

/* value := name | layer(values) | op(values, int-args) | value + value */
static void resolve_value(Scope *sc, Node *n)
{
    switch (n->kind) {
    case ND_NAME: {
        Sym *s = use_sym(sc, n, "value", K_VALUE);
        if (s && s->kind == SYM_LAYER && is_param_layer(sc, s))
            return;
        if (s && s->kind != SYM_INPUT && s->kind != SYM_VALUE)
            bad(sc, n->span, "'%s' is %s, but a tensor value is expected here", n->name, a_kind(s->kind));
        return;
    }
    case ND_CALL:
        resolve_apply(sc, n);
        return;
    case ND_APPLY:
        inline_apply(sc, n);
        return;
    case ND_BIN:
        if (n->op != '+') {
            char op[2] = {(char)n->op, 0};
            bad(sc, n->span, "'%s' is not defined on tensors (only '+', the elementwise add)", op);
            return;
        }
        resolve_value(sc, n->lhs);
        resolve_value(sc, n->rhs);
        return;
    default:
        bad(sc, n->span, "expected a tensor value here");
        return;
    }
}

/* ------------------------------------------------------------ items */

/* Shape of an input: each element a new shape variable or a size over names
 * already known (then it is checked, not bound). */
static void resolve_input_shape(Scope *sc, Node *shape)
{
    for (int i = 0; i < shape->nargs; i++) {
        Node *e = shape->args[i];
        int slot;
        if (e->kind == ND_NAME && !lookup_all(sc, e->name, &slot)) {
            Sym *s = declare(sc, e->name, SYM_DIMVAR, e->span, i);
            s->bound_by = e;
            e->ref = REF_SYM;
            e->slot = sc->syms.n - 1;
        } else {
            resolve_dim(sc, e);
        }
    }
}

static void resolve_header(Scope *sc, Item *it)
{
    for (int i = 0; i < it->nparams; i++) {
        Param *p = &it->params[i];
        if (p->shape)
            bad(sc, p->span, "'%s': integer parameters come first, tensor inputs (name: shape) in the last list", p->name);
        if (p->defval)
            resolve_dim(sc, p->defval);
        declare(sc, p->name, SYM_INT, p->span, i);
    }
    if (it->ninputs == 0)
        bad(sc, it->name_span, "'%s' needs at least one tensor input (name: [shape])", it->name);
    if (it->kind == IT_MODEL && it->ninputs > 1)
        bad(sc, it->inputs[1].span, "a model has exactly one input tensor");
    for (int i = 0; i < it->ninputs; i++) {
        Param *p = &it->inputs[i];
        if (!p->shape) {
            bad(sc, p->span, "tensor input '%s' needs a shape: %s: [c, h, w]", p->name, p->name);
            continue;
        }
        resolve_input_shape(sc, p->shape);
    }
    for (int i = 0; i < it->ninputs; i++)
        declare(sc, it->inputs[i].name, SYM_INPUT, it->inputs[i].span, i);
}

static void resolve_where(Scope *sc, Item *it)
{
    for (int i = 0; i < it->nwhere; i++) {
        resolve_dim(sc, it->where[i]->lhs);
        resolve_dim(sc, it->where[i]->rhs);
    }
    for (int i = 0; i < it->ndefaults; i++) {
        Param *d = &it->defaults[i];
        int slot;
        Sym *s = lookup_all(sc, d->name, &slot);
        if (!s || s->kind != SYM_DIMVAR)
            bad(sc, d->span, "'%s' is not an input dimension of '%s'", d->name, it->name);
        for (int j = 0; j < i; j++)
            if (!strcmp(it->defaults[j].name, d->name))
                bad(sc, d->span, "default for '%s' is given twice", d->name);
        resolve_dim(sc, d->defval);
    }
}

/* 'y = relu(conv(x))' where 'let y = ...' was meant: one error that says
 * so, and the statement is resolved as the 'let' it should be. */
static void missing_let(Scope *sc, Stmt *st)
{
    const char *e = span_text(st->expr->span);
    if (strlen(e) > 40)
        e = "...";
    bad(sc, st->name_span, "missing 'let': %s computes a value, so write 'let %s = %s' ('%s = ...' declares a layer)",
        e, st->name, e, st->name);
    st->kind = ST_LET;
}

/* Does a layer expression name a block (whose parameter shapes are known
 * only once it is applied)? */
static bool has_block(const Node *n)
{
    if (n->ref == REF_BLOCK)
        return true;
    for (int i = 0; n->ref == REF_SEQ && i < n->nargs; i++)
        if (has_block(n->args[i]))
            return true;
    return n->ref == REF_REPEAT && n->nargs == 2 && has_block(n->args[1]->kind == ND_ARROW ? n->args[1]->rhs : n->args[1]);
}

/* Layers never applied and values never used: warnings, unless the body
 * had errors (its uses may not all have been seen). A never-applied layer
 * with a block in it is an error in check.c (its shapes are unknown). */
static void warn_unused(Scope *sc, Item *it)
{
    if (it->bad)
        return;
    for (int i = 0; i < sc->syms.n; i++) {
        Sym *s = sc->syms.v[i];
        if (s->used)
            continue;
        if (s->kind == SYM_LAYER && !has_block(it->body[s->index].expr))
            warn_at(W_UNUSED_LAYER, s->span, "layer '%s' is declared but never applied (its parameters stay in the "
                                             "ABI)", s->name);
        else if (s->kind == SYM_VALUE)
            warn_at(W_UNUSED_VALUE, s->span, "value '%s' is computed but never used", s->name);
    }
}

static void resolve_body(Scope *sc, Item *it)
{
    int nret = 0;
    for (int i = 0; i < it->nbody; i++) {
        Stmt *st = &it->body[i];
        if (st->kind == ST_LAYER && is_value_expr(sc, st->expr))
            missing_let(sc, st);
        switch (st->kind) {
        case ST_LAYER:
            resolve_layer(sc, st->expr, false);
            declare(sc, st->name, SYM_LAYER, st->name_span, i);
            st->slot = sc->syms.n - 1;
            break;
        case ST_LET:
            if (st->shape)
                for (int k = 0; k < st->shape->nargs; k++)
                    resolve_dim(sc, st->shape->args[k]);
            resolve_value(sc, st->expr);
            declare(sc, st->name, SYM_VALUE, st->name_span, i);
            st->slot = sc->syms.n - 1;
            break;
        case ST_RETURN:
            resolve_value(sc, st->expr);
            if (nret++)
                bad(sc, st->span, "'%s' returns twice; a block has one result", it->name);
            else if (i != it->nbody - 1)
                bad(sc, it->body[i + 1].span, "statement after 'return'");
            break;
        }
    }
    if (!nret)
        bad(sc, it->span, "'%s' has no 'return'", it->name);
    warn_unused(sc, it);
}

static void finish_scope(Scope *sc, Item *it)
{
    it->nsyms = sc->syms.n;
    it->syms = arena_alloc(sizeof(Sym) * (size_t)(it->nsyms ? it->nsyms : 1));
    for (int i = 0; i < it->nsyms; i++)
        it->syms[i] = *(Sym *)sc->syms.v[i];
    free(sc->syms.v);
    strmap_free(&sc->index);
}

static void resolve_dimdef(Scope *sc, Item *it)
{
    for (int i = 0; i < it->nparams; i++)
        declare(sc, it->params[i].name, SYM_DIMVAR, it->params[i].span, i);
    resolve_dim(sc, it->result);
}

/* tensors(model) and params(model) are the assertion builtins. */
static void resolve_assert_side(Scope *sc, Node *n)
{
    if (n->kind == ND_CALL) {
        for (int i = 0; i < countof(builtin_asserts); i++) {
            if (!strcmp(n->name, builtin_asserts[i])) {
                Item *m = n->nargs == 1 && n->args[0]->kind == ND_NAME ? find_item(sc->prog, n->args[0]->name) : NULL;
                if (!m || m->kind != IT_MODEL)
                    bad(sc, n->span, "%s() takes the name of a model", n->name);
                n->item = m;
                return;
            }
        }
    }
    if (n->kind == ND_BIN) {
        resolve_assert_side(sc, n->lhs);
        resolve_assert_side(sc, n->rhs);
        return;
    }
    resolve_dim(sc, n);
}

static void resolve_item(Program *p, Item *it)
{
    Scope sc = {.prog = p, .item = it};
    switch (it->kind) {
    case IT_DIM:
        resolve_dimdef(&sc, it);
        break;
    case IT_BLOCK:
    case IT_MODEL:
        resolve_header(&sc, it);
        for (int i = 0; i < it->result->nargs; i++)
            resolve_dim(&sc, it->result->args[i]);
        resolve_where(&sc, it);
        resolve_body(&sc, it);
        break;
    case IT_ASSERT:
        resolve_assert_side(&sc, it->result->lhs);
        resolve_assert_side(&sc, it->result->rhs);
        break;
    }
    finish_scope(&sc, it);
}

/* ------------------------------------------------------------ cycles */

static void refs_of(Node *n, Vec *out)
{
    if (!n)
        return;
    if ((n->ref == REF_BLOCK || n->ref == REF_DIMFN) && n->item)
        vec_push(out, n);
    refs_of(n->lhs, out);
    refs_of(n->rhs, out);
    for (int i = 0; i < n->nargs; i++)
        refs_of(n->args[i], out);
}

static void item_refs(Item *it, Vec *out)
{
    refs_of(it->result, out);
    for (int i = 0; i < it->nbody; i++) {
        refs_of(it->body[i].expr, out);
        refs_of(it->body[i].shape, out);
    }
    for (int i = 0; i < it->ninputs; i++)
        refs_of(it->inputs[i].shape, out);
}

enum { WHITE, GREY, BLACK };

/* Depth-first search; a grey item reached again closes a cycle. */
static bool find_cycle(Program *p, Item *it, char *color)
{
    int k = (int)(it - p->items);
    if (color[k] == BLACK)
        return false;
    color[k] = GREY;
    Vec refs = {0};
    item_refs(it, &refs);
    bool found = false;
    for (int i = 0; i < refs.n && !found; i++) {
        Node *r = refs.v[i];
        int j = (int)(r->item - p->items);
        if (color[j] == GREY) {
            error_at(r->name_span, "'%s' refers to itself%s", r->item->name,
                     r->item == it ? "" : " through a cycle of definitions");
            if (r->item != it)
                note_at(it->name_span, "'%s' is part of the cycle", it->name);
            it->bad = r->item->bad = true;
            found = true;
        } else {
            found = find_cycle(p, r->item, color);
        }
    }
    free(refs.v);
    color[k] = BLACK;
    return found;
}

static void check_duplicates(Program *p)
{
    for (int i = 0; i < p->nitems; i++) {
        Item *it = &p->items[i];
        if (it->kind == IT_ASSERT)
            continue;
        if (op_lookup(it->name) >= 0 || !strcmp(it->name, "seq")) {
            error_at(it->name_span, "'%s' is the name of an operation; choose another name", it->name);
            it->bad = true;
            continue;
        }
        Item *first = find_item(p, it->name);
        if (first != it) {
            error_at(it->name_span, "'%s' is defined twice", it->name);
            note_at(first->name_span, "the first definition is here");
            it->bad = true;
        }
    }
}

int resolve_program(Program *p)
{
    int before = diag_errors;
    check_duplicates(p);
    for (int i = 0; i < p->nitems; i++)
        resolve_item(p, &p->items[i]);
    char *color = xcalloc((size_t)p->nitems + 1, 1);
    for (int i = 0; i < p->nitems; i++)
        if (p->items[i].kind != IT_ASSERT)
            find_cycle(p, &p->items[i], color);
    free(color);
    int models = 0;
    for (int i = 0; i < p->nitems; i++)
        models += p->items[i].kind == IT_MODEL;
    if (models == 0 && diag_errors == before)
        error_at((Span){p->file, 0, 0},
                 "no model in this file (a file needs one 'model NAME(...)(x: [...]) -> [...] { ... }')");
    return diag_errors - before;
}
