#!/bin/sh
# bench/run.sh - `make bench`: the speed of the generated ResNet-18 and of gsc.
#
#   bench/run.sh [GSC [RUNS]]      (from the repository root; GSC defaults to build/gsc)
#
# 1. the machine: CPU, cores, load, compiler;
# 2. the measured fp32 FMA peak (bench/peak.c; 1 thread, and 2 copies at once
#    for 2 threads);
# 3. bench/bench.c built plain from generated/rn18.c (whole-forward times, 1 and
#    2 threads), and with -DGSC_PROFILE from what `gsc --profile` emits for the
#    same model (per-section breakdown);
# 4. direct and Winograd convolutions side by side per 3x3 stride-1 layer shape
#    (bench/conv_bench.c: interleaved in one process, 1 and 2 threads);
# 5. how fast gsc compiles models/resnet18.gs, and how fast cc compiles the result.
set -eu

GSC=${1:-build/gsc}
RUNS=${2:-50}
OUT=${BENCH_OUT:-build/bench}
CC=${CC:-cc}
FLAGS="-std=c99 -Wall -Wextra -Wpedantic -Werror -O3 -march=native -fopenmp"
RT="runtime/gsc_init.c runtime/gsc_kernels.c runtime/gsc_safetensors.c runtime/gsc_fast.c runtime/gsc_winograd.c"
mkdir -p $OUT/gsc

ms() { echo $(( $(date +%s%N) / 1000000 )); }
. bench/lib.sh

machine "$CC"
echo
echo "== build"
$CC $FLAGS -Igenerated -Iruntime -o $OUT/rn18_bench bench/bench.c generated/rn18.c $RT -lm
mkdir -p $OUT/prof
$GSC --profile models/resnet18.gs -o $OUT/prof/rn18.c
$CC $FLAGS -DGSC_PROFILE -I$OUT/prof -Iruntime -o $OUT/rn18_prof bench/bench.c $OUT/prof/rn18.c $RT -lm
$CC $FLAGS -Iruntime -o $OUT/conv_bench bench/conv_bench.c runtime/gsc_fast.c runtime/gsc_winograd.c -lm
echo "built $OUT/rn18_bench (plain), $OUT/rn18_prof (gsc --profile, -DGSC_PROFILE), $OUT/conv_bench"

echo
measure_peak "$CC" $OUT

MACS=$($GSC --emit=summary models/resnet18.gs | sed -n 's/^multiply-adds *\([0-9,]*\).*/\1/p' | tr -d ,)
echo
echo "== the generated ResNet-18: whole forward (plain build), 1 and 2 threads"
echo "(multiply-adds from '$GSC --emit=summary models/resnet18.gs': $MACS)"
$OUT/rn18_bench --runs "$RUNS" --macs "$MACS" --peak1 "$P1" --peak2 "$P2" --gsc "$GSC" --gsc-out $OUT/gsc/rn18.c \
  | tee $OUT/forward.txt
# The table's rows are "threads median min ...": two threads slower than one is a busy machine.
awk '$1 == 1 && NF >= 4 { m1 = $2 } $1 == 2 && NF >= 4 { m2 = $2 }
     END { if (m1 > 0 && m2 > m1) printf "WARNING: the 2-thread median (%s ms) is slower than 1 thread (%s ms): the machine is busy\n" \
           "         (another process holds a core); the 2-thread numbers are not the code'"'"'s. Rerun when idle.\n", m2, m1 }' \
  $OUT/forward.txt
if cmp -s $OUT/gsc/rn18.c generated/rn18.c && cmp -s $OUT/gsc/rn18.h generated/rn18.h; then
  echo "  (its output is identical to generated/rn18.c and .h: the benchmarked C is current)"
else
  echo "  NOTE: $GSC now emits something other than generated/rn18.c: run make generated"
fi

echo
echo "== the generated ResNet-18: per-section breakdown (profiled build)"
$OUT/rn18_prof --runs "$RUNS" --macs "$MACS" --peak1 "$P1" --peak2 "$P2" | sed -n '/^Per-section/,$p'

echo
echo "== direct and Winograd 3x3 stride-1 convolutions per ResNet-18 layer shape (bench/conv_bench.c)"
$OUT/conv_bench 25

echo
echo "== cc -O3 -march=native -fopenmp -c generated/rn18.c (3 runs)"
t=""
for i in 1 2 3; do
  t0=$(ms); $CC -O3 -march=native -fopenmp -Iruntime -c generated/rn18.c -o $OUT/rn18.o; t1=$(ms)
  t="$t $((t1 - t0))"
done
echo "$t" | tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {printf "median %.2f s, min %.2f s (target < 10 s)\n", a[int((NR+1)/2)]/1000, a[1]/1000}'

echo
echo "uptime after: $(uptime); CPU busy (2 s, after): $(busy)%"
