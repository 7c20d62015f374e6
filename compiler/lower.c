/*
 * lower.c - choosing kernels: the graph as a list of runtime calls.
 *
 * Requires: a specialised Graph (spec.c). Provides: Lowered, the forward
 * pass as calls in order, each naming the buffers it reads and writes
 * (symbolically; plan.c gives them offsets, emit.c prints them), and the
 * prepare step that lays out the weights for those kernels. Two backends:
 *
 *   fast       runtime/gsc_fast.h: channel-blocked activations, packed
 *              weights, register-blocked convolutions. Batchnorm is folded
 *              into a per-channel scale/shift that is applied lazily: by the
 *              next convolution as it reads its input, by the max-pool, or by
 *              the one pass that ends a residual block (BN + add + ReLU). A
 *              convolution feeding a batchnorm computes the statistics in
 *              its epilogue.
 *   reference  runtime/gsc_runtime.h: plain CHW loops, one call per
 *              operation; small and easy to follow.
 *
 * A buffer is written once and read after; no call writes over an operand,
 * so the plan's liveness is simply first write to last read.
 */
#include "gsc.h"
#include "gsc_fast.h"

#include <stdlib.h>
#include <string.h>

/* A value as the fast kernels hold it: data in buf, still to be transformed
 * per channel by ss (scale/shift, -1: none) and then ReLU; or plain CHW. */
typedef struct {
    int buf;
    int ss;
    bool relu;
    bool chw;  /* plain CHW (the model input) rather than blocked */
    int mom;   /* moments of the raw data, computed by its conv, or -1 */
} Lazy;

/* Data in buf, nothing pending. */
static Lazy plain(int buf)
{
    return (Lazy){.buf = buf, .ss = -1, .mom = -1};
}

typedef struct {
    const Graph *g;
    Lowered *L;
    Lazy *lazy;          /* per value */
    int64_t *prep_off;   /* per tensor: offset in prepared floats, -1 */
    bool *relu_fused;    /* per node: a ReLU folded into its producer */
    int *consumer;       /* per value: the first node that reads it, -1 */
    const GNode *cur;
    Buf text;            /* the call being built */
} Lowerer;

/* ------------------------------------------------------------ buffers and calls */

static int new_buf(Lowerer *lw, int64_t bytes, int kind)
{
    WBuf *b = arena_alloc(sizeof *b);
    b->bytes = (bytes + 63) / 64 * 64;
    b->kind = kind;
    b->first = b->last = -1;
    b->alias = -1;
    vec_push(&lw->L->bufs, b);
    return lw->L->bufs.n - 1;
}

static WBuf *wbuf(Lowerer *lw, int b)
{
    return lw->L->bufs.v[b];
}

static int floats_buf(Lowerer *lw, int64_t floats)
{
    return new_buf(lw, floats * 4, LOC_WORKSPACE);
}

/* Appends printf-style text to the current call. "%@" is not printf: buffer
 * references are added with ref(). */
static void put(Lowerer *lw, const char *fmt, ...) PRINTF(2, 3);
static void put(Lowerer *lw, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&lw->text, fmt, ap);
    va_end(ap);
}

/* A reference to buffer b in the current call (marks its lifetime). */
static void ref(Lowerer *lw, int b)
{
    WBuf *w = wbuf(lw, b);
    int step = lw->L->calls.n;
    if (w->first < 0)
        w->first = step;
    if (step > w->last)
        w->last = step;
    buf_printf(&lw->text, "@%d@", b);
}

static void ref_or_null(Lowerer *lw, int b)
{
    if (b < 0)
        put(lw, "NULL");
    else
        ref(lw, b);
}

/* The current call's kernel may write buffer out over buffer in (plan.c
 * lets them share memory when in is last read here). */
static void may_overwrite(Lowerer *lw, int in, int out)
{
    InPlace *p = arena_alloc(sizeof *p);
    *p = (InPlace){lw->L->calls.n, in, out};
    vec_push(&lw->L->inplace, p);
}

/* Ends the current call. */
static void end_call(Lowerer *lw)
{
    LCall *c = arena_alloc(sizeof *c);
    c->node = lw->cur;
    c->text = arena_strndup(lw->text.s ? lw->text.s : "", lw->text.len);
    lw->text.len = 0;
    if (lw->text.s)
        lw->text.s[0] = 0;
    vec_push(&lw->L->calls, c);
}

static const Shape *vshape(Lowerer *lw, int v)
{
    return &lw->g->values[v].shape;
}

static long long N(int64_t v)
{
    return (long long)v;
}

/* ------------------------------------------------------------ prepare */

static void prep_step(Lowerer *lw, PrepKind kind, const GNode *n, int64_t src, int64_t src2, int64_t count,
                      int64_t dst)
{
    PrepStep *p = arena_alloc(sizeof *p);
    *p = (PrepStep){kind, n, src, src2, count, dst};
    vec_push(&lw->L->prep, p);
}

static int64_t prep_alloc(Lowerer *lw, int64_t floats)
{
    int64_t off = lw->L->prepared_floats;
    lw->L->prepared_floats += (floats + 15) / 16 * 16;
    return off;
}

/* Lays out a tensor pair (weight, bias or gamma, beta) for the kernels,
 * once per tensor even when a layer is applied twice. */
static int64_t prepare_params(Lowerer *lw, const GNode *n, bool fast)
{
    const Graph *g = lw->g;
    if (lw->prep_off[n->param] >= 0)
        return lw->prep_off[n->param];
    const Tensor *w = &g->tensors[n->param], *b = &g->tensors[n->param + 1];
    int64_t off;
    if (fast && n->op == OP_CONV2D) {
        off = prep_alloc(lw, (int64_t)gsc_fast_conv_packed_floats((int)n->a[0], (int)n->a[1], (int)n->a[2]));
        prep_step(lw, PREP_CONV, n, w->offset, b->offset, 0, off);
    } else if (fast && n->op == OP_LINEAR) {
        off = prep_alloc(lw, (int64_t)gsc_fast_linear_packed_floats((int)n->a[0], (int)n->a[1]));
        prep_step(lw, PREP_LINEAR, n, w->offset, b->offset, 0, off);
    } else {
        /* the weight (or gamma) then the bias (or beta), each 64-byte aligned */
        off = prep_alloc(lw, w->count);
        int64_t boff = prep_alloc(lw, b->count);
        prep_step(lw, PREP_COPY, n, w->offset, 0, w->count, off);
        prep_step(lw, PREP_COPY, n, b->offset, 0, b->count, boff);
        lw->prep_off[n->param + 1] = boff;
    }
    lw->prep_off[n->param] = off;
    return off;
}

/* ------------------------------------------------------------ the reference backend */

static int ref_out(Lowerer *lw, const GNode *n)
{
    int b = new_buf(lw, shape_count(vshape(lw, n->out)) * 4, LOC_WORKSPACE);
    lw->lazy[n->out] = plain(b);
    return b;
}

static int in_buf(Lowerer *lw, const GNode *n, int k)
{
    return lw->lazy[n->in[k]].buf;
}

static void ref_params(Lowerer *lw, const GNode *n)
{
    int64_t off = prepare_params(lw, n, false);
    put(lw, "prepared + %lld, prepared + %lld", N(off), N(lw->prep_off[n->param + 1]));
}

static void ref_CONV2D(Lowerer *lw, const GNode *n)
{
    const Shape *s = vshape(lw, n->in[0]);
    int y = ref_out(lw, n);
    put(lw, "gsc_conv2d(");
    ref(lw, in_buf(lw, n, 0));
    put(lw, ", %lld, %lld, %lld, ", N(s->n[0]), N(s->n[1]), N(s->n[2]));
    ref_params(lw, n);
    put(lw, ", %lld, %lld, %lld, %lld, ", N(n->a[1]), N(n->a[2]), N(n->a[3]), N(n->a[4]));
    ref(lw, y);
    put(lw, ");");
    end_call(lw);
}

static void ref_BATCHNORM(Lowerer *lw, const GNode *n)
{
    const Shape *s = vshape(lw, n->in[0]);
    int y = ref_out(lw, n);
    may_overwrite(lw, in_buf(lw, n, 0), y);
    put(lw, "gsc_batchnorm(");
    ref(lw, in_buf(lw, n, 0));
    put(lw, ", %lld, %lld, ", N(s->n[0]), N(s->n[1] * s->n[2]));
    ref_params(lw, n);
    put(lw, ", ");
    ref(lw, y);
    put(lw, ");");
    end_call(lw);
}

static void ref_LINEAR(Lowerer *lw, const GNode *n)
{
    int y = ref_out(lw, n);
    put(lw, "gsc_linear(");
    ref(lw, in_buf(lw, n, 0));
    put(lw, ", %lld, ", N(n->a[0]));
    ref_params(lw, n);
    put(lw, ", %lld, ", N(n->a[1]));
    ref(lw, y);
    put(lw, ");");
    end_call(lw);
}

/* fn(x, <count>, y) */
static void ref_unary(Lowerer *lw, const GNode *n, const char *fn, int64_t count)
{
    int y = ref_out(lw, n);
    may_overwrite(lw, in_buf(lw, n, 0), y); /* relu and softmax work in place */
    put(lw, "%s(", fn);
    ref(lw, in_buf(lw, n, 0));
    put(lw, ", %lld, ", N(count));
    ref(lw, y);
    put(lw, ");");
    end_call(lw);
}

static void ref_RELU(Lowerer *lw, const GNode *n)
{
    ref_unary(lw, n, "gsc_relu", shape_count(vshape(lw, n->out)));
}

static void ref_SOFTMAX(Lowerer *lw, const GNode *n)
{
    ref_unary(lw, n, "gsc_softmax", shape_count(vshape(lw, n->out)));
}

static void ref_pool(Lowerer *lw, const GNode *n, const char *fn)
{
    const Shape *s = vshape(lw, n->in[0]);
    int y = ref_out(lw, n);
    put(lw, "%s(", fn);
    ref(lw, in_buf(lw, n, 0));
    put(lw, ", %lld, %lld, %lld, %lld, %lld, %lld, ", N(s->n[0]), N(s->n[1]), N(s->n[2]), N(n->a[0]), N(n->a[1]),
        N(n->a[2]));
    ref(lw, y);
    put(lw, ");");
    end_call(lw);
}

static void ref_MAXPOOL2D(Lowerer *lw, const GNode *n)
{
    ref_pool(lw, n, "gsc_maxpool2d");
}

static void ref_AVGPOOL2D(Lowerer *lw, const GNode *n)
{
    ref_pool(lw, n, "gsc_avgpool2d");
}

static void ref_GLOBAL_AVGPOOL(Lowerer *lw, const GNode *n)
{
    const Shape *s = vshape(lw, n->in[0]);
    int y = ref_out(lw, n);
    put(lw, "gsc_global_avgpool(");
    ref(lw, in_buf(lw, n, 0));
    put(lw, ", %lld, %lld, ", N(s->n[0]), N(s->n[1] * s->n[2]));
    ref(lw, y);
    put(lw, ");");
    end_call(lw);
}

static void ref_ADD(Lowerer *lw, const GNode *n)
{
    int y = ref_out(lw, n);
    may_overwrite(lw, in_buf(lw, n, 0), y);
    may_overwrite(lw, in_buf(lw, n, 1), y);
    put(lw, "gsc_add(");
    ref(lw, in_buf(lw, n, 0));
    put(lw, ", ");
    ref(lw, in_buf(lw, n, 1));
    put(lw, ", %lld, ", N(shape_count(vshape(lw, n->out))));
    ref(lw, y);
    put(lw, ");");
    end_call(lw);
}

/* Plain layouts: concat (along the first dimension) and flatten are copies. */
static void copy_into(Lowerer *lw, int dst, int64_t at, int src, int64_t count)
{
    put(lw, "memcpy(");
    ref(lw, dst);
    put(lw, " + %lld, ", N(at));
    ref(lw, src);
    put(lw, ", %lld * sizeof(float));", N(count));
    end_call(lw);
}

static void ref_CONCAT(Lowerer *lw, const GNode *n)
{
    int y = ref_out(lw, n);
    int64_t at = 0;
    for (int k = 0; k < n->nin; k++) {
        copy_into(lw, y, at, in_buf(lw, n, k), shape_count(vshape(lw, n->in[k])));
        at += shape_count(vshape(lw, n->in[k]));
    }
}

static void ref_FLATTEN(Lowerer *lw, const GNode *n)
{
    /* the same data: a view of the operand */
    lw->lazy[n->out] = lw->lazy[n->in[0]];
}

/* ------------------------------------------------------------ the fast backend */

static Lazy *lz(Lowerer *lw, int v)
{
    return &lw->lazy[v];
}

static int blocked_buf(Lowerer *lw, const Shape *s)
{
    return floats_buf(lw, (int64_t)GSC_FAST_ACT_FLOATS(s->n[0], s->n[1], s->n[2]));
}

static int ss_buf(Lowerer *lw, int64_t c)
{
    return floats_buf(lw, 2 * (int64_t)GSC_FAST_CPAD(c));
}

/* Puts value v in plain blocked form (no pending transform), converting or
 * applying its BN/ReLU once; later consumers reuse the result. */
static void materialise(Lowerer *lw, int v)
{
    Lazy *l = lz(lw, v);
    const Shape *s = vshape(lw, v);
    if (s->rank != 3 || (!l->chw && l->ss < 0 && !l->relu))
        return;
    int y = blocked_buf(lw, s);
    if (l->chw) {
        put(lw, "gsc_fast_from_chw(");
        ref(lw, l->buf);
        put(lw, ", %lld, %lld, %lld, ", N(s->n[0]), N(s->n[1]), N(s->n[2]));
    } else {
        may_overwrite(lw, l->buf, y);
        put(lw, "gsc_fast_bn_apply(");
        ref(lw, l->buf);
        put(lw, ", %lld, %lld, %lld, ", N(s->n[0]), N(s->n[1]), N(s->n[2]));
        ref_or_null(lw, l->ss);
        put(lw, ", NULL, NULL, %d, ", l->relu);
    }
    ref(lw, y);
    put(lw, ");");
    end_call(lw);
    *l = plain(y);
}

/* Does value v feed exactly one operation, of kind op? */
static const GNode *sole_consumer(const Lowerer *lw, int v, OpKind op)
{
    const Graph *g = lw->g;
    int c = lw->consumer[v];
    if (g->values[v].nuses != 1 || v == g->output || c < 0)
        return NULL;
    return g->nodes[c].op == op ? &g->nodes[c] : NULL;
}

static void fast_CONV2D(Lowerer *lw, const GNode *n)
{
    const Shape *s = vshape(lw, n->in[0]), *os = vshape(lw, n->out);
    Lazy *x = lz(lw, n->in[0]);
    int64_t off = prepare_params(lw, n, true);
    int y = blocked_buf(lw, os);
    int mom = sole_consumer(lw, n->out, OP_BATCHNORM) ? ss_buf(lw, n->a[1]) : -1;
    int ws = new_buf(lw,
                     (int64_t)gsc_fast_conv_workspace_bytes((int)s->n[0], (int)s->n[1], (int)s->n[2], (int)n->a[1],
                                                            (int)n->a[2], (int)n->a[3], (int)n->a[4]),
                     LOC_WORKSPACE);
    put(lw, "gsc_fast_conv2d(");
    ref(lw, x->buf);
    put(lw, ", %lld, %lld, %lld, prepared + %lld, %lld, %lld, %lld, %lld, ", N(s->n[0]), N(s->n[1]), N(s->n[2]),
        N(off), N(n->a[1]), N(n->a[2]), N(n->a[3]), N(n->a[4]));
    ref_or_null(lw, x->ss);
    put(lw, ", %s, ", x->chw ? "GSC_FAST_IN_CHW" : x->relu ? "GSC_FAST_IN_RELU" : "0");
    ref(lw, y);
    put(lw, ", ");
    ref_or_null(lw, mom);
    put(lw, ", ");
    ref(lw, ws);
    put(lw, ");");
    end_call(lw);
    *lz(lw, n->out) = (Lazy){.buf = y, .ss = -1, .mom = mom};
}

static void fast_BATCHNORM(Lowerer *lw, const GNode *n)
{
    const Shape *s = vshape(lw, n->in[0]);
    Lazy *x = lz(lw, n->in[0]);
    if (x->chw || x->ss >= 0 || x->relu || x->mom < 0) {
        materialise(lw, n->in[0]);
        x->mom = ss_buf(lw, s->n[0]);
        put(lw, "gsc_fast_moments(");
        ref(lw, x->buf);
        put(lw, ", %lld, %lld, %lld, ", N(s->n[0]), N(s->n[1]), N(s->n[2]));
        ref(lw, x->mom);
        put(lw, ");");
        end_call(lw);
    }
    int64_t off = prepare_params(lw, n, true);
    int ss = ss_buf(lw, s->n[0]);
    put(lw, "gsc_fast_bn_fold(");
    ref(lw, x->mom);
    put(lw, ", prepared + %lld, prepared + %lld, %lld, ", N(off), N(lw->prep_off[n->param + 1]), N(s->n[0]));
    ref(lw, ss);
    put(lw, ");");
    end_call(lw);
    *lz(lw, n->out) = (Lazy){.buf = x->buf, .ss = ss, .mom = -1};
}

static void fast_RELU(Lowerer *lw, const GNode *n)
{
    Lazy *x = lz(lw, n->in[0]);
    const Shape *s = vshape(lw, n->out);
    if (lw->relu_fused[n - lw->g->nodes]) { /* done by the add before it */
        *lz(lw, n->out) = *x;
        return;
    }
    if (s->rank == 3 && !x->chw) { /* pending: applied by the consumer */
        *lz(lw, n->out) = *x;
        lz(lw, n->out)->relu = true;
        lz(lw, n->out)->mom = -1;
        return;
    }
    materialise(lw, n->in[0]);
    int64_t cnt = s->rank == 3 ? (int64_t)GSC_FAST_ACT_FLOATS(s->n[0], s->n[1], s->n[2]) : shape_count(s);
    int y = floats_buf(lw, cnt);
    may_overwrite(lw, x->buf, y);
    put(lw, "gsc_fast_relu(");
    ref(lw, x->buf);
    put(lw, ", %lld, ", N(cnt));
    ref(lw, y);
    put(lw, ");");
    end_call(lw);
    *lz(lw, n->out) = plain(y);
}

/* A pending ReLU cannot be expressed in an add's operand: apply it first. */
static void no_pending_relu(Lowerer *lw, int v)
{
    if (lz(lw, v)->relu || lz(lw, v)->chw)
        materialise(lw, v);
}

/* relu?(a*ss_a + b*ss_b) in one pass; the ReLU when the add's only consumer
 * is a ReLU. */
static void fast_ADD(Lowerer *lw, const GNode *n)
{
    const Shape *s = vshape(lw, n->out);
    if (s->rank != 3) {
        int y = floats_buf(lw, shape_count(s));
        may_overwrite(lw, lz(lw, n->in[0])->buf, y);
        may_overwrite(lw, lz(lw, n->in[1])->buf, y);
        put(lw, "gsc_fast_add(");
        ref(lw, lz(lw, n->in[0])->buf);
        put(lw, ", ");
        ref(lw, lz(lw, n->in[1])->buf);
        put(lw, ", %lld, ", N(shape_count(s)));
        ref(lw, y);
        put(lw, ");");
        end_call(lw);
        *lz(lw, n->out) = plain(y);
        return;
    }
    no_pending_relu(lw, n->in[0]);
    no_pending_relu(lw, n->in[1]);
    Lazy *a = lz(lw, n->in[0]), *b = lz(lw, n->in[1]);
    const GNode *r = sole_consumer(lw, n->out, OP_RELU);
    if (r)
        lw->relu_fused[r - lw->g->nodes] = true;
    int y = blocked_buf(lw, s);
    may_overwrite(lw, a->buf, y);
    may_overwrite(lw, b->buf, y);
    put(lw, "gsc_fast_bn_apply(");
    ref(lw, a->buf);
    put(lw, ", %lld, %lld, %lld, ", N(s->n[0]), N(s->n[1]), N(s->n[2]));
    ref_or_null(lw, a->ss);
    put(lw, ", ");
    ref(lw, b->buf);
    put(lw, ", ");
    ref_or_null(lw, b->ss);
    put(lw, ", %d, ", r != NULL);
    ref(lw, y);
    put(lw, ");");
    end_call(lw);
    *lz(lw, n->out) = plain(y);
}

static void fast_MAXPOOL2D(Lowerer *lw, const GNode *n)
{
    const Shape *s = vshape(lw, n->in[0]), *os = vshape(lw, n->out);
    if (lz(lw, n->in[0])->chw)
        materialise(lw, n->in[0]);
    Lazy *x = lz(lw, n->in[0]);
    int y = blocked_buf(lw, os);
    put(lw, "gsc_fast_maxpool2d(");
    ref(lw, x->buf);
    put(lw, ", %lld, %lld, %lld, %lld, %lld, %lld, ", N(s->n[0]), N(s->n[1]), N(s->n[2]), N(n->a[0]), N(n->a[1]),
        N(n->a[2]));
    ref_or_null(lw, x->ss);
    put(lw, ", %d, ", x->relu);
    ref(lw, y);
    put(lw, ");");
    end_call(lw);
    *lz(lw, n->out) = plain(y);
}

static void fast_AVGPOOL2D(Lowerer *lw, const GNode *n)
{
    const Shape *s = vshape(lw, n->in[0]), *os = vshape(lw, n->out);
    materialise(lw, n->in[0]);
    int y = blocked_buf(lw, os);
    put(lw, "gsc_fast_avgpool2d(");
    ref(lw, lz(lw, n->in[0])->buf);
    put(lw, ", %lld, %lld, %lld, %lld, %lld, %lld, ", N(s->n[0]), N(s->n[1]), N(s->n[2]), N(n->a[0]), N(n->a[1]),
        N(n->a[2]));
    ref(lw, y);
    put(lw, ");");
    end_call(lw);
    *lz(lw, n->out) = plain(y);
}

static void fast_GLOBAL_AVGPOOL(Lowerer *lw, const GNode *n)
{
    const Shape *s = vshape(lw, n->in[0]);
    materialise(lw, n->in[0]);
    int y = floats_buf(lw, s->n[0]);
    put(lw, "gsc_fast_global_avgpool(");
    ref(lw, lz(lw, n->in[0])->buf);
    put(lw, ", %lld, %lld, %lld, ", N(s->n[0]), N(s->n[1]), N(s->n[2]));
    ref(lw, y);
    put(lw, ");");
    end_call(lw);
    *lz(lw, n->out) = plain(y);
}

static void fast_LINEAR(Lowerer *lw, const GNode *n)
{
    int64_t off = prepare_params(lw, n, true);
    int y = floats_buf(lw, n->a[1]);
    put(lw, "gsc_fast_linear(");
    ref(lw, lz(lw, n->in[0])->buf);
    put(lw, ", %lld, prepared + %lld, %lld, ", N(n->a[0]), N(off), N(n->a[1]));
    ref(lw, y);
    put(lw, ");");
    end_call(lw);
    *lz(lw, n->out) = plain(y);
}

static void fast_SOFTMAX(Lowerer *lw, const GNode *n)
{
    int y = floats_buf(lw, shape_count(vshape(lw, n->out)));
    put(lw, "gsc_softmax(");
    ref(lw, lz(lw, n->in[0])->buf);
    put(lw, ", %lld, ", N(shape_count(vshape(lw, n->out))));
    ref(lw, y);
    put(lw, ");");
    end_call(lw);
    *lz(lw, n->out) = plain(y);
}

/* Blocked tensors join two at a time; vectors are copied one after another. */
static void fast_CONCAT(Lowerer *lw, const GNode *n)
{
    const Shape *os = vshape(lw, n->out);
    if (os->rank != 3) {
        int y = floats_buf(lw, shape_count(os));
        int64_t at = 0;
        for (int k = 0; k < n->nin; k++) {
            copy_into(lw, y, at, lz(lw, n->in[k])->buf, shape_count(vshape(lw, n->in[k])));
            at += shape_count(vshape(lw, n->in[k]));
        }
        *lz(lw, n->out) = plain(y);
        return;
    }
    for (int k = 0; k < n->nin; k++)
        materialise(lw, n->in[k]);
    int acc = lz(lw, n->in[0])->buf;
    int64_t c = vshape(lw, n->in[0])->n[0];
    for (int k = 1; k < n->nin; k++) {
        int64_t ck = vshape(lw, n->in[k])->n[0];
        Shape part = {.rank = 3, .n = {c + ck, os->n[1], os->n[2]}};
        int y = blocked_buf(lw, &part);
        put(lw, "gsc_fast_concat(");
        ref(lw, acc);
        put(lw, ", %lld, ", N(c));
        ref(lw, lz(lw, n->in[k])->buf);
        put(lw, ", %lld, %lld, %lld, ", N(ck), N(os->n[1]), N(os->n[2]));
        ref(lw, y);
        put(lw, ");");
        end_call(lw);
        acc = y;
        c += ck;
    }
    *lz(lw, n->out) = plain(acc);
}

static void fast_FLATTEN(Lowerer *lw, const GNode *n)
{
    const Shape *s = vshape(lw, n->in[0]);
    if (s->rank != 3) {
        *lz(lw, n->out) = *lz(lw, n->in[0]);
        return;
    }
    materialise(lw, n->in[0]);
    if (lz(lw, n->in[0])->chw) {
        *lz(lw, n->out) = *lz(lw, n->in[0]);
        lz(lw, n->out)->chw = false;
        return;
    }
    int y = floats_buf(lw, shape_count(s));
    put(lw, "gsc_fast_to_chw(");
    ref(lw, lz(lw, n->in[0])->buf);
    put(lw, ", %lld, %lld, %lld, ", N(s->n[0]), N(s->n[1]), N(s->n[2]));
    ref(lw, y);
    put(lw, ");");
    end_call(lw);
    *lz(lw, n->out) = plain(y);
}

typedef void (*LowerFn)(Lowerer *, const GNode *);
static const LowerFn ref_fns[OP__COUNT] = {
#define X(id, name, mi, ma, np, sig) [OP_##id] = ref_##id,
#include "ops.h"
#undef X
};
static const LowerFn fast_fns[OP__COUNT] = {
#define X(id, name, mi, ma, np, sig) [OP_##id] = fast_##id,
#include "ops.h"
#undef X
};

/* ------------------------------------------------------------ input and output */

/* The model output: written into the caller's buffer. A plain vector made
 * by a call of its own becomes the output buffer itself; anything else is
 * converted or copied at the end. */
static void lower_output(Lowerer *lw, bool fast)
{
    const Graph *g = lw->g;
    const Shape *s = vshape(lw, g->output);
    Lazy *l = lz(lw, g->output);
    WBuf *w = wbuf(lw, l->buf);
    lw->cur = NULL;
    if (fast && s->rank == 3) {
        materialise(lw, g->output);
        put(lw, "gsc_fast_to_chw(");
        ref(lw, lz(lw, g->output)->buf);
        put(lw, ", %lld, %lld, %lld, ", N(s->n[0]), N(s->n[1]), N(s->n[2]));
        ref(lw, lw->L->output_buf);
        put(lw, ");");
        end_call(lw);
        return;
    }
    if (w->kind == LOC_WORKSPACE && !l->chw) {
        w->kind = LOC_OUTPUT;
        lw->L->output_buf = l->buf;
        return;
    }
    copy_into(lw, lw->L->output_buf, 0, l->buf, shape_count(s));
}

/* What P_prepare does, done here (for --embed-weights). */
void run_prepare(const Lowered *L, const float *params, float *prepared)
{
    memset(prepared, 0, sizeof(float) * (size_t)L->prepared_floats);
    for (int i = 0; i < L->prep.n; i++) {
        const PrepStep *p = L->prep.v[i];
        const GNode *n = p->node;
        switch (p->kind) {
        case PREP_COPY:
            memcpy(prepared + p->dst, params + p->src, sizeof(float) * (size_t)p->count);
            break;
        case PREP_CONV:
            gsc_fast_conv_prepare(params + p->src, params + p->src2, (int)n->a[0], (int)n->a[1], (int)n->a[2],
                                  prepared + p->dst);
            break;
        case PREP_LINEAR:
            gsc_fast_linear_prepare(params + p->src, params + p->src2, (int)n->a[0], (int)n->a[1], prepared + p->dst);
            break;
        }
    }
}

Lowered *lower_graph(const Graph *g, bool fast)
{
    Lowered *L = arena_alloc(sizeof *L);
    L->fast = fast;
    Lowerer lw = {.g = g, .L = L};
    lw.lazy = arena_alloc(sizeof(Lazy) * (size_t)(g->nvalues + 1));
    lw.prep_off = arena_alloc(sizeof(int64_t) * (size_t)(g->ntensors + 1));
    lw.relu_fused = arena_alloc(sizeof(bool) * (size_t)(g->nnodes + 1));
    for (int i = 0; i < g->ntensors; i++)
        lw.prep_off[i] = -1;
    lw.consumer = arena_alloc(sizeof(int) * (size_t)(g->nvalues + 1));
    for (int v = 0; v < g->nvalues; v++)
        lw.consumer[v] = -1;
    for (int i = g->nnodes - 1; i >= 0; i--)
        for (int k = 0; k < g->nodes[i].nin; k++)
            lw.consumer[g->nodes[i].in[k]] = i;
    L->input_buf = new_buf(&lw, shape_count(vshape(&lw, g->input)) * 4, LOC_INPUT);
    L->output_buf = new_buf(&lw, shape_count(vshape(&lw, g->output)) * 4, LOC_OUTPUT);
    lw.lazy[g->input] = plain(L->input_buf);
    lw.lazy[g->input].chw = fast && vshape(&lw, g->input)->rank == 3;
    for (int i = 0; i < g->nnodes; i++) {
        lw.cur = &g->nodes[i];
        int before = L->calls.n;
        (fast ? fast_fns : ref_fns)[g->nodes[i].op](&lw, &g->nodes[i]);
        if (L->calls.n == before) { /* fused: a comment-only entry keeps the section */
            LCall *c = arena_alloc(sizeof *c);
            c->node = &g->nodes[i];
            c->text = NULL;
            vec_push(&L->calls, c);
        }
    }
    lower_output(&lw, fast);
    buf_free(&lw.text);
    return L;
}
