/*
 * bench/zoo_bench.c - one generated model behind the line protocol of
 * bench/zoo.py (`make bench-zoo`), as bench.c --serve is for ResNet-18.
 *
 *   cc -std=c99 -O3 -march=native -fopenmp -I<dir of m.h> -Iruntime \
 *      -DGSC_HEADER='"m.h"' -DGSC_P=m -DGSC_PU=M [-DGSC_EMBEDDED] \
 *      bench/zoo_bench.c m.c runtime/gsc_*.c -lm -o zoo_bench
 *   zoo_bench INPUT.bin [WEIGHTS.safetensors]
 *
 * The weights come from WEIGHTS.safetensors by name (gsc_st_load_params),
 * or, built with -DGSC_EMBEDDED against C from --embed-weights or an ONNX
 * file, from the compiled-in P_weights. Prints "ready ISA", then answers one
 * command per stdin line (serve_commands in bench_util.h):
 *   run T W N   T threads, W untimed runs, N timed runs: the N times in ms
 *   out PATH    writes the last output (PU_OUTPUT_SIZE float32) to PATH: "ok"
 *   quit
 */
#define _POSIX_C_SOURCE 200112L
#define BENCH_NAME "zoo_bench"
#include GSC_HEADER
#include "bench_util.h"

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(GSC_P, name)
#define MAC(name) CAT(GSC_PU, name)

static const float *prepared;
static float *input, *output;
static void *ws;

static double forward_ms(void *ctx)
{
    (void)ctx;
    double t0 = now();
    FN(_forward)(prepared, input, output, ws);
    return (now() - t0) * 1e3;
}

/* The weights, ready for forward: prepared from the file, or compiled in. */
static const float *load_weights(const char *path)
{
#ifdef GSC_EMBEDDED
    (void)path;
    return FN(_weights);
#else
    GscStFile f;
    char err[1024];
    float *params = xalloc(sizeof(float) * MAC(_NUM_PARAMS)), *p;
    if (!path) {
        fprintf(stderr, "zoo_bench: a weights file is needed (or build with -DGSC_EMBEDDED)\n");
        exit(2);
    }
    if (gsc_st_open(path, &f, err, sizeof err) != 0 ||
        gsc_st_load_params(&f, FN(_tensors), MAC(_NUM_TENSORS), params, err, sizeof err) != 0) {
        fprintf(stderr, "zoo_bench: %s: %s\n", path, err);
        exit(2);
    }
    gsc_st_close(&f);
    p = xalloc(sizeof(float) * MAC(_PREPARED_SIZE));
    FN(_prepare)(params, p);
    free(params);
    return p;
#endif
}

int main(int argc, char **argv)
{
    FILE *f;
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: zoo_bench INPUT.bin [WEIGHTS.safetensors]\n");
        return 2;
    }
    prepared = load_weights(argc > 2 ? argv[2] : NULL);
    input = xalloc(sizeof(float) * MAC(_INPUT_SIZE));
    output = xalloc(sizeof(float) * MAC(_OUTPUT_SIZE));
    ws = xalloc(MAC(_WORKSPACE_BYTES) + 64);
    f = fopen(argv[1], "rb");
    if (!f || fread(input, sizeof(float), MAC(_INPUT_SIZE), f) != (size_t)MAC(_INPUT_SIZE)) {
        fprintf(stderr, "zoo_bench: cannot read %ld floats from %s\n", (long)MAC(_INPUT_SIZE), argv[1]);
        return 2;
    }
    fclose(f);
    printf("ready %s\n", gsc_fast_isa());
    fflush(stdout);
    return serve_commands(forward_ms, NULL, output, MAC(_OUTPUT_SIZE));
}
