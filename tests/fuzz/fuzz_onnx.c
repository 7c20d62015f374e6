/*
 * fuzz_onnx.c - libFuzzer target for the ONNX reader: the input bytes are an
 * ONNX file, given to onnx_import (compiler/onnx.c: protobuf-c's decoder,
 * then the conversion of every node); when it imports, the GraphSpec text
 * print.c writes is parsed, resolved, checked and specialised as main.c does
 * for `gsc model.onnx`, and the weights are laid out in its ABI
 * (onnx_params: a name or size the import did not write is internal_error,
 * an exit, so a finding).
 *
 * Like fuzz_source.c it #includes compiler/util.c to rewind the arena after
 * each input (to a mark taken before the first); diag_errors is reset and
 * diagnostics go to /dev/null (GSC_FUZZ_QUIET=0 to see them). Leaks are
 * checked: the reader frees every heap block it takes (protobuf-c's message,
 * the constants' arrays, its maps), but gsc's later stages keep Vec arrays on
 * arena objects, so run.sh runs this target with -detect_leaks=0 too.
 *
 * Build (tests/fuzz/run.sh does it, when protobuf-c is installed):
 *   clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -DGSC_ONNX \
 *         -Icompiler -Iruntime -Ibuild tests/fuzz/fuzz_onnx.c build/onnx.pb-c.c \
 *         <every gsc source but util.c and main.c> -lprotobuf-c -lm
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../compiler/util.c"

static Chunk *mark_chunk;
static size_t mark_used;

static void arena_rewind(void)
{
    while (arena && arena != mark_chunk) {
        Chunk *next = arena->next;
        free(arena);
        arena = next;
    }
    if (arena)
        arena->used = mark_used;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    const char *q = getenv("GSC_FUZZ_QUIET");
    if (!q || strcmp(q, "0")) {
        FILE *null = fopen("/dev/null", "w");
        if (null)
            stderr = null;
    }
    arena_alloc(1); /* the first chunk, below the mark */
    mark_chunk = arena;
    mark_used = arena->used;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    diag_errors = 0;
    diag_max = INT_MAX;
    diag_color = false;
    Imported *im = onnx_import("fuzz.onnx", data, len, len && data[0] & 1 ? "H=2,W=3" : NULL);
    if (im) {
        Buf b = {0};
        print_graphspec(im, &b);
        SrcFile *f = arena_alloc(sizeof *f);
        f->name = "fuzz.onnx (as GraphSpec)";
        f->text = b.s;
        f->len = b.len;
        Program *prog = parse_program(f);
        Item *model = NULL;
        if (!diag_errors && !resolve_program(prog))
            for (int i = 0; i < prog->nitems && !model; i++)
                if (prog->items[i].kind == IT_MODEL)
                    model = &prog->items[i];
        Graph *g = model ? check_model(prog, model) : NULL;
        if (g && !diag_errors && !specialise(g, NULL, 0, false))
            free(onnx_params(g, im));
        for (int i = 0; i < im->weights.n; i++)
            free(((ImWeight *)im->weights.v[i])->data);
        free(im->weights.v);
        free(im->stmts.v);
        buf_free(&b);
    }
    arena_rewind();
    return 0;
}
