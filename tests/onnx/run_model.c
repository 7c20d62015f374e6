/*
 * run_model.c - runs a model compiled with its weights (gsc M.onnx -o NAME.c,
 * or --embed-weights) on one input: run_model X.bin Y.bin, raw float32.
 * Built with -DGSC_LOAD, for C whose weights were written beside it
 * (over --embed-limit): run_model X.bin Y.bin W.safetensors loads them with
 * gsc_st_load_params and prepares them, as a program would.
 *
 *   cc -DGSC_HEADER='"m.h"' -DGSC_P=m -DGSC_PU=M run_model.c m.c runtime/gsc_*.c -lm
 */
#include GSC_HEADER

#include <stdio.h>
#include <stdlib.h>

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(GSC_P, name)
#define MAC(name) CAT(GSC_PU, name)

#ifdef GSC_LOAD
#define ARGS "X.bin Y.bin W.safetensors"
#define NARGS 4
/* The prepared weights from the safetensors file, or NULL (said why). */
static float *load(const char *path)
{
    GscStFile f;
    char err[1024];
    float *params = malloc(sizeof(float) * (MAC(_NUM_PARAMS) + 1));
    float *prepared = aligned_alloc(64, (sizeof(float) * MAC(_PREPARED_SIZE) + 64) / 64 * 64);
    if (!params || !prepared) {
        fprintf(stderr, "run_model: out of memory\n");
        return NULL;
    }
    if (gsc_st_open(path, &f, err, sizeof err) != 0 ||
        gsc_st_load_params(&f, FN(_tensors), MAC(_NUM_TENSORS), params, err, sizeof err) != 0) {
        fprintf(stderr, "run_model: %s: %s\n", path, err);
        gsc_st_close(&f);
        return NULL;
    }
    gsc_st_close(&f);
    FN(_prepare)(params, prepared);
    free(params);
    return prepared;
}
#else
#define ARGS "X.bin Y.bin"
#define NARGS 3
#endif

int main(int argc, char **argv)
{
    if (argc != NARGS) {
        fprintf(stderr, "usage: run_model " ARGS "\n");
        return 2;
    }
#ifdef GSC_LOAD
    float *w = load(argv[3]);
    if (!w)
        return 1;
#else
    const float *w = FN(_weights);
#endif
    static float x[MAC(_INPUT_SIZE)], y[MAC(_OUTPUT_SIZE)];
    void *ws = aligned_alloc(64, MAC(_WORKSPACE_BYTES) + 64);
    FILE *f = fopen(argv[1], "rb");
    if (!f || fread(x, sizeof x, 1, f) != 1) {
        fprintf(stderr, "run_model: cannot read %s (%d floats)\n", argv[1], (int)MAC(_INPUT_SIZE));
        return 1;
    }
    fclose(f);
    FN(_forward)(w, x, y, ws);
    f = fopen(argv[2], "wb");
    if (!f || fwrite(y, sizeof y, 1, f) != 1 || fclose(f)) {
        fprintf(stderr, "run_model: cannot write %s\n", argv[2]);
        return 1;
    }
    free(ws);
    return 0;
}
