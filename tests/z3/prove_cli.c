/*
 * prove_cli.c - gsc's shape prover (compiler/prove.c) as a line filter, for
 * tests/z3/soundness.py.
 *
 * Built against build/obj/{util,diag,dim,prove}.o:
 *   cc -std=c11 -Icompiler -Iruntime -Ibuild tests/z3/prove_cli.c \
 *      build/obj/util.o build/obj/diag.o build/obj/dim.o build/obj/prove.o -o build/prove_cli
 *
 * Input, one claim per line (tokens separated by spaces):
 *   ID REL NSYMS LO0 HI0 [LO1 HI1 ...] LHS RHS
 * REL is EQ (lhs = rhs) or GE (lhs >= rhs); HI = -1 means unbounded; LO may
 * be written LO:M for a symbol that takes only the multiples of M (its step,
 * 'where x % M == 0'). LHS and
 * RHS are in prefix form: an integer, a symbol x0 x1 ..., or an operator
 * + - * / % ~ followed by its two operands ('-' is truncated subtraction,
 * DX_SUB; '~' is integer subtraction, DX_ISUB). Trees are built with dim_bin
 * (constants fold, as in check.c).
 *
 * Output, one line per claim:
 *   ID TRUE method
 *   ID FALSE v0 [v1 ...]          the counterexample gsc reports
 *   ID UNKNOWN reason
 *   ID PARSE-ERROR
 *
 * REL NF takes LHS alone (no RHS) and answers with its normal form as a Dim
 * (prove_normal_dim: what dim_simplify writes when it is shorter), in the
 * same prefix form, or NONE when the procedure gives up:
 *   ID NF EXPR
 */
#define _POSIX_C_SOURCE 200809L
#include "gsc.h"

#include <stdlib.h>
#include <string.h>

static char *tok;

static char *next_tok(void)
{
    char *t = strtok_r(NULL, " \t\r\n", &tok);
    return t;
}

static int nsyms;

static Dim *parse(bool *ok)
{
    char *t = next_tok();
    if (!t) {
        *ok = false;
        return dim_num(0);
    }
    if (t[0] == 'x') {
        int i = atoi(t + 1);
        if (i < 0 || i >= nsyms)
            *ok = false;
        return dim_sym(i);
    }
    if (strlen(t) == 1 && strchr("+-*/%~", t[0])) {
        Dim *a = parse(ok);
        Dim *b = parse(ok);
        DimKind k = t[0] == '~' ? DX_ISUB : dim_op_kind(t[0]);
        return dim_bin(k, a, b);
    }
    char *end;
    long long v = strtoll(t, &end, 10);
    if (*end)
        *ok = false;
    return dim_num((int64_t)v);
}

static void print_prefix(Buf *b, const Dim *d)
{
    static const char ops[] = {[DX_ADD] = '+', [DX_SUB] = '-', [DX_MUL] = '*', [DX_DIV] = '/', [DX_MOD] = '%',
                               [DX_ISUB] = '~'};
    if (d->kind == DX_NUM)
        buf_printf(b, "%lld", (long long)d->num);
    else if (d->kind == DX_SYM)
        buf_printf(b, "x%d", d->sym);
    else {
        buf_printf(b, "%c ", ops[d->kind]);
        print_prefix(b, d->a);
        buf_putc(b, ' ');
        print_prefix(b, d->b);
    }
}

int main(void)
{
    static char line[1 << 16];
    while (fgets(line, sizeof line, stdin)) {
        char *id = strtok_r(line, " \t\r\n", &tok);
        if (!id)
            continue;
        char *rel = next_tok();
        char *ns = next_tok();
        bool nf = rel && !strcmp(rel, "NF");
        bool ok = rel && ns && (!strcmp(rel, "EQ") || !strcmp(rel, "GE") || nf);
        nsyms = ok ? atoi(ns) : 0;
        if (nsyms < 0 || nsyms > 8)
            ok = false;
        DimSym syms[8];
        char names[8][8];
        for (int i = 0; ok && i < nsyms; i++) {
            char *lo = next_tok(), *hi = next_tok();
            if (!lo || !hi) {
                ok = false;
                break;
            }
            snprintf(names[i], sizeof names[i], "x%d", i);
            long long h = atoll(hi);
            const char *step = strchr(lo, ':');
            syms[i] = (DimSym){names[i], atoll(lo), h < 0 ? INT64_MAX : h, step ? atoll(step + 1) : 0};
        }
        Dim *a = ok ? parse(&ok) : NULL;
        Dim *b = ok && !nf ? parse(&ok) : NULL;
        if (!ok) {
            printf("%s PARSE-ERROR\n", id);
            continue;
        }
        DimEnv env = {syms, nsyms};
        if (nf) {
            Dim *n = prove_normal_dim(&env, a);
            Buf out = {0};
            if (n)
                print_prefix(&out, n);
            printf("%s NF %s\n", id, n ? out.s : "NONE");
            buf_free(&out);
            fflush(stdout);
            continue;
        }
        Proof p = !strcmp(rel, "EQ") ? prove_eq(&env, a, b) : prove_ge(&env, a, b);
        switch (p.res) {
        case PROVE_TRUE:
            printf("%s TRUE %s\n", id, p.method ? p.method : "");
            break;
        case PROVE_FALSE:
            printf("%s FALSE", id);
            for (int i = 0; i < nsyms; i++)
                printf(" %lld", (long long)p.cex[i]);
            printf("\n");
            break;
        default:
            printf("%s UNKNOWN %s\n", id, p.why ? p.why : "");
            break;
        }
        fflush(stdout);
    }
    return 0;
}
