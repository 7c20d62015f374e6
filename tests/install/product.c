/*
 * product.c - the tiny product that tests/install/run.sh builds against an
 * installed gsc, once with pkg-config and once with CMake: the C of one model
 * (model.c and model.h, prefix "model", written by the installed gsc) and the
 * installed runtime library, nothing from the source tree.
 *
 *   product X.bin Y.bin [W.safetensors]
 *
 * Reads the input (raw float32, MODEL_INPUT_SIZE values), loads the weights
 * by name from W.safetensors (gsc_st_open, gsc_st_load_params) or takes the
 * seed's (model_init), runs one forward pass and writes the output as raw
 * float32: what gsc --eval writes for the same model, input and weights.
 * Prints the runtime's SIMD path (gsc_fast_isa) on stdout.
 */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>

static int read_input(const char *path, float *x)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    size_t got = fread(x, sizeof(float), MODEL_INPUT_SIZE, f);
    int extra = fgetc(f) != EOF;
    fclose(f);
    if (got != MODEL_INPUT_SIZE || extra) {
        fprintf(stderr, "%s: expected %ld float32 values\n", path, (long)MODEL_INPUT_SIZE);
        return -1;
    }
    return 0;
}

static int load_weights(const char *path, float *params)
{
    GscStFile f;
    char err[1024];
    if (gsc_st_open(path, &f, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    int rc = gsc_st_load_params(&f, model_tensors, MODEL_NUM_TENSORS, params, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "%s: %s\n", path, err);
    gsc_st_close(&f);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: product X.bin Y.bin [W.safetensors]\n");
        return 2;
    }
    float *params = malloc(sizeof(float) * MODEL_NUM_PARAMS);
    float *prepared = malloc(sizeof(float) * MODEL_PREPARED_SIZE);
    void *workspace = malloc(MODEL_WORKSPACE_BYTES);
    float *x = malloc(sizeof(float) * MODEL_INPUT_SIZE);
    float *y = malloc(sizeof(float) * MODEL_OUTPUT_SIZE);
    int rc = 1;
    if (!params || !prepared || !workspace || !x || !y) {
        fprintf(stderr, "out of memory\n");
        goto out;
    }
    if (read_input(argv[1], x) != 0)
        goto out;
    if (argc == 4) {
        if (load_weights(argv[3], params) != 0)
            goto out;
    } else {
        model_init(params);
    }
    model_prepare(params, prepared);
    model_forward(prepared, x, y, workspace);

    FILE *f = fopen(argv[2], "wb");
    if (!f || fwrite(y, sizeof(float), MODEL_OUTPUT_SIZE, f) != MODEL_OUTPUT_SIZE || fclose(f) != 0) {
        perror(argv[2]);
        goto out;
    }
    printf("isa %s\n", gsc_fast_isa());
    rc = 0;
out:
    free(params);
    free(prepared);
    free(workspace);
    free(x);
    free(y);
    return rc;
}
