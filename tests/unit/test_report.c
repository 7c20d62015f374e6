/*
 * test_report.c - the summary table and the DOT drawing (report.c) of the
 * checked, specialised and planned ResNet-18, against numbers computed here
 * from the architecture, not from the graph. When Graphviz's dot is on the
 * PATH, the DOT text must also be accepted by dot -Tsvg (skipped otherwise).
 * Run from the repository root (reads models/).
 */
#define _POSIX_C_SOURCE 200809L
#include "pipeline.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


/* ------------------------------------------------------------ the pipeline */

/* The memory plan of each graph (reference kernels), for its summary. */
static const Graph *planned_graph[8];
static Lowered *planned_low[8];
static int nplanned;

/* Lowers (reference kernels) and plans. */
static void plan(Graph *g)
{
    Lowered *L = lower_graph(g, false);
    plan_memory(L);
    planned_graph[nplanned % 8] = g;
    planned_low[nplanned++ % 8] = L;
}

static const Lowered *plan_of(const Graph *g)
{
    for (int i = 0; i < 8; i++)
        if (planned_graph[i] == g)
            return planned_low[i];
    return NULL;
}

static Graph *resnet18(bool planned)
{
    Graph *g = compile(src_file("models/resnet18.gs"), NULL, 0);
    if (planned)
        plan(g);
    return g;
}

static Graph *from_text(const char *text)
{
    Graph *g = compile(src_text(text), NULL, 0);
    plan(g);
    return g;
}

static char *summary(const Graph *g)
{
    Buf b = {0};
    emit_summary(g, plan_of(g), &b);
    ck_assert_ptr_nonnull(b.s);
    return b.s;
}

static char *dot_text(const Graph *g)
{
    Buf b = {0};
    emit_dot(g, &b);
    ck_assert_ptr_nonnull(b.s);
    return b.s;
}

/* ------------------------------------------------------------ helpers */

static const char *with_commas(long long v)
{
    char d[32];
    int n = snprintf(d, sizeof d, "%lld", v);
    char *out = arena_alloc((size_t)n + (size_t)n / 3 + 2);
    char *q = out;
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            *q++ = ',';
        *q++ = d[i];
    }
    *q = 0;
    return out;
}

/* The line of text that starts with label (at the start of a line). */
static const char *line_starting(const char *text, const char *label)
{
    size_t n = strlen(label);
    for (const char *p = text; p; p = strchr(p, '\n')) {
        if (*p == '\n')
            p++;
        if (!strncmp(p, label, n))
            return p;
    }
    return NULL;
}

/* Does the line at p (up to its newline) contain s? */
static bool line_has(const char *p, const char *s)
{
    const char *end = strchr(p, '\n');
    const char *hit = strstr(p, s);
    return hit && (!end || hit < end);
}

static int count_of(const char *text, const char *s)
{
    int n = 0;
    for (const char *p = strstr(text, s); p; p = strstr(p + 1, s))
        n++;
    return n;
}

static const char *next_line(const char *p)
{
    const char *nl = strchr(p, '\n');
    return nl ? nl + 1 : p + strlen(p);
}

/* Lines declaring node id (after indentation: "id [", not "id -> "); id
 * NULL: any node (n<digits>, input, output; not the node/edge defaults). */
static int declarations(const char *text, const char *id)
{
    int n = 0;
    for (const char *p = text; *p; p = next_line(p)) {
        const char *q = p + strspn(p, " ");
        size_t len = id ? strlen(id) : strcspn(q, " \n");
        bool any = (*q == 'n' && len > 1 && strspn(q + 1, "0123456789") == len - 1) ||
                   (len == 5 && !strncmp(q, "input", 5)) || (len == 6 && !strncmp(q, "output", 6));
        if (id ? !strncmp(q, id, len) : any)
            n += !strncmp(q + len, " [", 2);
    }
    return n;
}

/* Multiply-adds of ResNet-18 at 224x224 with 1000 classes, from the
 * architecture: stem 7x7/2, then per stage two BasicBlocks of two 3x3
 * convolutions, the first block of stages 2-4 with stride 2 and a 1x1
 * stride-2 projection; then the classifier. */
static long long resnet18_macs(void)
{
    long long h = (224 - 1) / 2 + 1; /* stem output: 112 */
    long long macs = 64 * h * h * 3 * 7 * 7;
    h = (h - 1) / 2 + 1; /* max-pool: 56 */
    long long cin = 64;
    static const long long width[4] = {64, 128, 256, 512};
    for (int s = 0; s < 4; s++) {
        long long c = width[s];
        if (s > 0)
            h = (h - 1) / 2 + 1;
        long long convs = c * h * h * 9;
        macs += convs * cin;      /* block 0, conv1 (stride 2 for s > 0) */
        macs += convs * c * 3;    /* block 0 conv2, block 1 conv1 and conv2 */
        if (s > 0)
            macs += c * h * h * cin; /* the 1x1 projection */
        cin = c;
    }
    return macs + 512LL * 1000;
}

/* ------------------------------------------------------------ summary */

START_TEST(summary_totals)
{
    Graph *g = resnet18(true);
    char *s = summary(g);
    const char *t = line_starting(s, "tensors ");
    ck_assert_ptr_nonnull(t);
    ck_assert(line_has(t, " 82 "));
    const char *p = line_starting(s, "parameters ");
    ck_assert_ptr_nonnull(p);
    ck_assert(line_has(p, "11,694,312"));
    long long macs = resnet18_macs();
    ck_assert_int_eq(macs, 1814073344LL); /* torchvision's 1.81 GMACs */
    const char *m = line_starting(s, "multiply-adds ");
    ck_assert_ptr_nonnull(m);
    ck_assert_msg(line_has(m, with_commas(macs)), "want %s in: %.80s", with_commas(macs), m);
    ck_assert(line_has(m, "1.81 G"));
    const char *w = line_starting(s, "workspace ");
    ck_assert_ptr_nonnull(w);
    const Lowered *L = plan_of(g);
    ck_assert(line_has(w, with_commas(L->workspace_bytes)));
    ck_assert(line_has(line_starting(s, "naive "), with_commas(L->workspace_naive)));
    ck_assert(line_has(line_starting(s, "lower bound "), with_commas(L->workspace_bound)));
    ck_assert(line_has(s, "model resnet18: in_c=3, classes=1000, H=224, W=224"));
    ck_assert_ptr_null(line_starting(s, "  unapplied")); /* every layer applied */
}
END_TEST

START_TEST(summary_one_row_per_operation)
{
    Graph *g = resnet18(true);
    char *s = summary(g);
    const char *head = line_starting(s, "name ");
    ck_assert_ptr_nonnull(head);
    const char *row = next_line(head);
    ck_assert_int_eq(*row, '-'); /* the rule under the heading */
    row = next_line(row);
    for (int i = 0; i < g->nnodes; i++) {
        const GNode *n = &g->nodes[i];
        size_t len = strlen(n->name);
        ck_assert_msg(!strncmp(row, n->name, len) && row[len] == ' ', "row %d is not %s: %.40s", i, n->name, row);
        ck_assert(line_has(row, op_info[n->op].name));
        row = next_line(row);
    }
    ck_assert_int_eq(*row, '-'); /* the closing rule: no extra rows */
    /* spot values: the stem conv and the classifier */
    const char *conv1 = line_starting(s, "conv1 ");
    ck_assert(line_has(conv1, "64x112x112") && line_has(conv1, "9,472") && line_has(conv1, "118,013,952"));
    const char *fc = line_starting(s, "fc ");
    ck_assert(line_has(fc, "513,000") && line_has(fc, "512,000") && line_has(fc, "1000"));
}
END_TEST

/* --train --emit=summary: the training step's plan, its lower bound and a
 * buffer per value and gradient, as the planner computed them, in order. */
START_TEST(summary_of_training_step)
{
    Graph *g = compile(src_file("models/cnn.gs"), NULL, 0);
    Grad *gr = grad_graph(g, LOSS_XENT, false);
    ck_assert_ptr_nonnull(gr);
    Lowered *T = lower_train(g, gr);
    plan_memory(T);
    Buf b = {0};
    emit_train_summary(T, &b);
    ck_assert_ptr_nonnull(b.s);
    const char *head = line_starting(b.s, "training step (--train, cross-entropy loss)");
    const char *naive = line_starting(b.s, "naive"), *ws = line_starting(b.s, "workspace");
    const char *bound = line_starting(b.s, "lower bound");
    ck_assert(head && naive && ws && bound && head < naive && naive < ws && ws < bound);
    ck_assert(line_has(naive, with_commas(T->workspace_naive)));
    ck_assert(line_has(ws, with_commas(T->workspace_bytes)));
    ck_assert(line_has(bound, with_commas(T->workspace_bound)));
    ck_assert(T->workspace_bound <= T->workspace_bytes && T->workspace_bytes < T->workspace_naive);
    buf_free(&b);
}
END_TEST

START_TEST(summary_of_unplanned_graph)
{
    /* Same table; the workspace line says it was not planned, and the
     * graph is only read. */
    Graph *planned = resnet18(true), *unplanned = resnet18(false);
    char *a = summary(planned), *b = summary(unplanned);
    const char *w = line_starting(b, "workspace ");
    ck_assert_ptr_nonnull(w);
    ck_assert(line_has(w, "not planned"));
    ck_assert_ptr_null(line_starting(b, "naive "));
    ck_assert_ptr_null(plan_of(unplanned));
    size_t table = (size_t)(line_starting(a, "naive ") - a);
    ck_assert(!strncmp(a, b, table));
}
END_TEST

START_TEST(summary_counts_shared_layer_once)
{
    Graph *g = from_text("model t(x: [4]) -> [4] {\n"
                         "    fc = linear(4 -> 4)\n"
                         "    return relu(fc(fc(x)))\n}\n");
    char *s = summary(g);
    ck_assert(line_has(line_starting(s, "parameters "), " 20 "));
    ck_assert(line_has(line_starting(s, "multiply-adds "), " 32 "));
    const char *first = line_starting(s, "fc ");
    ck_assert(line_has(first, " 20 "));
    ck_assert(line_has(line_starting(next_line(first), "fc "), "shared"));
}
END_TEST

/* ------------------------------------------------------------ DOT */

START_TEST(dot_structure)
{
    Graph *g = resnet18(true);
    char *d = dot_text(g);
    ck_assert(!strncmp(d, "digraph \"resnet18\" {", 20));
    int depth = 0, least = 0;
    bool quoted = false;
    for (const char *p = d; *p; p++) {
        if (*p == '\\' && quoted && p[1]) {
            p++;
            continue;
        }
        if (*p == '"')
            quoted = !quoted;
        else if (!quoted)
            depth += (*p == '{') - (*p == '}');
        if (depth < least)
            least = depth;
    }
    ck_assert_int_eq(depth, 0);
    ck_assert_int_eq(least, 0);
    ck_assert(!quoted);
    /* one node per operation, plus input and output */
    for (int i = 0; i < g->nnodes; i++)
        ck_assert_int_eq(declarations(d, arena_printf("n%d", i)), 1);
    ck_assert_int_eq(declarations(d, "input"), 1);
    ck_assert_int_eq(declarations(d, "output"), 1);
    ck_assert_int_eq(declarations(d, NULL), g->nnodes + 2);
    ck_assert(strstr(d, "conv2d 7x7/2"));
    ck_assert(strstr(d, "layer1.0.conv1\\nconv2d 3x3/1"));
    /* clusters per stage and per block */
    for (int l = 1; l <= 4; l++) {
        ck_assert_int_eq(count_of(d, arena_printf("subgraph cluster_layer%d {", l)), 1);
        for (int b = 0; b < 2; b++)
            ck_assert_int_eq(count_of(d, arena_printf("subgraph cluster_layer%d_%d {", l, b)), 1);
    }
    /* every operand is an edge, plus the one into output */
    int edges = 1;
    for (int i = 0; i < g->nnodes; i++)
        edges += g->nodes[i].nin;
    ck_assert_int_eq(count_of(d, " -> "), edges);
    ck_assert(strstr(d, "input -> n0 [label=\"3x224x224\""));
    ck_assert(strstr(d, arena_printf("n%d -> output [label=\"1000\"", g->nnodes - 1)));
    /* residual structure: each of the 8 block inputs has a skip edge */
    ck_assert_int_eq(count_of(d, "style=dashed"), 8);
}
END_TEST

START_TEST(dot_nesting)
{
    /* layer2.0.conv1 sits in cluster_layer2_0 inside cluster_layer2 */
    Graph *g = resnet18(true);
    char *d = dot_text(g);
    const char *stage = strstr(d, "subgraph cluster_layer2 {");
    const char *block = strstr(d, "subgraph cluster_layer2_0 {");
    const char *proj = strstr(d, "subgraph cluster_layer2_0_downsample {");
    const char *node = strstr(d, "[label=\"layer2.0.downsample.0\\n");
    const char *next = strstr(d, "subgraph cluster_layer3 {");
    ck_assert(stage && block && proj && node && next);
    ck_assert(stage < block && block < proj && proj < node && node < next);
}
END_TEST

START_TEST(dot_escapes_labels)
{
    /* GraphSpec names are identifiers, but the emitter must not rely on it */
    Graph *g = from_text("model t(x: [4]) -> [4] {\n"
                         "    fc = linear(4 -> 4)\n"
                         "    return fc(x)\n}\n");
    g->nodes[0].name = "say \"hi\" \\ there";
    char *d = dot_text(g);
    ck_assert_msg(strstr(d, "n0 [label=\"say \\\"hi\\\" \\\\ there\\nlinear 4->4\""), "%s", d);
}
END_TEST

START_TEST(dot_accepted_by_graphviz)
{
    if (system("command -v dot >/dev/null 2>&1") != 0) {
        fprintf(stderr, "test_report: dot is not installed: skipping the Graphviz check\n");
        return;
    }
    Graph *g = resnet18(true);
    char *d = dot_text(g);
    char path[] = "/tmp/test_report_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    size_t len = strlen(d);
    ck_assert_int_eq(write(fd, d, len), (ssize_t)len);
    close(fd);
    char *cmd = arena_printf("dot -Tsvg '%s' -o /dev/null", path);
    int rc = system(cmd);
    unlink(path);
    ck_assert_msg(rc == 0, "dot -Tsvg rejected the DOT text (status %d)", rc);
}
END_TEST

static Suite *report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *t = tcase_create("summary");
    tcase_add_test(t, summary_totals);
    tcase_add_test(t, summary_one_row_per_operation);
    tcase_add_test(t, summary_of_unplanned_graph);
    tcase_add_test(t, summary_of_training_step);
    tcase_add_test(t, summary_counts_shared_layer_once);
    suite_add_tcase(s, t);
    t = tcase_create("dot");
    tcase_set_timeout(t, 30);
    tcase_add_test(t, dot_structure);
    tcase_add_test(t, dot_nesting);
    tcase_add_test(t, dot_escapes_labels);
    tcase_add_test(t, dot_accepted_by_graphviz);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(report_suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed != 0;
}
