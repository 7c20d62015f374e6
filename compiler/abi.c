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
        json_str(b, t->init == INIT_FILL ? arena_printf("constant %s", real_str(t->fill))
                    : t->init == INIT_UNIFORM_FAN
                        ? arena_printf("uniform(-b, b), b = 1/sqrt(fan_in) = %.9g, LCG seeded with the tensor index", t->fill)
                        : init_names[t->init]);
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

/* "[64, 3, 7, 7]", an arena string. */
static const char *dims_text(const int64_t *d, int rank)
{
    Buf b = {0};
    for (int i = 0; i < rank; i++)
        buf_printf(&b, "%s%lld", i ? ", " : "", (long long)d[i]);
    const char *s = arena_printf("[%s]", b.s ? b.s : "");
    buf_free(&b);
    return s;
}

/* Why a weights file does not fit the model, as one error: a summary (how
 * many tensors are missing, have other shapes or types, are not the
 * model's), then one line per problem, at most --max-errors of them. */
static void misfit(const Graph *g, const GscStFile *f, const char *path, const char *err)
{
    Vec lines = {0};
    int missing = 0, shape = 0, dtype = 0, unknown = 0;
    for (int i = 0; i < g->ntensors; i++) {
        const Tensor *t = &g->tensors[i];
        const GscStTensor *ft = gsc_st_find(f, t->name);
        if (!ft) {
            missing++;
            vec_push(&lines, arena_printf("missing %s %s", t->name, dims_text(t->shape.n, t->shape.rank)));
            continue;
        }
        if (strcmp(ft->dtype, "F32")) {
            dtype++;
            vec_push(&lines, arena_printf("%s is %s, not F32", t->name, ft->dtype));
        }
        bool same = ft->rank == t->shape.rank;
        for (int k = 0; same && k < ft->rank; k++)
            same = ft->shape[k] == t->shape.n[k];
        if (!same) {
            shape++;
            vec_push(&lines, arena_printf("%s has shape %s, the model wants %s", t->name,
                                          dims_text(ft->shape, ft->rank), dims_text(t->shape.n, t->shape.rank)));
        }
    }
    for (int i = 0; i < f->ntensors; i++) {
        bool known = false;
        for (int k = 0; k < g->ntensors && !known; k++)
            known = !strcmp(g->tensors[k].name, f->tensors[i].name);
        if (!known) {
            unknown++;
            vec_push(&lines, arena_printf("%s is not a tensor of the model", f->tensors[i].name));
        }
    }
    if (!lines.n) { /* what the reader saw and this count does not */
        error_plain("%s does not fit model '%s': %s", path, g->model->name, err);
        return;
    }
    Buf b = {0};
    buf_printf(&b, "%s does not fit model '%s' (%d tensors; the file has %d):", path, g->model->name, g->ntensors,
               f->ntensors);
    const char *sep = " ";
    if (missing)
        buf_printf(&b, "%s%d missing", sep, missing), sep = ", ";
    if (shape)
        buf_printf(&b, "%s%d with another shape", sep, shape), sep = ", ";
    if (dtype)
        buf_printf(&b, "%s%d not F32", sep, dtype), sep = ", ";
    if (unknown)
        buf_printf(&b, "%s%d not in the model", sep, unknown), sep = ", ";
    if (unknown * 2 > f->ntensors)
        buf_printf(&b, "; are these the weights of another model? (gsc --emit=params writes a model's own)");
    int shown = lines.n < diag_max ? lines.n : diag_max;
    for (int i = 0; i < shown; i++)
        buf_printf(&b, "\n  %s", (const char *)lines.v[i]);
    if (shown < lines.n)
        buf_printf(&b, "\n  ... and %d more (--max-errors N shows N)", lines.n - shown);
    error_plain("%s", b.s);
    buf_free(&b);
    free(lines.v);
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
    if (rc != 0) {
        misfit(g, &f, path, err);
        gsc_st_close(&f);
        free(params);
        return NULL;
    }
    gsc_st_close(&f);
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
