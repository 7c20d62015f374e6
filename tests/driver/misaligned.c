/*
 * misaligned.c - a generated model's C API on buffers that are only
 * float-aligned (`make test-align`).
 *
 * Built against any generated NAME.c/NAME.h, like model_main.c:
 *   cc -DGSC_HEADER='"rn18.h"' -DGSC_P=rn18 -DGSC_PU=RN18 misaligned.c rn18.c runtime/gsc_init.c ... -lm
 *
 *   misaligned [K...]     (K: run only case K of the list below, 1-based)
 *
 * First P_init, P_prepare and P_forward with every buffer (params, prepared,
 * input, output, workspace) 64-byte aligned (posix_memalign): the reference.
 * Then the same again for each case below, the buffers it names taken from
 * plain malloc plus an offset of a few bytes (float-aligned, never 16-byte
 * aligned with glibc's 16-byte aligned malloc), the others 64-byte aligned.
 * The kernels' arithmetic does not depend on addresses, so the prepared
 * weights and the outputs must be identical to the reference bit for bit.
 * Prepared, workspace and output start as all-ones bytes (NaN) in every run,
 * so a read of memory nothing wrote shows as a non-finite output.
 *
 * Prints one line per case and "N passed, M failed"; exits 1 on a failure.
 * A case that crashes (the SIGSEGV of an aligned load on an unaligned
 * address) prints its FAIL line and the count so far from a signal handler.
 */
#define _POSIX_C_SOURCE 200809L
#include GSC_HEADER
#include "gsc_fast.h"

#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(GSC_P, name)
#define MAC(name) CAT(GSC_PU, name)
#define STR_(x) #x
#define STR(x) STR_(x)

/* The buffers, as bits of a case's mask. */
enum { B_PARAMS = 1, B_PREPARED = 2, B_INPUT = 4, B_OUTPUT = 8, B_WS = 16, B_ALL = 31 };
static const char *const buf_names[] = {"params", "prepared", "input", "output", "workspace"};

typedef struct {
    unsigned mask; /* buffers misaligned */
    int offset;    /* bytes added to malloc's pointer */
} Case;

static const Case cases[] = {
    {B_INPUT, 4},  {B_OUTPUT, 4}, {B_PREPARED, 4}, {B_WS, 4},   {B_PARAMS, 4},
    {B_ALL, 4},    {B_ALL, 8},    {B_ALL, 12},     {B_ALL, 36},
};

/* What the signal handler writes: prepared before each run. */
static char crash_msg[512];

static void on_crash(int sig)
{
    ssize_t w = write(1, crash_msg, strlen(crash_msg));
    (void)w;
    (void)sig;
    _exit(1);
}

static void set_crash_msg(const char *what, int passed, int failed)
{
    snprintf(crash_msg, sizeof crash_msg,
             "  %-40s FAIL: crashed (SIGSEGV or SIGBUS)\n%d passed, %d failed (the cases after it did not run)\n",
             what, passed, failed + 1);
}

/* One buffer: `base` to free, `p` to use. */
typedef struct {
    void *base;
    char *p;
} Buf;

static Buf buf_alloc(size_t bytes, int misalign, int offset)
{
    Buf b;
    if (misalign) {
        b.base = malloc(bytes + 64);
        b.p = b.base ? (char *)b.base + offset : NULL;
    } else {
        b.base = NULL;
        if (posix_memalign(&b.base, 64, bytes ? bytes : 64) != 0)
            b.base = NULL;
        b.p = b.base;
    }
    if (!b.base) {
        fprintf(stderr, "misaligned: out of memory\n");
        exit(2);
    }
    return b;
}

/* The outcome of one run: its prepared weights and outputs. */
typedef struct {
    Buf bufs[5]; /* indexed like buf_names */
} Run;

static float *fbuf(Run *r, int i) { return (float *)(void *)r->bufs[i].p; }

static void run_model(Run *r, unsigned mask, int offset)
{
    static const size_t sizes[5] = {
        sizeof(float) * (size_t)MAC(_NUM_PARAMS), sizeof(float) * (size_t)MAC(_PREPARED_SIZE),
        sizeof(float) * (size_t)MAC(_INPUT_SIZE), sizeof(float) * (size_t)MAC(_OUTPUT_SIZE),
        (size_t)MAC(_WORKSPACE_BYTES)};
    int i;
    long k;
    for (i = 0; i < 5; i++)
        r->bufs[i] = buf_alloc(sizes[i], (mask >> i) & 1u, offset);
    memset(r->bufs[1].p, 0xff, sizes[1]);
    memset(r->bufs[3].p, 0xff, sizes[3]);
    memset(r->bufs[4].p, 0xff, sizes[4]);
    for (k = 0; k < MAC(_INPUT_SIZE); k++) /* model_main.c's deterministic input */
        fbuf(r, 2)[k] = (float)((k * 7919 % 2001) / 1000.0 - 1.0);
    FN(_init)(fbuf(r, 0));
    FN(_prepare)(fbuf(r, 0), fbuf(r, 1));
    FN(_forward)(fbuf(r, 1), fbuf(r, 2), fbuf(r, 3), r->bufs[4].p);
}

static void run_free(Run *r)
{
    int i;
    for (i = 0; i < 5; i++)
        free(r->bufs[i].base);
}

/* Floats of a and b whose bits differ; the first one's index in *first. */
static long count_diff(const float *a, const float *b, long n, long *first)
{
    long i, d = 0;
    *first = -1;
    for (i = 0; i < n; i++)
        if (memcmp(&a[i], &b[i], sizeof(float)) != 0) {
            if (d++ == 0)
                *first = i;
        }
    return d;
}

/* "input +4", "all five +8": the case's name before its addresses are known. */
static void case_name(const Case *cs, char *s, size_t n)
{
    int b;
    if (cs->mask == B_ALL) {
        snprintf(s, n, "all five +%d", cs->offset);
        return;
    }
    for (b = 0; b < 4 && !((cs->mask >> b) & 1u); b++)
        ;
    snprintf(s, n, "%s +%d", buf_names[b], cs->offset);
}

int main(int argc, char **argv)
{
    Run ref;
    long i, nonfinite = 0;
    int c, passed = 0, failed = 0;
    const int ncases = (int)(sizeof cases / sizeof cases[0]);
    int only[sizeof cases / sizeof cases[0]], a;

    setvbuf(stdout, NULL, _IOLBF, 0);
    for (c = 0; c < ncases; c++)
        only[c] = argc < 2;
    for (a = 1; a < argc; a++) {
        char *end;
        long k = strtol(argv[a], &end, 10);
        if (*end || k < 1 || k > ncases) {
            fprintf(stderr, "usage: %s [K...] (K a case number, 1 to %d)\n", argv[0], ncases);
            return 2;
        }
        only[k - 1] = 1;
    }
    signal(SIGSEGV, on_crash);
    signal(SIGBUS, on_crash);

    printf("misaligned buffers: model %s, kernels %s; outputs (%d floats) and prepared weights (%ld floats)\n"
           "compared bit for bit with the run on 64-byte aligned buffers\n",
           STR(GSC_P), gsc_fast_isa(), MAC(_OUTPUT_SIZE), (long)MAC(_PREPARED_SIZE));
    set_crash_msg("all 64-byte aligned (the reference)", 0, 0);
    run_model(&ref, 0, 0);
    for (i = 0; i < MAC(_OUTPUT_SIZE); i++)
        nonfinite += !isfinite(fbuf(&ref, 3)[i]);
    if (nonfinite) {
        printf("  %-40s FAIL: %ld of %d outputs not finite\n", "all 64-byte aligned (the reference)", nonfinite,
               MAC(_OUTPUT_SIZE));
        failed++;
    } else {
        printf("  %-40s ok (reference)\n", "all 64-byte aligned");
        passed++;
    }

    for (c = 0; c < ncases; c++) {
        const Case *cs = &cases[c];
        char what[128];
        int n = 0, b;
        long dout, dprep, fo, fp;
        Run r;
        if (!only[c])
            continue;
        case_name(cs, what, sizeof what);
        set_crash_msg(what, passed, failed);
        run_model(&r, cs->mask, cs->offset);
        /* the addresses (mod 64) of the misaligned buffers */
        n = (int)strlen(what);
        n += snprintf(what + n, sizeof what - (size_t)n, " (addr %% 64:");
        for (b = 0; b < 5; b++)
            if ((cs->mask >> b) & 1u)
                n += snprintf(what + n, sizeof what - (size_t)n, " %d", (int)((uintptr_t)r.bufs[b].p % 64));
        snprintf(what + n, sizeof what - (size_t)n, ")");
        dprep = count_diff(fbuf(&r, 1), fbuf(&ref, 1), MAC(_PREPARED_SIZE), &fp);
        dout = count_diff(fbuf(&r, 3), fbuf(&ref, 3), MAC(_OUTPUT_SIZE), &fo);
        if (dout == 0 && dprep == 0) {
            printf("  %-40s ok: identical\n", what);
            passed++;
        } else {
            printf("  %-40s FAIL:", what);
            if (dprep)
                printf(" %ld prepared floats differ (first [%ld]: %.9g, aligned %.9g);", dprep, fp,
                       fbuf(&r, 1)[fp], fbuf(&ref, 1)[fp]);
            if (dout)
                printf(" %ld outputs differ (first [%ld]: %.9g, aligned %.9g)", dout, fo, fbuf(&r, 3)[fo],
                       fbuf(&ref, 3)[fo]);
            printf("\n");
            failed++;
        }
        run_free(&r);
    }
    run_free(&ref);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
