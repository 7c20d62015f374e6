/*
 * gsc_train.h - optimisers and checkpoints for training gsc models.
 *
 * Two sections, one per source file:
 *
 *   gsc_train.c        SGD, Adam and AdamW over a flat float array, with the
 *                      update rules of torch.optim 1.13 (its single-tensor,
 *                      foreach=False code path); checkpoints of parameters,
 *                      optimiser state and hyperparameters in one
 *                      .safetensors file
 *   gsc_safetensors.c  the general safetensors writer and the __metadata__
 *                      reader the checkpoints are built on (the rest of that
 *                      file is declared in gsc_runtime.h)
 *
 * A training step with a generated P_grad (which ADDS d loss / d params
 * into grads, in the layout of params):
 *
 *   memset(grads, 0, PU_NUM_PARAMS * sizeof *grads);
 *   for each example of the batch: P_grad(params, input, label, grads, ws);
 *   gsc_opt_step(&cfg, &state, params, grads, PU_NUM_PARAMS);
 *
 * C99, libc and libm only; no global state, no threads of its own (built
 * with -fopenmp, an update runs on OpenMP threads). The optimisers do
 * not allocate: their state is caller-owned memory of n floats per buffer.
 * The checkpoint functions and the safetensors section allocate, and say so.
 * Every identifier is prefixed gsc_ / Gsc / GSC_. Errors are a return value
 * of -1 and a one-line message in err[errlen] (err may be NULL or errlen 0).
 *
 * Bit-for-bit agreement with PyTorch (tools/test_optim_torch.py checks it):
 * every float32 operation is the one PyTorch's CPU kernels do, in the same
 * order, with the same roundings of the double hyperparameters to float.
 * PyTorch's vectorised kernels fuse a multiply and an add into one rounding
 * (FMA) in add(x, alpha=a) and addcmul; gsc_train.c calls fmaf there, which
 * is exact everywhere (a hardware FMA when compiled with -mfma or
 * -march=native, a correctly rounded libm call otherwise). Where the
 * results can still differ, gsc_train.c says so at the code; in short:
 * PyTorch run on a CPU without AVX2 (its "default" kernels do not fuse),
 * PyTorch's float32 step counter, which stops at 2^24 steps (ours is an
 * int64), and any build with -ffast-math or its -ffp-contract=fast parts
 * applied to expressions the code keeps apart (it is written so that gcc's
 * and clang's default contraction has nothing to fuse).
 */
#ifndef GSC_TRAIN_H
#define GSC_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "gsc_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ----------------------------------------------------------- gsc_train.c */

typedef enum {
    GSC_OPT_SGD = 1,  /* torch.optim.SGD */
    GSC_OPT_ADAM = 2, /* torch.optim.Adam */
    GSC_OPT_ADAMW = 3 /* torch.optim.AdamW */
} GscOptKind;

/*
 * An optimiser and its hyperparameters, with PyTorch's names and meanings.
 * They are doubles, as PyTorch's are Python floats: the float32 constants
 * of the update (1 - beta1, -lr, ...) are computed in double and rounded
 * once, as PyTorch does. Fields another kind does not use are ignored.
 */
typedef struct {
    GscOptKind kind;
    double lr;           /* all; SGD has no default */
    double momentum;     /* SGD: 0 = plain SGD, no momentum buffer */
    double dampening;    /* SGD */
    int nesterov;        /* SGD: needs momentum > 0 and dampening 0 */
    double beta1, beta2; /* Adam, AdamW: PyTorch's betas */
    double eps;          /* Adam, AdamW: added to sqrt(v_hat) */
    int amsgrad;         /* Adam, AdamW: needs the max_exp_avg_sq buffer */
    double weight_decay; /* SGD, Adam: L2, added to the gradient;
                            AdamW: decoupled, params *= 1 - lr * wd */
    int maximize;        /* all: ascend (the gradient is negated) */
} GscOptConfig;

/* PyTorch's defaults: SGD(lr) momentum 0, dampening 0, weight_decay 0, no
 * nesterov; Adam lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0;
 * AdamW the same with weight_decay 1e-2; amsgrad and maximize off. */
GscOptConfig gsc_sgd_defaults(double lr);
GscOptConfig gsc_adam_defaults(void);
GscOptConfig gsc_adamw_defaults(void);

/* "SGD", "Adam", "AdamW" (torch.optim's class names), or NULL. */
const char *gsc_opt_name(GscOptKind kind);

/*
 * 0 if cfg is usable, else -1 and the reason, e.g. "Adam: beta1 = 1 is not
 * in [0, 1)". PyTorch's checks (lr, eps, weight_decay, momentum >= 0; betas
 * in [0, 1); nesterov needs momentum > 0 and dampening 0), and also: every
 * value finite (PyTorch lets a NaN lr through to SGD), booleans 0 or 1.
 */
int gsc_opt_check(const GscOptConfig *cfg, char *err, size_t errlen);

/*
 * The optimiser's state for n parameters; the buffers are the caller's and
 * hold PyTorch's per-parameter state in the layout of params. step counts
 * the steps taken: gsc_opt_step increments it first, so the first step is
 * step 1 (PyTorch's bias correction uses it; SGD's first step copies the
 * gradient into the momentum buffer instead of decaying it).
 */
typedef struct {
    int64_t step;
    float *momentum_buffer; /* [n] SGD with momentum != 0, else unused */
    float *exp_avg;         /* [n] Adam, AdamW: first moment m */
    float *exp_avg_sq;      /* [n] Adam, AdamW: second moment v */
    float *max_exp_avg_sq;  /* [n] Adam, AdamW with amsgrad, else unused */
} GscOptState;

/* Floats of state that cfg needs for n parameters: SGD n with momentum, 0
 * without; Adam and AdamW 2n, 3n with amsgrad. */
int64_t gsc_opt_state_floats(const GscOptConfig *cfg, int64_t n);

/*
 * Points st's buffers into mem[gsc_opt_state_floats(cfg, n)] (one after
 * another: momentum_buffer, or exp_avg, exp_avg_sq, max_exp_avg_sq), fills
 * them with 0 (PyTorch's initial state), sets the unused ones to NULL and
 * step to 0. mem may be NULL when that size is 0.
 */
void gsc_opt_state_init(GscOptState *st, const GscOptConfig *cfg, float *mem,
                        int64_t n);

/*
 * One optimiser step: st->step += 1, then updates params and st's buffers
 * in place from grads, elementwise, exactly as torch.optim's step() on a
 * parameter with this .grad. grads is only read (zero it yourself before
 * accumulating the next batch, as with PyTorch's zero_grad()). n = 0 only
 * counts the step. No two of the arrays may overlap. Returns 0, or -1
 * without touching anything when cfg fails gsc_opt_check or a buffer it
 * needs is NULL.
 *
 *   SGD:   g = grad (+ wd * p); with momentum: b = g on the first step,
 *          else b = momentum * b + (1 - dampening) * g; g = nesterov ?
 *          g + momentum * b : b; p -= lr * g
 *   Adam:  g = grad (+ wd * p); m = beta1 * m + (1 - beta1) * g;
 *          v = beta2 * v + (1 - beta2) * g * g; (amsgrad: vmax = max(vmax,
 *          v), used for v below); denom = sqrt(v) / sqrt(1 - beta2^t) + eps;
 *          p -= (lr / (1 - beta1^t)) * m / denom
 *   AdamW: p *= 1 - lr * wd first, then Adam without the L2 term
 */
int gsc_opt_step(const GscOptConfig *cfg, GscOptState *st,
                 float *params,       /* [n] */
                 const float *grads,  /* [n] */
                 int64_t n);

/*
 * Checkpoints: one .safetensors file (loadable by any safetensors reader)
 * holding, all F32 in the table's shapes,
 *   <name>                   every parameter tensor of the table
 *   <name>.momentum_buffer   SGD with momentum
 *   <name>.exp_avg, <name>.exp_avg_sq, (amsgrad) <name>.max_exp_avg_sq
 *                            Adam, AdamW
 * (PyTorch's state names), and as __metadata__ strings
 *   "format": "pt", "gsc.checkpoint": "1", "optimizer": "SGD" | "Adam" |
 *   "AdamW", "step": "<int>", and the kind's hyperparameters with PyTorch's
 *   names: lr, momentum, dampening, nesterov, weight_decay, maximize (SGD);
 *   lr, beta1, beta2, eps, weight_decay, amsgrad, maximize (Adam, AdamW).
 * Numbers are written in the shortest decimal form that reads back as the
 * same double (the C locale's, whatever the program's locale), booleans as
 * "true" / "false". A run stopped after step k, saved and loaded into fresh
 * buffers continues bit-identically to one that never stopped.
 */

/*
 * Writes params and st (both in the layout the table describes) with cfg's
 * hyperparameters to path. Atomic like gsc_st_write: "<path>.tmp", then a
 * rename, so an existing file is never left half-written. Refuses a cfg
 * that fails gsc_opt_check, or a state lacking a buffer cfg needs.
 * Allocates the header and the state tensors' names.
 */
int gsc_ckpt_save(const char *path, const GscTensorInfo *tab, int ntab,
                  const float *params, /* [the table's extent] */
                  const GscOptConfig *cfg, const GscOptState *st,
                  char *err, size_t errlen);

/*
 * Loads a checkpoint written by gsc_ckpt_save for this table. cfg->kind
 * must be the checkpoint's optimiser; on success *cfg becomes the
 * checkpoint's hyperparameters (as PyTorch's load_state_dict restores
 * them; change lr afterwards for a schedule), st->step its step, and
 * params and st's buffers its tensors. st must have every buffer that the
 * checkpoint's configuration needs (gsc_ckpt_read_config tells which).
 * Everything is validated before anything is written: the metadata (every
 * key known and present, numbers well-formed, the hyperparameters passing
 * gsc_opt_check), and every tensor present as F32 in its table shape with
 * none extra; on failure params, *cfg and *st are untouched and err says
 * what is wrong, e.g. "ck.safetensors: missing fc.bias.exp_avg; unknown
 * foo". Allocates the file's contents while it runs.
 */
int gsc_ckpt_load(const char *path, const GscTensorInfo *tab, int ntab,
                  float *params, /* [the table's extent] */
                  GscOptConfig *cfg, GscOptState *st,
                  char *err, size_t errlen);

/* The optimiser configuration and step of a checkpoint, validated as
 * gsc_ckpt_load validates them (the tensors are not checked). step may be
 * NULL. Reads the whole file. */
int gsc_ckpt_read_config(const char *path, GscOptConfig *cfg, int64_t *step,
                         char *err, size_t errlen);

/* ----------------------------------------------------- gsc_safetensors.c */

/*
 * The general forms of gsc_st_write and gsc_st_load_params: F32 tensors
 * anywhere in memory, and __metadata__ string pairs; and the error helper.
 * (Declared here rather than in gsc_runtime.h while the training runtime
 * is new; gsc_safetensors.c includes this header.)
 */

#if defined(__GNUC__)
#define GSC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define GSC_PRINTF(f, a)
#endif

/* The runtime's error convention, for code built on it (gsc_train.c):
 * formats the message into err[errlen] when err is not NULL and errlen > 0,
 * and returns -1. */
int gsc_st_fail(char *err, size_t errlen, const char *fmt, ...)
    GSC_PRINTF(3, 4);

/* One F32 tensor in memory, row-major. */
typedef struct {
    const char *name;                 /* UTF-8 */
    int rank;                         /* 0..GSC_ST_MAX_RANK */
    int64_t shape[GSC_ST_MAX_RANK];   /* [rank] */
    float *data;                      /* [product(shape)]; only read by the
                                         writer; NULL ok when it is empty */
} GscStF32;

/* One __metadata__ entry: both strings UTF-8 and NUL-terminated. */
typedef struct {
    const char *key;
    const char *value;
} GscStPair;

/* A file's __metadata__, in file order; the strings are owned by it. */
typedef struct {
    GscStPair *pairs; /* [npairs] */
    int npairs;
} GscStMeta;

/*
 * Writes the nt tensors, in list order, and the nmeta pairs (no
 * __metadata__ at all when nmeta is 0) to path, atomically like
 * gsc_st_write, whose layout it shares (JSON padded to 8 bytes). Refuses
 * malformed entries, names that are not UTF-8 or are "__metadata__",
 * duplicate tensor names and duplicate keys.
 */
int gsc_st_write_f32(const char *path, const GscStF32 *t, int nt,
                     const GscStPair *meta, int nmeta, char *err,
                     size_t errlen);

/*
 * Copies the file's tensors into the list's data by name: all or nothing,
 * with gsc_st_load_params's checks and messages (every entry present as
 * F32 in exactly its shape, no tensor in the file that the list lacks).
 */
int gsc_st_load_f32(const GscStFile *f, const GscStF32 *t, int nt, char *err,
                    size_t errlen);

/* gsc_st_parse and gsc_st_open that also return the __metadata__ pairs in
 * *meta (meta may be NULL; on failure *meta is empty). Free *meta with
 * gsc_st_meta_free. */
int gsc_st_parse_meta(const void *buf, size_t len, GscStFile *out,
                      GscStMeta *meta, char *err, size_t errlen);
int gsc_st_open_meta(const char *path, GscStFile *out, GscStMeta *meta,
                     char *err, size_t errlen);

/* The value of key, or NULL. */
const char *gsc_st_meta_get(const GscStMeta *m, const char *key);

/* Frees what *m owns and empties it; safe on an empty one. */
void gsc_st_meta_free(GscStMeta *m);

#ifdef __cplusplus
}
#endif

#endif /* GSC_TRAIN_H */
