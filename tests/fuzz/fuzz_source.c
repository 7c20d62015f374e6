/*
 * fuzz_source.c - libFuzzer target: the input bytes are a GraphSpec source
 * file, run through the whole compiler pipeline of gsc (as main.c runs it):
 *
 *   parse_program -> resolve_program -> check_model -> specialise (defaults)
 *     -> check_c_limits -> lower_graph + plan_memory + emit_c  (fast and reference kernels)
 *     -> emit_abi_json, emit_summary, emit_dot, tensor_table
 *
 * Every output goes to a heap Buf that is discarded. A crash, a sanitizer
 * report, a hang (-timeout) or a call of exit() (internal_error -> exit 3,
 * out of memory) is a finding; input errors are not.
 *
 * Build (tests/fuzz/run.sh does it):
 *   clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined \
 *         -fno-sanitize-recover=all -Icompiler -Iruntime -Ibuild \
 *         tests/fuzz/fuzz_source.c <every gsc source but util.c and main.c>
 *
 * Two pieces of global state of gsc need care:
 *
 * 1. diag.c exits the process after diag_max errors. Before every input
 *    diag_errors is reset to 0 and diag_max set to INT_MAX, so error_at never
 *    exits. Diagnostics are written to the FILE stderr: LLVMFuzzerInitialize
 *    points that variable at /dev/null (set GSC_FUZZ_QUIET=0 to see them).
 *    File descriptor 2 is left alone, so libFuzzer's reports (its own FILE,
 *    made before main) and the sanitizers' (write(2)) still appear.
 *
 * 2. util.c's arena is never freed: gsc is a short-lived process. A
 *    fuzzer runs hundreds of thousands of inputs in one process, so the
 *    arena would grow by every input's allocations, without bound. This file therefore
 *    #includes compiler/util.c (and is linked without util.o), which makes
 *    util.c's static 'arena' visible here, and rewinds the arena after each
 *    input to a mark taken after a warm-up. The warm-up runs a small model
 *    through the whole pipeline first, so that the lazily made objects that
 *    gsc keeps in statics (check.c's 'one', ops.c's parsed signatures) are
 *    allocated below the mark and survive every rewind. Freed chunks go to
 *    ASan's quarantine, so a static that pointed past the mark would show up
 *    as a heap-use-after-free in a later input (a harness bug, not gsc's).
 *    Build with -DGSC_FUZZ_NO_ARENA_RESET to keep gsc's own behaviour (then
 *    raise -rss_limit_mb and bound -runs).
 *    gsc also leaves heap blocks (Vec arrays of the parser and the checker)
 *    hanging off arena objects; after a rewind they are unreachable, so run
 *    this target with -detect_leaks=0 (run.sh does). That growth is small:
 *    about 0.5 GB of RSS after 500,000 inputs, under run.sh's
 *    -rss_limit_mb=6144.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../compiler/util.c"

static Chunk *mark_chunk;
static size_t mark_used;

static void arena_mark(void)
{
    mark_chunk = arena;
    mark_used = arena ? arena->used : 0;
}

static void arena_rewind(void)
{
#ifndef GSC_FUZZ_NO_ARENA_RESET
    while (arena && arena != mark_chunk) {
        Chunk *next = arena->next;
        free(arena);
        arena = next;
    }
    if (arena)
        arena->used = mark_used;
#endif
}

/* Runs one source text through the pipeline; returns the stage reached. */
static int run_pipeline(const char *text, size_t len)
{
    SrcFile *f = arena_alloc(sizeof *f);
    f->name = "fuzz.gs";
    f->text = text;
    f->len = len;
    diag_errors = 0;
    diag_max = INT_MAX;
    diag_color = false;

    Program *prog = parse_program(f);
    if (diag_errors)
        return 1;
    resolve_program(prog);
    if (diag_errors)
        return 2;
    /* main.c's choose_model without --model: the only model. With several,
     * gsc exits 2 (usage); here the first is taken (as --model FIRST). With
     * none, main.c passes NULL to check_model; resolve reports a file
     * without a model, so that cannot happen once resolve found no error. */
    Item *model = NULL;
    for (int i = 0; i < prog->nitems && !model; i++)
        if (prog->items[i].kind == IT_MODEL)
            model = &prog->items[i];
    if (!model)
        return 2;
    Graph *g = check_model(prog, model);
    if (!g || diag_errors)
        return 3;
    if (specialise(g, NULL, 0, false))
        return 4;
    if (check_c_limits(g)) /* as main.c: C emission only within the runtime's int sizes */
        return 5;

    Lowered *low = NULL;
    for (int fast = 0; fast <= 1; fast++) {
        low = lower_graph(g, fast);
        plan_memory(low);
        Grad *gr = grad_graph(g, g->values[g->output].shape.rank == 1 ? LOSS_XENT : LOSS_MSE, false);
        Lowered *train = gr ? lower_train(g, gr) : NULL;
        if (train)
            plan_memory(train);
        Buf c = {0}, h = {0};
        EmitOptions eo = {"fz", "fuzz.gs", "fz.h", NULL, NULL, false};
        emit_c(g, low, train, &eo, &c, &h);
        buf_free(&c);
        buf_free(&h);
    }
    Buf b = {0};
    emit_abi_json(g, &b);
    emit_summary(g, low, &b);
    emit_dot(g, &b);
    buf_free(&b);
    tensor_table(g); /* arena memory */
    return 5;
}

static const char warmup[] =
    "dim half(h) = (h - 1) / 2 + 1\n"
    "block b(co)(x: [ci, h, w]) -> [co, h, w] {\n"
    "    conv = conv2d(ci -> co, k=3, stride=1, pad=1)\n"
    "    bn = batchnorm(co)\n"
    "    return relu(bn(conv(x)))\n"
    "}\n"
    "model m(classes = 3)(x: [2, H, W]) -> [classes]\n"
    "      where H >= 2, W >= 2 default H = 6, W = 5 {\n"
    "    a = b(3)\n"
    "    c = seq(b(4), b(4))\n"
    "    fc = linear(4 * half(H) * half(W) + 4 -> classes)\n"
    "    let y = c(a(x))\n"
    "    let p: [4, half(H), half(W)] = maxpool2d(y, k=3, stride=2, pad=1)\n"
    "    let q = avgpool2d(p, k=3, stride=1, pad=1)\n"
    "    return softmax(fc(concat(flatten(q), global_avgpool(q))))\n"
    "}\n"
    "assert tensors(m) == 14\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *q = getenv("GSC_FUZZ_QUIET");
    if (!q || strcmp(q, "0")) {
        FILE *nf = fopen("/dev/null", "w");
        if (nf)
            stderr = nf;
    }
    for (int op = 0; op < OP__COUNT; op++)
        op_sig((OpKind)op);
    run_pipeline(warmup, sizeof warmup - 1);
    if (diag_errors) {
        static const char msg[] = "fuzz_source: the warm-up model has errors\n";
        if (write(2, msg, sizeof msg - 1) < 0)
            abort();
        abort();
    }
    arena_mark();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20))
        return 0;
    /* read_file's contract: a NUL after the text. */
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = 0;
    run_pipeline(text, size);
    free(text);
    arena_rewind();
    return 0;
}
