#!/bin/sh
# tests/onnx/ort.sh [GSC] - `make test-onnx-ort`: PyTorch models exported to
# ONNX (opset 13, eval mode) and imported with gsc, against ONNX Runtime
# (onnxruntime-node, installed into build/ort/node: tests/onnx/ort_lib.sh).
#
# Models: torchvision's (MODELS below: 224x224, random weights, batchnorm
# statistics randomised) and tests/onnx/make_cases.py's small networks. alexnet
# and vgg11 (61 and 133 million weights) add about 25 s and 100 s: over
# --embed-limit, their C (like resnet50's) is built in a second with the
# weights gsc writes beside it (compiled in, vgg11's would need about 19 GB
# of memory to compile; resnet18's 57 MiB take 106 s and 4 GB). For each: ONNX Runtime's output on a random input; gsc
# --eval on the .onnx file; gsc --eval on its --emit=gs text with the
# written weights; the C of `gsc M.onnx -o M.c` built and run. Each of the
# three within 1e-4 of ONNX Runtime (max absolute difference), printed.
set -u
cd "$(dirname "$0")/../.." || exit 2
GSC=${1:-build/gsc}
PY=/usr/bin/python3
OUT=build/ort
# ORT_MODELS="a b" checks only those torchvision models
MODELS=${ORT_MODELS-"resnet18 mobilenet_v2 mobilenet_v3_small efficientnet_b0 squeezenet1_0 googlenet shufflenet_v2_x1_0 mnasnet1_0 densenet121 regnet_y_400mf resnet50 convnext_tiny alexnet vgg11"}
CC=${CC:-cc}
. tests/onnx/ort_lib.sh
ort_install
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
check residual "$OUT/cases/residual.onnx" 1,3,16,16
check head "$OUT/cases/head.onnx" 1,2,9,11
check mlp "$OUT/cases/mlp.onnx" 1,20
check acts "$OUT/cases/acts.onnx" 1,3,6,5
check bounds "$OUT/cases/bounds.onnx" 1,3,10,9
check shuffle "$OUT/cases/shuffle.onnx" 1,3,4,3
check gelu "$OUT/cases/gelu.onnx" 1,3,5,4
check axes "$OUT/cases/axes.onnx" 1,3,10,8
check affine "$OUT/cases/affine.onnx" 1,3,6,7
check chnorm "$OUT/cases/chnorm.onnx" 1,3,5,4
check convnext "$OUT/cases/convnext.onnx" 1,3,16,20
check convnext17 "$OUT/cases/convnext17.onnx" 1,3,16,20
for m in $MODELS; do check $m "$OUT/$m.onnx" 1,3,224,224; done
echo "tests/onnx/ort.sh: $pass passed, $fail failed"
[ $fail -eq 0 ]
