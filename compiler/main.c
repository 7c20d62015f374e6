/*
 * main.c - the command line. main() reads as the pipeline:
 *
 *   read (onnx.c, print.c) -> parse (lexer.re, parser.y) -> resolve.c
 *        -> check.c (prove.c) -> the text and its weights (--emit=gs) |
 *        spec.c -> eval.c (--eval) | abi.c, report.c (--emit=abi, params, dot)
 *        | lower.c -> plan.c -> emit.c (C) or report.c (--emit=summary)
 *
 * Exit status: 0 success, 1 errors in the input, 2 usage errors (bad flag,
 * unreadable file), 3 internal errors. Success says what happened in one
 * line on stderr (what was proved, what was written) unless -q.
 */
#include "gsc.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* In pieces: C limits the length of one string literal. */
static const char *const usage_text[] = {
    "usage: gsc [options] FILE.gs | MODEL.onnx\n"
    "\n"
    "Compiles a GraphSpec model to straight-line C, checks its shapes for every\n"
    "input size, or runs it with the reference interpreter.\n"
    "\n"
    "Modes:\n"
    "  gsc FILE.gs -o NAME.c        check, specialise and write NAME.c and NAME.h\n"
    "  gsc MODEL.onnx -o NAME.c     compile a trained ONNX model (opsets 9 to 17;\n"
    "                               docs/onnx.md): its weights are compiled in, or\n"
    "                               over --embed-limit written beside NAME.c\n"
    "  gsc --emit=gs MODEL.onnx -o NAME.gs\n"
    "                               the ONNX model as GraphSpec text, its weights\n"
    "                               beside it as NAME.safetensors; every other mode\n"
    "                               takes MODEL.onnx too (with its weights)\n"
    "  gsc --check FILE.gs          check only: names, and every shape fact proved\n"
    "                               for all input sizes allowed by 'where'; needs no\n"
    "                               -D or defaults (the parameters are then counted\n"
    "                               where their shapes do not depend on the sizes)\n"
    "  gsc --check --explain FILE   also list every proof obligation, where it\n"
    "                               comes from, and its normal form\n"
    "  gsc --eval FILE.gs --input X.bin -o Y.bin [--params W.safetensors]\n"
    "                               run the model with the reference interpreter;\n"
    "                               X.bin and Y.bin are raw little-endian float32,\n"
    "                               row-major CHW (numpy's tofile); without\n"
    "                               --params the seed initialiser's weights are used;\n"
    "                               without -o, a summary of the output on stdout\n"
    "                               (the top 5 of a vector, else shape, min, max, mean)\n"
    "  gsc --eval --precision=f64 ...\n"
    "                               the same with every intermediate kept in float64\n"
    "                               (Y.bin is still float32); the difference from the\n"
    "                               float32 run is how much rounding moves the output\n"
    "  gsc --eval --grad FILE.gs --input X.bin --label N -o G.safetensors\n"
    "                               the loss of one example (printed) and the gradient\n"
    "                               of every parameter tensor (written, by name; raw\n"
    "                               float32 in the parameters' order to a .bin):\n"
    "                               cross-entropy on class N, or with --loss=mse\n"
    "                               --target T.bin the mean squared error\n"
    "  gsc --train FILE.gs -o NAME.c\n"
    "                               also write the training step P_grad: forward,\n"
    "                               loss (--loss) and backward of one example, adding\n"
    "                               d loss / d params into grads (docs/training.md)\n"
    "  gsc --train --emit=summary FILE.gs\n"
    "                               the summary and the training step's memory plan\n"
    "  gsc --emit=abi FILE.gs       the parameter ABI as JSON (name, shape, offset,\n"
    "                               count, initialiser of every tensor)\n"
    "  gsc --emit=params FILE.gs -o W.safetensors\n"
    "                               the seed initialiser's weights as safetensors\n"
    "\n"
    ,
    "Options:\n"
    "  -o FILE                      output file (written atomically: an existing\n"
    "                               file is never left half-written); -o - is\n"
    "                               stdout, for --eval and --emit=abi, summary, dot\n"
    "  -q, --quiet                  no line on stderr on success (what was proved,\n"
    "                               what was written); errors are still reported\n"
    "  -D NAME=VALUE                set a model parameter or input dimension\n"
    "                               (e.g. -D H=64 -D W=64 -D classes=10)\n"
    "  --model NAME                 the model to use when the file has several\n"
    "  --emit=KIND                  what to write: c (default), gs, abi, params,\n"
    "                               summary (a table per operation: shapes,\n"
    "                               parameters, multiply-adds, memory), dot (the\n"
    "                               graph for Graphviz: gsc --emit=dot m.gs | dot -Tsvg)\n"
    "  --symbolic NAME=AXIS,...     ONNX input axes kept as size symbols, proved\n"
    "                               for all sizes (--symbolic H=2,W=3 for NCHW);\n"
    "                               symbolic ONNX dimensions are symbols anyway;\n"
    "                               --emit=gs keeps them without values (no -D)\n"
    "  --prefix NAME                the C prefix of the generated API (default: the\n"
    "                               output file's name, e.g. rn18 for rn18.c)\n"
    "  --kernels=fast|reference     the runtime kernels the C calls: fast (default;\n"
    "                               runtime/gsc_fast.c, SIMD by compiler flags,\n"
    "                               threads with -fopenmp) or reference (plain loops,\n"
    "                               runtime/gsc_kernels.c)\n"
    "  --conv=auto|direct|winograd  how the fast kernels compute 3x3 stride-1\n"
    "                               convolutions: by the cost model's choice per\n"
    "                               layer (default), always directly (the least\n"
    "                               memory: Winograd's prepared weights are up to\n"
    "                               4x larger), or by Winograd's F(4x4, 3x3) or\n"
    "                               F(2x2, 3x3) wherever it applies\n"
    "                               (runtime/gsc_winograd.c; the generated C's\n"
    "                               comment of each call says which and why)\n"
    ,
    "  --embed-weights W.safetensors\n"
    "                               compile the weights into NAME.c as a const\n"
    "                               array P_weights (for flash); no file needed\n"
    "  --embed-limit=SIZE           the most prepared weights compiled into NAME.c\n"
    "                               (ONNX input, --embed-weights): bytes, or with K,\n"
    "                               M or G for KiB, MiB, GiB (default 64M; 0: never).\n"
    "                               Over it, NAME.c has no P_weights: the raw weights\n"
    "                               go to NAME.safetensors beside it, which the\n"
    "                               program loads (gsc_st_load_params) and prepares\n"
    "                               (P_prepare); a note on stderr says so (-q too)\n"
    "  --profile                    timing hooks around each operation of P_forward\n"
    "                               (GSC_PROFILE_BEGIN/END: they cost nothing unless\n"
    "                               built with -DGSC_PROFILE and gsc_profile_begin/end\n"
    "                               defined; see bench/bench.c)\n"
    "  --input FILE                 the input of --eval\n"
    "  --loss=xent|mse              the loss of --grad: cross-entropy of the output as\n"
    "                               logits (of its input, if the model ends in softmax)\n"
    "                               and a class --label, or mean squared error against\n"
    "                               --target (PyTorch's, reduction 'mean')\n"
    "  --label N, --target FILE     the class or the wanted output of --grad\n"
    "  --params FILE                weights (safetensors, F32, PyTorch names) for\n"
    "                               --eval; checked against the model by name (also\n"
    "                               with --check; PyTorch .pt files are converted\n"
    "                               with tools/export_torch.py)\n"
    "  --max-errors N               stop after N errors (default 20)\n"
    "  -Werror                      warnings are errors (status 1)\n"
    "  -Wno-NAME, -WNAME            silence a kind of warning, or bring it back:\n"
    "                                 unused-layer  a layer declared, never applied\n"
    "                                 unused-value  a value computed, never used\n"
    "                                 single-position-batchnorm  a train-time\n"
    "                                 batchnorm whose input is 1x1 at the chosen\n"
    "                                 sizes: its output is its bias, whatever the\n"
    "                                 input (ResNet-18 at 32x32)\n"
    "  --color, --no-color          colour diagnostics (default: on a terminal,\n"
    "                               unless NO_COLOR is set)\n"
    "  -h, --help                   this text\n"
    "  --version                    the version\n"
    "\n"
    "On success gsc prints one line on stderr (-q: none): with --check the number\n"
    "of shape facts proved and for which sizes, the tensors and parameters (at the\n"
    "sizes of -D and defaults, or at every size); with -o\n"
    "the files written and the workspace.\n"
    "\n"
    "Exit status: 0 success, 1 errors in the input, 2 usage error, 3 internal error.\n"
    "The language is described in docs/language.md.\n",
    NULL,
};

typedef struct {
    const char *input;
    const char *output;
    const char *model;
    const char *emit;
    const char *prefix;
    const char *embed;
    int64_t embed_limit; /* bytes of prepared weights; over it they go to a file (0: always) */
    const char *symbolic;
    bool reference;
    bool profile;
    const char *eval_input;
    const char *params;
    bool eval;
    bool grad;
    bool train;
    LossKind loss;
    long long label;
    const char *target;
    bool f64;
    bool check_only;
    bool explain;
    bool quiet;
    Vec defines; /* "NAME=VALUE" */
} Options;

static NORETURN void usage_error(const char *fmt, const char *arg)
{
    fputs("gsc: error: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n(run 'gsc --help' for the options)\n", stderr);
    exit(2);
}

/* The value of "--flag=V" or "--flag V" / "-o V". */
static const char *flag_value(int argc, char **argv, int *i, const char *flag)
{
    size_t n = strlen(flag);
    if (!strncmp(argv[*i], flag, n) && argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (!strncmp(argv[*i], flag, n) && argv[*i][n] && flag[1] != '-')
        return argv[*i] + n; /* -DNAME=V, -oFILE */
    if (*i + 1 >= argc)
        usage_error("%s needs a value", flag);
    return argv[++*i];
}

static bool is_flag(const char *arg, const char *flag)
{
    size_t n = strlen(flag);
    return !strncmp(arg, flag, n) && (arg[n] == 0 || arg[n] == '=' || flag[1] != '-');
}

/* "64M", "1G", "4096", "0": bytes, K, M and G powers of 1024; -1 if not a size. */
static int64_t parse_size(const char *v)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (!isdigit((unsigned char)*v) || errno)
        return -1;
    int shift = 0;
    if (*end && end[1] == 0) {
        const char *units = "KMG", *u = strchr(units, toupper((unsigned char)*end));
        if (!u)
            return -1;
        shift = 10 * (int)(u - units + 1);
        end++;
    }
    if (*end || n > (unsigned long long)(INT64_MAX >> shift))
        return -1;
    return (int64_t)(n << shift);
}

static void parse_args(int argc, char **argv, Options *o)
{
    o->embed_limit = (int64_t)64 << 20;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            for (int k = 0; usage_text[k]; k++)
                fputs(usage_text[k], stdout);
            exit(0);
        } else if (!strcmp(a, "--version")) {
            printf("gsc %s\n", GSC_VERSION);
            exit(0);
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o->quiet = true;
        } else if (!strcmp(a, "--check")) {
            o->check_only = true;
        } else if (!strcmp(a, "--eval")) {
            o->eval = true;
        } else if (!strcmp(a, "--grad")) {
            o->grad = true;
        } else if (!strcmp(a, "--train")) {
            o->train = true;
        } else if (is_flag(a, "--loss")) {
            const char *k = flag_value(argc, argv, &i, "--loss");
            if (strcmp(k, "xent") && strcmp(k, "mse"))
                usage_error("--loss takes xent (cross-entropy on a class label) or mse, not '%s'", k);
            o->loss = strcmp(k, "mse") ? LOSS_XENT : LOSS_MSE;
        } else if (is_flag(a, "--label")) {
            const char *v = flag_value(argc, argv, &i, "--label");
            char *end;
            o->label = strtoll(v, &end, 10);
            if (*end || !*v || o->label < 0 || o->label > INT32_MAX)
                usage_error("--label wants a class index (0, 1, ...), not '%s'", v);
        } else if (is_flag(a, "--target")) {
            o->target = flag_value(argc, argv, &i, "--target");
        } else if (is_flag(a, "--precision")) {
            const char *k = flag_value(argc, argv, &i, "--precision");
            if (strcmp(k, "f32") && strcmp(k, "f64"))
                usage_error("--precision takes f32 or f64, not '%s'", k);
            o->f64 = !strcmp(k, "f64");
        } else if (is_flag(a, "--prefix")) {
            o->prefix = flag_value(argc, argv, &i, "--prefix");
        } else if (is_flag(a, "--conv")) {
            const char *k = flag_value(argc, argv, &i, "--conv");
            if (strcmp(k, "direct") && strcmp(k, "auto") && strcmp(k, "winograd"))
                usage_error("--conv takes direct, auto or winograd, not '%s'", k);
            lower_conv_mode = !strcmp(k, "direct") ? CONV_DIRECT : !strcmp(k, "auto") ? CONV_AUTO : CONV_WINOGRAD;
        } else if (is_flag(a, "--kernels")) {
            const char *k = flag_value(argc, argv, &i, "--kernels");
            if (strcmp(k, "fast") && strcmp(k, "reference"))
                usage_error("--kernels takes fast or reference, not '%s'", k);
            o->reference = !strcmp(k, "reference");
        } else if (is_flag(a, "--symbolic")) {
            o->symbolic = flag_value(argc, argv, &i, "--symbolic");
        } else if (is_flag(a, "--embed-weights")) {
            o->embed = flag_value(argc, argv, &i, "--embed-weights");
        } else if (is_flag(a, "--embed-limit")) {
            const char *v = flag_value(argc, argv, &i, "--embed-limit");
            if ((o->embed_limit = parse_size(v)) < 0)
                usage_error("--embed-limit wants a size in bytes, or with K, M or G for KiB, MiB or GiB (64M, 1G; 0: "
                            "never compile weights in), not '%s'", v);
        } else if (is_flag(a, "--input")) {
            o->eval_input = flag_value(argc, argv, &i, "--input");
        } else if (is_flag(a, "--params")) {
            o->params = flag_value(argc, argv, &i, "--params");
        } else if (!strcmp(a, "--profile")) {
            o->profile = true;
        } else if (!strcmp(a, "--explain")) {
            o->explain = true;
        } else if (!strcmp(a, "--color")) {
            diag_color = true;
        } else if (!strcmp(a, "--no-color")) {
            diag_color = false;
        } else if (is_flag(a, "--max-errors")) {
            const char *v = flag_value(argc, argv, &i, "--max-errors");
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || n < 1 || n > 100000)
                usage_error("--max-errors wants a number from 1 to 100000, not '%s'", v);
            diag_max = (int)n;
        } else if (is_flag(a, "--emit")) {
            o->emit = flag_value(argc, argv, &i, "--emit");
        } else if (is_flag(a, "--model")) {
            o->model = flag_value(argc, argv, &i, "--model");
        } else if (is_flag(a, "-o")) {
            o->output = flag_value(argc, argv, &i, "-o");
        } else if (!strncmp(a, "-W", 2)) {
            if (!warn_flag(a)) {
                Buf k = {0};
                warn_kinds(&k);
                usage_error("%s", arena_printf("unknown warning option '%s' (-Werror, -Wno-NAME or -WNAME with NAME one "
                                               "of %s)", a, k.s));
                buf_free(&k);
            }
        } else if (is_flag(a, "-D")) {
            const char *v = flag_value(argc, argv, &i, "-D");
            if (!strchr(v, '=') || v[0] == '=')
                usage_error("-D wants NAME=VALUE, not '%s'", v);
            vec_push(&o->defines, (void *)v);
        } else if (a[0] == '-' && a[1]) {
            usage_error("unknown option '%s'", a);
        } else if (o->input) {
            usage_error("more than one input file ('%s')", a);
        } else {
            o->input = a;
        }
    }
    if (!o->input)
        usage_error("no input file%s", "");
    if (o->f64 && !o->eval)
        usage_error("--precision applies to --eval only%s", "");
    if (o->eval && !o->eval_input)
        usage_error("--eval needs --input X.bin%s", "");
    if (o->grad && !o->output)
        usage_error("--eval --grad needs -o G.safetensors (or G.bin) for the gradients%s", "");
    if (o->train && (o->eval || o->check_only || (o->emit && strcmp(o->emit, "c") && strcmp(o->emit, "summary"))))
        usage_error("--train writes C or a summary: gsc --train FILE.gs -o NAME.c (or --emit=summary)%s", "");
    if (o->grad && !o->eval)
        usage_error("--grad applies to --eval (gsc --eval --grad ... -o G.safetensors)%s", "");
    if (o->grad && !o->train && o->loss == LOSS_MSE && !o->target)
        usage_error("--loss=mse needs --target T.bin (the wanted output, raw float32)%s", "");
    static const char *const kinds[] = {"c", "gs", "abi", "params", "summary", "dot"};
    bool known = !o->emit;
    for (int i = 0; i < countof(kinds) && !known; i++)
        known = !strcmp(o->emit, kinds[i]);
    if (!known)
        usage_error("unknown --emit kind '%s' (kinds: c, gs, abi, params, summary, dot)", o->emit);
    if (o->emit && !strcmp(o->emit, "gs") && !onnx_path(o->input))
        usage_error("--emit=gs writes an imported model as GraphSpec: its input is an ONNX file, not '%s'", o->input);
    size_t on = o->output ? strlen(o->output) : 0;
    if (o->emit && !strcmp(o->emit, "gs") && (on < 4 || strcmp(o->output + on - 3, ".gs")))
        usage_error("--emit=gs needs -o NAME.gs (the weights go beside it as NAME.safetensors)%s", "");
    if (o->symbolic && !onnx_path(o->input))
        usage_error("--symbolic applies to ONNX input (a .gs model names its sizes itself)%s", "");
    bool to_stdout = o->output && !strcmp(o->output, "-");
    if (o->emit && !strcmp(o->emit, "params") && (!o->output || to_stdout))
        usage_error("--emit=params needs -o W.safetensors (a file: safetensors is not written to stdout)%s", "");
    if (o->grad && to_stdout)
        usage_error("--eval --grad prints the loss on stdout: give the gradients a file, -o G.safetensors%s", "");
}

/* The one line of a success on stderr, "gsc: ...", unless -q. */
static void say(const Options *o, const char *fmt, ...) PRINTF(2, 3);
static void say(const Options *o, const char *fmt, ...)
{
    if (o->quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("gsc: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* "wrote y.bin", said after a file (not stdout) is written. */
static void say_wrote(const Options *o, const char *path, const char *what)
{
    if (strcmp(path, "-"))
        say(o, "wrote %s (%s)", path, what);
}

static int write_output(const char *path, const void *data, size_t len)
{
    if (write_file_atomic(path, data, len) != 0) {
        fprintf(stderr, "gsc: error: cannot write '%s': %s\n", path, strerror(errno));
        return 2;
    }
    return 0;
}

/* A raw float32 file that must hold exactly the floats of shape s; NULL
 * when it cannot be read (*rc 2) or has the wrong size (*rc 1). */
static float *read_raw(const char *path, const Shape *s, const char *what, int *rc)
{
    size_t len;
    char *in = read_file(path, &len);
    if (!in) {
        fprintf(stderr, "gsc: error: cannot read '%s': %s\n", path, strerror(errno));
        *rc = 2;
        return NULL;
    }
    int64_t want = shape_count(s);
    if ((int64_t)len != want * 4) {
        Buf b = {0};
        for (int i = 0; i < s->rank; i++)
            buf_printf(&b, "%s%lld", i ? ", " : "", (long long)s->n[i]);
        error_plain("%s has %zu bytes, but the %s [%s] needs %lld float32 values (%lld bytes)", path, len, what, b.s,
                    (long long)want, (long long)want * 4);
        free(in);
        *rc = 1;
        return NULL;
    }
    float *x = xmalloc(len ? len : 1);
    memcpy(x, in, len);
    free(in);
    return x;
}

/* "[3,224,224]", an arena string. */
static const char *shape_str(const Shape *s)
{
    Buf b = {0};
    for (int i = 0; i < s->rank; i++)
        buf_printf(&b, "%s%lld", i ? "," : "", (long long)s->n[i]);
    const char *t = arena_printf("[%s]", b.s ? b.s : "");
    buf_free(&b);
    return t;
}

/* --eval without -o: the 5 largest entries of a vector with their indices
 * (the top-5 classes of a classifier), else the shape, min, max and mean. */
static void print_output_summary(const float *y, const Shape *s)
{
    int64_t n = shape_count(s);
    if (s->rank == 1) {
        int top[5], k = n < 5 ? (int)n : 5;
        for (int j = 0; j < k; j++) {
            top[j] = -1;
            for (int64_t i = 0; i < n; i++) {
                bool used = false;
                for (int u = 0; u < j; u++)
                    used |= top[u] == i;
                if (!used && (top[j] < 0 || y[i] > y[top[j]]))
                    top[j] = (int)i;
            }
        }
        printf("output %s: top %d (index: value)\n", shape_str(s), k);
        for (int j = 0; j < k; j++)
            printf("  %5d: %.6g\n", top[j], y[top[j]]);
        return;
    }
    double lo = INFINITY, hi = -INFINITY, sum = 0;
    for (int64_t i = 0; i < n; i++) {
        lo = y[i] < lo ? y[i] : lo;
        hi = y[i] > hi ? y[i] : hi;
        sum += y[i];
    }
    printf("output %s: min %.6g, max %.6g, mean %.6g\n", shape_str(s), lo, hi, n ? sum / (double)n : 0.0);
}

/* The model imported from ONNX, or NULL. */
static const Imported *imported;

/* --params, the imported model's weights, or the seed initialiser's. */
static float *eval_params(const Graph *g, const Options *o)
{
    if (o->params)
        return load_params(g, o->params);
    if (imported)
        return onnx_params(g, imported);
    float *params = xmalloc(sizeof(float) * (size_t)(g->nparams + 1));
    init_params(g, params);
    return params;
}

static int run_eval(const Graph *g, const Options *o)
{
    int rc = 0;
    float *x = read_raw(o->eval_input, &g->values[g->input].shape, "input", &rc);
    if (!x)
        return rc;
    float *params = eval_params(g, o);
    if (!params) {
        free(x);
        return 1;
    }
    float *y = eval_graph(g, params, x, o->f64, isatty(2));
    const Shape *os = &g->values[g->output].shape;
    if (!o->output)
        print_output_summary(y, os);
    else if (!(rc = write_output(o->output, y, sizeof(float) * (size_t)shape_count(os))))
        say_wrote(o, o->output, arena_printf("%lld float32 values, %s", (long long)shape_count(os), shape_str(os)));
    free(x);
    free(params);
    free(y);
    return rc;
}

/* --eval --grad: the loss of one example on stdout, the gradients of every
 * parameter tensor to -o as safetensors (the parameters' names). */
static int run_eval_grad(const Graph *g, const Options *o)
{
    Grad *gr = grad_graph(g, o->loss, false);
    if (!gr)
        return 1;
    int rc = 0;
    const Shape *is = &g->values[g->input].shape, *os = &g->values[g->output].shape;
    float *x = read_raw(o->eval_input, is, "input", &rc);
    if (!x)
        return rc;
    float *t = NULL;
    if (o->loss == LOSS_MSE && !(t = read_raw(o->target, os, "target", &rc))) {
        free(x);
        return rc;
    }
    int64_t classes = shape_count(&g->values[gr->loss_value].shape);
    float *params = NULL;
    if (o->loss == LOSS_XENT && o->label >= classes)
        error_plain("--label %lld is out of range: the model has %lld classes (0 to %lld)", (long long)o->label,
                    (long long)classes, (long long)classes - 1);
    else
        params = eval_params(g, o);
    if (!params) {
        free(x);
        free(t);
        return 1;
    }
    double *p = xmalloc(sizeof(double) * (size_t)(g->nparams + 1)), *dp = xmalloc(sizeof(double) * (size_t)(g->nparams + 1));
    double *xd = xmalloc(sizeof(double) * (size_t)(shape_count(is) + 1)), *td = NULL;
    for (int64_t i = 0; i < g->nparams; i++)
        p[i] = params[i];
    for (int64_t i = 0; i < shape_count(is); i++)
        xd[i] = x[i];
    if (t) {
        td = xmalloc(sizeof(double) * (size_t)(shape_count(os) + 1));
        for (int64_t i = 0; i < shape_count(os); i++)
            td[i] = t[i];
    }
    double loss = eval_grad(gr, p, xd, o->label, td, o->f64, dp, NULL);
    for (int64_t i = 0; i < g->nparams; i++)
        params[i] = (float)dp[i];
    size_t n = strlen(o->output);
    if (n > 4 && !strcmp(o->output + n - 4, ".bin")) /* raw float32, in the parameters' order */
        rc = write_output(o->output, params, sizeof(float) * (size_t)g->nparams);
    else
        rc = write_params(g, params, o->output) ? 2 : 0;
    if (!rc) {
        printf("loss %.9g (%s)\n", loss, loss_name(o->loss));
        say_wrote(o, o->output, arena_printf("the gradients of %d tensors, %lld floats", g->ntensors, (long long)g->nparams));
    }
    free(p);
    free(dp);
    free(xd);
    free(td);
    free(x);
    free(t);
    free(params);
    return rc;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* rn18.c -> rn18; "my-net.c" -> my_net; a leading digit gets a '_'. */
static char *default_prefix(const char *out)
{
    const char *b = base_name(out);
    size_t n = strcspn(b, ".");
    char *p = arena_alloc(n + 2);
    size_t k = 0;
    if (n == 0 || (b[0] >= '0' && b[0] <= '9'))
        p[k++] = '_';
    for (size_t i = 0; i < n; i++)
        p[k++] = isalnum((unsigned char)b[i]) ? b[i] : '_';
    return p;
}

static bool is_identifier(const char *s)
{
    if (!*s || isdigit((unsigned char)*s))
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            return false;
    return true;
}

/* The raw weights of --embed-weights (or of the imported model), or NULL
 * (reported). */
static float *model_weights(const Graph *g, const char *path)
{
    float *params = path ? load_params(g, path) : onnx_params(g, imported);
    if (!params)
        return NULL;
    if (!path)
        path = imported->source;
    for (int64_t i = 0; i < g->nparams; i++) {
        if (!isfinite(params[i])) {
            error_plain("%s: parameter %lld is not a finite number", path, (long long)i);
            free(params);
            return NULL;
        }
    }
    return params;
}

/* "528.0 MiB", "6.0 KiB", "12 bytes". */
static const char *size_str(int64_t bytes)
{
    if (bytes >= (1 << 20))
        return arena_printf("%.1f MiB", (double)bytes / (1 << 20));
    if (bytes >= (1 << 10))
        return arena_printf("%.1f KiB", (double)bytes / (1 << 10));
    return arena_printf("%lld bytes", (long long)bytes);
}

static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The weights of a model whose prepared weights are over --embed-limit:
 * the raw parameters to NAME.safetensors beside NAME.c (written whole or
 * not at all), which the program loads and prepares itself. Left as it is
 * when it is the --embed-weights file. Returns a status, reported. */
static int write_weights_file(const Graph *g, const float *params, const Options *o, const char *wpath)
{
    if (o->embed && same_file(o->embed, wpath))
        return 0;
    return write_params(g, params, wpath) ? 2 : 0;
}

/* Checks -o NAME.c and --prefix before any work. */
static int c_output_names(const Options *o, const char **prefix, const char **hpath)
{
    const char *out = o->output;
    size_t n = strlen(out);
    if (!strcmp(out, "-")) {
        fputs("gsc: error: C emission writes two files, NAME.c and NAME.h, so it cannot go to stdout: give -o NAME.c\n",
              stderr);
        return 2;
    }
    if (n < 3 || strcmp(out + n - 2, ".c")) {
        fprintf(stderr, "gsc: error: the output of C emission must be a .c file (its header goes beside it), not '%s'\n",
                out);
        return 2;
    }
    *prefix = o->prefix ? o->prefix : default_prefix(out);
    if (!is_identifier(*prefix)) {
        fprintf(stderr, "gsc: error: --prefix '%s' is not a C identifier\n", *prefix);
        return 2;
    }
    *hpath = arena_printf("%.*s.h", (int)(n - 2), out);
    return 0;
}

/* Writes NAME.c and NAME.h; neither is touched unless both can be. The
 * weights of --embed-weights or of an imported model are compiled in up
 * to --embed-limit, else written first to NAME.safetensors (so NAME.c and
 * NAME.h are not touched unless it could be). */
static int write_c(const Graph *g, const Lowered *low, const Lowered *train, const Options *o, const char *prefix,
                   const char *hpath)
{
    EmitOptions eo = {prefix, base_name(o->input), base_name(hpath), NULL, NULL, o->profile};
    int64_t bytes = low->prepared_floats * (int64_t)sizeof(float);
    bool to_file = o->embed_limit == 0 || bytes > o->embed_limit;
    size_t n = strlen(o->output);
    const char *wpath = arena_printf("%.*s.safetensors", (int)(n - 2), o->output);
    int rc = 0;
    if (o->embed || imported) {
        float *params = model_weights(g, o->embed);
        if (!params)
            return 1;
        if (to_file) {
            eo.weights_file = base_name(wpath);
            rc = write_weights_file(g, params, o, wpath);
        } else {
            float *prepared = xmalloc(sizeof(float) * (size_t)(low->prepared_floats + 1));
            run_prepare(low, params, prepared);
            eo.embedded = prepared;
        }
        free(params);
        if (rc)
            return rc;
    }
    Buf c = {0}, h = {0};
    emit_c(g, low, train, &eo, &c, &h);
    rc = write_output(hpath, h.s, h.len);
    if (!rc)
        rc = write_output(o->output, c.s, c.len);
    /* said even with -q: the program must load the weights itself */
    if (!rc && eo.weights_file)
        fprintf(stderr, "gsc: note: %s does not compile in its prepared weights (%s, %s): the program loads %s with "
                        "gsc_st_load_params(&f, %s_tensors, %s_NUM_TENSORS, params, ...) and prepares them with "
                        "%s_prepare(params, prepared) (docs/c-api.md, loading weights)\n",
                o->output, size_str(bytes),
                o->embed_limit ? arena_printf("over --embed-limit's %s", size_str(o->embed_limit)) : "--embed-limit=0",
                wpath, prefix, arena_upper(prefix), prefix);
    if (!rc)
        say(o, "wrote %s (workspace %lld bytes%s)",
            eo.weights_file ? arena_printf("%s, %s and %s", o->output, hpath, wpath)
                            : arena_printf("%s and %s", o->output, hpath),
            (long long)low->workspace_bytes,
            train ? arena_printf("; training step %lld bytes", (long long)train->workspace_bytes) : "");
    free((void *)eo.embedded);
    buf_free(&c);
    buf_free(&h);
    return rc;
}

/* The text of --emit=abi, summary or dot: to -o, else stdout. Frees b. */
static int write_text(const Options *o, Buf *b)
{
    const char *path = o->output ? o->output : "-";
    int rc = write_output(path, b->s, b->len);
    if (!rc)
        say_wrote(o, path, arena_printf("--emit=%s, %zu bytes", o->emit, b->len));
    buf_free(b);
    return rc;
}

/* --emit=abi, params or dot: from the checked graph alone. */
static int run_emit_graph(const Graph *g, const Options *o)
{
    if (!strcmp(o->emit, "params")) {
        float *params = imported ? onnx_params(g, imported) : xmalloc(sizeof(float) * (size_t)(g->nparams + 1));
        if (!imported)
            init_params(g, params);
        if (write_params(g, params, o->output))
            return 2;
        say_wrote(o, o->output, arena_printf("%d tensors, %lld parameters", g->ntensors, (long long)g->nparams));
        return 0;
    }
    Buf b = {0};
    if (!strcmp(o->emit, "abi"))
        emit_abi_json(g, &b);
    else
        emit_dot(g, &b);
    return write_text(o, &b);
}

static int run_summary(const Graph *g, const Lowered *low, const Lowered *train, const Options *o)
{
    Buf b = {0};
    emit_summary(g, low, &b);
    if (train)
        emit_train_summary(train, &b);
    return write_text(o, &b);
}

/* --check: the one line that says what was proved, for which sizes, and
 * the parameter ABI at the chosen sizes (without sizes: its count where
 * that is the same at every size). */
static int say_checked(const Graph *g, const Options *o)
{
    Buf at = {0};
    for (int i = 0; g->symval && i < g->env.nsyms; i++)
        buf_printf(&at, " %s=%lld", g->env.syms[i].name, (long long)g->symval[i]);
    const char *params =
        g->nparams < 0 ? "their shapes depending on the sizes (give them with -D NAME=VALUE to count the parameters)"
        : g->symval    ? arena_printf("%lld parameters%s%s", (long long)g->nparams, g->env.nsyms ? " at" : "",
                                      g->env.nsyms ? at.s : "")
                       : arena_printf("%lld parameters at every size", (long long)g->nparams);
    say(o, "%s: %d shape facts proved %s; %d parameter tensors, %s%s", o->input, g->nobls,
        g->env.nsyms ? arena_printf("for all %s", dim_domain_str(&g->env)) : "(the model has no sizes to vary)",
        g->ntensors, params,
        o->params || o->embed ? arena_printf("; %s fits", o->params ? o->params : o->embed) : "");
    buf_free(&at);
    return 0;
}

/* --check with --params or --embed-weights: the weights file is read and
 * checked against the model. Returns nonzero (reported) when it does not fit. */
static int check_weights(Graph *g, const Options *o)
{
    const char *path = o->params ? o->params : o->embed;
    if (!path)
        return 0;
    if (g->nparams < 0) /* no sizes, and the parameters' shapes depend on them: reported */
        return lay_out_params(g);
    float *params = load_params(g, path);
    free(params);
    return params ? 0 : 1;
}

/* --emit=gs: the imported model's text to NAME.gs, its weights to
 * NAME.safetensors beside it. The text is checked first (every shape fact
 * proved for all sizes: nothing is written for a model that does not
 * compile); it needs no sizes, nor do the weights, whose shapes are
 * constants, so the graph is not specialised unless -D asks for sizes
 * (which are then checked as for any other output). */
static int write_gs(Graph *g, const SrcFile *src, const Options *o)
{
    if (o->defines.n ? specialise(g, (const char *const *)o->defines.v, o->defines.n, false) : lay_out_params(g))
        return 1;
    size_t n = strlen(o->output);
    const char *wpath = arena_printf("%.*s.safetensors", (int)(n - 3), o->output);
    float *params = onnx_params(g, imported);
    int rc = write_params(g, params, wpath) ? 2 : 0;
    free(params);
    if (!rc)
        rc = write_output(o->output, src->text, src->len);
    if (!rc)
        say(o, "wrote %s and %s (%d tensors, %lld parameters)", o->output, wpath, g->ntensors,
            (long long)g->nparams);
    return rc;
}

/* An ONNX file, imported and printed as GraphSpec source. */
static SrcFile *import_onnx(const char *path, const char *symbolic)
{
    size_t len;
    char *bytes = read_file(path, &len);
    if (!bytes) {
        fprintf(stderr, "gsc: error: cannot read '%s': %s\n", path, strerror(errno));
        exit(2);
    }
    imported = onnx_import(path, (const uint8_t *)bytes, len, symbolic);
    free(bytes);
    if (!imported)
        exit(1);
    Buf b = {0};
    print_graphspec(imported, &b);
    SrcFile *f = arena_alloc(sizeof *f);
    f->name = arena_printf("%s (as GraphSpec)", path);
    f->text = b.s;
    f->len = b.len;
    return f;
}

static SrcFile *load_source(const char *path)
{
    size_t len;
    char *text = read_file(path, &len);
    if (!text) {
        fprintf(stderr, "gsc: error: cannot read '%s': %s\n", path, strerror(errno));
        exit(2);
    }
    if (len > (size_t)INT32_MAX - 1) {
        fprintf(stderr, "gsc: error: '%s' is too large (over 2 GB)\n", path);
        exit(2);
    }
    SrcFile *f = arena_alloc(sizeof *f);
    f->name = path;
    f->text = text;
    f->len = len;
    return f;
}

/* The model named by --model, or the file's only model. */
static Item *choose_model(Program *p, const char *name)
{
    Item *found = NULL;
    int n = 0;
    for (int i = 0; i < p->nitems; i++) {
        Item *it = &p->items[i];
        if (it->kind != IT_MODEL)
            continue;
        n++;
        if (!name || !strcmp(it->name, name))
            found = it;
    }
    if (name && !found) {
        fprintf(stderr, "gsc: error: %s has no model '%s'\n", p->file->name, name);
        exit(2);
    }
    if (!name && n > 1) {
        fprintf(stderr, "gsc: error: %s has %d models; choose one with --model NAME\n", p->file->name, n);
        exit(2);
    }
    return found;
}

int main(int argc, char **argv)
{
    const char *nc = getenv("NO_COLOR");
    diag_color = isatty(2) && !(nc && *nc);
    static Options o; /* static: what it holds (the -D list) stays reachable to the end, for LeakSanitizer */
    parse_args(argc, argv, &o);

    SrcFile *src = onnx_path(o.input) ? import_onnx(o.input, o.symbolic) : load_source(o.input);
    Program *prog = parse_program(src);
    if (diag_errors)
        return 1;
    resolve_program(prog);
    if (diag_errors)
        return 1;
    Item *model = choose_model(prog, o.model);
    Graph *g = check_model(prog, model);
    if (o.explain && g)
        explain_graph(g, stdout);
    if (!g || diag_errors)
        return 1;
    if (o.emit && !strcmp(o.emit, "gs"))
        return write_gs(g, src, &o);
    if (specialise(g, (const char *const *)o.defines.v, o.defines.n, o.check_only))
        return 1;
    if (o.check_only)
        return check_weights(g, &o) ? 1 : say_checked(g, &o);
    if (o.eval)
        return o.grad ? run_eval_grad(g, &o) : run_eval(g, &o);
    bool summary = o.emit && !strcmp(o.emit, "summary");
    if (o.emit && strcmp(o.emit, "c") && !summary)
        return run_emit_graph(g, &o);
    if (check_c_limits(g))
        return 1;
    if (!o.output && !summary) {
        fprintf(stderr, "gsc: %s: checked; give -o NAME.c to write C (or --check to only check)\n", o.input);
        return 0;
    }
    const char *prefix = NULL, *hpath = NULL;
    int rc = summary ? 0 : c_output_names(&o, &prefix, &hpath);
    if (rc)
        return rc;
    Lowered *low = lower_graph(g, !o.reference);
    plan_memory(low);
    Lowered *train = NULL;
    if (o.train) {
        Grad *gr = grad_graph(g, o.loss, false);
        if (!gr)
            return 1;
        train = lower_train(g, gr);
        plan_memory(train);
    }
    if (summary)
        return run_summary(g, low, train, &o);
    return write_c(g, low, train, &o, prefix, hpath);
}
