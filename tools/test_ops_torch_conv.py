#!/usr/bin/python3
"""test_ops_torch_conv.py - the convolution and pooling forms against PyTorch.

    /usr/bin/python3 tools/test_ops_torch_conv.py [--gsc build/gsc] [--quick] [--keep]

Each case is a one-operation GraphSpec model (a conv2d or a pool, with a
ReLU in front so the input transform of the fast kernels is exercised too)
and the same operation in PyTorch 1.13 (torch.nn.functional), in float64, with
random weights. The model runs through the interpreter (gsc --eval, with the
weights as safetensors) and through the generated C on every kernel path this
CPU can run: the fast kernels built portable (-O2), with AVX2+FMA, with
-march=native (AVX-512 where the CPU has it), and the reference kernels. Each
output must be within 1e-5 of PyTorch's (max |y - y_torch| / max |y_torch|).
--quick runs the first size of each case only (what make test runs).

Skips (prints SKIP, exit 0) when torch or numpy cannot be imported.
The last line is "N passed, M failed"; the status is 1 on failures.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

from runtime_sources import runtime_archive
from safetensors_np import write_safetensors

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError as e:  # pragma: no cover
    print("SKIP: %s cannot import torch and numpy (%s)" % (sys.executable, e))
    print("0 passed, 0 failed")
    sys.exit(0)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOL = 1e-5

# (name, GraphSpec call, channels in, sizes [(h, w)], torch function of (x, params))
# The conv layer is named conv; its parameters are conv.weight and conv.bias.
CONV_CASES = [
    # depthwise: groups = cin = cout (MobileNet); every 16-channel block, padding lanes
    ("depthwise 3x3", "conv2d(C -> C, k=3, pad=1, groups=C)", 40, [(9, 11), (1, 1)],
     lambda x, p: F.conv2d(x, p["conv.weight"], p["conv.bias"], padding=1, groups=40)),
    ("depthwise 5x5 stride 2 no bias", "conv2d(C -> C, k=5, stride=2, pad=2, groups=C, bias=0)", 24, [(10, 7), (3, 3)],
     lambda x, p: F.conv2d(x, p["conv.weight"], None, stride=2, padding=2, groups=24)),
    ("depthwise 3x3 stride 2 on 3 channels", "conv2d(C -> C, k=3, stride=2, pad=1, groups=C)", 3, [(8, 9)],
     lambda x, p: F.conv2d(x, p["conv.weight"], p["conv.bias"], stride=2, padding=1, groups=3)),
    # grouped: groups of 8 channels (RegNet), groups crossing the 16-channel blocks
    ("grouped 3x3, 8 channels a group", "conv2d(C -> C, k=3, pad=1, groups=6)", 48, [(7, 6), (2, 2)],
     lambda x, p: F.conv2d(x, p["conv.weight"], p["conv.bias"], padding=1, groups=6)),
    ("grouped 1x1, 20 -> 24 a group", "conv2d(C -> 48, k=1, groups=2, bias=0)", 40, [(5, 5)],
     lambda x, p: F.conv2d(x, p["conv.weight"], None, groups=2)),
    ("grouped 3x3 stride 2, channel multiplier", "conv2d(C -> 3 * C, k=3, stride=2, groups=C)", 5, [(9, 9)],
     lambda x, p: F.conv2d(x, p["conv.weight"], p["conv.bias"], stride=2, groups=5)),
    ("dense, no bias", "conv2d(C -> 20, k=3, pad=1, bias=0)", 17, [(6, 5)],
     lambda x, p: F.conv2d(x, p["conv.weight"], None, padding=1)),
]

VARIANTS = [
    ("fast portable", [], "-O2", None),
    ("fast avx2", [], "-O3 -mavx2 -mfma -fopenmp", ("avx2", "fma")),
    ("fast native", [], "-O3 -march=native -fopenmp", None),
    ("reference", ["--kernels=reference"], "-O2", None),
]


def cpu_has(flags):
    if not flags:
        return True
    try:
        info = open("/proc/cpuinfo").read().split()
    except OSError:
        return False
    return all(f in info for f in flags)


def rel_err(a, b):
    a, b = np.asarray(a, np.float64).ravel(), np.asarray(b, np.float64).ravel()
    if a.shape != b.shape:
        return float("inf")
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-30))


def run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise RuntimeError("%s\n%s" % (" ".join(cmd), (r.stdout + r.stderr)[-2000:]))
    return r.stdout


def abi(gsc, gs):
    return json.loads(run([gsc, "-q", "-Wno-unused-layer", "--emit=abi", gs, "-o", "-"]))


def main():
    args = sys.argv[1:]
    gsc = os.path.join(ROOT, "build", "gsc")
    if "--gsc" in args:
        gsc = os.path.abspath(args[args.index("--gsc") + 1])
    quick = "--quick" in args
    tmp = tempfile.mkdtemp(prefix="gsc-torch-conv.")
    passed = failed = 0
    variants = [v for v in VARIANTS if cpu_has(v[3])]
    rng = np.random.RandomState(15)
    try:
        for ci, (name, call, cin, sizes, fn) in enumerate(CONV_CASES):
            for (h, w) in sizes[:1] if quick else sizes:
                d = os.path.join(tmp, "c%d_%dx%d" % (ci, h, w))
                os.makedirs(d)
                gs = os.path.join(d, "m.gs")
                x = rng.uniform(-1, 1, (cin, h, w))
                params = {}
                tensors = []
                # the parameter shapes from the ABI of the layer alone; then the
                # model with torch's result shape, which gsc must prove
                lcall = call.replace("C", str(cin))
                with open(gs, "w") as f:
                    f.write("model m(x: [%d, H, W]) -> [%d, H, W] where H == %d, W == %d "
                            "default H = %d, W = %d {\n    conv = %s\n    return x\n}\n" % (cin, cin, h, w, h, w, lcall))
                a = abi(gsc, gs)
                for t in a["tensors"]:
                    v = rng.uniform(-1, 1, t["shape"])
                    params[t["name"]] = torch.tensor(v, dtype=torch.float64)
                    tensors.append((t["name"], v))
                pv = {k: v for k, v in params.items()}
                pv.setdefault("conv.bias", None)
                ref = fn(torch.relu(torch.tensor(x[None], dtype=torch.float64)), pv)[0].numpy()
                co, oh, ow = ref.shape
                with open(gs, "w") as f:
                    f.write("model m(x: [%d, H, W]) -> [%d, %d, %d] where H == %d, W == %d "
                            "default H = %d, W = %d {\n    conv = %s\n    return conv(relu(x))\n}\n"
                            % (cin, co, oh, ow, h, w, h, w, lcall))
                wpath = os.path.join(d, "w.safetensors")
                write_safetensors(wpath, tensors)
                xpath = os.path.join(d, "x.bin")
                x.astype("<f4").tofile(xpath)
                outs = []
                try:
                    run([gsc, "-q", "--eval", gs, "--params", wpath, "--input", xpath, "-o", os.path.join(d, "e.bin")])
                    outs.append(("interpreter", np.fromfile(os.path.join(d, "e.bin"), "<f4")))
                    for vname, gflags, cflags, _ in variants:
                        run([gsc, "-q"] + gflags + [gs, "-o", os.path.join(d, "m.c")])
                        exe = os.path.join(d, "m")
                        run(["cc", "-std=c99", "-Wall", "-Wextra", "-Wpedantic", "-Werror"] + cflags.split() +
                            ["-I" + d, "-I" + os.path.join(ROOT, "runtime"), '-DGSC_HEADER="m.h"', "-DGSC_P=m",
                             "-DGSC_PU=M", os.path.join(ROOT, "tests/driver/model_main.c"), os.path.join(d, "m.c")] +
                            [runtime_archive("cc", ["-Wall", "-Wextra", "-Wpedantic", "-Werror"] + cflags.split()),
                             "-lm", "-o", exe])
                        run([exe, "--params", wpath, "--input", xpath, "--output", os.path.join(d, "y.bin")])
                        outs.append((vname, np.fromfile(os.path.join(d, "y.bin"), "<f4")))
                except RuntimeError as e:
                    failed += 1
                    print("FAIL %s %dx%d: %s" % (name, h, w, e))
                    continue
                for vname, y in outs:
                    err = rel_err(y, ref)
                    ok = err <= TOL
                    passed += ok
                    failed += not ok
                    print("%s %s %dx%d, %s: relative error %.2g" % ("PASS" if ok else "FAIL", name, h, w, vname, err))
    finally:
        if "--keep" in args:
            print("work files in", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
