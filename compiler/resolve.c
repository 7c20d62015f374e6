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
    static const char *const names[] = {"integer parameter", "shape variable", "input", "layer", "value"};
    return names[k];
}

/* ------------------------------------------------------------ suggestions */

static void consider(const char **best, int *bestd, const char *cand, const char *name)
{
    int max = (int)strlen(name) / 3 + 1;
    int d = edit_distance(name, cand, max);
    if (d <= max && d < *bestd) {
        *best = cand;
        *bestd = d;
    }
}

/* The closest known name, or NULL. */
static const char *suggest(Scope *sc, const char *name)
{
    const char *best = NULL;
    int bestd = 1 << 20;
    for (int i = 0; i < sc->syms.n; i++)
        consider(&best, &bestd, ((Sym *)sc->syms.v[i])->name, name);
    for (int i = 0; i < OP__COUNT; i++)
        consider(&best, &bestd, op_info[i].name, name);
    for (int i = 0; i < sc->prog->nitems; i++)
        if (sc->prog->items[i].kind != IT_ASSERT)
            consider(&best, &bestd, sc->prog->items[i].name, name);
    consider(&best, &bestd, "seq", name);
    return best;
}

static void unknown_name(Scope *sc, Span at, const char *name, const char *what)
{
    const char *s = suggest(sc, name);
    if (s)
        error_at(at, "unknown %s '%s'; did you mean '%s'?", what, name, s);
    else
        error_at(at, "unknown %s '%s'", what, name);
}

/* ------------------------------------------------------------ scopes */

static Sym *lookup_all(Scope *sc, const char *name, int *slot)
{
    int *v = strmap_get(&sc->index, name);
    if (!v)
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
    } else if (op_lookup(name) >= 0 || !strcmp(name, "seq")) {
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
static Sym *use_sym(Scope *sc, Node *n, const char *what)
{
    int slot;
    Sym *s = lookup_all(sc, n->name, &slot);
    if (!s) {
        Stmt *later = defined_later(sc, n->name);
        if (later) {
            error_at(n->name_span, "'%s' is used before its definition", n->name);
            note_at(later->name_span, "'%s' is defined here", n->name);
        } else {
            unknown_name(sc, n->name_span, n->name, what);
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
        {
            unknown_name(sc, n->name_span, n->name, "dimension function");
            sc->item->bad = true;
        }
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
    case ND_NAME: {
        Sym *s = use_sym(sc, n, "name");
        if (s && s->kind != SYM_INT && s->kind != SYM_DIMVAR)
            bad(sc, n->span, "'%s' is a %s, but a size is expected here", n->name, sym_kind_name(s->kind));
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
    case ND_CMP:
        bad(sc, n->span, "expected a size expression here");
        return;
    }
}

/* ------------------------------------------------------------ integer arguments */

/* Matches positional and keyword integer arguments against names[0..n).
 * Positional args fill slots in order; `arrow` slots take an a -> b pair. */
static void bind_args(Scope *sc, Node *call, Node **args, int nargs, const char *callee, int n,
                      const char *const *names, const bool *has_default, const bool *positional,
                      const bool *arrow)
{
    Node **attrs = arena_alloc(sizeof(Node *) * (size_t)(n ? n : 1));
    int next = 0;
    for (int i = 0; i < nargs; i++) {
        Node *a = args[i];
        if (a->kind == ND_KWARG) {
            int k = 0;
            while (k < n && strcmp(names[k], a->name))
                k++;
            if (k == n) {
                const char *best = NULL;
                int bestd = 1 << 20;
                for (int j = 0; j < n; j++)
                    consider(&best, &bestd, names[j], a->name);
                if (best)
                    error_at(a->name_span, "'%s' has no argument '%s'; did you mean '%s'?", callee, a->name, best);
                else
                    error_at(a->name_span, "'%s' has no argument '%s'", callee, a->name);
                sc->item->bad = true;
            } else if (attrs[k]) {
                bad(sc, a->name_span, "argument '%s' of '%s' is given twice", a->name, callee);
            } else {
                attrs[k] = a->rhs;
                resolve_dim(sc, a->rhs);
            }
            continue;
        }
        while (next < n && (attrs[next] || (positional && !positional[next])))
            next++;
        if (next >= n) {
            bad(sc, a->span, "too many arguments to '%s'", callee);
            break;
        }
        if (arrow && arrow[next]) {
            if (a->kind != ND_ARROW) {
                error_at(a->span, "'%s' wants '%s -> %s' here", callee, names[next], names[next + 1]);
                sc->item->bad = true;
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
            bad(sc, a->span, "'%s' takes no 'a -> b' argument here", callee);
            next++;
            continue;
        }
        attrs[next++] = a;
        resolve_dim(sc, a);
    }
    for (int k = 0; k < n; k++) {
        if (!attrs[k] && !has_default[k]) {
            error_at(call->span, "missing argument '%s' of '%s'", names[k], callee);
            sc->item->bad = true;
        }
    }
    call->attrs = attrs;
}

static void bind_op_args(Scope *sc, Node *call, Node **args, int nargs)
{
    const OpSig *sig = op_sig(call->opkind);
    bind_args(sc, call, args, nargs, op_info[call->opkind].name, sig->nattr, sig->attr, sig->has_default,
              sig->positional, sig->arrow);
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
    bind_args(sc, call, call->args, call->nargs, blk->name, n, names, def, NULL, NULL);
}

/* ------------------------------------------------------------ layers */

static void resolve_layer(Scope *sc, Node *n, bool in_seq);

static bool is_block_ref(Scope *sc, Node *n, Item **blk)
{
    Item *it = find_item(sc->prog, n->name);
    if (it && it->kind == IT_BLOCK) {
        *blk = it;
        return true;
    }
    return false;
}

/* layer := op(int-args) | block | block(int-args) | seq(layer, ...) */
static void resolve_layer(Scope *sc, Node *n, bool in_seq)
{
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
    int op = op_lookup(n->name);
    if (op >= 0) {
        n->ref = REF_OP;
        n->opkind = (OpKind)op;
        if (op_info[op].min_in != 1 || op_info[op].max_in != 1)
            bad(sc, n->name_span, "'%s' combines several tensors; use it in an expression, not as a layer", n->name);
        else if (op_info[op].nparams == 0 && !in_seq)
            bad(sc, n->name_span,
                "'%s' has no parameters; apply it directly in a 'let' (or use it inside seq(...))", n->name);
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
        bad(sc, n->name_span, "'%s' is already a layer; reusing it shares its parameters, so apply it directly", n->name);
        return;
    }
    unknown_name(sc, n->name_span, n->name, "operation or block");
    sc->item->bad = true;
}

/* The number of tensors a layer expression takes. */
static int layer_arity(Node *n)
{
    if (n->ref == REF_BLOCK)
        return n->item->ninputs;
    if (n->ref == REF_SEQ)
        return n->nargs ? layer_arity(n->args[0]) : 1;
    return 1;
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
           n->args[k]->kind != ND_ARROW)
        k++;
    n->ins = n->args;
    n->nins = k;
    *nint = n->nargs - k;
}

static void resolve_apply(Scope *sc, Node *n)
{
    int slot;
    Sym *s = lookup_all(sc, n->name, &slot);
    if (s && s->kind == SYM_LAYER) {
        use_sym(sc, n, "layer");
        n->ins = n->args;
        n->nins = n->nargs;
        check_arity(sc, n, "layer", layer_arity(sc->item->body[s->index].expr),
                    layer_arity(sc->item->body[s->index].expr));
        for (int i = 0; i < n->nargs; i++)
            resolve_value(sc, n->args[i]);
        return;
    }
    if (s) {
        bad(sc, n->name_span, "'%s' is a %s, not a layer or operation; it cannot be applied", n->name,
            sym_kind_name(s->kind));
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
    use_sym(sc, n, "operation or layer"); /* reports it */
}

/* value := name | layer(values) | op(values, int-args) | value + value */
static void resolve_value(Scope *sc, Node *n)
{
    switch (n->kind) {
    case ND_NAME: {
        Sym *s = use_sym(sc, n, "value");
        if (s && s->kind != SYM_INPUT && s->kind != SYM_VALUE)
            bad(sc, n->span, "'%s' is a %s, but a tensor value is expected here", n->name, sym_kind_name(s->kind));
        return;
    }
    case ND_CALL:
        resolve_apply(sc, n);
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

static void resolve_body(Scope *sc, Item *it)
{
    int nret = 0;
    for (int i = 0; i < it->nbody; i++) {
        Stmt *st = &it->body[i];
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
    for (int i = 0; i < sc->syms.n; i++) {
        Sym *s = sc->syms.v[i];
        if (!s->used && (s->kind == SYM_LAYER || s->kind == SYM_VALUE))
            warn_at(s->span, "%s '%s' is never used", sym_kind_name(s->kind), s->name);
    }
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
