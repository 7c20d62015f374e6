#!/usr/bin/python3
"""tests/onnx/vs_port.py [--gsc GSC] NAME ... - a torchvision model imported
from its ONNX export against the hand-written port models/torchvision/NAME.gs
on the same weights (by hand; not in make test: the builds are slow).

The model (random weights, batchnorm statistics randomised, eval mode) goes
to the port through tools/export_torch.py (its state_dict by name) and to
ONNX by torch.onnx.export (opset 13, 96x96); gsc compiles the port at
H = W = 96 and the import's --emit=gs text to C, both are built and run on
one input, and the largest difference of the two outputs is printed with
each one's difference from PyTorch and the size of the two texts (lines,
conv2d and batchnorm_eval layers). Exits 1 when the two C outputs differ
by more than 1e-5.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torchvision

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
KWARGS = {"googlenet": dict(aux_logits=False, transform_input=False, init_weights=False)}


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode:
        sys.exit("%s failed:\n%s%s" % (" ".join(cmd), r.stdout, r.stderr))


def build_run(tmp, stem, wst, xin):
    run([os.environ.get("CC", "cc"), "-std=c99", "-O2", "-march=native", "-I" + tmp, "-I" + ROOT + "/runtime",
         '-DGSC_HEADER="%s.h"' % os.path.basename(stem), "-DGSC_P=m", "-DGSC_PU=M",
         ROOT + "/tests/driver/model_main.c", stem + ".c",
         *(ROOT + "/runtime/" + f for f in ("gsc_init.c", "gsc_kernels.c", "gsc_safetensors.c", "gsc_fast.c",
                                             "gsc_winograd.c")), "-lm", "-o", stem])
    run([stem, "--params", wst, "--input", xin, "--output", stem + ".y"])
    return np.fromfile(stem + ".y", "<f4").astype(np.float64)


def randomised(name):
    """torchvision's NAME in eval mode, random weights (seed 1), batchnorm statistics randomised (tests/onnx/ort.sh
    exports these too)."""
    torch.manual_seed(1)
    m = getattr(torchvision.models, name)(**KWARGS.get(name, {})).eval()
    for mod in m.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            mod.running_mean.uniform_(-0.1, 0.1)
            mod.running_var.uniform_(0.5, 2.0)
    return m


def check(tmp, gsc, name, h=96, w=96):
    m = randomised(name)
    x = torch.randn(1, 3, h, w)
    xin = os.path.join(tmp, name + ".x.bin")
    x.numpy().astype("<f4").tofile(xin)
    with torch.no_grad():
        ref = m(x).double().numpy()[0]
    port, imp = os.path.join(tmp, name + "_port"), os.path.join(tmp, name + "_imp")
    gs = os.path.join(ROOT, "models", "torchvision", name + ".gs")
    torch.save(m.state_dict(), port + ".pt")
    run([sys.executable, ROOT + "/tools/export_torch.py", port + ".pt", port + ".safetensors", "--model", gs],
        env=dict(os.environ, GSC=gsc))
    torch.onnx.export(m, x, imp + ".onnx", opset_version=13)
    run([gsc, "-q", "--emit=gs", imp + ".onnx", "-o", imp + ".gs"])
    run([gsc, "-q", gs, "-D", "H=%d" % h, "-D", "W=%d" % w, "-o", port + ".c", "--prefix", "m"])
    run([gsc, "-q", imp + ".gs", "-o", imp + ".c", "--prefix", "m"])
    yp, yi = build_run(tmp, port, port + ".safetensors", xin), build_run(tmp, imp, imp + ".safetensors", xin)
    d = abs(yp - yi).max()
    print("%s %dx%d: max |port C - imported C| %.3g; port C - PyTorch %.3g, imported C - PyTorch %.3g (outputs up "
          "to %.3g)" % (name, h, w, d, abs(yp - ref).max(), abs(yi - ref).max(), abs(ref).max()))
    for what, f in (("port", gs), ("import", imp + ".gs")):
        t = open(f).read()
        print("  %-6s %4d lines, %3d conv2d, %3d batchnorm_eval" % (what, len(t.splitlines()), t.count("conv2d("),
                                                                    t.count("batchnorm_eval(")))
    return d <= 1e-5


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gsc", default=os.path.join(ROOT, "build", "gsc"))
    ap.add_argument("names", nargs="+")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ok = [check(tmp, os.path.abspath(a.gsc), n) for n in a.names]
    print("tests/onnx/vs_port.py: %d passed, %d failed" % (sum(ok), len(ok) - sum(ok)))
    sys.exit(0 if all(ok) else 1)


if __name__ == "__main__":
    main()
