/*
 * gsc.h - the one internal header of gsc, in sections, one per source file,
 * in pipeline order:
 *
 *   util.c     arena, xmalloc, string buffers, files
 *   diag.c     the one error path: file:line:col, source line, caret, notes
 *   ops.h/.c   the operator table (X-macro rows): enum, names, attribute slots
 *   (AST)      the nodes parser.y builds and resolve.c annotates
 *   lexer.re   text -> tokens (re2c)
 *   parser.y   tokens -> AST (bison); actions only build nodes
 *   onnx.c     an ONNX model -> the GraphSpec model it means (printed by
 *              print.c, then parsed like any other source) and its weights
 *   resolve.c  names: scopes, unknown/duplicate names, arity, keywords, cycles
 *   dim.c      shape expressions (Dim): build, evaluate, simplify, print
 *   prove.c    the decision procedure for shape facts over the naturals
 *   check.c    elaboration to a flat graph + every shape obligation proved
 *   spec.c     specialisation to concrete sizes (-D / defaults), ABI layout
 *   grad.c     the backward pass under a loss: which gradients, in what order
 *   eval.c     the reference interpreter (the oracle), forward and backward
 *   kernels.h  the runtime kernels a lowered call can name (X-macro rows)
 *   lower.c    kernel choice: the graph as runtime calls, as data
 *   plan.c     memory planning: lifetimes, in-place sharing, an offset for every buffer
 *   emit.c     the C emitter
 *   report.c   --emit=summary and --emit=dot
 *   abi.c      --emit=abi, --emit=params, loading --params
 *   main.c     the command line; reads as the pipeline (no section here)
 */
#ifndef GSC_H
#define GSC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gsc_runtime.h"

#define GSC_VERSION "0.1.0"

#define countof(a) ((int)(sizeof(a) / sizeof((a)[0])))

#if defined(__GNUC__)
#define PRINTF(f, a) __attribute__((format(printf, f, a)))
#define NORETURN __attribute__((noreturn))
#else
#define PRINTF(f, a)
#define NORETURN
#endif

/* ---------------------------------------------------------------- util.c */

void *xmalloc(size_t n);            /* dies on out-of-memory */
void *xcalloc(size_t n, size_t sz); /* dies on out-of-memory or overflow */
void *xrealloc(void *p, size_t n);

/* The arena: every AST node, Dim and graph object lives until exit. */
void *arena_alloc(size_t n); /* zeroed, 16-byte aligned */
char *arena_strndup(const char *s, size_t n);
char *arena_printf(const char *fmt, ...) PRINTF(1, 2);
char *arena_upper(const char *s); /* a copy in capitals: rn18 -> RN18 */

/* Growable string buffer (heap). */
typedef struct {
    char *s;
    size_t len, cap;
} Buf;
void buf_putc(Buf *b, char c);
void buf_puts(Buf *b, const char *s);
void buf_printf(Buf *b, const char *fmt, ...) PRINTF(2, 3);
void buf_vprintf(Buf *b, const char *fmt, va_list ap);
void buf_free(Buf *b);

/* Stretchy array of pointers. */
typedef struct {
    void **v;
    int n, cap;
} Vec;
void vec_push(Vec *v, void *p);

/* A map from strings to ints (open addressing). Keys are not copied: they
 * must outlive the map (arena strings do). */
typedef struct {
    const char **keys;
    int *vals;
    int n, cap;
} StrMap;
int *strmap_get(const StrMap *m, const char *key); /* NULL when absent */
int *strmap_put(StrMap *m, const char *key);       /* 0 when new */
void strmap_free(StrMap *m);

/* Reads a whole file; NULL (errno set) when it cannot. *len excludes the
 * terminating NUL that is always appended. */
char *read_file(const char *path, size_t *len);

/* Writes data to path atomically: a temporary file beside it, then rename.
 * An existing file is untouched on failure. Returns 0 or -1 (errno). */
int write_file_atomic(const char *path, const void *data, size_t len);

/* Edit distance ignoring case, for "did you mean" (capped at max+1). */
int edit_distance(const char *a, const char *b, int max);

/* ---------------------------------------------------------------- diag.c */

typedef struct {
    const char *name; /* as given on the command line */
    const char *text; /* NUL-terminated contents */
    size_t len;
    int *line_start; /* diag.c: offsets of the line starts, made when needed */
    int nlines;
} SrcFile;

/* A source span: byte offsets [lo, hi) into file->text. */
typedef struct {
    const SrcFile *file;
    int lo, hi;
} Span;

/* The kinds of warning, each silenced by -Wno-NAME. */
#define GSC_WARNINGS(W)                                                    \
    W(UNUSED_LAYER, "unused-layer")           /* declared, never applied */ \
    W(UNUSED_VALUE, "unused-value")           /* computed, never used */    \
    W(SINGLE_POSITION_BATCHNORM, "single-position-batchnorm") /* 1x1 input: output is beta */
typedef enum {
#define W(id, name) W_##id,
    GSC_WARNINGS(W)
#undef W
    W__COUNT
} WarnKind;

extern int diag_errors;    /* errors reported so far */
extern int diag_warnings;  /* warnings reported (not counting -Werror's) */
extern int diag_max;       /* stop after this many (default 20) */
extern bool diag_color;    /* colour on a terminal */
extern bool diag_werror;   /* -Werror: warnings are errors */
extern bool diag_wno[W__COUNT]; /* -Wno-NAME: silenced */

/* The one error path. Prints "file:line:col: error: msg", the line and a
 * caret/underline under the span. After diag_max errors, exits with 1.
 * A note's line is not shown again when the diagnostic before it showed it. */
void error_at(Span sp, const char *fmt, ...) PRINTF(2, 3);
void verror_at(Span sp, const char *fmt, va_list ap);
void note_at(Span sp, const char *fmt, ...) PRINTF(2, 3);
/* A warning of kind k, ending in "[-WNAME]"; an error with -Werror. False
 * (and the notes that follow are dropped) when the kind is silenced. */
bool warn_at(WarnKind k, Span sp, const char *fmt, ...) PRINTF(3, 4);
/* Applies -Werror, -Wno-error, -WNAME or -Wno-NAME; false if unknown. */
bool warn_flag(const char *flag);
void warn_kinds(Buf *b); /* "unused-layer, unused-value, ..." */
/* An error with no location (bad input file, bad -D value). */
void error_plain(const char *fmt, ...) PRINTF(1, 2);
/* An error in a whole input file that has no lines (an ONNX model):
 * "name: error: msg". */
void error_file(const char *name, const char *fmt, ...) PRINTF(2, 3);
/* A bug in gsc, not in the input: says so and exits with 3. */
NORETURN void internal_error(const char *fmt, ...) PRINTF(1, 2);
/* Line and column (1-based, columns in bytes) of an offset. */
void span_linecol(Span sp, int *line, int *col);

/* ---------------------------------------------------------------- ops.h */

typedef enum {
#define X(id, name, mi, ma, np, sig) OP_##id,
#include "ops.h"
#undef X
    OP__COUNT
} OpKind;

/* The attribute slots of each operation, by name: CONV2D_cin, CONV2D_k,
 * MAXPOOL2D_stride, ... (index GNode.attr and GNode.a with them). */
#define ARROW(op, a, b) op##_##a, op##_##b,
#define POS(op, a) op##_##a,
#define KW(op, a) op##_##a,
#define OPT(op, a, v) op##_##a,
#define RKW(op, a) op##_##a,
#define ROPT(op, a, v) op##_##a,
#define AXES(op, a) op##_##a, op##_##a##_w,
#define AXES_OPT(op, a, v) op##_##a, op##_##a##_w,
#define PADS(op, a, v) op##_##a, op##_##a##_left, op##_##a##_bottom, op##_##a##_right,
#define X(id, name, mi, ma, np, attrs) enum { attrs id##__NATTR };
#include "ops.h"
#undef X
#undef ARROW
#undef POS
#undef KW
#undef OPT
#undef RKW
#undef ROPT
#undef AXES
#undef AXES_OPT
#undef PADS

typedef struct {
    const char *name;
    int min_in, max_in, nparams;
} OpInfo;
extern const OpInfo op_info[OP__COUNT];
int op_lookup(const char *name); /* OpKind or -1 */

#define MAX_ATTR 16
/* An operation's attributes as the resolver and checker read them. */
typedef struct {
    int nattr;
    const char *attr[MAX_ATTR]; /* attribute names, in slot order */
    bool has_default[MAX_ATTR];
    int64_t defval[MAX_ATTR];
    bool positional[MAX_ATTR]; /* given without a keyword */
    bool arrow[MAX_ATTR];      /* first of an arrow pair */
    bool real[MAX_ATTR];       /* a real number (GNode.r), not a size */
    int axes[MAX_ATTR];        /* 1: one value; 2: k=(kh, kw), the slot and the next;
                                  4: pad=(top, left, bottom, right), the slot and the next
                                  three; 0: one of those next slots (no keyword of its own) */
    double rdefval[MAX_ATTR];  /* a real attribute's default */
} OpSig;
const OpSig *op_sig(OpKind op);
/* The name of parameter tensor i of an op layer, after the layer's path:
 * "weight", "bias"; batchnorm_eval's "running_mean", "running_var"; "" for
 * param's, which is named by the path alone. */
const char *op_param_name(OpKind op, int i);
int op_attr_index(OpKind op, const char *name); /* slot of a named attribute */
/* A real number as GraphSpec writes it, shortest first and always with a
 * '.' or an exponent, so that it reads back as the same double: "1e-05",
 * "0.1", "6.0". An arena string. */
const char *real_str(double v);

/* ---------------------------------------------------------------- AST */

typedef enum {
    ND_NUM,   /* 42 */
    ND_REAL,  /* 1e-5, 0.1, -1.0: only as an operation's real argument */
    ND_NAME,  /* x */
    ND_BIN,   /* a + b; op in 'op' as the character */
    ND_CALL,  /* f(args) */
    ND_ARROW, /* a -> b, only as a call argument */
    ND_KWARG, /* k = e, only as a call argument */
    ND_SHAPE, /* [e, e, ...] */
    ND_TUPLE, /* (e, e, ...), two or more: only as a per-axis argument k=(1, 3) */
    ND_CMP,   /* a >= b; op: one of CMP_* */
    ND_APPLY, /* f(args)(operands): lhs the call, args the operands; never
                 valid (resolve.c explains how to write it) */
} NodeKind;

enum { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE };

/* What a name in the body refers to; filled in by resolve.c. */
typedef enum {
    REF_NONE,
    REF_SYM,    /* a Sym of the enclosing item: slot */
    REF_OP,     /* an operation: opkind */
    REF_BLOCK,  /* a block: item */
    REF_DIMFN,  /* a dimension function: item */
    REF_SEQ,    /* seq(...) */
    REF_REPEAT, /* repeat(n, i -> layer): num the count, slot the index's Sym or -1 */
} RefKind;

typedef struct Item Item;
typedef struct Node Node;
struct Node {
    NodeKind kind;
    Span span;
    int op;        /* ND_BIN: '+','-','*','/','%'; ND_CMP: CMP_* */
    int64_t num;   /* ND_NUM */
    double real;   /* ND_REAL; NaN: out of range (reported by the lexer) */
    const char *name; /* ND_NAME, ND_CALL (callee), ND_KWARG (keyword) */
    Span name_span;   /* the callee / keyword itself */
    Node *lhs, *rhs;  /* ND_BIN, ND_ARROW, ND_CMP; ND_KWARG: rhs */
    Node **args;      /* ND_CALL args, ND_SHAPE and ND_TUPLE elements */
    int nargs;
    /* Filled in by resolve.c: */
    RefKind ref;
    int slot;         /* REF_SYM: index into item->syms */
    OpKind opkind;    /* REF_OP */
    Item *item;       /* REF_BLOCK, REF_DIMFN */
    Node **ins;       /* ND_CALL: tensor operands, in order */
    int nins;
    Node **attrs;     /* ND_CALL of an op or block: integer arguments in
                         signature / parameter order; NULL entry = default */
};

/* A formal parameter: integer parameter (name [= default]) or a tensor
 * input (name : shape). */
typedef struct {
    const char *name;
    Span span;
    Node *shape;      /* tensor input: ND_SHAPE; else NULL */
    Node *defval;     /* integer parameter default, or NULL */
} Param;

typedef enum {
    ST_LAYER,  /* name = layer-expression      (declares parameters) */
    ST_LET,    /* let name [: shape] = expr    (a value, computed once) */
    ST_RETURN, /* return expr */
} StmtKind;

typedef struct {
    StmtKind kind;
    Span span;
    const char *name;
    Span name_span;
    Node *shape; /* ST_LET annotation, or NULL */
    Node *expr;
    int slot;    /* resolve.c: the Sym it declares */
} Stmt;

typedef enum { IT_DIM, IT_BLOCK, IT_MODEL, IT_ASSERT } ItemKind;

/* A name declared in a block or model (or a dim function's argument). */
typedef enum {
    SYM_INT,    /* integer parameter; index: into item->params */
    SYM_DIMVAR, /* shape variable bound from an input's shape (H, c, ...) */
    SYM_INPUT,  /* tensor input; index: into item->inputs */
    SYM_LAYER,  /* layer; index: into item->body */
    SYM_VALUE,  /* let value; index: into item->body */
    SYM_INDEX,  /* the index of a repeat(n, i -> layer), a size within the layer */
} SymKind;

typedef struct {
    const char *name;
    SymKind kind;
    Span span;
    int index;
    Node *bound_by; /* SYM_DIMVAR: the shape element that binds it */
    int used;
} Sym;

struct Item {
    ItemKind kind;
    Span span;
    const char *name;
    Span name_span;
    Param *params;  /* IT_DIM: arguments; BLOCK/MODEL: integer params */
    int nparams;
    Param *inputs;  /* BLOCK/MODEL: tensor inputs */
    int ninputs;
    Node *result;   /* BLOCK/MODEL: result shape; IT_DIM: body; IT_ASSERT: cond */
    Node **where;   /* MODEL: constraints (ND_CMP) */
    int nwhere;
    Param *defaults; /* MODEL: default values for input dimensions */
    int ndefaults;
    Stmt *body;
    int nbody;
    /* Filled in by resolve.c: */
    Sym *syms;
    int nsyms;
    bool bad;   /* had resolution errors: later stages skip it */
};

typedef struct {
    const SrcFile *file;
    Item *items;
    int nitems;
    StrMap item_index; /* resolve.c: name -> index + 1 of its first item */
} Program;

/* ---------------------------------------------------------------- lexer.re / parser.y */

/* Parses a whole file. Syntax errors are reported through diag; the parser
 * recovers at item and statement level. Returns the items it could build. */
Program *parse_program(const SrcFile *file);

/* ---------------------------------------------------------------- onnx.c, print.c */

/* An imported ONNX model: the GraphSpec model it means, as statements that
 * print.c writes out as source text, and its weights by tensor name. */
typedef enum { IM_LAYER, IM_LET, IM_RETURN } ImKind;
typedef struct {
    ImKind kind;
    const char *name;  /* layer or value name (NULL for the return) */
    const char *expr;  /* layer declaration or value expression */
    const char *shape; /* IM_LET: "[64, (H + 1) / 2, (W + 1) / 2]" where written, or NULL */
    int rank;          /* IM_LET: its shape */
    struct Dim **d;
    const char *from;  /* the ONNX node(s) it comes from, for a comment */
} ImStmt;

typedef struct {
    const char *name;  /* "conv1.weight": the ABI name of the GraphSpec layer */
    int64_t count;
    float *data;
} ImWeight;

typedef struct {
    const char *source;   /* the ONNX file's name */
    const char *about;    /* "producer pytorch 1.13.1, opset 13" */
    const char *model;    /* model name */
    const char *input;    /* input name */
    const char *in_shape, *out_shape;
    const char *in_file;  /* the input's shape in the file where a Reshape gives in_shape, or NULL */
    const char *out_file; /* the output's shape in the file where out_shape is it flattened, or NULL */
    const char *where;    /* "H >= 32, W >= 32", or NULL */
    const char *defaults; /* "H = 224, W = 224", or NULL */
    Vec stmts;            /* ImStmt* */
    Vec weights;          /* ImWeight* */
} Imported;

bool onnx_path(const char *path); /* names an ONNX file (.onnx) */
/* Reads an ONNX model (the bytes of path). symbolic is --symbolic's
 * "H=2,W=3" (input axes to keep as size symbols) or NULL. Errors are
 * reported as "path: error: node 'N' (Op, opset K): ..."; NULL then. */
Imported *onnx_import(const char *path, const uint8_t *data, size_t len, const char *symbolic);
/* The GraphSpec source text of an imported model. */
void print_graphspec(const Imported *im, Buf *b);

/* ---------------------------------------------------------------- resolve.c */

/* Checks names and call forms; reports through diag. Annotates nothing:
 * later stages look names up again through the same scopes (resolve.c
 * exports the lookup). Returns the number of errors it found. */
int resolve_program(Program *p);
Item *find_item(Program *p, const char *name);

/* ---------------------------------------------------------------- dim.c */

/* Shape expressions over the naturals (Lean's Nat): truncated subtraction,
 * floor division, modulo; division or modulo by zero yields 0 (as in Lean).
 * DX_ISUB is integer (untruncated) subtraction, made only by the prover. */
typedef enum { DX_NUM, DX_SYM, DX_ADD, DX_SUB, DX_MUL, DX_DIV, DX_MOD, DX_ISUB } DimKind;

typedef struct Dim Dim;
struct Dim {
    DimKind kind;
    int64_t num; /* DX_NUM */
    int sym;     /* DX_SYM: index into the DimEnv */
    Dim *a, *b;
};

/* The symbols a claim ranges over, each in [lo, hi] (hi = INT64_MAX for no
 * upper bound) and, when step > 1, only its multiples of step ('where
 * H % 32 == 0'; 0 and 1 mean every integer). */
typedef struct {
    const char *name;
    int64_t lo, hi;
    int64_t step;
} DimSym;

typedef struct {
    DimSym *syms;
    int nsyms;
} DimEnv;

Dim *dim_num(int64_t v);
Dim *dim_sym(int sym);
Dim *dim_bin(DimKind k, Dim *a, Dim *b); /* folds constants */
/* One operation on two values, as dim_eval does it: DX_SUB truncates at 0,
 * DX_DIV and DX_MOD are floor division and its remainder (the remainder has
 * the sign of the divisor), x / 0 = 0 and x % 0 = x. False on int64 overflow.
 * The prover evaluates with it too, so the two cannot disagree. */
bool dim_apply(DimKind k, int64_t a, int64_t b, int64_t *out);
DimKind dim_op_kind(int op);              /* '+' -> DX_ADD, ... '%' -> DX_MOD */
/* Evaluates with symbol values vals[]; sets *overflow when an intermediate
 * leaves int64 range. */
int64_t dim_eval(const Dim *d, const int64_t *vals, bool *overflow);
bool dim_is_const(const Dim *d, int64_t *v);
bool dim_same(const Dim *a, const Dim *b); /* written the same way (structurally equal) */
void dim_print(Buf *b, const Dim *d, const DimEnv *env);
char *dim_str(const Dim *d, const DimEnv *env); /* arena string */
/* d written shorter where that is exact: its normal form (prove.c: constants
 * folded, x + 0, x * 1, (x - k) + k where x >= k on the domain, (a + b*c) / c
 * = a / c + b, x / a / b = x / (a*b), common factors of a quotient ...),
 * when that prints shorter and is proved equal to d for every point of
 * env's domain; else d itself. */
Dim *dim_simplify(Dim *d, const DimEnv *env);
/* The least common multiple of a, b >= 1; 0 when it leaves int64 range. */
int64_t dim_lcm(int64_t a, int64_t b);
/* Is v a value symbol s may take (its bounds and its step)? */
bool dim_sym_allows(const DimSym *s, int64_t v);
/* The domain as the user reads it: "H >= 32 and a multiple of 32, W >= 1
 * and <= 4096" (arena string, "" for no symbols). */
char *dim_domain_str(const DimEnv *env);

/* ---------------------------------------------------------------- prove.c */

typedef enum { PROVE_TRUE, PROVE_FALSE, PROVE_UNKNOWN } ProveResult;

/* The result of a claim. On PROVE_FALSE, cex[] (env->nsyms values) is a
 * point in the domain where the claim fails. On PROVE_UNKNOWN, why says
 * what was outside the procedure. */
typedef struct {
    ProveResult res;
    int64_t *cex;   /* arena, env->nsyms entries, on PROVE_FALSE */
    const char *why; /* arena string, on PROVE_UNKNOWN */
    const char *method; /* how it was decided, for --explain */
} Proof;

/* Claims over all points of the env's domain (each symbol in [lo, hi]). */
Proof prove_eq(const DimEnv *env, const Dim *a, const Dim *b); /* a = b */
Proof prove_ge(const DimEnv *env, const Dim *a, const Dim *b); /* a >= b */
/* The normal form the procedure reasons about, for --explain. */
char *prove_normal_str(const DimEnv *env, const Dim *d);
/* The normal form as a Dim of the language (truncated subtraction, floor
 * division by constants), equal to d wherever every symbol is a natural in
 * its [lo, hi]; NULL when the procedure gives up or a symbol may be
 * negative. d must not hold integer subtraction (DX_ISUB). */
Dim *prove_normal_dim(const DimEnv *env, const Dim *d);

/* ---------------------------------------------------------------- check.c */

#define MAX_RANK 4

typedef struct {
    int rank;
    Dim *d[MAX_RANK];    /* symbolic, over the model's symbols */
    int64_t n[MAX_RANK]; /* concrete, filled by spec.c */
} Shape;

/* INIT_UNIFORM_FAN: the LCG stream in [-b, b), b = 1 / sqrt(fan_in) of a
 * [cin, cout, kh, kw] weight (PyTorch's ConvTranspose2d default bound,
 * fan_in = cout*kh*kw), b kept in Tensor.fill once the sizes are known */
typedef enum { INIT_UNIFORM, INIT_ZERO, INIT_ONE, INIT_FILL, INIT_UNIFORM_FAN } InitKind;

/* One parameter tensor of the flat ABI. */
typedef struct {
    const char *name;    /* dotted path, PyTorch style: layer2.0.conv1.weight */
    Shape shape;
    InitKind init;
    double fill;         /* INIT_FILL: every element this value (as a float); INIT_UNIFORM_FAN: the bound */
    bool shaped;         /* its shape is known (its layer was applied) */
    Span span;           /* the layer declaration */
    int64_t offset;      /* in floats, filled by spec.c */
    int64_t count;
} Tensor;

/* One tensor value of the graph (SSA: defined once). */
typedef struct {
    Shape shape;
    int producer;        /* index of the GNode that computes it, -1: input */
    const char *name;    /* for comments and diagnostics */
    Span span;
    int nuses;
    bool named;          /* an input or a let value: the name is the user's */
} Value;

/* One operation, applied once, in topological order. */
typedef struct {
    OpKind op;
    const char *name;    /* dotted layer path or the value's name */
    Span span;           /* the application in the source */
    int *in;             /* value indices */
    int nin;
    int out;
    Dim *attr[MAX_ATTR]; /* symbolic attributes, in signature order (NULL: a real one) */
    int64_t a[MAX_ATTR]; /* concrete, filled by spec.c */
    double r[MAX_ATTR];  /* real attributes (op_sig(op)->real), by the same slots */
    int param;           /* first ABI tensor, or -1 */
} GNode;

/* The parameter tensors of a node (specialised): op_info's nparams, but 1
 * for a conv2d with bias=0; and its bias tensor (param + 1), or -1. */
int gnode_ntensors(const GNode *n);
int gnode_bias(const GNode *n);

/* A proof obligation and how it ended, for --explain. */
typedef struct {
    Span span;
    const char *what;
    Dim *lhs, *rhs;
    bool ge;             /* lhs >= rhs, else lhs = rhs */
    Proof proof;
} Obligation;

typedef struct {
    Program *prog;
    Item *model;
    DimEnv env;          /* model parameters, then input dimensions */
    GNode *nodes;
    int nnodes;
    Value *values;
    int nvalues;
    Tensor *tensors;
    int ntensors;
    int input, output;   /* value indices */
    Obligation *obls;
    int nobls;
    /* filled by spec.c */
    int64_t *symval;     /* per env symbol */
    int64_t nparams;     /* floats */
} Graph;

/* Elaborates the model (blocks instantiated, layers expanded into the ABI)
 * and proves every shape fact for all sizes the model's 'where' allows.
 * Reports through diag; returns NULL if the model has errors. */
Graph *check_model(Program *p, Item *model);
/* Lists the obligations and their proofs (gsc --check --explain). */
void explain_graph(const Graph *g, FILE *out);
/* Source text of a span, as an arena string. */
char *span_text(Span sp);

/* ---------------------------------------------------------------- spec.c */

/* Binds every symbol (-D NAME=VALUE, else the default), checks the 'where'
 * constraints, computes every concrete shape, attribute and ABI offset with
 * overflow checks, and evaluates the file's assertions. Returns 0 or the
 * number of errors. With free_sizes (--check) and no -D, a symbol with no
 * default is no error: the graph is left unspecialised (symval NULL), with
 * the parameter ABI laid out if its shapes are constants (else nparams -1). */
int specialise(Graph *g, const char *const *defines, int ndefines, bool free_sizes);
/* Only the parameter ABI's offsets, for no particular sizes: reports a
 * tensor whose shape depends on them. Returns 0 or the number of errors. */
int lay_out_params(Graph *g);
int64_t shape_count(const Shape *s); /* elements of a concrete shape */
/* The generated C and the runtime size tensors with 32-bit ints: reports
 * what does not fit (before lowering). Returns the number of errors. */
int check_c_limits(const Graph *g);

/* ---------------------------------------------------------------- grad.c */

typedef enum { LOSS_XENT, LOSS_MSE } LossKind;

/* The backward pass of a specialised graph under a loss, as data. */
typedef struct {
    const Graph *g;
    LossKind loss;
    int loss_value;  /* the value the loss reads: the output, or the input of a final softmax */
    int skipped;     /* that final softmax (cross-entropy of probabilities): not differentiated; or -1 */
    bool *need;      /* per value: its gradient is computed */
    int *order;      /* the nodes to differentiate, in the order the backward runs them */
    int norder;
} Grad;

/* Which values need gradients (of the parameters; of the input too when
 * want_dinput) and the backward order. Reports through diag (a loss that
 * does not fit the output) and returns NULL then. */
Grad *grad_graph(const Graph *g, LossKind loss, bool want_dinput);
const char *loss_name(LossKind k);

/* ---------------------------------------------------------------- eval.c */

/* The seed's deterministic initialiser over the whole ABI. */
void init_params(const Graph *g, float *params);
/* Runs the model on one input; returns the output (malloc'd). */
float *eval_graph(const Graph *g, const float *params, const float *input, bool f64, bool progress);
/* The loss of one example and its gradients: the forward, the loss (label
 * for LOSS_XENT, target[output size] for LOSS_MSE) and the backward of gr.
 * Fills dparams[g->nparams] and, if dinput is not NULL (gr made with
 * want_dinput), dinput[input size]. Parameters in double, so that finite
 * differences can perturb them finely; with f64 false every stored value and
 * every completed gradient is rounded to float32. */
double eval_grad(const Grad *gr, const double *params, const double *input, int64_t label, const double *target,
                 bool f64, double *dparams, double *dinput);

/* ---------------------------------------------------------------- lower.c */

/* The runtime kernels a call may name (kernels.h). */
typedef enum {
#define K(id, fn, sig) K_##id,
#include "kernels.h"
#undef K
    K__COUNT
} KernelId;

typedef struct {
    const char *fn;  /* the C function */
    const char *sig; /* kernels.h: one letter per argument */
} KernelInfo;
extern const KernelInfo kernel_info[K__COUNT];

/* Where a buffer lives. */
typedef enum { LOC_INPUT, LOC_OUTPUT, LOC_WORKSPACE, LOC_TARGET } BufLoc; /* LOC_TARGET: P_grad's target */

/* How a buffer's floats are laid out. */
typedef enum {
    LAY_PLAIN,   /* row-major: [c, h, w] or [n] */
    LAY_BLOCKED, /* channel-blocked [c/16][h][w][16] (runtime/gsc_fast.h) */
    LAY_PAIRS,   /* per channel pairs [2][cpad(c)]: mean, variance or scale, shift */
    LAY_SCRATCH, /* a kernel's scratch bytes */
} Layout;

/* A buffer of the forward pass: the caller's input or output, or a range of
 * the workspace. */
typedef struct {
    const char *name;  /* dotted, after what it holds: layer1.0.conv1, bn1.ss */
    const char *what;  /* for its comment: "scale, shift of bn1" (or NULL) */
    BufLoc loc;
    Layout layout;
    Shape shape;       /* concrete; rank 1 [c] for LAY_PAIRS, rank 0 for scratch */
    int value;         /* the graph value it holds, or -1 */
    int64_t bytes;     /* a multiple of 64 */
    /* plan.c: */
    int first, last;   /* the calls that first and last touch it (-1: none) */
    int64_t off;       /* bytes into the workspace */
    int alias;         /* shares the memory of this buffer (in place), or -1 */
} WBuf;

/* One argument of a call. */
typedef enum {
    LA_BUF,   /* buffer buf, v floats in */
    LA_NULL,  /* no buffer */
    LA_INT,   /* the integer v */
    LA_REAL,  /* the real number x (a float argument) */
    LA_FLAGS, /* GSC_FAST_* bits v */
    LA_PREP,  /* prepared weights: the PrepStep v */
    LA_GEOM,  /* the geometry LGeom v */
    LA_PARAM, /* P_grad: the parameter tensor v, in params */
    LA_GRAD,  /* P_grad: the gradient of parameter tensor v, in grads */
    LA_LABEL, /* P_grad: the class label */
} LArgKind;

typedef struct {
    LArgKind kind;
    int buf;
    int64_t v;
    double x; /* LA_REAL */
} LArg;

/* An operation whose work a call does beside its own. */
typedef enum {
    FUSE_INPUT,  /* applied to an operand as the call reads it (a BN, a ReLU) */
    FUSE_OUTPUT, /* applied to the result before it is stored (the ReLU after an add) */
    FUSE_STATS,  /* its batch statistics computed from the result (a BN after a conv) */
    FUSE_FOLDED, /* folded into the call's prepared weights (an inference BN after a conv) */
    FUSE_VIEW,   /* a view of an operand: no work (flatten of a vector) */
    FUSE_BACKWARD, /* its backward, on the gradient the call reads (a ReLU after a train-mode BN) */
} FuseKind;

typedef struct {
    const GNode *node;
    FuseKind how;
} Fused;

/* One runtime call. */
typedef struct {
    KernelId k;
    const GNode *node; /* the operation it belongs to; NULL: see what */
    const char *what;  /* a call of no operation: "the loss", "the result, in the caller's layout" */
    bool backward;     /* part of node's backward */
    LArg *args;        /* as kernel_info[k].sig lists them */
    int nargs;
    Fused *fused;
    int nfused;
    const char *note;  /* for its comment: why this kernel (a convolution's method), or NULL */
} LCall;

/* The window of a convolution or pooling, per axis and side: kernel kh x
 * kw, strides sh, sw, padding top, left, bottom, right, and the dilation dh,
 * dw (1 for the pools): the interpreter and the lowering read it so. */
typedef struct {
    int64_t kh, kw, sh, sw, top, left, bottom, right, dh, dw;
} Win;
Win win_of(const GNode *n); /* of a conv2d, maxpool2d or avgpool2d node (ops.c) */

/* The geometry argument of a convolution or pooling call. */
typedef struct {
    const GNode *node;
    bool pool;         /* a GscFastPool, else a GscFastConv */
    int64_t cin, h, w, cout, k, stride, pad; /* pools: cin = c, no cout; k, stride, pad: the height's, the top */
    int64_t groups;    /* convolutions: 1 (printed only when not), or the groups */
    int64_t ceil;      /* a max-pool's ceil mode (printed only when 1) */
    Win win;           /* the whole window */
    bool axes;         /* not square (lower.c, win_square): .axes = 1 and the rest printed */
    bool no_pad_count; /* an average pool with count_pad=0 (printed only then) */
} LGeom;

/* One statement of P_prepare: from the PyTorch-layout params to the
 * kernels' layout in prepared. */
typedef enum { PREP_COPY, PREP_CONV, PREP_CONVT, PREP_WINOGRAD, PREP_LINEAR } PrepKind;
typedef struct {
    PrepKind kind;
    const GNode *node;
    int tensor;        /* the tensor copied, or the weight (its bias is tensor + 1) */
    const char *name;  /* dotted: bn1.weight, conv1.packed */
    int64_t src, src2; /* offsets in params: weight, bias (-1: a conv2d without one) */
    int64_t count;     /* floats it fills */
    int64_t dst;       /* offset in prepared (16-float aligned) */
    int tile;          /* PREP_WINOGRAD: m of F(m x m, 3x3) */
    const GNode *bn;   /* PREP_CONV, PREP_WINOGRAD: the batchnorm_eval folded in, or NULL */
    int64_t bn_src;    /* its gamma, beta, mean, variance ([4][cout]) in params */
} PrepStep;

typedef struct {
    bool fast;         /* runtime/gsc_fast.h, else the reference kernels */
    Vec bufs;          /* WBuf* */
    Vec calls;         /* LCall*, in order */
    Vec geoms;         /* LGeom* */
    Vec prep;          /* PrepStep* */
    int64_t prepared_floats;
    int input_buf, output_buf;
    const Grad *grad;  /* the training step (P_grad) of this backward pass, or NULL: the forward */
    /* plan.c: */
    bool planned;
    int64_t workspace_bytes;  /* the plan */
    int64_t workspace_bound;  /* most bytes live at one call: no plan for this order does better */
    int64_t workspace_naive;  /* every buffer on its own */
} Lowered;

/* How the fast backend computes a 3x3 stride-1 convolution (gsc --conv):
 * by the cost model (lower.c, conv_method), always directly, or by Winograd
 * wherever it applies. Read by lower_graph; CONV_AUTO unless set. */
typedef enum { CONV_DIRECT, CONV_AUTO, CONV_WINOGRAD } ConvMode;
extern ConvMode lower_conv_mode;

/* Requires a specialised graph (spec.c) within the C limits (check_c_limits). */
Lowered *lower_graph(const Graph *g, bool fast);
/* The training step: forward (reference kernels reading the parameters as
 * they are), the loss and the backward of gr, adding into the gradients. */
Lowered *lower_train(const Graph *g, const Grad *gr);
/* What the generated P_prepare does (for --embed-weights). */
void run_prepare(const Lowered *L, const float *params, float *prepared);
/* The argument letter of call c's argument i (kernels.h), and whether it may be NULL. */
char call_arg_role(const LCall *c, int i, bool *optional);

/* ---------------------------------------------------------------- plan.c */

/* Buffer lifetimes from the calls, in-place sharing, then an offset for
 * every workspace buffer; fills L->workspace_*. */
void plan_memory(Lowered *L);

/* ---------------------------------------------------------------- emit.c */

typedef struct {
    const char *prefix;      /* names the C symbols: rn18_forward, RN18_... */
    const char *source_name; /* the .gs file's name shown in comments (no directories) */
    const char *header_name; /* what NAME.c includes */
    const float *embedded;   /* prepared weights to compile in (--embed-weights), or NULL */
    const char *weights_file; /* or the name of the safetensors file beside NAME.c that holds them */
    bool profile;            /* GSC_PROFILE_BEGIN/END around each operation (--profile) */
} EmitOptions;

/* The text of NAME.c and NAME.h for the graph, lowered and planned; with
 * the training step T (lower_train, planned) too when T is not NULL. */
void emit_c(const Graph *g, const Lowered *L, const Lowered *T, const EmitOptions *opt, Buf *c, Buf *h);

/* ---------------------------------------------------------------- report.c */

/* --emit=summary: a table per operation and totals; the memory plan's
 * totals when L (lowered and planned) is given. */
void emit_summary(const Graph *g, const Lowered *L, Buf *b);
/* --train --emit=summary, after emit_summary: the training step's memory
 * plan (T from lower_train, planned) beside its lower bound and beside a
 * buffer per value and gradient (what saving every forward value takes). */
void emit_train_summary(const Lowered *T, Buf *b);
/* --emit=dot: the DAG for Graphviz, blocks as clusters, edges with shapes. */
void emit_dot(const Graph *g, Buf *b);

/* ---------------------------------------------------------------- abi.c */

void emit_abi_json(const Graph *g, Buf *b);
GscTensorInfo *tensor_table(const Graph *g);
float *load_params(const Graph *g, const char *path);   /* NULL: reported */
int write_params(const Graph *g, const float *params, const char *path);
/* onnx.c: the imported weights in the ABI of g (the graph of the printed model). */
float *onnx_params(const Graph *g, const Imported *im);

#endif
