/*
 * test_codegen.c - the generated C against the reference interpreter.
 *
 * For each model and size: gsc writes NAME.c/NAME.h, the system compiler
 * builds them with tests/driver/model_main.c and the runtime, the program
 * runs on a deterministic input with the seed's weights, and its output must
 * match `gsc --eval` on the same input to a relative error of 1e-4
 * (max |a - b| / max |b|). Also: the emitted C compiles warning-free as C99,
 * has no allocation, generated/ is what gsc emits today, and the golden
 * emitted C of a small model is unchanged.
 *
 * Environment: GSC (default build/gsc), CC (default cc), GSC_SANITIZE=1 adds
 * -fsanitize=address,undefined to the generated program. The runtime is
 * compiled once per set of flags (tmp/rt-HASH/libgscrt.a) and linked into
 * every program built with them.
 * Run from the repository root.
 */
#define _GNU_SOURCE /* memmem */
#include <check.h>
#include <stdbool.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmp[256];

static const char *env_or(const char *name, const char *def)
{
    const char *v = getenv(name);
    return v && *v ? v : def;
}

static bool quiet; /* the command is expected to fail */

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int st = system(cmd);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        if (!quiet)
            fprintf(stderr, "command failed (%d): %s\n", st, cmd);
        return -1;
    }
    return 0;
}

/* A whole file, NUL-terminated (malloc'd; NULL when unreadable). */
static char *slurp(const char *path, long *bytes)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 4);
    *bytes = (long)fread(s, 1, (size_t)n, f);
    s[*bytes] = 0;
    fclose(f);
    return s;
}

static float *read_floats(const char *path, long *n)
{
    long bytes;
    float *x = (float *)slurp(path, &bytes);
    *n = bytes / 4;
    return x;
}

static char *arena_name(const char *a, const char *b)
{
    static char bufs[4][256];
    static int k;
    char *s = bufs[k++ % 4];
    snprintf(s, 256, "%s, %s", a, b);
    return s;
}

static void write_input(const char *path, long n, unsigned seed)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    unsigned s = seed;
    for (long i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        float v = (float)((s >> 8) / 16777216.0 * 2.0 - 1.0);
        fwrite(&v, 4, 1, f);
    }
    fclose(f);
}

/* Relative error max|a - b| / max|b| between two float files. */
static double rel_error(const char *a, const char *b, long *n)
{
    long na, nb;
    float *x = read_floats(a, &na), *y = read_floats(b, &nb);
    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_nonnull(y);
    ck_assert_int_eq(na, nb);
    double md = 0, mb = 0;
    for (long i = 0; i < na; i++) {
        ck_assert_msg(isfinite(x[i]), "output %ld is not finite", i);
        double d = fabs((double)x[i] - y[i]);
        md = d > md ? d : md;
        mb = fabs(y[i]) > mb ? fabs(y[i]) : mb;
    }
    free(x);
    free(y);
    *n = na;
    return md / (mb > 1e-30 ? mb : 1e-30);
}

typedef struct {
    const char *model;
    const char *defines;
    long input_size;
} Case;

static const Case cases[] = {
    {"models/mlp.gs", "", 784},
    {"models/residual_mlp.gs", "", 64},
    {"models/cnn.gs", "", 28 * 28},
    {"models/cnn.gs", "-D H=13 -D W=9 -D in_c=2", 2 * 13 * 9},
    {"tests/codegen/small.gs", "", 2 * 6 * 5},
    {"tests/codegen/small.gs", "-D H=9 -D W=2 -D classes=3", 2 * 9 * 2},
    /* the last stage is 1x1: batchnorm over one position gives beta exactly
     * (the fast kernels once left 1e-4 of rounding noise there) */
    {"models/resnet18.gs", "-D H=32 -D W=32", 3 * 32 * 32},
    {"models/resnet18.gs", "-D H=64 -D W=64", 3 * 64 * 64},
    /* odd sizes; not 2x1 in the last stage, where batchnorm over 2 values
     * magnifies float32 rounding past any fixed tolerance (random weights at
     * 57x31: the interpreter itself is 1e-3 from gsc --eval --precision=f64) */
    {"models/resnet18.gs", "-D H=57 -D W=47 -D classes=10", 3 * 57 * 47},
    {"models/resnet18.gs", "", 3 * 224 * 224},
    {"tests/codegen/concat_many.gs", "", 3 * 4 * 5},
    /* depthwise, grouped and bias-free convolutions */
    {"tests/codegen/grouped.gs", "", 3 * 11 * 9},
    {"tests/codegen/grouped.gs", "-D in_c=2 -D H=40 -D W=37", 2 * 40 * 37},
    /* a convolution's output chain (gsc_fast_conv2d_out): inference-form batchnorms, activations, residual
     * additions; 20 and 40 channels (partial blocks), 17 input channels, 1x1 and odd sizes */
    {"tests/codegen/out_chain.gs", "", 3 * 13 * 10},
    {"tests/codegen/out_chain.gs", "-D H=1 -D W=1", 3},
    {"tests/codegen/out_chain.gs", "-D in_c=17 -D H=40 -D W=33", 17 * 40 * 33},
    /* per-axis and asymmetric windows: k=(1, 7), (7, 1), stride=(2, 1), pad=(0, 1, 1, 2), ceil-mode and
     * average pools, depthwise; the smallest sizes the checker allows, and 17 input channels (two blocks) */
    {"tests/codegen/windows.gs", "", 3 * 12 * 10},
    {"tests/codegen/windows.gs", "-D H=2 -D W=5", 3 * 2 * 5},
    {"tests/codegen/windows.gs", "-D in_c=17 -D H=23 -D W=31", 17 * 23 * 31},
    {"tests/codegen/transposed.gs", "", 3 * 6 * 5},
    {"tests/codegen/transposed.gs", "-D in_c=1 -D H=1 -D W=9", 1 * 1 * 9},
};

/* The runtime compiled once per compiler and flags (each source with the
 * generated program's flags, into tmp/rt-HASH/libgscrt.a): the cases build
 * it for every variant, and compiling it took most of this test's time.
 * Returns 0 with the archive's path in lib. */
static int runtime_lib(const char *cc, const char *flags, char *lib, size_t n)
{
    unsigned long h = 5381;
    for (const char *q = cc; *q; q++)
        h = h * 33 ^ (unsigned char)*q;
    for (const char *q = flags; *q; q++)
        h = h * 33 ^ (unsigned char)*q;
    char dir[512];
    snprintf(dir, sizeof dir, "%s/rt-%lx", tmp, h);
    snprintf(lib, n, "%s/libgscrt.a", dir);
    if (access(lib, R_OK) == 0)
        return 0;
    if (run("mkdir -p %s", dir))
        return -1;
    /* every runtime/gsc_*.c, as a product vendors them */
    return run("for f in runtime/gsc_*.c; do %s -std=c99 -Wall -Wextra -Wpedantic -Werror %s -Iruntime -c $f "
               "-o %s/$(basename $f .c).o || exit 1; done && ar rcs %s.tmp %s/*.o && mv %s.tmp %s",
               cc, flags, dir, lib, dir, lib, lib);
}

/* Builds model_main against NAME.c; returns 0 on success. */
static int build_program(const char *dir, const char *name, const char *extra)
{
    const char *cc = env_or("CC", "cc");
    const char *san = getenv("GSC_SANITIZE") ? "-fsanitize=address,undefined -fno-sanitize-recover=all -g" : "";
    char pu[64], flags[512], lib[600];
    snprintf(pu, sizeof pu, "%s", name);
    for (char *q = pu; *q; q++)
        *q = (char)(*q >= 'a' && *q <= 'z' ? *q - 32 : *q);
    snprintf(flags, sizeof flags, "%s %s", san, extra);
    if (runtime_lib(cc, flags, lib, sizeof lib))
        return -1;
    return run("%s -std=c99 -Wall -Wextra -Wpedantic -Werror %s -I%s -Iruntime "
               "-DGSC_HEADER='\"%s.h\"' -DGSC_P=%s -DGSC_PU=%s tests/driver/model_main.c %s/%s.c %s -lm -o %s/%s",
               cc, flags, dir, name, name, pu, dir, name, lib, dir, name);
}

/* How the generated C is built and which kernels it calls. The portable
 * build of the fast kernels is always tested; the native one (SIMD for this
 * CPU, OpenMP threads) too unless sanitizing. */
typedef struct {
    const char *name;
    const char *gsc_flags;
    const char *cflags;
    bool sanitize_too;
    const char *cpu_flags; /* needed in /proc/cpuinfo, or NULL */
    const char *calls;     /* run only when the generated C calls it (else NULL: always) */
} Variant;

static const Variant variants[] = {
    {"fast kernels, portable C", "", "-O2", true, NULL, NULL},
    {"fast kernels, -O3 -march=native -fopenmp", "", "-O3 -march=native -fopenmp", false, NULL, NULL},
    {"fast kernels, AVX2+FMA", "", "-O3 -mavx2 -mfma -fopenmp", false, " avx2 fma", NULL},
    {"reference kernels", "--kernels=reference", "-O2", true, NULL, NULL},
    /* every 3x3 stride-1 convolution by Winograd (runtime/gsc_winograd.c);
     * only for the models that have one */
    {"fast kernels, --conv=winograd, -O3 -march=native -fopenmp", "--conv=winograd", "-O3 -march=native -fopenmp",
     false, NULL, "gsc_fast_conv2d_winograd"},
};

/* Can this CPU run code built for the variant? (SIMD paths are chosen at
 * compile time; the native one always runs here.) */
static bool cpu_has(const char *flags)
{
    if (!flags)
        return true;
    char cmd[256];
    const char *f = flags;
    while (*f == ' ')
        f++;
    for (;;) {
        size_t n = strcspn(f, " ");
        snprintf(cmd, sizeof cmd, "grep -qw '%.*s' /proc/cpuinfo", (int)n, f);
        quiet = true;
        int rc = run("%s", cmd);
        quiet = false;
        if (rc != 0)
            return false;
        f += n;
        while (*f == ' ')
            f++;
        if (!*f)
            return true;
    }
}

static void compare(const char *what, const Case *c, const char *a, const char *b)
{
    long n;
    double err = rel_error(a, b, &n);
    printf("%s %s, %s: %ld outputs, relative error %.3g\n", c->model, c->defines, what, n, err);
    ck_assert_msg(err <= 1e-4, "%s %s, %s: relative error %g > 1e-4", c->model, c->defines, what, err);
}

START_TEST(generated_matches_interpreter)
{
    const Case *c = &cases[_i];
    bool san = getenv("GSC_SANITIZE") != NULL;
    if (san && strstr(c->model, "resnet18") && !strcmp(c->defines, ""))
        return; /* 224x224 under the sanitizers takes minutes; 32..64 cover it */
    const char *gsc = env_or("GSC", "build/gsc");
    char dir[512], in[600], eval_seed[600], eval_rand[600], w[600];
    snprintf(dir, sizeof dir, "%s/case%d", tmp, _i);
    snprintf(in, sizeof in, "%s/x.bin", dir);
    snprintf(eval_seed, sizeof eval_seed, "%s/eval_seed.bin", dir);
    snprintf(eval_rand, sizeof eval_rand, "%s/eval_rand.bin", dir);
    snprintf(w, sizeof w, "%s/w.safetensors", dir);
    ck_assert_int_eq(run("mkdir -p %s", dir), 0);
    write_input(in, c->input_size, 1234u + (unsigned)_i);
    ck_assert_int_eq(run("%s --eval %s %s --input %s -o %s", gsc, c->model, c->defines, in, eval_seed), 0);
    bool have_rand = false;
    for (int v = 0; v < (int)(sizeof variants / sizeof variants[0]); v++) {
        const Variant *var = &variants[v];
        if ((san && !var->sanitize_too) || !cpu_has(var->cpu_flags))
            continue;
        /* prefix m, capitals M: the driver is built with GSC_P=m GSC_PU=M */
        ck_assert_int_eq(run("%s %s %s %s -o %s/m.c", gsc, var->gsc_flags, c->model, c->defines, dir), 0);
        if (var->calls) {
            quiet = true;
            int rc = run("grep -q '%s(' %s/m.c", var->calls, dir);
            quiet = false;
            if (rc != 0)
                continue;
        }
        ck_assert_int_eq(build_program(dir, "m", var->cflags), 0);
        /* the seed's weights, then random ones (through safetensors) */
        ck_assert_int_eq(run("%s/m --input %s --output %s/y.bin", dir, in, dir), 0);
        char y[600];
        snprintf(y, sizeof y, "%s/y.bin", dir);
        compare(arena_name(var->name, "seed weights"), c, y, eval_seed);
        if (!have_rand) {
            ck_assert_int_eq(run("%s/m --random-params %d --save-params %s --input %s --output %s", dir, _i + 1, w, in, y),
                             0);
            ck_assert_int_eq(run("%s --eval %s %s --params %s --input %s -o %s", gsc, c->model, c->defines, w, in,
                                 eval_rand),
                             0);
            have_rand = true;
        } else {
            ck_assert_int_eq(run("%s/m --params %s --input %s --output %s", dir, w, in, y), 0);
        }
        compare(arena_name(var->name, "random weights"), c, y, eval_rand);
    }
}
END_TEST

START_TEST(no_allocation_in_generated_code)
{
    const char *gsc = env_or("GSC", "build/gsc");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/alloc", tmp);
    ck_assert_int_eq(run("mkdir -p %s && %s models/resnet18.gs -o %s/rn18.c", dir, gsc, dir), 0);
    quiet = true;
    ck_assert_int_ne(run("grep -E '\\b(malloc|calloc|realloc|free|static [a-z]+ [a-z_]+ *=)' %s/rn18.c >/dev/null",
                         dir),
                     0);
    quiet = false;
    /* Builds as C99 with both compilers' strictest warnings. */
    ck_assert_int_eq(run("cc -std=c99 -Wall -Wextra -Wpedantic -Werror -Iruntime -c %s/rn18.c -o %s/rn18.o", dir, dir),
                     0);
    if (run("command -v clang >/dev/null") == 0)
        ck_assert_int_eq(
            run("clang -std=c99 -Wall -Wextra -Wpedantic -Werror -Iruntime -c %s/rn18.c -o %s/rn18c.o", dir, dir), 0);
}
END_TEST

START_TEST(generated_dir_is_fresh)
{
    const char *gsc = env_or("GSC", "build/gsc");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/fresh", tmp);
    ck_assert_int_eq(run("mkdir -p %s && %s models/resnet18.gs -o %s/rn18.c", dir, gsc, dir), 0);
    ck_assert_msg(run("cmp -s %s/rn18.c generated/rn18.c && cmp -s %s/rn18.h generated/rn18.h", dir, dir) == 0,
                  "generated/rn18.c or .h is stale: run 'make generated'");
}
END_TEST

START_TEST(golden_emitted_c)
{
    const char *gsc = env_or("GSC", "build/gsc");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/golden", tmp);
    ck_assert_int_eq(run("mkdir -p %s && %s tests/codegen/small.gs -o %s/small.c", dir, gsc, dir), 0);
    ck_assert_msg(run("diff -u tests/codegen/small.c %s/small.c && diff -u tests/codegen/small.h %s/small.h", dir,
                      dir) == 0,
                  "emitted C for tests/codegen/small.gs changed (see the diff; 'make golden' accepts it)");
}
END_TEST

START_TEST(deterministic_output)
{
    const char *gsc = env_or("GSC", "build/gsc");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/det", tmp);
    ck_assert_int_eq(run("mkdir -p %s/a %s/b && cp models/cnn.gs %s/a/ && %s %s/a/cnn.gs -o %s/a/out.c && "
                         "%s models/cnn.gs -o %s/b/out.c",
                         dir, dir, dir, gsc, dir, dir, gsc, dir),
                     0);
    ck_assert_int_eq(run("cmp -s %s/a/out.c %s/b/out.c", dir, dir), 0);
}
END_TEST

/* --embed-weights: the compiled-in weights give the same output as the
 * same weights loaded from the file (out_chain.gs: with the inference
 * batchnorms folded into the convolutions' prepared weights). */
START_TEST(embedded_weights)
{
    static const struct {
        const char *model;
        long input_size;
    } models[] = {{"models/cnn.gs", 28 * 28}, {"tests/codegen/out_chain.gs", 3 * 13 * 10}};
    const char *gsc = env_or("GSC", "build/gsc");
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        char dir[512];
        snprintf(dir, sizeof dir, "%s/embed%zu", tmp, i);
        ck_assert_int_eq(run("mkdir -p %s && %s %s -o %s/m.c", dir, gsc, models[i].model, dir), 0);
        ck_assert_int_eq(build_program(dir, "m", "-O2"), 0);
        char in[600];
        snprintf(in, sizeof in, "%s/x.bin", dir);
        write_input(in, models[i].input_size, 99);
        ck_assert_int_eq(run("%s/m --random-params 5 --save-params %s/w.safetensors --input %s --output %s/y1.bin", dir,
                             dir, in, dir),
                         0);
        ck_assert_int_eq(run("%s --embed-weights %s/w.safetensors %s -o %s/e.c", gsc, dir, models[i].model, dir), 0);
        ck_assert_int_eq(run("grep -q 'M_EMBEDDED_WEIGHTS\\|E_EMBEDDED_WEIGHTS' %s/e.h", dir), 0);
        ck_assert_int_eq(build_program(dir, "e", "-O2 -DGSC_EMBEDDED"), 0);
        ck_assert_int_eq(run("%s/e --input %s --output %s/y2.bin", dir, in, dir), 0);
        ck_assert_int_eq(run("cmp %s/y1.bin %s/y2.bin", dir, dir), 0);
    }
}
END_TEST

/* A failed run never touches an existing output. */
START_TEST(failure_keeps_existing_output)
{
    const char *gsc = env_or("GSC", "build/gsc");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/keep", tmp);
    ck_assert_int_eq(run("mkdir -p %s && echo keep > %s/out.c && echo keep > %s/out.h && echo keep > %s/y.bin", dir,
                         dir, dir, dir),
                     0);
    ck_assert_int_eq(run("sed 's/pad=3/pad=2/' models/resnet18.gs > %s/bad.gs", dir), 0);
    quiet = true;
    ck_assert_int_ne(run("%s %s/bad.gs -o %s/out.c 2>/dev/null", gsc, dir, dir), 0);
    ck_assert_int_ne(run("head -c 700 models/resnet18.gs > %s/trunc.gs && %s %s/trunc.gs -o %s/out.c 2>/dev/null", dir,
                         gsc, dir, dir),
                     0);
    /* a wrong input size for --eval */
    ck_assert_int_ne(run("head -c 100 /dev/zero > %s/x.bin && %s --eval models/mlp.gs --input %s/x.bin -o %s/y.bin "
                         "2>/dev/null",
                         dir, gsc, dir, dir),
                     0);
    quiet = false;
    ck_assert_int_eq(run("test \"$(cat %s/out.c %s/out.h %s/y.bin)\" = \"$(printf 'keep\\nkeep\\nkeep')\"", dir, dir,
                         dir),
                     0);
    ck_assert_int_eq(run("test -z \"$(ls %s | grep tmp)\"", dir), 0); /* no temporary left behind */
}
END_TEST

/* ------------------------------------------------------------ readable generated C */

static bool is_ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Is NAME declared in the forward function as "float *NAME = ws + N;"? */
static bool declared(const char *fwd, const char *name, size_t len)
{
    char pat[256];
    snprintf(pat, sizeof pat, "    float *%.*s = ws + ", (int)len, name);
    return strstr(fwd, pat) != NULL;
}

/* The forward function of a generated file reads like llama2.c: every call
 * names its buffers, which are declared once with a shape comment; a
 * section is never only a comment; no profiling hooks unless asked for. */
static void check_readable_forward(const char *path, const char *fn)
{
    long bytes;
    char *text = slurp(path, &bytes);
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(!strstr(text, "GSC_PROFILE"), "%s has profiling hooks", path);
    char *fwd = strstr(text, fn);
    ck_assert_ptr_nonnull(fwd);
    int calls = 0, sections = 0;
    bool want_call = false;
    for (char *line = fwd; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        ck_assert_msg(len <= 130, "%s: a line of %zu characters: %.60s", path, len, line);
#define HAS(s) (memmem(line, len, (s), strlen(s)) != NULL)
        /* a declaration: float *name = ws + N; and its shape comment */
        if (!strncmp(line, "    float *", 11) && !HAS("float *ws = ")) {
            bool commented = HAS(" = ws + ") && HAS("/* ") && (HAS("[") || HAS("bytes: "));
            ck_assert_msg(commented, "%s: a buffer without a shape comment: %.*s", path, (int)len, line);
            continue;
        }
        if (!strncmp(line, "    /* ", 7) && HAS(".gs:") && HAS("): ")) {
            ck_assert_msg(!want_call, "%s: a section with no call before: %.*s", path, (int)len, line);
            want_call = true;
            sections++;
            continue;
        }
        if (!strncmp(line, "    gsc_", 8) || !strncmp(line, "    memcpy(", 11)) {
            want_call = false;
            calls++;
            /* every identifier argument is a declared buffer, input, output, NULL, a flag or a named
             * prepared offset or geometry */
            const char *a = strchr(line, '(') + 1;
            for (;;) {
                while (*a == ' ' || *a == '\n')
                    a++;
                if (*a == ')' || !*a)
                    break;
                const char *b = a;
                int depth = 0;
                while (*b && (depth || (*b != ',' && *b != ')'))) {
                    depth += *b == '(' ? 1 : *b == ')' ? -1 : 0;
                    b++;
                }
                size_t n = (size_t)(b - a);
                bool ok = (*a >= '0' && *a <= '9') || !strncmp(a, "NULL", 4) || !strncmp(a, "GSC_FAST_", 9) ||
                          !strncmp(a, "prepared + ", 11) || *a == '&' || !strncmp(a, "input", 5) ||
                          !strncmp(a, "output", 6);
                if (!ok) {
                    size_t id = 0;
                    while (id < n && is_ident_char(a[id]))
                        id++;
                    ok = declared(fwd, a, id);
                }
                ck_assert_msg(ok, "%s: argument '%.*s' is not a named buffer", path, (int)n, a);
                ck_assert_msg(!memmem(a, n, "ws +", 4), "%s: a bare workspace offset: %.*s", path, (int)n, a);
                if (*b != ',')
                    break;
                a = b + 1;
            }
        }
        if (!strncmp(line, "}", 1))
            break;
#undef HAS
    }
    ck_assert_msg(!want_call, "%s: the last section has no call", path);
    ck_assert_int_gt(calls, 0);
    ck_assert_int_gt(sections, 0);
    free(text);
}

/* A model without parameters: no zero-size arrays, no unused arguments. */
START_TEST(parameterless_model)
{
    const char *gsc = env_or("GSC", "build/gsc");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/noparams", tmp);
    ck_assert_int_eq(run("mkdir -p %s && printf 'model m(x: [2, 4, 4]) -> [2, 2, 2] {\\n"
                         "    return maxpool2d(relu(x), k=2, stride=2)\\n}\\n' > %s/m.gs",
                         dir, dir),
                     0);
    for (int ref = 0; ref < 2; ref++) {
        ck_assert_int_eq(run("%s %s %s/m.gs -o %s/m.c", gsc, ref ? "--kernels=reference" : "", dir, dir), 0);
        ck_assert_int_eq(run("cc -std=c99 -Wall -Wextra -Wpedantic -Werror -Iruntime -c %s/m.c -o %s/m.o", dir, dir), 0);
        if (run("command -v clang >/dev/null") == 0)
            ck_assert_int_eq(
                run("clang -std=c99 -Wall -Wextra -Wpedantic -Werror -Iruntime -c %s/m.c -o %s/m.o", dir, dir), 0);
    }
}
END_TEST

START_TEST(readable_generated_code)
{
    const char *gsc = env_or("GSC", "build/gsc");
    check_readable_forward("generated/rn18.c", "void rn18_forward(");
    check_readable_forward("tests/codegen/small.c", "void small_forward(");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/readable", tmp);
    ck_assert_int_eq(run("mkdir -p %s && %s --kernels=reference models/resnet18.gs -o %s/ref.c", dir, gsc, dir), 0);
    char path[600];
    snprintf(path, sizeof path, "%s/ref.c", dir);
    check_readable_forward(path, "void ref_forward(");
    /* --profile: one BEGIN/END pair per section, and the file still builds */
    ck_assert_int_eq(run("%s --profile models/resnet18.gs -o %s/prof.c", gsc, dir), 0);
    ck_assert_int_eq(run("test \"$(grep -c 'GSC_PROFILE_BEGIN(' %s/prof.c)\" = \"$(grep -c 'GSC_PROFILE_END(' %s/prof.c)\" && "
                         "test \"$(grep -c 'GSC_PROFILE_BEGIN(' %s/prof.c)\" = "
                         "\"$(grep -cE '^    /\\* .*\\.gs:[0-9]+\\): ' generated/rn18.c)\"",
                         dir, dir, dir),
                     0);
    ck_assert_int_eq(run("cc -std=c99 -Wall -Wextra -Wpedantic -Werror -DGSC_PROFILE -Iruntime -c %s/prof.c -o %s/prof.o",
                         dir, dir),
                     0);
}
END_TEST

/* ------------------------------------------------------------ the training step */

typedef struct {
    const char *model, *defines;
    bool mse;
    int label;
} TrainCase;

static const TrainCase train_cases[] = {
    {"models/mlp.gs", "", false, 3},
    {"models/mlp.gs", "", true, 0},
    {"models/cnn.gs", "", false, 9},
    {"models/cnn.gs", "-D H=13 -D W=9 -D in_c=2", true, 0},
    {"models/residual_mlp.gs", "", false, 1},
    {"tests/codegen/small.gs", "", false, 2}, /* ends in softmax: the loss reads its input */
    {"tests/codegen/small.gs", "", true, 0},  /* the softmax's own backward */
    {"models/resnet18.gs", "-D H=64 -D W=64", false, 7},
    {"tests/codegen/grouped.gs", "", false, 4},
    {"tests/codegen/windows.gs", "", false, 3},
    {"tests/codegen/transposed.gs", "", false, 1},
};

/* P_grad of `gsc --train` against the interpreter's float64 gradients
 * (gsc --eval --grad --precision=f64), per tensor relative to the largest
 * gradient of the tensor (or 1e-3 of the model's largest: conv biases before
 * a batchnorm have gradient 0 in exact arithmetic): at most 2e-4. With the
 * seed's weights, with random ones, and with random ones that the caller
 * wrote into params after a first call (no stale copy). */
/* gsc --eval --grad and --train: bad input is an error with a message, and
 * an existing output is kept. */
START_TEST(grad_cli_errors)
{
    const char *gsc = env_or("GSC", "build/gsc");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/gradcli", tmp);
    ck_assert_int_eq(run("mkdir -p %s && echo keep > %s/g.bin && head -c %d /dev/zero > %s/x.bin", dir, dir, 784 * 4,
                         dir),
                     0);
    quiet = true;
    /* a label past the classes: exit 1, named */
    ck_assert_int_eq(run("%s --eval --grad models/mlp.gs --input %s/x.bin --label 10 -o %s/g.bin 2> %s/err; "
                         "test $? = 1 && grep -q 'out of range' %s/err",
                         gsc, dir, dir, dir, dir),
                     0);
    /* mse without a target, --grad without --eval, --train with --eval: usage errors */
    ck_assert_int_eq(run("%s --eval --grad --loss=mse models/mlp.gs --input %s/x.bin -o %s/g.bin 2>/dev/null; test $? = 2",
                         gsc, dir, dir),
                     0);
    ck_assert_int_eq(run("%s --grad models/mlp.gs -o %s/g.bin 2>/dev/null; test $? = 2", gsc, dir), 0);
    ck_assert_int_eq(run("%s --train --eval models/mlp.gs --input %s/x.bin -o %s/g.bin 2>/dev/null; test $? = 2", gsc,
                         dir, dir),
                     0);
    /* cross-entropy of a model whose output is not a vector */
    ck_assert_int_eq(run("printf 'model m(x: [2, 3, 3]) -> [2, 3, 3] {\\n    return relu(x)\\n}\\n' > %s/m.gs && "
                         "%s --train %s/m.gs -o %s/m.c 2> %s/err; test $? = 1 && grep -q 'm.gs:2:12: error: the "
                         "cross-entropy loss needs a vector' %s/err && test ! -e %s/m.c",
                         dir, gsc, dir, dir, dir, dir, dir),
                     0);
    quiet = false;
    ck_assert_int_eq(run("test \"$(cat %s/g.bin)\" = keep", dir), 0);
    /* and a good call prints the loss and writes safetensors */
    ck_assert_int_eq(run("%s --eval --grad models/mlp.gs --input %s/x.bin --label 3 -o %s/g.safetensors | "
                         "grep -q '^loss [0-9.]* (cross-entropy)$'",
                         gsc, dir, dir),
                     0);
}
END_TEST

START_TEST(grad_matches_interpreter)
{
    const TrainCase *c = &train_cases[_i];
    bool san = getenv("GSC_SANITIZE") != NULL;
    if (san && strstr(c->model, "resnet18"))
        return; /* minutes under the sanitizers; the small models cover the same code */
    const char *gsc = env_or("GSC", "build/gsc");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/train%d", tmp, _i);
    ck_assert_int_eq(run("mkdir -p %s", dir), 0);
    ck_assert_int_eq(run("%s --train %s %s %s -o %s/t.c", gsc, c->mse ? "--loss=mse" : "", c->model, c->defines, dir),
                     0);
    ck_assert_int_eq(build_program(dir, "t", c->mse ? "-O2 -DGSC_TRAIN -DGSC_TRAIN_MSE" : "-O2 -DGSC_TRAIN"), 0);
    const char *loss = c->mse ? "--loss=mse --target" : "--label";
    char lossarg[600];
    if (c->mse)
        snprintf(lossarg, sizeof lossarg, "%s %s/target.bin", loss, dir);
    else
        snprintf(lossarg, sizeof lossarg, "%s %d", loss, c->label);
    /* the seed's weights */
    ck_assert_int_eq(run("%s/t --save-input %s/x.bin --save-target %s/target.bin --save-params %s/w0.safetensors "
                         "--grad %d --output %s/g0.bin",
                         dir, dir, dir, dir, c->label, dir),
                     0);
    ck_assert_int_eq(run("%s --eval --grad --precision=f64 %s %s --params %s/w0.safetensors --input %s/x.bin %s "
                         "-o %s/ref0.bin >/dev/null",
                         gsc, c->model, c->defines, dir, dir, lossarg, dir),
                     0);
    printf("%s %s (%s): seed weights: ", c->model, c->defines, c->mse ? "mse" : "cross-entropy");
    fflush(stdout);
    ck_assert_int_eq(run("%s/t --grad %d --compare %s/ref0.bin", dir, c->label, dir), 0);
    /* the convolution's SIMD and OpenMP paths (gsc_fast_backward.c: the AVX-512 one when this CPU has it,
     * and AVX2+FMA), 2 threads; the -O2 build above is the portable path */
    static const struct {
        const char *cflags, *cpu;
    } simd[] = {{"-O3 -march=native -fopenmp", NULL}, {"-O3 -mavx2 -mfma -fopenmp", " avx2 fma"}};
    for (size_t v = 0; !san && v < sizeof simd / sizeof simd[0]; v++) {
        if (!cpu_has(simd[v].cpu))
            continue;
        char flags[200];
        snprintf(flags, sizeof flags, "%s -DGSC_TRAIN%s", simd[v].cflags, c->mse ? " -DGSC_TRAIN_MSE" : "");
        ck_assert_int_eq(build_program(dir, "t", flags), 0);
        printf("%s %s (%s): seed weights, %s, 2 threads: ", c->model, c->defines, c->mse ? "mse" : "cross-entropy",
               simd[v].cflags);
        fflush(stdout);
        ck_assert_int_eq(run("OMP_NUM_THREADS=2 %s/t --grad %d --compare %s/ref0.bin", dir, c->label, dir), 0);
    }
    /* random weights, written into params after a first call with the seed's */
    ck_assert_int_eq(run("%s/t --random-params 5 --save-params %s/w5.safetensors --grad %d >/dev/null", dir, dir,
                         c->label),
                     0);
    ck_assert_int_eq(run("%s --eval --grad --precision=f64 %s %s --params %s/w5.safetensors --input %s/x.bin %s "
                         "-o %s/ref5.bin >/dev/null",
                         gsc, c->model, c->defines, dir, dir, lossarg, dir),
                     0);
    printf("%s %s (%s): second weights in the same params: ", c->model, c->defines, c->mse ? "mse" : "cross-entropy");
    fflush(stdout);
    ck_assert_int_eq(run("%s/t --second-params 5 --grad %d --compare %s/ref5.bin", dir, c->label, dir), 0);
}
END_TEST

/* ------------------------------------------------------------ the command line's success lines */

/* Success says what happened in one line on stderr, -q silences it; --eval
 * without -o summarises the output on stdout; -o - is stdout where one
 * stream can hold the result. */
START_TEST(success_lines)
{
    const char *gsc = env_or("GSC", "build/gsc");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/say", tmp);
    ck_assert_int_eq(run("mkdir -p %s && head -c %d /dev/zero > %s/x.bin", dir, 784 * 4, dir), 0);
    ck_assert_int_eq(run("%s --check models/mlp.gs 2> %s/err >/dev/null && test \"$(cat %s/err)\" = "
                         "'gsc: models/mlp.gs: 13 shape facts proved for all in_features >= 1, hidden >= 1, "
                         "classes >= 1; 4 parameter tensors, 101770 parameters at in_features=784 hidden=128 classes=10'",
                         gsc, dir, dir),
                     0);
    ck_assert_int_eq(run("%s models/mlp.gs -o %s/m.c 2> %s/err && grep -qx 'gsc: wrote %s/m.c and %s/m.h "
                         "(workspace [0-9]* bytes)' %s/err",
                         gsc, dir, dir, dir, dir, dir),
                     0);
    ck_assert_int_eq(run("%s --eval models/mlp.gs --input %s/x.bin -o %s/y.bin 2> %s/err && "
                         "grep -qx 'gsc: wrote %s/y.bin (10 float32 values, \\[10\\])' %s/err",
                         gsc, dir, dir, dir, dir, dir),
                     0);
    /* -q: nothing on stderr, for each of them */
    ck_assert_int_eq(run("%s -q --check models/mlp.gs 2> %s/err && %s --quiet models/mlp.gs -o %s/m.c 2>> %s/err && "
                         "%s -q --eval models/mlp.gs --input %s/x.bin -o %s/y.bin 2>> %s/err && test ! -s %s/err",
                         gsc, dir, gsc, dir, dir, gsc, dir, dir, dir, dir),
                     0);
    /* --eval without -o: the top 5 of a vector; the shape, min, max and mean of anything else */
    ck_assert_int_eq(run("%s --eval models/mlp.gs --input %s/x.bin > %s/out 2> %s/err && test ! -s %s/err && "
                         "head -1 %s/out | grep -qx 'output \\[10\\]: top 5 (index: value)' && "
                         "test $(grep -c '^ *[0-9]*: ' %s/out) = 5",
                         gsc, dir, dir, dir, dir, dir, dir),
                     0);
    ck_assert_int_eq(run("printf 'model m(x: [2, 3, 3]) -> [2, 3, 3] {\\n    return relu(x)\\n}\\n' > %s/r.gs && "
                         "head -c 72 /dev/zero > %s/z.bin && %s --eval %s/r.gs --input %s/z.bin | "
                         "grep -qx 'output \\[2,3,3\\]: min 0, max 0, mean 0'",
                         dir, dir, gsc, dir, dir),
                     0);
    /* -o -: stdout for --eval and --emit=abi, refused for C (two files) */
    ck_assert_int_eq(run("%s --eval models/mlp.gs --input %s/x.bin -o - 2> %s/err | cmp - %s/y.bin && test ! -s %s/err",
                         gsc, dir, dir, dir, dir),
                     0);
    ck_assert_int_eq(run("%s -q --emit=abi models/mlp.gs -o %s/abi.json && %s --emit=abi models/mlp.gs -o - | "
                         "cmp - %s/abi.json",
                         gsc, dir, gsc, dir),
                     0);
    ck_assert_int_eq(run("%s models/mlp.gs -o - > %s/out 2> %s/err; test $? = 2 && test ! -s %s/out && "
                         "grep -q 'C emission writes two files, NAME.c and NAME.h' %s/err",
                         gsc, dir, dir, dir, dir),
                     0);
}
END_TEST

/* ------------------------------------------------------------ the header's contract with the runtime */

static void write_text_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* NAME.h carries the input and output shapes as macros, declares
 * gsc_fast_isa() for the fast kernels, and stops the build with an #error
 * when gsc_runtime.h is not the version it was generated for. */
START_TEST(header_contract)
{
    const char *gsc = env_or("GSC", "build/gsc");
    char dir[512], path[600];
    snprintf(dir, sizeof dir, "%s/contract", tmp);
    ck_assert_int_eq(run("mkdir -p %s/old && %s -q models/cnn.gs -D H=12 -D W=10 -o %s/m.c", dir, gsc, dir), 0);
    snprintf(path, sizeof path, "%s/use.c", dir);
    write_text_file(path, "#include \"m.h\"\n#include <stdio.h>\n"
                          "int main(void)\n{\n    int in[M_INPUT_RANK] = M_INPUT_SHAPE, out[M_OUTPUT_RANK] = M_OUTPUT_SHAPE;\n"
                          "    printf(\"%d %d %d %d %d %d %d %d %s\\n\", M_INPUT_RANK, in[0], in[1], in[2], M_INPUT_DIM1 * "
                          "M_INPUT_DIM2 * M_INPUT_DIM0 == M_INPUT_SIZE, M_OUTPUT_RANK, out[0], M_OUTPUT_DIM0, gsc_fast_isa());\n"
                          "    return 0;\n}\n");
    ck_assert_int_eq(run("cc -std=c99 -Wall -Wextra -Wpedantic -Werror -I%s -Iruntime -o %s/use %s/use.c %s/m.c "
                         "runtime/gsc_fast.c runtime/gsc_winograd.c runtime/gsc_init.c -lm && %s/use > %s/out && "
                         "grep -qxE '3 1 12 10 1 1 10 10 (avx512|avx2|portable)' %s/out",
                         dir, dir, dir, dir, dir, dir, dir),
                     0);
    /* another runtime version: a clear #error, not a link failure */
    ck_assert_int_eq(run("sed 's/^#define GSC_RUNTIME_VERSION_NUM .*/#define GSC_RUNTIME_VERSION_NUM 99999/' "
                         "runtime/gsc_runtime.h > %s/old/gsc_runtime.h && cp runtime/gsc_fast.h %s/old/",
                         dir, dir),
                     0);
    ck_assert_int_eq(run("cc -std=c99 -I%s -I%s/old -c %s/use.c -o %s/use.o 2> %s/err; test $? != 0 && "
                         "grep -q 'error: .*m.h was generated for the gsc runtime .*gsc_runtime.h is another version' %s/err",
                         dir, dir, dir, dir, dir, dir),
                     0);
    ck_assert_int_eq(run("grep -q 'gsc_st_load_params(&f, m_tensors, M_NUM_TENSORS, params' %s/m.h && "
                         "grep -q 'output must not overlap input' %s/m.h",
                         dir, dir),
                     0);
}
END_TEST

int main(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/gsc-codegen-XXXXXX");
    if (!mkdtemp(tmp))
        return 2;
    Suite *s = suite_create("code generation");
    TCase *tc = tcase_create("differential");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, generated_matches_interpreter, 0, (int)(sizeof cases / sizeof cases[0]));
    suite_add_tcase(s, tc);
    TCase *t2 = tcase_create("emitted code");
    tcase_set_timeout(t2, 600); /* each test builds programs: minutes on a slow or loaded machine */
    tcase_add_test(t2, no_allocation_in_generated_code);
    tcase_add_test(t2, generated_dir_is_fresh);
    tcase_add_test(t2, golden_emitted_c);
    tcase_add_test(t2, deterministic_output);
    tcase_add_test(t2, failure_keeps_existing_output);
    tcase_add_test(t2, embedded_weights);
    tcase_add_test(t2, readable_generated_code);
    tcase_add_test(t2, parameterless_model);
    TCase *t3 = tcase_create("training step");
    tcase_set_timeout(t3, 300);
    tcase_add_test(t3, grad_cli_errors);
    tcase_add_loop_test(t3, grad_matches_interpreter, 0, (int)(sizeof train_cases / sizeof train_cases[0]));
    suite_add_tcase(s, t3);
    suite_add_tcase(s, t2);
    TCase *t4 = tcase_create("command line");
    tcase_set_timeout(t4, 120);
    tcase_add_test(t4, success_lines);
    tcase_add_test(t4, header_contract);
    suite_add_tcase(s, t4);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    run("rm -rf %s", tmp);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
