/*
 * plan.c - memory planning for the generated forward pass.
 *
 * Requires: a specialised Graph (spec.c), operations in topological order
 * (check.c emits them so). Provides: for every value a location: the
 * caller's input, the caller's output, or a byte offset in the workspace.
 *
 * Method: a value lives from the operation that defines it to its last use.
 * An elementwise operation whose operand dies at it writes in place (the
 * result joins the operand's buffer), and flatten is a view of its operand.
 * Buffers whose lifetimes overlap get disjoint, 64-byte aligned ranges,
 * placed greedily largest first at the lowest offset that fits (the
 * "greedy by size" heuristic). The lower bound any assignment must meet for
 * this operation order is the largest total of live bytes at any point; the
 * plan reports both.
 */
#include "gsc.h"

#include <stdlib.h>
#include <string.h>

#define ALIGN 64

typedef struct {
    int64_t bytes;
    int first, last;  /* operation indices of its lifetime, inclusive */
    int64_t off;
} Buffer;

static int64_t round_up(int64_t n)
{
    return (n + ALIGN - 1) / ALIGN * ALIGN;
}

/* May operation i write its result over operand k? Elementwise operations
 * may, when the operand is a workspace value that dies here. */
static bool can_reuse(const Graph *g, const GNode *n, int k, const int *last_use, int i)
{
    int v = n->in[k];
    if (v == g->input || n->out == g->output || last_use[v] != i)
        return false;
    if (shape_count(&g->values[v].shape) != shape_count(&g->values[n->out].shape))
        return false;
    switch (n->op) {
    case OP_RELU:
    case OP_BATCHNORM:
    case OP_ADD:
    case OP_FLATTEN:
        return true;
    default:
        return false;
    }
}

static int cmp_size(const void *a, const void *b)
{
    const Buffer *x = *(Buffer *const *)a, *y = *(Buffer *const *)b;
    if (x->bytes != y->bytes)
        return x->bytes < y->bytes ? 1 : -1;
    return x->first - y->first;
}

/* Lowest offset where b fits beside the already placed buffers that are
 * live at the same time. */
static int64_t place(Buffer *b, Buffer **placed, int nplaced)
{
    int64_t off = 0;
    bool moved = true;
    while (moved) {
        moved = false;
        for (int i = 0; i < nplaced; i++) {
            Buffer *p = placed[i];
            if (p->last < b->first || b->last < p->first)
                continue;
            if (off < p->off + p->bytes && p->off < off + b->bytes) {
                off = round_up(p->off + p->bytes);
                moved = true;
            }
        }
    }
    return off;
}

void plan_memory(Graph *g)
{
    int nv = g->nvalues, nn = g->nnodes;
    int *last_use = xcalloc((size_t)nv, sizeof(int));
    int *buf_of = xcalloc((size_t)nv, sizeof(int));
    Buffer *bufs = xcalloc((size_t)nv + 1, sizeof(Buffer));
    int nbufs = 0;
    for (int v = 0; v < nv; v++)
        last_use[v] = -1;
    for (int i = 0; i < nn; i++)
        for (int k = 0; k < g->nodes[i].nin; k++)
            last_use[g->nodes[i].in[k]] = i;
    int64_t naive = 0;
    for (int i = 0; i < nn; i++) {
        const GNode *n = &g->nodes[i];
        int v = n->out;
        Value *val = &g->values[v];
        if (v == g->output) {
            val->loc = LOC_OUTPUT;
            continue;
        }
        naive += round_up(shape_count(&val->shape) * 4);
        val->loc = LOC_WORKSPACE;
        int reuse = -1;
        for (int k = 0; k < n->nin && reuse < 0; k++)
            if (can_reuse(g, n, k, last_use, i))
                reuse = buf_of[n->in[k]];
        if (reuse < 0) {
            reuse = nbufs++;
            bufs[reuse].bytes = round_up(shape_count(&val->shape) * 4);
            bufs[reuse].first = i;
        }
        buf_of[v] = reuse;
        int end = last_use[v] < 0 ? i : last_use[v];
        if (end > bufs[reuse].last)
            bufs[reuse].last = end;
    }
    /* Lower bound: the largest total of live buffer bytes at any operation. */
    int64_t bound = 0;
    for (int i = 0; i < nn; i++) {
        int64_t live = 0;
        for (int b = 0; b < nbufs; b++)
            if (bufs[b].first <= i && i <= bufs[b].last)
                live += bufs[b].bytes;
        if (live > bound)
            bound = live;
    }
    Buffer **order = xcalloc((size_t)nbufs + 1, sizeof(Buffer *));
    for (int b = 0; b < nbufs; b++)
        order[b] = &bufs[b];
    qsort(order, (size_t)nbufs, sizeof(Buffer *), cmp_size);
    int64_t total = 0;
    for (int b = 0; b < nbufs; b++) {
        order[b]->off = place(order[b], order, b);
        if (order[b]->off + order[b]->bytes > total)
            total = order[b]->off + order[b]->bytes;
    }
    for (int i = 0; i < nn; i++) {
        Value *val = &g->values[g->nodes[i].out];
        if (val->loc == LOC_WORKSPACE)
            val->off = bufs[buf_of[g->nodes[i].out]].off;
    }
    g->values[g->input].loc = LOC_INPUT;
    g->workspace_bytes = total;
    g->workspace_bound = bound;
    g->workspace_naive = naive;
    free(order);
    free(bufs);
    free(buf_of);
    free(last_use);
}
