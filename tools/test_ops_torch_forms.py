#!/usr/bin/python3
"""The language forms of issue 15 against PyTorch: per-axis windows (k=(1, 3),
stride=(2, 1), pad=(h, w) and pad=(top, left, bottom, right)) of conv2d,
maxpool2d and avgpool2d.

Each case is a small model. Its weights and input are random; gsc --eval runs
it (float32) and gsc --eval --grad gives the gradients of an MSE loss; PyTorch
computes both in float64 (asymmetric padding as F.pad, as ONNX exports mean
it). Reported per case: max |gsc - torch| / max |torch| for the output, the
input gradient and every parameter gradient; each must be at most 1e-5.

    tools/test_ops_torch_forms.py [GSC]      (from the repository root)

Prints "N passed, M failed" last and exits 1 on a failure; without torch it
prints why and exits 0 (skipped).
"""
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError as e:  # pragma: no cover
    print(f"skipped: {e} (Debian: apt-get install python3-torch python3-numpy)")
    sys.exit(0)

GSC = sys.argv[1] if len(sys.argv) > 1 else "build/gsc"
LIMIT = 1e-5


def write_safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    for name, a in tensors.items():
        b = np.ascontiguousarray(a, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        lo, hi = t["data_offsets"]
        out[name] = np.frombuffer(data[8 + n + lo:8 + n + hi], dtype="<f4").reshape(t["shape"])
    return out


def pad4(x, top, left, bottom, right, value=0.0):
    return F.pad(x, (left, right, top, bottom), value=value)


def pooled(name, pool, shape, tpool):
    """A pooling after a 1x1 convolution, so that the convolution's parameter
    gradients carry the pooling's backward."""
    c = shape[0]
    return (name, f"c = conv2d({c} -> {c}, k=1)\n    let m = {pool}\n    return m", shape,
            lambda x, p: tpool(F.conv2d(x, p["c.weight"], p["c.bias"])))


# name, model body (x is the input), input shape, torch forward(x, params) in float64
CASES = [
    ("conv2d k=(1, 3), stride=(2, 1), pad=(0, 1)",
     "c = conv2d(3 -> 4, k=(1, 3), stride=(2, 1), pad=(0, 1))\n    return c(x)", (3, 9, 7),
     lambda x, p: F.conv2d(x, p["c.weight"], p["c.bias"], stride=(2, 1), padding=(0, 1))),
    ("conv2d k=(3, 2), stride=(1, 2), pad=(1, 0, 2, 1)",
     "c = conv2d(2 -> 3, k=(3, 2), stride=(1, 2), pad=(1, 0, 2, 1))\n    return c(x)", (2, 6, 9),
     lambda x, p: F.conv2d(pad4(x, 1, 0, 2, 1), p["c.weight"], p["c.bias"], stride=(1, 2))),
    ("conv2d k=(5, 1), pad=(2, 0) then k=(1, 5), pad=(0, 2) (a factorised 5x5)",
     "a = conv2d(3 -> 4, k=(5, 1), pad=(2, 0))\n    b = conv2d(4 -> 2, k=(1, 5), pad=(0, 2))\n    return b(a(x))",
     (3, 7, 8),
     lambda x, p: F.conv2d(F.conv2d(x, p["a.weight"], p["a.bias"], padding=(2, 0)), p["b.weight"], p["b.bias"],
                           padding=(0, 2))),
    pooled("maxpool2d k=(3, 1), stride=(2, 1), pad=(1, 0)", "maxpool2d(c(x), k=(3, 1), stride=(2, 1), pad=(1, 0))",
           (2, 9, 5), lambda y: F.max_pool2d(y, (3, 1), stride=(2, 1), padding=(1, 0))),
    pooled("maxpool2d k=2, stride=2, pad=(0, 0, 1, 1) (TensorFlow's SAME on an odd size)",
           "maxpool2d(c(x), k=2, stride=2, pad=(0, 0, 1, 1))", (2, 7, 5),
           lambda y: F.max_pool2d(pad4(y, 0, 0, 1, 1, value=float("-inf")), 2, stride=2)),
    pooled("avgpool2d k=(2, 3), stride=(2, 1), pad=(1, 0)", "avgpool2d(c(x), k=(2, 3), stride=(2, 1), pad=(1, 0))",
           (2, 7, 6), lambda y: F.avg_pool2d(y, (2, 3), stride=(2, 1), padding=(1, 0), count_include_pad=True)),
    pooled("avgpool2d k=3, stride=2, pad=(0, 1, 1, 0)", "avgpool2d(c(x), k=3, stride=2, pad=(0, 1, 1, 0))",
           (3, 8, 9), lambda y: F.avg_pool2d(pad4(y, 0, 1, 1, 0), 3, stride=2)),
]


def rel(a, b):
    b = np.asarray(b, dtype=np.float64)
    scale = max(float(np.max(np.abs(b))), 1e-30)
    return float(np.max(np.abs(np.asarray(a, dtype=np.float64) - b))) / scale


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(f"{' '.join(cmd)}: exit {r.returncode}\n{r.stderr}")
    return r.stdout


def conv_shapes(body):
    """The weight and bias shapes of each 'name = conv2d(ci -> co, k=...)' line,
    as PyTorch has them: weight [co, ci, kh, kw]."""
    out = {}
    for m in re.finditer(r"(\w+) = conv2d\((\d+) -> (\d+), k=(\(\d+, \d+\)|\d+)", body):
        name, ci, co, k = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)
        kh, kw = (int(v) for v in k.strip("()").split(",")) if k.startswith("(") else (int(k), int(k))
        out[name + ".weight"] = (co, ci, kh, kw)
        out[name + ".bias"] = (co,)
    return out


def one_case(tmp, i, name, body, shape, fwd):
    rng = np.random.default_rng(1000 + i)
    x = rng.uniform(-1, 1, size=shape)
    params = {k: rng.uniform(-0.5, 0.5, size=v) for k, v in conv_shapes(body).items()}
    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    tp = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    ty = fwd(tx.unsqueeze(0), tp)[0]
    # the result shape is torch's: the checker must prove the model's annotation equal to it
    gs = os.path.join(tmp, f"case{i}.gs")
    dims = ", ".join(str(d) for d in ty.shape)
    with open(gs, "w") as f:
        f.write(f"model m(x: [{', '.join(str(d) for d in shape)}]) -> [{dims}] {{\n    {body}\n}}\n")
    xin, yout, wst = (os.path.join(tmp, f"case{i}.{e}") for e in ("x.bin", "y.bin", "w.safetensors"))
    x.astype("<f4").tofile(xin)
    write_safetensors(wst, params)
    run([GSC, "--eval", "-q", gs, "--input", xin, "--params", wst, "-o", yout])
    y = np.fromfile(yout, dtype="<f4").reshape(tuple(ty.shape))
    errs = {"output": rel(y, ty.detach().numpy())}
    # gradients of the mean squared error against a random target
    target = rng.uniform(-1, 1, size=tuple(ty.shape))
    tin, gout = os.path.join(tmp, f"case{i}.t.bin"), os.path.join(tmp, f"case{i}.g.safetensors")
    target.astype("<f4").tofile(tin)
    loss = ((ty - torch.tensor(target)) ** 2).mean()
    loss.backward()
    run([GSC, "--eval", "--grad", "-q", "--loss=mse", gs, "--input", xin, "--params", wst, "--target", tin,
         "-o", gout])
    grads = read_safetensors(gout)
    for k, v in tp.items():
        errs[f"d {k}"] = rel(grads[k], v.grad.numpy())
    return errs


def main():
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, body, shape, fwd) in enumerate(CASES):
            try:
                errs = one_case(tmp, i, name, body, shape, fwd)
            except Exception as e:  # a gsc failure is a failed case, with its message
                failed += 1
                print(f"FAIL {name}: {e}")
                continue
            worst = max(errs.values())
            text = ", ".join(f"{k} {v:.1e}" for k, v in errs.items())
            if worst <= LIMIT:
                passed += 1
                print(f"ok   {name}: {text}")
            else:
                failed += 1
                print(f"FAIL {name}: {text} (limit {LIMIT:g})")
        # the C kernels take square, evenly padded windows only: gsc -o says so (exit 1) rather than emit
        # C that computes something else
        gs, out = os.path.join(tmp, "case0.gs"), os.path.join(tmp, "case0.c")
        r = subprocess.run([GSC, gs, "-o", out], capture_output=True, text=True)
        if r.returncode == 1 and "the C kernels take only a square window" in r.stderr and not os.path.exists(out):
            passed += 1
            print("ok   gsc -o refuses a per-axis window (no C kernel yet)")
        else:
            failed += 1
            print(f"FAIL gsc -o on a per-axis window: exit {r.returncode}\n{r.stderr}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
