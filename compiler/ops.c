/*
 * ops.c - the operator table (ops.h) as data: names, arities, and the
 * attribute signatures. Shape rules, evaluation and lowering live with their
 * stages, each expanding ops.h the same way.
 */
#include "gsc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const OpInfo op_info[OP__COUNT] = {
#define X(id, name, mi, ma, np, attrs) {name, mi, ma, np},
#include "ops.h"
#undef X
};

int op_lookup(const char *name)
{
    for (int i = 0; i < OP__COUNT; i++)
        if (!strcmp(op_info[i].name, name))
            return i;
    return -1;
}

/* One attribute of the table: how it is written, and its default. */
typedef enum { AT_POS, AT_ARROW, AT_ARROW_TO, AT_KW, AT_OPT, AT_RKW, AT_ROPT, AT_AXIS, AT_AXIS_OPT } AttrForm;
typedef struct {
    const char *name;
    AttrForm form;
    int64_t defval;
    double rdefval;
    int axes; /* OpSig.axes */
} OpAttr;

#define ARROW(op, a, b) {#a, AT_ARROW, 0, 0, 1}, {#b, AT_ARROW_TO, 0, 0, 1},
#define POS(op, a) {#a, AT_POS, 0, 0, 1},
#define KW(op, a) {#a, AT_KW, 0, 0, 1},
#define OPT(op, a, v) {#a, AT_OPT, v, 0, 1},
#define RKW(op, a) {#a, AT_RKW, 0, 0, 1},
#define ROPT(op, a, v) {#a, AT_ROPT, 0, v, 1},
#define AXES(op, a) {#a, AT_KW, 0, 0, 2}, {#a "_w", AT_AXIS, 0, 0, 0},
#define AXES_OPT(op, a, v) {#a, AT_OPT, v, 0, 2}, {#a "_w", AT_AXIS_OPT, v, 0, 0},
#define PADS(op, a, v)                                                                                \
    {#a, AT_OPT, v, 0, 4}, {#a "_left", AT_AXIS_OPT, v, 0, 0}, {#a "_bottom", AT_AXIS_OPT, v, 0, 0}, \
        {#a "_right", AT_AXIS_OPT, v, 0, 0},
static const OpAttr op_attrs[OP__COUNT][MAX_ATTR + 1] = {
#define X(id, name, mi, ma, np, attrs) {attrs {NULL, AT_POS, 0, 0, 0}},
#include "ops.h"
#undef X
};
#undef ARROW
#undef POS
#undef KW
#undef OPT
#undef RKW
#undef ROPT
#undef AXES
#undef AXES_OPT
#undef PADS

static void make_sig(OpKind op, OpSig *out)
{
    memset(out, 0, sizeof *out);
    for (int k = 0; op_attrs[op][k].name; k++) {
        const OpAttr *a = &op_attrs[op][k];
        out->attr[k] = a->name;
        out->positional[k] = a->form == AT_POS || a->form == AT_ARROW || a->form == AT_ARROW_TO;
        out->arrow[k] = a->form == AT_ARROW;
        out->has_default[k] = a->form == AT_OPT || a->form == AT_ROPT || a->form == AT_AXIS_OPT;
        out->axes[k] = a->axes;
        out->defval[k] = a->defval;
        out->real[k] = a->form == AT_RKW || a->form == AT_ROPT;
        out->rdefval[k] = a->rdefval;
        out->nattr = k + 1;
    }
}

const OpSig *op_sig(OpKind op)
{
    static OpSig sigs[OP__COUNT];
    static bool done[OP__COUNT];
    if (!done[op]) {
        make_sig(op, &sigs[op]);
        done[op] = true;
    }
    return &sigs[op];
}

const char *op_param_name(OpKind op, int i)
{
    static const char *const affine[] = {"weight", "bias"};
    static const char *const bn_eval[] = {"weight", "bias", "running_mean", "running_var"};
    if (i < 0 || i >= op_info[op].nparams)
        internal_error("operation %s has no parameter %d", op_info[op].name, i);
    if (op == OP_PARAM) /* the layer's path is the tensor's name: layer_scale */
        return "";
    return op == OP_BATCHNORM_EVAL ? bn_eval[i] : affine[i];
}

int op_attr_index(OpKind op, const char *name)
{
    const OpSig *s = op_sig(op);
    for (int i = 0; i < s->nattr; i++)
        if (!strcmp(s->attr[i], name))
            return i;
    internal_error("operation %s has no attribute %s", op_info[op].name, name);
}

const char *real_str(double v)
{
    char b[40];
    if (!isfinite(v))
        internal_error("real attribute %g is not finite", v);
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(b, sizeof b, "%.*g", prec, v);
        if (strtod(b, NULL) == v)
            break;
    }
    if (!strpbrk(b, ".e"))
        return arena_printf("%s.0", b);
    return arena_strndup(b, strlen(b));
}

int gnode_ntensors(const GNode *n)
{
    if (n->param < 0)
        return 0;
    if (n->op == OP_CONV2D || n->op == OP_CONV_TRANSPOSE2D)
        return !n->a[op_attr_index(n->op, "bias")] ? 1 : op_info[n->op].nparams;
    return op_info[n->op].nparams;
}

int gnode_bias(const GNode *n)
{
    return gnode_ntensors(n) > 1 ? n->param + 1 : -1;
}

Win win_of(const GNode *n)
{
    int k = op_attr_index(n->op, "k"), s = op_attr_index(n->op, "stride"), p = op_attr_index(n->op, "pad");
    const int64_t *a = n->a;
    /* the pools have no dilation */
    int d = n->op == OP_CONV2D ? CONV2D_dilation : n->op == OP_CONV_TRANSPOSE2D ? CONV_TRANSPOSE2D_dilation : -1;
    return (Win){a[k],     a[k + 1], a[s], a[s + 1], a[p], a[p + 1], a[p + 2], a[p + 3], d < 0 ? 1 : a[d],
                 d < 0 ? 1 : a[d + 1]};
}
