/*
 * print.c - an imported model (onnx.c) as GraphSpec source text: the model
 * a person would write, layers first (named after the ONNX nodes or their
 * weights), then the values (a let for each value used more than once, and
 * to break long chains), then the return. main.c parses this text for
 * `gsc model.onnx` and writes it for `gsc --emit=gs`, so the two cannot
 * differ.
 */
#include "gsc.h"

#include <string.h>

void print_graphspec(const Imported *im, Buf *b)
{
    const char *base = strrchr(im->source, '/');
    buf_printf(b, "# %s, imported by gsc %s from %s (%s).\n", im->model, GSC_VERSION, base ? base + 1 : im->source,
               im->about);
    buf_printf(b, "# The batch of 1 is dropped: the input is %s, channels first.\n", im->in_shape);
    if (im->in_file)
        buf_printf(b, "# The file's input %s is read as %s: its Reshape (the same values in the same order).\n",
                   im->in_file, im->in_shape);
    if (im->out_file)
        buf_printf(b, "# The file's output %s is returned flattened, its values in the same order.\n", im->out_file);
    buf_printf(b, "model %s(%s: %s) -> %s", im->model, im->input, im->in_shape, im->out_shape);
    if (im->where)
        buf_printf(b, "\n      where %s", im->where);
    if (im->defaults)
        buf_printf(b, "\n      default %s", im->defaults);
    buf_puts(b, " {\n");
    size_t w = 0;
    for (int i = 0; i < im->stmts.n; i++) {
        const ImStmt *s = im->stmts.v[i];
        if (s->kind == IM_LAYER && strlen(s->name) > w)
            w = strlen(s->name);
    }
    bool layers = false;
    for (int i = 0; i < im->stmts.n; i++) {
        const ImStmt *s = im->stmts.v[i];
        if (s->kind == IM_LAYER) {
            buf_printf(b, "    %-*s = %s\n", (int)w, s->name, s->expr);
            layers = true;
        }
    }
    if (layers)
        buf_putc(b, '\n');
    for (int i = 0; i < im->stmts.n; i++) {
        const ImStmt *s = im->stmts.v[i];
        if (s->kind == IM_LET)
            buf_printf(b, "    let %s%s%s = %s\n", s->name, s->shape ? ": " : "", s->shape ? s->shape : "", s->expr);
        else if (s->kind == IM_RETURN)
            buf_printf(b, "    return %s\n", s->expr);
    }
    buf_puts(b, "}\n");
}
