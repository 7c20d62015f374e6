#!/bin/sh
# bench/train.sh - `make bench-train`: the speed of the generated ResNet-18 training step.
#
#   bench/train.sh [GSC [RUNS]]      (from the repository root; GSC defaults to build/gsc)
#
# 1. the machine and its measured fp32 FMA peak (bench/lib.sh);
# 2. `gsc --train models/resnet18.gs` (plain and --profile) into build/bench/train/, and
#    bench/train_bench.c built against each (-O3 -march=native -fopenmp);
# 3. the plain build: a step (rn18_grad + AdamW over all parameters) at 1 and 2 threads,
#    median and minimum ms over RUNS (default 20) steps after warm-up, its AdamW part,
#    GFLOP/s, share of the peak, training workspace, peak RSS;
# 4. the profiled build (PROF_RUNS steps, default 5): the ten most expensive sections and the
#    forward and backward per stage;
# 5. bench/train_peers.py: the same step alternating with PyTorch's on the same semantics at
#    1 and 2 threads (RUNS steps each), and the ratio.
set -eu

GSC=${1:-build/gsc}
RUNS=${2:-20}
PROF_RUNS=${PROF_RUNS:-5}
OUT=build/bench/train
CC=${CC:-cc}
PY=/usr/bin/python3
FLAGS="-std=c99 -Wall -Wextra -Wpedantic -Werror -O3 -march=native -fopenmp"
RT="runtime/gsc_init.c runtime/gsc_kernels.c runtime/gsc_backward.c runtime/gsc_fast_backward.c
    runtime/gsc_safetensors.c runtime/gsc_fast.c runtime/gsc_winograd.c runtime/gsc_train.c"
mkdir -p $OUT/plain $OUT/prof
. bench/lib.sh

if ! $PY -c 'import torch' 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing python3-torch (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch >/dev/null
  else
    echo "bench-train needs Debian's PyTorch: sudo apt-get install -y python3-torch"; exit 1
  fi
fi

machine "$CC"
echo
echo "== build"
$GSC --train models/resnet18.gs -o $OUT/plain/rn18.c
$GSC --train --profile models/resnet18.gs -o $OUT/prof/rn18.c
# shellcheck disable=SC2086
$CC $FLAGS -I$OUT/plain -Iruntime -o $OUT/train_bench bench/train_bench.c $OUT/plain/rn18.c $RT -lm
# shellcheck disable=SC2086
$CC $FLAGS -DGSC_PROFILE -I$OUT/prof -Iruntime -o $OUT/train_prof bench/train_bench.c $OUT/prof/rn18.c $RT -lm
echo "built $OUT/train_bench (plain), $OUT/train_prof (gsc --train --profile, -DGSC_PROFILE)"
echo
measure_peak "$CC" $OUT

MACS=$($GSC --emit=summary models/resnet18.gs | sed -n 's/^multiply-adds *\([0-9,]*\).*/\1/p' | tr -d ,)
echo
echo "== the training step alone (plain build), 1 and 2 threads"
echo "(forward multiply-adds from '$GSC --emit=summary models/resnet18.gs': $MACS)"
$OUT/train_bench --runs "$RUNS" --warmup 1 --macs "$MACS" --peak1 "$P1" --peak2 "$P2"

echo
echo "== per-section breakdown (profiled build, $PROF_RUNS steps per thread count)"
$OUT/train_prof --runs "$PROF_RUNS" --warmup 1 --macs "$MACS" | sed -n '/^Per-section/,/^(the profiled/p'

echo
echo "== against PyTorch, alternating (bench/train_peers.py)"
$PY bench/train_peers.py --gsc "$GSC" --bench $OUT/train_bench --out $OUT --rounds 5 \
  --per $(( (RUNS + 4) / 5 )) --warmup 1
echo
echo "uptime after: $(uptime); CPU busy (2 s, after): $(busy)%"
