/*
 * classify.c - classify a PPM image with the ResNet-18 that gsc generated
 * (generated/rn18.c), using nothing but the C compiler, the generated file
 * and the runtime.
 *
 *   classify [--labels FILE] [--save-input X.bin] IMAGE.ppm [WEIGHTS.safetensors]
 *
 * Steps: read a binary PPM (P6), resize it to the model's input with bilinear
 * interpolation (PyTorch's F.interpolate(mode="bilinear", align_corners=False,
 * antialias=False)), scale to [0, 1], normalise with the ImageNet mean and
 * standard deviation, load the weights (safetensors with PyTorch state_dict
 * names, or the seed's deterministic weights when no file is given), run the
 * forward pass and print the top-5 classes with their softmax probabilities
 * and the time of the forward pass.
 *
 * Build (from the repository root):
 *   cc -std=c99 -O2 -Igenerated -Iruntime examples/classify/classify.c \
 *      generated/rn18.c runtime/gsc_init.c runtime/gsc_kernels.c \
 *      runtime/gsc_safetensors.c runtime/gsc_fast.c runtime/gsc_winograd.c \
 *      -lm -o classify
 * (runtime/gsc_fast.c and gsc_winograd.c hold the optimised kernels that
 * generated C which includes gsc_fast.h calls; C generated without them
 * does not need them.)
 *
 * Exit status: 0 success, 1 bad input (image, weights, labels) or out of
 * memory, 2 usage error.
 */
#define _POSIX_C_SOURCE 200809L /* posix_memalign, clock_gettime */

#include "rn18.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * The model's input shape. The generated header gives only the flat size
 * RN18_INPUT_SIZE; this example assumes an RGB input (3 channels) that is
 * square, so the side is sqrt(RN18_INPUT_SIZE / 3). IN_SIDE is checked at
 * start-up (IN_C * IN_SIDE * IN_SIDE must equal RN18_INPUT_SIZE), so a model
 * compiled with -D H=... -D W=... of different values is reported, not
 * silently misread.
 */
#define IN_C 3
#define IN_PLANE (RN18_INPUT_SIZE / IN_C)

#define TOPK 5
#define MAX_SIDE 32768 /* largest accepted PPM width or height */

static const float MEAN[IN_C] = {0.485f, 0.456f, 0.406f};
static const float STD[IN_C] = {0.229f, 0.224f, 0.225f};

static const char *prog = "classify";

static void usage(FILE *f)
{
    fprintf(f,
            "usage: %s [--labels FILE] [--save-input X.bin] IMAGE.ppm [WEIGHTS.safetensors]\n"
            "\n"
            "Classifies a binary PPM (P6, maxval 255) with the generated ResNet-18.\n"
            "Without WEIGHTS the seed's deterministic weights are used (not trained).\n"
            "  --labels FILE       class names, one per line (line 1 is class 0)\n"
            "  --save-input X.bin  also write the preprocessed input (raw float32 CHW,\n"
            "                      as gsc --eval --input reads it)\n",
            prog);
}

/* The integer side of the square input, or 0 if the input is not 3 x s x s. */
static int input_side(void)
{
    long s = (long)sqrt((double)IN_PLANE);
    while (s * s > IN_PLANE)
        s--;
    while ((s + 1) * (s + 1) <= IN_PLANE)
        s++;
    return (RN18_INPUT_SIZE % IN_C == 0 && s * s == IN_PLANE) ? (int)s : 0;
}

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* 64-byte aligned allocation: the fast case for the prepared weights and the
 * workspace (any float alignment works). */
static void *alloc64(size_t n)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, n ? n : 64) != 0)
        return NULL;
    return p;
}

/* ------------------------------------------------------------ PPM reader */

typedef struct {
    int width, height;
    unsigned char *rgb; /* [height, width, 3] */
} Image;

/* Skips whitespace and '#' comments (to the end of the line) in a PNM header. */
static int skip_space(FILE *f)
{
    int c;
    for (;;) {
        c = getc(f);
        if (c == '#') {
            while ((c = getc(f)) != EOF && c != '\n' && c != '\r')
                ;
            if (c == EOF)
                return EOF;
        } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\v' && c != '\f') {
            return c;
        }
    }
}

/* Reads one unsigned decimal header field; -1 if there is none or it is too big.
 * The field must end in one whitespace byte, which is consumed; after maxval
 * (last) that byte separates the header from the pixels. A comment right after
 * the digits runs to the end of its line, which then serves as the separator. */
static long read_field(FILE *f, int last)
{
    int c = skip_space(f);
    if (c < '0' || c > '9')
        return -1;
    long v = 0;
    while (c >= '0' && c <= '9') {
        if (v > 100000000L)
            return -1;
        v = v * 10 + (c - '0');
        c = getc(f);
    }
    if (c == '#') {
        if (!last) {
            ungetc(c, f);
            return v;
        }
        while ((c = getc(f)) != EOF && c != '\n' && c != '\r')
            ;
        return c == EOF ? -1 : v;
    }
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\v' && c != '\f')
        return -1;
    return v;
}

/* 0 ok; -1 error (message printed). */
static int read_ppm(const char *path, Image *img)
{
    img->rgb = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        return -1;
    }
    int m0 = getc(f), m1 = getc(f);
    if (m0 != 'P' || m1 != '6') {
        const char *what = "not a PNM image";
        if (m0 == 'P' && m1 >= '1' && m1 <= '7') {
            static const char *kinds[] = {"ASCII PBM (P1)", "ASCII PGM (P2)", "ASCII PPM (P3)", "binary PBM (P4)",
                                          "binary PGM (P5)", "", "PAM (P7)"};
            what = kinds[m1 - '1'];
        }
        fprintf(stderr,
                "%s: %s: %s; only binary PPM (P6, maxval 255) is supported (convert with e.g. "
                "ImageMagick's 'convert IN.png -depth 8 OUT.ppm' or netpbm's 'pngtopnm IN.png > OUT.ppm')\n",
                prog, path, what);
        fclose(f);
        return -1;
    }
    long w = read_field(f, 0), h = read_field(f, 0), maxval = read_field(f, 1);
    if (w < 0 || h < 0 || maxval < 0) {
        fprintf(stderr, "%s: %s: malformed P6 header (expected width, height and maxval)\n", prog, path);
        fclose(f);
        return -1;
    }
    if (w < 1 || h < 1 || w > MAX_SIDE || h > MAX_SIDE) {
        fprintf(stderr, "%s: %s: image size %ldx%ld is outside 1..%d\n", prog, path, w, h, MAX_SIDE);
        fclose(f);
        return -1;
    }
    if (maxval != 255) {
        fprintf(stderr, "%s: %s: maxval %ld is not supported (only 8-bit PPM with maxval 255)\n", prog, path,
                maxval);
        fclose(f);
        return -1;
    }
    size_t n = (size_t)w * (size_t)h * 3;
    img->rgb = malloc(n);
    if (!img->rgb) {
        fprintf(stderr, "%s: out of memory for a %ldx%ld image\n", prog, w, h);
        fclose(f);
        return -1;
    }
    size_t got = fread(img->rgb, 1, n, f);
    int rerr = ferror(f);
    fclose(f);
    if (got != n) {
        if (rerr)
            fprintf(stderr, "%s: %s: read error\n", prog, path);
        else
            fprintf(stderr, "%s: %s: truncated: %zu of %zu pixel bytes\n", prog, path, got, n);
        free(img->rgb);
        img->rgb = NULL;
        return -1;
    }
    img->width = (int)w;
    img->height = (int)h;
    return 0;
}

/* --------------------------------------------------------- preprocessing */

/*
 * Source coordinate of output index i along one axis, as PyTorch's
 * area_pixel_compute_source_index for linear modes with align_corners=False:
 * src = (i + 0.5) * in / out - 0.5, clamped at 0; the two taps are
 * floor(src) and floor(src) + 1 (clamped to in - 1).
 */
static void source_index(int i, int in, int out, int *i0, int *i1, float *l1)
{
    float scale = (float)in / (float)out;
    float src = ((float)i + 0.5f) * scale - 0.5f;
    if (src < 0.0f)
        src = 0.0f;
    int k = (int)src;
    if (k > in - 1)
        k = in - 1;
    *i0 = k;
    *i1 = k < in - 1 ? k + 1 : k;
    *l1 = src - (float)k;
}

/*
 * HWC bytes -> CHW floats [3, side, side]: bilinear resize of the [0, 1]
 * image, then (x - mean) / std per channel. (Bilinear interpolation is
 * affine in the pixel values, so scaling before or after it is the same.)
 */
static void preprocess(const Image *img, int side, float *x)
{
    for (int oy = 0; oy < side; oy++) {
        int y0, y1;
        float ly;
        source_index(oy, img->height, side, &y0, &y1, &ly);
        for (int ox = 0; ox < side; ox++) {
            int x0, x1;
            float lx;
            source_index(ox, img->width, side, &x0, &x1, &lx);
            const unsigned char *p00 = img->rgb + ((size_t)y0 * img->width + x0) * 3;
            const unsigned char *p01 = img->rgb + ((size_t)y0 * img->width + x1) * 3;
            const unsigned char *p10 = img->rgb + ((size_t)y1 * img->width + x0) * 3;
            const unsigned char *p11 = img->rgb + ((size_t)y1 * img->width + x1) * 3;
            for (int c = 0; c < IN_C; c++) {
                float top = (1.0f - lx) * (p00[c] / 255.0f) + lx * (p01[c] / 255.0f);
                float bot = (1.0f - lx) * (p10[c] / 255.0f) + lx * (p11[c] / 255.0f);
                float v = (1.0f - ly) * top + ly * bot;
                x[((size_t)c * side + oy) * side + ox] = (v - MEAN[c]) / STD[c];
            }
        }
    }
}

/* ---------------------------------------------------------------- labels */

typedef struct {
    char **names;
    int n;
} Labels;

static void free_labels(Labels *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->names[i]);
    free(l->names);
    l->names = NULL;
    l->n = 0;
}

/* One label per line (CR LF or LF); reads at most RN18_OUTPUT_SIZE lines. */
static int read_labels(const char *path, Labels *l)
{
    l->names = NULL;
    l->n = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        return -1;
    }
    l->names = calloc(RN18_OUTPUT_SIZE, sizeof *l->names);
    if (!l->names)
        goto oom;
    char line[1024];
    int extra = 0;
    while (fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        int whole = len > 0 && line[len - 1] == '\n';
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        if (!whole && !feof(f)) { /* overlong line: keep the start, drop the rest */
            int c;
            while ((c = getc(f)) != EOF && c != '\n')
                ;
        }
        if (l->n == RN18_OUTPUT_SIZE) {
            extra++;
            continue;
        }
        l->names[l->n] = malloc(len + 1);
        if (!l->names[l->n])
            goto oom;
        memcpy(l->names[l->n++], line, len + 1);
    }
    if (ferror(f)) {
        fprintf(stderr, "%s: %s: read error\n", prog, path);
        fclose(f);
        free_labels(l);
        return -1;
    }
    fclose(f);
    if (l->n != RN18_OUTPUT_SIZE || extra)
        fprintf(stderr, "%s: warning: %s has %d labels, the model has %d classes\n", prog, path, l->n + extra,
                RN18_OUTPUT_SIZE);
    return 0;
oom:
    fprintf(stderr, "%s: out of memory reading %s\n", prog, path);
    fclose(f);
    free_labels(l);
    return -1;
}

/* ------------------------------------------------------------------ main */

static int write_floats(const char *path, const float *x, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        return -1;
    }
    size_t put = fwrite(x, sizeof(float), n, f);
    if (fclose(f) != 0 || put != n) {
        fprintf(stderr, "%s: %s: write error\n", prog, path);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *image_path = NULL, *weights_path = NULL, *labels_path = NULL, *save_path = NULL;
    int npos = 0;
    if (argc > 0 && argv[0] && argv[0][0])
        prog = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--labels") || !strcmp(a, "--save-input")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "%s: %s needs a file name\n", prog, a);
                return 2;
            }
            *(a[2] == 'l' ? &labels_path : &save_path) = argv[++i];
        } else if (a[0] == '-' && a[1] != 0) {
            fprintf(stderr, "%s: unknown option %s\n", prog, a);
            usage(stderr);
            return 2;
        } else if (npos == 0) {
            image_path = a;
            npos++;
        } else if (npos == 1) {
            weights_path = a;
            npos++;
        } else {
            fprintf(stderr, "%s: too many arguments\n", prog);
            usage(stderr);
            return 2;
        }
    }
    if (!image_path) {
        usage(stderr);
        return 2;
    }

    const int side = input_side();
    if (!side) {
        fprintf(stderr, "%s: the model input (%ld floats) is not 3 x S x S; this example needs a square RGB input\n",
                prog, (long)RN18_INPUT_SIZE);
        return 1;
    }

    int rc = 1;
    Image img = {0, 0, NULL};
    Labels labels = {NULL, 0};
    float *params = NULL, *prepared = NULL, *x = NULL, *y = NULL;
    void *ws = NULL;

    if (labels_path && read_labels(labels_path, &labels))
        goto done;
    if (read_ppm(image_path, &img))
        goto done;

    params = alloc64(sizeof(float) * (size_t)RN18_NUM_PARAMS);
    prepared = alloc64(sizeof(float) * (size_t)RN18_PREPARED_SIZE);
    x = alloc64(sizeof(float) * (size_t)RN18_INPUT_SIZE);
    y = alloc64(sizeof(float) * (size_t)RN18_OUTPUT_SIZE);
    ws = alloc64((size_t)RN18_WORKSPACE_BYTES);
    if (!params || !prepared || !x || !y || !ws) {
        fprintf(stderr, "%s: out of memory (the model needs %.1f MB)\n", prog,
                (4.0 * (RN18_NUM_PARAMS + RN18_PREPARED_SIZE) + RN18_WORKSPACE_BYTES) / 1e6);
        goto done;
    }

    if (weights_path) {
        GscStFile st;
        char err[4096];
        if (gsc_st_open(weights_path, &st, err, sizeof err)) {
            fprintf(stderr, "%s: %s\n", prog, err); /* err names the file */
            goto done;
        }
        int bad = gsc_st_load_params(&st, rn18_tensors, RN18_NUM_TENSORS, params, err, sizeof err);
        gsc_st_close(&st);
        if (bad) {
            fprintf(stderr, "%s: %s: %s\n", prog, weights_path, err);
            goto done;
        }
        printf("weights: %s (%d tensors)\n", weights_path, RN18_NUM_TENSORS);
    } else {
        rn18_init(params);
        printf("weights: none given, using the seed's deterministic initialiser (untrained: the classes mean "
               "nothing)\n");
    }
    rn18_prepare(params, prepared);
    free(params); /* the forward pass needs only the prepared weights */
    params = NULL;

    preprocess(&img, side, x);
    printf("image: %s, %dx%d, resized to %dx%d (bilinear), ImageNet-normalised\n", image_path, img.width,
           img.height, side, side);
    free(img.rgb);
    img.rgb = NULL;
    if (save_path && write_floats(save_path, x, (size_t)RN18_INPUT_SIZE))
        goto done;

    double t0 = now_sec();
    rn18_forward(prepared, x, y, ws);
    double ms = (now_sec() - t0) * 1e3;

    for (int i = 0; i < RN18_OUTPUT_SIZE; i++) {
        if (!isfinite(y[i])) {
            fprintf(stderr, "%s: the model produced a non-finite score (class %d); check the weights\n", prog, i);
            goto done;
        }
    }
    gsc_softmax(y, RN18_OUTPUT_SIZE, y);

    int top[TOPK];
    int k = 0;
    for (; k < TOPK && k < RN18_OUTPUT_SIZE; k++) {
        int best = -1;
        for (int i = 0; i < RN18_OUTPUT_SIZE; i++) {
            int taken = 0;
            for (int j = 0; j < k; j++)
                taken |= top[j] == i;
            if (!taken && (best < 0 || y[i] > y[best]))
                best = i;
        }
        top[k] = best;
    }
    printf("top-%d of %d classes:\n", k, RN18_OUTPUT_SIZE);
    for (int j = 0; j < k; j++) {
        int c = top[j];
        if (c < labels.n)
            printf("  %d. class %4d  %.6f  %s\n", j + 1, c, y[c], labels.names[c]);
        else
            printf("  %d. class %4d  %.6f\n", j + 1, c, y[c]);
    }
    printf("forward pass: %.1f ms\n", ms);
    rc = 0;

done:
    free(img.rgb);
    free_labels(&labels);
    free(params);
    free(prepared);
    free(x);
    free(y);
    free(ws);
    return rc;
}
