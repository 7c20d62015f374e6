/*
 * report.c - reports about a compiled graph, for people: a per-operation
 * summary table (gsc's torchinfo) and a Graphviz DOT drawing of the DAG.
 *
 * Requires: a specialised Graph (spec.c: concrete shapes, attributes and
 * tensor counts). The summary's workspace lines are the caller's plan
 * (a Lowered that plan_memory has planned): planning depends on the backend
 * the caller lowered for, so report.c does not plan by itself; without a
 * plan it says "not planned". Both functions read their inputs only.
 *
 * Provides text only, into a Buf; deterministic (no addresses, no dates,
 * no directories). It does not check anything: every fact it prints was
 * established by check.c, spec.c and plan.c. Multiply-adds are counted for
 * conv2d (cout*oh*ow*cin*k*k), conv_transpose2d (cin*h*w*cout*k*k) and linear (in*out) only: biases, batchnorm,
 * pooling, add, relu, concat, flatten and softmax are not multiply-adds and
 * show "-". The DOT text names nodes by operation index (n0, n1, ...), so
 * repeated names (layer1.0.relu is applied twice) cannot collide.
 */
#include "gsc.h"

#include <ctype.h>
#include <string.h>

static long long N(int64_t v)
{
    return (long long)v;
}

/* ------------------------------------------------------------ formatting */

/* 11694312 -> "11,694,312" (arena string). */
static const char *thousands(int64_t v)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%lld", N(v < 0 ? -v : v));
    Buf b = {0};
    if (v < 0)
        buf_putc(&b, '-');
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            buf_putc(&b, ',');
        buf_putc(&b, digits[i]);
    }
    const char *s = arena_printf("%s", b.s);
    buf_free(&b);
    return s;
}

/* Bytes in binary units: "512 B", "392.0 KiB", "3.06 MiB". */
static const char *bytes_human(int64_t v)
{
    if (v < 1024)
        return arena_printf("%lld B", N(v));
    if (v < 1024 * 1024)
        return arena_printf("%.1f KiB", (double)v / 1024);
    if (v < (int64_t)1024 * 1024 * 1024)
        return arena_printf("%.2f MiB", (double)v / (1024.0 * 1024));
    return arena_printf("%.2f GiB", (double)v / (1024.0 * 1024 * 1024));
}

/* Counts in decimal units, as torchinfo prints multiply-adds: "1.81 G". */
static const char *count_human(int64_t v)
{
    if (v < 1000)
        return arena_printf("%lld", N(v));
    if (v < 1000000)
        return arena_printf("%.2f K", (double)v / 1e3);
    if (v < 1000000000)
        return arena_printf("%.2f M", (double)v / 1e6);
    return arena_printf("%.2f G", (double)v / 1e9);
}

/* [64, 56, 56] -> "64x56x56". */
static const char *shape_dims(const Shape *s)
{
    Buf b = {0};
    for (int i = 0; i < s->rank; i++)
        buf_printf(&b, "%s%lld", i ? "x" : "", N(s->n[i]));
    const char *r = arena_printf("%s", b.s ? b.s : "scalar");
    buf_free(&b);
    return r;
}

static const Shape *out_shape(const Graph *g, const GNode *n)
{
    return &g->values[n->out].shape;
}

/* The operation and its defining attributes: "conv2d 3x3/2", "linear 512->1000". */
static const char *op_desc(const GNode *n)
{
    const char *name = op_info[n->op].name;
    switch (n->op) {
    case OP_CONV2D:
    {
        const char *g = n->a[CONV2D_groups] == 1                   ? ""
                        : n->a[CONV2D_groups] == n->a[CONV2D_cin] ? " dw"
                                                                  : arena_printf(" g%lld", N(n->a[CONV2D_groups]));
        if (n->a[CONV2D_stride] == n->a[CONV2D_stride_w])
            return arena_printf("%s %lldx%lld/%lld%s", name, N(n->a[CONV2D_k]), N(n->a[CONV2D_k_w]),
                                N(n->a[CONV2D_stride]), g);
        return arena_printf("%s %lldx%lld/%lldx%lld%s", name, N(n->a[CONV2D_k]), N(n->a[CONV2D_k_w]),
                            N(n->a[CONV2D_stride]), N(n->a[CONV2D_stride_w]), g);
    }
    case OP_CONV_TRANSPOSE2D:
    case OP_MAXPOOL2D:
    case OP_AVGPOOL2D: {
        int k = op_attr_index(n->op, "k"), s = op_attr_index(n->op, "stride");
        if (n->a[s] == n->a[s + 1])
            return arena_printf("%s %lldx%lld/%lld", name, N(n->a[k]), N(n->a[k + 1]), N(n->a[s]));
        return arena_printf("%s %lldx%lld/%lldx%lld", name, N(n->a[k]), N(n->a[k + 1]), N(n->a[s]), N(n->a[s + 1]));
    }
    case OP_ADAPTIVE_AVGPOOL2D:
        return arena_printf("%s %lldx%lld", name, N(n->a[ADAPTIVE_AVGPOOL2D_size]), N(n->a[ADAPTIVE_AVGPOOL2D_size_w]));
    case OP_UPSAMPLE:
        return arena_printf("%s x%lldx%lld", name, N(n->a[UPSAMPLE_scale]), N(n->a[UPSAMPLE_scale_w]));
    case OP_UPSAMPLE_BILINEAR:
        return arena_printf("%s x%lldx%lld%s", name, N(n->a[UPSAMPLE_BILINEAR_scale]),
                            N(n->a[UPSAMPLE_BILINEAR_scale_w]), n->a[UPSAMPLE_BILINEAR_align_corners] ? " align_corners" : "");
    case OP_LINEAR:
        return arena_printf("%s %lld->%lld", name, N(n->a[LINEAR_in]), N(n->a[LINEAR_out]));
    case OP_BATCHNORM_EVAL:
        return arena_printf("%s eps=%s", name, real_str(n->r[BATCHNORM_EVAL_eps]));
    case OP_LAYERNORM:
        return arena_printf("%s eps=%s", name, real_str(n->r[LAYERNORM_eps]));
    case OP_BATCHNORM:
    case OP_RELU:
    case OP_GLOBAL_AVGPOOL:
    case OP_ADD:
    case OP_CONCAT:
    case OP_FLATTEN:
    case OP_SOFTMAX:
    case OP_RELU6:
    case OP_SIGMOID:
    case OP_TANH:
    case OP_SILU:
    case OP_GELU:
    case OP_GELU_TANH:
    case OP_HARDSWISH:
    case OP_HARDSIGMOID:
    case OP_CLIP:
    case OP_LEAKY_RELU:
    case OP_MUL:
    case OP_SUB:
    case OP_MAXIMUM:
    case OP_MINIMUM:
    case OP_IDENTITY:
    case OP_PARAM:
    case OP_NARROW:
    case OP_CHANNEL_SHUFFLE:
    case OP__COUNT:
        break;
    }
    return name;
}

/* Multiply-accumulates of one operation; 0 for operations that have none. */
static int64_t op_macs(const Graph *g, const GNode *n)
{
    const Shape *o = out_shape(g, n);
    switch (n->op) {
    case OP_CONV2D:
        return o->n[0] * o->n[1] * o->n[2] * (n->a[CONV2D_cin] / n->a[CONV2D_groups]) * n->a[CONV2D_k] *
               n->a[CONV2D_k_w];
    case OP_CONV_TRANSPOSE2D: /* every input cell meets cout*kh*kw weights */
    {
        const Shape *i = &g->values[n->in[0]].shape;
        return i->n[0] * i->n[1] * i->n[2] * o->n[0] * n->a[CONV_TRANSPOSE2D_k] * n->a[CONV_TRANSPOSE2D_k_w];
    }
    case OP_LINEAR:
        return n->a[LINEAR_in] * n->a[LINEAR_out];
    case OP_BATCHNORM:
    case OP_BATCHNORM_EVAL:
    case OP_LAYERNORM:
    case OP_RELU:
    case OP_MAXPOOL2D:
    case OP_AVGPOOL2D:
    case OP_GLOBAL_AVGPOOL:
    case OP_ADAPTIVE_AVGPOOL2D:
    case OP_UPSAMPLE:
    case OP_UPSAMPLE_BILINEAR:
    case OP_ADD:
    case OP_CONCAT:
    case OP_FLATTEN:
    case OP_SOFTMAX:
    case OP_RELU6:
    case OP_SIGMOID:
    case OP_TANH:
    case OP_SILU:
    case OP_GELU:
    case OP_GELU_TANH:
    case OP_HARDSWISH:
    case OP_HARDSIGMOID:
    case OP_CLIP:
    case OP_LEAKY_RELU:
    case OP_MUL:
    case OP_SUB:
    case OP_MAXIMUM:
    case OP_MINIMUM:
    case OP_IDENTITY:
    case OP_PARAM:
    case OP_NARROW:
    case OP_CHANNEL_SHUFFLE:
    case OP__COUNT:
        break;
    }
    return 0;
}

/* Floats in the parameter tensors of n, or -1 when an earlier application
 * of the same layer already counted them (shared[] remembers). */
static int64_t op_params(const Graph *g, const GNode *n, bool *shared)
{
    if (n->param < 0)
        return 0;
    if (shared[n->param])
        return -1;
    shared[n->param] = true;
    int64_t total = 0;
    for (int k = 0; k < gnode_ntensors(n); k++)
        total += g->tensors[n->param + k].count;
    return total;
}

static void require_specialised(const Graph *g, const char *who)
{
    if (!g->symval)
        internal_error("%s: the graph is not specialised", who);
}

static void print_sizes(const Graph *g, Buf *b, const char *sep)
{
    for (int i = 0; i < g->env.nsyms; i++)
        buf_printf(b, "%s%s=%lld", i ? sep : "", g->env.syms[i].name, N(g->symval[i]));
}

/* ------------------------------------------------------------ summary table */

enum { C_NAME, C_OP, C_SHAPE, C_PARAMS, C_MACS, C_ACT, NCOL };

static const char *const col_head[NCOL] = {"name", "op", "output", "params", "MACs", "activation"};
static const bool col_right[NCOL] = {false, false, false, true, true, true};

typedef struct {
    const char *cell[NCOL];
} Row;

typedef struct {
    int64_t params, macs, act;
} Totals;

static Row make_row(const Graph *g, const GNode *n, bool *shared, Totals *t)
{
    int64_t p = op_params(g, n, shared), m = op_macs(g, n);
    int64_t act = shape_count(out_shape(g, n)) * (int64_t)sizeof(float);
    t->params += p > 0 ? p : 0;
    t->macs += m;
    t->act += act;
    Row r;
    r.cell[C_NAME] = n->name;
    r.cell[C_OP] = op_desc(n);
    r.cell[C_SHAPE] = shape_dims(out_shape(g, n));
    r.cell[C_PARAMS] = p < 0 ? "shared" : thousands(p);
    r.cell[C_MACS] = n->op == OP_CONV2D || n->op == OP_CONV_TRANSPOSE2D || n->op == OP_LINEAR ? thousands(m) : "-";
    r.cell[C_ACT] = bytes_human(act);
    return r;
}

static void put_row(Buf *b, const Row *r, const int *w)
{
    Buf line = {0};
    for (int c = 0; c < NCOL; c++) {
        const char *sep = c ? "  " : "";
        if (col_right[c])
            buf_printf(&line, "%s%*s", sep, w[c], r->cell[c]);
        else
            buf_printf(&line, "%s%-*s", sep, w[c], r->cell[c]);
    }
    while (line.len && line.s[line.len - 1] == ' ')
        line.s[--line.len] = 0;
    buf_printf(b, "%s\n", line.s);
    buf_free(&line);
}

static void put_rule(Buf *b, const int *w)
{
    int total = 0;
    for (int c = 0; c < NCOL; c++)
        total += w[c] + (c ? 2 : 0);
    for (int i = 0; i < total; i++)
        buf_putc(b, '-');
    buf_putc(b, '\n');
}

static void put_table(Buf *b, const Row *rows, int nrows)
{
    Row head;
    int w[NCOL];
    for (int c = 0; c < NCOL; c++) {
        head.cell[c] = col_head[c];
        w[c] = (int)strlen(col_head[c]);
        for (int i = 0; i < nrows; i++)
            if ((int)strlen(rows[i].cell[c]) > w[c])
                w[c] = (int)strlen(rows[i].cell[c]);
    }
    put_row(b, &head, w);
    put_rule(b, w);
    for (int i = 0; i < nrows; i++)
        put_row(b, &rows[i], w);
    put_rule(b, w);
}

/* One line of the totals: label, exact number, human units, what it is. */
typedef struct {
    const char *label, *exact, *human, *note;
} Total;

#define MAX_TOTALS 10

static void add_total(Total *t, int *n, const char *label, const char *exact, const char *human, const char *note)
{
    t[(*n)++] = (Total){label, exact, human ? arena_printf("(%s)", human) : "", note};
}

static void add_bytes(Total *t, int *n, const char *label, int64_t v, const char *note)
{
    add_total(t, n, label, arena_printf("%s bytes", thousands(v)), bytes_human(v), note);
}

/* Labels left-aligned, numbers right-aligned, each column as wide as its
 * widest entry. */
static void put_total_lines(Buf *b, const Total *t, int n)
{
    int w[3] = {0, 0, 0};
    for (int i = 0; i < n; i++) {
        const char *cell[3] = {t[i].label, t[i].exact, t[i].human};
        for (int c = 0; c < 3; c++)
            if ((int)strlen(cell[c]) > w[c])
                w[c] = (int)strlen(cell[c]);
    }
    for (int i = 0; i < n; i++)
        buf_printf(b, "%-*s  %*s  %-*s  %s\n", w[0], t[i].label, w[1], t[i].exact, w[2], t[i].human, t[i].note);
}

static void put_totals(const Graph *g, const Lowered *L, Buf *b, const Totals *s)
{
    Total t[MAX_TOTALS];
    int n = 0;
    add_total(t, &n, "operations", thousands(g->nnodes), NULL, "rows above");
    add_total(t, &n, "tensors", thousands(g->ntensors), NULL, "parameter tensors of the ABI");
    add_total(t, &n, "parameters", thousands(g->nparams), bytes_human(g->nparams * (int64_t)sizeof(float)),
              "floats; a layer applied twice counts once");
    if (s->params != g->nparams)
        add_total(t, &n, "  unapplied", thousands(g->nparams - s->params), NULL, "in layers no operation applies");
    add_total(t, &n, "multiply-adds", thousands(s->macs), count_human(s->macs), "conv2d and linear");
    add_bytes(t, &n, "activations", s->act, "sum of the activation column (unaligned)");
    if (!L || !L->planned) {
        add_total(t, &n, "workspace", "not planned", NULL, "(the graph was not lowered and planned)");
    } else {
        add_bytes(t, &n, "naive", L->workspace_naive, "every workspace buffer on its own, no reuse");
        add_bytes(t, &n, "workspace", L->workspace_bytes, "the plan: WORKSPACE_BYTES of the generated C");
        add_bytes(t, &n, "lower bound", L->workspace_bound, "most bytes live at one call: no plan for this order uses less");
    }
    put_total_lines(b, t, n);
}

static void put_heading(const Graph *g, Buf *b)
{
    const Value *in = &g->values[g->input], *out = &g->values[g->output];
    buf_printf(b, "model %s: ", g->model->name);
    print_sizes(g, b, ", ");
    buf_printf(b, "\ninput %s: %s, output: %s\n", in->name, shape_dims(&in->shape), shape_dims(&out->shape));
    buf_puts(b, "MACs: multiply-accumulates of conv2d (cout*oh*ow*(cin/groups)*k*k) and linear (in*out), without biases;\n"
                "      \"-\": the operation has none (batchnorm, pooling, add, relu, ...).\n"
                "activation: the bytes of the operation's output value (float32).\n\n");
}

void emit_summary(const Graph *g, const Lowered *L, Buf *b)
{
    require_specialised(g, "emit_summary");
    bool *shared = arena_alloc(sizeof(bool) * (size_t)(g->ntensors + 1));
    Row *rows = arena_alloc(sizeof(Row) * (size_t)(g->nnodes + 1));
    Totals t = {0, 0, 0};
    for (int i = 0; i < g->nnodes; i++)
        rows[i] = make_row(g, &g->nodes[i], shared, &t);
    put_heading(g, b);
    put_table(b, rows, g->nnodes);
    put_totals(g, L, b, &t);
}

void emit_train_summary(const Lowered *T, Buf *b)
{
    Total t[MAX_TOTALS];
    int n = 0;
    buf_printf(b, "\ntraining step (--train, %s loss): its workspace, planned by liveness\n", loss_name(T->grad->loss));
    add_bytes(t, &n, "naive", T->workspace_naive, "every value and gradient in its own buffer (all forward values saved)");
    add_bytes(t, &n, "workspace", T->workspace_bytes, "the plan: TRAIN_WORKSPACE_BYTES of the generated C");
    add_bytes(t, &n, "lower bound", T->workspace_bound, "most bytes live at one call: no plan for this order uses less");
    put_total_lines(b, t, n);
}

/* ------------------------------------------------------------ DOT */

/* A double-quoted DOT string; a newline becomes the \n line break. */
static void dot_quote(Buf *b, const char *s)
{
    buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '\n')
            buf_puts(b, "\\n");
        else if (*s == '"' || *s == '\\')
            buf_printf(b, "\\%c", *s);
        else if ((unsigned char)*s >= ' ')
            buf_putc(b, *s);
    }
    buf_putc(b, '"');
}

typedef struct {
    const char *path; /* dotted prefix: layer1.0 */
    const char *id;   /* cluster_layer1_0 */
    int parent;       /* enclosing cluster, -1: the graph */
    bool done;
} Cluster;

typedef struct {
    const Graph *g;
    Buf *b;
    Cluster *cl;
    int ncl;
    int *home; /* per node: its innermost cluster, -1: the graph */
} Dot;

static int find_cluster(const Dot *d, const char *path)
{
    for (int i = 0; i < d->ncl; i++)
        if (!strcmp(d->cl[i].path, path))
            return i;
    return -1;
}

/* cluster_ + the path with every other character as '_', made unique. */
static const char *cluster_id(const Dot *d, const char *path)
{
    char *id = arena_printf("cluster_%s", path);
    for (char *p = id; *p; p++)
        if (!isalnum((unsigned char)*p))
            *p = '_';
    for (int i = 0; i < d->ncl; i++)
        if (!strcmp(d->cl[i].id, id))
            return arena_printf("%s_%d", id, d->ncl);
    return id;
}

/* Every proper dotted prefix of every node name becomes a cluster, nested
 * by prefix; a node lives in the cluster of its longest prefix. */
static void build_clusters(Dot *d)
{
    const Graph *g = d->g;
    d->home = arena_alloc(sizeof(int) * (size_t)(g->nnodes + 1));
    for (int i = 0; i < g->nnodes; i++) {
        const char *name = g->nodes[i].name;
        int parent = -1;
        for (const char *dot = strchr(name, '.'); dot; dot = strchr(dot + 1, '.')) {
            const char *path = arena_strndup(name, (size_t)(dot - name));
            int c = find_cluster(d, path);
            if (c < 0) {
                d->cl[d->ncl] = (Cluster){path, cluster_id(d, path), parent, false};
                c = d->ncl++;
            }
            parent = c;
        }
        d->home[i] = parent;
    }
}

/* The child of scope on the way up from cluster c, or -1 if c is not in scope. */
static int child_toward(const Dot *d, int c, int scope)
{
    while (c >= 0 && d->cl[c].parent != scope)
        c = d->cl[c].parent;
    return c;
}

static const char *node_fill(OpKind op)
{
    switch (op) {
    case OP_CONV2D:
    case OP_CONV_TRANSPOSE2D:
    case OP_LINEAR:
        return "#cfe2f3";
    case OP_BATCHNORM:
    case OP_BATCHNORM_EVAL:
    case OP_LAYERNORM:
        return "#d9ead3";
    case OP_ADD:
    case OP_CONCAT:
        return "#fce5cd";
    case OP_MAXPOOL2D:
    case OP_AVGPOOL2D:
    case OP_GLOBAL_AVGPOOL:
    case OP_ADAPTIVE_AVGPOOL2D:
        return "#e6dff2";
    default:
        return "#f3f3f3";
    }
}

static void put_node(Dot *d, int i, int depth)
{
    const GNode *n = &d->g->nodes[i];
    const char *last = strrchr(n->name, '.');
    const char *desc = op_desc(n);
    buf_printf(d->b, "%*sn%d [label=", 2 * depth, "", i);
    if (!strcmp(last ? last + 1 : n->name, desc))
        dot_quote(d->b, n->name); /* layer1.0.relu: the name says it all */
    else
        dot_quote(d->b, arena_printf("%s\n%s", n->name, desc));
    buf_printf(d->b, ", fillcolor=\"%s\"];\n", node_fill(n->op));
}

static void put_scope(Dot *d, int scope, int depth);

static void put_cluster(Dot *d, int c, int depth)
{
    static const char *const bg[] = {"#f7f9fc", "#ffffff"};
    d->cl[c].done = true;
    buf_printf(d->b, "%*ssubgraph %s {\n", 2 * depth, "", d->cl[c].id);
    buf_printf(d->b, "%*slabel=", 2 * depth + 2, "");
    dot_quote(d->b, d->cl[c].path);
    buf_printf(d->b, "; bgcolor=\"%s\";\n", bg[depth % 2]);
    put_scope(d, c, depth + 1);
    buf_printf(d->b, "%*s}\n", 2 * depth, "");
}

/* The nodes and clusters directly in scope, in operation order. */
static void put_scope(Dot *d, int scope, int depth)
{
    for (int i = 0; i < d->g->nnodes; i++) {
        if (d->home[i] == scope) {
            put_node(d, i, depth);
            continue;
        }
        int c = child_toward(d, d->home[i], scope);
        if (c >= 0 && !d->cl[c].done)
            put_cluster(d, c, depth);
    }
}

/* The DOT id of the node that computes value v. */
static const char *source_id(const Graph *g, int v)
{
    int p = g->values[v].producer;
    return p < 0 ? "input" : arena_printf("n%d", p);
}

/* One edge carrying value v. A value's second and later uses (the skip
 * paths of residual blocks) are drawn blue and dashed, and weigh less in
 * the layout, so that the main path stays a straight column. */
static void put_edge(Dot *d, int v, const char *to, bool extra_use)
{
    buf_printf(d->b, "  %s -> %s [label=", source_id(d->g, v), to);
    dot_quote(d->b, shape_dims(&d->g->values[v].shape));
    if (extra_use)
        buf_puts(d->b, ", color=\"#1f5fbf\", fontcolor=\"#1f5fbf\", style=dashed, penwidth=1.5");
    else
        buf_puts(d->b, ", weight=8");
    buf_puts(d->b, "];\n");
}

static void put_edges(Dot *d)
{
    const Graph *g = d->g;
    int *seen = arena_alloc(sizeof(int) * (size_t)(g->nvalues + 1));
    for (int i = 0; i < g->nnodes; i++) {
        const GNode *n = &g->nodes[i];
        for (int k = 0; k < n->nin; k++)
            put_edge(d, n->in[k], arena_printf("n%d", i), seen[n->in[k]]++ > 0);
    }
    put_edge(d, g->output, "output", seen[g->output] > 0);
}

static void put_preamble(const Graph *g, Buf *b)
{
    Buf title = {0};
    buf_printf(&title, "%s (", g->model->name);
    print_sizes(g, &title, ", ");
    buf_puts(&title, ")");
    buf_puts(b, "digraph ");
    dot_quote(b, g->model->name);
    buf_puts(b, " {\n  graph [rankdir=TB, fontname=\"Helvetica\", fontsize=14, labelloc=t, labeljust=l,\n"
                "         nodesep=0.25, ranksep=0.3, style=rounded, color=\"#9aa5b1\", label=");
    dot_quote(b, title.s);
    buf_puts(b, "];\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=11, "
                "margin=\"0.12,0.04\", height=0.3];\n"
                "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\", arrowsize=0.6];\n");
    buf_free(&title);
}

static void put_ends(const Graph *g, Buf *b)
{
    const Value *in = &g->values[g->input];
    buf_puts(b, "  input [shape=oval, fillcolor=\"#ffffff\", label=");
    dot_quote(b, arena_printf("input %s\n%s", in->name, shape_dims(&in->shape)));
    buf_puts(b, "];\n  output [shape=oval, fillcolor=\"#ffffff\", label=");
    dot_quote(b, arena_printf("output\n%s", shape_dims(&g->values[g->output].shape)));
    buf_puts(b, "];\n");
}

void emit_dot(const Graph *g, Buf *b)
{
    require_specialised(g, "emit_dot");
    Dot d = {g, b, NULL, 0, NULL};
    size_t max_clusters = 1;
    for (int i = 0; i < g->nnodes; i++)
        for (const char *p = g->nodes[i].name; *p; p++)
            max_clusters += *p == '.';
    d.cl = arena_alloc(sizeof(Cluster) * max_clusters);
    build_clusters(&d);
    put_preamble(g, b);
    put_ends(g, b);
    put_scope(&d, -1, 1);
    put_edges(&d);
    buf_puts(b, "}\n");
}
