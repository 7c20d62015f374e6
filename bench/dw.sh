#!/bin/sh
# bench/dw.sh - the weight gradient of the convolution per ResNet-18 shape (bench/dw_bench.c):
# runtime/gsc_fast_backward.c at REV (default main) against this tree's, both orientations
# forced and as shipped, alternated in one process at 1 and 2 threads; with --dx the whole backward
# (dW and the input gradient dx) is timed and dx's error printed.
#
#   bench/dw.sh [REV [REPS [--dx]]]     (from the repository root; FLAGS overrides -O3 -march=native -fopenmp)
set -eu
REV=${1:-main}
REPS=${2:-7}
OUT=build/bench/dw
CC=${CC:-cc}
FLAGS=${FLAGS:--O3 -march=native -fopenmp}
mkdir -p $OUT
git show "$REV:runtime/gsc_fast_backward.c" > $OUT/before.c
# each build's exported symbols renamed, so that the four link together
syms() { # PREFIX
  echo "-Dgsc_fast_conv2d_chw_backward=$1_bw -Dgsc_fast_conv2d_chw=$1_fw" \
       "-Dgsc_fast_batchnorm_chw=$1_bn -Dgsc_fast_batchnorm_chw_backward=$1_bnb"
}
# shellcheck disable=SC2046,SC2086
{
  $CC -std=c99 $FLAGS -Iruntime $(syms before) -c -o $OUT/before.o $OUT/before.c
  $CC -std=c99 $FLAGS -Iruntime $(syms direct) -DDW_SWAP=0 -c -o $OUT/direct.o runtime/gsc_fast_backward.c
  $CC -std=c99 $FLAGS -Iruntime $(syms swapped) -DDW_SWAP=1 -c -o $OUT/swapped.o runtime/gsc_fast_backward.c
  $CC -std=c99 $FLAGS -Iruntime -c -o $OUT/rule.o runtime/gsc_fast_backward.c
  $CC -std=c99 -Wall -Wextra -Wpedantic -Werror $FLAGS -o $OUT/dw_bench bench/dw_bench.c \
      $OUT/before.o $OUT/direct.o $OUT/swapped.o $OUT/rule.o -lm
}
echo "== $CC $FLAGS; before = $REV:runtime/gsc_fast_backward.c; load: $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
OMP_WAIT_POLICY=passive $OUT/dw_bench ${3:-} "$REPS"
