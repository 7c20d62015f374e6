/*
 * train.c - trains a GraphSpec model on Fashion-MNIST with the C that
 * `gsc --train` generates: P_grad (forward, cross-entropy and backward of one
 * example) in mini-batches, AdamW from runtime/gsc_train.h, a checkpoint per
 * epoch, and the test accuracy with P_forward.
 *
 *   gsc --train models/fashion.gs -o fashion.c
 *   cc -O3 -march=native -fopenmp -I. -Iruntime train.c fashion.c runtime/gsc_*.c -lm
 *   ./train --data DIR [--epochs 5] [--batch 32] [--lr 3e-3] [--wd 1e-2]
 *           [--seed 1] [--limit N] [--checkpoint CK.safetensors] [--resume CK.safetensors]
 *           [--steps K] [--dump-params P.bin]
 *
 * DIR holds the four IDX files of Fashion-MNIST, uncompressed (Debian's
 * dataset-fashion-mnist ships them gzipped in /usr/share/datasets/
 * fashion-mnist; `make train` unpacks them). Pixels are scaled to [0, 1].
 * The learning rate decays linearly to 0 over the run. Each epoch visits the
 * training images in an order drawn from --seed and the epoch alone, so a
 * run resumed from the checkpoint of epoch k continues exactly as if it had
 * never stopped. Threads (OpenMP, OMP_NUM_THREADS) split each mini-batch,
 * each with its own gradients and workspace; their gradients are added in
 * thread order, so a run is reproducible for a given thread count.
 *
 * --steps K stops after K optimiser steps in all and prints each step's mean
 * loss; --dump-params writes the parameters at the end as raw float32 in the
 * layout of P_tensors. tools/train_torch.py takes the same options: make
 * test-train-torch compares the two runs step for step.
 *
 * Built with -DGSC_P=... -DGSC_PU=... -DGSC_HEADER=... for another model
 * (default: fashion); it must take a [1, 28, 28] input and give 10 outputs.
 */
#define _POSIX_C_SOURCE 200809L
#include GSC_HEADER

#include "gsc_train.h"

#include <errno.h>
#include <stdbool.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(GSC_P, name)
#define MAC(name) CAT(GSC_PU, name)

#if MAC(_INPUT_SIZE) != 28 * 28 || MAC(_OUTPUT_SIZE) != 10
#error "the model must map a [1, 28, 28] image to 10 class scores"
#endif

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void *xalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "train: error: out of memory (%zu bytes)\n", n);
        exit(1);
    }
    return p;
}

/* ------------------------------------------------------------ the data */

typedef struct {
    float *images; /* [n][784], in [0, 1] */
    unsigned char *labels;
    long n;
} Set;

static unsigned long be32(const unsigned char *p)
{
    return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

/* A whole IDX file, checked: its magic number (unsigned bytes, rank dims),
 * its dimensions and its exact size. NULL (reported) on any problem. */
static unsigned char *read_idx(const char *path, int dims, const unsigned long *want, unsigned long *count)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "train: error: cannot read '%s': %s\n", path, strerror(errno));
        return NULL;
    }
    unsigned char head[16];
    size_t hlen = 4 + 4 * (size_t)dims;
    if (fread(head, 1, hlen, f) != hlen) {
        fprintf(stderr, "%s: error: too short for an IDX header\n", path);
        fclose(f);
        return NULL;
    }
    if (head[0] || head[1] || head[2] != 0x08 || head[3] != dims) {
        fprintf(stderr, "%s: error: not an IDX file of unsigned bytes with %d dimensions (magic %02x%02x%02x%02x)\n",
                path, dims, head[0], head[1], head[2], head[3]);
        fclose(f);
        return NULL;
    }
    unsigned long n = be32(head + 4), cell = 1;
    for (int d = 1; d < dims; d++) {
        if (be32(head + 4 + 4 * d) != want[d - 1]) {
            fprintf(stderr, "%s: error: dimension %d is %lu, not %lu\n", path, d + 1, be32(head + 4 + 4 * d),
                    want[d - 1]);
            fclose(f);
            return NULL;
        }
        cell *= want[d - 1];
    }
    unsigned char *data = xalloc(n * cell + 1);
    size_t got = fread(data, 1, n * cell + 1, f);
    fclose(f);
    if (got != n * cell) {
        fprintf(stderr, "%s: error: %s: the header says %lu items of %lu bytes\n", path,
                got < n * cell ? "truncated" : "bytes after the data", n, cell);
        free(data);
        return NULL;
    }
    *count = n;
    return data;
}

static int load_set(const char *dir, const char *prefix, Set *s)
{
    char ip[4096], lp[4096];
    snprintf(ip, sizeof ip, "%s/%s-images-idx3-ubyte", dir, prefix);
    snprintf(lp, sizeof lp, "%s/%s-labels-idx1-ubyte", dir, prefix);
    static const unsigned long img_dims[2] = {28, 28};
    unsigned long ni, nl;
    unsigned char *pix = read_idx(ip, 3, img_dims, &ni);
    unsigned char *lab = pix ? read_idx(lp, 1, NULL, &nl) : NULL;
    if (!lab)
        return free(pix), -1;
    if (ni != nl) {
        fprintf(stderr, "%s: error: %lu labels for %lu images in %s\n", lp, nl, ni, ip);
        return free(pix), free(lab), -1;
    }
    for (unsigned long i = 0; i < nl; i++)
        if (lab[i] > 9) {
            fprintf(stderr, "%s: error: label %u of image %lu is not a class 0..9\n", lp, lab[i], i);
            return free(pix), free(lab), -1;
        }
    s->n = (long)ni;
    s->labels = lab;
    s->images = xalloc(sizeof(float) * 784 * ni);
    for (unsigned long i = 0; i < 784 * ni; i++)
        s->images[i] = pix[i] / 255.0f;
    free(pix);
    return 0;
}

/* ------------------------------------------------------------ training */

/* The order of epoch e: a Fisher-Yates shuffle from an LCG seeded by
 * (seed, e) alone. */
static void epoch_order(long *idx, long n, unsigned seed, int epoch)
{
    uint64_t s = (uint64_t)seed * 6364136223846793005ull + (uint64_t)epoch * 1442695040888963407ull + 1;
    for (long i = 0; i < n; i++)
        idx[i] = i;
    for (long i = n - 1; i > 0; i--) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        long j = (long)((s >> 33) % (uint64_t)(i + 1));
        long t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}

/* The share of test images classified right, with the fast forward pass.
 * Threads take whole images (each its own workspace; the kernels' own
 * OpenMP loops then run on one thread, as nested regions do by default):
 * no barrier per kernel call. */
static double accuracy(const float *params, const Set *s, float *prepared, char *ws, int threads)
{
    long right = 0, i;
    FN(_prepare)(params, prepared);
#ifdef _OPENMP
#pragma omp parallel for schedule(static) reduction(+ : right) num_threads(threads)
#endif
    for (i = 0; i < s->n; i++) {
        float y[10];
        int t = 0, best = 0;
#ifdef _OPENMP
        t = omp_get_thread_num();
#endif
        FN(_forward)(prepared, s->images + 784 * i, y, ws + (size_t)t * MAC(_WORKSPACE_BYTES));
        for (int c = 1; c < 10; c++)
            best = y[c] > y[best] ? c : best;
        right += best == s->labels[i];
    }
    (void)threads;
    return s->n ? (double)right / (double)s->n : 0.0;
}

/* The parameters as raw float32 (host order), through "<path>.tmp" and a
 * rename, so that an existing file is never left half-written. */
static int dump_params(const char *path, const float *params)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    int bad = !f || fwrite(params, sizeof(float), MAC(_NUM_PARAMS), f) != (size_t)MAC(_NUM_PARAMS);
    if ((f && fclose(f)) || bad || rename(tmp, path)) {
        fprintf(stderr, "train: error: cannot write '%s': %s\n", path, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

typedef struct {
    const char *data, *checkpoint, *resume, *dump;
    int epochs, batch;
    double lr, wd;
    unsigned seed;
    long limit, steps;
} Options;

static void usage(void)
{
    fprintf(stderr, "usage: train --data DIR [--epochs N] [--batch B] [--lr LR] [--wd WD] [--seed S] [--limit N]\n"
                    "             [--checkpoint CK.safetensors] [--resume CK.safetensors] [--steps K]\n"
                    "             [--dump-params P.bin]\n");
    exit(2);
}

static void parse(int argc, char **argv, Options *o)
{
    *o = (Options){NULL, NULL, NULL, NULL, 5, 32, 3e-3, 1e-2, 1, 0, 0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            usage();
        i++;
        if (!strcmp(a, "--data"))
            o->data = v;
        else if (!strcmp(a, "--epochs"))
            o->epochs = atoi(v);
        else if (!strcmp(a, "--batch"))
            o->batch = atoi(v);
        else if (!strcmp(a, "--lr"))
            o->lr = atof(v);
        else if (!strcmp(a, "--wd"))
            o->wd = atof(v);
        else if (!strcmp(a, "--seed"))
            o->seed = (unsigned)atol(v);
        else if (!strcmp(a, "--limit"))
            o->limit = atol(v);
        else if (!strcmp(a, "--checkpoint"))
            o->checkpoint = v;
        else if (!strcmp(a, "--resume"))
            o->resume = v;
        else if (!strcmp(a, "--steps") && atol(v) > 0)
            o->steps = atol(v);
        else if (!strcmp(a, "--dump-params"))
            o->dump = v;
        else
            usage();
    }
    if (!o->data || o->epochs < 1 || o->batch < 1 || !(o->lr > 0) || o->wd < 0)
        usage();
}

int main(int argc, char **argv)
{
    Options o;
    parse(argc, argv, &o);
    Set train, test;
    if (load_set(o.data, "train", &train) || load_set(o.data, "t10k", &test))
        return 1;
    if (o.limit > 0 && o.limit < train.n)
        train.n = o.limit;
    int threads = 1;
#ifdef _OPENMP
    threads = omp_get_max_threads();
#endif
    long steps_per_epoch = (train.n + o.batch - 1) / o.batch, total = steps_per_epoch * o.epochs;
    float *params = xalloc(sizeof(float) * MAC(_NUM_PARAMS));
    float *grads = xalloc(sizeof(float) * MAC(_NUM_PARAMS) * (size_t)threads);
    char *tws = xalloc((size_t)MAC(_TRAIN_WORKSPACE_BYTES) * (size_t)threads);
    float *prepared = xalloc(sizeof(float) * (MAC(_PREPARED_SIZE) + 1));
    char *fws = xalloc((size_t)MAC(_WORKSPACE_BYTES) * (size_t)threads);
    long *order = xalloc(sizeof(long) * (size_t)train.n);
    GscOptConfig cfg = gsc_adamw_defaults();
    cfg.lr = o.lr;
    cfg.weight_decay = o.wd;
    GscOptState st;
    float *state = xalloc(sizeof(float) * (size_t)(gsc_opt_state_floats(&cfg, MAC(_NUM_PARAMS)) + 1));
    gsc_opt_state_init(&st, &cfg, state, MAC(_NUM_PARAMS));
    char err[1024];
    FN(_init)(params);
    if (o.resume) {
        if (gsc_ckpt_load(o.resume, FN(_tensors), MAC(_NUM_TENSORS), params, &cfg, &st, err, sizeof err)) {
            fprintf(stderr, "train: error: %s\n", err);
            return 1;
        }
        if (st.step % steps_per_epoch) {
            fprintf(stderr, "train: error: %s is at step %lld, not at the end of an epoch of %ld steps\n", o.resume,
                    (long long)st.step, steps_per_epoch);
            return 1;
        }
        cfg.lr = o.lr; /* the schedule below sets it per step */
    }
    printf("training %s (%d parameters) on %ld Fashion-MNIST images, %d epochs of %ld steps, batch %d, "
           "AdamW lr %g (linear decay) wd %g, %d thread%s\n",
           GSC_HEADER, MAC(_NUM_PARAMS), train.n, o.epochs, steps_per_epoch, o.batch, o.lr, o.wd, threads,
           threads == 1 ? "" : "s");
    bool tty = isatty(1);
    double t0 = now();
    for (int epoch = (int)(st.step / steps_per_epoch); epoch < o.epochs; epoch++) {
        double te = now(), shown = 0, loss_sum = 0;
        long seen = 0;
        epoch_order(order, train.n, o.seed, epoch);
        for (long s = 0; s < steps_per_epoch; s++) {
            long first = s * o.batch, n = train.n - first < o.batch ? train.n - first : o.batch;
            double loss = 0;
            memset(grads, 0, sizeof(float) * MAC(_NUM_PARAMS) * (size_t)threads);
#ifdef _OPENMP
#pragma omp parallel for schedule(static) reduction(+ : loss)
#endif
            for (long b = 0; b < n; b++) {
                int t = 0;
#ifdef _OPENMP
                t = omp_get_thread_num();
#endif
                long i = order[first + b];
                loss += FN(_grad)(params, train.images + 784 * i, train.labels[i], grads + (size_t)t * MAC(_NUM_PARAMS),
                                  tws + (size_t)t * MAC(_TRAIN_WORKSPACE_BYTES));
            }
            for (int t = 1; t < threads; t++)
                for (long k = 0; k < MAC(_NUM_PARAMS); k++)
                    grads[k] += grads[(size_t)t * MAC(_NUM_PARAMS) + k];
            for (long k = 0; k < MAC(_NUM_PARAMS); k++) /* the mean over the batch */
                grads[k] /= (float)n;
            cfg.lr = o.lr * (1.0 - (double)st.step / (double)total);
            gsc_opt_step(&cfg, &st, params, grads, MAC(_NUM_PARAMS));
            loss_sum += loss;
            seen += n;
            if (o.steps)
                printf("step %lld: loss %.9g\n", (long long)st.step, loss / (double)n);
            double el = now() - te;
            if ((tty && el - shown > 0.5) || s + 1 == steps_per_epoch || (!tty && (s + 1) % (steps_per_epoch / 4 + 1) == 0)) {
                printf("%sepoch %d/%d  step %ld/%ld  loss %.4f  %.0f images/s  %.1f s", tty ? "\r\033[K" : "",
                       epoch + 1, o.epochs, s + 1, steps_per_epoch, loss_sum / (double)seen, (double)seen / el,
                       now() - t0);
                if (!tty)
                    putchar('\n');
                fflush(stdout);
                shown = el;
            }
            if (o.steps && st.step >= o.steps)
                break;
        }
        double train_s = now() - te;
        if (o.steps && st.step >= o.steps) {
            printf("stopped after %lld steps (--steps), in epoch %d\n", (long long)st.step, epoch + 1);
            break;
        }
        double acc = accuracy(params, &test, prepared, fws, threads);
        printf("%sepoch %d/%d: loss %.4f, test accuracy %.2f%% (%ld images), %.1f s training (%.0f images/s)\n",
               tty ? "\r\033[K" : "", epoch + 1, o.epochs, loss_sum / (double)seen, 100 * acc, test.n, train_s,
               (double)seen / train_s);
        if (o.checkpoint) {
            if (gsc_ckpt_save(o.checkpoint, FN(_tensors), MAC(_NUM_TENSORS), params, &cfg, &st, err, sizeof err)) {
                fprintf(stderr, "train: error: %s\n", err);
                return 1;
            }
            printf("  checkpoint: %s (step %lld)\n", o.checkpoint, (long long)st.step);
        }
        fflush(stdout);
    }
    if (o.dump) {
        if (dump_params(o.dump, params))
            return 1;
        printf("parameters: %s (%d floats, raw float32)\n", o.dump, MAC(_NUM_PARAMS));
    }
    if (!o.steps || st.step < o.steps) {
        double acc = accuracy(params, &test, prepared, fws, threads);
        printf("test accuracy %.2f%% after %d epochs, %.1f s in all\n", 100 * acc, o.epochs, now() - t0);
    }
    free(params);
    free(grads);
    free(tws);
    free(prepared);
    free(fws);
    free(order);
    free(state);
    free(train.images);
    free(train.labels);
    free(test.images);
    free(test.labels);
    return 0;
}
