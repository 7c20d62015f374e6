#!/usr/bin/python3
"""The ports in models/torchvision/ against torchvision 0.14 in eval mode.

For each model: torchvision.models.NAME() with random weights (PyTorch's
initialisers, seeded) and randomised running statistics (means in [-0.5, 0.5),
variances in [0.5, 1.5), BN weights and biases random too; LayerNorm weights
and biases and ConvNeXt's layer_scale as well), model.eval(); its
state_dict is saved with torch.save and converted by tools/export_torch.py
--model models/torchvision/NAME.gs (no other flag). Then, on a random input:
gsc --eval (the interpreter) and the generated C (built -O3 -march=native
-fopenmp, run through tests/driver/model_main.c, which loads the weights with
gsc_st_load_params) must agree with torchvision's output within 1e-4 (max
|y - y_torch| / max |y_torch|).

    tools/test_torchvision.py [--gsc GSC] [--full] [NAME ...]

Without --full, the cheap subset that make test runs: each model at one small
size. With --full (make test-torchvision): 224x224 and one other size. Prints
"N passed, M failed" last and exits 1 on a failure; without torchvision it
prints why and exits 0 (skipped).
"""
import argparse
import os
import subprocess
import sys
import tempfile

from runtime_sources import runtime_archive

try:
    import numpy as np
    import torch
    import torchvision
except ImportError as e:  # pragma: no cover
    print(f"skipped: {e} (Debian: apt-get install python3-torchvision)")
    print("0 passed, 0 failed")
    sys.exit(0)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIMIT = 1e-4

# name: (cheap sizes, full sizes), each (H, W)
MODELS = {
    "resnet18": ([(64, 48)], [(224, 224), (97, 131)]),
    "mobilenet_v2": ([(64, 48)], [(224, 224), (113, 89)]),
    "mnasnet1_0": ([(64, 48)], [(224, 224), (75, 150)]),
    "shufflenet_v2_x1_0": ([(64, 48)], [(224, 224), (131, 97)]),
    "resnet50": ([(64, 48)], [(224, 224), (89, 113)]),
    "densenet121": ([(32, 29)], [(224, 224), (89, 117)]),
    "squeezenet1_0": ([(45, 37)], [(224, 224), (97, 131)]),
    "googlenet": ([(40, 33)], [(224, 224), (97, 131)]),
    "mobilenet_v3_small": ([(64, 48)], [(224, 224), (97, 131)]),
    "efficientnet_b0": ([(64, 48)], [(224, 224), (113, 89)]),
    "regnet_y_400mf": ([(64, 48)], [(224, 224), (89, 117)]),
    "convnext_tiny": ([(48, 40)], [(224, 224), (97, 131)]),
    "vgg11": ([(32, 32)], [(224, 224), (97, 131)]),
}

# the builder's arguments beyond weights=None, where the port is not its default
# (googlenet(weights=None) has the auxiliary classifiers, which eval() never runs)
KWARGS = {"googlenet": {"aux_logits": False, "transform_input": False}}


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode:
        raise RuntimeError(f"{' '.join(cmd)}: exit {r.returncode}\n{r.stderr[-3000:]}")
    return r


def randomised(name, seed):
    torch.manual_seed(seed)
    m = getattr(torchvision.models, name)(weights=None, **KWARGS.get(name, {}))
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, torch.nn.BatchNorm2d):
                mod.running_mean.copy_(torch.rand(mod.running_mean.shape, generator=g) - 0.5)
                mod.running_var.copy_(torch.rand(mod.running_var.shape, generator=g) + 0.5)
                mod.weight.copy_(torch.rand(mod.weight.shape, generator=g) + 0.5)
                mod.bias.copy_(torch.rand(mod.bias.shape, generator=g) - 0.5)
            if isinstance(mod, torch.nn.LayerNorm):
                mod.weight.copy_(torch.rand(mod.weight.shape, generator=g) + 0.5)
                mod.bias.copy_(torch.rand(mod.bias.shape, generator=g) - 0.5)
        # ConvNeXt's layer_scale starts at 1e-6, which would hide a wrong block: random in [0.5, 1.5)
        for pname, p in m.named_parameters():
            if pname.endswith("layer_scale"):
                p.copy_(torch.rand(p.shape, generator=g) + 0.5)
    return m.eval()


def rel(a, b):
    return float(np.max(np.abs(a.astype(np.float64) - b))) / max(float(np.max(np.abs(b))), 1e-30)


def check(tmp, gsc, name, sizes):
    gs = os.path.join(ROOT, "models", "torchvision", name + ".gs")
    m = randomised(name, 15)
    sd, wst = os.path.join(tmp, name + ".pt"), os.path.join(tmp, name + ".safetensors")
    torch.save(m.state_dict(), sd)
    run([sys.executable, os.path.join(ROOT, "tools", "export_torch.py"), sd, wst, "--model", gs],
        env=dict(os.environ, GSC=gsc))
    ntorch = sum(p.numel() for p in m.parameters())
    results = []
    for h, w in sizes:
        x = np.random.default_rng(h * 1000 + w).uniform(-1, 1, size=(3, h, w)).astype("<f4")
        xin, yev, yc = (os.path.join(tmp, f"{name}_{h}x{w}.{e}") for e in ("x.bin", "eval.bin", "c.bin"))
        x.tofile(xin)
        with torch.no_grad():
            ref = m(torch.from_numpy(x.copy()).unsqueeze(0)).double().numpy()[0]
        d = ["-D", f"H={h}", "-D", f"W={w}"]
        run([gsc, "-q", "--eval", gs, *d, "--input", xin, "--params", wst, "-o", yev])
        results.append((f"{name} {h}x{w} gsc --eval", rel(np.fromfile(yev, dtype="<f4"), ref)))
        stem = os.path.join(tmp, f"{name}_{h}x{w}")
        run([gsc, "-q", gs, *d, "-o", stem + ".c", "--prefix", "m"])
        cc = os.environ.get("CC", "cc")
        run([cc, "-std=c99", "-O3", "-march=native", "-fopenmp", f"-I{tmp}", f"-I{ROOT}/runtime",
             f'-DGSC_HEADER="{os.path.basename(stem)}.h"', "-DGSC_P=m", "-DGSC_PU=M",
             os.path.join(ROOT, "tests", "driver", "model_main.c"), stem + ".c",
             runtime_archive(cc, ["-O3", "-march=native", "-fopenmp"]), "-lm", "-o", stem])
        run([stem, "--params", wst, "--input", xin, "--output", yc], env=dict(os.environ, OMP_NUM_THREADS="2"))
        results.append((f"{name} {h}x{w} generated C (-O3 -march=native -fopenmp)",
                        rel(np.fromfile(yc, dtype="<f4"), ref)))
    return ntorch, results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gsc", default=os.path.join(ROOT, "build", "gsc"))
    ap.add_argument("--full", action="store_true")
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    torch.set_num_threads(2)
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in a.names or MODELS:
            cheap, full = MODELS[name]
            try:
                ntorch, results = check(tmp, a.gsc, name, full if a.full else cheap)
            except Exception as e:
                failed += 1
                print(f"FAIL {name}: {e}")
                continue
            for label, err in results:
                ok = err <= LIMIT
                passed, failed = passed + ok, failed + (not ok)
                print(f"{'ok  ' if ok else 'FAIL'} {label}: relative error {err:.1e} (limit {LIMIT:g}; "
                      f"{ntorch} parameters in torchvision)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
