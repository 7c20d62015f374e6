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
# Share of CPU time not idle over 2 s, from /proc/stat (the load average lags by minutes).
busy() {
  a=$(head -1 /proc/stat); sleep 2; b=$(head -1 /proc/stat)
  echo "$a $b" | awk '{for (i = 2; i <= 11; i++) { t1 += $i; t2 += $(i + 11) }
    printf "%.0f", 100 - 100 * (($16 + $17) - ($5 + $6)) / (t2 - t1)}'
}

echo "== machine"
echo "CPU:       $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)," \
     "$(nproc) cores (nproc), AVX-512F: $(grep -qw avx512f /proc/cpuinfo && echo yes || echo no)"
echo "compiler:  $($CC --version | head -1)"
echo "date:      $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "uptime:    $(uptime)"
B=$(busy)
echo "CPU busy:  $B% over the last 2 s (both cores; idle machine: ~0%)"
if [ "$B" -gt 10 ]; then
  echo "WARNING:   other processes are running; times will be noisy (the 2-thread numbers"
  echo "           suffer most: every OpenMP barrier waits for a descheduled thread). Rerun when idle."
fi

echo
echo "== build"
$CC $FLAGS -Igenerated -Iruntime -o $OUT/rn18_bench bench/bench.c generated/rn18.c $RT -lm
mkdir -p $OUT/prof
$GSC --profile models/resnet18.gs -o $OUT/prof/rn18.c
$CC $FLAGS -DGSC_PROFILE -I$OUT/prof -Iruntime -o $OUT/rn18_prof bench/bench.c $OUT/prof/rn18.c $RT -lm
$CC -std=c99 -Wall -Wextra -Wpedantic -Werror -O2 -march=native -o $OUT/peak bench/peak.c
$CC $FLAGS -Iruntime -o $OUT/conv_bench bench/conv_bench.c runtime/gsc_fast.c runtime/gsc_winograd.c -lm
echo "built $OUT/rn18_bench (plain), $OUT/rn18_prof (gsc --profile, -DGSC_PROFILE), $OUT/peak, $OUT/conv_bench"

echo
echo "== fp32 FMA peak (bench/peak.c: 24 independent zmm accumulators; best of its 2 repeats)"
peakof() { sed -n 's/^peak, 24 register accumulators: *\([0-9.]*\).*/\1/p' "$1" | sort -g | tail -1; }
$OUT/peak > $OUT/peak1.txt
P1=$(peakof $OUT/peak1.txt)
$OUT/peak > $OUT/peak2a.txt & pa=$!
$OUT/peak > $OUT/peak2b.txt & pb=$!
wait $pa; wait $pb
P2=$(echo "$(peakof $OUT/peak2a.txt) $(peakof $OUT/peak2b.txt)" | awk '{printf "%.1f", $1 + $2}')
echo "1 thread:  $P1 GFLOP/s"
echo "2 threads: $P2 GFLOP/s (two copies at once, summed)"
# Expected: the CPU's clock (/proc/cpuinfo) times 32 fp32 FLOP per cycle (two
# 8-wide FMA pipes, or AVX-512 on Zen 4's two 256-bit ones); BENCH_EXPECTED_PEAK
# (GFLOP/s, one core) overrides. A busy or throttled machine measures far less.
MHZ=$(sed -n 's/^cpu MHz[[:space:]]*: *\([0-9.]*\).*/\1/p' /proc/cpuinfo | head -1)
EXP=${BENCH_EXPECTED_PEAK:-$(echo "${MHZ:-0}" | awk '{printf "%.1f", $1 * 32 / 1000}')}
if awk -v p="$P1" -v e="$EXP" 'BEGIN { exit !(e > 0 && p < 0.6 * e) }'; then
  echo "WARNING:   the 1-thread peak, $P1 GFLOP/s, is far below the expected $EXP ($MHZ MHz x 32 FLOP/cycle):"
  echo "           the machine is busy or throttled, and every time below is slower than it should be."
fi
if awk -v p1="$P1" -v p2="$P2" 'BEGIN { exit !(p2 < 1.5 * p1) }'; then
  echo "WARNING:   two copies at once reach only $P2 GFLOP/s, not about 2 x $P1: another process holds"
  echo "           a core, and the 2-thread times below will be slow (OpenMP waits for the descheduled thread)."
fi

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
