/* bench/bench_util.h - what the benchmark drivers share: a monotonic clock,
 * 64-byte aligned zeroed allocation, median and minimum of a run, the thread
 * count, a --threads list, and the GSC_PROFILE hooks that generated C built
 * with -DGSC_PROFILE calls around each section.
 *
 * The includer defines BENCH_NAME (the program's name in messages) and, for
 * the hooks, MAX_SECTIONS. Everything is static inline: a driver uses what
 * it needs. */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#ifndef BENCH_NAME
#error "define BENCH_NAME before including bench_util.h"
#endif

static inline double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* n zeroed bytes, 64-byte aligned; exits with status 2 when out of memory. */
static inline void *xalloc(size_t n)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, n ? n : 64) != 0) {
        fprintf(stderr, BENCH_NAME ": out of memory\n");
        exit(2);
    }
    memset(p, 0, n ? n : 64);
    return p;
}

static inline int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of t[n] (sorts a copy). */
static inline double median(const double *t, int n)
{
    double *s = xalloc(sizeof(double) * (size_t)n), m;
    memcpy(s, t, sizeof(double) * (size_t)n);
    qsort(s, (size_t)n, sizeof(double), cmp_double);
    m = n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    free(s);
    return m;
}

static inline double minimum(const double *t, int n)
{
    double m = t[0];
    int i;
    for (i = 1; i < n; i++)
        if (t[i] < m)
            m = t[i];
    return m;
}

static inline void set_threads(int t)
{
#ifdef _OPENMP
    omp_set_num_threads(t);
#else
    (void)t;
#endif
}

/* "1,2" into th[] (at most max entries, each 1 to 256): the count, or -1. */
static inline int parse_threads(const char *s, int *th, int max)
{
    int n = 0;
    while (*s && n < max) {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || v < 1 || v > 256 || (*end && *end != ','))
            return -1;
        th[n++] = (int)v;
        s = *end == ',' ? end + 1 : end;
    }
    return n;
}

/*
 * The --serve line protocol of bench.c and zoo_bench.c (for bench/peers.py
 * and bench/zoo.py), one command per stdin line, one reply line each:
 *   run T W N   T threads, W untimed runs, N timed runs: the N times in ms
 *   out PATH    writes the last output (n float32) to PATH: "ok"
 *   quit
 * forward(ctx) runs one forward pass and returns its ms. 0, or 2 on an error.
 */
static inline int serve_commands(double (*forward)(void *), void *ctx, const float *output, size_t n)
{
    char line[4096];
    while (fgets(line, sizeof line, stdin)) {
        int t, w, k, i;
        char path[4000];
        if (sscanf(line, "run %d %d %d", &t, &w, &k) == 3) {
            set_threads(t);
            for (i = 0; i < w; i++)
                forward(ctx);
            for (i = 0; i < k; i++)
                printf("%s%.4f", i ? " " : "", forward(ctx));
            printf("\n");
        } else if (sscanf(line, "out %3999s", path) == 1) {
            FILE *o = fopen(path, "wb");
            if (!o || fwrite(output, sizeof(float), n, o) != n) {
                fprintf(stderr, BENCH_NAME ": cannot write %s\n", path);
                return 2;
            }
            fclose(o);
            printf("ok\n");
        } else if (strncmp(line, "quit", 4) == 0) {
            break;
        } else {
            fprintf(stderr, BENCH_NAME ": unknown command: %s", line);
            return 2;
        }
        fflush(stdout);
    }
    return 0;
}

#ifdef GSC_PROFILE
/* Seconds per section, summed over the timed runs; prof_reset clears them. */
static double prof_t0[MAX_SECTIONS];
static double prof_acc[MAX_SECTIONS];
static const char *prof_name[MAX_SECTIONS];
static int prof_nsec;

void gsc_profile_begin(int section)
{
    if (section >= 0 && section < MAX_SECTIONS)
        prof_t0[section] = now();
}

void gsc_profile_end(int section, const char *name)
{
    if (section >= 0 && section < MAX_SECTIONS) {
        prof_acc[section] += now() - prof_t0[section];
        prof_name[section] = name;
        if (section + 1 > prof_nsec)
            prof_nsec = section + 1;
    }
}

static inline void prof_reset(void)
{
    memset(prof_acc, 0, sizeof prof_acc);
}
#endif

#endif
