/*
 * test_front.c - the front end: lexer, parser, resolver (Check suites).
 * Diagnostics are captured from stderr and searched for the message a user
 * would rely on; exact texts are covered by the golden tests (test_diag.c).
 */
#define _POSIX_C_SOURCE 200809L
#include "pipeline.h"
#include "parser.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>


/* Runs parse (+ resolve) with stderr captured; returns the messages. */
static char *front(const char *text, bool resolve, Program **out)
{
    fflush(stderr);
    diag_errors = 0;
    char path[] = "/tmp/gsc-front-XXXXXX";
    int fd = mkstemp(path);
    int saved = dup(2);
    dup2(fd, 2);
    Program *p = parse_program(src_text(text));
    if (resolve && !diag_errors)
        resolve_program(p);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    size_t len;
    char *msgs = read_file(path, &len);
    close(fd);
    unlink(path);
    if (out)
        *out = p;
    return msgs;
}

/* ------------------------------------------------------------ lexer */

static int lex_all(const char *text, int *toks, int max)
{
    Parser P = {0};
    P.file = src_text(text);
    P.cur = P.file->text;
    P.lim = P.file->text + P.file->len;
    YYSTYPE v;
    Loc l;
    int n = 0, t;
    while ((t = yylex(&v, &l, &P)) != YYEOF && n < max)
        toks[n++] = t;
    free(P.opens);
    return n;
}

START_TEST(lex_dim_definition)
{
    int t[32];
    int n = lex_all("dim down2(h) = (h - 1) / 2 + 1", t, 32);
    int want[] = {DIM, IDENT, '(', IDENT, ')', '=', '(', IDENT, '-', INT, ')', '/', INT, '+', INT};
    ck_assert_int_eq(n, countof(want));
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(t[i], want[i]);
}
END_TEST

START_TEST(lex_operators_and_comments)
{
    int t[32];
    int n = lex_all("a -> b >= <= == != # a comment -> ignored\n < > %", t, 32);
    int want[] = {IDENT, ARROW, IDENT, GE, LE, EQ, NE, '<', '>', '%'};
    ck_assert_int_eq(n, countof(want));
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(t[i], want[i]);
}
END_TEST

START_TEST(lex_keywords_are_not_prefixes)
{
    int t[8];
    int n = lex_all("models letter returns dim_x", t, 8);
    ck_assert_int_eq(n, 4);
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(t[i], IDENT);
}
END_TEST

START_TEST(lex_locations)
{
    Parser P = {0};
    P.file = src_text("model\n  foo 123");
    P.cur = P.file->text;
    P.lim = P.file->text + P.file->len;
    YYSTYPE v;
    Loc l;
    ck_assert_int_eq(yylex(&v, &l, &P), MODEL);
    ck_assert_int_eq(yylex(&v, &l, &P), IDENT);
    ck_assert_str_eq(v.str, "foo");
    ck_assert_int_eq(l.lo, 8);
    ck_assert_int_eq(l.hi, 11);
    int line, col;
    span_linecol((Span){P.file, l.lo, l.hi}, &line, &col);
    ck_assert_int_eq(line, 2);
    ck_assert_int_eq(col, 3);
    ck_assert_int_eq(yylex(&v, &l, &P), INT);
    ck_assert_int_eq(v.num, 123);
    ck_assert_int_eq(yylex(&v, &l, &P), YYEOF);
}
END_TEST

START_TEST(lex_stray_run_is_one_error)
{
    char *m = front("model m(n = 4)(x: [n]) -> [n] { return relu(x) } @@@", false, NULL);
    ck_assert_int_eq(diag_errors, 1);
    ck_assert_ptr_nonnull(strstr(m, "t.gs:1:50: error: 3 stray characters in program"));
}
END_TEST

START_TEST(lex_integer_overflow)
{
    char *m = front("model m(n = 92233720368547758070)(x: [n]) -> [n] { return relu(x) }", false, NULL);
    ck_assert_int_eq(diag_errors, 1);
    ck_assert_ptr_nonnull(strstr(m, "integer literal is too large"));
}
END_TEST

START_TEST(lex_reals)
{
    Parser P = {0};
    P.file = src_text("1e-5 0.1 6.0 2E3 12 1.5e+2 3e");
    P.cur = P.file->text;
    P.lim = P.file->text + P.file->len;
    YYSTYPE v;
    Loc l;
    const double want[] = {1e-5, 0.1, 6.0, 2e3};
    for (int i = 0; i < countof(want); i++) {
        ck_assert_int_eq(yylex(&v, &l, &P), REAL);
        ck_assert(v.real == want[i]);
    }
    ck_assert_int_eq(yylex(&v, &l, &P), INT);
    ck_assert_int_eq(yylex(&v, &l, &P), REAL);
    ck_assert(v.real == 150.0);
    ck_assert_int_eq(yylex(&v, &l, &P), INT); /* 3e: an integer, then a name */
    ck_assert_int_eq(yylex(&v, &l, &P), IDENT);
    ck_assert_int_eq(yylex(&v, &l, &P), YYEOF);
    free(P.opens);
}
END_TEST

START_TEST(lex_real_out_of_range)
{
    char *m = front("model m(x: [4]) -> [4] { return softmax(x, k=1e999) }", false, NULL);
    ck_assert_int_eq(diag_errors, 1);
    ck_assert_ptr_nonnull(strstr(m, "real literal 1e999 is out of range"));
}
END_TEST

/* real_str reads back as the same double and always as a real. */
START_TEST(real_str_round_trips)
{
    const double v[] = {1e-5, 1e-3, 0.1, 6.0, -1.0, 0.0, 1.0 / 3.0, 0.01, 1e20, 123456789.0, 5e-324};
    const char *want[] = {"1e-05", "0.001", "0.1", "6.0", "-1.0", "0.0", NULL, "0.01", "1e+20", "123456789.0", NULL};
    for (int i = 0; i < countof(v); i++) {
        const char *s = real_str(v[i]);
        ck_assert(strtod(s, NULL) == v[i]);
        ck_assert_ptr_nonnull(strpbrk(s, ".e"));
        if (want[i])
            ck_assert_str_eq(s, want[i]);
    }
}
END_TEST

START_TEST(lex_nul_byte_inside)
{
    static const char text[] = "model m(n = 4)(x: [n]) -> [n] {\0 return relu(x) }";
    SrcFile *f = arena_alloc(sizeof *f);
    f->name = "t.gs";
    f->text = text;
    f->len = sizeof text - 1;
    fflush(stderr);
    Program *p = parse_program(f);
    ck_assert_int_eq(diag_errors, 1);
    ck_assert_int_eq(p->nitems, 1);
}
END_TEST

/* ------------------------------------------------------------ parser */

static const char *model_text = "dim down2(h) = (h - 1) / 2 + 1\n"
                                "block b(k = 3)(x: [c, h, w]) -> [c, h, w] {\n"
                                "    conv = conv2d(c -> c, k=k, stride=1, pad=k / 2)\n"
                                "    let y: [c, h, w] = relu(conv(x))\n"
                                "    return y + x\n"
                                "}\n"
                                "model m(in_c = 3)(x: [in_c, H, W]) -> [in_c, H, W]\n"
                                "      where H >= 1, W >= 1 default H = 8, W = 8 {\n"
                                "    blocks = seq(b, b(5))\n"
                                "    return blocks(x)\n"
                                "}\n"
                                "assert tensors(m) == 4\n";

START_TEST(parse_items)
{
    Program *p;
    char *m = front(model_text, false, &p);
    ck_assert_msg(diag_errors == 0, "%s", m);
    ck_assert_int_eq(p->nitems, 4);
    ck_assert_int_eq(p->items[0].kind, IT_DIM);
    ck_assert_int_eq(p->items[0].nparams, 1);
    Item *b = &p->items[1];
    ck_assert_int_eq(b->kind, IT_BLOCK);
    ck_assert_int_eq(b->nparams, 1);
    ck_assert_int_eq(b->ninputs, 1);
    ck_assert_int_eq(b->inputs[0].shape->nargs, 3);
    ck_assert_int_eq(b->nbody, 3);
    ck_assert_int_eq(b->body[0].kind, ST_LAYER);
    ck_assert_int_eq(b->body[1].kind, ST_LET);
    ck_assert_ptr_nonnull(b->body[1].shape);
    ck_assert_int_eq(b->body[2].kind, ST_RETURN);
    Item *mm = &p->items[2];
    ck_assert_int_eq(mm->nwhere, 2);
    ck_assert_int_eq(mm->ndefaults, 2);
    ck_assert_int_eq(p->items[3].kind, IT_ASSERT);
}
END_TEST

START_TEST(parse_precedence)
{
    Program *p;
    front("dim f(a, b) = a + b * 2 - a / 3 % 2\nmodel m(n=1)(x: [n]) -> [n] { return x }", false, &p);
    ck_assert_int_eq(diag_errors, 0);
    Node *e = p->items[0].result; /* (a + (b*2)) - ((a/3)%2) */
    ck_assert_int_eq(e->kind, ND_BIN);
    ck_assert_int_eq(e->op, '-');
    ck_assert_int_eq(e->lhs->op, '+');
    ck_assert_int_eq(e->lhs->rhs->op, '*');
    ck_assert_int_eq(e->rhs->op, '%');
    ck_assert_int_eq(e->rhs->lhs->op, '/');
}
END_TEST

START_TEST(parse_spans)
{
    Program *p;
    front(model_text, false, &p);
    Stmt *st = &p->items[1].body[0];
    char *text = span_text(st->expr->span);
    ck_assert_str_eq(text, "conv2d(c -> c, k=k, stride=1, pad=k / 2)");
    ck_assert_str_eq(span_text(st->name_span), "conv");
}
END_TEST

START_TEST(parse_recovers_per_statement)
{
    char *m = front("model m(n = 4)(x: [n]) -> [n] {\n"
                    "    let a = relu(x,)\n"
                    "    let b = relu(a) )\n"
                    "    return b\n"
                    "}\n",
                    false, NULL);
    ck_assert_int_eq(diag_errors, 2);
    ck_assert_ptr_nonnull(strstr(m, "t.gs:2:20: error: unexpected ')'"));
    ck_assert_ptr_nonnull(strstr(m, "t.gs:3:21: error: unexpected ')'"));
}
END_TEST

START_TEST(parse_unbalanced_points_at_opener)
{
    char *m = front("model m(n = 4)(x: [n]) -> [n] {\n    return relu(relu(x)\n}\n", false, NULL);
    ck_assert_int_eq(diag_errors, 1);
    ck_assert_ptr_nonnull(strstr(m, "unexpected '}', expected ')'"));
    ck_assert_ptr_nonnull(strstr(m, "t.gs:2:16: note: to match this '('"));
}
END_TEST

START_TEST(parse_truncated)
{
    char *m = front("model m(n = 4)(x: [n]) -> [n] {\n    return relu(", false, NULL);
    ck_assert_int_eq(diag_errors, 1);
    ck_assert_ptr_nonnull(strstr(m, "unexpected end of file"));
}
END_TEST

START_TEST(parse_deep_nesting)
{
    int depth = 10000;
    size_t n = (size_t)depth * 2 + 200;
    char *text = malloc(n);
    char *p = text + sprintf(text, "dim f(h) = ");
    for (int i = 0; i < depth; i++)
        *p++ = '(';
    *p++ = 'h';
    for (int i = 0; i < depth; i++)
        *p++ = ')';
    strcpy(p, "\nmodel m(n = 1)(x: [n]) -> [f(n)] { return x }\n");
    Program *prog;
    char *m = front(text, true, &prog);
    ck_assert_msg(diag_errors == 0, "%s", m);
    ck_assert_int_eq(prog->nitems, 2);
}
END_TEST

START_TEST(parse_too_deep_is_an_error)
{
    int depth = 30000;
    char *text = malloc((size_t)depth + 100);
    char *p = text + sprintf(text, "dim f(h) = ");
    for (int i = 0; i < depth; i++)
        *p++ = '(';
    *p = 0;
    pid_t pid = fork();
    if (pid == 0) {
        front(text, false, NULL);
        _exit(diag_errors ? 1 : 0);
    }
    int st;
    waitpid(pid, &st, 0);
    ck_assert(WIFEXITED(st));
    ck_assert_int_eq(WEXITSTATUS(st), 1);
}
END_TEST

/* ------------------------------------------------------------ resolver */

static char *resolve(const char *text)
{
    return front(text, true, NULL);
}

START_TEST(resolve_resnet_like_model)
{
    char *m = resolve(model_text);
    ck_assert_msg(diag_errors == 0, "%s", m);
}
END_TEST

START_TEST(resolve_did_you_mean)
{
    char *m = resolve("model m(c = 3)(x: [c, H, W]) -> [c, H, W] where H >= 1, W >= 1 {\n"
                      "    return maxpol2d(x, k=3, stride=1, pad=1)\n}\n");
    ck_assert_int_eq(diag_errors, 1);
    ck_assert_ptr_nonnull(strstr(m, "unknown operation or layer 'maxpol2d'; did you mean 'maxpool2d'?"));
}
END_TEST

START_TEST(resolve_duplicate_with_note)
{
    char *m = resolve("model m(n = 4)(x: [n]) -> [n] {\n    let y = relu(x)\n    let y = relu(y)\n    return y\n}\n");
    ck_assert_int_eq(diag_errors, 1);
    ck_assert_ptr_nonnull(strstr(m, "t.gs:3:9: error: 'y' is already declared in 'm'"));
    ck_assert_ptr_nonnull(strstr(m, "t.gs:2:9: note: the earlier declaration (value) is here"));
}
END_TEST

START_TEST(resolve_use_before_definition)
{
    char *m = resolve("model m(n = 4)(x: [n]) -> [n] {\n    let a = relu(b)\n    let b = relu(x)\n    return a\n}\n");
    ck_assert_ptr_nonnull(strstr(m, "'b' is used before its definition"));
}
END_TEST

/* A real where a size is wanted is one error per place, whatever the place. */
START_TEST(resolve_real_where_integer)
{
    char *m = front("model m(x: [3, 8, 8]) -> [8, 8, 8] { c = conv2d(3 -> 8, k=3.0, pad=1) return c(x) }", true, NULL);
    ck_assert_int_eq(diag_errors, 1);
    ck_assert_ptr_nonnull(strstr(m, "argument 'k' of 'conv2d' is an integer, but '3.0' is a real number"));
    m = front("model m(x: [3, 8, 8]) -> [8, 8, 8] { c = conv2d(3 -> 8, k=2 * -1.5) return c(x) }", true, NULL);
    ck_assert_int_eq(diag_errors, 1);
    ck_assert_ptr_nonnull(strstr(m, "'-1.5' is a real number, but a size (an integer) is expected here"));
    m = front("block b(c)(x: [c]) -> [c] { return relu(x) }\n"
              "model m(x: [4]) -> [4] { l = b(0.5) return l(x) }", true, NULL);
    ck_assert_int_eq(diag_errors, 1);
    ck_assert_ptr_nonnull(strstr(m, "argument 'c' of 'b' is an integer (block parameters are integers)"));
}
END_TEST

/* pad=(h, w) is (top, left, bottom, right) = (h, w, h, w); four are taken as written. */
START_TEST(resolve_axes_tuples)
{
    Program *p;
    char *m = front("model m(x: [3, 8, 8]) -> [4, 8, 8] {\n"
                    "    a = conv2d(3 -> 4, k=(3, 1), stride=(1, 2), pad=(1, 0))\n"
                    "    b = conv2d(3 -> 4, k=3, pad=(0, 1, 2, 3))\n    return a(x)\n}\n", true, &p);
    ck_assert_msg(diag_errors == 0, "%s", m);
    Node *a = p->items[0].body[0].expr, *b = p->items[0].body[1].expr;
    const char *want_a[] = {"3", "1", "1", "2", "1", "0", "1", "0"};
    for (int i = 0; i < 8; i++)
        ck_assert_str_eq(span_text(a->attrs[CONV2D_k + i]->span), want_a[i]);
    const char *want_b[] = {"0", "1", "2", "3"};
    for (int i = 0; i < 4; i++)
        ck_assert_str_eq(span_text(b->attrs[CONV2D_pad + i]->span), want_b[i]);
    ck_assert_ptr_null(b->attrs[CONV2D_stride]); /* the default */
}
END_TEST

START_TEST(resolve_keywords)
{
    char *m = resolve("model m(c = 3)(x: [c, H, W]) -> [c, H, W] where H >= 1, W >= 1 {\n"
                      "    conv = conv2d(c -> c, kernel=3, pad=1)\n"
                      "    return conv(x)\n}\n");
    ck_assert_ptr_nonnull(strstr(m, "'conv2d' has no argument 'kernel'; did you mean 'k'?"));
    ck_assert_ptr_null(strstr(m, "missing argument")); /* kernel=3 was meant as k: one error */
}
END_TEST

START_TEST(resolve_arity)
{
    char *m = resolve("dim d(a) = a\nmodel m(n = 4)(x: [n]) -> [d(n, n)] {\n    return concat(x)\n}\n");
    ck_assert_ptr_nonnull(strstr(m, "'d' takes 1 argument but 2 were given"));
    ck_assert_ptr_nonnull(strstr(m, "operation 'concat' takes at least 2 tensors but 1 was given"));
}
END_TEST

START_TEST(resolve_cycles)
{
    char *m = resolve("dim f(h) = g(h)\ndim g(h) = f(h)\nmodel m(n = 4)(x: [n]) -> [f(n)] { return x }\n");
    ck_assert_ptr_nonnull(strstr(m, "through a cycle of definitions"));
    m = resolve("block b(x: [n]) -> [n] { inner = b\n return inner(x) }\n"
                "model m(n = 4)(x: [n]) -> [n] { blk = b\n return blk(x) }\n");
    ck_assert_ptr_nonnull(strstr(m, "'b' refers to itself"));
}
END_TEST

START_TEST(resolve_annotates_calls)
{
    Program *p;
    char *m = front(model_text, true, &p);
    ck_assert_msg(diag_errors == 0, "%s", m);
    Node *conv = p->items[1].body[0].expr;
    ck_assert_int_eq(conv->ref, REF_OP);
    ck_assert_int_eq(conv->opkind, OP_CONV2D);
    /* attrs in signature order: cin, cout, k (and its width), stride (and its width), pad (top, left,
     * bottom, right): one size fills every axis */
    ck_assert_str_eq(span_text(conv->attrs[CONV2D_pad]->span), "k / 2");
    for (int i = 1; i < 4; i++)
        ck_assert_ptr_eq(conv->attrs[CONV2D_pad + i], conv->attrs[CONV2D_pad]);
    ck_assert_str_eq(span_text(conv->attrs[CONV2D_k]->span), "k");
    ck_assert_ptr_eq(conv->attrs[CONV2D_k_w], conv->attrs[CONV2D_k]);
    Node *seq = p->items[2].body[0].expr;
    ck_assert_int_eq(seq->ref, REF_SEQ);
    ck_assert_int_eq(seq->args[1]->ref, REF_BLOCK);
    ck_assert_str_eq(span_text(seq->args[1]->attrs[0]->span), "5");
}
END_TEST

START_TEST(resolve_resnet18_file)
{
    size_t len;
    char *text = read_file("models/resnet18.gs", &len);
    ck_assert_ptr_nonnull(text);
    char *m = resolve(text);
    ck_assert_msg(diag_errors == 0, "%s", m);
}
END_TEST

static Suite *front_suite(void)
{
    Suite *s = suite_create("front end");
    TCase *lex = tcase_create("lexer");
    tcase_add_test(lex, lex_dim_definition);
    tcase_add_test(lex, lex_operators_and_comments);
    tcase_add_test(lex, lex_keywords_are_not_prefixes);
    tcase_add_test(lex, lex_locations);
    tcase_add_test(lex, lex_stray_run_is_one_error);
    tcase_add_test(lex, lex_integer_overflow);
    tcase_add_test(lex, lex_reals);
    tcase_add_test(lex, lex_real_out_of_range);
    tcase_add_test(lex, real_str_round_trips);
    tcase_add_test(lex, lex_nul_byte_inside);
    suite_add_tcase(s, lex);
    TCase *parse = tcase_create("parser");
    tcase_add_test(parse, parse_items);
    tcase_add_test(parse, parse_precedence);
    tcase_add_test(parse, parse_spans);
    tcase_add_test(parse, parse_recovers_per_statement);
    tcase_add_test(parse, parse_unbalanced_points_at_opener);
    tcase_add_test(parse, parse_truncated);
    tcase_add_test(parse, parse_deep_nesting);
    tcase_add_test(parse, parse_too_deep_is_an_error);
    suite_add_tcase(s, parse);
    TCase *res = tcase_create("resolver");
    tcase_add_test(res, resolve_resnet_like_model);
    tcase_add_test(res, resolve_did_you_mean);
    tcase_add_test(res, resolve_duplicate_with_note);
    tcase_add_test(res, resolve_use_before_definition);
    tcase_add_test(res, resolve_keywords);
    tcase_add_test(res, resolve_real_where_integer);
    tcase_add_test(res, resolve_axes_tuples);
    tcase_add_test(res, resolve_arity);
    tcase_add_test(res, resolve_cycles);
    tcase_add_test(res, resolve_annotates_calls);
    tcase_add_test(res, resolve_resnet18_file);
    suite_add_tcase(s, res);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(front_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
