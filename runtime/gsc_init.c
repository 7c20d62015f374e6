/*
 * gsc_init.c - the seed's deterministic parameter initialiser.
 *
 * Does: fill a tensor with the seed's LCG stream (bit-exact with TorchLean's
 * definition in docs/semantics.md) or with a constant.
 * Does not: decide which tensor gets which seed or constant; the generated
 * code does that from the parameter ABI.
 */
#include "gsc_runtime.h"

/* One LCG step. uint32_t arithmetic wraps, which is exactly "mod 2^32". */
static uint32_t lcg_next(uint32_t s)
{
    return 1664525u * s + 1013904223u;
}

/*
 * Element i is the (i+1)-th LCG state mapped to [-0.1, 0.1). The expression
 * is the seed's: -0.1 + (s / 2^32) * 0.2, all in double, then one rounding
 * to float. Evaluating it in float instead changes about half the values.
 * One pass over the stream gives the same values as the seed's recompute-
 * from-the-start definition, in linear instead of quadratic time.
 */
void gsc_init_uniform(float *p, int64_t n, uint32_t seed)
{
    gsc_init_uniform_bound(p, n, seed, 0.1);
}

/* The same stream in [-bound, bound): -bound + (s / 2^32) * (2*bound), in
 * double. 2*0.1 is the double 0.2 exactly, so bound 0.1 is the seed's. */
void gsc_init_uniform_bound(float *p, int64_t n, uint32_t seed, double bound)
{
    uint32_t s = seed;
    int64_t i;
    for (i = 0; i < n; i++) {
        s = lcg_next(s);
        p[i] = (float)(-bound + ((double)s / 4294967296.0) * (2.0 * bound));
    }
}

void gsc_init_fill(float *p, int64_t n, float v)
{
    int64_t i;
    for (i = 0; i < n; i++)
        p[i] = v;
}
