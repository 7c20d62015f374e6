#!/usr/bin/python3
"""Independent numpy reference for the seed's ResNet-18 (contract: the seed's SEMANTICS.md, whose
sections the docstrings below name; in this repository, docs/semantics.md and docs/language.md section 4).

Usage:
  seed_resnet18.py --in-c 3 --classes 1000 --h 64 --w 64 --input X.bin --output Y.bin [--params W.safetensors]
  seed_resnet18.py --dump-abi [--in-c 3 --classes 1000]
  seed_resnet18.py --selftest
Arithmetic is float64 throughout (parameters and input are float32 values); the output is rounded to float32.
"""
import argparse, json, struct, sys
import numpy as np

EPS = 1e-6  # SEMANTICS.md "batchnorm": eps = 1e-6 (not PyTorch's 1e-5)
M32 = 0xFFFFFFFF


# ---- parameter ABI ---------------------------------------------------------------------------------
def abi(in_c, classes):
    """SEMANTICS.md "Parameter ABI": the 82 tensors in order, with PyTorch state_dict names.
    Returns a list of (name, shape, kind) with kind in {'w', 'b', 'gamma', 'beta'}."""
    out = []
    def conv(name, cin, cout, k):
        out.extend([(name + ".weight", (cout, cin, k, k), "w"), (name + ".bias", (cout,), "b")])
    def bn(name, c):
        out.extend([(name + ".weight", (c,), "gamma"), (name + ".bias", (c,), "beta")])
    conv("conv1", in_c, 64, 7); bn("bn1", 64)
    cin = 64
    for stage, width in enumerate([64, 128, 256, 512], start=1):
        for blk in range(2):
            p = "layer%d.%d." % (stage, blk)
            conv(p + "conv1", cin, width, 3); bn(p + "bn1", width)
            conv(p + "conv2", width, width, 3); bn(p + "bn2", width)
            if stage > 1 and blk == 0:  # projection skip after the main-path tensors
                conv(p + "downsample.0", cin, width, 1); bn(p + "downsample.1", width)
            cin = width
    out.extend([("fc.weight", (classes, 512), "w"), ("fc.bias", (classes,), "b")])
    assert len(out) == 82
    return out


# ---- deterministic initialiser ---------------------------------------------------------------------
def lcg_stream(seed, n):
    """SEMANTICS.md "Deterministic initialisation": element i is LCG^(i+1)(seed), with
    LCG(s) = (1664525*s + 1013904223) mod 2^32. Vectorised by doubling: x[i+m] = A_m*x[i] + C_m (mod 2^32),
    where (A_m, C_m) is the m-fold composition of the LCG."""
    a, c = 1664525, 1013904223
    x = np.empty(max(n, 1), dtype=np.uint64)
    x[0] = (a * seed + c) & M32
    m, am, cm = 1, a, c                       # (am, cm): m-step jump
    while m < n:
        k = min(m, n - m)
        # am < 2^32 and x < 2^32, so the product fits in uint64; the +cm may wrap mod 2^64, harmless mod 2^32
        x[m:m + k] = (np.uint64(am) * x[:k] + np.uint64(cm)) & np.uint64(M32)
        am, cm = (am * am) & M32, (am * cm + cm) & M32   # compose jump with itself: 2m steps
        m *= 2
    return x[:n]


def init_tensor(seed, shape, kind):
    """SEMANTICS.md "Deterministic initialisation": weights -0.1 + (LCG^(i+1)(s)/2^32)*0.2 computed in
    double, rounded to float32; biases 0; BN gamma 1, beta 0."""
    n = int(np.prod(shape))
    if kind == "w":
        v = -0.1 + (lcg_stream(seed, n).astype(np.float64) / 4294967296.0) * 0.2
        return v.astype(np.float32).reshape(shape)
    return np.full(shape, 1.0 if kind == "gamma" else 0.0, dtype=np.float32)


def seed_params(in_c, classes):
    """The seed of each tensor is its ABI index."""
    return {name: init_tensor(i, shape, kind) for i, (name, shape, kind) in enumerate(abi(in_c, classes))}


def read_safetensors(path):
    """Tiny safetensors reader: u64 LE header length, JSON header, then raw data (only F32 accepted)."""
    with open(path, "rb") as f:
        blob = f.read()
    (hlen,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + hlen].decode("utf-8"))
    base = 8 + hlen
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise SystemExit("%s: tensor %s has dtype %s, only F32 is supported" % (path, name, info["dtype"]))
        lo, hi = info["data_offsets"]
        out[name] = np.frombuffer(blob[base + lo:base + hi], dtype="<f4").reshape(info["shape"])
    return out


# ---- operations --------------------------------------------------------------------------------------
def conv2d(x, w, b, stride, pad):
    """SEMANTICS.md "conv2d": cross-correlation (no flip), zero padding, + bias;
    out = (in + 2p - k) / s + 1. Implemented as im2col + matmul in float64."""
    cout, cin, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (pad, pad), (pad, pad)))
    cols = np.lib.stride_tricks.sliding_window_view(xp, (k, k), axis=(1, 2))[:, ::stride, ::stride]
    oh, ow = cols.shape[1], cols.shape[2]
    cols = cols.transpose(1, 2, 0, 3, 4).reshape(oh * ow, cin * k * k)       # rows: output pixel
    y = cols @ w.reshape(cout, -1).astype(np.float64).T + b.astype(np.float64)
    return y.T.reshape(cout, oh, ow)


def batchnorm(x, gamma, beta):
    """SEMANTICS.md "batchnorm": train-time, per channel over h*w, biased variance clamped >= 0, eps 1e-6."""
    mean = x.mean(axis=(1, 2), keepdims=True)
    var = np.maximum(((x - mean) ** 2).mean(axis=(1, 2), keepdims=True), 0.0)
    g = gamma.astype(np.float64)[:, None, None]; bt = beta.astype(np.float64)[:, None, None]
    return (x - mean) / np.sqrt(var + EPS) * g + bt


def relu(x):
    """SEMANTICS.md "relu": max(x, 0)."""
    return np.maximum(x, 0.0)


def maxpool2d(x, k, stride, pad):
    """SEMANTICS.md "maxpool2d": padded cells excluded (treated as -inf); an empty window gives 0.
    (Tie order does not affect the value.)"""
    xp = np.pad(x, ((0, 0), (pad, pad), (pad, pad)), constant_values=-np.inf)
    win = np.lib.stride_tricks.sliding_window_view(xp, (k, k), axis=(1, 2))[:, ::stride, ::stride]
    y = win.max(axis=(3, 4))
    return np.where(np.isneginf(y), 0.0, y)


def global_avgpool(x):
    """SEMANTICS.md "global_avgpool": [c,h,w] -> [c], per-channel sum / (h*w)."""
    return x.sum(axis=(1, 2)) / (x.shape[1] * x.shape[2])


def linear(x, w, b):
    """SEMANTICS.md "linear": y = W x + b."""
    return w.astype(np.float64) @ x + b.astype(np.float64)


# ---- model --------------------------------------------------------------------------------------------
def resnet18(x, P, trace=None):
    """SEMANTICS.md "ResNet-18": stem, 4 stages x 2 BasicBlocks, global avg pool, linear.
    `trace`, if a dict, receives every intermediate value by name (for debugging)."""
    def t(name, v):
        if trace is not None: trace[name] = v
        return v
    cbr = lambda v, c, bn, s, p: batchnorm(conv2d(v, P[c + ".weight"], P[c + ".bias"], s, p),
                                           P[bn + ".weight"], P[bn + ".bias"])
    x = x.astype(np.float64)
    h = t("stem.bn", cbr(x, "conv1", "bn1", 2, 3))
    h = t("stem.pool", maxpool2d(relu(h), 3, 2, 1))
    for stage in range(1, 5):
        for blk in range(2):
            p = "layer%d.%d." % (stage, blk)
            s = 2 if (stage > 1 and blk == 0) else 1
            m = t(p + "relu1", relu(cbr(h, p + "conv1", p + "bn1", s, 1)))
            m = t(p + "bn2", cbr(m, p + "conv2", p + "bn2", 1, 1))
            skip = cbr(h, p + "downsample.0", p + "downsample.1", 2, 0) if s == 2 else h
            h = t(p + "out", relu(m + skip))
    g = t("avgpool", global_avgpool(h))
    return t("fc", linear(g, P["fc.weight"], P["fc.bias"]))


# ---- CLI ----------------------------------------------------------------------------------------------
def selftest():
    """Known initialiser values from the brief and the 11,694,312-float total for in_c=3, classes=1000."""
    ok = True
    def check(what, cond):
        nonlocal ok
        print(("ok   " if cond else "FAIL ") + what); ok &= bool(cond)
    A = abi(3, 1000)
    w0 = init_tensor(0, A[0][1], "w").ravel()[:3]
    check("tensor 0 (%s) bits %s" % (A[0][0], [hex(v) for v in w0.view(np.uint32)]),
          list(w0.view(np.uint32)) == [0xbd58368f, 0xbd3565e3, 0x3d82e18b])
    check("tensor 0 values %r" % w0.tolist(),
          np.allclose(w0, [-0.0527864061, -0.0442866199, 0.0639067516], rtol=0, atol=1e-10))
    w80 = init_tensor(80, A[80][1], "w").ravel()[:3]
    check("tensor 80 (%s) values %r" % (A[80][0], w80.tolist()),
          A[80][0] == "fc.weight" and
          np.allclose(w80, [-0.0465855673, 0.00697362423, 0.019239109], rtol=0, atol=1e-10))
    # vectorised stream against a plain loop
    s, ref = 12345, []
    for _ in range(1000):
        s = (1664525 * s + 1013904223) & M32; ref.append(s)
    check("vectorised LCG == loop (1000 steps)", list(lcg_stream(12345, 1000)) == ref)
    total = sum(int(np.prod(sh)) for _, sh, _ in A)
    check("total floats %d == 11694312" % total, total == 11694312)
    check("82 tensors", len(A) == 82)
    print("selftest " + ("passed" if ok else "FAILED"))
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--in-c", type=int, default=3); ap.add_argument("--classes", type=int, default=1000)
    ap.add_argument("--h", type=int); ap.add_argument("--w", type=int)
    ap.add_argument("--input"); ap.add_argument("--output"); ap.add_argument("--params")
    ap.add_argument("--dump-abi", action="store_true"); ap.add_argument("--selftest", action="store_true")
    a = ap.parse_args()
    if a.selftest:
        return selftest()
    if a.dump_abi:
        off = 0
        for i, (name, shape, kind) in enumerate(abi(a.in_c, a.classes)):
            n = int(np.prod(shape))
            print(json.dumps({"index": i, "name": name, "shape": list(shape), "offset": off, "size": n}))
            off += n
        return 0
    if None in (a.h, a.w, a.input, a.output):
        ap.error("--h, --w, --input and --output are required")
    x = np.fromfile(a.input, dtype="<f4")
    if x.size != a.in_c * a.h * a.w:
        raise SystemExit("input has %d floats, expected in_c*h*w = %d" % (x.size, a.in_c * a.h * a.w))
    if a.params:
        P = read_safetensors(a.params)
        for name, shape, _ in abi(a.in_c, a.classes):
            if name not in P: raise SystemExit("params: missing tensor %s" % name)
            if tuple(P[name].shape) != shape:
                raise SystemExit("params: %s has shape %s, expected %s" % (name, P[name].shape, shape))
    else:
        P = seed_params(a.in_c, a.classes)
    y = resnet18(x.reshape(a.in_c, a.h, a.w), P)
    y.astype("<f4").tofile(a.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
