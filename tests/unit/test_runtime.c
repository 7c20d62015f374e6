/*
 * test_runtime.c - unit tests of the gsc runtime (runtime/gsc_*.c), with
 * Check.
 *
 * Does: the initialiser against the seed's known bits, each reference kernel
 * against small hand-computed cases, the safetensors reader against valid
 * and malformed inputs (plus a mutation sweep that only has to not crash,
 * which means something under -fsanitize=address,undefined), the parameter
 * loader's error report, and the writer's round trip and atomicity.
 * Does not: test whole models (that is the compiler's end-to-end suite).
 *
 * Temporary files live in a mkdtemp directory removed at exit (tmpdir.h).
 */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gsc_runtime.h"
#include "tmpdir.h"

static uint32_t float_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

#define ck_float_eq_tol(a, b, tol) \
    ck_assert_msg(fabs((double)(a) - (double)(b)) <= (tol), \
                  "%s = %.9g, expected %.9g", #a, (double)(a), (double)(b))

/* ------------------------------------------------------------- initialiser */

START_TEST(init_seed0_bits)
{
    float p[3];
    gsc_init_uniform(p, 3, 0);
    ck_assert_uint_eq(float_bits(p[0]), 0xbd58368fu);
    ck_assert_uint_eq(float_bits(p[1]), 0xbd3565e3u);
    ck_assert_uint_eq(float_bits(p[2]), 0x3d82e18bu);
}
END_TEST

START_TEST(init_seed80_bits)
{
    float p[3];
    gsc_init_uniform(p, 3, 80);
    ck_assert_uint_eq(float_bits(p[0]), float_bits(-0.0465855673f));
    ck_assert_uint_eq(float_bits(p[1]), float_bits(0.00697362423f));
    ck_assert_uint_eq(float_bits(p[2]), float_bits(0.019239109f));
}
END_TEST

/* The stream in one pass equals the seed's per-element recomputation, and
 * stays in [-0.1, 0.1). */
START_TEST(init_stream_matches_definition)
{
    float p[100];
    int i, k;
    gsc_init_uniform(p, 100, 7);
    for (i = 0; i < 100; i++) {
        uint32_t s = 7;
        for (k = 0; k <= i; k++)
            s = 1664525u * s + 1013904223u;
        ck_assert_uint_eq(float_bits(p[i]),
                          float_bits((float)(-0.1 + ((double)s / 4294967296.0) * 0.2)));
        ck_assert(p[i] >= -0.1f && p[i] <= 0.1f);
    }
}
END_TEST

START_TEST(init_fill)
{
    float p[4] = {9, 9, 9, 9};
    gsc_init_fill(p, 3, 1.0f);
    ck_assert(p[0] == 1.0f && p[1] == 1.0f && p[2] == 1.0f && p[3] == 9.0f);
    gsc_init_uniform(p, 0, 1); /* n = 0 writes nothing */
    ck_assert(p[0] == 1.0f);
}
END_TEST

/* ----------------------------------------------------------------- kernels */

START_TEST(out_size_nat)
{
    ck_assert_int_eq(gsc_out_size(224, 7, 2, 3), 112);
    ck_assert_int_eq(gsc_out_size(56, 3, 2, 1), 28);
    ck_assert_int_eq(gsc_out_size(1, 3, 2, 1), 1);
    ck_assert_int_eq(gsc_out_size(1, 7, 2, 0), 1); /* Nat: 1 - 7 = 0 */
    ck_assert_int_eq(gsc_out_size(7, 1, 2, 0), 4);
}
END_TEST

/* 3x3 of ones over 1..9, stride 2, pad 1: each output sums the in-bounds
 * 2x2 corner of its window. */
START_TEST(conv_stride2_pad)
{
    const float x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    float wt[9], bias[1] = {0.5f}, y[4];
    gsc_init_fill(wt, 9, 1.0f);
    gsc_conv2d(x, 1, 3, 3, wt, bias, 1, 3, 2, 1, 1, y);
    ck_assert(y[0] == 12.5f && y[1] == 16.5f && y[2] == 24.5f && y[3] == 28.5f);
}
END_TEST

/* An asymmetric kernel shows there is no flip; pad 1 puts only one tap in
 * bounds at each corner. */
START_TEST(conv_no_flip_corners)
{
    const float x[4] = {1, 2, 3, 4};
    const float wt[4] = {1, 10, 100, 1000};
    const float bias[1] = {0};
    float y[9];
    gsc_conv2d(x, 1, 2, 2, wt, bias, 1, 2, 1, 0, 1, y);
    ck_assert(y[0] == 4321.0f);
    gsc_conv2d(x, 1, 2, 2, wt, bias, 1, 2, 1, 1, 1, y);
    ck_assert(y[0] == 1000.0f); /* x[0][0] * w[1][1] */
    ck_assert(y[2] == 200.0f);  /* x[0][1] * w[1][0] */
    ck_assert(y[4] == 4321.0f);
    ck_assert(y[6] == 30.0f);   /* x[1][0] * w[0][1] */
    ck_assert(y[8] == 4.0f);    /* x[1][1] * w[0][0] */
}
END_TEST

/* One axis of a general window: gsc_out_size is its symmetric, undilated
 * case; ceil mode, uneven sides and dilation by hand. */
START_TEST(axis_out_size)
{
    int in, k, s, p;
    for (in = 1; in < 12; in++)
        for (k = 1; k < 5; k++)
            for (s = 1; s < 4; s++)
                for (p = 0; p < 3; p++)
                    ck_assert_int_eq(gsc_axis_out_size(in, k, 1, s, p, p, 0), gsc_out_size(in, k, s, p));
    ck_assert_int_eq(gsc_axis_out_size(7, 2, 1, 2, 0, 1, 0), 4); /* TensorFlow SAME, k=2 on 7 */
    ck_assert_int_eq(gsc_axis_out_size(8, 3, 2, 1, 2, 2, 0), 8); /* 3 taps 2 apart cover 5 */
    ck_assert_int_eq(gsc_axis_out_size(2, 3, 1, 2, 0, 0, 1), 1);
}
END_TEST

/* A 1x2 filter [1, 10] with pad=(top 0, left 1, bottom 1, right 0) on
 * [1 2; 3 4]: 3 x 2 outputs, the first column reads the left padding, the
 * last row the bottom padding. */
START_TEST(conv_axes_uneven_pad)
{
    const float x[4] = {1, 2, 3, 4}, wt[2] = {1, 10};
    float y[6];
    gsc_conv2d_axes(x, 1, 2, 2, wt, NULL, 1, 1, 2, 1, 1, 0, 1, 1, 0, 1, 1, 1, y);
    ck_assert(y[0] == 10.0f && y[1] == 21.0f); /* 0*1 + 1*10, 1*1 + 2*10 */
    ck_assert(y[2] == 30.0f && y[3] == 43.0f);
    ck_assert(y[4] == 0.0f && y[5] == 0.0f);
}
END_TEST

/* 1x1 conv, 2 -> 2 channels: a per-pixel matrix product plus bias. */
START_TEST(conv_channels)
{
    const float x[4] = {1, 2, 3, 4}; /* [2, 1, 2] */
    const float wt[4] = {1, 1, 2, -1}; /* [2, 2, 1, 1] */
    const float bias[2] = {0, 10};
    float y[4];
    gsc_conv2d(x, 2, 1, 2, wt, bias, 2, 1, 1, 0, 1, y);
    ck_assert(y[0] == 4.0f && y[1] == 6.0f);   /* x0 + x1 */
    ck_assert(y[2] == 9.0f && y[3] == 10.0f);  /* 2 x0 - x1 + 10 */
}
END_TEST

START_TEST(batchnorm_cases)
{
    float x[8] = {3, 3, 3, 3, 1, 2, 3, 4};
    const float gamma[2] = {2.0f, 1.0f}, beta[2] = {0.25f, 0.0f};
    double sd = sqrt(1.25 + 1e-6);
    int i;
    gsc_batchnorm(x, 2, 4, gamma, beta, x); /* in place */
    for (i = 0; i < 4; i++)
        ck_assert(x[i] == 0.25f); /* a constant channel gives exactly beta */
    ck_float_eq_tol(x[4], -1.5 / sd, 1e-6);
    ck_float_eq_tol(x[5], -0.5 / sd, 1e-6);
    ck_float_eq_tol(x[6], 0.5 / sd, 1e-6);
    ck_float_eq_tol(x[7], 1.5 / sd, 1e-6);
}
END_TEST

START_TEST(batchnorm_eps)
{
    /* var 0.25, so eps shows at the 1e-6 level: 0.5 / sqrt(0.25 + 1e-6). */
    const float x[2] = {0, 1};
    const float gamma[1] = {1}, beta[1] = {0};
    float y[2];
    gsc_batchnorm(x, 1, 2, gamma, beta, y);
    ck_assert_uint_eq(float_bits(y[1]), float_bits((float)(0.5 / sqrt(0.25 + 1e-6))));
    ck_assert(GSC_BN_EPS == 1e-6);
}
END_TEST

START_TEST(relu_in_place)
{
    float x[4] = {-1.0f, 0.0f, 2.5f, -0.0f};
    gsc_relu(x, 4, x);
    ck_assert(x[0] == 0.0f && x[1] == 0.0f && x[2] == 2.5f && x[3] == 0.0f);
}
END_TEST

/* All-negative input: padding must not win with a 0. */
START_TEST(maxpool_negative_padding)
{
    float x[9], y[4];
    int i;
    for (i = 0; i < 9; i++)
        x[i] = (float)-(i + 1);
    gsc_maxpool2d(x, 1, 3, 3, 3, 2, 1, 0, y);
    ck_assert(y[0] == -1.0f && y[1] == -2.0f && y[2] == -4.0f && y[3] == -5.0f);
}
END_TEST

/* k=1, pad 1 on a 1x1 input: the border windows hold only padding -> 0. */
START_TEST(maxpool_empty_window)
{
    const float x[1] = {-7.0f};
    float y[9];
    int i;
    gsc_maxpool2d(x, 1, 1, 1, 1, 1, 1, 0, y);
    for (i = 0; i < 9; i++)
        ck_assert(y[i] == (i == 4 ? -7.0f : 0.0f));
}
END_TEST

START_TEST(maxpool_two_channels)
{
    const float x[8] = {1, 5, 3, 2, -1, -5, -3, -2}; /* [2, 2, 2] */
    float y[2];
    gsc_maxpool2d(x, 2, 2, 2, 2, 2, 0, 0, y);
    ck_assert(y[0] == 5.0f && y[1] == -1.0f);
}
END_TEST

/* count_include_pad: the padded corner windows still divide by 9. */
START_TEST(avgpool_include_pad)
{
    const float x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    float y[9];
    gsc_avgpool2d(x, 1, 3, 3, 3, 2, 1, y);
    ck_assert(y[0] == (float)(12.0 / 9) && y[1] == (float)(16.0 / 9));
    ck_assert(y[2] == (float)(24.0 / 9) && y[3] == (float)(28.0 / 9));
    gsc_avgpool2d(x, 1, 3, 3, 3, 1, 0, y);
    ck_assert(y[0] == 5.0f);
    /* k=2, pad 1 on [1 2; 3 4] (3x3 out): a corner window holds one real
     * cell, the centre all four. */
    gsc_avgpool2d(x, 1, 2, 2, 2, 1, 1, y);
    ck_assert(y[0] == 0.25f && y[4] == 2.5f && y[8] == 1.0f);
}
END_TEST

START_TEST(global_avgpool_cases)
{
    const float x[6] = {1, 2, 3, 4, 5, 9};
    float y[2];
    gsc_global_avgpool(x, 2, 3, y);
    ck_assert(y[0] == 2.0f && y[1] == 6.0f);
}
END_TEST

START_TEST(linear_cases)
{
    const float x[3] = {1, 0, -1};
    const float wt[6] = {1, 2, 3, 4, 5, 6};
    const float bias[2] = {0.5f, -1.0f};
    float y[2];
    gsc_linear(x, 3, wt, bias, 2, y);
    ck_assert(y[0] == -1.5f && y[1] == -3.0f);
}
END_TEST

START_TEST(add_aliasing)
{
    float a[3] = {1, 2, 3};
    const float b[3] = {10, 20, 30};
    float c[3];
    gsc_add(a, b, 3, c);
    ck_assert(c[0] == 11.0f && c[2] == 33.0f);
    gsc_add(a, b, 3, a);
    ck_assert(a[0] == 11.0f && a[1] == 22.0f && a[2] == 33.0f);
    gsc_add(a, a, 3, a);
    ck_assert(a[0] == 22.0f);
}
END_TEST

START_TEST(softmax_cases)
{
    float x[3] = {1, 2, 3}, big[2] = {1000.0f, 1000.0f};
    double z = exp(-2.0) + exp(-1.0) + 1.0;
    gsc_softmax(x, 3, x); /* in place */
    ck_float_eq_tol(x[0] + x[1] + x[2], 1.0, 1e-6);
    ck_float_eq_tol(x[0], exp(-2.0) / z, 1e-7);
    ck_float_eq_tol(x[2], 1.0 / z, 1e-7);
    gsc_softmax(big, 2, big); /* would overflow without the max shift */
    ck_assert(big[0] == 0.5f && big[1] == 0.5f);
}
END_TEST

/* ------------------------------------------------------ safetensors: helpers */

/* An in-memory file: length, json, then datalen bytes of zeros. */
static unsigned char *mk(const char *json, size_t datalen, size_t *len)
{
    size_t n = strlen(json);
    unsigned char *b = calloc(8 + n + datalen, 1);
    size_t i;
    ck_assert_ptr_nonnull(b);
    for (i = 0; i < 8; i++)
        b[i] = (unsigned char)((uint64_t)n >> (8 * i));
    memcpy(b + 8, json, n);
    *len = 8 + n + datalen;
    return b;
}

/* Parses json + zeros; returns the result and leaves the message in err. */
static int try_parse(const char *json, size_t datalen, char *err, size_t errlen)
{
    size_t len;
    unsigned char *b = mk(json, datalen, &len);
    GscStFile f;
    int rc = gsc_st_parse(b, len, &f, err, errlen);
    if (rc == 0)
        gsc_st_close(&f);
    free(b);
    return rc;
}

#define REJECT(json, datalen, needle)                                       \
    do {                                                                    \
        char err_[512] = "";                                                \
        ck_assert_msg(try_parse(json, datalen, err_, sizeof err_) == -1,    \
                      "accepted: %s", json);                                \
        ck_assert_msg(strstr(err_, needle) != NULL,                         \
                      "for %s: message \"%s\" lacks \"%s\"", json, err_,    \
                      needle);                                              \
    } while (0)

#define ACCEPT(json, datalen)                                               \
    do {                                                                    \
        char err_[512] = "";                                                \
        ck_assert_msg(try_parse(json, datalen, err_, sizeof err_) == 0,     \
                      "rejected %s: %s", json, err_);                       \
    } while (0)

#define T24 "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}"

/* The round-trip model: odd names, a scalar, an empty tensor. */
static const GscTensorInfo rt_tab[] = {
    {"conv1.weight", 0, 4, {2, 1, 2, 2}},
    {"fc.bias", 8, 1, {3, 0, 0, 0}},
    {"we\"ird\\n\xc3\xa9", 11, 0, {0, 0, 0, 0}},
    {"empty", 12, 2, {0, 5, 0, 0}},
};
#define RT_N 12

static void rt_params(float *p)
{
    int i;
    for (i = 0; i < RT_N; i++)
        p[i] = (float)i * 0.5f - 1.0f;
}

static void write_rt(const char *path)
{
    float p[RT_N];
    char err[256];
    rt_params(p);
    ck_assert_msg(gsc_st_write(path, rt_tab, 4, p, err, sizeof err) == 0, "%s",
                  err);
}

/* -------------------------------------------------- safetensors: round trip */

START_TEST(st_round_trip)
{
    char path[512], tmp[520], err[256];
    float want[RT_N], got[RT_N];
    const GscStTensor *t;
    GscStFile f;
    uint64_t hlen = 0;
    int i;
    tmp_path(path, sizeof path, "rt.safetensors");
    write_rt(path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    ck_assert_int_ne(access(tmp, F_OK), 0); /* renamed away */
    ck_assert_msg(gsc_st_open(path, &f, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(f.ntensors, 4);
    for (i = 7; i >= 0; i--)
        hlen = (hlen << 8) | f.owned[i];
    ck_assert_uint_eq(hlen % 8, 0); /* padded, so the data is aligned */
    ck_assert(f.owned[8 + hlen - 1] == '}' || f.owned[8 + hlen - 1] == ' ');
    ck_assert_ptr_eq(f.tensors[0].data, f.owned + 8 + hlen); /* table order */
    t = gsc_st_find(&f, "we\"ird\\n\xc3\xa9");
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(t->rank, 0);
    ck_assert_uint_eq(t->nbytes, 4);
    t = gsc_st_find(&f, "conv1.weight");
    ck_assert_ptr_nonnull(t);
    ck_assert_str_eq(t->dtype, "F32");
    ck_assert_int_eq(t->rank, 4);
    ck_assert(t->shape[0] == 2 && t->shape[3] == 2 && t->nbytes == 32);
    ck_assert_ptr_null(gsc_st_find(&f, "nope"));
    rt_params(want);
    memset(got, 0, sizeof got);
    ck_assert_msg(gsc_st_load_params(&f, rt_tab, 4, got, err, sizeof err) == 0,
                  "%s", err);
    ck_assert(memcmp(want, got, sizeof got) == 0);
    gsc_st_close(&f);
    gsc_st_close(&f); /* twice is harmless */
    remove(path);
}
END_TEST

/* Overwriting replaces; a failed write leaves the old file intact. */
START_TEST(st_write_atomic)
{
    char path[512], tmp[520], err[256];
    size_t len1, len2;
    unsigned char *b1, *b2;
    float p[1] = {42.0f};
    const GscTensorInfo one[] = {{"x", 0, 1, {1, 0, 0, 0}}};
    tmp_path(path, sizeof path, "atomic.safetensors");
    write_rt(path);
    b1 = slurp(path, &len1);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    ck_assert_int_eq(mkdir(tmp, 0700), 0); /* makes creating the .tmp fail */
    ck_assert_int_eq(gsc_st_write(path, one, 1, p, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "cannot create"));
    b2 = slurp(path, &len2);
    ck_assert(len1 == len2 && memcmp(b1, b2, len1) == 0);
    free(b2);
    rmdir(tmp);
    ck_assert_int_eq(gsc_st_write(path, one, 1, p, err, sizeof err), 0);
    b2 = slurp(path, &len2);
    ck_assert_uint_lt(len2, len1);
    free(b1);
    free(b2);
    remove(path);
}
END_TEST

START_TEST(st_write_rejects_bad_table)
{
    char path[512], err[256];
    float p[2] = {0, 0};
    const GscTensorInfo dup[] = {{"x", 0, 1, {1, 0, 0, 0}},
                                 {"x", 1, 1, {1, 0, 0, 0}}};
    const GscTensorInfo neg[] = {{"x", 0, 1, {-1, 0, 0, 0}}};
    const GscTensorInfo meta[] = {{"__metadata__", 0, 1, {1, 0, 0, 0}}};
    const GscTensorInfo badutf[] = {{"\xff", 0, 1, {1, 0, 0, 0}}};
    tmp_path(path, sizeof path, "bad.safetensors");
    ck_assert_int_eq(gsc_st_write(path, dup, 2, p, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "duplicate"));
    ck_assert_int_eq(gsc_st_write(path, neg, 1, p, err, sizeof err), -1);
    ck_assert_int_eq(gsc_st_write(path, meta, 1, p, err, sizeof err), -1);
    ck_assert_int_eq(gsc_st_write(path, badutf, 1, p, err, sizeof err), -1);
    ck_assert_int_ne(access(path, F_OK), 0);
    ck_assert_int_eq(gsc_st_write("/nonexistent-dir/x.safetensors", dup, 1, p,
                                  err, sizeof err), -1);
}
END_TEST

/* --------------------------------------------------- safetensors: accepting */

START_TEST(st_accepts_valid_variants)
{
    GscStFile f;
    size_t len;
    unsigned char *b;
    char err[256];
    ACCEPT("{}", 0);
    ACCEPT("  {  }      ", 0);
    ACCEPT("{\"__metadata__\":{}}", 0);
    ACCEPT("{\"__metadata__\":{\"format\":\"pt\",\"k\":\"v\\\"\"},\"a\":" T24 "}", 8);
    ACCEPT(" {\n\t\"a\" : { \"data_offsets\" : [ 0 , 8 ] , \"shape\" : [ 2 ] ,"
           " \"dtype\" : \"F32\" } } ", 8);
    ACCEPT("{\"a\":" T24 "}", 100); /* uncovered bytes at the end are fine */
    ACCEPT("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]},"
           "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8);
    /* A zero dimension makes the size 0 even when the rest would overflow. */
    ACCEPT("{\"a\":{\"dtype\":\"F64\",\"shape\":[4611686018427387904,0,"
           "4611686018427387904],\"data_offsets\":[0,0]}}", 0);
    ACCEPT("{\"s\":{\"dtype\":\"BF16\",\"shape\":[],\"data_offsets\":[2,4]}}", 4);
    /* Escapes decode to UTF-8: \u00e9 and the pair for U+1F600. */
    b = mk("{\"\\u00e9\\ud83d\\ude00\\n\\/\":" T24 "}", 8, &len);
    ck_assert_int_eq(gsc_st_parse(b, len, &f, err, sizeof err), 0);
    ck_assert_int_eq(f.ntensors, 1);
    ck_assert_str_eq(f.tensors[0].name, "\xc3\xa9\xf0\x9f\x98\x80\n/");
    ck_assert_ptr_eq(f.tensors[0].data, b + len - 8);
    ck_assert_ptr_null(f.owned);
    gsc_st_close(&f);
    free(b);
}
END_TEST

/* --------------------------------------------------- safetensors: rejecting */

START_TEST(st_rejects_truncated)
{
    char path[512], err[256];
    size_t len, cut;
    unsigned char *b;
    GscStFile f;
    tmp_path(path, sizeof path, "trunc.safetensors");
    write_rt(path);
    b = slurp(path, &len);
    remove(path);
    /* Every proper prefix fails: short of the length field, inside the
     * header, or with data missing (the empty tensor sits at the end). */
    for (cut = 0; cut < len; cut++)
        ck_assert_msg(gsc_st_parse(b, cut, &f, err, sizeof err) == -1,
                      "prefix %zu accepted", cut);
    ck_assert_int_eq(gsc_st_parse(b, 5, &f, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "too short"));
    ck_assert_int_eq(gsc_st_parse(b, len - 5, &f, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "past the data buffer"));
    free(b);
}
END_TEST

START_TEST(st_rejects_header_length)
{
    unsigned char b[16] = {0};
    GscStFile f;
    char err[256];
    b[0] = 200; /* 200 bytes of header in a 16-byte file */
    ck_assert_int_eq(gsc_st_parse(b, sizeof b, &f, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "past the end"));
    memset(b, 0xff, 8); /* 2^64 - 1 */
    ck_assert_int_eq(gsc_st_parse(b, sizeof b, &f, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "limit"));
    memset(b, 0, 8);
    b[3] = 0x10; /* 256 MiB: over the cap even though a file could hold it */
    ck_assert_int_eq(gsc_st_parse(b, sizeof b, &f, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "limit"));
    b[3] = 0; /* header length 0: not even "{}" */
    ck_assert_int_eq(gsc_st_parse(b, sizeof b, &f, err, sizeof err), -1);
}
END_TEST

START_TEST(st_rejects_bad_json)
{
    REJECT("", 0, "expected '{'");
    REJECT("[]", 0, "expected '{'");
    REJECT("{", 0, "end of the header");
    REJECT("{\"a\":}", 0, "expected '{'");
    REJECT("{\"a\":" T24 ",}", 8, "expected '\"'");
    REJECT("{\"a\" " T24 "}", 8, "expected ':'");
    REJECT("{'a':" T24 "}", 8, "expected '\"'");
    REJECT("{\"a", 0, "unterminated string");
    REJECT("{\"a\\", 0, "unterminated string");
    REJECT("{\"a\\x\":" T24 "}", 8, "bad escape");
    REJECT("{\"\\u12g4\":" T24 "}", 8, "hex digit");
    REJECT("{\"\\u12", 0, "truncated");
    REJECT("{\"\\ud800\":" T24 "}", 8, "surrogate");
    REJECT("{\"\\ud800\\u0041\":" T24 "}", 8, "surrogate");
    REJECT("{\"\\udc00\":" T24 "}", 8, "lone low surrogate");
    REJECT("{\"\\u0000\":" T24 "}", 8, "u0000");
    REJECT("{\"\xff\":" T24 "}", 8, "UTF-8");
    REJECT("{\"\xc0\xaf\":" T24 "}", 8, "UTF-8"); /* overlong '/' */
    REJECT("{\"\xed\xa0\x80\":" T24 "}", 8, "UTF-8"); /* encoded surrogate */
    REJECT("{\"\xe2\x82\":" T24 "}", 8, "UTF-8"); /* cut sequence */
    REJECT("{\"\xe0\x80\xaf\":" T24 "}", 8, "UTF-8"); /* overlong, 3 bytes */
    REJECT("{\"\xf4\x90\x80\x80\":" T24 "}", 8, "UTF-8"); /* > U+10FFFF */
    REJECT("{\"a\tb\":" T24 "}", 8, "control character");
    REJECT("{\"a\":" T24 "} x", 8, "trailing bytes");
    REJECT("{\"a\":" T24 "}{}", 8, "trailing bytes");
    REJECT("{\"a\":" T24 "\"b\":" T24 "}", 8, "expected ','");
    REJECT("{\"a\":" T24 ",\"a\":" T24 "}", 8, "duplicate tensor \"a\"");
    REJECT("{\"__metadata__\":{},\"__metadata__\":{}}", 0, "duplicate key");
    REJECT("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0, "duplicate key");
    REJECT("{\"__metadata__\":{\"k\":1}}", 0, "must be strings");
    REJECT("{\"__metadata__\":{\"k\":{\"x\":\"y\"}}}", 0, "must be strings");
    REJECT("{\"__metadata__\":[]}", 0, "expected '{'");
}
END_TEST

START_TEST(st_rejects_bad_entries)
{
    REJECT("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],"
           "\"data_offsets\":[0,8]}}", 8, "duplicate key \"dtype\"");
    REJECT("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"shape\":[2],"
           "\"data_offsets\":[0,8]}}", 8, "duplicate key \"shape\"");
    REJECT("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],"
           "\"data_offsets\":[0,8]}}", 8, "duplicate key \"data_offsets\"");
    REJECT("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],"
           "\"extra\":1}}", 8, "unknown field");
    REJECT("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8, "lacks \"data_offsets\"");
    REJECT("{\"a\":{}}", 0, "expected '\"'");
    REJECT("{\"a\":{\"dtype\":\"F32\",\"shape\":[[2]],\"data_offsets\":[0,8]}}",
           8, "non-negative integer");
    REJECT("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}",
           8, "non-negative integer");
    REJECT("{\"a\":{\"dtype\":\"F32\",\"shape\":[02],\"data_offsets\":[0,8]}}",
           8, "leading zero");
    REJECT("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}",
           8, "fraction");
    REJECT("{\"a\":{\"dtype\":\"F32\",\"shape\":[2e0],\"data_offsets\":[0,8]}}",
           8, "fraction");
    REJECT("{\"a\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}",
           8, "non-negative integer");
    REJECT("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,],\"data_offsets\":[0,8]}}",
           8, "non-negative integer");
    REJECT("{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],"
           "\"data_offsets\":[0,8]}}", 8, "too large");
    REJECT("{\"a\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],"
           "\"data_offsets\":[0,4]}}", 8, "more than 8");
    REJECT("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4,8]}}",
           8, "more than 2");
    REJECT("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8]}}",
           8, "exactly 2");
    REJECT("{\"a\":{\"dtype\":\"F17\",\"shape\":[2],\"data_offsets\":[0,8]}}",
           8, "unknown dtype");
    REJECT("{\"a\":{\"dtype\":\"f32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
           8, "unknown dtype");
    REJECT("{\"a\":{\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]}}",
           8, "expected '\"'");
}
END_TEST

START_TEST(st_rejects_bad_offsets)
{
    REJECT("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
           7, "past the data buffer");
    REJECT("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}",
           8, "end before they begin");
    REJECT("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,12]}}",
           12, "give 8 bytes but data_offsets span 12");
    REJECT("{\"a\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[0,24]}}",
           24, "give 12 bytes");
    REJECT("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
           "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
           12, "overlap");
    REJECT("{\"a\":{\"dtype\":\"U8\",\"shape\":[10],\"data_offsets\":[0,10]},"
           "\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[4,6]}}",
           12, "overlap"); /* nested inside another */
    REJECT("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4],"
           "\"data_offsets\":[0,0]}}", 0, "overflows");
    REJECT("{\"a\":{\"dtype\":\"F64\",\"shape\":[2305843009213693952],"
           "\"data_offsets\":[0,0]}}", 0, "overflows");
    REJECT("{\"a\":{\"dtype\":\"U8\",\"shape\":[9223372036854775807],"
           "\"data_offsets\":[0,9223372036854775807]}}", 8, "past the data");
}
END_TEST

/* Every single-byte corruption of a real file either parses or fails
 * cleanly; under ASan/UBSan this proves no out-of-bounds access. */
START_TEST(st_mutation_sweep)
{
    static const unsigned char vals[] = {0, 1, '"', '\\', '{', '}', '[', ']',
                                         ',', ':', '9', ' ', 0x80, 0xff};
    char path[512], err[256];
    size_t len, i, v;
    unsigned char *b, *m;
    GscStFile f;
    tmp_path(path, sizeof path, "mut.safetensors");
    write_rt(path);
    b = slurp(path, &len);
    remove(path);
    for (i = 0; i < len; i++)
        for (v = 0; v < sizeof vals; v++) {
            m = malloc(len); /* exact size, so ASan sees any overread */
            ck_assert_ptr_nonnull(m);
            memcpy(m, b, len);
            m[i] = vals[v];
            if (gsc_st_parse(m, len, &f, err, sizeof err) == 0)
                gsc_st_close(&f);
            free(m);
        }
    free(b);
}
END_TEST

/* ------------------------------------------------ safetensors: load_params */

/* File: a F32 [2,3], b F16 [4], extra F32 [1]. The model wants a [3,2],
 * b F32 [4] and "gone" [1]: four problems, all reported at once. */
static GscStFile problem_file(unsigned char **buf)
{
    size_t len;
    GscStFile f;
    char err[256];
    *buf = mk("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
              "\"b\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[24,32]},"
              "\"extra\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[32,36]}}",
              36, &len);
    ck_assert_msg(gsc_st_parse(*buf, len, &f, err, sizeof err) == 0, "%s", err);
    return f;
}

static const GscTensorInfo problem_tab[] = {
    {"a", 0, 2, {3, 2, 0, 0}},
    {"b", 6, 1, {4, 0, 0, 0}},
    {"gone", 10, 1, {1, 0, 0, 0}},
};

START_TEST(load_params_all_problems)
{
    unsigned char *buf;
    GscStFile f = problem_file(&buf);
    float params[11];
    char err[1024];
    int i;
    gsc_init_fill(params, 11, 7.0f);
    ck_assert_int_eq(gsc_st_load_params(&f, problem_tab, 3, params, err,
                                        sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "a has shape [2, 3] but the model wants [3, 2]"));
    ck_assert_ptr_nonnull(strstr(err, "b is F16 not F32"));
    ck_assert_ptr_nonnull(strstr(err, "missing gone"));
    ck_assert_ptr_nonnull(strstr(err, "unknown extra"));
    for (i = 0; i < 11; i++)
        ck_assert(params[i] == 7.0f); /* nothing copied */
    gsc_st_close(&f);
    free(buf);
}
END_TEST

/* A small err buffer: the list is cut with a count of what was left out. */
START_TEST(load_params_truncated_message)
{
    unsigned char *buf;
    GscStFile f = problem_file(&buf);
    float params[11];
    char err[70], mid[100], tiny[8];
    memset(err, 'X', sizeof err);
    ck_assert_int_eq(gsc_st_load_params(&f, problem_tab, 3, params, err,
                                        sizeof err), -1);
    ck_assert_ptr_nonnull(memchr(err, '\0', sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "a has shape")); /* cut short */
    ck_assert_ptr_nonnull(strstr(err, " ... and 3 more"));
    ck_assert_int_eq(gsc_st_load_params(&f, problem_tab, 3, params, mid,
                                        sizeof mid), -1);
    ck_assert_str_eq(mid, "a has shape [2, 3] but the model wants [3, 2]; "
                          "b is F16 not F32 ... and 2 more");
    ck_assert_int_eq(gsc_st_load_params(&f, problem_tab, 3, params, tiny,
                                        sizeof tiny), -1);
    ck_assert_uint_lt(strlen(tiny), sizeof tiny);
    ck_assert_int_eq(gsc_st_load_params(&f, problem_tab, 3, params, NULL, 0), -1);
    gsc_st_close(&f);
    free(buf);
}
END_TEST

/* A table row no tensor can match is reported, not trusted. */
START_TEST(load_params_bad_row)
{
    unsigned char *buf;
    GscStFile f = problem_file(&buf);
    const GscTensorInfo bad[] = {{"a", 0, 5, {2, 3, 0, 0}}};
    float params[6];
    char err[256];
    ck_assert_int_eq(gsc_st_load_params(&f, bad, 1, params, err, sizeof err),
                     -1);
    ck_assert_ptr_nonnull(strstr(err, "table entry \"a\" is malformed"));
    gsc_st_close(&f);
    free(buf);
}
END_TEST

START_TEST(st_open_missing_file)
{
    GscStFile f;
    char err[256], path[512];
    ck_assert_int_eq(gsc_st_open(tmp_path(path, sizeof path, "none"), &f, err,
                                 sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "cannot open"));
    ck_assert_int_eq(f.ntensors, 0);
}
END_TEST

/* ------------------------------------------------------------------- main */

static Suite *runtime_suite(void)
{
    Suite *s = suite_create("runtime");
    TCase *init = tcase_create("init"), *kern = tcase_create("kernels");
    TCase *st = tcase_create("safetensors");
    tcase_add_test(init, init_seed0_bits);
    tcase_add_test(init, init_seed80_bits);
    tcase_add_test(init, init_stream_matches_definition);
    tcase_add_test(init, init_fill);
    tcase_add_test(kern, out_size_nat);
    tcase_add_test(kern, conv_stride2_pad);
    tcase_add_test(kern, conv_no_flip_corners);
    tcase_add_test(kern, conv_channels);
    tcase_add_test(kern, axis_out_size);
    tcase_add_test(kern, conv_axes_uneven_pad);
    tcase_add_test(kern, batchnorm_cases);
    tcase_add_test(kern, batchnorm_eps);
    tcase_add_test(kern, relu_in_place);
    tcase_add_test(kern, maxpool_negative_padding);
    tcase_add_test(kern, maxpool_empty_window);
    tcase_add_test(kern, maxpool_two_channels);
    tcase_add_test(kern, avgpool_include_pad);
    tcase_add_test(kern, global_avgpool_cases);
    tcase_add_test(kern, linear_cases);
    tcase_add_test(kern, add_aliasing);
    tcase_add_test(kern, softmax_cases);
    tcase_add_test(st, st_round_trip);
    tcase_add_test(st, st_write_atomic);
    tcase_add_test(st, st_write_rejects_bad_table);
    tcase_add_test(st, st_accepts_valid_variants);
    tcase_add_test(st, st_rejects_truncated);
    tcase_add_test(st, st_rejects_header_length);
    tcase_add_test(st, st_rejects_bad_json);
    tcase_add_test(st, st_rejects_bad_entries);
    tcase_add_test(st, st_rejects_bad_offsets);
    tcase_add_test(st, st_mutation_sweep);
    tcase_add_test(st, load_params_all_problems);
    tcase_add_test(st, load_params_truncated_message);
    tcase_add_test(st, load_params_bad_row);
    tcase_add_test(st, st_open_missing_file);
    tcase_set_timeout(st, 60); /* the sweep is slow under sanitizers */
    suite_add_tcase(s, init);
    suite_add_tcase(s, kern);
    suite_add_tcase(s, st);
    return s;
}

int main(void)
{
    return run_suite(runtime_suite(), "gsc_runtime");
}
