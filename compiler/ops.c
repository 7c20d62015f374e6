/*
 * ops.c - the operator table (ops.h) as data: names, arities, and the
 * argument signatures parsed once into OpSig. Shape rules, evaluation and
 * emission live with their stages, each expanding ops.h the same way.
 */
#include "gsc.h"

#include <stdlib.h>
#include <string.h>

const OpInfo op_info[OP__COUNT] = {
#define X(id, name, mi, ma, np, sig) {name, mi, ma, np, sig},
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

/* "cin->cout,k,stride=1,pad=0" -> slots cin, cout (positional arrow pair),
 * k (required keyword), stride and pad (keywords with defaults); "(c)" is
 * one positional argument. */
static void parse_sig(const char *sig, OpSig *out)
{
    memset(out, 0, sizeof *out);
    const char *p = sig;
    while (*p) {
        const char *end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        const char *arrow = strstr(p, "->");
        const char *eq = memchr(p, '=', (size_t)(end - p));
        int k = out->nattr;
        if (k + 2 > MAX_ATTR)
            internal_error("operator signature '%s' has too many arguments", sig);
        if (arrow && arrow < end) {
            out->attr[k] = arena_strndup(p, (size_t)(arrow - p));
            out->attr[k + 1] = arena_strndup(arrow + 2, (size_t)(end - arrow - 2));
            out->positional[k] = out->positional[k + 1] = true;
            out->arrow[k] = true;
            out->nattr += 2;
        } else if (eq) {
            out->attr[k] = arena_strndup(p, (size_t)(eq - p));
            out->has_default[k] = true;
            out->defval[k] = strtoll(eq + 1, NULL, 10);
            out->nattr++;
        } else {
            bool pos = *p == '(';
            out->attr[k] = arena_strndup(p + pos, (size_t)(end - p - 2 * pos));
            out->positional[k] = pos;
            out->nattr++;
        }
        p = *end ? end + 1 : end;
    }
}

const OpSig *op_sig(OpKind op)
{
    static OpSig sigs[OP__COUNT];
    static bool done[OP__COUNT];
    if (!done[op]) {
        parse_sig(op_info[op].sig, &sigs[op]);
        done[op] = true;
    }
    return &sigs[op];
}

int op_attr_index(OpKind op, const char *name)
{
    const OpSig *s = op_sig(op);
    for (int i = 0; i < s->nattr; i++)
        if (!strcmp(s->attr[i], name))
            return i;
    internal_error("operation %s has no attribute %s", op_info[op].name, name);
}
