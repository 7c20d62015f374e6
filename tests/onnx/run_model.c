/*
 * run_model.c - runs a model compiled with its weights (gsc M.onnx -o NAME.c,
 * or --embed-weights) on one input: run_model X.bin Y.bin, raw float32.
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

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: run_model X.bin Y.bin\n");
        return 2;
    }
    static float x[MAC(_INPUT_SIZE)], y[MAC(_OUTPUT_SIZE)];
    void *ws = aligned_alloc(64, MAC(_WORKSPACE_BYTES) + 64);
    FILE *f = fopen(argv[1], "rb");
    if (!f || fread(x, sizeof x, 1, f) != 1) {
        fprintf(stderr, "run_model: cannot read %s (%d floats)\n", argv[1], (int)MAC(_INPUT_SIZE));
        return 1;
    }
    fclose(f);
    FN(_forward)(FN(_weights), x, y, ws);
    f = fopen(argv[2], "wb");
    if (!f || fwrite(y, sizeof y, 1, f) != 1 || fclose(f)) {
        fprintf(stderr, "run_model: cannot write %s\n", argv[2]);
        return 1;
    }
    free(ws);
    return 0;
}
