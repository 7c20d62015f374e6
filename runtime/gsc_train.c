/*
 * gsc_train.c - optimisers (SGD, Adam, AdamW) and checkpoints.
 *
 * Does: torch.optim 1.13's single-tensor update rules over a flat float
 * array, float operation for float operation (see gsc_train.h for the
 * formulas and for where results can differ from PyTorch's); checkpoints
 * of parameters, optimiser state and hyperparameters in one .safetensors
 * file through gsc_safetensors.c, validated before anything is loaded.
 * Does not: allocate in the optimisers, keep per-tensor hyperparameters
 * (PyTorch's parameter groups: call gsc_opt_step once per group, each with
 * its own configuration and state, on its own part of the arrays), or
 * schedule the learning rate (set cfg.lr between steps).
 *
 * How it stays bit-identical to PyTorch. Each line of PyTorch's Python
 * becomes one float32 operation here, with the same rounding:
 *   - Python float hyperparameters are doubles here; derived constants
 *     (1 - beta1, -lr, lr / (1 - beta1^t), ...) are computed in double,
 *     then rounded to float once, where PyTorch passes them to a kernel;
 *   - x.add_(y, alpha=a) is fmaf(y, a, x): PyTorch's AVX2 / AVX-512 kernel
 *     is vec::fmadd, a fused multiply-add (its scalar tail is compiled with
 *     gcc's contraction on, so it fuses too);
 *   - x.addcmul_(y, z, value=a) is fmaf(a * y, z, x): the kernel's
 *     x + a * y * z, contracted by gcc into an FMA of (a * y) and z;
 *   - x.addcdiv_(y, z, value=a) is x + (a * y) / z, which has nothing to
 *     fuse; x.mul_(a), x.sqrt(), x / a and x.add_(a) are one operation.
 * A compiler that fuses more than this would change the last bit, so no
 * expression here has a multiply feeding an add outside fmaf: clang's
 * default contraction (within an expression) finds nothing, gcc's in GNU
 * modes (across statements) neither, and the one place where a product
 * meets a later sum, AdamW's decay, is a loop of its own (as it is a
 * kernel of its own in PyTorch), or in the AVX2 / AVX-512 pass that fuses
 * the two (adam_vec) a value the compiler cannot see through (ROUNDED).
 * -ffast-math breaks all of this.
 * With -fopenmp the loops over the elements run on OpenMP threads; each
 * element is computed alone, so the results are the same.
 */
#include <locale.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gsc_train.h"
#include "gsc_simd.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* The fewest elements an update splits across OpenMP threads (-D to test
 * the threaded loops on small arrays). */
#ifndef GSC_OPT_THREAD_MIN
#define GSC_OPT_THREAD_MIN 65536
#endif

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF /* gcc warns about the pragma; see above */
#endif

#define fail gsc_st_fail /* gsc_safetensors.c's: the message, then -1 */

/* ------------------------------------------------------------ configuration */

static GscOptConfig config(GscOptKind kind, double lr, double weight_decay)
{
    GscOptConfig c;
    memset(&c, 0, sizeof c);
    c.kind = kind;
    c.lr = lr;
    c.weight_decay = weight_decay;
    if (kind != GSC_OPT_SGD) {
        c.beta1 = 0.9;
        c.beta2 = 0.999;
        c.eps = 1e-8;
    }
    return c;
}

GscOptConfig gsc_sgd_defaults(double lr)
{
    return config(GSC_OPT_SGD, lr, 0.0);
}

GscOptConfig gsc_adam_defaults(void)
{
    return config(GSC_OPT_ADAM, 1e-3, 0.0);
}

GscOptConfig gsc_adamw_defaults(void)
{
    return config(GSC_OPT_ADAMW, 1e-3, 1e-2);
}

const char *gsc_opt_name(GscOptKind kind)
{
    switch (kind) {
    case GSC_OPT_SGD: return "SGD";
    case GSC_OPT_ADAM: return "Adam";
    case GSC_OPT_ADAMW: return "AdamW";
    }
    return NULL;
}

/* Which kinds use a field, as a bit set over GscOptKind. */
#define K_SGD (1u << GSC_OPT_SGD)
#define K_ADAM ((1u << GSC_OPT_ADAM) | (1u << GSC_OPT_ADAMW))

/* The hyperparameters: their PyTorch names (also the checkpoint's metadata
 * keys), where they live in GscOptConfig, and their valid range. */
typedef enum { F_NONNEG, F_ANY, F_UNIT, F_BOOL } FieldType;

static const struct {
    const char *key;
    FieldType type;  /* >= 0; any finite value; in [0, 1); 0 or 1 */
    size_t offset;   /* of a double, or of an int for F_BOOL */
    unsigned kinds;
} fields[] = {
    {"lr", F_NONNEG, offsetof(GscOptConfig, lr), K_SGD | K_ADAM},
    {"momentum", F_NONNEG, offsetof(GscOptConfig, momentum), K_SGD},
    {"dampening", F_ANY, offsetof(GscOptConfig, dampening), K_SGD},
    {"nesterov", F_BOOL, offsetof(GscOptConfig, nesterov), K_SGD},
    {"beta1", F_UNIT, offsetof(GscOptConfig, beta1), K_ADAM},
    {"beta2", F_UNIT, offsetof(GscOptConfig, beta2), K_ADAM},
    {"eps", F_NONNEG, offsetof(GscOptConfig, eps), K_ADAM},
    {"weight_decay", F_NONNEG, offsetof(GscOptConfig, weight_decay),
     K_SGD | K_ADAM},
    {"amsgrad", F_BOOL, offsetof(GscOptConfig, amsgrad), K_ADAM},
    {"maximize", F_BOOL, offsetof(GscOptConfig, maximize), K_SGD | K_ADAM},
};
#define NFIELDS (sizeof fields / sizeof fields[0])

static int uses(const GscOptConfig *c, size_t f)
{
    return (fields[f].kinds >> c->kind) & 1u;
}

static double *num_field(GscOptConfig *c, size_t f)
{
    return (double *)((char *)c + fields[f].offset);
}

static int *bool_field(GscOptConfig *c, size_t f)
{
    return (int *)((char *)c + fields[f].offset);
}

static double num_value(const GscOptConfig *c, size_t f)
{
    return *(const double *)((const char *)c + fields[f].offset);
}

static int bool_value(const GscOptConfig *c, size_t f)
{
    return *(const int *)((const char *)c + fields[f].offset);
}

/* One field against its range. */
static int check_field(const GscOptConfig *c, size_t f, char *err,
                       size_t errlen)
{
    const char *name = gsc_opt_name(c->kind), *key = fields[f].key;
    double x;
    if (fields[f].type == F_BOOL) {
        int b = bool_value(c, f);
        return b == 0 || b == 1 ? 0 : fail(err, errlen, "%s: %s = %d is not "
                                           "0 or 1", name, key, b);
    }
    x = num_value(c, f);
    if (!isfinite(x))
        return fail(err, errlen, "%s: %s = %g is not finite", name, key, x);
    if (fields[f].type == F_NONNEG && x < 0)
        return fail(err, errlen, "%s: %s = %g is not >= 0", name, key, x);
    if (fields[f].type == F_UNIT && !(x >= 0 && x < 1))
        return fail(err, errlen, "%s: %s = %g is not in [0, 1)", name, key, x);
    return 0;
}

int gsc_opt_check(const GscOptConfig *c, char *err, size_t errlen)
{
    size_t f;
    if (!gsc_opt_name(c->kind))
        return fail(err, errlen, "unknown optimiser kind %d", (int)c->kind);
    for (f = 0; f < NFIELDS; f++)
        if (uses(c, f) && check_field(c, f, err, errlen) < 0)
            return -1;
    if (c->kind == GSC_OPT_SGD && c->nesterov &&
        (c->momentum <= 0 || c->dampening != 0))
        return fail(err, errlen, "SGD: nesterov needs momentum > 0 and "
                    "dampening = 0 (momentum = %g, dampening = %g)",
                    c->momentum, c->dampening);
    return 0;
}

/* -------------------------------------------------------------------- state */

/* State buffers a configuration needs: the checkpoint's suffix for each,
 * and where the state keeps it. */
typedef struct {
    const char *suffix;
    float **slot;
} StateBuf;

static int state_buffers(const GscOptConfig *c, GscOptState *st,
                         StateBuf b[3])
{
    int n = 0;
    if (c->kind == GSC_OPT_SGD && c->momentum != 0) {
        b[n].suffix = "momentum_buffer";
        b[n++].slot = &st->momentum_buffer;
    } else if (c->kind == GSC_OPT_ADAM || c->kind == GSC_OPT_ADAMW) {
        b[n].suffix = "exp_avg";
        b[n++].slot = &st->exp_avg;
        b[n].suffix = "exp_avg_sq";
        b[n++].slot = &st->exp_avg_sq;
        if (c->amsgrad) {
            b[n].suffix = "max_exp_avg_sq";
            b[n++].slot = &st->max_exp_avg_sq;
        }
    }
    return n;
}

/* The first buffer c needs that st lacks, or NULL. */
static const char *missing_buffer(const GscOptConfig *c, GscOptState *st)
{
    StateBuf b[3];
    int i, n = state_buffers(c, st, b);
    for (i = 0; i < n; i++)
        if (!*b[i].slot)
            return b[i].suffix;
    return NULL;
}

int64_t gsc_opt_state_floats(const GscOptConfig *cfg, int64_t n)
{
    GscOptState st;
    StateBuf b[3];
    return state_buffers(cfg, &st, b) * n;
}

void gsc_opt_state_init(GscOptState *st, const GscOptConfig *cfg, float *mem,
                        int64_t n)
{
    StateBuf b[3];
    int i, nb;
    memset(st, 0, sizeof *st);
    nb = state_buffers(cfg, st, b);
    for (i = 0; i < nb && mem; i++) {
        *b[i].slot = mem + (int64_t)i * n;
        if (n > 0)
            memset(*b[i].slot, 0, (size_t)n * sizeof(float));
    }
}

/* -------------------------------------------------------------- optimisers */

/*
 * torch/optim/sgd.py, _single_tensor_sgd. Its first step is the one whose
 * momentum buffer is still None; here that is step 1. The flags are read
 * into locals and the arrays are restrict, so that the loop vectorises.
 */
static void sgd_step(const GscOptConfig *c, int first, float *restrict p,
                     const float *restrict grad, float *restrict buf,
                     int64_t n)
{
    const float wd = (float)c->weight_decay;         /* alpha=weight_decay */
    const float mom = (float)c->momentum;            /* buf.mul_(momentum) */
    const float keep = (float)(1.0 - c->dampening);  /* alpha=1 - dampening */
    const float neg_lr = (float)(-c->lr);            /* alpha=-lr */
    const int maximize = c->maximize, nesterov = c->nesterov;
    const int decay = c->weight_decay != 0, momentum = c->momentum != 0;
    int64_t i;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (n >= GSC_OPT_THREAD_MIN)
#endif
    for (i = 0; i < n; i++) {
        float d = maximize ? -grad[i] : grad[i];
        if (decay)
            d = fmaf(p[i], wd, d);                   /* d_p.add(param, ...) */
        if (momentum) {
            buf[i] = first ? d : fmaf(d, keep, buf[i] * mom);
            d = nesterov ? fmaf(buf[i], mom, d) : buf[i];
        }
        p[i] = fmaf(d, neg_lr, p[i]);                /* param.add_(d_p, ...) */
    }
}

/* torch.maximum: NaN if either is NaN. */
static float maximum(float a, float b)
{
    if (a != a || b != b)
        return a != a ? a : b;
    return a > b ? a : b;
}

/*
 * 1 - lr * weight_decay as Python computes it: the product rounded to double
 * before the subtraction. The volatile keeps a compiler that contracts
 * across statements (gcc in GNU modes) from fusing the two into one FMA.
 */
static double one_minus_product(double a, double b)
{
    volatile double ab = a * b;
    return 1.0 - ab;
}

/* Adam's per-step constants, as adam_step derives them. */
typedef struct {
    float wd, b1, omb1, b2, omb2, bc2_sqrt, eps, neg_step_size, decay;
    int maximize, amsgrad, l2, decoupled;
} AdamK;

/* One element's update after the decoupled decay (p already p * decay). */
static void adam_one(const AdamK *k, float *restrict p, const float *restrict grad, float *restrict m,
                     float *restrict v, float *restrict vmax, int64_t i)
{
    float g = k->maximize ? -grad[i] : grad[i], vhat, denom;
    if (k->l2)
        g = fmaf(p[i], k->wd, g);                    /* grad.add(param, ...) */
    m[i] = fmaf(g, k->omb1, m[i] * k->b1);           /* mul_(beta1).add_ */
    v[i] = fmaf(k->omb2 * g, g, v[i] * k->b2);       /* mul_(beta2).addcmul_ */
    vhat = v[i];
    if (k->amsgrad)
        vhat = vmax[i] = maximum(vmax[i], v[i]);
    denom = sqrtf(vhat) / k->bc2_sqrt + k->eps;      /* (sqrt / bc2_sqrt).add_ */
    p[i] = p[i] + (k->neg_step_size * m[i]) / denom; /* addcdiv_ */
}

/* Elements lo..hi-1 in PyTorch's two kernels: param.mul_(1 - lr * weight_decay)
 * over all of them, then the update. The decay is a loop of its own so that
 * nothing fuses its product with the update's sum. */
static void adam_range(const AdamK *k, float *restrict p, const float *restrict grad, float *restrict m,
                       float *restrict v, float *restrict vmax, int64_t lo, int64_t hi)
{
    int64_t i;
    if (k->decoupled)
        for (i = lo; i < hi; i++)
            p[i] = p[i] * k->decay;
    for (i = lo; i < hi; i++)
        adam_one(k, p, grad, m, v, vmax, i);
}

#if VW > 1
/* Keeps the compiler from contracting the product x into a later sum
 * (gcc in GNU modes fuses intrinsics' multiplies and adds too). */
#define ROUNDED(x) __asm__("" : "+v"(x))

/* VW elements from i, the same operations as adam_range's in one pass
 * (without amsgrad): the decayed parameter is rounded, then updated. */
GF_INLINE void adam_vec(const AdamK *k, float *restrict p, const float *restrict grad, float *restrict m,
                        float *restrict v, int64_t i)
{
    VT pv = VLOAD(p + i), g = VLOAD(grad + i), mv, vv, denom, step;
    if (k->decoupled) {
        pv = VMUL(pv, VSET1(k->decay));
        ROUNDED(pv);
    }
    if (k->maximize)
        g = VMUL(g, VSET1(-1.0f)); /* -g, exactly */
    if (k->l2)
        g = VFMA_EXACT(pv, VSET1(k->wd), g);
    mv = VFMA_EXACT(g, VSET1(k->omb1), VMUL(VLOAD(m + i), VSET1(k->b1)));
    vv = VFMA_EXACT(VMUL(VSET1(k->omb2), g), g, VMUL(VLOAD(v + i), VSET1(k->b2)));
    denom = VADD(VDIV(VSQRT(vv), VSET1(k->bc2_sqrt)), VSET1(k->eps));
    step = VDIV(VMUL(VSET1(k->neg_step_size), mv), denom);
    VSTORE(m + i, mv);
    VSTORE(v + i, vv);
    VSTORE(p + i, VADD(pv, step));
}
#endif

/*
 * torch/optim/adam.py, _single_tensor_adam, and adamw.py,
 * _single_tensor_adamw (decoupled = 1), for capturable = differentiable =
 * False. PyTorch's step is a float32 tensor read back with .item(); ours is
 * an int64, the same number below 2^24 steps (past that PyTorch's counter
 * stops, ours does not; both bias corrections are 1 by then unless a beta
 * is within about 1e-6 of 1). With AVX2 or AVX-512 (and without amsgrad)
 * the decay and the update are one pass over the arrays, VW elements at a
 * time with the same float32 operations; else two passes as PyTorch's.
 */
static void adam_step(const GscOptConfig *c, int64_t step, float *restrict p,
                      const float *restrict grad, float *restrict m,
                      float *restrict v, float *restrict vmax, int64_t n,
                      int decoupled)
{
    const double t = (double)step;
    const double bc1 = 1.0 - pow(c->beta1, t);       /* bias_correction1 */
    const double bc2 = 1.0 - pow(c->beta2, t);       /* bias_correction2 */
    AdamK k;
    int64_t nb = 0;
    k.wd = (float)c->weight_decay;
    k.b1 = (float)c->beta1, k.omb1 = (float)(1.0 - c->beta1);
    k.b2 = (float)c->beta2, k.omb2 = (float)(1.0 - c->beta2);
    k.bc2_sqrt = (float)sqrt(bc2);                   /* math.sqrt */
    k.eps = (float)c->eps;
    k.neg_step_size = (float)(-(c->lr / bc1));       /* value=-step_size */
    k.decay = (float)one_minus_product(c->lr, c->weight_decay);
    k.maximize = c->maximize, k.amsgrad = c->amsgrad;
    k.l2 = !decoupled && c->weight_decay != 0;
    k.decoupled = decoupled;
#if VW > 1
    if (!k.amsgrad) {
        int64_t b;
        nb = n / VW;
        /* each element on its own: threads (with -fopenmp) change no result */
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (n >= GSC_OPT_THREAD_MIN)
#endif
        for (b = 0; b < nb; b++)
            adam_vec(&k, p, grad, m, v, b * VW);
        nb *= VW;
    }
#endif
#ifdef _OPENMP
    if (n - nb >= GSC_OPT_THREAD_MIN) {
#pragma omp parallel
        {
            int64_t nt = omp_get_num_threads(), id = omp_get_thread_num();
            adam_range(&k, p, grad, m, v, vmax, nb + (n - nb) * id / nt, nb + (n - nb) * (id + 1) / nt);
        }
        return;
    }
#endif
    adam_range(&k, p, grad, m, v, vmax, nb, n);
}

int gsc_opt_step(const GscOptConfig *cfg, GscOptState *st, float *params,
                 const float *grads, int64_t n)
{
    if (gsc_opt_check(cfg, NULL, 0) < 0 || n < 0 ||
        (n > 0 && (!params || !grads || missing_buffer(cfg, st))))
        return -1;
    st->step++;
    if (n == 0)
        return 0;
    if (cfg->kind == GSC_OPT_SGD)
        sgd_step(cfg, st->step == 1, params, grads, st->momentum_buffer, n);
    else
        adam_step(cfg, st->step, params, grads, st->exp_avg, st->exp_avg_sq,
                  st->max_exp_avg_sq, n, cfg->kind == GSC_OPT_ADAMW);
    return 0;
}

/* ------------------------------------------------------ numbers in metadata */

/* snprintf and strtod follow LC_NUMERIC; the file always has '.'. */
static const char *decimal_point(void)
{
    const char *d = localeconv()->decimal_point;
    return d && *d ? d : ".";
}

/* A JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int json_number(const char *s)
{
    if (*s == '-')
        s++;
    if (*s == '0')
        s++;
    else if (*s >= '1' && *s <= '9')
        while (*s >= '0' && *s <= '9')
            s++;
    else
        return 0;
    if (*s == '.') {
        if (!(*++s >= '0' && *s <= '9'))
            return 0;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!(*s >= '0' && *s <= '9'))
            return 0;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    return *s == '\0';
}

/* s with its first occurrence of `from` replaced by `to`, into out. */
static void replace_once(char *out, size_t outlen, const char *s,
                         const char *from, const char *to)
{
    const char *at = strstr(s, from);
    if (!at || strcmp(from, to) == 0) {
        snprintf(out, outlen, "%s", s);
        return;
    }
    snprintf(out, outlen, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
}

/* A finite double from a JSON number; 0 ok, -1 if s is not one. */
static int parse_double(const char *s, double *x)
{
    char buf[80];
    char *end;
    if (strlen(s) > 40 || !json_number(s))
        return -1;
    replace_once(buf, sizeof buf, s, ".", decimal_point());
    *x = strtod(buf, &end);
    return *end == '\0' && isfinite(*x) ? 0 : -1;
}

/* The shortest "%.*g" form of a finite x that reads back as x. */
static void format_double(char *out, size_t outlen, double x)
{
    char tmp[32]; /* "%.17g" of a double is at most 24 bytes */
    double y;
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, x);
        replace_once(out, outlen, tmp, decimal_point(), ".");
        if (parse_double(out, &y) == 0 && y == x)
            return;
    }
}

/* A step count: decimal digits, no sign, no leading zero, <= INT64_MAX. */
static int parse_step(const char *s, int64_t *step)
{
    *step = 0;
    if (!*s || (s[0] == '0' && s[1]))
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || *step > (INT64_MAX - (*s - '0')) / 10)
            return -1;
        *step = *step * 10 + (*s - '0');
    }
    return 0;
}

/* ----------------------------------------------------------- the metadata */

#define CKPT_VERSION "1"
#define CKPT_MAX_PAIRS 16

/* The metadata keys every checkpoint has, beside the hyperparameters. */
static int fixed_key(const char *key)
{
    return strcmp(key, "format") == 0 || strcmp(key, "gsc.checkpoint") == 0 ||
           strcmp(key, "optimizer") == 0 || strcmp(key, "step") == 0;
}

/* The pairs gsc_ckpt_save writes; values are formatted into vals. Returns
 * how many. */
static int config_pairs(const GscOptConfig *c, int64_t step,
                        GscStPair pairs[CKPT_MAX_PAIRS],
                        char vals[CKPT_MAX_PAIRS][48])
{
    size_t f;
    int n = 0;
    pairs[n].key = "format";
    pairs[n++].value = "pt";
    pairs[n].key = "gsc.checkpoint";
    pairs[n++].value = CKPT_VERSION;
    pairs[n].key = "optimizer";
    pairs[n++].value = gsc_opt_name(c->kind);
    snprintf(vals[n], sizeof vals[n], "%lld", (long long)step);
    pairs[n].key = "step";
    pairs[n].value = vals[n];
    n++;
    for (f = 0; f < NFIELDS; f++) {
        if (!uses(c, f))
            continue;
        if (fields[f].type == F_BOOL)
            snprintf(vals[n], sizeof vals[n], "%s",
                     bool_value(c, f) ? "true" : "false");
        else
            format_double(vals[n], sizeof vals[n], num_value(c, f));
        pairs[n].key = fields[f].key;
        pairs[n].value = vals[n];
        n++;
    }
    return n;
}

/* One hyperparameter from the metadata into *c. */
static int read_field(const GscStMeta *m, GscOptConfig *c, size_t f,
                      char *err, size_t errlen)
{
    const char *key = fields[f].key, *v = gsc_st_meta_get(m, key);
    if (!v)
        return fail(err, errlen, "the checkpoint's metadata lacks \"%s\"",
                    key);
    if (fields[f].type == F_BOOL) {
        if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
            return fail(err, errlen, "metadata \"%s\" is \"%.40s\", not true "
                        "or false", key, v);
        *bool_field(c, f) = strcmp(v, "true") == 0;
        return 0;
    }
    if (parse_double(v, num_field(c, f)) < 0)
        return fail(err, errlen, "metadata \"%s\" is \"%.40s\", not a finite "
                    "number", key, v);
    return 0;
}

/* The optimiser kind named by the metadata. */
static int read_kind(const GscStMeta *m, GscOptKind *kind, char *err,
                     size_t errlen)
{
    const char *v = gsc_st_meta_get(m, "gsc.checkpoint");
    int k;
    if (!v)
        return fail(err, errlen, "not a gsc checkpoint (no \"gsc.checkpoint\" "
                    "in its __metadata__)");
    if (strcmp(v, CKPT_VERSION) != 0)
        return fail(err, errlen, "checkpoint version \"%.40s\" is not "
                    CKPT_VERSION, v);
    v = gsc_st_meta_get(m, "format");
    if (v && strcmp(v, "pt") != 0)
        return fail(err, errlen, "metadata \"format\" is \"%.40s\", not pt", v);
    v = gsc_st_meta_get(m, "optimizer");
    if (!v)
        return fail(err, errlen, "the checkpoint's metadata lacks "
                    "\"optimizer\"");
    for (k = GSC_OPT_SGD; k <= GSC_OPT_ADAMW; k++)
        if (strcmp(v, gsc_opt_name((GscOptKind)k)) == 0) {
            *kind = (GscOptKind)k;
            return 0;
        }
    return fail(err, errlen, "unknown optimizer \"%.40s\" (SGD, Adam or "
                "AdamW)", v);
}

/* The configuration and step in a checkpoint's metadata, fully checked. */
static int read_config(const GscStMeta *m, GscOptConfig *c, int64_t *step,
                       char *err, size_t errlen)
{
    GscOptKind kind = GSC_OPT_SGD;
    const char *v;
    size_t f;
    int i;
    if (read_kind(m, &kind, err, errlen) < 0)
        return -1;
    *c = config(kind, 0.0, 0.0);
    for (i = 0; i < m->npairs; i++) {
        const char *key = m->pairs[i].key;
        int known = fixed_key(key);
        for (f = 0; f < NFIELDS && !known; f++)
            known = uses(c, f) && strcmp(fields[f].key, key) == 0;
        if (!known)
            return fail(err, errlen, "unknown metadata key \"%.60s\" for %s",
                        key, gsc_opt_name(kind));
    }
    for (f = 0; f < NFIELDS; f++)
        if (uses(c, f) && read_field(m, c, f, err, errlen) < 0)
            return -1;
    v = gsc_st_meta_get(m, "step");
    if (!v)
        return fail(err, errlen, "the checkpoint's metadata lacks \"step\"");
    if (parse_step(v, step) < 0)
        return fail(err, errlen, "metadata \"step\" is \"%.40s\", not a step "
                    "count", v);
    return gsc_opt_check(c, err, errlen);
}

/* ---------------------------------------------------------- the tensors */

/* Table rows a checkpoint can hold (gsc_st_load_params's rules). */
static int check_table(const GscTensorInfo *tab, int ntab, char *err,
                       size_t errlen)
{
    int i, d;
    if (ntab < 0)
        return fail(err, errlen, "negative table size %d", ntab);
    for (i = 0; i < ntab; i++) {
        int bad = !tab[i].name || tab[i].rank < 0 || tab[i].rank > 4 ||
                  tab[i].offset < 0;
        for (d = 0; d < tab[i].rank && !bad; d++)
            bad = tab[i].shape[d] < 0;
        if (bad)
            return fail(err, errlen, "table entry %d (\"%.100s\") is "
                        "malformed", i, tab[i].name ? tab[i].name : "");
    }
    return 0;
}

/* One list entry: a table row's shape, data at base + its offset. */
static void entry(GscStF32 *e, const char *name, const GscTensorInfo *row,
                  float *base)
{
    int d;
    memset(e, 0, sizeof *e);
    e->name = name;
    e->rank = row->rank;
    for (d = 0; d < row->rank; d++)
        e->shape[d] = row->shape[d];
    e->data = base + row->offset;
}

static void free_list(GscStF32 *list, int ntab, int nb)
{
    int i;
    if (!list)
        return;
    for (i = ntab; i < ntab * (1 + nb); i++)
        free((char *)list[i].name);
    free(list);
}

/*
 * The checkpoint's tensors: the table's rows into params, then for each
 * state buffer every row again as "<name>.<suffix>" into that buffer.
 * *out has ntab * (1 + nb) entries; free it with free_list.
 */
static int build_list(const GscTensorInfo *tab, int ntab, float *params,
                      const StateBuf *b, int nb, GscStF32 **out, char *err,
                      size_t errlen)
{
    GscStF32 *list;
    int i, k;
    *out = NULL;
    if (ntab > 0 && (size_t)ntab * (size_t)(1 + nb) > INT32_MAX / 2)
        return fail(err, errlen, "table too large");
    list = calloc((size_t)ntab * (size_t)(1 + nb) + 1, sizeof *list);
    if (!list)
        return fail(err, errlen, "out of memory");
    for (i = 0; i < ntab; i++)
        entry(&list[i], tab[i].name, &tab[i], params);
    for (k = 0; k < nb; k++)
        for (i = 0; i < ntab; i++) {
            size_t len = strlen(tab[i].name) + strlen(b[k].suffix) + 2;
            char *name = malloc(len);
            if (!name) {
                free_list(list, ntab, nb);
                return fail(err, errlen, "out of memory");
            }
            snprintf(name, len, "%s.%s", tab[i].name, b[k].suffix);
            entry(&list[ntab * (k + 1) + i], name, &tab[i], *b[k].slot);
        }
    *out = list;
    return 0;
}

/* ------------------------------------------------------------ checkpoints */

int gsc_ckpt_save(const char *path, const GscTensorInfo *tab, int ntab,
                  const float *params, const GscOptConfig *cfg,
                  const GscOptState *st, char *err, size_t errlen)
{
    GscOptState s = *st;
    GscStPair pairs[CKPT_MAX_PAIRS];
    char vals[CKPT_MAX_PAIRS][48];
    StateBuf b[3];
    GscStF32 *list;
    const char *lacks;
    int nb, np, rc;
    if (gsc_opt_check(cfg, err, errlen) < 0 ||
        check_table(tab, ntab, err, errlen) < 0)
        return -1;
    if (st->step < 0)
        return fail(err, errlen, "negative step %lld", (long long)st->step);
    lacks = missing_buffer(cfg, &s);
    if (lacks && ntab > 0)
        return fail(err, errlen, "the %s state has no %s buffer",
                    gsc_opt_name(cfg->kind), lacks);
    nb = state_buffers(cfg, &s, b);
    if (build_list(tab, ntab, (float *)params, b, nb, &list, err, errlen) < 0)
        return -1; /* params is only read: the writer reads list's data */
    np = config_pairs(cfg, st->step, pairs, vals);
    rc = gsc_st_write_f32(path, list, ntab * (1 + nb), pairs, np, err, errlen);
    free_list(list, ntab, nb);
    return rc;
}

/* "<path>: " at the start of err; returns its length (clipped to err). */
static size_t path_prefix(char *err, size_t errlen, const char *path)
{
    int k;
    if (!err || errlen == 0)
        return 0;
    k = snprintf(err, errlen, "%s: ", path);
    return k < 0 ? 0 : (size_t)k < errlen ? (size_t)k : errlen - 1;
}

/* The tensors of f into params and st's buffers (for cfg), all or nothing. */
static int load_tensors(const GscStFile *f, const GscTensorInfo *tab,
                        int ntab, float *params, const GscOptConfig *cfg,
                        GscOptState *st, char *err, size_t errlen)
{
    StateBuf b[3];
    GscStF32 *list;
    const char *lacks = missing_buffer(cfg, st);
    int nb = state_buffers(cfg, st, b), rc;
    if (lacks && ntab > 0)
        return fail(err, errlen, "the checkpoint's %s state has %s, but the "
                    "GscOptState has no buffer for it",
                    gsc_opt_name(cfg->kind), lacks);
    if (build_list(tab, ntab, params, b, nb, &list, err, errlen) < 0)
        return -1;
    rc = gsc_st_load_f32(f, list, ntab * (1 + nb), err, errlen);
    free_list(list, ntab, nb);
    return rc;
}

int gsc_ckpt_load(const char *path, const GscTensorInfo *tab, int ntab,
                  float *params, GscOptConfig *cfg, GscOptState *st,
                  char *err, size_t errlen)
{
    GscStFile f;
    GscStMeta meta;
    GscOptConfig got;
    int64_t step = 0;
    size_t k;
    char *msg;
    int rc;
    if (check_table(tab, ntab, err, errlen) < 0)
        return -1;
    if (gsc_st_open_meta(path, &f, &meta, err, errlen) < 0)
        return -1;
    k = path_prefix(err, errlen, path); /* then the message after it */
    msg = err ? err + k : NULL;
    rc = read_config(&meta, &got, &step, msg, errlen - k);
    if (rc == 0 && got.kind != cfg->kind)
        rc = fail(msg, errlen - k, "the checkpoint's optimizer is %s, not %s",
                  gsc_opt_name(got.kind),
                  gsc_opt_name(cfg->kind) ? gsc_opt_name(cfg->kind) : "known");
    if (rc == 0)
        rc = load_tensors(&f, tab, ntab, params, &got, st, msg, errlen - k);
    if (rc == 0) {
        *cfg = got;
        st->step = step;
        if (err && errlen)
            err[0] = '\0';
    }
    gsc_st_meta_free(&meta);
    gsc_st_close(&f);
    return rc;
}

int gsc_ckpt_read_config(const char *path, GscOptConfig *cfg, int64_t *step,
                         char *err, size_t errlen)
{
    GscStFile f;
    GscStMeta meta;
    GscOptConfig got;
    int64_t s = 0;
    size_t k;
    int rc;
    if (gsc_st_open_meta(path, &f, &meta, err, errlen) < 0)
        return -1;
    k = path_prefix(err, errlen, path);
    rc = read_config(&meta, &got, &s, err ? err + k : NULL, errlen - k);
    if (rc == 0) {
        *cfg = got;
        if (step)
            *step = s;
        if (err && errlen)
            err[0] = '\0';
    }
    gsc_st_meta_free(&meta);
    gsc_st_close(&f);
    return rc;
}
