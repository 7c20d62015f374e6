/*
 * lexer.re - GraphSpec tokens (re2c). Called by the bison parser.
 *
 * Comments run from '#' to the end of the line. Stray characters are
 * reported here (one error for a run of them) and skipped, so the parser sees
 * only tokens it knows. The lexer also keeps the stack of open brackets: the
 * parser points at the unclosed one when a closer is missing, and nesting
 * deeper than MAX_NESTING is an error rather than a stack overflow later.
 */
#include "gsc.h"
#include "parser.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_NESTING = 20000 };

static Span tok_span(Parser *P)
{
    return (Span){P->file, (int)(P->tok - P->file->text), (int)(P->cur - P->file->text)};
}

static int open_bracket(Parser *P, int c)
{
    if (P->nopens == MAX_NESTING) {
        error_at(tok_span(P), "brackets nested more than %d deep", MAX_NESTING);
        exit(1);
    }
    if (P->nopens == P->capopens) {
        P->capopens = P->capopens ? P->capopens * 2 : 64;
        P->opens = xrealloc(P->opens, sizeof(int) * (size_t)P->capopens);
    }
    P->opens[P->nopens++] = (int)(P->tok - P->file->text);
    return c;
}

/* Pops only a matching opener: after "f(x }" the '(' stays open, so the
 * parser's error can point at it. */
static int close_bracket(Parser *P, int c)
{
    static const char open_of[] = {[')'] = '(', [']'] = '[', ['}'] = '{'};
    P->closer_matched = P->nopens > 0 && P->file->text[P->opens[P->nopens - 1]] == open_of[c];
    if (P->closer_matched)
        P->nopens--;
    return c;
}

static int integer(Parser *P, YYSTYPE *val)
{
    int64_t v = 0;
    for (const char *p = P->tok; p < P->cur; p++) {
        if (v > (INT64_MAX - (*p - '0')) / 10) {
            error_at(tok_span(P), "integer literal is too large (the limit is %lld)", (long long)INT64_MAX);
            v = 0;
            break;
        }
        v = v * 10 + (*p - '0');
    }
    val->num = v;
    return INT;
}

/* 1e-5, 0.1, 6.0: a real literal (an operation's real argument). A value
 * that double cannot hold is an error here, once: its value is then NaN,
 * which later stages take as reported. */
static int real(Parser *P, YYSTYPE *val)
{
    char *text = arena_strndup(P->tok, (size_t)(P->cur - P->tok));
    errno = 0;
    val->real = strtod(text, NULL);
    if (errno == ERANGE) {
        error_at(tok_span(P), "real literal %s is out of range", text);
        val->real = NAN;
    }
    return REAL;
}

/* A quoted layer name that is not a letter or '_' followed by letters,
 * digits, '_' and '-', or has no closing quote on its line: one error, at
 * the first wrong character (or the opening quote). A closed name is then
 * taken as written, so that parsing goes on; an unclosed one is YYerror,
 * from which the parser recovers without a second message. */
static int bad_quoted(Parser *P, YYSTYPE *val)
{
    const char *end = P->cur;
    bool closed = end - P->tok >= 2 && end[-1] == '"';
    const char *lo = P->tok + 1, *hi = closed ? end - 1 : end;
    val->str = arena_strndup(lo, (size_t)(hi - lo));
    Span s = tok_span(P);
    if (!closed) {
        error_at(s, "quoted name has no closing '\"' on its line");
        return YYerror;
    }
    if (hi == lo) {
        error_at(s, "empty quoted name: a layer's name needs at least a letter or '_'");
        return QNAME;
    }
    const char *c = lo;
    bool first = true;
    for (; c < hi; c++, first = false) {
        unsigned char u = (unsigned char)*c;
        bool ok = u == '_' || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
                  (!first && ((u >= '0' && u <= '9') || u == '-'));
        if (!ok)
            break;
    }
    s.lo = (int)(c - P->file->text);
    s.hi = s.lo + 1;
    unsigned char u = (unsigned char)*c;
    const char *what = u >= 32 && u < 127 ? arena_printf("'%c'", u) : arena_printf("byte 0x%02x", u);
    if (c == lo)
        error_at(s, "quoted name starts with %s: it starts with a letter or '_'", what);
    else
        error_at(s, "quoted name holds %s: it holds only letters, digits, '_' and '-'", what);
    return QNAME;
}

static bool is_punct(unsigned char c)
{
    return c && strchr("()[]{},:=+-*/%<>!", c);
}

/* A run of characters that start no token: one error for the run. */
static void stray(Parser *P)
{
    while (P->cur < P->lim) {
        unsigned char c = (unsigned char)*P->cur;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '#' || c == '"' || c == '_' || (c >= '0' && c <= '9') ||
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_punct(c))
            break;
        P->cur++;
    }
    unsigned char c0 = (unsigned char)*P->tok;
    if (P->cur - P->tok == 1 && c0 >= 32 && c0 < 127)
        error_at(tok_span(P), "stray '%c' in program", c0);
    else if (P->cur - P->tok == 1)
        error_at(tok_span(P), "stray byte 0x%02x in program", c0);
    else
        error_at(tok_span(P), "%d stray characters in program", (int)(P->cur - P->tok));
}

static int lex_token(YYSTYPE *val, Loc *loc, Parser *P)
{
    for (;;) {
        P->tok = P->cur;
        loc->lo = (int)(P->tok - P->file->text);
#define RET(t)                                               \
    do {                                                     \
        loc->hi = (int)(P->cur - P->file->text);             \
        return (t);                                          \
    } while (0)
        /*!re2c
            re2c:api = custom;
            re2c:api:style = free-form;
            re2c:define:YYCTYPE = "unsigned char";
            re2c:define:YYPEEK = "(P->cur < P->lim ? (unsigned char)*P->cur : 0)";
            re2c:define:YYSKIP = "P->cur++;";
            re2c:define:YYBACKUP = "P->marker = P->cur;";
            re2c:define:YYRESTORE = "P->cur = P->marker;";
            re2c:define:YYLESSTHAN = "P->cur >= P->lim";
            re2c:eof = 0;
            re2c:yyfill:enable = 0;

            ident = [a-zA-Z_][a-zA-Z0-9_]*;

            $                   { RET(YYEOF); }
            [ \t\r\n]+          { continue; }
            "#" [^\n\x00]*      { continue; }
            "dim"               { RET(DIM); }
            "block"             { RET(BLOCK); }
            "model"             { RET(MODEL); }
            "let"               { RET(LET); }
            "return"            { RET(RETURN); }
            "assert"            { RET(ASSERT); }
            "where"             { RET(WHERE); }
            "default"           { RET(DEFAULT); }
            [0-9]+              { int t = integer(P, val); RET(t); }
            [0-9]+ "." [0-9]+ ([eE] [+-]? [0-9]+)? | [0-9]+ [eE] [+-]? [0-9]+
                                { int t = real(P, val); RET(t); }
            ident               { val->str = arena_strndup(P->tok, (size_t)(P->cur - P->tok)); RET(IDENT); }
            "\"" [a-zA-Z_] [a-zA-Z0-9_\-]* "\""
                                { val->str = arena_strndup(P->tok + 1, (size_t)(P->cur - P->tok - 2)); RET(QNAME); }
            "\"" [^"\n\x00]* "\""?
                                { int t = bad_quoted(P, val); RET(t); }
            "->"                { RET(ARROW); }
            "=="                { RET(EQ); }
            "!="                { RET(NE); }
            "<="                { RET(LE); }
            ">="                { RET(GE); }
            [([{]               { int t = open_bracket(P, *P->tok); RET(t); }
            [)\]}]              { int t = close_bracket(P, *P->tok); RET(t); }
            [,:=+\-*/%<>]       { RET(*P->tok); }
            *                   { stray(P); continue; }
        */
#undef RET
    }
}

/* The tokens for the parser. After a syntax error (parser.y sets skip_end)
 * the rest of the offending line is skipped, up to a brace: the parser
 * resumes at the next line, so one mistake gives one error. */
int yylex(YYSTYPE *val, Loc *loc, Parser *P)
{
    for (;;) {
        int t = lex_token(val, loc, P);
        if (P->skip_end && loc->lo < P->skip_end && t != '{' && t != '}' && t != YYEOF)
            continue;
        P->skip_end = 0;
        return t;
    }
}
