#!/bin/sh
# bench/peers.sh - `make bench-peers`: gsc's ResNet-18 against ONNX Runtime and PyTorch.
#
#   bench/peers.sh [GSC]      (from the repository root; GSC defaults to build/gsc)
#
# Installs what is missing (not committed; everything under build/bench/):
#   onnxruntime-node 1.30 with npm --ignore-scripts (its postinstall script fetches
#   GPU parts from a host this machine cannot reach; the CPU library is in the package)
#   into build/bench/node; Debian's python3-torch and python3-numpy with apt-get
#   when root (Debian's /usr/bin/python3 is used, not whatever python3 is on PATH).
# Then builds bench/bench.c (plain, no -DGSC_PROFILE) and runs bench/peers.py.
set -eu

GSC=${1:-build/gsc}
OUT=build/bench
CC=${CC:-cc}
PY=/usr/bin/python3
ORT_VERSION=1.30.0
mkdir -p $OUT/node

# Share of CPU time not idle over 2 s, from /proc/stat (the load average lags by minutes).
busy() {
  a=$(head -1 /proc/stat); sleep 2; b=$(head -1 /proc/stat)
  echo "$a $b" | awk '{for (i = 2; i <= 11; i++) { t1 += $i; t2 += $(i + 11) }
    printf "%.0f", 100 - 100 * (($16 + $17) - ($5 + $6)) / (t2 - t1)}'
}

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "bench-peers needs node and npm: sudo apt-get install -y nodejs npm"; exit 1
  fi
fi
if [ ! -f $OUT/node/node_modules/onnxruntime-node/package.json ]; then
  echo "installing onnxruntime-node $ORT_VERSION into $OUT/node (npm --ignore-scripts)"
  (cd $OUT/node && npm install --ignore-scripts --no-audit --no-fund --silent \
     "onnxruntime-node@$ORT_VERSION" >/dev/null)
fi
if ! $PY -c 'import torch, numpy' 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing python3-torch python3-numpy (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-numpy >/dev/null
  else
    echo "bench-peers needs Debian's PyTorch: sudo apt-get install -y python3-torch python3-numpy"; exit 1
  fi
fi

$CC -std=c99 -Wall -Wextra -Wpedantic -Werror -O3 -march=native -fopenmp -Igenerated -Iruntime \
  -o $OUT/rn18_bench bench/bench.c generated/rn18.c \
  runtime/gsc_init.c runtime/gsc_kernels.c runtime/gsc_safetensors.c runtime/gsc_fast.c runtime/gsc_winograd.c -lm
# the same model with --conv=direct (no Winograd), a second gsc peer
mkdir -p $OUT/direct
$GSC --conv=direct models/resnet18.gs -o $OUT/direct/rn18.c
$CC -std=c99 -Wall -Wextra -Wpedantic -Werror -O3 -march=native -fopenmp -I$OUT/direct -Iruntime \
  -o $OUT/rn18_direct_bench bench/bench.c $OUT/direct/rn18.c \
  runtime/gsc_init.c runtime/gsc_kernels.c runtime/gsc_safetensors.c runtime/gsc_fast.c runtime/gsc_winograd.c -lm

echo "CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cores;" \
     "$($CC --version | head -1); node $(node --version); $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "uptime: $(uptime)"
B=$(busy)
echo "CPU busy: $B% over the last 2 s (both cores; idle machine: ~0%)"
if [ "$B" -gt 10 ]; then
  echo "WARNING: other processes are running; times will be noisy (2 threads most). Rerun when idle."
fi
$PY bench/peers.py --gsc "$GSC" --bench $OUT/rn18_bench --bench-direct $OUT/rn18_direct_bench --node-modules $OUT/node/node_modules \
  --out $OUT/peers
echo "uptime after: $(uptime); CPU busy (2 s, after): $(busy)%"
