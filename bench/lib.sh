# bench/lib.sh - what bench/run.sh and bench/train.sh both do, sourced by them (POSIX sh).
#
#   busy            share of CPU time not idle over 2 s, from /proc/stat (the load
#                   average lags by minutes)
#   machine CC      prints the machine facts (CPU, cores, compiler, date, uptime, busy)
#                   with a warning above 10% busy
#   measure_peak CC OUT
#                   builds and runs bench/peak.c: P1 = 1-thread fp32 FMA peak, P2 = two
#                   copies at once, summed (GFLOP/s), with warnings when they are low
#   need_peers OUT [PKGS]
#                   installs what is missing: node and npm, onnxruntime-node
#                   $ORT_VERSION into OUT/node (npm --ignore-scripts: its postinstall
#                   script fetches GPU parts from a host this machine cannot reach; the
#                   CPU library is in the package), and Debian's python3-torch,
#                   python3-numpy (and PKGS) with apt-get when root

busy() {
  a=$(head -1 /proc/stat); sleep 2; b=$(head -1 /proc/stat)
  echo "$a $b" | awk '{for (i = 2; i <= 11; i++) { t1 += $i; t2 += $(i + 11) }
    printf "%.0f", 100 - 100 * (($16 + $17) - ($5 + $6)) / (t2 - t1)}'
}

machine() {
  echo "== machine"
  echo "CPU:       $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)," \
       "$(nproc) cores (nproc), AVX-512F: $(grep -qw avx512f /proc/cpuinfo && echo yes || echo no)"
  echo "compiler:  $($1 --version | head -1)"
  echo "date:      $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "uptime:    $(uptime)"
  B=$(busy)
  echo "CPU busy:  $B% over the last 2 s (both cores; idle machine: ~0%)"
  if [ "$B" -gt 10 ]; then
    echo "WARNING:   other processes are running; times will be noisy (the 2-thread numbers"
    echo "           suffer most: every OpenMP barrier waits for a descheduled thread). Rerun when idle."
  fi
}

measure_peak() {
  $1 -std=c99 -Wall -Wextra -Wpedantic -Werror -O2 -march=native -o $2/peak bench/peak.c
  echo "== fp32 FMA peak (bench/peak.c: 24 independent zmm accumulators, or 12 ymm without AVX-512; best of its 2 repeats)"
  peakof() { sed -n 's/^peak, [0-9]* [a-z ]*accumulators: *\([0-9.]*\).*/\1/p' "$1" | sort -g | tail -1; }
  $2/peak > $2/peak1.txt
  P1=$(peakof $2/peak1.txt)
  $2/peak > $2/peak2a.txt & pa=$!
  $2/peak > $2/peak2b.txt & pb=$!
  wait $pa; wait $pb
  P2=$(echo "$(peakof $2/peak2a.txt) $(peakof $2/peak2b.txt)" | awk '{printf "%.1f", $1 + $2}')
  echo "1 thread:  $P1 GFLOP/s"
  echo "2 threads: $P2 GFLOP/s (two copies at once, summed)"
  # Expected: the CPU's clock (/proc/cpuinfo) times 32 fp32 FLOP per cycle with
  # AVX-512 (two 8-wide FMA pipes, or Zen 4's two 256-bit ones), 16 without it (the
  # least an AVX2 core does: Zen 1's two 4-wide pipes); BENCH_EXPECTED_PEAK
  # (GFLOP/s, one core) overrides. A busy or throttled machine measures far less.
  MHZ=$(sed -n 's/^cpu MHz[[:space:]]*: *\([0-9.]*\).*/\1/p' /proc/cpuinfo | head -1)
  FPC=$(grep -q ' avx512f' /proc/cpuinfo && echo 32 || echo 16)
  EXP=${BENCH_EXPECTED_PEAK:-$(echo "${MHZ:-0}" | awk -v f="$FPC" '{printf "%.1f", $1 * f / 1000}')}
  if awk -v p="$P1" -v e="$EXP" 'BEGIN { exit !(e > 0 && p < 0.6 * e) }'; then
    echo "WARNING:   the 1-thread peak, $P1 GFLOP/s, is far below the expected $EXP ($MHZ MHz x $FPC FLOP/cycle):"
    echo "           the machine is busy or throttled, and every time below is slower than it should be."
  fi
  if awk -v p1="$P1" -v p2="$P2" 'BEGIN { exit !(p2 < 1.5 * p1) }'; then
    echo "WARNING:   two copies at once reach only $P2 GFLOP/s, not about 2 x $P1: another process holds"
    echo "           a core, and the 2-thread times below will be slow (OpenMP waits for the descheduled thread)."
  fi
}

ORT_VERSION=1.30.0

need_peers() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
    else
      echo "this benchmark needs node and npm: sudo apt-get install -y nodejs npm"; exit 1
    fi
  fi
  mkdir -p $1/node
  if [ ! -f $1/node/node_modules/onnxruntime-node/package.json ]; then
    echo "installing onnxruntime-node $ORT_VERSION into $1/node (npm --ignore-scripts)"
    (cd $1/node && npm install --ignore-scripts --no-audit --no-fund --silent \
       "onnxruntime-node@$ORT_VERSION" >/dev/null)
  fi
  mods="torch, numpy${2:+, $(echo $2 | sed 's/python3-//g; s/ /, /g')}"
  if ! /usr/bin/python3 -c "import $mods" 2>/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "installing python3-torch python3-numpy ${2:-}(apt-get)"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-numpy ${2:-} >/dev/null
    else
      echo "this benchmark needs Debian's PyTorch: sudo apt-get install -y python3-torch python3-numpy ${2:-}"; exit 1
    fi
  fi
}
