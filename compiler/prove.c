/*
 * prove.c - the decision procedure for shape facts over the naturals.
 *
 * Contract
 *   prove_eq(env, a, b) decides "a = b" and prove_ge(env, a, b) decides
 *   "a >= b" for every point of the domain (symbol i ranges over the
 *   integers in [env->syms[i].lo, env->syms[i].hi]; hi == INT64_MAX is
 *   unbounded; with step > 1 only over its multiples, decided as the plain
 *   domain of x / step), with Lean Nat semantics (dim.c).
 *
 *   SOUND    PROVE_TRUE is returned only from a proof (normal-form identity,
 *            interval bounds, or a periodicity argument that reduces the
 *            infinite domain to a finite box that is then checked point by
 *            point). PROVE_FALSE always carries a counterexample that has
 *            been re-evaluated on the original Dims with dim_eval.
 *   COMPLETE for quasi-affine claims: integer combinations of symbols,
 *            floor division and modulo by constants, truncated subtraction,
 *            nested arbitrarily, provided every truncated subtraction that
 *            survives normalisation involves one symbol only, and the
 *            periods and thresholds found stay below the search limits.
 *            This covers every univariate claim and the separable
 *            multivariate ones (each atom over one symbol).
 *   Otherwise (products of symbols that do not cancel, division by a
 *   symbol, truncated subtraction of several symbols, huge periods) it
 *   searches a box near the lower bounds for a counterexample and, finding
 *   none, answers PROVE_UNKNOWN with a reason. It never silently accepts.
 *
 * Method
 *   1. Normal form. Both sides become polynomials over atoms: symbols,
 *      floor(P / c) with c > 1 constant, max(P, 0) (a truncated subtraction
 *      the domain does not resolve), and opaque P / Q, P % Q for non-constant
 *      Q. Atoms are hash-consed by a canonical key, so equal polynomials
 *      are represented identically. Rules: e % c = e - c*floor(e/c);
 *      coefficients inside floor(./c) are reduced into [0, c) by pulling
 *      multiples of c out; a common factor g of c and the coefficients is
 *      divided out; floor((floor(P/a) + R)/c) = floor((P + a*R)/(a*c));
 *      intervals decide floors of bounded arguments and truncated
 *      subtractions whose sign is fixed on the domain.
 *   2. d = lhs - rhs. "=": d is the zero polynomial -> TRUE. Interval of d
 *      decides easy cases.
 *   3. Periodicity. For a quasi-affine d and each symbol x there are a
 *      rational slope s, a period L and a threshold T such that for all
 *      points with x >= T, d(x + L) = d(x) + s*L (other symbols fixed,
 *      arbitrary). Then d's values on the whole domain are determined by
 *      the box x in [lo, min(hi, T + L)]: "=" holds iff d is 0 on the box;
 *      ">=" holds iff d >= 0 on the box and s >= 0 wherever the domain
 *      extends beyond the box. When every atom involves a single symbol
 *      (separable), the box is scanned one axis at a time instead.
 *   4. Bounded counterexample search, then PROVE_UNKNOWN.
 *
 * All temporary structures live in a per-call context and are freed before
 * returning; results (cex, why, method) are arena strings/arrays. The
 * procedure is deterministic: atoms are ordered by their keys, never by
 * addresses.
 */
#include "gsc.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TERMS 4096            /* terms in one product before giving up */
#define MAX_SCAN 10000000LL       /* points a periodicity check may visit */
#define MAX_SPAN 1000000000LL     /* cap on periods and thresholds - lo */
#define MAX_SEARCH 20000LL        /* points of the counterexample search */
#define SANITY_POINTS 256LL       /* points re-checked after a proof */
#define SMALL_BOX 100000LL        /* boxes scanned for a first failing point */
#define MAX_FLOOR_DEPTH 64        /* nested floor rewrites */
#define VAR_NONE (-1)
#define VAR_MANY (-2)
#define INF INT64_MAX
#define NINF INT64_MIN

/* ---------------------------------------------------------------- data */

typedef struct Atom Atom;

/* coeff * f[0] * ... * f[deg-1]; deg == 0 is the constant term. */
typedef struct {
    int64_t c;
    int deg;
    Atom **f; /* sorted by key */
} Term;

/* Sum of terms, sorted by monomial (higher degree first, constant last),
 * no two with the same monomial, no zero coefficients. */
typedef struct {
    int n;
    Term *t;
} Poly;

typedef enum { AT_SYM, AT_DIV, AT_POS, AT_ODIV, AT_OMOD } AtomKind;

typedef struct {
    int64_t lo, hi; /* INF / NINF for unbounded (saturating) */
} Ival;

struct Atom {
    AtomKind kind;
    int sym;           /* AT_SYM */
    int var;           /* the one symbol involved, or VAR_MANY */
    const Poly *p, *q; /* DIV: floor(p / c); POS: max(p, 0); ODIV/OMOD: p op q */
    int64_t c;
    const char *key;   /* canonical; equal keys <=> same atom */
    bool have_ival;
    Ival ival;         /* memoised range on the domain */
};

typedef struct {
    const DimEnv *env;
    const DimEnv *steps; /* poly_dim: env is the stepped domain of these
                            symbols, x' = x / step (prove_normal_dim) */
    Vec mem;           /* heap blocks, freed by cx_free */
    Vec atoms;         /* interned atoms */
    bool fail;         /* normalisation gave up (overflow, size) */
    const char *why;   /* first reason something was outside the procedure */
} Ctx;

static void *cx_alloc(Ctx *cx, size_t n)
{
    void *p = xcalloc(1, n ? n : 1);
    vec_push(&cx->mem, p);
    return p;
}

static void cx_free(Ctx *cx)
{
    for (int i = 0; i < cx->mem.n; i++)
        free(cx->mem.v[i]);
    free(cx->mem.v);
    free(cx->atoms.v);
}

/* Records the first reason only: it is usually the root cause. */
static void cx_why(Ctx *cx, const char *why)
{
    if (!cx->why)
        cx->why = why;
}

static void cx_fail(Ctx *cx, const char *why)
{
    cx_why(cx, why);
    cx->fail = true;
}

static const char *sym_name(const Ctx *cx, int i)
{
    const char *n = cx->env->syms[i].name;
    return n ? n : arena_printf("$%d", i);
}

/* ---------------------------------------------------------------- arithmetic */

static int64_t cx_add(Ctx *cx, int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) {
        cx_fail(cx, "numbers too large");
        return 0;
    }
    return r;
}

static int64_t cx_mul(Ctx *cx, int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r)) {
        cx_fail(cx, "numbers too large");
        return 0;
    }
    return r;
}

/* Floor division for b > 0 (a any): cannot overflow. */
static int64_t fdiv(int64_t a, int64_t b)
{
    int64_t q = 0;
    dim_apply(DX_DIV, a, b, &q);
    return q;
}

/* gcd(|a|, |b|), in unsigned arithmetic so INT64_MIN is fine. A gcd of
 * 2^63 does not fit; 1 is returned instead, which every caller tolerates
 * (they only divide by it). */
static int64_t gcd64(int64_t a, int64_t b)
{
    uint64_t x = a < 0 ? (uint64_t)0 - (uint64_t)a : (uint64_t)a;
    uint64_t y = b < 0 ? (uint64_t)0 - (uint64_t)b : (uint64_t)b;
    while (y) {
        uint64_t t = x % y;
        x = y;
        y = t;
    }
    return x > (uint64_t)INT64_MAX ? 1 : (int64_t)x;
}

/* ---------------------------------------------------------------- polynomials */

static int atom_cmp(const Atom *a, const Atom *b)
{
    return a == b ? 0 : strcmp(a->key, b->key);
}

static int mono_cmp(const Term *x, const Term *y)
{
    if (x->deg != y->deg)
        return y->deg - x->deg;
    for (int i = 0; i < x->deg; i++) {
        int c = atom_cmp(x->f[i], y->f[i]);
        if (c)
            return c;
    }
    return 0;
}

static int term_qcmp(const void *a, const void *b)
{
    return mono_cmp(a, b);
}

/* Builds a Poly from arbitrary terms (consumes the scratch array's
 * contents, not the array): sorts, merges equal monomials, drops zeros. */
static Poly *poly_make(Ctx *cx, Term *ts, int n)
{
    if (n > 1)
        qsort(ts, (size_t)n, sizeof *ts, term_qcmp);
    Poly *p = cx_alloc(cx, sizeof *p);
    p->t = cx_alloc(cx, (size_t)(n ? n : 1) * sizeof(Term));
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (m > 0 && mono_cmp(&p->t[m - 1], &ts[i]) == 0)
            p->t[m - 1].c = cx_add(cx, p->t[m - 1].c, ts[i].c);
        else
            p->t[m++] = ts[i];
    }
    p->n = 0;
    for (int i = 0; i < m; i++)
        if (p->t[i].c != 0)
            p->t[p->n++] = p->t[i];
    return p;
}

static Poly *poly_const(Ctx *cx, int64_t k)
{
    Term t = {.c = k};
    return poly_make(cx, &t, 1);
}

static Poly *poly_atom(Ctx *cx, Atom *a)
{
    Atom **f = cx_alloc(cx, sizeof *f);
    f[0] = a;
    Term t = {.c = 1, .deg = 1, .f = f};
    return poly_make(cx, &t, 1);
}

/* p + k*q */
static Poly *poly_add(Ctx *cx, const Poly *p, const Poly *q, int64_t k)
{
    int n = p->n + q->n;
    Term *ts = xmalloc((size_t)(n ? n : 1) * sizeof *ts);
    for (int i = 0; i < p->n; i++)
        ts[i] = p->t[i];
    for (int i = 0; i < q->n; i++) {
        ts[p->n + i] = q->t[i];
        ts[p->n + i].c = cx_mul(cx, q->t[i].c, k);
    }
    Poly *r = poly_make(cx, ts, n);
    free(ts);
    return r;
}

static Poly *poly_scale(Ctx *cx, const Poly *p, int64_t k)
{
    Poly zero = {0};
    return poly_add(cx, &zero, p, k);
}

/* The monomial x*y: factor lists merged in key order. */
static Atom **mono_mul(Ctx *cx, const Term *x, const Term *y)
{
    int n = x->deg + y->deg, i = 0, j = 0, k = 0;
    Atom **f = cx_alloc(cx, (size_t)(n ? n : 1) * sizeof *f);
    while (i < x->deg || j < y->deg) {
        if (j >= y->deg || (i < x->deg && atom_cmp(x->f[i], y->f[j]) <= 0))
            f[k++] = x->f[i++];
        else
            f[k++] = y->f[j++];
    }
    return f;
}

static Poly *poly_mul(Ctx *cx, const Poly *p, const Poly *q)
{
    if ((int64_t)p->n * q->n > MAX_TERMS) {
        cx_fail(cx, "expression too large to normalise");
        return poly_const(cx, 0);
    }
    int n = p->n * q->n, k = 0;
    Term *ts = xmalloc((size_t)(n ? n : 1) * sizeof *ts);
    for (int i = 0; i < p->n; i++)
        for (int j = 0; j < q->n; j++) {
            ts[k].c = cx_mul(cx, p->t[i].c, q->t[j].c);
            ts[k].deg = p->t[i].deg + q->t[j].deg;
            ts[k].f = mono_mul(cx, &p->t[i], &q->t[j]);
            k++;
        }
    Poly *r = poly_make(cx, ts, n);
    free(ts);
    return r;
}

static bool poly_is_const(const Poly *p, int64_t *k)
{
    if (p->n == 0) {
        *k = 0;
        return true;
    }
    if (p->n == 1 && p->t[0].deg == 0) {
        *k = p->t[0].c;
        return true;
    }
    return false;
}

static int merge_var(int a, int b)
{
    if (a == VAR_NONE)
        return b;
    if (b == VAR_NONE || a == b)
        return a;
    return VAR_MANY;
}

static int poly_var(const Poly *p)
{
    int v = VAR_NONE;
    for (int i = 0; i < p->n; i++)
        for (int j = 0; j < p->t[i].deg; j++)
            v = merge_var(v, p->t[i].f[j]->var);
    return v;
}

static bool poly_has(const Poly *p, int v);

static bool atom_has(const Atom *a, int v)
{
    if (a->var == v)
        return true;
    if (a->var != VAR_MANY)
        return false;
    return poly_has(a->p, v) || (a->q && poly_has(a->q, v));
}

static bool poly_has(const Poly *p, int v)
{
    for (int i = 0; i < p->n; i++)
        for (int j = 0; j < p->t[i].deg; j++)
            if (atom_has(p->t[i].f[j], v))
                return true;
    return false;
}

/* ---------------------------------------------------------------- keys and printing */

static void key_poly(Buf *b, const Poly *p)
{
    if (p->n == 0)
        buf_puts(b, "0");
    for (int i = 0; i < p->n; i++) {
        buf_printf(b, "%+" PRId64, p->t[i].c);
        for (int j = 0; j < p->t[i].deg; j++)
            buf_printf(b, "*%s", p->t[i].f[j]->key);
    }
}

static char *atom_key(Ctx *cx, const Atom *a)
{
    Buf b = {0};
    switch (a->kind) {
    case AT_SYM:
        buf_printf(&b, "#%d", a->sym);
        break;
    case AT_DIV:
        buf_puts(&b, "fl[");
        key_poly(&b, a->p);
        buf_printf(&b, "]/%" PRId64, a->c);
        break;
    case AT_POS:
        buf_puts(&b, "pos[");
        key_poly(&b, a->p);
        buf_puts(&b, "]");
        break;
    case AT_ODIV:
    case AT_OMOD:
        buf_puts(&b, a->kind == AT_ODIV ? "div[" : "mod[");
        key_poly(&b, a->p);
        buf_puts(&b, ";");
        key_poly(&b, a->q);
        buf_puts(&b, "]");
        break;
    }
    char *s = cx_alloc(cx, b.len + 1);
    memcpy(s, b.s, b.len + 1);
    buf_free(&b);
    return s;
}

static Atom *intern(Ctx *cx, Atom tmpl)
{
    char *key = atom_key(cx, &tmpl);
    for (int i = 0; i < cx->atoms.n; i++) {
        Atom *a = cx->atoms.v[i];
        if (!strcmp(a->key, key))
            return a;
    }
    Atom *a = cx_alloc(cx, sizeof *a);
    *a = tmpl;
    a->key = key;
    if (a->kind == AT_SYM)
        a->var = a->sym;
    else
        a->var = merge_var(poly_var(a->p), a->q ? poly_var(a->q) : VAR_NONE);
    if (a->var == VAR_NONE) /* cannot happen: constants fold */
        a->var = VAR_MANY;
    vec_push(&cx->atoms, a);
    return a;
}

static void print_poly(const Ctx *cx, Buf *b, const Poly *p);

static bool poly_is_single(const Poly *p)
{
    return p->n == 1 && p->t[0].c == 1 && p->t[0].deg == 1;
}

static void print_operand(const Ctx *cx, Buf *b, const Poly *p)
{
    int64_t k;
    bool bare = poly_is_single(p) || (poly_is_const(p, &k) && k >= 0);
    if (!bare)
        buf_putc(b, '(');
    print_poly(cx, b, p);
    if (!bare)
        buf_putc(b, ')');
}

/* alone: the atom is the whole term (no coefficient, no other factor), so
 * a quotient needs no parentheses of its own. */
static void print_atom(const Ctx *cx, Buf *b, const Atom *a, bool alone)
{
    bool infix = a->kind == AT_DIV || a->kind == AT_ODIV || a->kind == AT_OMOD;
    if (infix && !alone)
        buf_putc(b, '(');
    switch (a->kind) {
    case AT_SYM:
        buf_puts(b, sym_name(cx, a->sym));
        break;
    case AT_DIV:
        print_operand(cx, b, a->p);
        buf_printf(b, " / %" PRId64, a->c);
        break;
    case AT_POS:
        buf_puts(b, "max(");
        print_poly(cx, b, a->p);
        buf_puts(b, ", 0)");
        break;
    case AT_ODIV:
    case AT_OMOD:
        print_operand(cx, b, a->p);
        buf_puts(b, a->kind == AT_ODIV ? " / " : " % ");
        print_operand(cx, b, a->q);
        break;
    }
    if (infix && !alone)
        buf_putc(b, ')');
}

static void print_poly(const Ctx *cx, Buf *b, const Poly *p)
{
    if (p->n == 0)
        buf_puts(b, "0");
    for (int i = 0; i < p->n; i++) {
        const Term *t = &p->t[i];
        int64_t c = t->c;
        bool neg = c < 0;
        if (i > 0)
            buf_puts(b, neg ? " - " : " + ");
        else if (neg)
            buf_puts(b, "-");
        /* |INT64_MIN| does not fit: print it through uint64. */
        uint64_t mag = neg ? (uint64_t)0 - (uint64_t)c : (uint64_t)c;
        if (t->deg == 0 || mag != 1)
            buf_printf(b, "%" PRIu64 "%s", mag, t->deg ? "*" : "");
        for (int j = 0; j < t->deg; j++) {
            if (j > 0)
                buf_putc(b, '*');
            print_atom(cx, b, t->f[j], t->deg == 1 && mag == 1);
        }
    }
}

static const char *poly_str(const Ctx *cx, const Poly *p)
{
    Buf b = {0};
    print_poly(cx, &b, p);
    char *s = arena_strndup(b.s ? b.s : "", b.len);
    buf_free(&b);
    return s;
}

/* ---------------------------------------------------------------- intervals */

/* Saturating interval arithmetic. INF/NINF stand for "beyond int64", so a
 * lower bound may only be rounded down and an upper bound only up; both
 * directions are what saturation does, which keeps every sign test sound. */
static int64_t sat_add(int64_t a, int64_t b)
{
    int64_t r;
    if (!__builtin_add_overflow(a, b, &r))
        return r;
    return a > 0 ? INF : NINF;
}

static int64_t lo_add(int64_t a, int64_t b)
{
    return (a == NINF || b == NINF) ? NINF : sat_add(a, b);
}

static int64_t hi_add(int64_t a, int64_t b)
{
    return (a == INF || b == INF) ? INF : sat_add(a, b);
}

static int64_t sat_mul(int64_t a, int64_t b)
{
    int64_t r;
    if (a == 0 || b == 0)
        return 0;
    bool neg = (a < 0) != (b < 0);
    if (a == INF || a == NINF || b == INF || b == NINF)
        return neg ? NINF : INF;
    if (__builtin_mul_overflow(a, b, &r))
        return neg ? NINF : INF;
    return r;
}

static Ival ival_mul(Ival x, Ival y)
{
    int64_t c[4] = {sat_mul(x.lo, y.lo), sat_mul(x.lo, y.hi), sat_mul(x.hi, y.lo),
                    sat_mul(x.hi, y.hi)};
    Ival r = {c[0], c[0]};
    for (int i = 1; i < 4; i++) {
        if (c[i] < r.lo)
            r.lo = c[i];
        if (c[i] > r.hi)
            r.hi = c[i];
    }
    return r;
}

static Ival poly_ival(Ctx *cx, const Poly *p);

static Ival atom_ival_raw(Ctx *cx, const Atom *a)
{
    Ival r = {NINF, INF}, x, y;
    switch (a->kind) {
    case AT_SYM:
        r.lo = cx->env->syms[a->sym].lo;
        r.hi = cx->env->syms[a->sym].hi;
        break;
    case AT_DIV:
        x = poly_ival(cx, a->p);
        r.lo = x.lo == NINF ? NINF : fdiv(x.lo, a->c);
        r.hi = x.hi == INF ? INF : fdiv(x.hi, a->c);
        break;
    case AT_POS:
        x = poly_ival(cx, a->p);
        r.lo = x.lo > 0 ? x.lo : 0;
        r.hi = x.hi > 0 ? x.hi : 0;
        break;
    case AT_ODIV:
    case AT_OMOD:
        /* For naturals: x / y <= x and x % y <= x (also for y = 0). */
        x = poly_ival(cx, a->p);
        y = poly_ival(cx, a->q);
        if (x.lo >= 0 && y.lo >= 0) {
            r.lo = 0;
            r.hi = x.hi;
        }
        break;
    }
    return r;
}

static Ival atom_ival(Ctx *cx, Atom *a)
{
    if (!a->have_ival) {
        a->ival = atom_ival_raw(cx, a);
        a->have_ival = true;
    }
    return a->ival;
}

static Ival poly_ival(Ctx *cx, const Poly *p)
{
    Ival r = {0, 0};
    for (int i = 0; i < p->n; i++) {
        Ival t = {p->t[i].c, p->t[i].c};
        for (int j = 0; j < p->t[i].deg; j++)
            t = ival_mul(t, atom_ival(cx, p->t[i].f[j]));
        r.lo = lo_add(r.lo, t.lo);
        r.hi = hi_add(r.hi, t.hi);
    }
    return r;
}

/* ---------------------------------------------------------------- evaluation */

typedef struct {
    const int64_t *vals;
    bool ovf;
} Ev;

static int64_t eval_poly(Ev *ev, const Poly *p);

static int64_t eval_atom(Ev *ev, const Atom *a)
{
    int64_t x, y, r = 0;
    switch (a->kind) {
    case AT_SYM:
        return ev->vals[a->sym];
    case AT_DIV:
        return fdiv(eval_poly(ev, a->p), a->c);
    case AT_POS:
        x = eval_poly(ev, a->p);
        return x > 0 ? x : 0;
    case AT_ODIV:
    case AT_OMOD:
        x = eval_poly(ev, a->p);
        y = eval_poly(ev, a->q);
        if (!dim_apply(a->kind == AT_OMOD ? DX_MOD : DX_DIV, x, y, &r))
            ev->ovf = true;
        return r;
    }
    return 0;
}

static int64_t eval_poly(Ev *ev, const Poly *p)
{
    int64_t sum = 0;
    for (int i = 0; i < p->n; i++) {
        int64_t t = p->t[i].c;
        for (int j = 0; j < p->t[i].deg; j++)
            if (__builtin_mul_overflow(t, eval_atom(ev, p->t[i].f[j]), &t))
                ev->ovf = true;
        if (__builtin_add_overflow(sum, t, &sum))
            ev->ovf = true;
    }
    return sum;
}

/* ---------------------------------------------------------------- normalisation */

static Poly *norm_floor(Ctx *cx, const Poly *p, int64_t c, int depth);

static Poly *atom_poly(Ctx *cx, AtomKind k, const Poly *p, const Poly *q, int64_t c)
{
    Atom t = {.kind = k, .p = p, .q = q, .c = c};
    return poly_atom(cx, intern(cx, t));
}

/* Splits p = c*out + in with every coefficient of in (the constant too)
 * in [0, c), so that floor(p / c) = out + floor(in / c): out is
 * integer-valued, so it leaves the floor unchanged. */
static void split_mod(Ctx *cx, const Poly *p, int64_t c, Poly **out, Poly **in)
{
    Term *o = xmalloc((size_t)(p->n ? p->n : 1) * sizeof *o);
    Term *r = xmalloc((size_t)(p->n ? p->n : 1) * sizeof *r);
    for (int i = 0; i < p->n; i++) {
        int64_t q = fdiv(p->t[i].c, c);
        o[i] = r[i] = p->t[i];
        o[i].c = q;
        r[i].c = p->t[i].c - q * c; /* in [0, c): no overflow */
    }
    *out = poly_make(cx, o, p->n);
    *in = poly_make(cx, r, p->n);
    free(o);
    free(r);
}

/* gcd of c and the non-constant coefficients of p. */
static int64_t floor_gcd(const Poly *p, int64_t c)
{
    int64_t g = c;
    for (int i = 0; i < p->n; i++)
        if (p->t[i].deg > 0)
            g = gcd64(g, p->t[i].c);
    return g;
}

/* floor((g*Q + r) / (g*c')) = floor((Q + floor(r/g)) / c'). */
static Poly *floor_by_gcd(Ctx *cx, const Poly *in, int64_t c, int64_t g, int depth)
{
    Term *ts = xmalloc((size_t)(in->n ? in->n : 1) * sizeof *ts);
    for (int i = 0; i < in->n; i++) {
        ts[i] = in->t[i];
        ts[i].c = in->t[i].c / g; /* exact, or floor(r / g) for the constant r >= 0 */
    }
    Poly *q = poly_make(cx, ts, in->n);
    free(ts);
    return norm_floor(cx, q, c / g, depth + 1);
}

/* floor((floor(P/a) + R) / c) = floor((P + a*R) / (a*c)), valid for any
 * integer-valued R; applied to a nested floor with coefficient 1. */
static Poly *floor_absorb(Ctx *cx, const Poly *in, int64_t c, int depth)
{
    for (int i = 0; i < in->n; i++) {
        const Term *t = &in->t[i];
        if (t->deg != 1 || t->c != 1 || t->f[0]->kind != AT_DIV)
            continue;
        const Atom *a = t->f[0];
        Poly *rest = poly_add(cx, in, poly_atom(cx, (Atom *)a), -1);
        Poly *num = poly_add(cx, a->p, rest, a->c);
        int64_t ac = cx_mul(cx, a->c, c);
        if (cx->fail)
            return NULL;
        return norm_floor(cx, num, ac, depth + 1);
    }
    return NULL;
}

/* floor(p / c) for a constant c > 0. */
static Poly *norm_floor(Ctx *cx, const Poly *p, int64_t c, int depth)
{
    if (cx->fail || depth > MAX_FLOOR_DEPTH) {
        cx_fail(cx, "nested divisions too deep");
        return poly_const(cx, 0);
    }
    if (c == 1)
        return (Poly *)p;
    Poly *out, *in;
    split_mod(cx, p, c, &out, &in);
    int64_t k;
    if (poly_is_const(in, &k)) /* 0 <= k < c */
        return out;
    /* Bounded argument: the quotient is one constant on the domain. */
    Ival iv = poly_ival(cx, in);
    if (iv.lo != NINF && iv.lo != INF && iv.hi != INF && iv.hi != NINF &&
        fdiv(iv.lo, c) == fdiv(iv.hi, c))
        return poly_add(cx, out, poly_const(cx, fdiv(iv.lo, c)), 1);
    int64_t g = floor_gcd(in, c);
    if (g > 1)
        return poly_add(cx, out, floor_by_gcd(cx, in, c, g, depth), 1);
    Poly *abs = floor_absorb(cx, in, c, depth);
    if (abs)
        return poly_add(cx, out, abs, 1);
    return poly_add(cx, out, atom_poly(cx, AT_DIV, in, NULL, c), 1);
}

/* max(p - q, 0), resolved when the domain fixes the sign. */
static Poly *norm_tsub(Ctx *cx, const Poly *p, const Poly *q)
{
    Poly *d = poly_add(cx, p, q, -1);
    int64_t k;
    if (poly_is_const(d, &k))
        return poly_const(cx, k > 0 ? k : 0);
    Ival iv = poly_ival(cx, d);
    if (iv.lo >= 0)
        return d;
    if (iv.hi <= 0)
        return poly_const(cx, 0);
    /* max(g*D, 0) = g*max(D, 0): a canonical, primitive argument. */
    int64_t g = 0;
    for (int i = 0; i < d->n; i++)
        g = gcd64(g, d->t[i].c);
    Term *ts = xmalloc((size_t)d->n * sizeof *ts);
    for (int i = 0; i < d->n; i++) {
        ts[i] = d->t[i];
        ts[i].c = d->t[i].c / g;
    }
    Poly *prim = poly_make(cx, ts, d->n);
    free(ts);
    return poly_scale(cx, atom_poly(cx, AT_POS, prim, NULL, 0), g);
}

/* p / q exactly, for a monomial q (c * f1 * ... * fd, c > 0, d >= 1) that
 * divides every term of p: the coefficient by c, the factors of q removed.
 * False when some term is not a multiple of q. */
static bool poly_div_mono(Ctx *cx, const Poly *p, const Poly *q, Poly **out)
{
    if (q->n != 1 || q->t[0].deg == 0 || q->t[0].c <= 0)
        return false;
    const Term *m = &q->t[0];
    Term *ts = xmalloc((size_t)(p->n ? p->n : 1) * sizeof *ts);
    bool ok = true;
    for (int i = 0; i < p->n && ok; i++) {
        const Term *t = &p->t[i];
        ok = t->c % m->c == 0 && t->deg >= m->deg;
        Atom **f = ok ? cx_alloc(cx, (size_t)(t->deg ? t->deg : 1) * sizeof *f) : NULL;
        int nf = 0, j = 0;
        for (int a = 0; a < t->deg && ok; a++) {
            if (j < m->deg && t->f[a] == m->f[j])
                j++; /* both sorted by key: q's factors appear in order */
            else
                f[nf++] = t->f[a];
        }
        ok = ok && j == m->deg;
        if (ok)
            ts[i] = (Term){.c = t->c / m->c, .deg = nf, .f = f};
    }
    if (ok)
        *out = poly_make(cx, ts, p->n);
    free(ts);
    return ok;
}

static Poly *norm_divmod(Ctx *cx, const Poly *p, const Poly *q, bool mod)
{
    int64_t k;
    Poly *quot;
    /* p = m*q: p % q = 0 for every q (q = 0 forces p = 0, and 0 % 0 = 0);
     * p / q = m where q >= 1 (conv2d's cin / groups with groups = cin). */
    if (!poly_is_const(q, &k) && poly_div_mono(cx, p, q, &quot)) {
        if (mod)
            return poly_const(cx, 0);
        if (poly_ival(cx, q).lo >= 1)
            return quot;
    }
    if (poly_is_const(q, &k)) {
        if (k == 0) /* Lean: x / 0 = 0, x % 0 = x */
            return mod ? (Poly *)p : poly_const(cx, 0);
        if (k > 0) {
            Poly *f = norm_floor(cx, p, k, 0);
            return mod ? poly_add(cx, p, f, -k) : f;
        }
    }
    return atom_poly(cx, mod ? AT_OMOD : AT_ODIV, p, q, 0);
}

static Poly *norm(Ctx *cx, const Dim *d)
{
    if (cx->fail)
        return poly_const(cx, 0);
    switch (d->kind) {
    case DX_NUM:
        return poly_const(cx, d->num);
    case DX_SYM: {
        Atom t = {.kind = AT_SYM, .sym = d->sym};
        return poly_atom(cx, intern(cx, t));
    }
    default:
        break;
    }
    Poly *a = norm(cx, d->a), *b = norm(cx, d->b);
    switch (d->kind) {
    case DX_ADD:
        return poly_add(cx, a, b, 1);
    case DX_ISUB:
        return poly_add(cx, a, b, -1);
    case DX_MUL:
        return poly_mul(cx, a, b);
    case DX_SUB:
        return norm_tsub(cx, a, b);
    case DX_DIV:
        return norm_divmod(cx, a, b, false);
    case DX_MOD:
        return norm_divmod(cx, a, b, true);
    default:
        return poly_const(cx, 0);
    }
}

/* ---------------------------------------------------------------- periodicity */

/* For all points with x_v >= T: f(x + L e_v) = f(x) + (sn/sd)*L. */
typedef struct {
    int64_t sn, sd, L, T;
} Per;

static bool per_poly(Ctx *cx, const Poly *p, int v, Per *out);

static bool too_large(Ctx *cx, const char *what, int v)
{
    cx_why(cx, arena_printf("search space too large (%s in %s)", what, sym_name(cx, v)));
    return false;
}

static bool per_set_slope(Ctx *cx, Per *r, int64_t n, int64_t d)
{
    if (cx->fail || n == INT64_MIN || d == INT64_MIN || d == 0) {
        cx_fail(cx, "numbers too large");
        return false;
    }
    int64_t g = gcd64(n, d);
    if (g == 0)
        g = 1;
    r->sn = n / g;
    r->sd = d / g;
    if (r->sd < 0) {
        r->sd = -r->sd;
        r->sn = -r->sn;
    }
    return true;
}

/* acc += k * x */
static bool per_accum(Ctx *cx, Per *acc, const Per *x, int64_t k, int v)
{
    int64_t n = cx_add(cx, cx_mul(cx, acc->sn, x->sd), cx_mul(cx, cx_mul(cx, k, x->sn), acc->sd));
    int64_t d = cx_mul(cx, acc->sd, x->sd);
    if (!per_set_slope(cx, acc, n, d))
        return false;
    int64_t L = cx_mul(cx, acc->L / gcd64(acc->L, x->L), x->L);
    if (cx->fail || L > MAX_SPAN)
        return too_large(cx, "period", v);
    acc->L = L;
    if (x->T > acc->T)
        acc->T = x->T;
    return true;
}

/* The integer change of f over one period. */
static bool per_inc(Ctx *cx, const Per *x, int64_t *inc)
{
    int64_t t = cx_mul(cx, x->sn, x->L);
    if (cx->fail || t % x->sd != 0) {
        cx_fail(cx, "internal: non-integral period increment");
        return false;
    }
    *inc = t / x->sd;
    return true;
}

static bool per_div(Ctx *cx, const Atom *a, int v, Per *out)
{
    Per x;
    int64_t inc;
    if (!per_poly(cx, a->p, v, &x) || !per_inc(cx, &x, &inc))
        return false;
    /* Repeat the argument's period until its increment is a multiple of c. */
    int64_t k = a->c / gcd64(a->c, inc);
    int64_t L = cx_mul(cx, x.L, k);
    if (cx->fail || L > MAX_SPAN)
        return too_large(cx, "period", v);
    *out = x;
    out->L = L;
    return per_set_slope(cx, out, x.sn, cx_mul(cx, x.sd, a->c));
}

static int64_t ceil_div_pos(int64_t a, int64_t b) /* a >= 0, b > 0 */
{
    return a / b + (a % b != 0);
}

/* max(D, 0) for a D over v only: past a threshold it is D (slope > 0), 0
 * (slope < 0), or periodic (slope 0). The threshold comes from the extreme
 * of D over one period window, shifted by whole periods. */
static bool per_pos(Ctx *cx, const Atom *a, int v, Per *out)
{
    Per x;
    int64_t inc;
    if (!per_poly(cx, a->p, v, &x) || !per_inc(cx, &x, &inc))
        return false;
    if (x.L > MAX_SCAN)
        return too_large(cx, "period", v);
    int64_t *vals = cx_alloc(cx, (size_t)cx->env->nsyms * sizeof *vals);
    for (int i = 0; i < cx->env->nsyms; i++)
        vals[i] = cx->env->syms[i].lo;
    Ev ev = {vals, false};
    int64_t mn = INF, mx = NINF;
    for (int64_t i = 0; i < x.L; i++) {
        vals[v] = x.T + i;
        int64_t y = eval_poly(&ev, a->p);
        mn = y < mn ? y : mn;
        mx = y > mx ? y : mx;
    }
    if (ev.ovf) {
        cx_why(cx, "numbers too large");
        return false;
    }
    *out = x;
    int64_t k = 0;
    if (inc > 0 && mn < 0)
        k = ceil_div_pos(-mn, inc);
    else if (inc < 0 && mx > 0)
        k = ceil_div_pos(mx, -inc);
    int64_t shift = cx_mul(cx, k, x.L);
    if (cx->fail || shift > MAX_SPAN || x.T - cx->env->syms[v].lo > MAX_SPAN - shift)
        return too_large(cx, "threshold", v);
    out->T = x.T + shift;
    if (inc < 0) { /* eventually 0 */
        out->sn = 0;
        out->sd = 1;
        out->L = 1;
    }
    return true;
}

static bool per_atom(Ctx *cx, const Atom *a, int v, Per *out)
{
    Per triv = {0, 1, 1, cx->env->syms[v].lo};
    *out = triv;
    if (!atom_has(a, v))
        return true;
    switch (a->kind) {
    case AT_SYM:
        out->sn = 1;
        return true;
    case AT_DIV:
        return per_div(cx, a, v, out);
    case AT_POS:
        if (a->var == VAR_MANY) {
            cx_why(cx, arena_printf("truncated subtraction %s of several symbols",
                                    poly_str(cx, a->p)));
            return false;
        }
        return per_pos(cx, a, v, out);
    case AT_ODIV:
    case AT_OMOD:
        cx_why(cx, arena_printf("division by non-constant %s", poly_str(cx, a->q)));
        return false;
    }
    return false;
}

static bool per_poly(Ctx *cx, const Poly *p, int v, Per *out)
{
    Per acc = {0, 1, 1, cx->env->syms[v].lo};
    for (int i = 0; i < p->n; i++) {
        const Term *t = &p->t[i];
        if (t->deg == 0)
            continue;
        if (t->deg > 1) {
            Term one = *t; /* the monomial alone, for the message */
            one.c = 1;
            Poly m = {1, &one};
            cx_why(cx, arena_printf("product of symbols %s does not normalise",
                                    poly_str(cx, &m)));
            return false;
        }
        Per x;
        if (!per_atom(cx, t->f[0], v, &x) || !per_accum(cx, &acc, &x, t->c, v))
            return false;
    }
    *out = acc;
    return true;
}

/* ---------------------------------------------------------------- the box check */

typedef struct {
    Ctx *cx;
    const Poly *d;
    bool is_eq;
    int n;            /* variables of d */
    int *var;         /* their symbols */
    Per *per;
    int64_t *top;     /* box is [lo, top] on each variable ... */
    int64_t *tail;    /* ... plus [tail, hi] when tail != INF */
    int64_t *vals;    /* a point (every symbol) */
    int64_t *cex;     /* set on a refutation */
    Buf method;
} Box;

static int64_t sym_lo(const Box *bx, int v)
{
    return bx->cx->env->syms[v].lo;
}

static int64_t sym_hi(const Box *bx, int v)
{
    return bx->cx->env->syms[v].hi;
}

static void reset_vals(Box *bx)
{
    for (int i = 0; i < bx->cx->env->nsyms; i++)
        bx->vals[i] = sym_lo(bx, i);
}

/* d at the current point; *ok cleared on overflow. */
static int64_t box_eval(Box *bx, const Poly *p, bool *ok)
{
    Ev ev = {bx->vals, false};
    int64_t y = eval_poly(&ev, p);
    if (ev.ovf)
        *ok = false;
    return y;
}

static bool fails_at(const Box *bx, int64_t y)
{
    return bx->is_eq ? y != 0 : y < 0;
}

static ProveResult refute_here(Box *bx)
{
    memcpy(bx->cex, bx->vals, (size_t)bx->cx->env->nsyms * sizeof *bx->cex);
    return PROVE_FALSE;
}

/* For ">=" with a negative slope along v beyond the box: walk whole
 * periods from x_v = T until d goes negative (others at lo). */
static ProveResult push_negative(Box *bx, int i)
{
    int v = bx->var[i];
    const Per *pr = &bx->per[i];
    Ctx *cx = bx->cx;
    bool ok = true;
    int64_t inc;
    reset_vals(bx);
    bx->vals[v] = pr->T;
    int64_t base = box_eval(bx, bx->d, &ok);
    if (!ok || !per_inc(cx, pr, &inc) || inc >= 0)
        return PROVE_UNKNOWN;
    int64_t j = base < 0 ? 0 : base / -inc + 1;
    int64_t x = sat_add(pr->T, sat_mul(j, pr->L));
    if (x == INF || x > sym_hi(bx, v))
        return PROVE_UNKNOWN;
    bx->vals[v] = x;
    int64_t y = box_eval(bx, bx->d, &ok);
    return ok && y < 0 ? refute_here(bx) : PROVE_UNKNOWN;
}

/* Whether the domain extends beyond the box along variable i. */
static bool extends(const Box *bx, int i)
{
    return bx->top[i] < sym_hi(bx, bx->var[i]) && bx->tail[i] == INF;
}

/* The next value along axis i: [lo, top], then the tail [tail, hi]. */
static bool axis_next(const Box *bx, int i, int64_t *x)
{
    int64_t hi = sym_hi(bx, bx->var[i]);
    if (*x < bx->top[i] || (*x >= bx->tail[i] && *x < hi)) {
        ++*x;
        return true;
    }
    if (*x == bx->top[i] && bx->tail[i] != INF) {
        *x = bx->tail[i];
        return true;
    }
    return false;
}

static int64_t axis_size(const Box *bx, int i)
{
    int v = bx->var[i];
    int64_t n = bx->top[i] - sym_lo(bx, v) + 1;
    if (bx->tail[i] != INF)
        n += sym_hi(bx, v) - bx->tail[i] + 1;
    return n;
}

/* After the box holds: ">=" also needs slope >= 0 wherever the domain
 * continues past the box. ("=" gets slope 0 from the box itself.) */
static ProveResult check_slopes(Box *bx)
{
    if (bx->is_eq)
        return PROVE_TRUE;
    for (int i = 0; i < bx->n; i++)
        if (extends(bx, i) && bx->per[i].sn < 0) {
            /* Never TRUE: the claim is false; UNKNOWN only if the
             * counterexample lies beyond int64. */
            ProveResult r = push_negative(bx, i);
            if (r == PROVE_UNKNOWN)
                cx_why(bx->cx, "numbers too large for the counterexample");
            return r;
        }
    return PROVE_TRUE;
}

/* Every point of the box, odometer order from the lower corner. */
static ProveResult scan_box(Box *bx)
{
    reset_vals(bx);
    for (;;) {
        bool ok = true;
        int64_t y = box_eval(bx, bx->d, &ok);
        if (!ok) {
            cx_why(bx->cx, "numbers too large");
            return PROVE_UNKNOWN;
        }
        if (fails_at(bx, y))
            return refute_here(bx);
        int i = 0;
        for (; i < bx->n; i++) {
            int v = bx->var[i];
            if (axis_next(bx, i, &bx->vals[v]))
                break;
            bx->vals[v] = sym_lo(bx, v);
        }
        if (i == bx->n)
            break;
    }
    return check_slopes(bx);
}

static int64_t box_points(const Box *bx)
{
    int64_t n = 1;
    for (int i = 0; i < bx->n; i++)
        n = sat_mul(n, axis_size(bx, i));
    return n;
}

/* The terms of d whose (single) variable is v. */
static Poly *poly_part(Ctx *cx, const Poly *d, int v)
{
    Term *ts = xmalloc((size_t)(d->n ? d->n : 1) * sizeof *ts);
    int k = 0;
    for (int i = 0; i < d->n; i++)
        if (d->t[i].deg > 0 && d->t[i].f[0]->var == v)
            ts[k++] = d->t[i];
    Poly *p = poly_make(cx, ts, k);
    free(ts);
    return p;
}

static bool separable(const Poly *d)
{
    for (int i = 0; i < d->n; i++)
        if (d->t[i].deg > 1 || (d->t[i].deg == 1 && d->t[i].f[0]->var == VAR_MANY))
            return false;
    return true;
}

/* d = c0 + sum f_v(x_v): one axis at a time. "=": each f_v constant and
 * d(lo) = 0. ">=": d at the point of the per-axis minima is >= 0. */
static ProveResult scan_separable(Box *bx)
{
    Ctx *cx = bx->cx;
    int64_t *best = cx_alloc(cx, (size_t)(bx->n ? bx->n : 1) * sizeof *best);
    bool ok = true;
    reset_vals(bx);
    int64_t base = box_eval(bx, bx->d, &ok);
    for (int i = 0; i < bx->n && ok; i++) {
        int v = bx->var[i];
        Poly *f = poly_part(cx, bx->d, v);
        int64_t f0 = box_eval(bx, f, &ok), mn = f0;
        best[i] = sym_lo(bx, v);
        for (int64_t x = sym_lo(bx, v); ok && axis_next(bx, i, &x);) {
            bx->vals[v] = x;
            int64_t y = box_eval(bx, f, &ok);
            if (bx->is_eq && y != f0) {
                if (base != 0) /* then the lower corner already refutes */
                    reset_vals(bx);
                return refute_here(bx);
            }
            if (y < mn) {
                mn = y;
                best[i] = x;
            }
        }
        bx->vals[v] = sym_lo(bx, v);
    }
    if (!ok) {
        cx_why(cx, "numbers too large");
        return PROVE_UNKNOWN;
    }
    for (int i = 0; i < bx->n; i++)
        bx->vals[bx->var[i]] = best[i];
    int64_t y = box_eval(bx, bx->d, &ok);
    if (ok && fails_at(bx, y)) {
        /* The minimum refutes; a small box yields the first failing point
         * instead, which reads better in a diagnostic. */
        return box_points(bx) <= SMALL_BOX ? scan_box(bx) : refute_here(bx);
    }
    return check_slopes(bx);
}

static void describe_box(Box *bx, bool sep)
{
    Buf *m = &bx->method;
    buf_puts(m, sep && bx->n > 1 ? "separable periodicity" : "periodicity");
    if (bx->n == 1)
        buf_printf(m, ", period %" PRId64, bx->per[0].L);
    buf_puts(m, ", checked ");
    for (int i = 0; i < bx->n; i++) {
        int v = bx->var[i];
        buf_printf(m, "%s%s in [%" PRId64 ", %" PRId64 "]", i ? ", " : "",
                   sym_name(bx->cx, v), sym_lo(bx, v), bx->top[i]);
        if (bx->tail[i] != INF)
            buf_printf(m, " and [%" PRId64 ", %" PRId64 "]", bx->tail[i], sym_hi(bx, v));
        if (bx->n > 1)
            buf_printf(m, " (period %" PRId64 ")", bx->per[i].L);
    }
}

/* The box along axis i: [lo, T + L] decides everything when the domain
 * ends there or the slope is >= 0 (every later point repeats an earlier
 * one plus a non-negative multiple of the slope). With a negative slope
 * and a finite upper bound, every point x >= T is at least the point
 * x + j*L in the last period before hi, so ">=" also scans that tail. */
static void set_axis(Box *bx, int i)
{
    int v = bx->var[i];
    const Per *pr = &bx->per[i];
    int64_t hi = sym_hi(bx, v), end = sat_add(pr->T, pr->L);
    bx->top[i] = end < hi ? end : hi;
    bx->tail[i] = INF;
    if (!bx->is_eq && pr->sn < 0 && bx->top[i] < hi && hi != INT64_MAX) {
        int64_t t = hi - pr->L + 1;
        bx->tail[i] = t > bx->top[i] + 1 ? t : bx->top[i] + 1;
    }
}

/* Sets up the per-variable periodicity and the box; false when d is not
 * quasi-affine in the supported sense or the box is too large. */
static bool box_setup(Box *bx, bool *sep)
{
    Ctx *cx = bx->cx;
    int ns = cx->env->nsyms;
    bx->var = cx_alloc(cx, (size_t)ns * sizeof *bx->var);
    bx->per = cx_alloc(cx, (size_t)ns * sizeof *bx->per);
    bx->top = cx_alloc(cx, (size_t)ns * sizeof *bx->top);
    bx->tail = cx_alloc(cx, (size_t)ns * sizeof *bx->tail);
    bx->vals = cx_alloc(cx, (size_t)ns * sizeof *bx->vals);
    for (int v = 0; v < ns; v++)
        if (poly_has(bx->d, v))
            bx->var[bx->n++] = v;
    *sep = separable(bx->d);
    int64_t total = *sep ? 0 : 1;
    for (int i = 0; i < bx->n; i++) {
        int v = bx->var[i];
        if (!per_poly(cx, bx->d, v, &bx->per[i]))
            return false;
        set_axis(bx, i);
        int64_t size = axis_size(bx, i);
        if (size > MAX_SCAN)
            return too_large(cx, "box", v);
        total = *sep ? total + size : sat_mul(total, size);
        if (total > MAX_SCAN)
            return too_large(cx, "box", v);
    }
    return true;
}

static ProveResult decide_periodic(Ctx *cx, const Poly *d, bool is_eq, int64_t *cex,
                                   const char **method)
{
    Box bx = {.cx = cx, .d = d, .is_eq = is_eq, .cex = cex};
    bool sep;
    if (!box_setup(&bx, &sep))
        return PROVE_UNKNOWN;
    ProveResult r = sep ? scan_separable(&bx) : scan_box(&bx);
    if (bx.n == 0)
        buf_puts(&bx.method, "normal form");
    else
        describe_box(&bx, sep);
    *method = arena_strndup(bx.method.s, bx.method.len);
    buf_free(&bx.method);
    return r;
}

/* ---------------------------------------------------------------- on the original Dims */

static bool in_domain(const DimEnv *env, const int64_t *vals)
{
    for (int i = 0; i < env->nsyms; i++)
        if (!dim_sym_allows(&env->syms[i], vals[i]))
            return false;
    return true;
}

/* The claim is evaluated as written: true when it really fails at vals. */
static bool claim_fails(const DimEnv *env, const Dim *a, const Dim *b, bool is_eq,
                        const int64_t *vals)
{
    if (!in_domain(env, vals))
        return false;
    bool ovf = false;
    int64_t x = dim_eval(a, vals, &ovf), y = dim_eval(b, vals, &ovf);
    if (ovf)
        return false;
    return is_eq ? x != y : x < y;
}

static bool syms_valid(const DimEnv *env, const Dim *d)
{
    if (d->kind == DX_NUM)
        return true;
    if (d->kind == DX_SYM)
        return d->sym >= 0 && d->sym < env->nsyms;
    return syms_valid(env, d->a) && syms_valid(env, d->b);
}

static void mark_used(const Dim *d, bool *used)
{
    if (d->kind == DX_SYM)
        used[d->sym] = true;
    else if (d->kind != DX_NUM) {
        mark_used(d->a, used);
        mark_used(d->b, used);
    }
}

/* A box [lo, lo + r] over the symbols the claim mentions, with r as large
 * as the budget allows; the point count is returned through *tops. */
static int search_box(const DimEnv *env, const Dim *a, const Dim *b, int64_t budget,
                      int *vars, int64_t *tops)
{
    bool *used = xcalloc((size_t)(env->nsyms ? env->nsyms : 1), sizeof *used);
    mark_used(a, used);
    mark_used(b, used);
    int n = 0;
    for (int i = 0; i < env->nsyms; i++)
        if (used[i])
            vars[n++] = i;
    free(used);
    int64_t r = 0;
    for (; n > 0;) { /* largest r with (r + 2)^n <= budget */
        int64_t pts = 1;
        for (int i = 0; i < n && pts <= budget; i++)
            pts = sat_mul(pts, r + 2);
        if (pts > budget || r >= budget)
            break;
        r++;
    }
    for (int i = 0; i < n; i++) {
        const DimSym *s = &env->syms[vars[i]];
        tops[i] = s->hi - s->lo < r ? s->hi : s->lo + r;
    }
    return n;
}

/* Odometer over the search box; true with vals at the first failure. */
static bool search_cex(const DimEnv *env, const Dim *a, const Dim *b, bool is_eq,
                       int64_t budget, int64_t *vals, Buf *where)
{
    int *vars = xmalloc((size_t)(env->nsyms ? env->nsyms : 1) * sizeof *vars);
    int64_t *tops = xmalloc((size_t)(env->nsyms ? env->nsyms : 1) * sizeof *tops);
    int n = search_box(env, a, b, budget, vars, tops);
    for (int i = 0; i < env->nsyms; i++)
        vals[i] = env->syms[i].lo;
    for (int i = 0; where && i < n; i++)
        buf_printf(where, "%s%s in [%" PRId64 ", %" PRId64 "]", i ? ", " : "",
                   env->syms[vars[i]].name ? env->syms[vars[i]].name : "?",
                   env->syms[vars[i]].lo, tops[i]);
    bool found = false;
    for (;;) {
        if (claim_fails(env, a, b, is_eq, vals)) {
            found = true;
            break;
        }
        int i = 0;
        for (; i < n; i++) {
            if (vals[vars[i]] < tops[i]) {
                vals[vars[i]]++;
                break;
            }
            vals[vars[i]] = env->syms[vars[i]].lo;
        }
        if (i == n)
            break;
    }
    free(vars);
    free(tops);
    return found;
}

/* ---------------------------------------------------------------- the procedure */

static ProveResult decide_poly(Ctx *cx, const Poly *d, bool is_eq, int64_t *cex,
                               const char **method)
{
    if (is_eq && d->n == 0) {
        *method = "normal form";
        return PROVE_TRUE;
    }
    Ival iv = poly_ival(cx, d);
    if ((is_eq && iv.lo == 0 && iv.hi == 0) || (!is_eq && iv.lo >= 0)) {
        *method = "interval bounds";
        return PROVE_TRUE;
    }
    return decide_periodic(cx, d, is_eq, cex, method);
}

static bool empty_domain(const DimEnv *env)
{
    for (int i = 0; i < env->nsyms; i++)
        if (env->syms[i].lo > env->syms[i].hi)
            return true;
    return false;
}

/* A proof is re-checked near the lower corner. A failure there means a bug
 * in the procedure; the point is still a genuine counterexample, so the
 * answer becomes that refutation rather than a wrong PROVE_TRUE. */
static void sanity_check(const DimEnv *env, const Dim *a, const Dim *b, bool is_eq,
                         Proof *pf)
{
    int64_t *vals = arena_alloc((size_t)(env->nsyms ? env->nsyms : 1) * sizeof *vals);
    if (search_cex(env, a, b, is_eq, SANITY_POINTS, vals, NULL)) {
        pf->res = PROVE_FALSE;
        pf->cex = vals;
        pf->method = "counterexample search (contradicts the proof: a prover bug)";
    }
}

static void search_or_give_up(const DimEnv *env, const Dim *a, const Dim *b, bool is_eq,
                              const char *why, Proof *pf)
{
    int64_t *vals = arena_alloc((size_t)(env->nsyms ? env->nsyms : 1) * sizeof *vals);
    Buf where = {0};
    if (search_cex(env, a, b, is_eq, MAX_SEARCH, vals, &where)) {
        pf->res = PROVE_FALSE;
        pf->cex = vals;
        pf->method = "counterexample search";
    } else {
        pf->res = PROVE_UNKNOWN;
        pf->why = arena_printf("%s; no counterexample with %s",
                               why ? why : "outside the decision procedure",
                               where.len ? where.s : "the lower bounds");
        pf->method = "counterexample search";
    }
    buf_free(&where);
}

/* ---------------------------------------------------------------- multiples */

static bool has_steps(const DimEnv *env)
{
    for (int i = 0; i < env->nsyms; i++)
        if (env->syms[i].step > 1)
            return true;
    return false;
}

/* d with each symbol x of step m > 1 replaced by m * x', x' the symbol of
 * the same index in the stepped domain. */
static Dim *subst_steps(const DimEnv *env, const Dim *d)
{
    if (d->kind == DX_NUM)
        return (Dim *)d;
    if (d->kind == DX_SYM) {
        int64_t m = env->syms[d->sym].step;
        return m > 1 ? dim_bin(DX_MUL, dim_num(m), dim_sym(d->sym)) : (Dim *)d;
    }
    Dim *r = arena_alloc(sizeof *r);
    *r = (Dim){.kind = d->kind, .a = subst_steps(env, d->a), .b = subst_steps(env, d->b)};
    return r;
}

static Proof decide(const DimEnv *env, const Dim *a, const Dim *b, bool is_eq);

/* The domain of the x' (arena). */
static DimEnv stepped_env(const DimEnv *env)
{
    DimEnv e = {arena_alloc(sizeof(DimSym) * (size_t)(env->nsyms + 1)), env->nsyms};
    for (int i = 0; i < env->nsyms; i++) {
        DimSym s = env->syms[i];
        if (s.step > 1) {
            int64_t r = 0;
            dim_apply(DX_MOD, s.lo, s.step, &r);
            s.name = arena_printf("(%s/%" PRId64 ")", s.name ? s.name : "?", s.step);
            s.lo = fdiv(s.lo, s.step) + (r != 0); /* the ceiling */
            s.hi = s.hi == INF ? INF : fdiv(s.hi, s.step);
            s.step = 0;
        }
        e.syms[i] = s;
    }
    return e;
}

/* A domain with multiples (x = m * x' for x' in [ceil(lo / m), floor(hi /
 * m)]) is the plain domain of the x': the claim is decided there, written
 * with m * x' for x, and a counterexample multiplied back and re-checked on
 * the claim as written. The procedure itself learns nothing new. */
static Proof decide_steps(const DimEnv *env, const Dim *a, const Dim *b, bool is_eq)
{
    DimEnv e = stepped_env(env);
    Proof pf = decide(&e, subst_steps(env, a), subst_steps(env, b), is_eq);
    if (pf.res == PROVE_FALSE) {
        bool ovf = false;
        for (int i = 0; i < env->nsyms && !ovf; i++)
            if (env->syms[i].step > 1)
                ovf = !dim_apply(DX_MUL, pf.cex[i], env->syms[i].step, &pf.cex[i]);
        if (ovf || !claim_fails(env, a, b, is_eq, pf.cex)) {
            pf.res = PROVE_UNKNOWN;
            pf.cex = NULL;
            pf.why = "the counterexample found did not check out";
        }
    }
    return pf;
}

static Proof decide(const DimEnv *env, const Dim *a, const Dim *b, bool is_eq)
{
    Proof pf = {.res = PROVE_UNKNOWN};
    if (!syms_valid(env, a) || !syms_valid(env, b)) {
        pf.why = "internal error: symbol index out of range";
        return pf;
    }
    if (has_steps(env))
        return decide_steps(env, a, b, is_eq);
    if (empty_domain(env)) {
        pf.res = PROVE_TRUE;
        pf.method = "empty domain";
        return pf;
    }
    Ctx cx = {.env = env};
    int64_t *cex = arena_alloc((size_t)(env->nsyms ? env->nsyms : 1) * sizeof *cex);
    Poly *pa = norm(&cx, a), *pb = norm(&cx, b);
    Poly *d = cx.fail ? NULL : poly_add(&cx, pa, pb, -1);
    if (d && !cx.fail)
        pf.res = decide_poly(&cx, d, is_eq, cex, &pf.method);
    if (pf.res == PROVE_FALSE) {
        pf.cex = cex;
        if (!claim_fails(env, a, b, is_eq, cex)) { /* overflow, or a bug */
            pf.res = PROVE_UNKNOWN;
            pf.cex = NULL;
            cx_why(&cx, "the counterexample found did not check out");
        }
    }
    if (pf.res == PROVE_TRUE)
        sanity_check(env, a, b, is_eq, &pf);
    if (pf.res == PROVE_UNKNOWN)
        search_or_give_up(env, a, b, is_eq, cx.why, &pf);
    cx_free(&cx);
    return pf;
}

Proof prove_eq(const DimEnv *env, const Dim *a, const Dim *b)
{
    return decide(env, a, b, true);
}

Proof prove_ge(const DimEnv *env, const Dim *a, const Dim *b)
{
    return decide(env, a, b, false);
}

/* ---------------------------------------------------------------- the normal form as a Dim */

static Dim *poly_dim(Ctx *cx, const Poly *p);

static Dim *atom_dim(Ctx *cx, const Atom *a)
{
    switch (a->kind) {
    case AT_SYM:
        if (cx->steps && cx->steps->syms[a->sym].step > 1) /* x' = x / step */
            return dim_bin(DX_DIV, dim_sym(a->sym), dim_num(cx->steps->syms[a->sym].step));
        return dim_sym(a->sym);
    case AT_DIV:
        return dim_bin(DX_DIV, poly_dim(cx, a->p), dim_num(a->c));
    case AT_POS: /* max(p, 0) is what truncated subtraction computes */
        return poly_dim(cx, a->p);
    case AT_ODIV:
    case AT_OMOD:
        return dim_bin(a->kind == AT_ODIV ? DX_DIV : DX_MOD, poly_dim(cx, a->p), poly_dim(cx, a->q));
    }
    return dim_num(0);
}

/* c * f1 * ... * fd, for c > 0. */
static Dim *term_dim(Ctx *cx, const Term *t, int64_t c)
{
    if (cx->steps && t->deg == 1 && t->f[0]->kind == AT_SYM && cx->steps->syms[t->f[0]->sym].step > 1) {
        /* c * x' = (c / g) * (x / (step / g)), g = gcd(c, step): exact, as
         * step / g divides x */
        int64_t m = cx->steps->syms[t->f[0]->sym].step, g = gcd64(c, m);
        Dim *x = m / g > 1 ? dim_bin(DX_DIV, dim_sym(t->f[0]->sym), dim_num(m / g)) : dim_sym(t->f[0]->sym);
        return c / g > 1 ? dim_bin(DX_MUL, dim_num(c / g), x) : x;
    }
    Dim *d = c == 1 && t->deg ? NULL : dim_num(c);
    for (int j = 0; j < t->deg; j++) {
        Dim *f = atom_dim(cx, t->f[j]);
        d = d ? dim_bin(DX_MUL, d, f) : f;
    }
    return d;
}

/* max(p, 0) over the naturals: the positive terms added, then each negative
 * one subtracted (truncated: max(max(a - b, 0) - c, 0) = max(a - b - c, 0)
 * for b, c >= 0). Every atom is a natural number on a domain of naturals,
 * so each term has the sign of its coefficient; where p is itself the value
 * of a natural expression, max(p, 0) is p. */
static Dim *poly_dim(Ctx *cx, const Poly *p)
{
    Dim *d = NULL;
    for (int i = 0; i < p->n; i++)
        if (p->t[i].c > 0) {
            Dim *t = term_dim(cx, &p->t[i], p->t[i].c);
            d = d ? dim_bin(DX_ADD, d, t) : t;
        }
    if (!d)
        d = dim_num(0);
    for (int i = 0; i < p->n; i++)
        if (p->t[i].c < 0)
            d = dim_bin(DX_SUB, d, term_dim(cx, &p->t[i], cx_mul(cx, p->t[i].c, -1)));
    return d;
}

Dim *prove_normal_dim(const DimEnv *env, const Dim *d)
{
    for (int i = 0; i < env->nsyms; i++)
        if (env->syms[i].lo < 0)
            return NULL;
    if (!syms_valid(env, d) || empty_domain(env))
        return NULL;
    Ctx cx = {.env = env};
    DimEnv e;
    if (has_steps(env)) { /* normalised over the x', written back over the x */
        e = stepped_env(env);
        cx = (Ctx){.env = &e, .steps = env};
        d = subst_steps(env, d);
    }
    Poly *p = norm(&cx, d);
    Dim *r = cx.fail ? NULL : poly_dim(&cx, p);
    if (cx.fail)
        r = NULL;
    cx_free(&cx);
    return r;
}

char *prove_normal_str(const DimEnv *env, const Dim *d)
{
    if (!syms_valid(env, d))
        return dim_str(d, env);
    Ctx cx = {.env = env};
    DimEnv e;
    const Dim *x = d; /* normalised; d is shown as written when that fails */
    if (has_steps(env)) { /* as decided: over the x' = x / step, named "(H/32)" */
        e = stepped_env(env);
        cx.env = &e;
        x = subst_steps(env, d);
    }
    Poly *p = norm(&cx, x);
    char *s = cx.fail ? dim_str(d, env) : (char *)poly_str(&cx, p);
    cx_free(&cx);
    return s;
}
