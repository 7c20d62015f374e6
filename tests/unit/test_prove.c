/*
 * test_prove.c - the shape prover (prove.c) and the Dim helpers (dim.c).
 *
 * Three parts:
 *   - dim.c: folding, Lean Nat evaluation, printing;
 *   - a table of claims with the answer they must get (and, for
 *     refutations, the counterexample), written in a tiny infix syntax;
 *   - a brute-force cross-check: thousands of random quasi-affine claims
 *     over one or two symbols; whatever the prover answers is checked
 *     against exhaustive evaluation on a grid, and univariate claims must
 *     never come back PROVE_UNKNOWN (the procedure is complete there).
 */
#include "gsc.h"

#include <check.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- helpers */

/* Symbols h, w, c, in that order; bounds set per test. */
static DimSym syms[3];
static DimEnv env = {syms, 3};

static void set_env(int64_t hlo, int64_t hhi, int64_t wlo, int64_t clo)
{
    syms[0] = (DimSym){"h", hlo, hhi, 0};
    syms[1] = (DimSym){"w", wlo, INT64_MAX, 0};
    syms[2] = (DimSym){"c", clo, INT64_MAX, 0};
}

/* A recursive-descent reader for claims: + - * / % with the usual
 * precedence, '-' truncated (DX_SUB), '~' integer subtraction (DX_ISUB). */
static const char *src;

static void skip_ws(void)
{
    while (*src == ' ')
        src++;
}

static Dim *p_sum(void);

static Dim *p_atom(void)
{
    skip_ws();
    if (*src == '(') {
        src++;
        Dim *d = p_sum();
        skip_ws();
        ck_assert_int_eq(*src, ')');
        src++;
        return d;
    }
    if (isdigit((unsigned char)*src)) {
        char *end;
        long long v = strtoll(src, &end, 10);
        src = end;
        return dim_num(v);
    }
    for (int i = 0; i < env.nsyms; i++) {
        size_t n = strlen(syms[i].name);
        if (!strncmp(src, syms[i].name, n) && !isalnum((unsigned char)src[n])) {
            src += n;
            return dim_sym(i);
        }
    }
    ck_abort_msg("bad expression at '%s'", src);
    return NULL;
}

static Dim *p_product(void)
{
    Dim *d = p_atom();
    for (;;) {
        skip_ws();
        DimKind k = *src == '*' ? DX_MUL : *src == '/' ? DX_DIV : *src == '%' ? DX_MOD : DX_NUM;
        if (k == DX_NUM)
            return d;
        src++;
        d = dim_bin(k, d, p_atom());
    }
}

static Dim *p_sum(void)
{
    Dim *d = p_product();
    for (;;) {
        skip_ws();
        DimKind k = *src == '+' ? DX_ADD : *src == '-' ? DX_SUB : *src == '~' ? DX_ISUB : DX_NUM;
        if (k == DX_NUM)
            return d;
        src++;
        d = dim_bin(k, d, p_product());
    }
}

static Dim *parse(const char *s)
{
    src = s;
    Dim *d = p_sum();
    skip_ws();
    ck_assert_msg(*src == 0, "trailing text '%s'", src);
    return d;
}

static const char *res_name(ProveResult r)
{
    return r == PROVE_TRUE ? "TRUE" : r == PROVE_FALSE ? "FALSE" : "UNKNOWN";
}

/* Whether the claim really fails at vals (evaluated as written). Hot in
 * the cross-check, so no ck_assert on success: Check records a checkpoint
 * (a write) for every passing assertion. */
static bool fails_at(const Dim *a, const Dim *b, bool ge, const int64_t *vals)
{
    bool ovf = false;
    int64_t x = dim_eval(a, vals, &ovf), y = dim_eval(b, vals, &ovf);
    if (ovf)
        ck_abort_msg("overflow evaluating a test claim");
    return ge ? x < y : x != y;
}

static bool cex_in_domain(const int64_t *cex)
{
    for (int i = 0; i < env.nsyms; i++)
        if (cex[i] < syms[i].lo || cex[i] > syms[i].hi)
            return false;
    return true;
}

/* ---------------------------------------------------------------- dim.c */

START_TEST(dim_folds_constants)
{
    ck_assert_int_eq(dim_bin(DX_MUL, dim_num(2), dim_num(3))->num, 6);
    ck_assert_int_eq(dim_bin(DX_SUB, dim_num(3), dim_num(5))->num, 0);
    ck_assert_int_eq(dim_bin(DX_ISUB, dim_num(3), dim_num(5))->num, -2);
    ck_assert_int_eq(dim_bin(DX_DIV, dim_num(7), dim_num(0))->num, 0);
    ck_assert_int_eq(dim_bin(DX_MOD, dim_num(7), dim_num(0))->num, 7);
    Dim *big = dim_bin(DX_MUL, dim_num(INT64_MAX), dim_num(2));
    ck_assert_int_eq(big->kind, DX_MUL); /* overflow: not folded */
    Dim *s = dim_bin(DX_ADD, dim_sym(0), dim_num(1));
    ck_assert_int_eq(s->kind, DX_ADD);
    int64_t v;
    ck_assert(!dim_is_const(s, &v));
    ck_assert(dim_is_const(dim_bin(DX_ADD, dim_num(2), dim_num(3)), &v) && v == 5);
}
END_TEST

START_TEST(dim_eval_nat_semantics)
{
    set_env(0, INT64_MAX, 0, 0);
    int64_t vals[3] = {7, 2, 0};
    bool ovf = false;
    ck_assert_int_eq(dim_eval(parse("w - h"), vals, &ovf), 0);
    ck_assert_int_eq(dim_eval(parse("w ~ h"), vals, &ovf), -5);
    ck_assert_int_eq(dim_eval(parse("(w ~ h) / 2"), vals, &ovf), -3); /* floor */
    ck_assert_int_eq(dim_eval(parse("(w ~ h) % 2"), vals, &ovf), 1);
    ck_assert_int_eq(dim_eval(parse("h / c"), vals, &ovf), 0);
    ck_assert_int_eq(dim_eval(parse("h % c"), vals, &ovf), 7);
    ck_assert_int_eq(dim_eval(parse("h / w * w + h % w"), vals, &ovf), 7);
    ck_assert(!ovf);
    int64_t huge[3] = {INT64_MAX, 2, 0};
    dim_eval(parse("h * w"), huge, &ovf);
    ck_assert(ovf);
    ovf = false;
    dim_eval(parse("h + w"), huge, &ovf);
    ck_assert(ovf);
}
END_TEST

START_TEST(dim_prints_minimal_parens)
{
    set_env(1, INT64_MAX, 1, 1);
    ck_assert_str_eq(dim_str(parse("(h - 1) / 2 + 1"), &env), "(h - 1) / 2 + 1");
    ck_assert_str_eq(dim_str(parse("h - (w - 1)"), &env), "h - (w - 1)");
    ck_assert_str_eq(dim_str(parse("h + (w + c)"), &env), "h + w + c");
    ck_assert_str_eq(dim_str(parse("h * (w * c)"), &env), "h*w*c");
    ck_assert_str_eq(dim_str(parse("h * (w / 2)"), &env), "h*(w / 2)");
    ck_assert_str_eq(dim_str(parse("h * w / 2"), &env), "h*w / 2");
    ck_assert_str_eq(dim_str(parse("(h + w) * c"), &env), "(h + w)*c");
    ck_assert_str_eq(dim_str(parse("h + 2 * 3 - 7"), &env), "h + 6 - 7");
}
END_TEST

/* ---------------------------------------------------------------- the claim table */

typedef struct {
    const char *a, *rel, *b;
    int64_t hlo;         /* h >= hlo; w, c >= 1 */
    ProveResult want;
    int64_t cex_h, cex_w; /* expected counterexample, -1: any */
} Case;

/* down2(h) = (h - 1) / 2 + 1, written with truncated subtraction. */
#define DOWN2 "(h - 1) / 2 + 1"

static const Case cases[] = {
    /* The canonical stride-2 size and its conv/pool spellings. */
    {"(h + 1) / 2", "=", DOWN2, 1, PROVE_TRUE, -1, -1},
    {"h / 2 + (h + 1) / 2", "=", "h", 0, PROVE_TRUE, -1, -1},
    {"(h + 2 * 3 - 7) / 2 + 1", "=", DOWN2, 1, PROVE_TRUE, -1, -1}, /* 7x7 s2 p3 */
    {"(h + 2 * 1 - 3) / 2 + 1", "=", DOWN2, 1, PROVE_TRUE, -1, -1}, /* 3x3 s2 p1 */
    {"(h + 2 * 0 - 1) / 2 + 1", "=", DOWN2, 1, PROVE_TRUE, -1, -1}, /* 1x1 s2 p0 */
    {"(h + 2 - 3) / 2 + 1", "=", DOWN2, 1, PROVE_TRUE, -1, -1},     /* maxpool 3 s2 p1 */
    {DOWN2, ">=", "1", 1, PROVE_TRUE, -1, -1},
    {"(h + 3) / 2 - 1", "=", DOWN2, 1, PROVE_TRUE, -1, -1},
    {"h / 2", "=", DOWN2, 1, PROVE_FALSE, 1, -1},
    {"(h - 1) / 2 + 2", "=", DOWN2, 1, PROVE_FALSE, 1, -1},
    {"(h + 2 * 2 - 7) / 2 + 1", "=", DOWN2, 1, PROVE_FALSE, 3, -1}, /* stem pad 2 */
    {DOWN2, "=", "(h + 1) / 2", 0, PROVE_FALSE, 0, -1},
    /* Nested down2: the stem then the max-pool, and five stages deep. */
    {"((h + 1) / 2 + 2 - 3) / 2 + 1", "=", "((h + 1) / 2 + 1) / 2", 1, PROVE_TRUE, -1, -1},
    {"((((h + 1) / 2 + 1) / 2 + 1) / 2 + 1) / 2", "=", "(h + 15) / 16", 1, PROVE_TRUE, -1, -1},
    {"((((h - 1) / 2 + 1 - 1) / 2 + 1 - 1) / 2 + 1 - 1) / 2 + 1", "=", "(h + 15) / 16", 1,
     PROVE_TRUE, -1, -1},
    {"(((h + 1) / 2 + 1) / 2 + 1) / 2", "=", "(h + 6) / 8", 1, PROVE_FALSE, 1, -1},
    /* Floor division and modulo identities. */
    {"h % 2 + 2 * (h / 2)", "=", "h", 0, PROVE_TRUE, -1, -1},
    {"h / 3 * 3 + h % 3", "=", "h", 0, PROVE_TRUE, -1, -1},
    {"h / 4", "=", "h / 2 / 2", 0, PROVE_TRUE, -1, -1},
    {"(h / 2 + 1) / 2", "=", "(h + 2) / 4", 0, PROVE_TRUE, -1, -1},
    {"h * 2 / 2", "=", "h", 0, PROVE_TRUE, -1, -1},
    {"(2 * h + 1) / 2", "=", "h", 0, PROVE_TRUE, -1, -1},
    {"(2 * h + 1) % 2", "=", "1", 0, PROVE_TRUE, -1, -1},
    {"h % 4 % 2", "=", "h % 2", 0, PROVE_TRUE, -1, -1},
    {"h % 4 / 2", "=", "h / 2 % 2", 0, PROVE_TRUE, -1, -1},
    {"(h + 6) / 2 - 3", "=", "h / 2", 0, PROVE_TRUE, -1, -1},
    {"h / 3 + (h + 1) / 3 + (h + 2) / 3", "=", "h", 0, PROVE_TRUE, -1, -1},
    {"h / 3 + (h + 1) / 3 + (h + 1) / 3", "=", "h", 0, PROVE_FALSE, 1, -1},
    {"h % 0", "=", "h", 0, PROVE_TRUE, -1, -1},  /* Lean: x % 0 = x */
    {"h / 0", "=", "0", 0, PROVE_TRUE, -1, -1},  /* Lean: x / 0 = 0 */
    {"h / (w - w)", "=", "0", 0, PROVE_TRUE, -1, -1},
    {"h % 2", "=", "h % 3", 0, PROVE_FALSE, 2, -1},
    /* Truncated subtraction. */
    {"h - (h - 1)", "=", "1", 1, PROVE_TRUE, -1, -1},
    {"h - (h - 1)", "=", "1", 0, PROVE_FALSE, 0, -1},
    {"h - 3 + 3", ">=", "h", 0, PROVE_TRUE, -1, -1},
    {"h - 3 + 3", "=", "h", 1, PROVE_FALSE, 1, -1},
    {"h - 3 + 3", "=", "h", 3, PROVE_TRUE, -1, -1},
    {"h - 1 - 1", "=", "h - 2", 0, PROVE_TRUE, -1, -1},
    {"h + w - w", "=", "h", 1, PROVE_TRUE, -1, -1},
    {"h - w + w", "=", "h", 1, PROVE_FALSE, 1, 2},
    {"(h - 5) / 2", ">=", "(h - 7) / 2", 0, PROVE_TRUE, -1, -1},
    {"(h - 7) / 2", ">=", "(h - 5) / 2", 0, PROVE_FALSE, 7, -1},
    /* Inequalities. */
    {"(h + 5) / 3", ">=", "h / 3 + 1", 0, PROVE_TRUE, -1, -1},
    {"(h + 5) / 3", ">=", "h / 3 + 2", 1, PROVE_FALSE, 3, -1},
    {"h", ">=", "h / 2", 0, PROVE_TRUE, -1, -1},
    {"h / 2", ">=", "h", 1, PROVE_FALSE, 1, -1},
    {"h", ">=", "3 * (h / 3)", 0, PROVE_TRUE, -1, -1},
    {"h + w", ">=", "h", 1, PROVE_TRUE, -1, -1},
    {"2 * h", ">=", "h + w", 1, PROVE_FALSE, 1, 2},
    {"(h + w) / 2", ">=", "h / 2", 0, PROVE_TRUE, -1, -1},
    {"100", ">=", "h / 2", 0, PROVE_FALSE, 202, -1},
    /* Two symbols, separable and not. */
    {"h / 2 + w / 2", "=", "(h + w) / 2", 1, PROVE_FALSE, 1, 1},
    {"(h + 1) / 2 + (w + 1) / 2", "=", "(h + w + 2) / 2", 1, PROVE_FALSE, 2, 2},
    {"(h + 1) / 2 + w", "=", "w + " DOWN2, 1, PROVE_TRUE, -1, -1},
    {"h / 2 + (h + 1) / 2 + w % 3", "=", "h + w % 3", 0, PROVE_TRUE, -1, -1},
    {"(h + w) % 2", "=", "(h % 2 + w % 2) % 2", 0, PROVE_TRUE, -1, -1},
    {"(h + 2 * w) / 2", "=", "h / 2 + w", 0, PROVE_TRUE, -1, -1},
    {"(h + w) / 2 + (h + w + 1) / 2", "=", "h + w", 0, PROVE_TRUE, -1, -1},
    /* Products of symbols. */
    {"c * h * w", "=", "w * c * h", 1, PROVE_TRUE, -1, -1},
    {"c * (h + w)", "=", "h * c + c * w", 1, PROVE_TRUE, -1, -1},
    {"h * w / 2", "=", "w * h / 2", 1, PROVE_TRUE, -1, -1},
    {"h * w", "=", "h * h", 1, PROVE_FALSE, 2, 1},
    {"c * (h * w / 2)", "=", "c * h * w", 1, PROVE_FALSE, 1, 1},
    {"h * w", ">=", "h", 1, PROVE_UNKNOWN, -1, -1},
    {"h * w + 1", "=", "h * w", 1, PROVE_FALSE, 1, 1},
};

START_TEST(claim_table)
{
    const Case *k = &cases[_i];
    set_env(k->hlo, INT64_MAX, 1, 1);
    Dim *a = parse(k->a), *b = parse(k->b);
    bool ge = !strcmp(k->rel, ">=");
    Proof pr = ge ? prove_ge(&env, a, b) : prove_eq(&env, a, b);
    ck_assert_msg(pr.res == k->want, "%s %s %s (h >= %lld): got %s, want %s (%s; %s)", k->a,
                  k->rel, k->b, (long long)k->hlo, res_name(pr.res), res_name(k->want),
                  pr.method ? pr.method : "-", pr.why ? pr.why : "-");
    if (pr.res == PROVE_TRUE)
        ck_assert_ptr_nonnull(pr.method);
    if (pr.res == PROVE_UNKNOWN)
        ck_assert(pr.why && strlen(pr.why) > 10);
    if (pr.res != PROVE_FALSE)
        return;
    ck_assert(cex_in_domain(pr.cex));
    ck_assert_msg(fails_at(a, b, ge, pr.cex), "%s: counterexample does not refute", k->a);
    if (k->cex_h >= 0)
        ck_assert_msg(pr.cex[0] == k->cex_h, "%s: cex h = %lld, want %lld", k->a,
                      (long long)pr.cex[0], (long long)k->cex_h);
    if (k->cex_w >= 0)
        ck_assert_msg(pr.cex[1] == k->cex_w, "%s: cex w = %lld, want %lld", k->a,
                      (long long)pr.cex[1], (long long)k->cex_w);
}
END_TEST

START_TEST(finite_domains)
{
    set_env(1, 5, 1, 1);
    ck_assert_int_eq(prove_eq(&env, parse("h / 8"), parse("0")).res, PROVE_TRUE);
    ck_assert_int_eq(prove_ge(&env, parse("25"), parse("h * h")).res, PROVE_TRUE);
    Proof p = prove_ge(&env, parse("4"), parse("h"));
    ck_assert_int_eq(p.res, PROVE_FALSE);
    ck_assert_int_eq(p.cex[0], 5);
    /* Slope -1 is fine when the domain ends. */
    ck_assert_int_eq(prove_ge(&env, parse("5 - h"), parse("0")).res, PROVE_TRUE);
    ck_assert_int_eq(prove_ge(&env, parse("5 ~ h"), parse("0")).res, PROVE_TRUE);
    set_env(1, INT64_MAX, 1, 1);
    p = prove_ge(&env, parse("5 ~ h"), parse("0"));
    ck_assert_int_eq(p.res, PROVE_FALSE);
    ck_assert_int_eq(p.cex[0], 6);
    /* A negative slope on a finite domain: the last period decides. */
    set_env(1, 8, 1, 1);
    ck_assert_int_eq(prove_ge(&env, parse("2"), parse("h / 3")).res, PROVE_TRUE);
    ck_assert_int_eq(prove_ge(&env, parse("h / 3 + 10 - h"), parse("2")).res, PROVE_TRUE);
    set_env(1, 9, 1, 1);
    p = prove_ge(&env, parse("2"), parse("h / 3"));
    ck_assert_int_eq(p.res, PROVE_FALSE);
    ck_assert_int_eq(p.cex[0], 9);
    set_env(1, 1000000, 1, 1);
    p = prove_ge(&env, parse("1000000 ~ h ~ h % 2 + (h + 1) % 2"), parse("0"));
    ck_assert_int_eq(p.res, PROVE_TRUE);
    ck_assert_ptr_nonnull(strstr(p.method, "h in [1, 3] and [999999, 1000000]"));
    p = prove_ge(&env, parse("999999 ~ h ~ h % 2 + (h + 1) % 2"), parse("0"));
    ck_assert_int_eq(p.res, PROVE_FALSE);
    ck_assert_int_eq(p.cex[0], 999999);
    /* An empty domain makes every claim vacuous. */
    set_env(3, 2, 1, 1);
    ck_assert_int_eq(prove_eq(&env, parse("h"), parse("h + 1")).res, PROVE_TRUE);
}
END_TEST

START_TEST(large_periods_and_unknowns)
{
    set_env(0, INT64_MAX, 0, 1);
    /* A period beyond the scan budget; the search still finds h = 4001. */
    Proof p = prove_eq(&env, parse("h / 4001 + h / 4003"), parse("2 * (h / 4002)"));
    ck_assert_int_eq(p.res, PROVE_FALSE);
    ck_assert_int_eq(p.cex[0], 4001);
    ck_assert_str_eq(p.method, "counterexample search");
    /* A true claim the normal form settles regardless of the period. */
    p = prove_eq(&env, parse("h / 997 + h / 991"), parse("h / 991 + h / 997"));
    ck_assert_int_eq(p.res, PROVE_TRUE);
    /* Truncated subtraction of two symbols, true, is not decided. */
    p = prove_ge(&env, parse("h - w + w"), parse("h"));
    ck_assert_int_eq(p.res, PROVE_UNKNOWN);
    ck_assert_ptr_nonnull(strstr(p.why, "truncated subtraction"));
    /* Division by a symbol. */
    p = prove_eq(&env, parse("h / c * c + h % c"), parse("h"));
    ck_assert(p.res == PROVE_UNKNOWN || p.res == PROVE_TRUE);
    p = prove_ge(&env, parse("h * w"), parse("h * w / 2 + 1"));
    ck_assert_int_eq(p.res, PROVE_FALSE);
    p = prove_eq(&env, parse("h * h"), parse("h * w"));
    ck_assert_int_eq(p.res, PROVE_FALSE);
    p = prove_eq(&env, parse("h * w * 2 / 2"), parse("w * h"));
    ck_assert_int_eq(p.res, PROVE_TRUE);
    set_env(1, INT64_MAX, 1, 1);
    p = prove_eq(&env, parse("h * (w + 1)"), parse("h * w + h + 0 * c"));
    ck_assert_int_eq(p.res, PROVE_TRUE);
    p = prove_ge(&env, parse("h * w"), parse("h"));
    ck_assert_int_eq(p.res, PROVE_UNKNOWN);
    ck_assert_ptr_nonnull(strstr(p.why, "product of symbols h*w"));
}
END_TEST

/* Near the int64 limits nothing may crash or be accepted wrongly;
 * UNKNOWN is an acceptable answer there. */
START_TEST(overflow_is_safe)
{
    set_env(0, INT64_MAX, 0, 1);
    Proof p = prove_eq(&env, parse("h * 4611686018427387904"), parse("4611686018427387904 * h"));
    ck_assert_int_eq(p.res, PROVE_TRUE);
    p = prove_ge(&env, parse("h * 9223372036854775807 + h"), parse("h"));
    ck_assert(p.res != PROVE_FALSE || fails_at(parse("h * 9223372036854775807 + h"),
                                               parse("h"), true, p.cex));
    p = prove_eq(&env, parse("(h + 9223372036854775807) / 2"), parse("h / 2"));
    ck_assert(p.res != PROVE_TRUE);
    set_env(4611686018427387904LL, INT64_MAX, 0, 1);
    p = prove_ge(&env, parse("h + h"), parse("h"));
    ck_assert(p.res != PROVE_FALSE);
    p = prove_ge(&env, parse("h / 2 + 1"), parse("h / 2"));
    ck_assert_int_eq(p.res, PROVE_TRUE);
    p = prove_eq(&env, parse("h % 3"), parse("h % 5"));
    ck_assert(p.res != PROVE_TRUE);
}
END_TEST

START_TEST(normal_forms_print)
{
    set_env(1, INT64_MAX, 1, 1);
    ck_assert_str_eq(prove_normal_str(&env, parse(DOWN2)), "(h + 1) / 2");
    ck_assert_str_eq(prove_normal_str(&env, parse("h - 1")), "h - 1");
    ck_assert_str_eq(prove_normal_str(&env, parse("(h + 6 - 7) / 2 + 1")), "(h + 1) / 2");
    ck_assert_str_eq(prove_normal_str(&env, parse("w * c * h + 2 * h")), "h*w*c + 2*h");
    ck_assert_str_eq(prove_normal_str(&env, parse("h % 2")), "h - 2*(h / 2)");
    ck_assert_str_eq(prove_normal_str(&env, parse("h - w")), "max(h - w, 0)");
    set_env(0, INT64_MAX, 1, 1);
    ck_assert_str_eq(prove_normal_str(&env, parse("h - 1")), "max(h - 1, 0)");
    ck_assert_str_eq(prove_normal_str(&env, parse("3 - 5")), "0");
}
END_TEST

/* Symbols that take multiples only ('where h % 32 == 0'): the facts that
 * hold there are proved, a counterexample is a multiple, and the normal
 * form written back uses the multiple. */
START_TEST(multiples)
{
    set_env(1, INT64_MAX, 1, 1);
    syms[0].step = 32;
    Dim *up = parse("2 * ((h + 31) / 32)"), *lat = parse("(h + 15) / 16");
    ck_assert_int_eq(prove_eq(&env, up, lat).res, PROVE_TRUE);
    ck_assert_int_eq(prove_eq(&env, parse("32 * ((h + 31) / 32)"), parse("h")).res, PROVE_TRUE);
    ck_assert_int_eq(prove_ge(&env, parse("h"), parse("32")).res, PROVE_TRUE); /* h >= 1 and a multiple */
    Proof p = prove_eq(&env, parse("(h + 63) / 64 * 64"), parse("h"));
    ck_assert_int_eq(p.res, PROVE_FALSE);
    ck_assert_int_eq(p.cex[0] % 32, 0);
    ck_assert(fails_at(parse("(h + 63) / 64 * 64"), parse("h"), false, p.cex));
    ck_assert_str_eq(dim_str(dim_simplify(parse("32 * ((h + 31) / 32)"), &env), &env), "h");
    ck_assert_str_eq(dim_str(dim_simplify(lat, &env), &env), "h / 16");
    ck_assert_str_eq(dim_str(dim_simplify(parse("(h + 63) / 64"), &env), &env), "(h + 63) / 64");
    ck_assert_str_eq(dim_domain_str(&env), "h >= 1 and a multiple of 32, w >= 1, c >= 1");
    ck_assert_str_eq(prove_normal_str(&env, up), "2*(h/32)"); /* --explain: over h' = h / 32 */
    /* a claim the normal form gives up on (its constant overflows) is shown
     * as written, over h itself */
    ck_assert_str_eq(prove_normal_str(&env, parse("h * 4611686018427387904 * 4")), "h*4611686018427387904*4");
    syms[0].step = 16; /* not enough */
    p = prove_eq(&env, up, lat);
    ck_assert_int_eq(p.res, PROVE_FALSE);
    ck_assert_int_eq(p.cex[0], 16);
    syms[0].hi = 31; /* no multiple of 32 in [1, 31] */
    syms[0].step = 32;
    ck_assert_str_eq(prove_eq(&env, parse("h"), parse("h + 1")).method, "empty domain");
    ck_assert(dim_sym_allows(&syms[1], 7) && !dim_sym_allows(&syms[0], 16) && !dim_sym_allows(&syms[0], 32));
    ck_assert_int_eq(dim_lcm(32, 12), 96);
    ck_assert_int_eq(dim_lcm(INT64_MAX, 2), 0);
}
END_TEST

START_TEST(explain_methods)
{
    set_env(1, INT64_MAX, 1, 1);
    Proof p = prove_eq(&env, parse("(h + 1) / 2"), parse(DOWN2));
    ck_assert_str_eq(p.method, "normal form");
    p = prove_eq(&env, parse("h / 2 + (h + 1) / 2"), parse("h"));
    ck_assert_ptr_nonnull(strstr(p.method, "periodicity, period 2, checked h in [1, 3]"));
    p = prove_ge(&env, parse(DOWN2), parse("1"));
    ck_assert_str_eq(p.method, "interval bounds");
}
END_TEST

/* ---------------------------------------------------------------- random cross-check */

/* Overridable for longer soak runs: -DSEED=... -DITERS=... -DDEPTH=... */
#ifndef SEED
#define SEED 0x9e3779b97f4a7c15ULL
#endif
#ifndef ITERS
#define ITERS 900
#endif
#ifndef DEPTH
#define DEPTH 3
#endif

static uint64_t rng = SEED;

static uint32_t rnd(void) /* Knuth's MMIX LCG, high bits */
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng >> 33);
}

static int rn(int n)
{
    return (int)(rnd() % (uint32_t)n);
}

/* A random quasi-affine Dim over the first nsym symbols. */
static Dim *gen(int depth, int nsym)
{
    if (depth == 0 || rn(4) == 0)
        return rn(3) ? dim_sym(rn(nsym)) : dim_num(rn(7));
    Dim *x = gen(depth - 1, nsym);
    switch (rn(7)) {
    case 0:
        return dim_bin(DX_ADD, x, gen(depth - 1, nsym));
    case 1:
        return dim_bin(DX_SUB, x, gen(depth - 1, nsym));
    case 2:
        return rn(2) ? dim_bin(DX_MUL, dim_num(rn(4)), x) : dim_bin(DX_MUL, x, dim_num(rn(4)));
    case 3:
        return dim_bin(DX_DIV, x, dim_num(rn(12) ? 1 + rn(4) : 0));
    case 4:
        return dim_bin(DX_MOD, x, dim_num(rn(12) ? 1 + rn(4) : 0));
    case 5:
        return dim_bin(DX_SUB, x, dim_num(rn(6)));
    default:
        return dim_bin(DX_ADD, x, dim_num(rn(6)));
    }
}

#ifndef GRID
#define GRID 60
#endif

typedef struct {
    int claims, proved, refuted, unknown;
} Stats;

/* Exhaustive check on [lo, lo + GRID] (clipped to hi): does the claim hold? */
static bool holds_on_grid(const Dim *a, const Dim *b, bool ge, int nsym, int64_t *where)
{
    int64_t vals[3] = {syms[0].lo, syms[1].lo, syms[2].lo};
    int64_t top[2];
    for (int i = 0; i < 2; i++)
        top[i] = syms[i].hi - syms[i].lo < GRID ? syms[i].hi : syms[i].lo + GRID;
    for (vals[0] = syms[0].lo; vals[0] <= top[0]; vals[0]++)
        for (vals[1] = syms[1].lo; vals[1] <= (nsym > 1 ? top[1] : syms[1].lo); vals[1]++)
            if (fails_at(a, b, ge, vals)) {
                memcpy(where, vals, sizeof vals);
                return false;
            }
    return true;
}

static void cross_check(const Dim *a, const Dim *b, bool ge, int nsym, Stats *st)
{
    Proof p = ge ? prove_ge(&env, a, b) : prove_eq(&env, a, b);
    int64_t where[3];
    bool grid_ok = holds_on_grid(a, b, ge, nsym, where);
    st->claims++;
    const char *as = dim_str(a, &env), *bs = dim_str(b, &env);
    /* The prover re-checks its proofs near the lower bounds and says so
     * when one was contradicted; that must never happen. */
    if (p.method && strstr(p.method, "prover bug"))
        ck_abort_msg("prover bug on %s %s %s", as, ge ? ">=" : "=", bs);
    switch (p.res) {
    case PROVE_TRUE:
        st->proved++;
        ck_assert_msg(grid_ok, "UNSOUND: %s %s %s proved (%s), fails at h=%lld w=%lld", as,
                      ge ? ">=" : "=", bs, p.method, (long long)where[0], (long long)where[1]);
        break;
    case PROVE_FALSE:
        st->refuted++;
        ck_assert(cex_in_domain(p.cex));
        ck_assert_msg(fails_at(a, b, ge, p.cex), "bogus counterexample for %s vs %s", as, bs);
        break;
    case PROVE_UNKNOWN:
        st->unknown++;
        ck_assert_msg(nsym > 1, "INCOMPLETE: %s %s %s over h alone: %s", as, ge ? ">=" : "=",
                      bs, p.why);
        ck_assert_msg(grid_ok, "missed counterexample for %s vs %s at h=%lld w=%lld", as, bs,
                      (long long)where[0], (long long)where[1]);
        break;
    }
}

static void random_domain(int nsym)
{
    int64_t hlo = rn(4), wlo = rn(3);
    int64_t hhi = rn(5) ? INT64_MAX : hlo + rn(30);
    set_env(hlo, hhi, wlo, 1);
    if (nsym == 1)
        syms[1].hi = syms[1].lo; /* w unused: pin it */
}

/* Random pairs: mostly different functions (refutations, some proofs of
 * ">="), plus pairs with equal fingerprints (likely identities). */
START_TEST(random_cross_check)
{
    Stats st = {0};
    for (int iter = 0; iter < ITERS; iter++) {
        int nsym = 1 + (iter % 3 == 2);
        random_domain(nsym);
        Dim *a = gen(DEPTH, nsym), *b = gen(DEPTH, nsym);
        cross_check(a, b, false, nsym, &st);
        cross_check(a, b, true, nsym, &st);
    }
    /* Identities: a random expression against rewrites of itself. */
    for (int iter = 0; iter < ITERS * 5 / 9; iter++) {
        int nsym = 1 + (iter % 3 == 2);
        random_domain(nsym);
        Dim *a = gen(DEPTH, nsym), *b;
        int64_t k = 1 + rn(4);
        switch (rn(4)) {
        case 0: /* (a / k) * k + a % k */
            b = dim_bin(DX_ADD, dim_bin(DX_MUL, dim_bin(DX_DIV, a, dim_num(k)), dim_num(k)),
                        dim_bin(DX_MOD, a, dim_num(k)));
            break;
        case 1: /* (a + e) - e */
            b = gen(2, nsym);
            b = dim_bin(DX_SUB, dim_bin(DX_ADD, a, b), b);
            break;
        case 2: /* a / k + (a + 1) / k + ... + (a + k - 1) / k = a (Hermite) */
            b = dim_bin(DX_DIV, a, dim_num(k));
            for (int j = 1; j < k; j++)
                b = dim_bin(DX_ADD, b, dim_bin(DX_DIV, dim_bin(DX_ADD, a, dim_num(j)), dim_num(k)));
            break;
        default: /* (k * a + j) / k */
            b = dim_bin(DX_DIV, dim_bin(DX_ADD, dim_bin(DX_MUL, dim_num(k), a), dim_num(rn((int)k))),
                        dim_num(k));
            break;
        }
        cross_check(a, b, false, nsym, &st);
        cross_check(b, a, true, nsym, &st);
    }
    fprintf(stderr, "random cross-check: %d claims, %d proved, %d refuted, %d unknown\n",
            st.claims, st.proved, st.refuted, st.unknown);
    ck_assert_int_ge(st.claims, ITERS * 2);
    ck_assert_int_ge(st.proved, ITERS / 2);
    ck_assert_int_ge(st.refuted, ITERS / 2);
}
END_TEST

/* ---------------------------------------------------------------- simplification */

/* dim_simplify (dim.c, through prove_normal_dim): each rewrite rule on an
 * expression that needs it, the form it must give, and the original and
 * the result evaluated equal on a grid of sizes (h, w from their lower
 * bounds, 60 steps each). */
static const struct {
    int64_t hlo;
    const char *in, *out;
} simplify_cases[] = {
    {0, "h + 0", "h"},                                    /* x + 0 */
    {0, "h * 1", "h"},                                    /* x * 1 */
    {0, "h / 1", "h"},                                    /* x / 1 */
    {0, "h + 2 * 3 - 1", "h + 5"},                        /* constants folded */
    {0, "h + 3 - 1", "h + 2"},                            /* (x + a) - b, a >= b */
    {2, "h - 2 + 2", "h"},                                /* (x - k) + k where x >= k */
    {0, "h - 2 + 2", "h - 2 + 2"},                        /* ... not where x may be below k */
    {1, "h + 2 - 3", "h - 1"},                            /* (x + a) - b, a < b, x >= b - a */
    {0, "(h + 2 * w) / 2", "w + h / 2"},                  /* (a + b*c) / c = a / c + b */
    {0, "h / 2 / 3", "h / 6"},                            /* x / a / b = x / (a*b) */
    {0, "(2 * h + 2) / 4", "(h + 1) / 2"},                /* a common factor of the quotient */
    {0, "(h + 1) / 2 * 2 + (h + 1) % 2", "h + 1"},        /* (x / k) * k + x % k = x */
    {1, "(h + 4 - 5) / 2 + 1", "(h + 1) / 2"},            /* a stride-2 window */
    {1, "(h + 2 - 3) / 1 + 1", "h"},                      /* a stride-1 window */
    {1, "((h + 2 - 3) / 2 + 1 + 2 - 3) / 2 + 1", "(h + 3) / 4"}, /* two stride-2 windows */
    {3, "12*((((h + 2 - 3) / 1 + 1 + 2 - 3) / 2 + 1 + 0 - 2) / 2 + 1)", "12*((h + 1) / 4)"}, /* three */
    {1, "((h + 2 - 3) / 2 + 1 + 0 - 2) / 2 + 1", "((h + 1) / 2 - 2) / 2 + 1"}, /* (h + 1) / 2 may be < 2 */
    {0, "h / 0", "0"},                                    /* Lean: x / 0 = 0 */
    {0, "h % 0", "h"},                                    /* Lean: x % 0 = x */
    {0, "h % 2", "h % 2"},                                /* the normal form is longer: kept */
    {0, "h - w", "h - w"},                                /* nothing to do */
    {0, "(h + 1)*(w + 1)", "(h + 1)*(w + 1)"},            /* expanding is no shorter */
    {0, "h*w - w*h + c", "c"},                            /* products cancel */
    {1, "(h - 5) / 2 + 0", "(h - 5) / 2"},                /* an unresolved subtraction stays */
};

/* Over the domain's points with h, w at most GRID above their lower bounds. */
static void same_on_grid(const Dim *a, const Dim *b)
{
    int64_t vals[3] = {0, 0, syms[2].lo}, top[2];
    for (int i = 0; i < 2; i++)
        top[i] = syms[i].hi - syms[i].lo < GRID ? syms[i].hi : syms[i].lo + GRID;
    for (vals[0] = syms[0].lo; vals[0] <= top[0]; vals[0]++)
        for (vals[1] = syms[1].lo; vals[1] <= top[1]; vals[1]++)
            if (fails_at(a, b, false, vals))
                ck_abort_msg("%s and %s differ at h=%lld w=%lld", dim_str(a, &env), dim_str(b, &env),
                             (long long)vals[0], (long long)vals[1]);
}

START_TEST(simplify_rules)
{
    set_env(simplify_cases[_i].hlo, INT64_MAX, 0, 1);
    Dim *d = parse(simplify_cases[_i].in), *s = dim_simplify(d, &env), *n = prove_normal_dim(&env, d);
    ck_assert_str_eq(dim_str(s, &env), simplify_cases[_i].out);
    same_on_grid(d, s);
    ck_assert_ptr_nonnull(n);
    same_on_grid(d, n); /* the normal form itself, whether or not it was shorter */
}
END_TEST

/* Random expressions (as the cross-check draws them) over random domains:
 * the normal form as a Dim and the simplified form equal the original on
 * the grid, and the simplified form is never longer. */
START_TEST(simplify_random)
{
    int shorter = 0;
    for (int iter = 0; iter < ITERS; iter++) {
        int nsym = 1 + (iter % 2);
        random_domain(nsym);
        Dim *d = gen(DEPTH, nsym), *n = prove_normal_dim(&env, d), *s = dim_simplify(d, &env);
        if (n)
            same_on_grid(d, n);
        same_on_grid(d, s);
        ck_assert_int_le(strlen(dim_str(s, &env)), strlen(dim_str(d, &env)));
        shorter += s != d;
    }
    fprintf(stderr, "simplify: %d of %d random expressions written shorter\n", shorter, ITERS);
    ck_assert_int_ge(shorter, ITERS / 4);
}
END_TEST

/* ---------------------------------------------------------------- main */

static Suite *prove_suite(void)
{
    Suite *s = suite_create("prove");
    TCase *tc = tcase_create("dim");
    tcase_add_test(tc, dim_folds_constants);
    tcase_add_test(tc, dim_eval_nat_semantics);
    tcase_add_test(tc, dim_prints_minimal_parens);
    suite_add_tcase(s, tc);
    tc = tcase_create("claims");
    tcase_add_loop_test(tc, claim_table, 0, countof(cases));
    tcase_add_test(tc, finite_domains);
    tcase_add_test(tc, large_periods_and_unknowns);
    tcase_add_test(tc, overflow_is_safe);
    tcase_add_test(tc, normal_forms_print);
    tcase_add_test(tc, explain_methods);
    tcase_add_test(tc, multiples);
    tcase_add_loop_test(tc, simplify_rules, 0, countof(simplify_cases));
    suite_add_tcase(s, tc);
    tc = tcase_create("random");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, random_cross_check);
    tcase_add_test(tc, simplify_random);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(prove_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
