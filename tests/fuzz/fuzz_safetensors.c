/*
 * fuzz_safetensors.c - libFuzzer target for runtime/gsc_safetensors.c: the
 * input bytes are a safetensors file, given to gsc_st_parse, then (when it
 * parses) looked up with gsc_st_find and copied with gsc_st_load_params
 * against a small fixed parameter table - the ABI of
 *   gsc --emit=abi models/mlp.gs -D in_features=4 -D hidden=3 -D classes=2
 * (tests/fuzz/corpus_safetensors/mlp_small.safetensors matches it exactly).
 * gsc_st_parse_meta (gsc_train.h) parses it again, keeping the __metadata__
 * pairs, and must agree with gsc_st_parse on whether the input is valid.
 *
 * Error buffers are allocated with the exact length passed, several lengths
 * per input (0, 1, a size taken from the input, 256), so ASan sees any write
 * past errlen and the "... and N more" truncation path is exercised.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gsc_runtime.h"
#include "gsc_train.h"

static const GscTensorInfo table[] = {
    {"fc1.weight", 0, 2, {3, 4}},
    {"fc1.bias", 12, 1, {3}},
    {"fc2.weight", 15, 2, {2, 3}},
    {"fc2.bias", 21, 1, {2}},
};
#define NTAB ((int)(sizeof table / sizeof table[0]))
#define NPARAMS 23

/* A rank-0 entry and a 4-d one, to reach the other shape comparisons. */
static const GscTensorInfo table2[] = {
    {"scale", 0, 0, {0}},
    {"conv.weight", 1, 4, {2, 1, 3, 3}},
};

static void check_file(const GscStFile *f)
{
    /* What gsc_st_parse promises about each tensor. */
    volatile unsigned sum = 0;
    for (int i = 0; i < f->ntensors; i++) {
        const GscStTensor *t = &f->tensors[i];
        if (!t->name || t->rank < 0 || t->rank > GSC_ST_MAX_RANK)
            abort();
        if (memchr(t->dtype, 0, sizeof t->dtype) == NULL)
            abort();
        if (gsc_st_find(f, t->name) == NULL)
            abort();
        for (uint64_t k = 0; k < t->nbytes; k += 1 + t->nbytes / 8)
            sum += t->data[k]; /* ASan: data must be inside the input */
        if (t->nbytes)
            sum += t->data[t->nbytes - 1];
    }
    (void)sum;
}

/* The pairs gsc_st_parse_meta returns, each a key and a value. */
static void check_meta(const uint8_t *data, size_t size, int want_rc)
{
    unsigned char *buf = malloc(size ? size : 1);
    GscStFile f;
    GscStMeta m;
    memcpy(buf, data, size);
    int rc = gsc_st_parse_meta(buf, size, &f, &m, NULL, 0);
    if (rc != want_rc || (rc != 0 && (m.npairs != 0 || m.pairs != NULL)))
        abort();
    for (int i = 0; i < m.npairs; i++) {
        if (!m.pairs[i].key || !m.pairs[i].value ||
            gsc_st_meta_get(&m, m.pairs[i].key) == NULL)
            abort();
    }
    gsc_st_meta_free(&m);
    gsc_st_meta_free(&m);
    gsc_st_close(&f);
    free(buf);
}

static void load(const GscStFile *f, const GscTensorInfo *tab, int ntab, int64_t nparams, size_t errlen)
{
    float *params = malloc(sizeof(float) * (size_t)nparams);
    for (int64_t i = 0; i < nparams; i++)
        params[i] = -1.0f;
    char *err = errlen ? malloc(errlen) : NULL;
    if (err)
        memset(err, 'X', errlen);
    int rc = gsc_st_load_params(f, tab, ntab, params, err, errlen);
    if (rc != 0 && err && memchr(err, 0, errlen) == NULL)
        abort(); /* the message must be terminated within errlen */
    if (rc != 0 && rc != -1)
        abort();
    free(err);
    free(params);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t small = size ? (size_t)data[size - 1] % 40 : 7;
    size_t lens[] = {0, 1, small, 256};
    for (int li = 0; li < 4; li++) {
        size_t errlen = lens[li];
        /* An exact-size copy: reads past the end are caught. */
        unsigned char *buf = malloc(size ? size : 1);
        memcpy(buf, data, size);
        char *err = errlen ? malloc(errlen) : NULL;
        if (err)
            memset(err, 'X', errlen);
        GscStFile f;
        memset(&f, 0xAB, sizeof f);
        int rc = gsc_st_parse(buf, size, &f, err, errlen);
        if (rc != 0 && err && memchr(err, 0, errlen) == NULL)
            abort(); /* the message must be terminated within errlen */
        if (li == 0)
            check_meta(data, size, rc);
        if (rc == 0) {
            check_file(&f);
            gsc_st_find(&f, "fc1.weight");
            gsc_st_find(&f, "");
            if (li == 0) {
                load(&f, table, NTAB, NPARAMS, 256);
                load(&f, table, NTAB, NPARAMS, 0);
                load(&f, table, NTAB, NPARAMS, 1);
                load(&f, table, NTAB, NPARAMS, small);
                load(&f, table2, 2, 19, 64);
                load(&f, table, 0, 1, 64);
            }
            gsc_st_close(&f);
            gsc_st_close(&f); /* documented safe on a closed file */
        } else if (rc != -1) {
            abort();
        }
        free(err);
        free(buf);
        if (rc != 0 && li == 1)
            break; /* the error paths are the same for the larger buffers */
    }
    return 0;
}
