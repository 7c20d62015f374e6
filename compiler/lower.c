/*
 * lower.c - choosing kernels: the graph as a list of runtime calls.
 *
 * Requires: a specialised Graph (spec.c) within the C limits
 * (check_c_limits). Provides: Lowered, the forward pass as calls in order,
 * each a kernel (kernels.h) with typed arguments: buffers (what value they
 * hold, in what shape and layout), integers, flags, geometries and offsets
 * into the prepared weights; the operations each call does beside its own
 * (fused); and the prepare step that lays out the weights for those kernels.
 * Buffers get no memory here: plan.c derives their lifetimes from the calls
 * and places them. Two backends:
 *
 *   fast       runtime/gsc_fast.h: channel-blocked activations, packed
 *              weights, register-blocked convolutions. Batchnorm is folded
 *              into a per-channel scale/shift that is applied lazily: by the
 *              next convolution as it reads its input, by the max-pool, or by
 *              the one pass that ends a residual block (BN + add + ReLU). A
 *              convolution feeding a batchnorm computes the statistics in
 *              its epilogue; a direct convolution followed by an
 *              inference-form batchnorm, an activation or a residual
 *              addition does them as it stores its result (out_chain).
 *   reference  runtime/gsc_runtime.h: plain CHW loops, one call per
 *              operation; small and easy to follow.
 *
 * lower_train lowers the training step P_grad (requires a Grad, grad.c):
 * the reference forward with the weights read from params as they are (its
 * convolutions those of runtime/gsc_fast_backward.c: the same loops,
 * vectorised and threaded), the loss, and the backward grad.c lays out, each
 * operation's backward a call of runtime/gsc_backward.c (the convolution's
 * of gsc_fast_backward.c) that adds into the gradient buffers of its operands
 * (zeroed just before their first addition) and into grads. The backward
 * reads the forward's values through their buffers, so plan.c keeps exactly
 * those alive until their last backward reader.
 */
#include "gsc.h"
#include "gsc_fast.h"

#include <stdlib.h>
#include <string.h>

const KernelInfo kernel_info[K__COUNT] = {
#define K(id, fn, sig) {fn, sig},
#include "kernels.h"
#undef K
};

/* A value as the fast kernels hold it: data in buf, still to be transformed
 * per channel by ss (scale/shift, -1: none) and then an activation act
 * (GSC_ACT_*, 0: none; the ReLU or another); or plain CHW.
 * pend lists the operations whose work is still to be done (or that are
 * views): the call that reads the value does it, and says so. */
typedef struct {
    int buf;
    int ss;
    int act;   /* GSC_ACT_* */
    bool chw;  /* plain CHW (the model input) rather than blocked */
    int mom;   /* moments of the raw data, computed by its conv, or -1 */
    const Fused *pend;
    int npend;
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
    int *prep_step;      /* per tensor: its PrepStep in L->prep, -1 */
    bool *done;          /* per node: its work done by an earlier call (an activation after an add,
                          * a convolution's output chain); its output's Lazy is set */
    int *consumer;       /* per value: the first node that reads it, -1 */
    const GNode *cur;
    const Grad *gr;      /* lower_train: the backward pass; weights are read from params */
    bool backward;       /* the calls being made belong to cur's backward */
    int *gbuf;           /* lower_train: per value, its gradient buffer, -1 */
    const GNode **relu_after; /* lower_train: per value, the ReLU whose backward its producer's does, NULL */
} Lowerer;

static void find_consumers(Lowerer *lw);

/* The activation each activation operation is, as the kernels' flags say it. */
static const int op_act[OP__COUNT] = {
    [OP_RELU] = GSC_ACT_RELU,
    [OP_RELU6] = GSC_ACT_RELU6,
    [OP_SIGMOID] = GSC_ACT_SIGMOID,
    [OP_TANH] = GSC_ACT_TANH,
    [OP_SILU] = GSC_ACT_SILU,
    [OP_GELU] = GSC_ACT_GELU,
    [OP_GELU_TANH] = GSC_ACT_GELU_TANH,
    [OP_HARDSWISH] = GSC_ACT_HARDSWISH,
    [OP_HARDSIGMOID] = GSC_ACT_HARDSIGMOID,
};

/* A max-pool applies these to the maximum: act(max) = max(act) */
static bool act_monotonic(int act)
{
    return act == GSC_ACT_RELU || act == GSC_ACT_RELU6 || act == GSC_ACT_SIGMOID || act == GSC_ACT_TANH ||
           act == GSC_ACT_HARDSIGMOID;
}

/* ------------------------------------------------------------ buffers */

static const Shape *vshape(Lowerer *lw, int v)
{
    return &lw->g->values[v].shape;
}

static WBuf *wbuf(Lowerer *lw, int b)
{
    return lw->L->bufs.v[b];
}

static int new_buf(Lowerer *lw, const char *name, Layout lay, const Shape *s, int64_t bytes)
{
    WBuf *b = arena_alloc(sizeof *b);
    b->name = name;
    b->loc = LOC_WORKSPACE;
    b->layout = lay;
    if (s)
        b->shape = *s;
    b->value = -1;
    b->bytes = (bytes + 63) / 64 * 64;
    b->first = b->last = -1;
    b->alias = -1;
    vec_push(&lw->L->bufs, b);
    return lw->L->bufs.n - 1;
}

/* The buffer that will hold value v, named after what computes it. */
static int value_buf(Lowerer *lw, int v, const char *name, Layout lay)
{
    const Shape *s = vshape(lw, v);
    int64_t floats = lay == LAY_BLOCKED ? (int64_t)GSC_FAST_ACT_FLOATS(s->n[0], s->n[1], s->n[2]) : shape_count(s);
    int b = new_buf(lw, name, lay, s, floats * 4);
    wbuf(lw, b)->value = v;
    return b;
}

/* The output buffer of node n, named after it. */
static int out_buf(Lowerer *lw, const GNode *n, Layout lay)
{
    return value_buf(lw, n->out, n->name, lay);
}

/* [2][cpad(c)] per-channel pairs: moments or scale/shift. */
static int pairs_buf(Lowerer *lw, const char *name, const char *what, int64_t c)
{
    Shape s = {.rank = 1, .n = {c}};
    int b = new_buf(lw, name, LAY_PAIRS, &s, 2 * (int64_t)GSC_FAST_CPAD(c) * 4);
    wbuf(lw, b)->what = what;
    return b;
}

/* ------------------------------------------------------------ calls */

static LArg buf_arg(int b)
{
    return b < 0 ? (LArg){.kind = LA_NULL} : (LArg){.kind = LA_BUF, .buf = b};
}

static LArg at_arg(int b, int64_t floats)
{
    return (LArg){.kind = LA_BUF, .buf = b, .v = floats};
}

static LArg int_arg(int64_t v)
{
    return (LArg){.kind = LA_INT, .v = v};
}

static LArg real_arg(double x)
{
    return (LArg){.kind = LA_REAL, .x = x};
}

static LArg flags_arg(int64_t v)
{
    return (LArg){.kind = LA_FLAGS, .v = v};
}

static LArg prep_arg(int step)
{
    return (LArg){.kind = LA_PREP, .v = step};
}

static LArg geom_arg(int g)
{
    return (LArg){.kind = LA_GEOM, .v = g};
}

static LArg param_arg(int tensor)
{
    return (LArg){.kind = LA_PARAM, .v = tensor};
}

static LArg pgrad_arg(int tensor)
{
    return (LArg){.kind = LA_GRAD, .v = tensor};
}

char call_arg_role(const LCall *c, int i, bool *optional)
{
    const char *s = kernel_info[c->k].sig;
    for (int k = 0; *s; s++) {
        if (*s == '?' || *s == '=')
            continue;
        if (k++ == i) {
            if (optional)
                *optional = s[1] == '?';
            return *s;
        }
    }
    internal_error("kernel %s has no argument %d", kernel_info[c->k].fn, i);
}

static int sig_arity(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s != '?' && *s != '=';
    return n;
}

/* Checks the arguments against the kernel's signature: a lowering bug is
 * found here, not by the C compiler. */
static void check_call(const LCall *c)
{
    const char *fn = kernel_info[c->k].fn;
    if (c->nargs != sig_arity(kernel_info[c->k].sig))
        internal_error("%s called with %d arguments", fn, c->nargs);
    for (int i = 0; i < c->nargs; i++) {
        bool opt;
        char role = call_arg_role(c, i, &opt);
        LArgKind k = c->args[i].kind;
        bool ok = strchr("rRwsa", role) ? k == LA_BUF || (opt && k == LA_NULL)
                  : role == 'i'         ? k == LA_INT
                  : role == 'x'         ? k == LA_REAL
                  : role == 'f'         ? k == LA_FLAGS
                  : role == 'p'         ? k == LA_PREP || k == LA_PARAM || (opt && k == LA_NULL)
                  : role == 'G'         ? k == LA_GRAD || (opt && k == LA_NULL)
                  : role == 'l'         ? k == LA_LABEL
                                        : k == LA_GEOM;
        if (!ok)
            internal_error("%s: argument %d does not match its signature", fn, i + 1);
    }
}

/* Appends a call of kernel k to the current operation. */
static LCall *add_call(Lowerer *lw, KernelId k, const LArg *args, int nargs)
{
    LCall *c = arena_alloc(sizeof *c);
    c->k = k;
    c->node = lw->cur;
    c->backward = lw->backward;
    c->args = arena_alloc(sizeof(LArg) * (size_t)nargs);
    memcpy(c->args, args, sizeof(LArg) * (size_t)nargs);
    c->nargs = nargs;
    check_call(c);
    vec_push(&lw->L->calls, c);
    return c;
}

#define CALL(lw, k, ...) \
    add_call((lw), (k), (LArg[]){__VA_ARGS__}, (int)(sizeof((LArg[]){__VA_ARGS__}) / sizeof(LArg)))

/* list[0..n) and f, as a new arena list (Lazy values are copied between
 * operations, so a list is never extended in place). */
static Fused *append_fused(const Fused *list, int n, Fused f)
{
    Fused *out = arena_alloc(sizeof(Fused) * (size_t)(n + 1));
    if (n)
        memcpy(out, list, sizeof(Fused) * (size_t)n);
    out[n] = f;
    return out;
}

/* Records that c does the work of node n too. */
static void fuse(LCall *c, const GNode *n, FuseKind how)
{
    c->fused = append_fused(c->fused, c->nfused++, (Fused){n, how});
}

/* c reads value v: it does v's pending work. */
static void fuse_pending(LCall *c, const Lazy *l)
{
    for (int i = 0; i < l->npend; i++)
        fuse(c, l->pend[i].node, l->pend[i].how);
}

/* Value v's pending work grows by node n. */
static void pend(Lazy *l, const GNode *n, FuseKind how)
{
    l->pend = append_fused(l->pend, l->npend++, (Fused){n, how});
}

/* One k, one stride, the same padding on every side, no dilation: the
 * square forms, whose calls and geometries are written as before per-axis
 * windows existed. */
static bool win_square(const Win *w)
{
    return w->kh == w->kw && w->sh == w->sw && w->top == w->left && w->top == w->bottom && w->top == w->right &&
           w->dh == 1 && w->dw == 1;
}

static int new_geom(Lowerer *lw, const GNode *n, bool pool, const Shape *in, int64_t cout)
{
    LGeom *g = arena_alloc(sizeof *g);
    Win w = win_of(n);
    *g = (LGeom){n,      pool,   in->n[0], in->n[1], in->n[2], cout, w.kh, w.sh, w.top,
                 n->op == OP_CONV2D ? n->a[CONV2D_groups] : 0,
                 n->op == OP_MAXPOOL2D ? n->a[MAXPOOL2D_ceil] : n->op == OP_AVGPOOL2D ? n->a[AVGPOOL2D_ceil] : 0,
                 w, !win_square(&w), n->op == OP_AVGPOOL2D && !n->a[AVGPOOL2D_count_pad]};
    vec_push(&lw->L->geoms, g);
    return lw->L->geoms.n - 1;
}

/* A call's arguments, gathered in order. */
typedef struct {
    LArg v[32];
    int n;
} ArgList;

static void put_arg(ArgList *l, LArg a)
{
    if (l->n == (int)(sizeof l->v / sizeof l->v[0]))
        internal_error("a call with more than %d arguments", l->n);
    l->v[l->n++] = a;
}

/* Appends node n's window to l: k, stride, pad for a square one (returns
 * true), else kh, kw, sh, sw, top, left, bottom, right, then a convolution's
 * dh, dw (the _axes kernels). */
static void put_window_axes(ArgList *l, const GNode *n)
{
    Win w = win_of(n);
    int64_t v[] = {w.kh, w.kw, w.sh, w.sw, w.top, w.left, w.bottom, w.right, w.dh, w.dw};
    for (int i = 0; i < (n->op == OP_CONV2D ? 10 : 8); i++)
        put_arg(l, int_arg(v[i]));
}

/* A transposed convolution's window: kh, kw, sh, sw, top, left, bottom,
 * right, output_pad's oph, opw, then dh, dw (gsc_conv_transpose2d's order). */
static void put_convt_window(ArgList *l, const GNode *n)
{
    Win w = win_of(n);
    int64_t v[] = {w.kh,  w.kw,  w.sh, w.sw, w.top, w.left, w.bottom, w.right, n->a[CONV_TRANSPOSE2D_output_pad],
                   n->a[CONV_TRANSPOSE2D_output_pad_w], w.dh, w.dw};
    for (int i = 0; i < (int)(sizeof v / sizeof v[0]); i++)
        put_arg(l, int_arg(v[i]));
}

static bool put_window(ArgList *l, const GNode *n)
{
    Win w = win_of(n);
    if (win_square(&w)) {
        put_arg(l, int_arg(w.kh));
        put_arg(l, int_arg(w.sh));
        put_arg(l, int_arg(w.top));
        return true;
    }
    put_window_axes(l, n);
    return false;
}

/* ------------------------------------------------------------ prepare */

static int prep_step(Lowerer *lw, PrepKind kind, const GNode *n, int tensor, const char *name, int64_t floats)
{
    const Tensor *t = &lw->g->tensors[tensor];
    PrepStep *p = arena_alloc(sizeof *p);
    int bias = kind == PREP_COPY ? -1 : gnode_bias(n);
    *p = (PrepStep){kind, n, tensor, name, t->offset, bias < 0 ? -1 : lw->g->tensors[bias].offset,
                    floats, lw->L->prepared_floats, 0, NULL, -1};
    lw->L->prepared_floats += (floats + 15) / 16 * 16;
    vec_push(&lw->L->prep, p);
    lw->prep_step[tensor] = lw->L->prep.n - 1;
    return lw->L->prep.n - 1;
}

/* "conv1.weight" -> "conv1.packed" */
static const char *packed_name(const Tensor *w)
{
    const char *dot = strrchr(w->name, '.');
    int n = dot ? (int)(dot - w->name) : (int)strlen(w->name);
    return arena_printf("%.*s.packed", n, w->name);
}

/* Lays out a layer's tensor pair (weight, bias or gamma, beta) for the
 * kernels, once per tensor even when a layer is applied twice. Returns the
 * step of the first; a copied pair's second is the step after it. */
static int prepare_params(Lowerer *lw, const GNode *n, bool fast)
{
    const Graph *g = lw->g;
    if (lw->prep_step[n->param] >= 0)
        return lw->prep_step[n->param];
    const Tensor *w = &g->tensors[n->param];
    if (fast && n->op == OP_CONV2D)
        return prep_step(lw, PREP_CONV, n, n->param, packed_name(w),
                         (int64_t)gsc_fast_conv_packed_floats_hw((int)n->a[CONV2D_cin], (int)n->a[CONV2D_cout],
                                                                 (int)n->a[CONV2D_k], (int)n->a[CONV2D_k_w],
                                                                 (int)n->a[CONV2D_groups]));
    if (fast && n->op == OP_CONV_TRANSPOSE2D)
        return prep_step(lw, PREP_CONVT, n, n->param, packed_name(w),
                         (int64_t)gsc_fast_conv_transpose_packed_floats(
                             (int)n->a[CONV_TRANSPOSE2D_cin], (int)n->a[CONV_TRANSPOSE2D_cout],
                             (int)n->a[CONV_TRANSPOSE2D_k], (int)n->a[CONV_TRANSPOSE2D_k_w]));
    if (fast && n->op == OP_LINEAR)
        return prep_step(lw, PREP_LINEAR, n, n->param, packed_name(w),
                         (int64_t)gsc_fast_linear_packed_floats((int)n->a[LINEAR_in], (int)n->a[LINEAR_out]));
    /* the weight (or gamma) then the bias (or beta), then batchnorm_eval's running mean and
     * variance, each 64-byte aligned, in consecutive steps */
    int s = prep_step(lw, PREP_COPY, n, n->param, w->name, w->count), bi = gnode_bias(n);
    if (bi >= 0)
        prep_step(lw, PREP_COPY, n, bi, g->tensors[bi].name, g->tensors[bi].count);
    for (int i = 2; i < gnode_ntensors(n); i++)
        prep_step(lw, PREP_COPY, n, n->param + i, g->tensors[n->param + i].name, g->tensors[n->param + i].count);
    return s;
}

/* A conv's weights transformed for Winograd F(m x m, 3x3): once per tensor
 * and m (beside its direct packing, if another application of the layer
 * is computed directly). */
static int prepare_winograd(Lowerer *lw, const GNode *n, int m)
{
    for (int i = 0; i < lw->L->prep.n; i++) {
        const PrepStep *p = lw->L->prep.v[i];
        if (p->kind == PREP_WINOGRAD && p->tensor == n->param && p->tile == m)
            return i;
    }
    const char *name = packed_name(&lw->g->tensors[n->param]);
    int64_t floats = gsc_fast_winograd_packed_floats((int)n->a[CONV2D_cin], (int)n->a[CONV2D_cout], m);
    int direct = lw->prep_step[n->param];
    int s = prep_step(lw, PREP_WINOGRAD, n, n->param,
                      arena_printf("%.*s.winograd%d", (int)strlen(name) - 7, name, m), floats);
    ((PrepStep *)lw->L->prep.v[s])->tile = m;
    lw->prep_step[n->param] = direct; /* the direct packing, if any: made apart, when asked for */
    return s;
}

/* Conv n's prepared weights (direct, or Winograd F(m x m, 3x3)), with the
 * inference batchnorm bn (NULL: none) folded in. */
static int prepare_conv(Lowerer *lw, const GNode *n, int m, const GNode *bn)
{
    int s = m ? prepare_winograd(lw, n, m) : prepare_params(lw, n, true);
    if (bn) {
        PrepStep *p = lw->L->prep.v[s];
        p->bn = bn;
        p->bn_src = lw->g->tensors[bn->param].offset;
    }
    return s;
}

/* ------------------------------------------------------------ the reference backend */

/* A layer's tensors as kernel arguments (gnode_ntensors of them: weight,
 * bias, and batchnorm_eval's running mean and variance): the prepared
 * copies, or in the training step the parameters themselves (read as they
 * are now). A conv2d without a bias passes NULL for it. */
static void weight_args(Lowerer *lw, const GNode *n, LArg *w)
{
    bool bias = gnode_bias(n) >= 0;
    int s = lw->gr ? 0 : prepare_params(lw, n, false);
    for (int i = 0; i < op_info[n->op].nparams; i++)
        w[i] = lw->gr ? param_arg(n->param + i) : prep_arg(s + i);
    if (!bias)
        w[1] = buf_arg(-1);
}

static int in_buf(Lowerer *lw, const GNode *n, int k)
{
    return lw->lazy[n->in[k]].buf;
}

/* A call of n reading its operands: views among them are noted on it. */
static LCall *ref_call(Lowerer *lw, const GNode *n, LCall *c)
{
    for (int k = 0; k < n->nin; k++)
        fuse_pending(c, &lw->lazy[n->in[k]]);
    return c;
}

static int ref_out(Lowerer *lw, const GNode *n)
{
    int b = out_buf(lw, n, LAY_PLAIN);
    lw->lazy[n->out] = plain(b);
    return b;
}

/* conv2d and conv_transpose2d: the same arguments but the window (and
 * conv2d's groups) */
static void ref_CONV2D(Lowerer *lw, const GNode *n)
{
    const Shape *s = vshape(lw, n->in[0]);
    LArg w[2];
    weight_args(lw, n, w);
    int x = in_buf(lw, n, 0), y = ref_out(lw, n);
    ArgList l = {.n = 0};
    put_arg(&l, buf_arg(x));
    for (int d = 0; d < 3; d++)
        put_arg(&l, int_arg(s->n[d]));
    put_arg(&l, w[0]);
    put_arg(&l, w[1]);
    put_arg(&l, int_arg(n->a[op_attr_index(n->op, "cout")]));
    KernelId k = K_CONV_TRANSPOSE2D;
    if (n->op == OP_CONV2D) {
        bool square = put_window(&l, n);
        put_arg(&l, int_arg(n->a[CONV2D_groups]));
        /* P_grad's packed matrix products (gsc_fast_backward.c) take square windows; the others the reference loops */
        k = !square ? K_CONV2D_AXES : lw->gr ? K_FAST_CONV2D_CHW : K_CONV2D;
    } else {
        put_convt_window(&l, n);
    }
    put_arg(&l, buf_arg(y));
    ref_call(lw, n, add_call(lw, k, l.v, l.n));
}
#define ref_CONV_TRANSPOSE2D ref_CONV2D

static void ref_BATCHNORM(Lowerer *lw, const GNode *n)
{
    const Shape *s = vshape(lw, n->in[0]);
    LArg w[2];
    weight_args(lw, n, w);
    int x = in_buf(lw, n, 0), y = ref_out(lw, n);
    /* P_grad's train-mode batchnorm: the vectorised, threaded form (gsc_fast_backward.c) */
    ref_call(lw, n, CALL(lw, lw->gr ? K_FAST_BATCHNORM_CHW : K_BATCHNORM, buf_arg(x), int_arg(s->n[0]),
                         int_arg(s->n[1] * s->n[2]), w[0], w[1], buf_arg(y)));
}

static void ref_BATCHNORM_EVAL(Lowerer *lw, const GNode *n)
{
    const Shape *s = vshape(lw, n->in[0]);
    LArg w[4];
    weight_args(lw, n, w);
    int x = in_buf(lw, n, 0), y = ref_out(lw, n);
    ref_call(lw, n, CALL(lw, K_BATCHNORM_EVAL, buf_arg(x), int_arg(s->n[0]), int_arg(s->n[1] * s->n[2]), w[0], w[1],
                         w[2], w[3], real_arg(n->r[BATCHNORM_EVAL_eps]), buf_arg(y)));
}

/* Channels and positions of a layernorm's operand ([c, h, w], or a vector [c]: one position) */
static void ln_dims(Lowerer *lw, const GNode *n, LArg *c, LArg *hw)
{
    const Shape *s = vshape(lw, n->in[0]);
    *c = int_arg(s->n[0]);
    *hw = int_arg(shape_count(s) / s->n[0]);
}

static void ref_LAYERNORM(Lowerer *lw, const GNode *n)
{
    LArg w[2], c, hw;
    weight_args(lw, n, w);
    ln_dims(lw, n, &c, &hw);
    int x = in_buf(lw, n, 0), y = ref_out(lw, n);
    ref_call(lw, n, CALL(lw, K_LAYERNORM, buf_arg(x), c, hw, w[0], w[1], real_arg(n->r[LAYERNORM_eps]), buf_arg(y)));
}

static void ref_LINEAR(Lowerer *lw, const GNode *n)
{
    LArg w[2];
    weight_args(lw, n, w);
    int x = in_buf(lw, n, 0), y = ref_out(lw, n);
    ref_call(lw, n, CALL(lw, K_LINEAR, buf_arg(x), int_arg(n->a[LINEAR_in]), w[0], w[1], int_arg(n->a[LINEAR_out]), buf_arg(y)));
}

/* fn(x, count, y) */
static void ref_unary(Lowerer *lw, const GNode *n, KernelId k)
{
    int x = in_buf(lw, n, 0), y = ref_out(lw, n);
    ref_call(lw, n, CALL(lw, k, buf_arg(x), int_arg(shape_count(vshape(lw, n->out))), buf_arg(y)));
}

static void ref_RELU(Lowerer *lw, const GNode *n)
{
    ref_unary(lw, n, K_RELU);
}

static void ref_SOFTMAX(Lowerer *lw, const GNode *n)
{
    ref_unary(lw, n, K_SOFTMAX);
}

/* gsc_act(x, count, act, y) */
static void ref_act(Lowerer *lw, const GNode *n)
{
    int x = in_buf(lw, n, 0), y = ref_out(lw, n);
    ref_call(lw, n, CALL(lw, K_ACT, buf_arg(x), int_arg(shape_count(vshape(lw, n->out))), flags_arg(op_act[n->op]),
                         buf_arg(y)));
}
#define ref_RELU6 ref_act
#define ref_SIGMOID ref_act
#define ref_TANH ref_act
#define ref_SILU ref_act
#define ref_GELU ref_act
#define ref_GELU_TANH ref_act
#define ref_HARDSWISH ref_act
#define ref_HARDSIGMOID ref_act

/* The activations with real arguments (not in op_act: never fused, since the
 * fast kernels' activation field carries no argument): a, b of gsc_act_param */
static int act_param_args(const GNode *n, LArg ab[2])
{
    bool clip = n->op == OP_CLIP;
    ab[0] = real_arg(clip ? n->r[CLIP_min] : n->r[LEAKY_RELU_alpha]);
    ab[1] = real_arg(clip ? n->r[CLIP_max] : 0.0);
    return clip ? GSC_ACT_CLIP : GSC_ACT_LEAKY_RELU;
}

static void ref_act_param(Lowerer *lw, const GNode *n)
{
    LArg ab[2];
    int act = act_param_args(n, ab);
    int x = in_buf(lw, n, 0), y = ref_out(lw, n);
    ref_call(lw, n, CALL(lw, K_ACT_PARAM, buf_arg(x), int_arg(shape_count(vshape(lw, n->out))), flags_arg(act), ab[0],
                         ab[1], buf_arg(y)));
}
#define ref_CLIP ref_act_param
#define ref_LEAKY_RELU ref_act_param

/* A pool's arguments, forward (x the input, dy -1) or backward (dy the
 * result's gradient, dx the input's): [x,] c, h, w, the window, a max-pool's
 * ceil (an average pool's ceil and count_pad in the _axes form) [, dy], then
 * y or dx. Picks the square kernel or its _axes form. */
static LCall *pool_call(Lowerer *lw, const GNode *n, KernelId square_k, KernelId axes_k, int x, int dy, int out)
{
    const Shape *s = vshape(lw, n->in[0]);
    ArgList l = {.n = 0};
    if (x >= 0)
        put_arg(&l, buf_arg(x));
    for (int d = 0; d < 3; d++)
        put_arg(&l, int_arg(s->n[d]));
    /* an average pool's square kernel has neither ceil mode nor count_pad=0 */
    bool avg_plain = n->op != OP_AVGPOOL2D || (!n->a[AVGPOOL2D_ceil] && n->a[AVGPOOL2D_count_pad]);
    Win w = win_of(n);
    bool square = win_square(&w) && avg_plain;
    if (square)
        put_window(&l, n);
    else
        put_window_axes(&l, n);
    if (n->op == OP_MAXPOOL2D)
        put_arg(&l, int_arg(n->a[MAXPOOL2D_ceil]));
    else if (!square) {
        put_arg(&l, int_arg(n->a[AVGPOOL2D_ceil]));
        put_arg(&l, int_arg(n->a[AVGPOOL2D_count_pad]));
    }
    if (dy >= 0)
        put_arg(&l, buf_arg(dy));
    put_arg(&l, buf_arg(out));
    return add_call(lw, square ? square_k : axes_k, l.v, l.n);
}

static void ref_pool(Lowerer *lw, const GNode *n)
{
    int x = in_buf(lw, n, 0), y = ref_out(lw, n);
    bool max = n->op == OP_MAXPOOL2D;
    ref_call(lw, n, pool_call(lw, n, max ? K_MAXPOOL2D : K_AVGPOOL2D, max ? K_MAXPOOL2D_AXES : K_AVGPOOL2D_AXES, x, -1, y));
}
#define ref_MAXPOOL2D ref_pool
#define ref_AVGPOOL2D ref_pool

static void ref_ADAPTIVE_AVGPOOL2D(Lowerer *lw, const GNode *n)
{
    const Shape *s = vshape(lw, n->in[0]);
    int x = in_buf(lw, n, 0), y = ref_out(lw, n);
    ref_call(lw, n,
             CALL(lw, K_ADAPTIVE_AVGPOOL2D, buf_arg(x), int_arg(s->n[0]), int_arg(s->n[1]), int_arg(s->n[2]),
                  int_arg(n->a[ADAPTIVE_AVGPOOL2D_size]), int_arg(n->a[ADAPTIVE_AVGPOOL2D_size_w]), buf_arg(y)));
}

/* upsample, upsample_bilinear: kernel k with [x,] the operand's c, h, w,
 * the factors, bilinear's align_corners, then (backward) dy, and y or dx. */
static LCall *up_call(Lowerer *lw, const GNode *n, KernelId k, int x, int dy, int out)
{
    const Shape *s = vshape(lw, n->in[0]);
    int si = op_attr_index(n->op, "scale");
    ArgList l = {.n = 0};
    if (x >= 0)
        put_arg(&l, buf_arg(x));
    for (int d = 0; d < 3; d++)
        put_arg(&l, int_arg(s->n[d]));
    put_arg(&l, int_arg(n->a[si]));
    put_arg(&l, int_arg(n->a[si + 1]));
    if (n->op == OP_UPSAMPLE_BILINEAR)
        put_arg(&l, int_arg(n->a[UPSAMPLE_BILINEAR_align_corners]));
    if (dy >= 0)
        put_arg(&l, buf_arg(dy));
    put_arg(&l, buf_arg(out));
    return add_call(lw, k, l.v, l.n);
}

static void ref_upsample(Lowerer *lw, const GNode *n)
{
    int x = in_buf(lw, n, 0), y = ref_out(lw, n);
    ref_call(lw, n, up_call(lw, n, n->op == OP_UPSAMPLE ? K_UPSAMPLE : K_UPSAMPLE_BILINEAR, x, -1, y));
}
#define ref_UPSAMPLE ref_upsample
#define ref_UPSAMPLE_BILINEAR ref_upsample

static void ref_GLOBAL_AVGPOOL(Lowerer *lw, const GNode *n)
{
    const Shape *s = vshape(lw, n->in[0]);
    int x = in_buf(lw, n, 0), y = ref_out(lw, n);
    ref_call(lw, n, CALL(lw, K_GLOBAL_AVGPOOL, buf_arg(x), int_arg(s->n[0]), int_arg(s->n[1] * s->n[2]), buf_arg(y)));
}

/* An elementwise binary operation's kernel op, and its operand shapes as
 * [c, h, w] (trailing 1s: a vector [n] is [n, 1, 1], the scalar [1, 1, 1]). */
static const int op_ew[OP__COUNT] = {
    [OP_ADD] = GSC_EW_ADD, [OP_SUB] = GSC_EW_SUB, [OP_MUL] = GSC_EW_MUL,
    [OP_MAXIMUM] = GSC_EW_MAX, [OP_MINIMUM] = GSC_EW_MIN,
};

static void dims3(const Shape *s, LArg *d)
{
    for (int i = 0; i < 3; i++)
        d[i] = int_arg(i < s->rank ? s->n[i] : 1);
}

/* Does node n broadcast (its operands' shapes differ)? */
static bool broadcasts(Lowerer *lw, const GNode *n)
{
    const Shape *a = vshape(lw, n->in[0]), *b = vshape(lw, n->in[1]);
    if (a->rank != b->rank)
        return true;
    for (int i = 0; i < a->rank; i++)
        if (a->n[i] != b->n[i])
            return true;
    return false;
}

/* kernel(a, ca, ha, wa, b, cb, hb, wb, c, h, w, op, y) */
static LCall *binary_call(Lowerer *lw, const GNode *n, KernelId k, int a, int b, int y)
{
    LArg da[3], db[3], dy[3];
    dims3(vshape(lw, n->in[0]), da);
    dims3(vshape(lw, n->in[1]), db);
    dims3(vshape(lw, n->out), dy);
    return CALL(lw, k, buf_arg(a), da[0], da[1], da[2], buf_arg(b), db[0], db[1], db[2], dy[0], dy[1], dy[2],
                flags_arg(op_ew[n->op]), buf_arg(y));
}

static void ref_binary(Lowerer *lw, const GNode *n)
{
    int a = in_buf(lw, n, 0), b = in_buf(lw, n, 1), y = ref_out(lw, n);
    ref_call(lw, n, binary_call(lw, n, K_BINARY, a, b, y));
}
#define ref_MUL ref_binary
#define ref_SUB ref_binary
#define ref_MAXIMUM ref_binary
#define ref_MINIMUM ref_binary

static void ref_ADD(Lowerer *lw, const GNode *n)
{
    if (broadcasts(lw, n)) {
        ref_binary(lw, n);
        return;
    }
    int a = in_buf(lw, n, 0), b = in_buf(lw, n, 1), y = ref_out(lw, n);
    ref_call(lw, n, CALL(lw, K_ADD, buf_arg(a), buf_arg(b), int_arg(shape_count(vshape(lw, n->out))), buf_arg(y)));
}

/* Plain layouts: a concat (along the first dimension) is one copy per operand. */
static void concat_copies(Lowerer *lw, const GNode *n, int y)
{
    int64_t at = 0;
    for (int k = 0; k < n->nin; k++) {
        int64_t cnt = shape_count(vshape(lw, n->in[k]));
        LCall *c = CALL(lw, K_COPY, at_arg(y, at), buf_arg(lw->lazy[n->in[k]].buf), int_arg(cnt));
        fuse_pending(c, &lw->lazy[n->in[k]]);
        at += cnt;
    }
}

static void ref_CONCAT(Lowerer *lw, const GNode *n)
{
    concat_copies(lw, n, ref_out(lw, n));
}

/* param: its tensor (prepared, or in P_grad the parameters) copied into the value */
static void ref_PARAM(Lowerer *lw, const GNode *n)
{
    LArg w[1];
    weight_args(lw, n, w);
    CALL(lw, K_COPY_PARAM, buf_arg(ref_out(lw, n)), w[0], int_arg(shape_count(vshape(lw, n->out))));
}

/* The same data: a view of the operand, noted on the call that reads it. */
static void view(Lowerer *lw, const GNode *n)
{
    lw->lazy[n->out] = lw->lazy[n->in[0]];
    pend(&lw->lazy[n->out], n, FUSE_VIEW);
}

static void ref_FLATTEN(Lowerer *lw, const GNode *n)
{
    view(lw, n);
}

static void ref_IDENTITY(Lowerer *lw, const GNode *n)
{
    view(lw, n);
}

/* narrow and channel_shuffle: (start, groups) of gsc_gather_channels */
static void gather_args(const GNode *n, int64_t *start, int64_t *groups)
{
    *start = n->op == OP_NARROW ? n->a[NARROW_start] : 0;
    *groups = n->op == OP_CHANNEL_SHUFFLE ? n->a[CHANNEL_SHUFFLE_groups] : 1;
}

static void ref_gather(Lowerer *lw, const GNode *n)
{
    const Shape *s = vshape(lw, n->in[0]), *o = vshape(lw, n->out);
    int64_t start, groups;
    gather_args(n, &start, &groups);
    int x = in_buf(lw, n, 0), y = ref_out(lw, n);
    ref_call(lw, n, CALL(lw, K_GATHER_CHANNELS, buf_arg(x), int_arg(s->n[0]), int_arg(shape_count(s) / s->n[0]),
                         int_arg(start), int_arg(groups), int_arg(o->n[0]), buf_arg(y)));
}
#define ref_NARROW ref_gather
#define ref_CHANNEL_SHUFFLE ref_gather

/* ------------------------------------------------------------ the fast backend */

static Lazy *lz(Lowerer *lw, int v)
{
    return &lw->lazy[v];
}

static int flags_of(const Lazy *l)
{
    return (l->chw ? GSC_FAST_IN_CHW : 0) | l->act;
}

/* Puts value v in plain blocked form (no pending transform), converting or
 * applying its BN/activation once; later consumers reuse the result. */
static void materialise(Lowerer *lw, int v)
{
    Lazy *l = lz(lw, v);
    const Shape *s = vshape(lw, v);
    if (s->rank != 3 || (!l->chw && l->ss < 0 && !l->act))
        return;
    const Value *val = &lw->g->values[v];
    const char *name = val->producer >= 0 ? lw->g->nodes[val->producer].name : arena_printf("%s.blocked", val->name);
    int y = value_buf(lw, v, name, LAY_BLOCKED);
    LCall *c;
    if (l->chw)
        c = CALL(lw, K_FAST_FROM_CHW, buf_arg(l->buf), int_arg(s->n[0]), int_arg(s->n[1]), int_arg(s->n[2]),
                 buf_arg(y));
    else
        c = CALL(lw, K_FAST_BN_APPLY, buf_arg(l->buf), int_arg(s->n[0]), int_arg(s->n[1]), int_arg(s->n[2]),
                 buf_arg(l->ss), buf_arg(-1), buf_arg(-1), flags_arg(l->act), buf_arg(y));
    fuse_pending(c, l);
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

/* Does value v feed exactly one operation, an activation? */
static const GNode *sole_act_consumer(const Lowerer *lw, int v)
{
    const Graph *g = lw->g;
    int c = lw->consumer[v];
    if (g->values[v].nuses != 1 || v == g->output || c < 0)
        return NULL;
    return op_act[g->nodes[c].op] ? &g->nodes[c] : NULL;
}

/* The operations after a convolution that its output transform does
 * (gsc_fast_conv2d_out) as it stores each tile, y = act(conv*ss + sh + res):
 * an inference-form batchnorm, then either an activation, or a residual
 * addition of a value computed before the convolution and held plain and
 * the activation after that; each one present the only consumer of the
 * value before it (so no other operation reads the values in between,
 * which are never stored). */
typedef struct {
    const GNode *bn, *add, *act; /* any of them NULL */
    int res;                     /* the addition's other operand, -1 */
    int last;                    /* the value the call leaves in its output buffer */
} OutChain;

static bool out_chain(Lowerer *lw, const GNode *n, const GNode *fold, OutChain *oc)
{
    const Graph *g = lw->g;
    int v = fold ? fold->out : n->out;
    *oc = (OutChain){.res = -1};
    if (!fold && (oc->bn = sole_consumer(lw, v, OP_BATCHNORM_EVAL)))
        v = oc->bn->out;
    const GNode *add = sole_consumer(lw, v, OP_ADD);
    if (add && !broadcasts(lw, add)) {
        int o = add->in[0] == v ? add->in[1] : add->in[0];
        const Lazy *r = lz(lw, o);
        if (g->values[o].producer >= 0 && g->values[o].producer < n - g->nodes && !r->chw && r->ss < 0 && !r->act) {
            oc->add = add;
            oc->res = o;
            v = add->out;
        }
    }
    if ((oc->act = sole_act_consumer(lw, v)))
        v = oc->act->out;
    oc->last = v;
    return oc->bn || oc->add || oc->act;
}

/* The chain's operations done by conv call c: their values are y. */
static void chain_done(Lowerer *lw, const OutChain *oc, LCall *c, int y)
{
    const GNode *ops[3] = {oc->bn, oc->add, oc->act};
    for (int i = 0; i < 3; i++)
        if (ops[i]) {
            fuse(c, ops[i], FUSE_OUTPUT);
            lw->done[ops[i] - lw->g->nodes] = true;
            *lz(lw, ops[i]->out) = plain(y);
        }
    if (oc->res >= 0)
        fuse_pending(c, lz(lw, oc->res));
    wbuf(lw, y)->value = oc->last;
}

/* The scale and shift of inference batchnorm bn over c channels, from its
 * running statistics: a new buffer, computed here (per call). */
static int bn_eval_ss(Lowerer *lw, const GNode *bn, int64_t c)
{
    int w = prepare_params(lw, bn, true);
    int ss = pairs_buf(lw, arena_printf("%s.ss", bn->name), arena_printf("scale, shift of %s", bn->name), c);
    CALL(lw, K_FAST_BN_EVAL_FOLD, prep_arg(w), prep_arg(w + 1), prep_arg(w + 2), prep_arg(w + 3), int_arg(c),
         real_arg(bn->r[BATCHNORM_EVAL_eps]), buf_arg(ss));
    return ss;
}

/* The chain's batchnorm's scale and shift (-1: no batchnorm), computed
 * before the convolution that applies them. */
static int chain_ss(Lowerer *lw, const OutChain *oc, int64_t c)
{
    return oc->bn ? bn_eval_ss(lw, oc->bn, c) : -1;
}

/* The inference batchnorm that conv n's prepared weights take in (w*s per
 * output channel, the bias (b - mean)*s + beta): the only consumer of its
 * result, when no other application of the layer shares the weights (they
 * would be prepared once for both). NULL: none, or the training step. */
static const GNode *folded_bn(const Lowerer *lw, const GNode *n)
{
    const Graph *g = lw->g;
    const GNode *bn = lw->gr ? NULL : sole_consumer(lw, n->out, OP_BATCHNORM_EVAL);
    for (int i = 0; bn && i < g->nnodes; i++)
        if (&g->nodes[i] != n && g->nodes[i].op == OP_CONV2D && g->nodes[i].param == n->param)
            bn = NULL;
    return bn;
}

ConvMode lower_conv_mode = CONV_AUTO;

/* Winograd F(m x m, 3x3) computes only a dense 3x3 stride-1 convolution with
 * the same padding on every side: every other window is direct. */
static bool winograd_applies(const GNode *n)
{
    Win w = win_of(n);
    return win_square(&w) && w.kh == 3 && w.sh == 1 && n->a[CONV2D_groups] <= 1;
}

/*
 * The cost model of a 3x3 stride-1 convolution, in multiply-add time units
 * of the direct kernel (docs/semantics.md, "Winograd convolution"):
 *   direct       oh*ow * 9 * L * cblk(cin) * cpad(cout)       (L = min(cin, 16))
 *   F(m x m)     tiles' * a^2 * cpad(cin) * cpad(cout)         the a^2 products
 *              + TRANSFORM * a^2 * (tiles' * cpad(cin) + tiles * cpad(cout))
 * with a = m + 2, tiles = ceil(oh/m) * ceil(ow/m) (the last row and column of
 * tiles partly outside the output: the tile waste at small sizes), tiles'
 * rounded up to whole strips of 14 (the micro-kernel's), and TRANSFORM the
 * cost of one transformed element (its arithmetic, its store and its reloads
 * by each group of output blocks), counted as 50 multiply-adds: fitted to
 * bench/conv_bench.c's ratios on ResNet-18's layer shapes (docs/semantics.md).
 */
#define WINO_TRANSFORM 50.0
static double wino_cost(const Shape *s, int64_t cout, int64_t pad, int m)
{
    int64_t oh = s->n[1] + 2 * pad - 2, ow = s->n[2] + 2 * pad - 2, a = m + 2;
    double tiles = (double)((oh + m - 1) / m) * (double)((ow + m - 1) / m);
    double tp = (double)(((int64_t)tiles + 13) / 14 * 14);
    double ci = (double)GSC_FAST_CPAD(s->n[0]), co = (double)GSC_FAST_CPAD(cout);
    return tp * a * a * ci * co + WINO_TRANSFORM * a * a * (tp * ci + tiles * co);
}

/* Which method computes conv n on input x: 0 (direct) or m of Winograd
 * F(m x m, 3x3); *note says why, for the generated C's comment. A CHW input
 * (the model's) stays direct: the direct kernel reads it as it pads it. */
static int conv_method(const Lowerer *lw, const GNode *n, const Lazy *x, const char **note)
{
    const Shape *s = vshape((Lowerer *)lw, n->in[0]);
    *note = NULL;
    if (!winograd_applies(n) || x->chw || lower_conv_mode == CONV_DIRECT)
        return 0;
    int64_t cin = s->n[0], cout = n->a[CONV2D_cout], pad = n->a[CONV2D_pad];
    double direct = (double)(s->n[1] + 2 * pad - 2) * (double)(s->n[2] + 2 * pad - 2) * 9.0 *
                    (double)(cin < 16 ? cin : 16) * (double)GSC_FAST_CBLK(cin) * (double)GSC_FAST_CPAD(cout);
    double w4 = wino_cost(s, cout, pad, 4), w2 = wino_cost(s, cout, pad, 2);
    int m = w4 <= w2 ? 4 : 2;
    double w = m == 4 ? w4 : w2;
    bool use = lower_conv_mode == CONV_WINOGRAD || w < direct;
    *note = arena_printf("%s (%s; cost model: direct 1, F(4x4) %.2f, F(2x2) %.2f)",
                         use ? arena_printf("Winograd F(%dx%d, 3x3)", m, m) : "direct",
                         lower_conv_mode == CONV_WINOGRAD ? "--conv=winograd" : "--conv=auto", w4 / direct,
                         w2 / direct);
    return use ? m : 0;
}

static void fast_CONV2D(Lowerer *lw, const GNode *n)
{
    const Shape *s = vshape(lw, n->in[0]);
    Lazy *x = lz(lw, n->in[0]);
    /* forced Winograd on the model's CHW input: blocked first (gsc_fast_from_chw) */
    if (x->chw && lower_conv_mode == CONV_WINOGRAD && winograd_applies(n))
        materialise(lw, n->in[0]);
    const char *note;
    int m = conv_method(lw, n, x, &note);
    if (m && x->act && x->act != GSC_ACT_RELU) /* the Winograd input transform applies only the ReLU */
        materialise(lw, n->in[0]);
    const GNode *fold = folded_bn(lw, n);
    int w = prepare_conv(lw, n, m, fold);
    int geom = new_geom(lw, n, false, s, n->a[CONV2D_cout]);
    const GNode *bn = sole_consumer(lw, n->out, OP_BATCHNORM);
    OutChain oc = {.res = -1};
    /* a direct convolution does the operations after it (after the folded
     * batchnorm) as it stores its result */
    bool chain = !m && !bn && out_chain(lw, n, fold, &oc);
    int ss = chain ? chain_ss(lw, &oc, n->a[CONV2D_cout]) : -1;
    int y = out_buf(lw, n, LAY_BLOCKED);
    int mom = bn ? pairs_buf(lw, arena_printf("%s.stats", bn->name), arena_printf("mean, variance of %s", n->name),
                             n->a[CONV2D_cout])
                 : -1;
    const LGeom *lg = lw->L->geoms.v[geom];
    GscFastConv fg = {.cin = (int)s->n[0], .h = (int)s->n[1], .w = (int)s->n[2], .cout = (int)n->a[CONV2D_cout],
                      .k = (int)lg->k, .stride = (int)lg->stride, .pad = (int)lg->pad,
                      .groups = (int)n->a[CONV2D_groups], .axes = lg->axes, .kw = (int)lg->win.kw,
                      .sw = (int)lg->win.sw, .left = (int)lg->win.left, .bottom = (int)lg->win.bottom,
                      .right = (int)lg->win.right, .dh = (int)lg->win.dh, .dw = (int)lg->win.dw};
    int scratch = new_buf(lw, arena_printf("%s.scratch", n->name), LAY_SCRATCH, NULL,
                          m ? (int64_t)gsc_fast_winograd_workspace_bytes(&fg, m)
                            : (int64_t)gsc_fast_conv_workspace_bytes(&fg));
    LCall *c;
    if (chain)
        c = CALL(lw, K_FAST_CONV2D_OUT, geom_arg(geom), buf_arg(x->buf), prep_arg(w), buf_arg(x->ss),
                 flags_arg(flags_of(x)), buf_arg(ss), buf_arg(oc.res >= 0 ? lz(lw, oc.res)->buf : -1),
                 flags_arg(oc.act ? op_act[oc.act->op] : 0), buf_arg(y), buf_arg(scratch));
    else if (m)
        c = CALL(lw, K_FAST_CONV2D_WINOGRAD, geom_arg(geom), int_arg(m), buf_arg(x->buf), prep_arg(w),
                 buf_arg(x->ss), flags_arg(flags_of(x)), buf_arg(y), buf_arg(mom), buf_arg(scratch));
    else
        c = CALL(lw, K_FAST_CONV2D, geom_arg(geom), buf_arg(x->buf), prep_arg(w), buf_arg(x->ss),
                 flags_arg(flags_of(x)), buf_arg(y), buf_arg(mom), buf_arg(scratch));
    c->note = note;
    fuse_pending(c, x);
    if (bn)
        fuse(c, bn, FUSE_STATS);
    *lz(lw, n->out) = (Lazy){.buf = y, .ss = -1, .mom = mom};
    if (chain)
        chain_done(lw, &oc, c, y);
    if (fold) {
        fuse(c, fold, FUSE_FOLDED);
        lw->done[fold - lw->g->nodes] = true;
        *lz(lw, fold->out) = plain(y);
        if (!chain)
            wbuf(lw, y)->value = fold->out;
    }
}

/* One matrix product of the packed weights [kh*kw*cpad(cout) x cin] with
 * the input [cin x h*w] (the 1x1 convolution's kernel, which also applies
 * the input's pending scale/shift and activation), then each tap's columns
 * added into the output rows they land on (gsc_fast_conv_transpose2d). */
static void fast_CONV_TRANSPOSE2D(Lowerer *lw, const GNode *n)
{
    const Shape *s = vshape(lw, n->in[0]);
    Lazy *x = lz(lw, n->in[0]);
    int w = prepare_params(lw, n, true);
    int geom = new_geom(lw, n, false, s, n->a[CONV_TRANSPOSE2D_cout]);
    int y = out_buf(lw, n, LAY_BLOCKED);
    const LGeom *lg = lw->L->geoms.v[geom];
    GscFastConv fg = {.cin = (int)s->n[0], .h = (int)s->n[1], .w = (int)s->n[2],
                      .cout = (int)n->a[CONV_TRANSPOSE2D_cout], .k = (int)lg->k, .stride = (int)lg->stride,
                      .pad = (int)lg->pad, .axes = lg->axes, .kw = (int)lg->win.kw, .sw = (int)lg->win.sw,
                      .left = (int)lg->win.left, .bottom = (int)lg->win.bottom, .right = (int)lg->win.right,
                      .dh = (int)lg->win.dh, .dw = (int)lg->win.dw};
    int scratch = new_buf(lw, arena_printf("%s.scratch", n->name), LAY_SCRATCH, NULL,
                          (int64_t)gsc_fast_conv_transpose_workspace_bytes(&fg));
    LCall *c = CALL(lw, K_FAST_CONV_TRANSPOSE2D, geom_arg(geom), int_arg(n->a[CONV_TRANSPOSE2D_output_pad]),
                    int_arg(n->a[CONV_TRANSPOSE2D_output_pad_w]), buf_arg(x->buf), prep_arg(w), buf_arg(x->ss),
                    flags_arg(flags_of(x)), buf_arg(y), buf_arg(scratch));
    fuse_pending(c, x);
    *lz(lw, n->out) = plain(y);
}

static void fast_BATCHNORM(Lowerer *lw, const GNode *n)
{
    const Shape *s = vshape(lw, n->in[0]);
    Lazy *x = lz(lw, n->in[0]);
    if (x->chw || x->ss >= 0 || x->act || x->mom < 0) {
        materialise(lw, n->in[0]);
        x->mom = pairs_buf(lw, arena_printf("%s.stats", n->name), arena_printf("mean, variance of %s's input", n->name),
                           s->n[0]);
        CALL(lw, K_FAST_MOMENTS, buf_arg(x->buf), int_arg(s->n[0]), int_arg(s->n[1]), int_arg(s->n[2]),
             buf_arg(x->mom));
    }
    int w = prepare_params(lw, n, true);
    int ss = pairs_buf(lw, arena_printf("%s.ss", n->name), arena_printf("scale, shift of %s", n->name), s->n[0]);
    CALL(lw, K_FAST_BN_FOLD, buf_arg(x->mom), prep_arg(w), prep_arg(w + 1), int_arg(s->n[0]), buf_arg(ss));
    *lz(lw, n->out) = (Lazy){.buf = x->buf, .ss = ss, .mom = -1};
    pend(lz(lw, n->out), n, FUSE_INPUT);
}

/* The running statistics' scale and shift (computed per call: c values),
 * then, as for the train-time form, pending: applied by the consumer as it
 * reads its input (a convolution, a pool, an add), else by bn_apply. */
static void fast_BATCHNORM_EVAL(Lowerer *lw, const GNode *n)
{
    if (lw->done[n - lw->g->nodes]) /* by the convolution before it */
        return;
    const Shape *s = vshape(lw, n->in[0]);
    Lazy *x = lz(lw, n->in[0]);
    if (x->chw || x->ss >= 0 || x->act)
        materialise(lw, n->in[0]);
    int ss = bn_eval_ss(lw, n, s->n[0]);
    *lz(lw, n->out) = (Lazy){.buf = x->buf, .ss = ss, .mom = -1};
    pend(lz(lw, n->out), n, FUSE_INPUT);
}

/* Layer normalisation: one pass over a blocked tensor (pending work on its
 * input applied first: the statistics need the values); a vector takes the
 * reference kernel, whose plain layout it has. */
static void fast_LAYERNORM(Lowerer *lw, const GNode *n)
{
    const Shape *s = vshape(lw, n->in[0]);
    if (s->rank != 3) {
        ref_LAYERNORM(lw, n);
        return;
    }
    materialise(lw, n->in[0]);
    Lazy *x = lz(lw, n->in[0]);
    int w = prepare_params(lw, n, true), y = out_buf(lw, n, LAY_BLOCKED);
    LCall *c = CALL(lw, K_FAST_LAYERNORM, buf_arg(x->buf), int_arg(s->n[0]), int_arg(s->n[1]), int_arg(s->n[2]),
                    prep_arg(w), prep_arg(w + 1), real_arg(n->r[LAYERNORM_eps]), buf_arg(y));
    fuse_pending(c, x);
    *lz(lw, n->out) = plain(y);
}

/* param: its prepared tensor laid out blocked (c floats and the zero padding lanes) */
static void fast_PARAM(Lowerer *lw, const GNode *n)
{
    const Shape *s = vshape(lw, n->out);
    int w = prepare_params(lw, n, true), y = out_buf(lw, n, LAY_BLOCKED);
    CALL(lw, K_FAST_PARAM_TO_BLOCKED, prep_arg(w), int_arg(s->n[0]), int_arg(s->n[1]), int_arg(s->n[2]), buf_arg(y));
    *lz(lw, n->out) = plain(y);
}

/* An activation: pending on a blocked value (applied by its consumer: the
 * next convolution's padded copy, a max-pool when it is monotonic, the
 * pass that materialises it); one vector pass otherwise. */
static void fast_act(Lowerer *lw, const GNode *n)
{
    Lazy *x = lz(lw, n->in[0]);
    const Shape *s = vshape(lw, n->out);
    int act = op_act[n->op];
    if (lw->done[n - lw->g->nodes]) { /* by the add or the convolution before it */
        *lz(lw, n->out) = *x;
        return;
    }
    if (s->rank == 3 && (x->chw || x->act))
        materialise(lw, n->in[0]);
    if (s->rank == 3) { /* pending: applied by the consumer */
        *lz(lw, n->out) = *x;
        lz(lw, n->out)->act = act;
        lz(lw, n->out)->mom = -1;
        pend(lz(lw, n->out), n, FUSE_INPUT);
        return;
    }
    int y = out_buf(lw, n, LAY_PLAIN);
    LCall *c = act == GSC_ACT_RELU
                   ? CALL(lw, K_FAST_RELU, buf_arg(x->buf), int_arg(shape_count(s)), buf_arg(y))
                   : CALL(lw, K_FAST_ACT, buf_arg(x->buf), int_arg(shape_count(s)), flags_arg(act), buf_arg(y));
    fuse_pending(c, x);
    *lz(lw, n->out) = plain(y);
}

static void fast_RELU(Lowerer *lw, const GNode *n)
{
    fast_act(lw, n);
}
#define fast_RELU6 fast_act
#define fast_SIGMOID fast_act
#define fast_TANH fast_act
#define fast_SILU fast_act
#define fast_GELU fast_act
#define fast_GELU_TANH fast_act
#define fast_HARDSWISH fast_act
#define fast_HARDSIGMOID fast_act

/* clip, leaky_relu: one vector pass over a blocked tensor (pending work on
 * its input applied first; padding lanes kept 0) or a plain vector */
static void fast_act_param(Lowerer *lw, const GNode *n)
{
    const Shape *s = vshape(lw, n->out);
    LArg ab[2];
    int act = act_param_args(n, ab);
    bool blocked = s->rank == 3;
    if (blocked)
        materialise(lw, n->in[0]);
    Lazy *x = lz(lw, n->in[0]);
    int y = out_buf(lw, n, blocked ? LAY_BLOCKED : LAY_PLAIN);
    int64_t floats = blocked ? (int64_t)GSC_FAST_ACT_FLOATS(s->n[0], s->n[1], s->n[2]) : shape_count(s);
    LCall *c = CALL(lw, K_FAST_ACT_PARAM, buf_arg(x->buf), int_arg(floats), int_arg(blocked ? s->n[0] : 0),
                    flags_arg(act), ab[0], ab[1], buf_arg(y));
    fuse_pending(c, x);
    *lz(lw, n->out) = plain(y);
}
#define fast_CLIP fast_act_param
#define fast_LEAKY_RELU fast_act_param

/* A pending activation cannot be expressed in an add's operand: apply it first. */
static void no_pending_act(Lowerer *lw, int v)
{
    if (lz(lw, v)->act || lz(lw, v)->chw)
        materialise(lw, v);
}

/* Elementwise with broadcasting: gsc_fast_binary on blocked operands (the
 * scalar [1] and vectors are plain, one float or n), gsc_binary on vectors. */
static void fast_binary(Lowerer *lw, const GNode *n)
{
    const Shape *s = vshape(lw, n->out);
    materialise(lw, n->in[0]);
    materialise(lw, n->in[1]);
    Lazy *a = lz(lw, n->in[0]), *b = lz(lw, n->in[1]);
    int y = out_buf(lw, n, s->rank == 3 ? LAY_BLOCKED : LAY_PLAIN);
    LCall *c = binary_call(lw, n, s->rank == 3 ? K_FAST_BINARY : K_BINARY, a->buf, b->buf, y);
    fuse_pending(c, a);
    fuse_pending(c, b);
    *lz(lw, n->out) = plain(y);
}
#define fast_MUL fast_binary
#define fast_SUB fast_binary
#define fast_MAXIMUM fast_binary
#define fast_MINIMUM fast_binary

/* act?(a*ss_a + b*ss_b) in one pass; the activation when the add's only
 * consumer is one. */
static void fast_ADD(Lowerer *lw, const GNode *n)
{
    if (lw->done[n - lw->g->nodes]) /* by the convolution of an operand */
        return;
    const Shape *s = vshape(lw, n->out);
    if (broadcasts(lw, n)) {
        fast_binary(lw, n);
        return;
    }
    if (s->rank != 3) {
        Lazy *a = lz(lw, n->in[0]), *b = lz(lw, n->in[1]);
        int y = out_buf(lw, n, LAY_PLAIN);
        LCall *c = CALL(lw, K_FAST_ADD, buf_arg(a->buf), buf_arg(b->buf), int_arg(shape_count(s)), buf_arg(y));
        fuse_pending(c, a);
        fuse_pending(c, b);
        *lz(lw, n->out) = plain(y);
        return;
    }
    no_pending_act(lw, n->in[0]);
    no_pending_act(lw, n->in[1]);
    Lazy *a = lz(lw, n->in[0]), *b = lz(lw, n->in[1]);
    const GNode *r = sole_act_consumer(lw, n->out);
    if (r)
        lw->done[r - lw->g->nodes] = true;
    int y = out_buf(lw, n, LAY_BLOCKED);
    LCall *c = CALL(lw, K_FAST_BN_APPLY, buf_arg(a->buf), int_arg(s->n[0]), int_arg(s->n[1]), int_arg(s->n[2]),
                    buf_arg(a->ss), buf_arg(b->buf), buf_arg(b->ss), flags_arg(r ? op_act[r->op] : 0), buf_arg(y));
    fuse_pending(c, a);
    fuse_pending(c, b);
    if (r) {
        fuse(c, r, FUSE_OUTPUT);
        wbuf(lw, y)->value = r->out;
    }
    *lz(lw, n->out) = plain(y);
}

static void fast_MAXPOOL2D(Lowerer *lw, const GNode *n)
{
    const Shape *s = vshape(lw, n->in[0]);
    if (lz(lw, n->in[0])->chw || (lz(lw, n->in[0])->act && !act_monotonic(lz(lw, n->in[0])->act)))
        materialise(lw, n->in[0]);
    Lazy *x = lz(lw, n->in[0]);
    int geom = new_geom(lw, n, true, s, 0);
    int y = out_buf(lw, n, LAY_BLOCKED);
    LCall *c = CALL(lw, K_FAST_MAXPOOL2D, geom_arg(geom), buf_arg(x->buf), buf_arg(x->ss), flags_arg(flags_of(x)),
                    buf_arg(y));
    fuse_pending(c, x);
    *lz(lw, n->out) = plain(y);
}

static void fast_AVGPOOL2D(Lowerer *lw, const GNode *n)
{
    const Shape *s = vshape(lw, n->in[0]);
    materialise(lw, n->in[0]);
    int geom = new_geom(lw, n, true, s, 0);
    int y = out_buf(lw, n, LAY_BLOCKED);
    fuse_pending(CALL(lw, K_FAST_AVGPOOL2D, geom_arg(geom), buf_arg(lz(lw, n->in[0])->buf), buf_arg(y)),
                 lz(lw, n->in[0]));
    *lz(lw, n->out) = plain(y);
}

/* Blocked in, blocked out ([c, 1, 1] for an SE gate, which mul and add
 * broadcast over [c, h, w]). */
static void fast_ADAPTIVE_AVGPOOL2D(Lowerer *lw, const GNode *n)
{
    const Shape *s = vshape(lw, n->in[0]);
    materialise(lw, n->in[0]);
    Lazy *x = lz(lw, n->in[0]);
    int y = out_buf(lw, n, LAY_BLOCKED);
    fuse_pending(CALL(lw, K_FAST_ADAPTIVE_AVGPOOL2D, buf_arg(x->buf), int_arg(s->n[0]), int_arg(s->n[1]),
                      int_arg(s->n[2]), int_arg(n->a[ADAPTIVE_AVGPOOL2D_size]),
                      int_arg(n->a[ADAPTIVE_AVGPOOL2D_size_w]), buf_arg(y)),
                 x);
    *lz(lw, n->out) = plain(y);
}

/* Blocked in, blocked out. */
static void fast_upsample(Lowerer *lw, const GNode *n)
{
    materialise(lw, n->in[0]);
    Lazy *x = lz(lw, n->in[0]);
    int y = out_buf(lw, n, LAY_BLOCKED);
    fuse_pending(up_call(lw, n, n->op == OP_UPSAMPLE ? K_FAST_UPSAMPLE : K_FAST_UPSAMPLE_BILINEAR, x->buf, -1, y), x);
    *lz(lw, n->out) = plain(y);
}
#define fast_UPSAMPLE fast_upsample
#define fast_UPSAMPLE_BILINEAR fast_upsample

static void fast_GLOBAL_AVGPOOL(Lowerer *lw, const GNode *n)
{
    const Shape *s = vshape(lw, n->in[0]);
    materialise(lw, n->in[0]);
    Lazy *x = lz(lw, n->in[0]);
    int y = out_buf(lw, n, LAY_PLAIN);
    fuse_pending(CALL(lw, K_FAST_GLOBAL_AVGPOOL, buf_arg(x->buf), int_arg(s->n[0]), int_arg(s->n[1]),
                      int_arg(s->n[2]), buf_arg(y)),
                 x);
    *lz(lw, n->out) = plain(y);
}

static void fast_LINEAR(Lowerer *lw, const GNode *n)
{
    int w = prepare_params(lw, n, true);
    Lazy *x = lz(lw, n->in[0]);
    int y = out_buf(lw, n, LAY_PLAIN);
    fuse_pending(CALL(lw, K_FAST_LINEAR, buf_arg(x->buf), int_arg(n->a[LINEAR_in]), prep_arg(w),
                      int_arg(n->a[LINEAR_out]), buf_arg(y)),
                 x);
    *lz(lw, n->out) = plain(y);
}

static void fast_SOFTMAX(Lowerer *lw, const GNode *n)
{
    Lazy *x = lz(lw, n->in[0]);
    int y = out_buf(lw, n, LAY_PLAIN);
    fuse_pending(CALL(lw, K_SOFTMAX, buf_arg(x->buf), int_arg(shape_count(vshape(lw, n->out))), buf_arg(y)), x);
    *lz(lw, n->out) = plain(y);
}

/* Blocked tensors: one copy per operand into its channels of the result
 * (each element moved once); vectors: one copy per operand. */
static void fast_CONCAT(Lowerer *lw, const GNode *n)
{
    const Shape *os = vshape(lw, n->out);
    if (os->rank != 3) {
        int y = out_buf(lw, n, LAY_PLAIN);
        concat_copies(lw, n, y);
        *lz(lw, n->out) = plain(y);
        return;
    }
    for (int k = 0; k < n->nin; k++)
        materialise(lw, n->in[k]);
    int y = out_buf(lw, n, LAY_BLOCKED);
    int64_t at = 0;
    for (int k = 0; k < n->nin; k++) {
        int64_t ck = vshape(lw, n->in[k])->n[0];
        CALL(lw, K_FAST_COPY_CHANNELS, buf_arg(lz(lw, n->in[k])->buf), int_arg(ck), int_arg(os->n[1]),
             int_arg(os->n[2]), buf_arg(y), int_arg(os->n[0]), int_arg(at));
        at += ck;
    }
    *lz(lw, n->out) = plain(y);
}

static void fast_IDENTITY(Lowerer *lw, const GNode *n)
{
    view(lw, n);
}

/* narrow, channel_shuffle: blocked [c, h, w] gathered; other ranks plain */
static void fast_gather(Lowerer *lw, const GNode *n)
{
    const Shape *s = vshape(lw, n->in[0]), *o = vshape(lw, n->out);
    int64_t start, groups;
    gather_args(n, &start, &groups);
    materialise(lw, n->in[0]);
    Lazy *x = lz(lw, n->in[0]);
    int y = out_buf(lw, n, s->rank == 3 ? LAY_BLOCKED : LAY_PLAIN);
    LCall *c = s->rank == 3
                   ? CALL(lw, K_FAST_GATHER_CHANNELS, buf_arg(x->buf), int_arg(s->n[0]), int_arg(s->n[1]),
                          int_arg(s->n[2]), int_arg(start), int_arg(groups), int_arg(o->n[0]), buf_arg(y))
                   : CALL(lw, K_GATHER_CHANNELS, buf_arg(x->buf), int_arg(s->n[0]),
                          int_arg(shape_count(s) / s->n[0]), int_arg(start), int_arg(groups), int_arg(o->n[0]),
                          buf_arg(y));
    fuse_pending(c, x);
    *lz(lw, n->out) = plain(y);
}
#define fast_NARROW fast_gather
#define fast_CHANNEL_SHUFFLE fast_gather

static void fast_FLATTEN(Lowerer *lw, const GNode *n)
{
    const Shape *s = vshape(lw, n->in[0]);
    if (s->rank != 3) {
        view(lw, n);
        return;
    }
    materialise(lw, n->in[0]);
    if (lz(lw, n->in[0])->chw) { /* plain CHW already is the flattened order */
        view(lw, n);
        lz(lw, n->out)->chw = false;
        return;
    }
    int y = out_buf(lw, n, LAY_PLAIN);
    CALL(lw, K_FAST_TO_CHW, buf_arg(lz(lw, n->in[0])->buf), int_arg(s->n[0]), int_arg(s->n[1]), int_arg(s->n[2]),
         buf_arg(y));
    *lz(lw, n->out) = plain(y);
}

typedef void (*LowerFn)(Lowerer *, const GNode *);
static const LowerFn ref_fns[OP__COUNT] = {
#define X(id, name, mi, ma, np, attrs) [OP_##id] = ref_##id,
#include "ops.h"
#undef X
};
static const LowerFn fast_fns[OP__COUNT] = {
#define X(id, name, mi, ma, np, attrs) [OP_##id] = fast_##id,
#include "ops.h"
#undef X
};

/* ------------------------------------------------------------ the training step */

/* Value v's gradient buffer: made, and zeroed by the current call list,
 * when the first gradient is added into it. */
static int grad_buf(Lowerer *lw, int v)
{
    if (lw->gbuf[v] >= 0)
        return lw->gbuf[v];
    const Value *val = &lw->g->values[v];
    const char *of = val->producer >= 0 ? lw->g->nodes[val->producer].name : val->name;
    int b = new_buf(lw, arena_printf("%s.grad", of), LAY_PLAIN, &val->shape, shape_count(&val->shape) * 4);
    wbuf(lw, b)->what = arena_printf("d loss / d %s", of);
    CALL(lw, K_ZERO, buf_arg(b), int_arg(shape_count(&val->shape)));
    return lw->gbuf[v] = b;
}

/* Operand k's gradient buffer, or -1 when it needs none. */
static int din_buf(Lowerer *lw, const GNode *n, int k)
{
    return lw->gr->need[n->in[k]] ? grad_buf(lw, n->in[k]) : -1;
}

static int val_buf(Lowerer *lw, int v)
{
    return lw->lazy[v].buf;
}

/* gsc_binary_backward: each operand's gradient, summed over its broadcast
 * dimensions (x is operand 0's buffer). */
static void binary_backward(Lowerer *lw, const GNode *n, int x, int dy)
{
    int da = din_buf(lw, n, 0), db = din_buf(lw, n, 1);
    LArg d0[3], d1[3], d2[3];
    dims3(vshape(lw, n->in[0]), d0);
    dims3(vshape(lw, n->in[1]), d1);
    dims3(vshape(lw, n->out), d2);
    CALL(lw, K_BINARY_BACKWARD, buf_arg(x), d0[0], d0[1], d0[2], buf_arg(val_buf(lw, n->in[1])), d1[0], d1[1], d1[2],
         d2[0], d2[1], d2[2], flags_arg(op_ew[n->op]), buf_arg(dy), buf_arg(da), buf_arg(db));
}

/* A ReLU whose operand is a train-mode batchnorm's result and read by
 * nothing else: the batchnorm's backward takes the ReLU's output gradient
 * and masks it itself (the two backward passes in one, and no gradient
 * buffer for the batchnorm's result). Notes it in relu_after. */
static bool relu_fuses_backward(Lowerer *lw, const GNode *n)
{
    int v = n->in[0], p = lw->g->values[v].producer;
    if (p < 0 || lw->g->nodes[p].op != OP_BATCHNORM || sole_consumer(lw, v, OP_RELU) != n)
        return false;
    lw->relu_after[v] = n;
    return true;
}

/* The backward of node n: dy is the complete gradient of its result. */
static void backward_node(Lowerer *lw, const GNode *n)
{
    int dy = lw->gbuf[n->out];
    const Shape *s = n->nin ? vshape(lw, n->in[0]) : NULL;
    int x = n->nin ? val_buf(lw, n->in[0]) : -1;
    switch (n->op) {
    case OP_PARAM: /* no operand: the gradient is the tensor's */
        CALL(lw, K_ACCUMULATE_PARAM, buf_arg(dy), int_arg(shape_count(vshape(lw, n->out))), pgrad_arg(n->param));
        break;
    case OP_CONV2D:
    case OP_CONV_TRANSPOSE2D: { /* the same arguments but the window (and conv2d's groups) */
        bool convt = n->op == OP_CONV_TRANSPOSE2D, square = false;
        int dx = din_buf(lw, n, 0);
        ArgList l = {.n = 0};
        put_arg(&l, buf_arg(x));
        for (int d = 0; d < 3; d++)
            put_arg(&l, int_arg(s->n[d]));
        put_arg(&l, param_arg(n->param));
        put_arg(&l, buf_arg(dy));
        put_arg(&l, int_arg(n->a[op_attr_index(n->op, "cout")]));
        if (convt) {
            put_convt_window(&l, n);
        } else {
            square = put_window(&l, n);
            put_arg(&l, int_arg(n->a[CONV2D_groups]));
        }
        put_arg(&l, buf_arg(dx));
        put_arg(&l, pgrad_arg(n->param));
        put_arg(&l, gnode_bias(n) >= 0 ? pgrad_arg(n->param + 1) : buf_arg(-1));
        add_call(lw, convt ? K_CONV_TRANSPOSE2D_BACKWARD : square ? K_FAST_CONV2D_CHW_BACKWARD : K_CONV2D_BACKWARD_AXES,
                 l.v, l.n);
        break;
    }
    case OP_BATCHNORM: {
        /* with the ReLU after it fused: its output gradient, masked by this result */
        const GNode *r = lw->relu_after[n->out];
        int mask = r ? val_buf(lw, n->out) : -1, g = r ? lw->gbuf[r->out] : dy;
        int dx = din_buf(lw, n, 0);
        LCall *c = CALL(lw, K_FAST_BATCHNORM_CHW_BACKWARD, buf_arg(x), int_arg(s->n[0]), int_arg(s->n[1] * s->n[2]),
                        param_arg(n->param), buf_arg(mask), buf_arg(g), buf_arg(dx), pgrad_arg(n->param),
                        pgrad_arg(n->param + 1));
        if (r)
            fuse(c, r, FUSE_BACKWARD);
        break;
    }
    case OP_BATCHNORM_EVAL: {
        int dx = din_buf(lw, n, 0);
        CALL(lw, K_BATCHNORM_EVAL_BACKWARD, buf_arg(x), int_arg(s->n[0]), int_arg(s->n[1] * s->n[2]),
             param_arg(n->param), param_arg(n->param + 2), param_arg(n->param + 3), real_arg(n->r[BATCHNORM_EVAL_eps]),
             buf_arg(dy), buf_arg(dx), pgrad_arg(n->param), pgrad_arg(n->param + 1));
        break;
    }
    case OP_LAYERNORM: {
        int dx = din_buf(lw, n, 0);
        LArg c, hw;
        ln_dims(lw, n, &c, &hw);
        CALL(lw, K_LAYERNORM_BACKWARD, buf_arg(x), c, hw, param_arg(n->param), real_arg(n->r[LAYERNORM_eps]),
             buf_arg(dy), buf_arg(dx), pgrad_arg(n->param), pgrad_arg(n->param + 1));
        break;
    }
    case OP_LINEAR: {
        int dx = din_buf(lw, n, 0);
        CALL(lw, K_LINEAR_BACKWARD, buf_arg(x), int_arg(n->a[LINEAR_in]), param_arg(n->param), buf_arg(dy),
             int_arg(n->a[LINEAR_out]), buf_arg(dx), pgrad_arg(n->param), pgrad_arg(n->param + 1));
        break;
    }
    case OP_RELU:
        if (relu_fuses_backward(lw, n)) /* into the batchnorm's backward, which comes next */
            break;
        CALL(lw, K_RELU_BACKWARD, buf_arg(x), buf_arg(dy), int_arg(shape_count(s)), buf_arg(grad_buf(lw, n->in[0])));
        break;
    case OP_RELU6:
    case OP_SIGMOID:
    case OP_TANH:
    case OP_SILU:
    case OP_GELU:
    case OP_GELU_TANH:
    case OP_HARDSWISH:
    case OP_HARDSIGMOID:
        CALL(lw, K_ACT_BACKWARD, buf_arg(x), buf_arg(dy), int_arg(shape_count(s)), flags_arg(op_act[n->op]),
             buf_arg(grad_buf(lw, n->in[0])));
        break;
    case OP_CLIP:
    case OP_LEAKY_RELU: {
        LArg ab[2];
        int act = act_param_args(n, ab);
        CALL(lw, K_ACT_PARAM_BACKWARD, buf_arg(x), buf_arg(dy), int_arg(shape_count(s)), flags_arg(act), ab[0], ab[1],
             buf_arg(grad_buf(lw, n->in[0])));
        break;
    }
    case OP_MAXPOOL2D:
        pool_call(lw, n, K_MAXPOOL2D_BACKWARD, K_MAXPOOL2D_BACKWARD_AXES, x, dy, grad_buf(lw, n->in[0]));
        break;
    case OP_AVGPOOL2D:
        pool_call(lw, n, K_AVGPOOL2D_BACKWARD, K_AVGPOOL2D_BACKWARD_AXES, -1, dy, grad_buf(lw, n->in[0]));
        break;
    case OP_ADAPTIVE_AVGPOOL2D:
        CALL(lw, K_ADAPTIVE_AVGPOOL2D_BACKWARD, int_arg(s->n[0]), int_arg(s->n[1]), int_arg(s->n[2]),
             int_arg(n->a[ADAPTIVE_AVGPOOL2D_size]), int_arg(n->a[ADAPTIVE_AVGPOOL2D_size_w]), buf_arg(dy),
             buf_arg(grad_buf(lw, n->in[0])));
        break;
    case OP_UPSAMPLE:
    case OP_UPSAMPLE_BILINEAR:
        up_call(lw, n, n->op == OP_UPSAMPLE ? K_UPSAMPLE_BACKWARD : K_UPSAMPLE_BILINEAR_BACKWARD, -1, dy,
                grad_buf(lw, n->in[0]));
        break;
    case OP_GLOBAL_AVGPOOL:
        CALL(lw, K_GLOBAL_AVGPOOL_BACKWARD, int_arg(s->n[0]), int_arg(s->n[1] * s->n[2]), buf_arg(dy),
             buf_arg(grad_buf(lw, n->in[0])));
        break;
    case OP_SOFTMAX:
        CALL(lw, K_SOFTMAX_BACKWARD, buf_arg(val_buf(lw, n->out)), buf_arg(dy), int_arg(shape_count(s)),
             buf_arg(grad_buf(lw, n->in[0])));
        break;
    case OP_MUL:
    case OP_SUB:
    case OP_MAXIMUM:
    case OP_MINIMUM:
        binary_backward(lw, n, x, dy);
        break;
    case OP_NARROW:
    case OP_CHANNEL_SHUFFLE: {
        int64_t start, groups;
        gather_args(n, &start, &groups);
        CALL(lw, K_GATHER_CHANNELS_BACKWARD, buf_arg(dy), int_arg(s->n[0]), int_arg(shape_count(s) / s->n[0]),
             int_arg(start), int_arg(groups), int_arg(vshape(lw, n->out)->n[0]), buf_arg(grad_buf(lw, n->in[0])));
        break;
    }
    case OP_ADD:
    case OP_CONCAT:
    case OP_IDENTITY:
    case OP_FLATTEN: {
        if (n->op == OP_ADD && broadcasts(lw, n)) {
            binary_backward(lw, n, x, dy);
            break;
        }
        /* each operand's gradient is its slice of dy (the whole of it for add and flatten) */
        int64_t at = 0;
        for (int k = 0; k < n->nin; k++) {
            int64_t cnt = shape_count(vshape(lw, n->in[k]));
            if (lw->gr->need[n->in[k]])
                CALL(lw, K_ACCUMULATE, at_arg(dy, at), int_arg(cnt), buf_arg(grad_buf(lw, n->in[k])));
            at += n->op == OP_CONCAT ? cnt : 0;
        }
        break;
    }
    case OP__COUNT:
        internal_error("backward of an unknown operation");
    }
}

/* The loss of the value it reads, and its gradient. */
static void lower_loss(Lowerer *lw)
{
    const Grad *gr = lw->gr;
    int z = gr->loss_value;
    int64_t n = shape_count(vshape(lw, z));
    lw->cur = NULL;
    /* the loss writes this gradient: no zeroing needed */
    const Value *val = &lw->g->values[z];
    const char *of = val->producer >= 0 ? lw->g->nodes[val->producer].name : val->name;
    int dz = new_buf(lw, arena_printf("%s.grad", of), LAY_PLAIN, &val->shape, n * 4);
    wbuf(lw, dz)->what = arena_printf("d loss / d %s", of);
    lw->gbuf[z] = dz;
    LCall *c;
    if (gr->loss == LOSS_XENT) {
        c = CALL(lw, K_XENT_LOSS, buf_arg(val_buf(lw, z)), int_arg(n), (LArg){.kind = LA_LABEL}, buf_arg(dz));
        c->what = arena_printf("the loss: cross-entropy of %s%s and the label", of,
                               gr->skipped >= 0 ? " (the input of the final softmax)" : "");
    } else {
        int t = new_buf(lw, "target", LAY_PLAIN, vshape(lw, z), n * 4);
        wbuf(lw, t)->loc = LOC_TARGET;
        c = CALL(lw, K_MSE_LOSS, buf_arg(val_buf(lw, z)), buf_arg(t), int_arg(n), buf_arg(dz));
        c->what = arena_printf("the loss: mean squared error of %s and the target", of);
    }
}

Lowered *lower_train(const Graph *g, const Grad *gr)
{
    Lowered *L = arena_alloc(sizeof *L);
    L->grad = gr;
    Lowerer lw = {.g = g, .L = L, .gr = gr};
    lw.lazy = arena_alloc(sizeof(Lazy) * (size_t)(g->nvalues + 1));
    lw.prep_step = arena_alloc(sizeof(int) * (size_t)(g->ntensors + 1));
    lw.done = arena_alloc(sizeof(bool) * (size_t)(g->nnodes + 1));
    lw.gbuf = arena_alloc(sizeof(int) * (size_t)(g->nvalues + 1));
    lw.relu_after = arena_alloc(sizeof(GNode *) * (size_t)(g->nvalues + 1));
    for (int v = 0; v < g->nvalues; v++) {
        lw.gbuf[v] = -1;
        lw.relu_after[v] = NULL;
    }
    find_consumers(&lw);
    L->input_buf = value_buf(&lw, g->input, "input", LAY_PLAIN);
    L->output_buf = -1;
    wbuf(&lw, L->input_buf)->loc = LOC_INPUT;
    lw.lazy[g->input] = plain(L->input_buf);
    for (int i = 0; i < g->nnodes; i++) {
        if (i == gr->skipped) /* the loss reads its input */
            continue;
        lw.cur = &g->nodes[i];
        ref_fns[g->nodes[i].op](&lw, &g->nodes[i]);
    }
    lower_loss(&lw);
    lw.backward = true;
    for (int i = 0; i < gr->norder; i++) {
        lw.cur = &g->nodes[gr->order[i]];
        backward_node(&lw, lw.cur);
    }
    return L;
}

/* ------------------------------------------------------------ input and output */

/* Views still pending on the output (a flatten of a vector) are noted on
 * the call that wrote its buffer. */
static void note_views_on_producer(Lowerer *lw, const Lazy *l)
{
    for (int i = lw->L->calls.n - 1; i >= 0 && l->npend; i--) {
        LCall *c = lw->L->calls.v[i];
        for (int k = 0; k < c->nargs; k++)
            if (c->args[k].kind == LA_BUF && c->args[k].buf == l->buf && call_arg_role(c, k, NULL) == 'w') {
                fuse_pending(c, l);
                return;
            }
    }
}

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
        fuse_pending(CALL(lw, K_FAST_TO_CHW, buf_arg(lz(lw, g->output)->buf), int_arg(s->n[0]), int_arg(s->n[1]),
                          int_arg(s->n[2]), buf_arg(lw->L->output_buf)),
                     lz(lw, g->output));
        return;
    }
    if (w->loc == LOC_WORKSPACE && !l->chw) {
        w->loc = LOC_OUTPUT;
        w->name = "output";
        lw->L->output_buf = l->buf;
        note_views_on_producer(lw, l);
        return;
    }
    fuse_pending(CALL(lw, K_COPY, at_arg(lw->L->output_buf, 0), buf_arg(l->buf), int_arg(shape_count(s))), l);
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
            gsc_fast_conv_prepare_bn(params + p->src, p->src2 < 0 ? NULL : params + p->src2,
                                     p->bn ? params + p->bn_src : NULL, p->bn ? p->bn->r[BATCHNORM_EVAL_eps] : 0.0,
                                     (int)n->a[CONV2D_cin], (int)n->a[CONV2D_cout], (int)n->a[CONV2D_k],
                                     (int)n->a[CONV2D_k_w], (int)n->a[CONV2D_groups], prepared + p->dst);
            break;
        case PREP_CONVT:
            gsc_fast_conv_transpose_prepare(params + p->src, p->src2 < 0 ? NULL : params + p->src2,
                                            (int)n->a[CONV_TRANSPOSE2D_cin], (int)n->a[CONV_TRANSPOSE2D_cout],
                                            (int)n->a[CONV_TRANSPOSE2D_k], (int)n->a[CONV_TRANSPOSE2D_k_w],
                                            prepared + p->dst);
            break;
        case PREP_WINOGRAD:
            gsc_fast_winograd_prepare_bn(params + p->src, p->src2 < 0 ? NULL : params + p->src2,
                                         p->bn ? params + p->bn_src : NULL, p->bn ? p->bn->r[BATCHNORM_EVAL_eps] : 0.0,
                                         (int)n->a[CONV2D_cin], (int)n->a[CONV2D_cout], p->tile, prepared + p->dst);
            break;
        case PREP_LINEAR:
            gsc_fast_linear_prepare(params + p->src, params + p->src2, (int)n->a[LINEAR_in], (int)n->a[LINEAR_out],
                                    prepared + p->dst);
            break;
        }
    }
}

static void find_consumers(Lowerer *lw)
{
    const Graph *g = lw->g;
    lw->consumer = arena_alloc(sizeof(int) * (size_t)(g->nvalues + 1));
    for (int v = 0; v < g->nvalues; v++)
        lw->consumer[v] = -1;
    for (int i = g->nnodes - 1; i >= 0; i--)
        for (int k = 0; k < g->nodes[i].nin; k++)
            lw->consumer[g->nodes[i].in[k]] = i;
}

Lowered *lower_graph(const Graph *g, bool fast)
{
    Lowered *L = arena_alloc(sizeof *L);
    L->fast = fast;
    Lowerer lw = {.g = g, .L = L};
    lw.lazy = arena_alloc(sizeof(Lazy) * (size_t)(g->nvalues + 1));
    lw.prep_step = arena_alloc(sizeof(int) * (size_t)(g->ntensors + 1));
    lw.done = arena_alloc(sizeof(bool) * (size_t)(g->nnodes + 1));
    for (int i = 0; i < g->ntensors; i++)
        lw.prep_step[i] = -1;
    find_consumers(&lw);
    L->input_buf = value_buf(&lw, g->input, "input", LAY_PLAIN);
    L->output_buf = value_buf(&lw, g->output, "output", LAY_PLAIN);
    wbuf(&lw, L->input_buf)->loc = LOC_INPUT;
    wbuf(&lw, L->output_buf)->loc = LOC_OUTPUT;
    lw.lazy[g->input] = plain(L->input_buf);
    lw.lazy[g->input].chw = fast && vshape(&lw, g->input)->rank == 3;
    for (int i = 0; i < g->nnodes; i++) {
        lw.cur = &g->nodes[i];
        (fast ? fast_fns : ref_fns)[g->nodes[i].op](&lw, &g->nodes[i]);
    }
    lower_output(&lw, fast);
    for (int i = 0; i < L->calls.n; i++) {
        LCall *c = L->calls.v[i];
        if (!c->node)
            c->what = "the result, in the caller's layout";
    }
    return L;
}
