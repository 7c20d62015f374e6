#!/bin/sh
# bench/zoo.sh - `make bench-zoo`: every port in models/torchvision/ against ONNX Runtime.
#
#   bench/zoo.sh [GSC [NAME ...]]   (from the repository root; GSC defaults to build/gsc)
#
# Installs what is missing (bench/lib.sh need_peers: onnxruntime-node into build/bench/node,
# Debian's python3-torch, python3-numpy, python3-torchvision, python3-onnx with apt-get when
# root), prints the machine facts, then runs bench/zoo.py: each port at 224x224 as gsc's C,
# as ONNX Runtime on the torch.onnx export of the same torchvision model, and as gsc's
# import of that ONNX file, alternating, 1 thread (ZOO_ARGS adds bench/zoo.py options).
set -eu

GSC=${1:-build/gsc}
[ $# -gt 0 ] && shift
OUT=build/bench
CC=${CC:-cc}
. bench/lib.sh
need_peers $OUT "python3-torchvision python3-onnx"
machine "$CC"
echo
# shellcheck disable=SC2086 # ZOO_ARGS is a list of options
/usr/bin/python3 bench/zoo.py --gsc "$GSC" --node-modules $OUT/node/node_modules --out $OUT/zoo ${ZOO_ARGS:-} "$@"
echo "uptime after: $(uptime); CPU busy (2 s, after): $(busy)%"
