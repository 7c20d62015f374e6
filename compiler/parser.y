/*
 * parser.y - GraphSpec grammar (bison). Tokens come from lexer.re.
 *
 * The actions only build AST nodes (gsc.h, section AST); names, arities and
 * shapes are checked by later passes. Syntax errors are reported through
 * diag.c with the expected tokens (LAC keeps that list exact), and the parser
 * recovers at statement and item level so one run reports several errors.
 */
%code requires {
#include "gsc.h"

typedef struct {
    int lo, hi;
} Loc;

/* Parser state, shared with the lexer (%param). */
typedef struct Parser {
    const SrcFile *file;
    const char *cur, *tok, *lim, *marker;
    int *opens;        /* offsets of unclosed ( [ { */
    int nopens, capopens;
    int skip_end;      /* after a syntax error: skip tokens before this offset */
    bool closer_matched; /* the last ) ] } closed an open bracket */
    Vec items;         /* Item* */
} Parser;

#define YYLTYPE Loc
#define YYLLOC_DEFAULT(Cur, Rhs, N)                      \
    do {                                                 \
        if (N) {                                         \
            (Cur).lo = YYRHSLOC(Rhs, 1).lo;              \
            (Cur).hi = YYRHSLOC(Rhs, N).hi;              \
        } else {                                         \
            (Cur).lo = (Cur).hi = YYRHSLOC(Rhs, 0).hi;   \
        }                                                \
    } while (0)
}

%code provides {
int yylex(YYSTYPE *val, Loc *loc, Parser *P);
}

%code {
#include <stdlib.h>
#include <string.h>

#define YYMAXDEPTH 200000

static Span sp(Parser *P, Loc l) { return (Span){P->file, l.lo, l.hi}; }

static Node *new_node(Parser *P, NodeKind k, Loc l)
{
    Node *n = arena_alloc(sizeof *n);
    n->kind = k;
    n->span = sp(P, l);
    return n;
}

static Node *new_bin(Parser *P, NodeKind k, int op, Node *a, Node *b, Loc l)
{
    Node *n = new_node(P, k, l);
    n->op = op;
    n->lhs = a;
    n->rhs = b;
    return n;
}

static Vec *new_vec(void *first)
{
    Vec *v = arena_alloc(sizeof *v);
    if (first)
        vec_push(v, first);
    return v;
}

/* Moves a Vec of pointers into an arena array. */
static void **vec_array(Vec *v, int *n)
{
    *n = v ? v->n : 0;
    if (!*n)
        return NULL;
    void **a = arena_alloc(sizeof(void *) * (size_t)v->n);
    memcpy(a, v->v, sizeof(void *) * (size_t)v->n);
    free(v->v);
    v->v = NULL;
    return a;
}

static Param *new_param(Parser *P, const char *name, Loc l, Node *shape, Node *def)
{
    Param *p = arena_alloc(sizeof *p);
    p->name = name;
    p->span = sp(P, l);
    p->shape = shape;
    p->defval = def;
    return p;
}

/* Copies a Vec of Param* into an array of Param. */
static Param *param_array(Vec *v, int *n)
{
    Param **pp = (Param **)vec_array(v, n);
    Param *a = arena_alloc(sizeof(Param) * (size_t)(*n ? *n : 1));
    for (int i = 0; i < *n; i++)
        a[i] = *pp[i];
    return a;
}

static Item *new_item(Parser *P, ItemKind k, const char *name, Loc nl, Loc l)
{
    Item *it = arena_alloc(sizeof *it);
    it->kind = k;
    it->name = name;
    it->name_span = sp(P, nl);
    it->span = sp(P, l);
    return it;
}

/* A block or model header: the paren groups before the result. The last
 * group holds the tensor inputs (name: shape); an earlier group holds the
 * integer parameters. resolve.c reports groups of the wrong form. */
static void set_groups(Item *it, Vec *groups)
{
    int ng;
    Vec **g = (Vec **)vec_array(groups, &ng);
    if (ng >= 2)
        it->params = param_array(g[ng - 2], &it->nparams);
    it->inputs = param_array(g[ng - 1], &it->ninputs);
    it->nbody = ng > 2 ? -ng : 0; /* resolve.c: too many groups */
}

static Stmt *new_stmt(Parser *P, StmtKind k, const char *name, Loc nl, Node *shape, Node *e, Loc l)
{
    Stmt *s = arena_alloc(sizeof *s);
    s->kind = k;
    s->name = name;
    s->name_span = sp(P, nl);
    s->shape = shape;
    s->expr = e;
    s->span = sp(P, l);
    return s;
}

static void set_body(Item *it, Vec *stmts)
{
    Stmt **ss = (Stmt **)vec_array(stmts, &it->nbody);
    it->body = arena_alloc(sizeof(Stmt) * (size_t)(it->nbody ? it->nbody : 1));
    for (int i = 0; i < it->nbody; i++)
        it->body[i] = *ss[i];
}

/* After error recovery, forgets brackets left open by the skipped text:
 * keeps the stack up to the innermost '{' (statement level) or empties it
 * (item level). */
static void sync_opens(Parser *P, bool in_body)
{
    int n = P->nopens;
    while (n > 0 && in_body && P->file->text[P->opens[n - 1]] != '{')
        n--;
    P->nopens = in_body ? n : 0;
}

static void yyerror(Loc *l, Parser *P, const char *msg)
{
    error_at(sp(P, *l), "%s", msg);
}
}

%define api.pure full
%define parse.error custom
%define parse.lac full
%locations
%param {Parser *P}
%expect 0

%union {
    int64_t num;
    double real;
    const char *str;
    Node *node;
    Vec *vec;
    Item *item;
    Stmt *stmt;
    Param *param;
    int op;
}

%token <num> INT "integer"
%token <real> REAL "real number"
%token <str> IDENT "name"
%token <str> QNAME "quoted name"
%token DIM "'dim'" BLOCK "'block'" MODEL "'model'" LET "'let'" RETURN "'return'"
%token ASSERT "'assert'" WHERE "'where'" DEFAULT "'default'"
%token ARROW "'->'" EQ "'=='" NE "'!='" LE "'<='" GE "'>='"

%type <node> expr call arg shape cond
%type <vec> args args_opt exprs groups formals formals_opt conds defaults defaults_opt where_opt stmts idents idents_opt
%type <item> item
%type <stmt> stmt
%type <str> lname
%type <param> formal default
%type <op> cmpop

%left '+' '-'
%left '*' '/' '%'

%%

program:
    %empty
  | program item        { if ($2) vec_push(&P->items, $2); }
  ;

item:
    DIM IDENT '(' idents_opt ')' '=' expr {
        $$ = new_item(P, IT_DIM, $2, @2, @$);
        $$->params = param_array($4, &$$->nparams);
        $$->result = $7;
    }
  | BLOCK IDENT groups ARROW shape '{' stmts '}' {
        $$ = new_item(P, IT_BLOCK, $2, @2, @$);
        set_groups($$, $3);
        $$->result = $5;
        if ($$->nbody < 0) error_at(sp(P, @3), "a block has at most two parameter lists: (integer parameters)(tensor inputs)");
        set_body($$, $7);
    }
  | MODEL IDENT groups ARROW shape where_opt defaults_opt '{' stmts '}' {
        $$ = new_item(P, IT_MODEL, $2, @2, @$);
        set_groups($$, $3);
        $$->result = $5;
        if ($$->nbody < 0) error_at(sp(P, @3), "a model has at most two parameter lists: (integer parameters)(tensor input)");
        $$->where = (Node **)vec_array($6, &$$->nwhere);
        $$->defaults = param_array($7, &$$->ndefaults);
        set_body($$, $9);
    }
  | ASSERT cond {
        $$ = new_item(P, IT_ASSERT, "assert", @1, @$);
        $$->result = $2;
    }
  | error { $$ = NULL; sync_opens(P, false); }
  ;

idents_opt:
    %empty              { $$ = new_vec(NULL); }
  | idents
  ;

idents:
    IDENT               { $$ = new_vec(new_param(P, $1, @1, NULL, NULL)); }
  | idents ',' IDENT    { vec_push($1, new_param(P, $3, @3, NULL, NULL)); $$ = $1; }
  ;

groups:
    '(' formals_opt ')'         { $$ = new_vec($2); }
  | groups '(' formals_opt ')'  { vec_push($1, $3); $$ = $1; }
  ;

formals_opt:
    %empty              { $$ = new_vec(NULL); }
  | formals
  ;

formals:
    formal              { $$ = new_vec($1); }
  | formals ',' formal  { vec_push($1, $3); $$ = $1; }
  ;

formal:
    IDENT               { $$ = new_param(P, $1, @1, NULL, NULL); }
  | IDENT '=' expr      { $$ = new_param(P, $1, @1, NULL, $3); }
  | IDENT ':' shape     { $$ = new_param(P, $1, @1, $3, NULL); }
  ;

where_opt:
    %empty              { $$ = NULL; }
  | WHERE conds         { $$ = $2; }
  ;

conds:
    cond                { $$ = new_vec($1); }
  | conds ',' cond      { vec_push($1, $3); $$ = $1; }
  ;

cond:
    expr cmpop expr     { $$ = new_bin(P, ND_CMP, $2, $1, $3, @$); }
  ;

cmpop:
    EQ  { $$ = CMP_EQ; }
  | NE  { $$ = CMP_NE; }
  | '<' { $$ = CMP_LT; }
  | LE  { $$ = CMP_LE; }
  | '>' { $$ = CMP_GT; }
  | GE  { $$ = CMP_GE; }
  ;

defaults_opt:
    %empty              { $$ = NULL; }
  | DEFAULT defaults    { $$ = $2; }
  ;

defaults:
    default             { $$ = new_vec($1); }
  | defaults ',' default { vec_push($1, $3); $$ = $1; }
  ;

default:
    IDENT '=' expr      { $$ = new_param(P, $1, @1, NULL, $3); }
  ;

stmts:
    %empty              { $$ = new_vec(NULL); }
  | stmts stmt          { if ($2) vec_push($1, $2); $$ = $1; }
  ;

stmt:
    lname '=' expr                { $$ = new_stmt(P, ST_LAYER, $1, @1, NULL, $3, @$); }
  | LET IDENT '=' expr            { $$ = new_stmt(P, ST_LET, $2, @2, NULL, $4, @$); }
  | LET IDENT ':' shape '=' expr  { $$ = new_stmt(P, ST_LET, $2, @2, $4, $6, @$); }
  | RETURN expr                   { $$ = new_stmt(P, ST_RETURN, "return", @1, NULL, $2, @$); }
  | error                         { $$ = NULL; sync_opens(P, true); }
  ;

shape:
    '[' exprs ']'       {
        $$ = new_node(P, ND_SHAPE, @$);
        $$->args = (Node **)vec_array($2, &$$->nargs);
    }
  ;

exprs:
    expr                { $$ = new_vec($1); }
  | exprs ',' expr      { vec_push($1, $3); $$ = $1; }
  ;

expr:
    INT                 { $$ = new_node(P, ND_NUM, @$); $$->num = $1; }
  | REAL                { $$ = new_node(P, ND_REAL, @$); $$->real = $1; }
  | '-' REAL            { $$ = new_node(P, ND_REAL, @$); $$->real = -$2; }
  | IDENT               { $$ = new_node(P, ND_NAME, @$); $$->name = $1; $$->name_span = sp(P, @1); }
  | QNAME               { $$ = new_node(P, ND_NAME, @$); $$->name = $1; $$->name_span = sp(P, @1); }
  | call
  | call '(' args_opt ')' {
        $$ = new_node(P, ND_APPLY, @$);
        $$->lhs = $1;
        $$->args = (Node **)vec_array($3, &$$->nargs);
    }
  | '(' expr ')'        { $$ = $2; $$->span = sp(P, @$); }
  | '(' expr ',' exprs ')' {
        $$ = new_node(P, ND_TUPLE, @$);
        vec_push($4, NULL);
        memmove($4->v + 1, $4->v, sizeof(void *) * (size_t)($4->n - 1));
        $4->v[0] = $2;
        $$->args = (Node **)vec_array($4, &$$->nargs);
    }
  | expr '+' expr       { $$ = new_bin(P, ND_BIN, '+', $1, $3, @$); }
  | expr '-' expr       { $$ = new_bin(P, ND_BIN, '-', $1, $3, @$); }
  | expr '*' expr       { $$ = new_bin(P, ND_BIN, '*', $1, $3, @$); }
  | expr '/' expr       { $$ = new_bin(P, ND_BIN, '/', $1, $3, @$); }
  | expr '%' expr       { $$ = new_bin(P, ND_BIN, '%', $1, $3, @$); }
  ;

/* A layer's name: an identifier, the keyword block, which PyTorch models
 * use as a submodule name (torchvision's MobileNetV3 and EfficientNet), or a
 * quoted name that may hold '-' (RegNet's "block1-0"; the lexer checks its
 * characters and gives the text between the quotes). */
lname:
    IDENT
  | BLOCK               { $$ = arena_strndup("block", 5); }
  | QNAME
  ;

call:
    lname '(' args_opt ')' {
        $$ = new_node(P, ND_CALL, @$);
        $$->name = $1;
        $$->name_span = sp(P, @1);
        $$->args = (Node **)vec_array($3, &$$->nargs);
    }
  ;

args_opt:
    %empty              { $$ = new_vec(NULL); }
  | args
  ;

args:
    arg                 { $$ = new_vec($1); }
  | args ',' arg        { vec_push($1, $3); $$ = $1; }
  ;

arg:
    expr
  | expr ARROW expr     { $$ = new_bin(P, ND_ARROW, 0, $1, $3, @$); }
  | IDENT '=' expr      {
        $$ = new_node(P, ND_KWARG, @$);
        $$->name = $1;
        $$->name_span = sp(P, @1);
        $$->rhs = $3;
    }
  ;

%%

static bool is_closer(const char *nm)
{
    return !strcmp(nm, "')'") || !strcmp(nm, "']'") || !strcmp(nm, "'}'");
}

static bool expects(const yysymbol_kind_t *exp, int n, yysymbol_kind_t k)
{
    for (int i = 0; i < n; i++)
        if (exp[i] == k)
            return true;
    return false;
}

/* A token that starts an item or a statement: the parser can resume there,
 * so the rest of its line is not skipped. */
static bool starts_something(Parser *P, yysymbol_kind_t k, int at)
{
    if (k == YYSYMBOL_DIM || k == YYSYMBOL_BLOCK || k == YYSYMBOL_MODEL || k == YYSYMBOL_ASSERT ||
        k == YYSYMBOL_LET || k == YYSYMBOL_RETURN || k == YYSYMBOL_YYEOF)
        return true;
    if (k != YYSYMBOL_IDENT && k != YYSYMBOL_QNAME)
        return false;
    while (at > 0 && (P->file->text[at - 1] == ' ' || P->file->text[at - 1] == '\t'))
        at--;
    return at == 0 || P->file->text[at - 1] == '\n';
}

/* "unexpected '}', expected ')' or ','", plus a note at the unclosed bracket
 * when only a closer fits. Each expected token is listed once; where a
 * statement may start, the list says so; long lists are cut down to the
 * closing brackets (the likely mistake) or dropped. After the error, the
 * rest of the line is skipped (the lexer does it) unless the offending token
 * starts a statement or item, so that one mistake gives one error. */
static int yyreport_syntax_error(const yypcontext_t *ctx, Parser *P)
{
    yysymbol_kind_t all[YYNTOKENS], exp[YYNTOKENS];
    int nall = yypcontext_expected_tokens(ctx, all, YYNTOKENS), n = 0, closers = 0;
    if (nall < 0)
        nall = 0;
    /* 'block' or a quoted name where a name may stand is a layer's name: the
     * list's "name" says it */
    for (int i = 0; i < nall; i++)
        if (!expects(exp, n, all[i]) &&
            !((all[i] == YYSYMBOL_BLOCK || all[i] == YYSYMBOL_QNAME) && expects(all, nall, YYSYMBOL_IDENT)))
            exp[n++] = all[i];
    yysymbol_kind_t got = yypcontext_token(ctx);
    Loc l = *yypcontext_location(ctx);
    bool stmt = expects(exp, n, YYSYMBOL_LET) && expects(exp, n, YYSYMBOL_RETURN);
    yysymbol_kind_t shown[YYNTOKENS];
    for (int i = 0; i < n; i++)
        if (is_closer(yysymbol_name(exp[i])))
            shown[closers++] = exp[i];
    Buf b = {0};
    if (got == YYSYMBOL_YYEOF)
        buf_puts(&b, "unexpected end of file");
    else
        buf_printf(&b, "unexpected %s", yysymbol_name(got));
    static const char match[] = {[')'] = '(', [']'] = '[', ['}'] = '{'};
    const char *gn = yysymbol_name(got);
    bool opener_open = false; /* an opener for it is open, under others */
    for (int i = 0; i < P->nopens && is_closer(gn); i++)
        opener_open |= P->file->text[P->opens[i]] == match[(unsigned char)gn[1]];
    if (got != YYSYMBOL_YYEOF && is_closer(gn) && !P->closer_matched && !opener_open) {
        buf_printf(&b, ": no '%c' is open here", match[(unsigned char)gn[1]]);
        n = 0;
    } else if (stmt) {
        buf_puts(&b, ", expected a statement ('name = layer', 'let name = value' or 'return value')");
        if (expects(exp, n, YYSYMBOL_YYEOF))
            buf_puts(&b, " or end of file");
        else if (closers)
            buf_printf(&b, " or %s", yysymbol_name(shown[0]));
        n = 0;
    } else if (n > 5) {
        memcpy(exp, shown, sizeof(yysymbol_kind_t) * (size_t)closers);
        n = closers;
    }
    bool only_closers = n > 0;
    for (int i = 0; i < n; i++) {
        buf_printf(&b, "%s%s", i == 0 ? ", expected " : i == n - 1 ? " or " : ", ", yysymbol_name(exp[i]));
        only_closers &= is_closer(yysymbol_name(exp[i])) || !strcmp(yysymbol_name(exp[i]), "','");
    }
    error_at(sp(P, l), "%s", b.s);
    buf_free(&b);
    if (only_closers && P->nopens > 0) {
        int at = P->opens[P->nopens - 1];
        note_at((Span){P->file, at, at + 1}, "to match this '%c'", P->file->text[at]);
    }
    if (!starts_something(P, got, l.lo)) {
        const char *eol = strchr(P->file->text + l.lo, '\n');
        P->skip_end = eol ? (int)(eol - P->file->text) : (int)P->file->len;
    }
    return 0;
}

Program *parse_program(const SrcFile *file)
{
    Parser P = {0};
    P.file = file;
    P.cur = file->text;
    P.lim = file->text + file->len;
    yyparse(&P);
    free(P.opens);
    Program *prog = arena_alloc(sizeof *prog);
    prog->file = file;
    prog->nitems = P.items.n;
    prog->items = arena_alloc(sizeof(Item) * (size_t)(P.items.n ? P.items.n : 1));
    for (int i = 0; i < P.items.n; i++)
        prog->items[i] = *(Item *)P.items.v[i];
    free(P.items.v);
    return prog;
}
