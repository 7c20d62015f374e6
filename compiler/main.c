/*
 * main.c - the command line. main() reads as the pipeline:
 *
 *   read -> parse (lexer.re, parser.y) -> resolve.c -> check.c (prove.c)
 *        -> spec.c -> eval.c | emit.c
 *
 * Exit status: 0 success, 1 errors in the input, 2 usage errors (bad flag,
 * unreadable file), 3 internal errors.
 */
#include "gsc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: gsc [options] FILE.gs\n"
    "\n"
    "Compiles a GraphSpec model to straight-line C, checks its shapes for every\n"
    "input size, or runs it with the reference interpreter.\n"
    "\n"
    "Modes:\n"
    "  gsc FILE.gs -o NAME.c        check, specialise and write NAME.c and NAME.h\n"
    "  gsc --check FILE.gs          check only: names, and every shape fact proved\n"
    "                               for all input sizes allowed by 'where'\n"
    "  gsc --check --explain FILE   also list every proof obligation, where it\n"
    "                               comes from, and its normal form\n"
    "\n"
    "Options:\n"
    "  -o FILE                      output file (written atomically: an existing\n"
    "                               file is never left half-written)\n"
    "  -D NAME=VALUE                set a model parameter or input dimension\n"
    "                               (e.g. -D H=64 -D W=64 -D classes=10)\n"
    "  --model NAME                 the model to use when the file has several\n"
    "  --emit=KIND                  what to write: c (default)\n"
    "  --max-errors N               stop after N errors (default 20)\n"
    "  --color, --no-color          colour diagnostics (default: on a terminal,\n"
    "                               unless NO_COLOR is set)\n"
    "  -h, --help                   this text\n"
    "  --version                    the version\n"
    "\n"
    "Exit status: 0 success, 1 errors in the input, 2 usage error, 3 internal error.\n"
    "The language is described in docs/language.md.\n";

typedef struct {
    const char *input;
    const char *output;
    const char *model;
    const char *emit;
    bool check_only;
    bool explain;
    Vec defines; /* "NAME=VALUE" */
} Options;

static NORETURN void usage_error(const char *fmt, const char *arg)
{
    fputs("gsc: ", stderr);
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

static void parse_args(int argc, char **argv, Options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage_text, stdout);
            exit(0);
        } else if (!strcmp(a, "--version")) {
            printf("gsc %s\n", GSC_VERSION);
            exit(0);
        } else if (!strcmp(a, "--check")) {
            o->check_only = true;
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
        } else if (is_flag(a, "-D")) {
            const char *v = flag_value(argc, argv, &i, "-D");
            if (!strchr(v, '='))
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
}

static SrcFile *load_source(const char *path)
{
    size_t len;
    char *text = read_file(path, &len);
    if (!text) {
        fprintf(stderr, "gsc: cannot read '%s': %s\n", path, strerror(errno));
        exit(2);
    }
    if (len > (size_t)INT32_MAX - 1) {
        fprintf(stderr, "gsc: '%s' is too large (over 2 GB)\n", path);
        exit(2);
    }
    SrcFile *f = arena_alloc(sizeof *f);
    f->name = path;
    f->text = text;
    f->len = len;
    return f;
}

int main(int argc, char **argv)
{
    const char *nc = getenv("NO_COLOR");
    diag_color = isatty(2) && !(nc && *nc);
    Options o = {0};
    parse_args(argc, argv, &o);

    SrcFile *src = load_source(o.input);
    Program *prog = parse_program(src);
    if (diag_errors)
        return 1;
    resolve_program(prog);
    if (diag_errors)
        return 1;
    if (o.check_only)
        return 0;
    if (o.output)
        fprintf(stderr, "gsc: %s: checked; C emission is not built yet, so '%s' was not written\n", o.input,
                o.output);
    return 0;
}
