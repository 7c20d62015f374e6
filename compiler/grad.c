/*
 * grad.c - reverse-mode differentiation: the backward pass as data.
 *
 * Requires: a specialised Graph (spec.c). Provides: Grad, what the backward
 * pass of the graph under a loss consists of: the value the loss reads,
 * which values need a gradient, and the operations to differentiate, in the
 * order the backward runs them (the forward read in reverse). The
 * interpreter (eval.c, the oracle) and the training lowering (lower.c) both
 * follow it, each with its own backward rule per operation, so the two
 * cannot disagree about which gradients exist or in what order they are
 * complete.
 *
 * A value needs a gradient when it lies on a path from a parameter (or from
 * the model input, when its gradient is asked for) to the loss. Values read
 * by several operations (SSA fan-out, the residual skip) accumulate the
 * gradients of all their readers: every reader comes later in the forward,
 * so earlier in the backward, and a value's gradient is complete when the
 * backward reaches its producer.
 *
 * The losses are PyTorch's with reduction "mean" for one example:
 *   LOSS_XENT  cross_entropy(logits, label) = logsumexp(z) - z[label]; for a
 *              model that ends in softmax the logits are the softmax's input
 *              (the loss of the probabilities it returns, computed stably),
 *              and that softmax is not differentiated.
 *   LOSS_MSE   mse_loss(y, target) = sum((y - t)^2) / n.
 */
#include "gsc.h"

#include <string.h>

static const char *const loss_names[] = {[LOSS_XENT] = "cross-entropy", [LOSS_MSE] = "mean squared error"};

const char *loss_name(LossKind k)
{
    return loss_names[k];
}

/* below[v]: a parameter (or the input, if wanted) is upstream of v. */
static bool *upstream_of_params(const Graph *g, bool want_dinput)
{
    bool *below = arena_alloc(sizeof(bool) * (size_t)(g->nvalues + 1));
    below[g->input] = want_dinput;
    for (int i = 0; i < g->nnodes; i++) {
        const GNode *n = &g->nodes[i];
        bool any = n->param >= 0;
        for (int k = 0; k < n->nin; k++)
            any |= below[n->in[k]];
        below[n->out] = any;
    }
    return below;
}

/* reach[v]: the loss reads v, or a value computed from it. */
static bool *reaching(const Graph *g, int loss_value)
{
    bool *reach = arena_alloc(sizeof(bool) * (size_t)(g->nvalues + 1));
    reach[loss_value] = true;
    for (int i = g->nnodes - 1; i >= 0; i--) {
        const GNode *n = &g->nodes[i];
        if (!reach[n->out])
            continue;
        for (int k = 0; k < n->nin; k++)
            reach[n->in[k]] = true;
    }
    return reach;
}

Grad *grad_graph(const Graph *g, LossKind loss, bool want_dinput)
{
    const Shape *os = &g->values[g->output].shape;
    if (loss == LOSS_XENT && os->rank != 1) {
        error_at(g->values[g->output].span,
                 "the cross-entropy loss needs a vector of class scores, but the model's output has rank %d "
                 "(use --loss=mse, or end the model in a linear layer)",
                 os->rank);
        return NULL;
    }
    Grad *gr = arena_alloc(sizeof *gr);
    gr->g = g;
    gr->loss = loss;
    gr->loss_value = g->output;
    gr->skipped = -1;
    int prod = g->values[g->output].producer;
    if (loss == LOSS_XENT && prod >= 0 && g->nodes[prod].op == OP_SOFTMAX) {
        gr->skipped = prod;
        gr->loss_value = g->nodes[prod].in[0];
    }
    bool *below = upstream_of_params(g, want_dinput), *reach = reaching(g, gr->loss_value);
    gr->need = arena_alloc(sizeof(bool) * (size_t)(g->nvalues + 1));
    for (int v = 0; v < g->nvalues; v++)
        gr->need[v] = below[v] && reach[v];
    gr->order = arena_alloc(sizeof(int) * (size_t)(g->nnodes + 1));
    for (int i = g->nnodes - 1; i >= 0; i--)
        if (i != gr->skipped && gr->need[g->nodes[i].out])
            gr->order[gr->norder++] = i;
    return gr;
}
