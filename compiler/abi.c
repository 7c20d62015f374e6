/*
 * abi.c - the parameter ABI as users see it: the JSON description
 * (--emit=abi), the seed-initialised weights as safetensors (--emit=params),
 * and loading a user's safetensors file by name (--params).
 *
 * Requires: a specialised Graph (spec.c): tensor offsets and shapes known.
 * The safetensors reader and writer are the runtime's (runtime/), so gsc and
 * the products that vendor the runtime read weights with the same code.
 */
#include "gsc.h"

#include <stdlib.h>
#include <string.h>

static const char *const init_names[] = {"uniform(-0.1, 0.1), LCG seeded with the tensor index", "zeros", "ones"};

/* A JSON string literal (the names are identifiers and dots, but quote
 * anything else correctly too). */
static void json_str(Buf *b, const char *s)
{
    buf_putc(b, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            buf_printf(b, "\\%c", c);
        else if (c < 0x20)
            buf_printf(b, "\\u%04x", c);
        else
            buf_putc(b, (char)c);
    }
    buf_putc(b, '"');
}

void emit_abi_json(const Graph *g, Buf *b)
{
    buf_puts(b, "{\n  \"model\": ");
    json_str(b, g->model->name);
    buf_printf(b, ",\n  \"num_tensors\": %d,\n  \"num_params\": %lld,\n  \"dtype\": \"F32\",\n  \"tensors\": [\n",
               g->ntensors, (long long)g->nparams);
    for (int i = 0; i < g->ntensors; i++) {
        const Tensor *t = &g->tensors[i];
        buf_printf(b, "    {\"index\": %d, \"name\": ", i);
        json_str(b, t->name);
        buf_puts(b, ", \"shape\": [");
        for (int k = 0; k < t->shape.rank; k++)
            buf_printf(b, "%s%lld", k ? ", " : "", (long long)t->shape.n[k]);
        buf_printf(b, "], \"offset\": %lld, \"count\": %lld, \"init\": ", (long long)t->offset, (long long)t->count);
        json_str(b, init_names[t->init]);
        buf_printf(b, "}%s\n", i + 1 < g->ntensors ? "," : "");
    }
    buf_puts(b, "  ]\n}\n");
}

GscTensorInfo *tensor_table(const Graph *g)
{
    GscTensorInfo *tab = arena_alloc(sizeof(GscTensorInfo) * (size_t)(g->ntensors + 1));
    for (int i = 0; i < g->ntensors; i++) {
        const Tensor *t = &g->tensors[i];
        tab[i].name = t->name;
        tab[i].offset = t->offset;
        tab[i].rank = t->shape.rank;
        for (int k = 0; k < t->shape.rank; k++)
            tab[i].shape[k] = t->shape.n[k];
    }
    return tab;
}

/* Loads --params into a fresh array; NULL (reported) on any problem. */
float *load_params(const Graph *g, const char *path)
{
    GscStFile f;
    char err[4096];
    if (gsc_st_open(path, &f, err, sizeof err) != 0) {
        error_plain("%s", err); /* names the file */
        return NULL;
    }
    float *params = xmalloc(sizeof(float) * (size_t)(g->nparams ? g->nparams : 1));
    int rc = gsc_st_load_params(&f, tensor_table(g), g->ntensors, params, err, sizeof err);
    gsc_st_close(&f);
    if (rc != 0) {
        Buf b = {0};
        for (const char *s = err; *s; s++) {
            if (s[0] == ';' && s[1] == ' ') {
                buf_puts(&b, "\n  ");
                s++;
            } else {
                buf_putc(&b, *s);
            }
        }
        error_plain("%s does not fit model '%s':\n  %s", path, g->model->name, b.s);
        buf_free(&b);
        free(params);
        return NULL;
    }
    return params;
}

int write_params(const Graph *g, const float *params, const char *path)
{
    char err[1024];
    if (gsc_st_write(path, tensor_table(g), g->ntensors, params, err, sizeof err) != 0) {
        error_plain("cannot write %s: %s", path, err);
        return -1;
    }
    return 0;
}
