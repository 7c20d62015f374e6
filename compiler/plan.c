/*
 * plan.c - memory planning for the generated forward pass.
 *
 * Requires: the lowered calls (lower.c). Provides: each buffer's lifetime,
 * from the call that first touches it to the call that last does (read off
 * the calls' buffer arguments); a byte offset in the workspace for every
 * workspace buffer, 64-byte aligned, such that buffers live at the same time
 * never overlap; and three numbers for the generated header: the plan's
 * size, the lower bound no plan can beat for this call order (the largest
 * total of live bytes at any call), and the naive size (every buffer on its
 * own).
 *
 * Method: first, in-place kernels: when a call may write its result over an
 * operand that is read for the last time there (an 'R' argument in
 * kernels.h), the result joins the operand's memory (one lifetime, their
 * union). Then "greedy by size": the
 * largest buffers first, each at the lowest offset that fits beside the
 * already placed buffers whose lifetimes overlap its own. Kernel scratch
 * areas are buffers live for one call.
 */
#include "gsc.h"

#include <stdlib.h>

static int cmp_size(const void *a, const void *b)
{
    const WBuf *x = *(WBuf *const *)a, *y = *(WBuf *const *)b;
    if (x->bytes != y->bytes)
        return x->bytes < y->bytes ? 1 : -1;
    return x->first - y->first;
}

static bool overlap_in_time(const WBuf *a, const WBuf *b)
{
    return !(a->last < b->first || b->last < a->first);
}

/* Lowest offset where b fits beside the placed buffers live with it. */
static int64_t place(const WBuf *b, WBuf **placed, int nplaced)
{
    int64_t off = 0;
    bool moved = true;
    while (moved) {
        moved = false;
        for (int i = 0; i < nplaced; i++) {
            const WBuf *p = placed[i];
            if (overlap_in_time(p, b) && off < p->off + p->bytes && p->off < off + b->bytes) {
                off = p->off + p->bytes; /* sizes are 64-byte multiples */
                moved = true;
            }
        }
    }
    return off;
}

static WBuf *B(Lowered *L, int i)
{
    return L->bufs.v[i];
}

static int root(Lowered *L, int i)
{
    while (B(L, i)->alias >= 0)
        i = B(L, i)->alias;
    return i;
}

/* Each buffer's first and last call. */
static void lifetimes(Lowered *L)
{
    for (int i = 0; i < L->bufs.n; i++)
        B(L, i)->first = B(L, i)->last = -1;
    for (int t = 0; t < L->calls.n; t++) {
        const LCall *c = L->calls.v[t];
        for (int k = 0; k < c->nargs; k++) {
            if (c->args[k].kind != LA_BUF)
                continue;
            WBuf *w = B(L, c->args[k].buf);
            if (w->first < 0)
                w->first = t;
            w->last = t;
        }
    }
}

/* The buffer call c writes (its 'w' argument), or -1. */
static int written(const LCall *c)
{
    for (int k = 0; k < c->nargs; k++)
        if (c->args[k].kind == LA_BUF && call_arg_role(c, k, NULL) == 'w')
            return c->args[k].buf;
    return -1;
}

/* Merges each in-place result into its operand's memory when the operand
 * (with everything already merged into it) is last read by that call. */
static void merge_in_place(Lowered *L)
{
    for (int t = 0; t < L->calls.n; t++) {
        const LCall *c = L->calls.v[t];
        int o = written(c);
        for (int k = 0; k < c->nargs && o >= 0; k++) {
            if (c->args[k].kind != LA_BUF || call_arg_role(c, k, NULL) != 'R')
                continue;
            int a = root(L, c->args[k].buf);
            WBuf *in = B(L, a), *out = B(L, o);
            if (in->loc != LOC_WORKSPACE || out->loc != LOC_WORKSPACE || out->alias >= 0 || a == o)
                continue;
            if (in->last != t || out->first != t || in->bytes < out->bytes)
                continue;
            out->alias = a;
            if (out->last > in->last)
                in->last = out->last;
        }
    }
}

void plan_memory(Lowered *L)
{
    lifetimes(L);
    merge_in_place(L);
    WBuf **ws = xcalloc((size_t)L->bufs.n + 1, sizeof(WBuf *));
    int n = 0;
    int64_t naive = 0;
    for (int i = 0; i < L->bufs.n; i++) {
        WBuf *b = L->bufs.v[i];
        if (b->loc == LOC_WORKSPACE && b->first >= 0) {
            naive += b->bytes;
            if (b->alias < 0)
                ws[n++] = b;
        }
    }
    /* the lower bound: the most bytes live at one call */
    int64_t bound = 0;
    int64_t *live = xcalloc((size_t)L->calls.n + 1, sizeof(int64_t));
    for (int i = 0; i < n; i++)
        for (int t = ws[i]->first; t <= ws[i]->last; t++)
            live[t] += ws[i]->bytes;
    for (int t = 0; t < L->calls.n; t++)
        bound = live[t] > bound ? live[t] : bound;
    qsort(ws, (size_t)n, sizeof(WBuf *), cmp_size);
    int64_t total = 0;
    for (int i = 0; i < n; i++) {
        ws[i]->off = place(ws[i], ws, i);
        if (ws[i]->off + ws[i]->bytes > total)
            total = ws[i]->off + ws[i]->bytes;
    }
    for (int i = 0; i < L->bufs.n; i++)
        if (B(L, i)->alias >= 0)
            B(L, i)->off = B(L, root(L, i))->off;
    L->workspace_bytes = total;
    L->workspace_bound = bound;
    L->workspace_naive = naive;
    L->planned = true;
    free(live);
    free(ws);
}
