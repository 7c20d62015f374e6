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
mkdir -p $OUT/node

. bench/lib.sh
need_peers $OUT

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
