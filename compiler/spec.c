/*
 * spec.c - specialisation to concrete sizes.
 *
 * Requires: a checked Graph (check.c): every shape fact already proved for
 * all sizes. Provides: a value for every symbol (-D NAME=VALUE, else the
 * model's default), the 'where' bounds checked, every shape, attribute and
 * parameter offset as a concrete number (overflow-checked: a dimension past
 * 2^31 or a tensor past 2^62 elements is an error), and the file's
 * assertions evaluated. Assertions are about the model at its defaults, so
 * that -D classes=10 does not contradict "params(resnet18) == 11694312".
 */
#include "gsc.h"

#include <ctype.h>
#include <math.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DIM ((int64_t)1 << 31)
#define MAX_ELEMS ((int64_t)1 << 62)

/* a op b with the semantics of sizes (truncated subtraction, ...). */
static int64_t nat_op(int op, int64_t a, int64_t b)
{
    bool ovf = false;
    return dim_eval(dim_bin(dim_op_kind(op), dim_num(a), dim_num(b)), NULL, &ovf);
}

/* Constant integer expressions (parameter and dimension defaults). */
static bool const_eval(Node *n, int64_t *out)
{
    int64_t a, b;
    switch (n->kind) {
    case ND_NUM:
        *out = n->num;
        return true;
    case ND_BIN:
        if (!const_eval(n->lhs, &a) || !const_eval(n->rhs, &b))
            return false;
        *out = nat_op(n->op, a, b);
        return true;
    default:
        return false;
    }
}

/* The default of symbol k of the model's env, from the parameter list or
 * the 'default' clause. */
static bool symbol_default(Item *m, const char *name, int64_t *v, Span *at)
{
    for (int i = 0; i < m->nparams; i++) {
        if (!strcmp(m->params[i].name, name) && m->params[i].defval) {
            *at = m->params[i].span;
            if (!const_eval(m->params[i].defval, v)) {
                error_at(m->params[i].defval->span, "the default of '%s' must be a constant", name);
                return false;
            }
            return true;
        }
    }
    for (int i = 0; i < m->ndefaults; i++) {
        if (!strcmp(m->defaults[i].name, name)) {
            *at = m->defaults[i].span;
            if (!const_eval(m->defaults[i].defval, v)) {
                error_at(m->defaults[i].defval->span, "the default of '%s' must be a constant", name);
                return false;
            }
            return true;
        }
    }
    return false;
}

static bool parse_define(const char *def, const char *name, int64_t *v)
{
    const char *eq = strchr(def, '=');
    if ((size_t)(eq - def) != strlen(name) || strncmp(def, name, (size_t)(eq - def)))
        return false;
    char *end;
    errno = 0;
    long long x = strtoll(eq + 1, &end, 10);
    if (!isdigit((unsigned char)eq[1]) || *end || errno || x < 0 || x >= MAX_DIM) {
        error_plain("-D %s: the value must be a whole number from 0 to %lld", def, (long long)MAX_DIM - 1);
        *v = -1;
        return true;
    }
    *v = x;
    return true;
}

/* Binds every symbol; reports unknown -D names and missing values. With
 * unbound, a symbol with no value is not an error: its value is -1 and
 * *unbound is set. */
static bool bind_symbols(Graph *g, int64_t *vals, const char *const *defs, int ndefs, bool use_defines,
                         bool *unbound)
{
    bool ok = true;
    for (int k = 0; k < g->env.nsyms; k++) {
        const DimSym *s = &g->env.syms[k];
        bool given = false;
        for (int i = 0; use_defines && i < ndefs; i++)
            if (parse_define(defs[i], s->name, &vals[k]))
                given = true;
        if (given && vals[k] < 0) {
            ok = false;
            continue;
        }
        Span at = {0};
        if (!given && !symbol_default(g->model, s->name, &vals[k], &at)) {
            if (unbound) {
                vals[k] = -1;
                *unbound = true;
                continue;
            }
            error_at(g->model->name_span, "'%s' has no value: give it with -D %s=N or a default in the model",
                     s->name, s->name);
            ok = false;
            continue;
        }
        if (!dim_sym_allows(s, vals[k])) {
            Buf b = {0};
            if (vals[k] < s->lo)
                buf_printf(&b, "%s >= %lld", s->name, (long long)s->lo);
            else if (vals[k] > s->hi)
                buf_printf(&b, "%s <= %lld", s->name, (long long)s->hi);
            else
                buf_printf(&b, "%s %% %lld == 0", s->name, (long long)s->step);
            if (given)
                error_plain("-D: %s = %lld violates the constraint %s of model '%s'", s->name, (long long)vals[k],
                            b.s, g->model->name);
            else
                error_at(at, "the default %s = %lld violates the constraint %s", s->name, (long long)vals[k], b.s);
            buf_free(&b);
            ok = false;
        }
    }
    for (int i = 0; use_defines && i < ndefs; i++) {
        bool known = false;
        for (int k = 0; k < g->env.nsyms; k++)
            known |= strncmp(defs[i], g->env.syms[k].name, strlen(g->env.syms[k].name)) == 0 &&
                     defs[i][strlen(g->env.syms[k].name)] == '=';
        if (!known) {
            Buf b = {0};
            for (int k = 0; k < g->env.nsyms; k++)
                buf_printf(&b, "%s%s", k ? ", " : "", g->env.syms[k].name);
            error_plain("-D %s: model '%s' has no parameter or input dimension of that name (it has: %s)", defs[i],
                        g->model->name, b.s ? b.s : "none");
            buf_free(&b);
            ok = false;
        }
    }
    return ok;
}

int64_t shape_count(const Shape *s)
{
    int64_t n = 1;
    for (int i = 0; i < s->rank; i++)
        n *= s->n[i];
    return n;
}

/* Concrete dimensions of a shape; false (reported) on overflow. */
static bool concretise(Shape *s, const int64_t *vals, Span at, const char *what)
{
    int64_t total = 1;
    for (int i = 0; i < s->rank; i++) {
        bool ovf = false;
        s->n[i] = dim_eval(s->d[i], vals, &ovf);
        if (ovf || s->n[i] >= MAX_DIM) {
            error_at(at, "'%s': dimension %d is over 2^31 at these sizes", what, i + 1);
            return false;
        }
        if (s->n[i] != 0 && total > MAX_ELEMS / s->n[i]) {
            error_at(at, "'%s' has more than 2^62 elements at these sizes", what);
            return false;
        }
        total *= s->n[i];
    }
    return true;
}

/* Are the shapes of all parameter tensors constants (the same at every size)? */
static bool params_constant(const Graph *g)
{
    for (int i = 0; i < g->ntensors; i++)
        for (int k = 0; k < g->tensors[i].shape.rank; k++)
            if (!dim_is_const(g->tensors[i].shape.d[k], NULL))
                return false;
    return true;
}

/* Offsets of the parameter tensors; the total in floats. */
static bool lay_out(Graph *g, const int64_t *vals, int64_t *total)
{
    int64_t off = 0;
    for (int i = 0; i < g->ntensors; i++) {
        Tensor *t = &g->tensors[i];
        if (!concretise(&t->shape, vals, t->span, t->name))
            return false;
        t->offset = off;
        t->count = shape_count(&t->shape);
        if (t->init == INIT_UNIFORM_FAN) /* fan_in: [cin, cout, kh, kw] -> cout*kh*kw */
            t->fill = 1.0 / sqrt((double)(t->shape.n[1] * t->shape.n[2] * t->shape.n[3]));
        if (off > MAX_ELEMS - t->count) {
            error_at(t->span, "the parameters total more than 2^62 floats");
            return false;
        }
        off += t->count;
    }
    *total = off;
    return true;
}

/* ------------------------------------------------------------ assertions */

static bool assert_side(Graph *g, Node *n, int64_t ntensors, int64_t nparams, int64_t *out)
{
    int64_t a, b;
    switch (n->kind) {
    case ND_CALL:
        if (n->item != g->model)
            return false;
        *out = !strcmp(n->name, "tensors") ? ntensors : nparams;
        return true;
    case ND_BIN:
        if (!assert_side(g, n->lhs, ntensors, nparams, &a) || !assert_side(g, n->rhs, ntensors, nparams, &b))
            return false;
        *out = nat_op(n->op, a, b);
        return true;
    default:
        return const_eval(n, out);
    }
}

static bool compare(int op, int64_t a, int64_t b)
{
    switch (op) {
    case CMP_EQ: return a == b;
    case CMP_NE: return a != b;
    case CMP_LT: return a < b;
    case CMP_LE: return a <= b;
    case CMP_GT: return a > b;
    default: return a >= b;
    }
}

/* Evaluates the file's assertions about this model, at its defaults. */
static int check_assertions(Graph *g)
{
    int errors = 0;
    int64_t *vals = arena_alloc(sizeof(int64_t) * (size_t)(g->env.nsyms + 1));
    bool have = false;
    for (int i = 0; i < g->prog->nitems; i++) {
        Item *it = &g->prog->items[i];
        if (it->kind != IT_ASSERT)
            continue;
        int64_t a, b;
        if (!have) {
            int before = diag_errors;
            bool unbound = false; /* allowed where the parameter count is the same at every size */
            if (!bind_symbols(g, vals, NULL, 0, false, params_constant(g) ? &unbound : NULL))
                return diag_errors - before;
            have = true;
        }
        int64_t total = 0;
        Tensor *saved = arena_alloc(sizeof(Tensor) * (size_t)(g->ntensors + 1));
        memcpy(saved, g->tensors, sizeof(Tensor) * (size_t)g->ntensors);
        bool ok = lay_out(g, vals, &total);
        memcpy(g->tensors, saved, sizeof(Tensor) * (size_t)g->ntensors);
        if (!ok)
            return 1;
        Node *c = it->result;
        if (!assert_side(g, c->lhs, g->ntensors, total, &a) || !assert_side(g, c->rhs, g->ntensors, total, &b))
            continue; /* about another model */
        if (!compare(c->op, a, b)) {
            if (c->rhs->kind == ND_NUM)
                error_at(c->span, "assertion failed: %s is %lld", span_text(c->lhs->span), (long long)a);
            else
                error_at(c->span, "assertion failed: %s is %lld and %s is %lld", span_text(c->lhs->span),
                         (long long)a, span_text(c->rhs->span), (long long)b);
            errors++;
        }
    }
    return errors;
}

/* ------------------------------------------------------------ warnings at these sizes */

/* Does a train-time batchnorm of g see a single position (h*w = 1) with
 * the symbols at vals? Counts them; first is the first such node. */
static int single_position_bns(const Graph *g, const int64_t *vals, int *first)
{
    int n = 0;
    for (int i = 0; i < g->nnodes; i++) {
        const GNode *nd = &g->nodes[i];
        if (nd->op != OP_BATCHNORM)
            continue;
        const Shape *in = &g->values[nd->in[0]].shape;
        bool ovf = false;
        if (dim_eval(in->d[1], vals, &ovf) * dim_eval(in->d[2], vals, &ovf) == 1 && !ovf) {
            if (!n++ && first)
                *first = i;
        }
    }
    return n;
}

/* Train-time batchnorm over a 1x1 input subtracts each channel's only value
 * from itself: its output is beta whatever the input (PyTorch refuses it in
 * training). Warned once for the model, naming every such layer and, when
 * scaling the input dimensions by a power of 2 avoids it, the sizes that do. */
static void warn_single_position(const Graph *g)
{
    int first = -1, n = single_position_bns(g, g->symval, &first);
    if (!n)
        return;
    Buf names = {0}, at = {0};
    for (int i = 0, k = 0; i < g->nnodes; i++) {
        const GNode *nd = &g->nodes[i];
        const Shape *in = &g->values[nd->in[0]].shape;
        if (nd->op == OP_BATCHNORM && in->n[1] * in->n[2] == 1)
            buf_printf(&names, "%s%s", k++ ? ", " : "", nd->name);
    }
    const Item *m = g->model;
    int64_t *vals = arena_alloc(sizeof(int64_t) * (size_t)(g->env.nsyms + 1));
    bool *dim = arena_alloc(sizeof(bool) * (size_t)(g->env.nsyms + 1));
    for (int i = 0, k = 0; i < m->nsyms; i++)
        if (m->syms[i].kind == SYM_INT || m->syms[i].kind == SYM_DIMVAR)
            dim[k++] = m->syms[i].kind == SYM_DIMVAR;
    bool any_dim = false;
    for (int i = 0; i < g->env.nsyms; i++)
        any_dim |= dim[i];
    for (int i = 0; i < g->env.nsyms; i++)
        if (dim[i] || !any_dim)
            buf_printf(&at, "%s%s = %lld", at.len ? ", " : "", g->env.syms[i].name, (long long)g->symval[i]);
    const char *fix = NULL;
    for (int64_t scale = 2; scale <= 1024 && !fix; scale *= 2) {
        bool ok = true;
        Buf d = {0};
        for (int i = 0; i < g->env.nsyms; i++) {
            vals[i] = g->symval[i];
            if (dim[i] && g->symval[i] > 0) {
                vals[i] = g->symval[i] * scale;
                ok &= vals[i] <= g->env.syms[i].hi;
                buf_printf(&d, "%s-D %s=%lld", d.len ? " " : "", g->env.syms[i].name, (long long)vals[i]);
            }
        }
        if (ok && d.len && !single_position_bns(g, vals, NULL))
            fix = arena_printf("; %s avoids it", d.s);
        buf_free(&d);
    }
    const GNode *f = &g->nodes[first];
    const char *in = arena_printf("[%lld, 1, 1]", (long long)g->values[f->in[0]].shape.n[0]);
    bool shown = n == 1 ? warn_at(W_SINGLE_POSITION_BATCHNORM, f->span,
                                  "batchnorm %s normalises over a single position at %s (its input is %s): "
                                  "train-time batchnorm then outputs its bias (beta) whatever the input",
                                  names.s, at.s ? at.s : "these sizes", in)
                        : warn_at(W_SINGLE_POSITION_BATCHNORM, f->span,
                                  "%d batchnorms normalise over a single position at %s (%s; the first's input is "
                                  "%s): train-time batchnorm then outputs its bias (beta) whatever the input",
                                  n, at.s ? at.s : "these sizes", names.s, in);
    if (shown)
        note_at(f->span, "each channel's mean over 1x1 is its only value, so x - mean is 0 (PyTorch raises an error "
                         "here in training mode)%s", fix ? fix : "");
    buf_free(&names);
    buf_free(&at);
}

int specialise(Graph *g, const char *const *defines, int ndefines, bool free_sizes)
{
    int before = diag_errors;
    if (check_assertions(g))
        return diag_errors - before;
    g->symval = arena_alloc(sizeof(int64_t) * (size_t)(g->env.nsyms + 1));
    bool unbound = false;
    if (!bind_symbols(g, g->symval, defines, ndefines, true, free_sizes && !ndefines ? &unbound : NULL))
        return diag_errors - before;
    if (unbound) { /* no sizes: the parameters only, where they are constants */
        g->symval = NULL;
        g->nparams = -1;
        if (params_constant(g))
            lay_out(g, NULL, &g->nparams);
        return diag_errors - before;
    }
    for (int i = 0; i < g->nvalues; i++) {
        Value *v = &g->values[i];
        if (!concretise(&v->shape, g->symval, v->span, v->name))
            return diag_errors - before;
    }
    for (int i = 0; i < g->nnodes; i++) {
        GNode *n = &g->nodes[i];
        for (int k = 0; k < op_sig(n->op)->nattr; k++) {
            bool ovf = false;
            if (op_sig(n->op)->real[k])
                continue; /* n->r[k], a literal */
            n->a[k] = dim_eval(n->attr[k], g->symval, &ovf);
            if (ovf || n->a[k] >= MAX_DIM) {
                error_at(n->span, "argument '%s' of %s is too large", op_sig(n->op)->attr[k], op_info[n->op].name);
                return diag_errors - before;
            }
        }
    }
    if (!lay_out(g, g->symval, &g->nparams))
        return diag_errors - before;
    warn_single_position(g);
    return diag_errors - before;
}

/* The parameter ABI without the sizes: every tensor's shape must be a
 * constant (an imported model's are: its weights have their sizes). */
int lay_out_params(Graph *g)
{
    int before = diag_errors;
    for (int i = 0; i < g->ntensors; i++) {
        const Tensor *t = &g->tensors[i];
        for (int k = 0; k < t->shape.rank; k++) {
            if (!dim_is_const(t->shape.d[k], NULL)) {
                error_at(t->span, "the shape of parameter '%s' depends on the sizes: give them with -D NAME=VALUE",
                         t->name);
                return diag_errors - before;
            }
        }
    }
    lay_out(g, NULL, &g->nparams);
    return diag_errors - before;
}

/* ------------------------------------------------------------ limits of the generated code */

#define MAX_C_DIM ((int64_t)INT32_MAX - 64)
#define MAX_C_ELEMS ((int64_t)INT32_MAX)

static int64_t padded_count(const Shape *s)
{
    if (s->rank != 3)
        return shape_count(s);
    return (s->n[0] + 15) / 16 * 16 * s->n[1] * s->n[2];
}

static bool fits_c(Span at, const char *what, const Shape *s)
{
    for (int i = 0; i < s->rank; i++) {
        if (s->n[i] > MAX_C_DIM) {
            error_at(at, "'%s' is too large for the generated C: dimension %d is %lld, and the runtime's sizes are "
                         "32-bit ints (at most %lld)", what, i + 1, (long long)s->n[i], (long long)MAX_C_DIM);
            return false;
        }
    }
    if (padded_count(s) > MAX_C_ELEMS) {
        error_at(at, "'%s' is too large for the generated C: %lld elements (with channel padding), and the "
                     "runtime's sizes are 32-bit ints (at most %lld)", what, (long long)padded_count(s),
                 (long long)MAX_C_ELEMS);
        return false;
    }
    return true;
}

int check_c_limits(const Graph *g)
{
    int before = diag_errors;
    for (int i = 0; i < g->nvalues && diag_errors == before; i++)
        fits_c(g->values[i].span, g->values[i].name, &g->values[i].shape);
    for (int i = 0; i < g->ntensors && diag_errors == before; i++)
        fits_c(g->tensors[i].span, g->tensors[i].name, &g->tensors[i].shape);
    for (int i = 0; i < g->nnodes && diag_errors == before; i++) {
        const GNode *n = &g->nodes[i];
        if (n->op != OP_CONV2D && n->op != OP_CONV_TRANSPOSE2D && n->op != OP_MAXPOOL2D && n->op != OP_AVGPOOL2D)
            continue;
        int p = op_attr_index(n->op, "pad"), k = op_attr_index(n->op, "k");
        const Shape *in = &g->values[n->in[0]].shape;
        for (int d = 1; d < 3; d++) /* top + bottom with kh, left + right with kw */
            if (in->n[d] + n->a[p + d - 1] + n->a[p + d + 1] + n->a[k + d - 1] > MAX_C_DIM)
                error_at(n->span, "'%s' is too large for the generated C: the padded input is over 2^31 - 64 wide",
                         n->name);
        /* the packed weights: 16 x 16 channel blocks per tap (an upper bound) */
        if ((n->op == OP_CONV2D || n->op == OP_CONV_TRANSPOSE2D) &&
            (n->a[op_attr_index(n->op, "cin")] + 15) / 16 * ((n->a[op_attr_index(n->op, "cout")] + 15) / 16) * 256 *
                    n->a[k] * n->a[k + 1] > MAX_C_ELEMS)
            error_at(n->span, "'%s' is too large for the generated C: its packed weights pass 2^31 floats", n->name);
    }
    return diag_errors - before;
}
