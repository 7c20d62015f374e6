/*
 * dim.c - shape expressions (Dim) over the naturals, with Lean's Nat
 * semantics: a - b is truncated (max(a - b, 0)), a / b is floor division,
 * a % b the matching remainder, and x / 0 = 0, x % 0 = x.
 *
 * The prover also builds DX_ISUB, plain integer subtraction, so values may
 * go negative inside it; division and modulo then stay floor-based (the
 * remainder has the sign of the divisor), which agrees with Nat on Nat.
 *
 * Every Dim lives in the arena. Dims are immutable once built, so they may
 * be shared freely.
 *
 * dim_simplify writes a Dim shorter for a reader (diagnostics, the text of
 * an imported model): it takes the prover's normal form as a Dim
 * (prove_normal_dim) when that prints shorter and prove_eq proves the two
 * equal on the domain, so no rewrite is trusted unchecked.
 */
#include "gsc.h"

#include <inttypes.h>
#include <string.h>

Dim *dim_num(int64_t v)
{
    Dim *d = arena_alloc(sizeof *d);
    d->kind = DX_NUM;
    d->num = v;
    return d;
}

Dim *dim_sym(int sym)
{
    Dim *d = arena_alloc(sizeof *d);
    d->kind = DX_SYM;
    d->sym = sym;
    return d;
}

/* Floor division and its remainder; b != 0. False on overflow (only
 * INT64_MIN / -1). */
static bool floor_divmod(int64_t a, int64_t b, int64_t *q, int64_t *r)
{
    if (a == INT64_MIN && b == -1)
        return false;
    int64_t qq = a / b, rr = a % b;
    if (rr != 0 && ((rr < 0) != (b < 0))) {
        qq -= 1;
        rr += b;
    }
    *q = qq;
    *r = rr;
    return true;
}

bool dim_apply(DimKind k, int64_t a, int64_t b, int64_t *out)
{
    int64_t q, r;
    switch (k) {
    case DX_ADD:
        return !__builtin_add_overflow(a, b, out);
    case DX_ISUB:
        return !__builtin_sub_overflow(a, b, out);
    case DX_SUB:
        if (__builtin_sub_overflow(a, b, out))
            return false;
        if (*out < 0)
            *out = 0;
        return true;
    case DX_MUL:
        return !__builtin_mul_overflow(a, b, out);
    case DX_DIV:
        if (b == 0) {
            *out = 0; /* Lean: x / 0 = 0 */
            return true;
        }
        if (!floor_divmod(a, b, &q, &r))
            return false;
        *out = q;
        return true;
    case DX_MOD:
        if (b == 0) {
            *out = a; /* Lean: x % 0 = x */
            return true;
        }
        if (!floor_divmod(a, b, &q, &r))
            return false;
        *out = r;
        return true;
    case DX_NUM:
    case DX_SYM:
        break;
    }
    return false;
}

Dim *dim_bin(DimKind k, Dim *a, Dim *b)
{
    int64_t v;
    /* Fold two constants; on overflow keep the structure, so dim_eval
     * reports the overflow where the value is actually needed. */
    if (a->kind == DX_NUM && b->kind == DX_NUM && dim_apply(k, a->num, b->num, &v))
        return dim_num(v);
    Dim *d = arena_alloc(sizeof *d);
    d->kind = k;
    d->a = a;
    d->b = b;
    return d;
}

int64_t dim_eval(const Dim *d, const int64_t *vals, bool *overflow)
{
    switch (d->kind) {
    case DX_NUM:
        return d->num;
    case DX_SYM:
        return vals[d->sym];
    default:
        break;
    }
    int64_t a = dim_eval(d->a, vals, overflow);
    int64_t b = dim_eval(d->b, vals, overflow);
    int64_t v;
    if (!dim_apply(d->kind, a, b, &v)) {
        *overflow = true;
        return 0;
    }
    return v;
}

static bool has_sym(const Dim *d)
{
    if (d->kind == DX_SYM)
        return true;
    if (d->kind == DX_NUM)
        return false;
    return has_sym(d->a) || has_sym(d->b);
}

bool dim_same(const Dim *a, const Dim *b)
{
    if (a == b)
        return true;
    if (!a || !b || a->kind != b->kind)
        return false;
    switch (a->kind) {
    case DX_NUM:
        return a->num == b->num;
    case DX_SYM:
        return a->sym == b->sym;
    default:
        return dim_same(a->a, b->a) && dim_same(a->b, b->b);
    }
}

bool dim_is_const(const Dim *d, int64_t *v)
{
    if (has_sym(d))
        return false;
    bool ovf = false;
    int64_t x = dim_eval(d, NULL, &ovf);
    if (ovf)
        return false;
    if (v)
        *v = x;
    return true;
}

/* Printing: infix with the fewest parentheses that still read back as the
 * same tree. Precedence 1 for + and -, 2 for *, / and %. */
static int prec(const Dim *d)
{
    switch (d->kind) {
    case DX_ADD:
    case DX_SUB:
    case DX_ISUB:
        return 1;
    case DX_MUL:
    case DX_DIV:
    case DX_MOD:
        return 2;
    default:
        return 3;
    }
}

static const char *op_text(DimKind k)
{
    switch (k) {
    case DX_ADD:
        return " + ";
    case DX_SUB:
    case DX_ISUB: /* integer subtraction only comes from the prover */
        return " - ";
    case DX_MUL:
        return "*";
    case DX_DIV:
        return " / ";
    case DX_MOD:
        return " % ";
    default:
        return "?";
    }
}

static void print_rec(Buf *b, const Dim *d, const DimEnv *env, bool nested);

/* A child needs parentheses when it binds more loosely than its parent, or
 * equally tightly on the right, except where regrouping changes nothing:
 * a + (b + c) and a * (b * c). Truncated subtraction is not associative
 * with +, so (a + b) - c and a + (b - c) must stay distinct. */
static void print_child(Buf *b, const Dim *parent, const Dim *c, bool right,
                        const DimEnv *env)
{
    int pp = prec(parent), pc = prec(c);
    bool assoc = c->kind == parent->kind && (c->kind == DX_ADD || c->kind == DX_MUL);
    bool paren = pc < pp || (right && pc == pp && !assoc);
    if (paren)
        buf_putc(b, '(');
    print_rec(b, c, env, !paren);
    if (paren)
        buf_putc(b, ')');
}

static void print_rec(Buf *b, const Dim *d, const DimEnv *env, bool nested)
{
    switch (d->kind) {
    case DX_NUM:
        if (d->num < 0 && nested)
            buf_printf(b, "(%" PRId64 ")", d->num);
        else
            buf_printf(b, "%" PRId64, d->num);
        return;
    case DX_SYM:
        if (env && d->sym >= 0 && d->sym < env->nsyms && env->syms[d->sym].name)
            buf_puts(b, env->syms[d->sym].name);
        else
            buf_printf(b, "$%d", d->sym);
        return;
    default:
        print_child(b, d, d->a, false, env);
        buf_puts(b, op_text(d->kind));
        print_child(b, d, d->b, true, env);
        return;
    }
}

void dim_print(Buf *b, const Dim *d, const DimEnv *env)
{
    print_rec(b, d, env, false);
}

char *dim_str(const Dim *d, const DimEnv *env)
{
    Buf b = {0};
    dim_print(&b, d, env);
    char *s = arena_strndup(b.s ? b.s : "", b.len);
    buf_free(&b);
    return s;
}

static bool has_isub(const Dim *d)
{
    if (d->kind == DX_NUM || d->kind == DX_SYM)
        return false;
    return d->kind == DX_ISUB || has_isub(d->a) || has_isub(d->b);
}

/* n when it is shorter than best and equal to d on env's domain, else best */
static Dim *shorter_equal(Dim *best, Dim *d, Dim *n, const DimEnv *env)
{
    if (!n || strlen(dim_str(n, env)) >= strlen(dim_str(best, env)))
        return best;
    return prove_eq(env, d, n).res == PROVE_TRUE ? n : best;
}

Dim *dim_simplify(Dim *d, const DimEnv *env)
{
    if (d->kind == DX_NUM || d->kind == DX_SYM || has_isub(d))
        return d;
    Dim *best = shorter_equal(d, d, prove_normal_dim(env, d), env);
    /* with multiples ('where H % 32 == 0') the normal form over H / 32 is
     * written with H / 32; the one over all H may be shorter */
    DimEnv plain = {arena_alloc(sizeof(DimSym) * (size_t)(env->nsyms + 1)), env->nsyms};
    bool steps = false;
    for (int i = 0; i < env->nsyms; i++) {
        plain.syms[i] = env->syms[i];
        steps |= plain.syms[i].step > 1;
        plain.syms[i].step = 0;
    }
    return steps ? shorter_equal(best, d, prove_normal_dim(&plain, d), env) : best;
}

DimKind dim_op_kind(int op)
{
    switch (op) {
    case '+': return DX_ADD;
    case '-': return DX_SUB;
    case '*': return DX_MUL;
    case '/': return DX_DIV;
    default: return DX_MOD;
    }
}

int64_t dim_lcm(int64_t a, int64_t b)
{
    int64_t g = a, r = b, l;
    while (r) {
        int64_t t = g % r;
        g = r;
        r = t;
    }
    return __builtin_mul_overflow(a / g, b, &l) ? 0 : l;
}

bool dim_sym_allows(const DimSym *s, int64_t v)
{
    return v >= s->lo && v <= s->hi && (s->step <= 1 || v % s->step == 0);
}

char *dim_domain_str(const DimEnv *env)
{
    Buf b = {0};
    for (int i = 0; i < env->nsyms; i++) {
        const DimSym *s = &env->syms[i];
        buf_printf(&b, "%s%s >= %lld", i ? ", " : "", s->name, (long long)s->lo);
        if (s->hi != INT64_MAX)
            buf_printf(&b, " and <= %lld", (long long)s->hi);
        if (s->step > 1)
            buf_printf(&b, " and a multiple of %lld", (long long)s->step);
    }
    char *r = arena_strndup(b.s ? b.s : "", b.len);
    buf_free(&b);
    return r;
}
