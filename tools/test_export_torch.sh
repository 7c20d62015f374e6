#!/bin/sh
# test_export_torch.sh - end-to-end test of tools/export_torch.py.
#
#   tools/test_export_torch.sh [GSC]        (GSC defaults to $GSC, then build/gsc)
#
# Builds a torchvision-free ResNet-18 in PyTorch with a bias on every conv and
# torchvision's module names, sets eps = 1e-6 on every BatchNorm2d, saves its
# state_dict, converts it, and checks that gsc --eval of models/resnet18.gs at
# 64x64 loads the file by name and agrees with PyTorch's training-mode output
# (batch 1) to a relative error of 1e-5 (max |y - y_torch| / max |y_torch|).
# Also: the file layout, whole-module and checkpoint inputs, --rename, dtype
# conversion, refusal of integer tensors, --check-gs diagnostics, atomicity,
# names with - (tests/diag/accept_quoted_name.gs against F.conv2d),
# and the classify example on the exported weights when a C compiler exists.
#
# Installs python3-torch and python3-numpy with apt-get when /usr/bin/python3
# lacks them and this runs as root; otherwise skips (0 passed, 0 failed,
# status 0). KEEP=1 keeps the work files.
# The last line is always "N passed, M failed"; the status is 1 on failures.

ROOT=$(cd "$(dirname "$0")/.." && pwd)
GSC=${1:-${GSC:-$ROOT/build/gsc}}
PY=${PYTHON:-/usr/bin/python3}
EXPORT="$ROOT/tools/export_torch.py"
# shellcheck source=tools/torch_test_lib.sh
. "$ROOT/tools/torch_test_lib.sh"
torch_test_setup test_export_torch "torch, numpy" "python3-torch python3-numpy"

# ------------------------------------------------------------ the model
cat > "$T/rn18torch.py" <<'EOF'
"""ResNet-18 with torchvision's module names, without torchvision; every conv has a bias."""
import torch
import torch.nn as nn


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=True)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=True)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=True), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        skip = x if self.downsample is None else self.downsample(x)
        return self.relu(y + skip)


class ResNet18(nn.Module):
    def __init__(self, in_c=3, classes=1000):
        super().__init__()
        self.conv1 = nn.Conv2d(in_c, 64, 7, 2, 3, bias=True)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = nn.Sequential(BasicBlock(64, 64, 1), BasicBlock(64, 64, 1))
        self.layer2 = nn.Sequential(BasicBlock(64, 128, 2), BasicBlock(128, 128, 1))
        self.layer3 = nn.Sequential(BasicBlock(128, 256, 2), BasicBlock(256, 256, 1))
        self.layer4 = nn.Sequential(BasicBlock(256, 512, 2), BasicBlock(512, 512, 1))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(512, classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def make(seed=0):
    """Random weights, BN affine parameters away from 1 and 0, eps 1e-6, train mode."""
    torch.manual_seed(seed)
    m = ResNet18()
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, nn.BatchNorm2d):
                mod.eps = 1e-6
                mod.weight.copy_(0.5 + torch.rand(mod.weight.shape, generator=g))
                mod.bias.copy_(0.4 * torch.rand(mod.bias.shape, generator=g) - 0.2)
            if isinstance(mod, nn.Conv2d):
                mod.bias.copy_(0.2 * torch.rand(mod.bias.shape, generator=g) - 0.1)
    m.train()
    return m


def run(m, x):
    """Training-mode forward on a batch of 1, without touching m's running statistics."""
    import copy
    m = copy.deepcopy(m).train()
    with torch.no_grad():
        return m(x.unsqueeze(0))[0]
EOF

cat > "$T/setup.py" <<'EOF'
import sys, torch
sys.path.insert(0, sys.argv[1])
import rn18torch
t = sys.argv[1]
m = rn18torch.make(0)
torch.save(m.state_dict(), t + "/sd.pt")
torch.save(m, t + "/module.pt")
torch.save({"epoch": 3, "model_state_dict": m.state_dict()}, t + "/ckpt.pt")
torch.save({"module." + k: v for k, v in m.state_dict().items()}, t + "/dp.pt")
sd = {k: (v.double() if k.startswith("layer1.") and v.is_floating_point() else v)
      for k, v in m.state_dict().items()}
sd["fc.weight"] = sd["fc.weight"].half().float().half()
torch.save(sd, t + "/mixed.pt")
bad = dict(m.state_dict()); bad["step"] = torch.tensor([1, 2, 3])
torch.save(bad, t + "/int.pt")
wrong = dict(m.state_dict()); del wrong["fc.bias"]
wrong["conv1.weight"] = torch.zeros(64, 3, 3, 3); wrong["head.weight"] = torch.zeros(2)
torch.save(wrong, t + "/wrong.pt")
x = torch.randn(3, 64, 64, generator=torch.Generator().manual_seed(7))
x.numpy().astype("<f4").tofile(t + "/x.bin")
rn18torch.run(m, x).numpy().astype("<f4").tofile(t + "/y_torch.bin")
# tests/diag/accept_quoted_name.gs: two bias-free 2x2 convolutions named with '-'
g = torch.Generator().manual_seed(11)
qn = {"stage.block1-0.conv.weight": torch.randn(4, 4, 2, 2, generator=g),
      "stage.block1-1.conv.weight": torch.randn(4, 4, 2, 2, generator=g)}
torch.save(qn, t + "/qn.pt")
qx = torch.randn(1, 4, 5, 5, generator=g)
qx.numpy().astype("<f4").tofile(t + "/qx.bin")
qy = torch.nn.functional.conv2d(torch.nn.functional.conv2d(qx, qn["stage.block1-0.conv.weight"]),
                                qn["stage.block1-1.conv.weight"])
qy.numpy().astype("<f4").tofile(t + "/qy_torch.bin")
qbad = dict(qn); qbad["stage.block1-1.conv.weight"] = torch.zeros(4, 4, 3, 3)
torch.save(qbad, t + "/qbad.pt")
EOF

cat > "$T/compare.py" <<'EOF'
import sys, numpy as np
a = np.fromfile(sys.argv[1], "<f4"); b = np.fromfile(sys.argv[2], "<f4")
tol = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-4
if a.shape != b.shape:
    print("sizes differ: %d vs %d" % (a.size, b.size)); sys.exit(1)
err = np.abs(a - b).max() / max(np.abs(b).max(), 1e-30)
print("relative error %.3e (max |y - y_torch| / max |y_torch| over %d outputs; max |y_torch| %.4g)"
      % (err, a.size, np.abs(b).max()))
sys.exit(0 if np.isfinite(err) and err <= tol else 1)
EOF

cat > "$T/layout.py" <<'EOF'
# Checks the safetensors layout by hand and that it holds exactly the state_dict's
# float tensors (minus BN running statistics), bit-exact as float32.
import json, struct, sys, numpy as np, torch
d = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", d[:8])[0]
assert (8 + n) % 8 == 0, "header not padded to 8"
h = json.loads(d[8:8 + n].decode("utf-8"))
assert h.pop("__metadata__") == {"format": "pt"}
sd = torch.load(sys.argv[2])
want = {k: v for k, v in sd.items() if not k.endswith(("running_mean", "running_var", "num_batches_tracked"))}
assert set(h) == set(want), sorted(set(h) ^ set(want))[:5]
end = 0
for k, e in sorted(h.items(), key=lambda kv: kv[1]["data_offsets"]):
    assert e["dtype"] == "F32" and e["shape"] == list(want[k].shape), k
    b, f = e["data_offsets"]
    assert b == end and f - b == 4 * want[k].numel(), k
    end = f
    got = np.frombuffer(d[8 + n + b:8 + n + f], "<f4").reshape(e["shape"])
    assert np.array_equal(got, want[k].float().numpy()), k
assert 8 + n + end == len(d), "trailing bytes"
print("%d tensors, %d data bytes, header %d bytes" % (len(h), end, n))
EOF

if ! "$PY" "$T/setup.py" "$T" > "$T/setup.log" 2>&1; then
    bad "building the PyTorch ResNet-18 and its reference output" "$T/setup.log"
    finish
fi
ok "PyTorch ResNet-18 (conv biases, eps 1e-6, training mode, batch 1) at 3x64x64"

# ------------------------------------------------------------ conversion + gsc --eval
if "$PY" "$EXPORT" --check-gs "$ROOT/models/resnet18.gs" "$T/sd.pt" "$T/w.safetensors" > "$T/exp.log" 2>&1 &&
    grep -q "dropped 40 BatchNorm running-statistics" "$T/exp.log" &&
    grep -q "wrote .*: 82 tensors, 11694312 floats" "$T/exp.log"; then
    ok "export state_dict with --check-gs: 82 tensors, 40 BN running statistics dropped with a note (num_batches_tracked silently)"
else
    bad "export state_dict with --check-gs" "$T/exp.log"
fi

if "$PY" "$T/layout.py" "$T/w.safetensors" "$T/sd.pt" > "$T/layout.log" 2>&1; then
    ok "file layout: LE header length, padded JSON, F32, contiguous offsets, exact data ($(cat "$T/layout.log"))"
else
    bad "file layout" "$T/layout.log"
fi

if "$GSC" --eval "$ROOT/models/resnet18.gs" -D H=64 -D W=64 --params "$T/w.safetensors" \
        --input "$T/x.bin" -o "$T/y.bin" > "$T/eval.log" 2>&1 &&
    "$PY" "$T/compare.py" "$T/y.bin" "$T/y_torch.bin" 1e-5 >> "$T/eval.log" 2>&1; then
    ok "gsc --eval resnet18.gs -D H=64 -D W=64 --params: matches PyTorch, $(tail -n 1 "$T/eval.log")"
else
    bad "gsc --eval with the exported weights against PyTorch" "$T/eval.log"
fi

# ------------------------------------------------------------ other inputs
"$PY" "$EXPORT" "$T/sd.pt" "$T/w_sd.safetensors" > /dev/null 2>&1
if "$PY" "$EXPORT" --pythonpath "$T" "$T/module.pt" "$T/w_mod.safetensors" > "$T/mod.log" 2>&1 &&
    grep -q "whole ResNet18" "$T/mod.log" && cmp -s "$T/w_mod.safetensors" "$T/w_sd.safetensors"; then
    ok "whole nn.Module saved with torch.save: same bytes as its state_dict"
else
    bad "whole nn.Module input" "$T/mod.log"
fi

if "$PY" "$EXPORT" "$T/ckpt.pt" "$T/w_ck.safetensors" > "$T/ck.log" 2>&1 &&
    grep -q "model_state_dict" "$T/ck.log" && cmp -s "$T/w_ck.safetensors" "$T/w_sd.safetensors"; then
    ok "checkpoint dict with model_state_dict"
else
    bad "checkpoint dict input" "$T/ck.log"
fi

if "$PY" "$EXPORT" --rename module.= --check-gs "$ROOT/models/resnet18.gs" "$T/dp.pt" "$T/w_dp.safetensors" \
        > "$T/dp.log" 2>&1 && cmp -s "$T/w_dp.safetensors" "$T/w.safetensors"; then
    ok "--rename module.= (DataParallel prefix): same file"
else
    bad "--rename module.=" "$T/dp.log"
fi

if "$PY" "$EXPORT" --check-gs "$ROOT/models/resnet18.gs" "$T/mixed.pt" "$T/w_mixed.safetensors" > "$T/mixed.log" 2>&1 &&
    grep -q "converted 17 tensors to F32: 16 float64 (layer1.0.conv1.weight, .*1 float16 (fc.weight)" "$T/mixed.log" &&
    "$GSC" --eval "$ROOT/models/resnet18.gs" -D H=64 -D W=64 --params "$T/w_mixed.safetensors" \
        --input "$T/x.bin" -o "$T/y_mixed.bin" >> "$T/mixed.log" 2>&1; then
    ok "float64 and float16 tensors converted to F32 with a note, and the file loads"
else
    bad "dtype conversion" "$T/mixed.log"
fi

# ------------------------------------------------------------ refusals
cp "$T/w.safetensors" "$T/keep.safetensors"
"$PY" "$EXPORT" "$T/int.pt" "$T/keep.safetensors" > "$T/int.log" 2>&1
st=$?
if [ $st = 1 ] && grep -q "error: step is int64, not a floating-point tensor" "$T/int.log" &&
    cmp -s "$T/keep.safetensors" "$T/w.safetensors"; then
    ok "integer tensor refused with status 1, existing output untouched"
else
    bad "integer tensor refusal (status $st)" "$T/int.log"
fi

"$PY" "$EXPORT" --check-gs "$ROOT/models/resnet18.gs" "$T/wrong.pt" "$T/keep.safetensors" > "$T/wrong.log" 2>&1
st=$?
if [ $st = 1 ] && grep -q "missing fc.bias \[1000\]" "$T/wrong.log" &&
    grep -q "unknown head.weight \[2\]" "$T/wrong.log" &&
    grep -q "conv1.weight has shape \[64, 3, 3, 3\] but the model wants \[64, 3, 7, 7\]" "$T/wrong.log" &&
    cmp -s "$T/keep.safetensors" "$T/w.safetensors" && ! ls "$T"/.keep* > /dev/null 2>&1; then
    ok "--check-gs reports missing, unknown and shape mismatches; nothing written"
else
    bad "--check-gs mismatch report (status $st)" "$T/wrong.log"
fi

QN="$ROOT/tests/diag/accept_quoted_name.gs"
if "$PY" "$EXPORT" --model "$QN" "$T/qn.pt" "$T/qn.safetensors" > "$T/qn.log" 2>&1 &&
    "$GSC" --eval "$QN" --params "$T/qn.safetensors" --input "$T/qx.bin" -o "$T/qy.bin" >> "$T/qn.log" 2>&1 &&
    "$PY" "$T/compare.py" "$T/qy.bin" "$T/qy_torch.bin" 1e-5 >> "$T/qn.log" 2>&1; then
    ok "names with '-' (stage.block1-0.conv.weight) move by name to quoted layers: $(tail -n 1 "$T/qn.log")"
else
    bad "names with '-' through --model and gsc --eval" "$T/qn.log"
fi
"$PY" "$EXPORT" --model "$QN" "$T/qbad.pt" "$T/qbad.safetensors" > "$T/qbad.log" 2>&1
st=$?
if [ $st = 1 ] && grep -q "stage.block1-1.conv.weight has shape \[4, 4, 3, 3\] but the model wants \[4, 4, 2, 2\]" \
        "$T/qbad.log" && ! [ -e "$T/qbad.safetensors" ]; then
    ok "a shape mismatch on a name with '-' is reported naming the tensor; nothing written"
else
    bad "mismatch on a name with '-' (status $st)" "$T/qbad.log"
fi

"$PY" "$EXPORT" "$T/nonexistent.pt" "$T/z.safetensors" > "$T/nx.log" 2>&1
st1=$?
"$PY" "$EXPORT" --rename nonsense "$T/sd.pt" "$T/z.safetensors" > "$T/us.log" 2>&1
st2=$?
if [ $st1 = 1 ] && [ $st2 = 2 ] && ! [ -e "$T/z.safetensors" ]; then
    ok "missing input is status 1, bad --rename is a usage error (2)"
else
    bad "error statuses ($st1, $st2)" "$T/us.log"
fi

# ------------------------------------------------------------ the classify example
CC=${CC:-cc}
FAST=
[ -f "$ROOT/runtime/gsc_fast.c" ] && FAST="$ROOT/runtime/gsc_fast.c $ROOT/runtime/gsc_winograd.c" # the optimised kernels, when gsc emits calls to them
if command -v "$CC" > /dev/null 2>&1; then
    # shellcheck disable=SC2086 # $FAST is empty or two paths
    if "$CC" -std=c99 -O2 -I"$ROOT/generated" -I"$ROOT/runtime" -o "$T/classify" "$ROOT/examples/classify/classify.c" \
            "$ROOT/generated/rn18.c" "$ROOT/runtime/gsc_init.c" "$ROOT/runtime/gsc_kernels.c" \
            "$ROOT/runtime/gsc_safetensors.c" $FAST -lm > "$T/cls.log" 2>&1 &&
        "$T/classify" --save-input "$T/x224.bin" "$ROOT/examples/classify/sample.ppm" "$T/w.safetensors" \
            > "$T/cls.out" 2>> "$T/cls.log" &&
        cat > "$T/cls.py" <<'EOF' &&
import sys, re, numpy as np, torch
sys.path.insert(0, sys.argv[1]); import rn18torch
t = sys.argv[1]
x = torch.from_numpy(np.fromfile(t + "/x224.bin", "<f4").reshape(3, 224, 224))
p = torch.softmax(rn18torch.run(rn18torch.make(0), x), 0)
rows = re.findall(r"^\s+\d\. class\s+(\d+)\s+([0-9.]+)", open(t + "/cls.out").read(), re.M)
top = torch.topk(p, 5)
got = [(int(c), float(s)) for c, s in rows]
want = [(int(i), float(v)) for v, i in zip(top.values, top.indices)]
print("classify top-5", got, "torch", [(i, round(v, 6)) for i, v in want])
ok = len(got) == 5 and all(g[0] == w[0] and abs(g[1] - w[1]) <= 1e-4 * max(w[1], 1e-3) + 1e-6
                           for g, w in zip(got, want))
sys.exit(0 if ok else 1)
EOF
        "$PY" "$T/cls.py" "$T" >> "$T/cls.log" 2>&1; then
        ok "examples/classify (generated C, 224x224) on the exported weights: top-5 matches PyTorch"
    else
        cat "$T/cls.out" >> "$T/cls.log" 2>/dev/null
        bad "examples/classify on the exported weights" "$T/cls.log"
    fi
else
    echo "skip: no C compiler ($CC) for the classify check"
fi

finish
