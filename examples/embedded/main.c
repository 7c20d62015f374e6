/*
 * main.c - a microcontroller-style program: the weights are compiled into
 * the generated C (gsc --embed-weights), so there is no file I/O, no malloc
 * and no prepare step. Everything the forward pass touches is either const
 * (flash: the weights, the input pattern) or a static buffer (RAM: the
 * workspace, the output).
 *
 *   gsc --emit=params tiny.gs -o tiny.safetensors          # or your trained weights
 *   gsc --embed-weights tiny.safetensors tiny.gs -o tiny.c # tiny.c + tiny.h
 *   cc -std=c11 -O2 -I. -Iruntime main.c tiny.c runtime/gsc_kernels.c runtime/gsc_fast.c \
 *      runtime/gsc_init.c -lm
 *
 * The only library calls are in report() (printf; retarget it to a UART on a
 * board, or build with -DNO_STDIO to drop it) and in the runtime kernels
 * (sqrt/exp from libm).
 */
#include "tiny.h"

#ifndef TINY_EMBEDDED_WEIGHTS
#error "tiny.h was generated without weights: run gsc --embed-weights W.safetensors tiny.gs -o tiny.c"
#endif

#ifndef NO_STDIO
#include <stdio.h>
#endif

/* 64-byte alignment for the workspace: the fast case (any float alignment works). */
#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define ALIGN64 _Alignas(64)
#elif defined(__GNUC__) || defined(__clang__)
#define ALIGN64 __attribute__((aligned(64)))
#else
#define ALIGN64 /* a float's alignment: correct, a little slower */
#endif

/* The model's input is [1, 28, 28] (tiny.gs's defaults): one greyscale image. */
#define SIDE 28
#if TINY_INPUT_SIZE != SIDE * SIDE
#error "this example expects tiny.gs compiled at its default size 1 x 28 x 28"
#endif

/* RAM: the scratch memory of the forward pass and the scores. */
static ALIGN64 float ws[TINY_WORKSPACE_BYTES / sizeof(float)];
static float scores[TINY_OUTPUT_SIZE];

/* A test input in RAM; on a device it would come from a sensor or camera DMA. */
static float image[TINY_INPUT_SIZE];

/* Draws a "7": a horizontal bar and a diagonal stroke, on a dark background. */
static void make_input(float *x)
{
    for (int y = 0; y < SIDE; y++)
        for (int c = 0; c < SIDE; c++) {
            int bar = y >= 5 && y <= 7 && c >= 6 && c <= 21;
            int d = (21 - c) - (y - 7) / 2;   /* the diagonal from (7, 21) down-left */
            int stroke = y >= 7 && y <= 23 && d >= -1 && d <= 1;
            x[y * SIDE + c] = (bar || stroke) ? 1.0f : 0.0f;
        }
}

/* Index of the largest score. */
static int argmax(const float *v, int n)
{
    int best = 0;
    for (int i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

static void report(int cls, const float *v)
{
#ifndef NO_STDIO
    printf("tiny (%d weights in flash, %d bytes of workspace): class %d\n", (int)TINY_PREPARED_SIZE,
           (int)TINY_WORKSPACE_BYTES, cls);
    for (int i = 0; i < TINY_OUTPUT_SIZE; i++)
        printf("  class %d: %+.6f\n", i, (double)v[i]);
#else
    (void)cls;
    (void)v;
#endif
}

int main(void)
{
    make_input(image);
    /* The weights are already prepared: no tiny_prepare, no copy. */
    tiny_forward(tiny_weights, image, scores, ws);
    int cls = argmax(scores, TINY_OUTPUT_SIZE);
    report(cls, scores);
    return 0;
}
