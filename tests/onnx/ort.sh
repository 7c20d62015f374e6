#!/bin/sh
# tests/onnx/ort.sh [GSC] - `make test-onnx-ort`: PyTorch models exported to
# ONNX (opset 13, eval mode) and imported with gsc, against ONNX Runtime
# (onnxruntime-node, installed as bench/peers.sh does, into build/ort/node).
#
# Models: torchvision's (MODELS below: 224x224, random weights, batchnorm
# statistics randomised) and tests/onnx/make_cases.py's small networks. (vgg11 and alexnet import too, but C with 61 to 133 million
# weights compiled in takes too long to build for a test.) For each: ONNX Runtime's output on a random input; gsc
# --eval on the .onnx file; gsc --eval on its --emit=gs text with the
# written weights; the C of `gsc M.onnx -o M.c` built and run. Each of the
# three within 1e-4 of ONNX Runtime (max absolute difference), printed.
set -u
cd "$(dirname "$0")/../.." || exit 2
GSC=${1:-build/gsc}
PY=/usr/bin/python3
OUT=build/ort
# ORT_MODELS="a b" checks only those torchvision models
MODELS=${ORT_MODELS-"resnet18 mobilenet_v2 mobilenet_v3_small efficientnet_b0 squeezenet1_0 googlenet shufflenet_v2_x1_0 mnasnet1_0 densenet121 regnet_y_400mf resnet50"}
CC=${CC:-cc}
mkdir -p "$OUT/node"
if [ ! -f "$OUT/node/node_modules/onnxruntime-node/package.json" ]; then
    echo "installing onnxruntime-node 1.30.0 into $OUT/node (npm --ignore-scripts)"
    (cd "$OUT/node" && npm install --ignore-scripts --no-audit --no-fund --silent onnxruntime-node@1.30.0 >/dev/null) ||
        { echo "tests/onnx/ort.sh: cannot install onnxruntime-node"; exit 1; }
fi
"$PY" tests/onnx/make_cases.py "$OUT/cases" >"$OUT/export.log" 2>&1 || { cat "$OUT/export.log"; exit 1; }
"$PY" - "$OUT" $MODELS >>"$OUT/export.log" 2>&1 <<'PYEOF' || { cat "$OUT/export.log"; exit 1; }
import sys, torch
sys.path.insert(0, "tests/onnx")
from vs_port import randomised
out = sys.argv[1]
for name in sys.argv[2:]:
    m = randomised(name)
    torch.onnx.export(m, torch.randn(1, 3, 224, 224), "%s/%s.onnx" % (out, name), opset_version=13)
PYEOF
pass=0 fail=0
maxdiff() { "$PY" -c "
import sys, numpy as np
a = np.fromfile(sys.argv[1], np.float32).astype(np.float64); b = np.fromfile(sys.argv[2], np.float32)
print('%.3g' % (abs(a - b).max() if a.shape == b.shape else float('inf')))" "$1" "$2"; }
check() { # check NAME M.onnx DIMS
    n=$1 m=$2 dims=$3 o=$OUT/$1
    "$PY" -c "import numpy as np, sys; np.random.seed(7); np.random.randn(*map(int, sys.argv[2].split(','))).astype(np.float32).tofile(sys.argv[1])" "$o.x.bin" "$dims"
    NODE_PATH="$OUT/node/node_modules" node tests/onnx/ort_run.js "$m" "$o.x.bin" "$dims" "$o.ort.bin" || { fail=$((fail + 1)); return; }
    "$GSC" -q --eval "$m" --input "$o.x.bin" -o "$o.eval.bin" &&
    "$GSC" -q --emit=gs "$m" -o "$o.gs" &&
    "$GSC" -q --eval "$o.gs" --params "$o.safetensors" --input "$o.x.bin" -o "$o.gseval.bin" &&
    "$GSC" -q "$m" -o "$o.c" --prefix m &&
    "$CC" -std=c11 -O2 -march=native -Iruntime -I"$OUT" -DGSC_HEADER="\"$n.h\"" -DGSC_P=m -DGSC_PU=M -o "$o.run" \
        tests/onnx/run_model.c "$o.c" runtime/gsc_init.c runtime/gsc_kernels.c runtime/gsc_fast.c runtime/gsc_winograd.c -lm &&
    "$o.run" "$o.x.bin" "$o.c.bin" || { echo "FAIL $n: gsc"; fail=$((fail + 1)); return; }
    e=$(maxdiff "$o.eval.bin" "$o.ort.bin"); g=$(maxdiff "$o.gseval.bin" "$o.ort.bin"); c=$(maxdiff "$o.c.bin" "$o.ort.bin")
    if "$PY" -c "import sys; sys.exit(0 if max(map(float, sys.argv[1:])) <= 1e-4 else 1)" "$e" "$g" "$c"; then
        echo "ok   $n: max |gsc - ORT|: --eval $e, --emit=gs text $g, generated C $c"; pass=$((pass + 1))
    else
        echo "FAIL $n: max |gsc - ORT|: --eval $e, --emit=gs text $g, generated C $c (limit 1e-4)"; fail=$((fail + 1))
    fi
}
check residual "$OUT/cases/residual.onnx" 1,3,16,16
check head "$OUT/cases/head.onnx" 1,2,9,11
check mlp "$OUT/cases/mlp.onnx" 1,20
check acts "$OUT/cases/acts.onnx" 1,3,6,5
check bounds "$OUT/cases/bounds.onnx" 1,3,10,9
check shuffle "$OUT/cases/shuffle.onnx" 1,3,4,3
check gelu "$OUT/cases/gelu.onnx" 1,3,5,4
check axes "$OUT/cases/axes.onnx" 1,3,10,8
for m in $MODELS; do check $m "$OUT/$m.onnx" 1,3,224,224; done
echo "tests/onnx/ort.sh: $pass passed, $fail failed"
[ $fail -eq 0 ]
