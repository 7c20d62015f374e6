#!/usr/bin/python3
"""bench/zoo.py - the ports in models/torchvision/ against ONNX Runtime (`make bench-zoo`).

Run by bench/zoo.sh, which installs the peers first:

    /usr/bin/python3 bench/zoo.py --gsc build/gsc --node-modules build/bench/node/node_modules \\
        --out build/bench/zoo [NAME ...]

For each port (all of models/torchvision/*.gs by default), at 3x224x224, batch 1:
  gsc     torchvision's model in eval() with random weights and randomised running
          statistics (tools/test_torchvision.py's randomised()), its state_dict through
          tools/export_torch.py --model, the port compiled by gsc and built with
          cc -O3 -march=native -fopenmp behind bench/zoo_bench.c (weights loaded by
          name with gsc_st_load_params)
  ort     ONNX Runtime 1.30 (onnxruntime-node, bench/ort_worker.js) on
          torch.onnx.export of the same model (eval, opset 13)
  import  that ONNX file compiled by gsc directly (gsc model.onnx -o), the same
          build; where the import fails its reason is printed. The weights are
          compiled in up to gsc's --embed-limit (64 MiB of prepared weights), else
          gsc writes them beside the C and zoo_bench loads them (as initialisers in
          C the compiler would need over 19 GB of memory for vgg11)
First every output is checked against torchvision's (max |y - y_torch| / max |y_torch|
<= 1e-4); a model whose gsc output disagrees is not timed. Then rounds: in each,
every model, each peer in turn (order rotated per round) runs W untimed and N timed
forwards at 1 thread (--threads to change). Prints per model the medians, gsc/ORT
and import/ORT, then the geometric means, against the goal: every model at most
1.25x ONNX Runtime's time, the geometric mean at most 1.0.
"""
import argparse
import glob
import json
import math
import os
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tools"))
from peers import Worker  # noqa: E402
from runtime_sources import runtime_archive  # noqa: E402
from test_torchvision import randomised  # noqa: E402

TOL = 1e-4
H = W = 224


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode:
        raise RuntimeError("%s: exit %d\n%s" % (" ".join(cmd), r.returncode, r.stderr[-2000:]))
    return r


def rel(a, b):
    return float(np.max(np.abs(a.astype(np.float64) - b))) / max(float(np.max(np.abs(b))), 1e-30)


def build(gsc, src, d):
    """gsc SRC -o d/m.c, then zoo_bench against it: the binary's path, and None when the weights are compiled
    in, else the file that must be given to it (d/m.safetensors, which gsc writes for an imported model over
    --embed-limit; the caller's own for a .gs model)."""
    os.makedirs(d, exist_ok=True)
    run([gsc, "-q", src, "-o", os.path.join(d, "m.c"), "--prefix", "m"])
    with open(os.path.join(d, "m.h")) as f:
        embedded = "#define M_EMBEDDED_WEIGHTS" in f.read()
    exe = os.path.join(d, "zoo_bench")
    cc, cflags = os.environ.get("CC", "cc"), ["-Wall", "-Wextra", "-Wpedantic", "-Werror", "-O3", "-march=native",
                                              "-fopenmp"]
    run([cc, "-std=c99", *cflags, "-I" + d, "-I" + os.path.join(ROOT, "runtime"), "-I" + HERE,
         '-DGSC_HEADER="m.h"', "-DGSC_P=m", "-DGSC_PU=M"] + (["-DGSC_EMBEDDED"] if embedded else []) +
        [os.path.join(HERE, "zoo_bench.c"), os.path.join(d, "m.c")] +
        [runtime_archive(cc, cflags), "-lm", "-o", exe])
    return exe, None if embedded else os.path.join(d, "m.safetensors")


def prepare(a, name, x, xpath):
    """Everything for one model: the reference output, the gsc and import workers."""
    d = os.path.join(a.out, name)
    os.makedirs(d, exist_ok=True)
    gs = os.path.join(ROOT, "models", "torchvision", name + ".gs")
    m = randomised(name, 15)
    with torch.no_grad():
        ref = m(torch.from_numpy(x.copy()).reshape(1, 3, H, W)).double().numpy().reshape(-1)
    sd, wst, onnx = (os.path.join(d, name + e) for e in (".pt", ".safetensors", ".onnx"))
    torch.save(m.state_dict(), sd)
    run([sys.executable, os.path.join(ROOT, "tools", "export_torch.py"), sd, wst, "--model", gs],
        env=dict(os.environ, GSC=a.gsc))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(m, torch.from_numpy(x.copy()).reshape(1, 3, H, W), onnx, opset_version=13,
                          input_names=["x"], output_names=["y"])
    exe, _ = build(a.gsc, gs, os.path.join(d, "gsc"))
    workers = {"gsc": Worker([exe, xpath, wst])}
    why = None
    if not a.no_import:
        try:
            imp, w = build(a.gsc, onnx, os.path.join(d, "import"))
            workers["import"] = Worker([imp, xpath] + ([w] if w else []))
        except RuntimeError as e:
            why = [line for line in str(e).splitlines() if "error" in line][:1] or str(e).splitlines()[:1]
            why = why[0].strip()
    for w in workers.values():
        w.p.stdout.readline()  # "ready ISA"
    return {"ref": ref, "onnx": onnx, "workers": workers, "import_error": why}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gsc", default=os.path.join(ROOT, "build", "gsc"))
    ap.add_argument("--node-modules", default=os.path.join(ROOT, "build", "bench", "node", "node_modules"))
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "bench", "zoo"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--per", type=int, default=4, help="timed runs per peer, model and round")
    ap.add_argument("--warmup", type=int, default=1, help="untimed runs per peer, model and round")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--no-import", action="store_true", help="leave out the ONNX-import column")
    ap.add_argument("names", nargs="*", help="ports (default: all of models/torchvision/)")
    a = ap.parse_args()
    a.gsc = os.path.abspath(a.gsc)
    os.makedirs(a.out, exist_ok=True)
    torch.set_num_threads(a.threads)
    names = a.names or sorted(os.path.basename(p)[:-3]
                              for p in glob.glob(os.path.join(ROOT, "models", "torchvision", "*.gs")))
    x = np.random.default_rng(224).uniform(-1, 1, size=3 * H * W).astype("<f4")
    xpath = os.path.join(a.out, "input.bin")
    x.tofile(xpath)
    env = dict(os.environ, NODE_PATH=os.path.abspath(a.node_modules))
    ort = Worker(["node", os.path.join(HERE, "ort_worker.js"), xpath], env=env)
    ort_version = ort.ask("version")

    models, failed = {}, []
    for name in names:
        t0 = time.time()
        try:
            mod = prepare(a, name, x, xpath)
        except RuntimeError as e:
            print("%-20s FAIL: %s" % (name, str(e).splitlines()[0][:200]))
            failed.append(name)
            continue
        ort.ask("load %s %s %d" % (name, mod["onnx"], a.threads))
        errs = {}
        for peer, w in list(mod["workers"].items()) + [("ort", None)]:
            out = os.path.join(a.out, name, "y_%s.bin" % peer)
            if w:
                w.ask("run 1 0 1")
                w.ask("out " + out)
            else:
                ort.ask("run %s 0 1" % name)
                ort.ask("out %s %s" % (name, out))
            errs[peer] = rel(np.fromfile(out, dtype="<f4"), mod["ref"])
        print("%-20s agreement with torchvision: %s (%.0f s to prepare)%s" % (
            name, ", ".join("%s %.1e" % kv for kv in errs.items()), time.time() - t0,
            "; import: " + mod["import_error"] if mod["import_error"] else ""), flush=True)
        if errs["gsc"] > TOL or errs["ort"] > TOL:
            print("%-20s FAIL: gsc or ORT is more than %.0e from torchvision: not timed" % (name, TOL))
            failed.append(name)
            continue
        if "import" in errs and errs["import"] > TOL:
            print("%-20s the import is more than %.0e from torchvision: its column is left out" % (name, TOL))
            mod["workers"].pop("import").close()
        models[name] = mod

    # ---- timing: rounds; per model the peers in an order rotated per round
    times = {(n, p): [] for n in models for p in ("gsc", "ort", "import")}
    t_start = time.time()
    for r in range(a.rounds):
        for name, mod in models.items():
            peers = [p for p in ("gsc", "ort", "import") if p == "ort" or p in mod["workers"]]
            for p in peers[r % len(peers):] + peers[:r % len(peers)]:
                if p == "ort":
                    reply = ort.ask("run %s %d %d" % (name, a.warmup, a.per))
                else:
                    reply = mod["workers"][p].ask("run %d %d %d" % (a.threads, a.warmup, a.per))
                times[(name, p)] += [float(v) for v in reply.split()]
                time.sleep(0.02)
    elapsed = time.time() - t_start
    ort.close()
    for mod in models.values():
        for w in mod["workers"].values():
            w.close()

    print("\n3x224x224, batch 1, float32, %d thread(s); median (min) ms of %d timed runs each, %d rounds "
          "x %d runs after %d warm-up; %.0f s; onnxruntime-node %s" % (
              a.threads, a.rounds * a.per, a.rounds, a.per, a.warmup, elapsed, ort_version))
    print("  %-20s %18s %18s %9s %18s %10s" % ("model", "gsc", "ONNX Runtime", "gsc/ORT", "gsc import",
                                              "import/ORT"))
    res, ratios, iratios = {}, [], []
    for name in models:
        med = {p: statistics.median(v) for (n, p), v in times.items() if n == name and v}
        mn = {p: min(v) for (n, p), v in times.items() if n == name and v}
        r = med["gsc"] / med["ort"]
        ratios.append(r)
        line = "  %-20s %8.2f (%7.2f) %8.2f (%7.2f) %8.2fx" % (name, med["gsc"], mn["gsc"], med["ort"],
                                                            mn["ort"], r)
        if "import" in med:
            ir = med["import"] / med["ort"]
            iratios.append(ir)
            line += " %8.2f (%7.2f) %9.2fx" % (med["import"], mn["import"], ir)
        else:
            line += " %18s %10s" % ("-", "-")
        print(line + ("" if r <= 1.25 else "   (over 1.25x)"))
        res[name] = {"median": med, "min": mn, "gsc_over_ort": r}
    if ratios:
        g = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        print("geometric mean of gsc/ORT over %d models: %.2fx" % (len(ratios), g))
        if iratios:
            gi = math.exp(sum(math.log(r) for r in iratios) / len(iratios))
            print("geometric mean of import/ORT over %d models: %.2fx" % (len(iratios), gi))
        worst = max(ratios)
        print('goal (every model at most 1.25x ORT, geometric mean at most 1.0): %s (worst %.2fx, %s)' % (
            "meets" if worst <= 1.25 and g <= 1.0 else "MISSES", worst,
            list(models)[ratios.index(worst)]))
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump({"ort": ort_version, "threads": a.threads, "results": res, "failed": failed}, f, indent=1)
    if failed:
        sys.exit("zoo: %d model(s) failed: %s" % (len(failed), ", ".join(failed)))


if __name__ == "__main__":
    main()
