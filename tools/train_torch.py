#!/usr/bin/python3
"""train_torch.py - examples/train/train.c's run of models/fashion.gs, trained by PyTorch.

usage:
  train_torch.py --data DIR [--params W.safetensors] [--abi ABI.json] [--epochs 5] [--batch 32]
                 [--lr 3e-3] [--wd 1e-2] [--seed 1] [--limit N] [--threads N]
                 [--dtype float32|float64] [--steps K] [--dump-params P.bin]
  train_torch.py compare [--abi ABI.json] [--tolerance T] [--skip NAME]... [--only NAME]... P.bin REF.bin
  train_torch.py compare-losses [--tolerance T] A.log B.log

The twin of examples/train/train.c (make train), written with torch.nn.functional:
 - the model of models/fashion.gs: conv 3x3 pad 1 (with bias) -> batchnorm -> ReLU ->
   max-pool 2x2, twice (1 -> 8 -> 16 channels), flatten (CHW order), linear 784 -> 10. The
   seed's batchnorm normalises each image over its own positions (biased variance, eps 1e-6,
   affine gamma/beta, no running statistics): F.instance_norm on the batch;
 - the initial weights: W.safetensors, by name (default: `gsc --emit=params models/fashion.gs`,
   the seed's initialiser, which is P_init's); the tensors are used in the model's ABI order
   (checked against ABI.json, `gsc --emit=abi`, when given);
 - the data: the IDX files of DIR (train-*, t10k-*; `make train` unpacks them into
   build/data/fashion-mnist), pixels u8 / 255 in float32, each epoch in the order of train.c's
   epoch_order (a Fisher-Yates shuffle driven by a 64-bit LCG seeded by (seed, epoch),
   re-implemented here with Python integers masked to 64 bits);
 - the step: cross_entropy with reduction "mean" over the mini-batch (the last one of an
   epoch may be short), backward, then torch.optim.AdamW (betas 0.9, 0.999, eps 1e-8,
   foreach=False: the single-tensor update that runtime/gsc_train.c reproduces) with the
   group's lr set before each step to LR * (1 - step / total_steps), step = steps taken;
 - the output: train.c's lines (progress four times an epoch, then per epoch the mean training
   loss, the test accuracy, the seconds of training and images per second).

--dtype float64 trains the same in float64 (the pixels are u8 / 255 in float64): the
float32-vs-float64 spread measures how far float32 rounding alone moves a run.
--steps K stops after K optimiser steps in all and prints each step's mean loss
("step S: loss L"); --dump-params writes the parameters at the end as raw float32 in the
layout of P_tensors[] (the ABI order), what train.c --dump-params writes.

compare: per tensor, max |p - ref| / max |ref of the tensor| (the absolute difference when the
tensor of REF is all 0); prints every tensor's error and the worst judged one, exits 1 above T
(default 1e-3) or on a NaN. The tensors named by --skip are printed, not judged; with --only,
only the tensors it names are judged. compare-losses: the "step S: loss L" lines of two logs,
step for step; prints the worst relative difference and exits 1 above T (default 1e-5), when
the steps differ, or when there are none.

Needs torch (Debian: apt-get install python3-torch); reuses grad_torch.py's readers.
Exit status: 0 fine, 1 a check failed or bad input, 2 usage error.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from grad_torch import CheckError, Params, read_abi, read_floats, read_safetensors, write_floats  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EPS = 1e-6  # the seed's batchnorm epsilon
MASK64 = (1 << 64) - 1
LCG_A, LCG_C = 6364136223846793005, 1442695040888963407


# ------------------------------------------------------------ data

def read_idx(path, dims, want):
    """An IDX file of unsigned bytes with dims dimensions, the later ones want: a uint8 tensor."""
    with open(path, "rb") as f:
        blob = bytearray(f.read())
    hlen = 4 + 4 * dims
    if len(blob) < hlen:
        raise CheckError("%s: too short for an IDX header" % path)
    if blob[0] or blob[1] or blob[2] != 0x08 or blob[3] != dims:
        raise CheckError("%s: not an IDX file of unsigned bytes with %d dimensions" % (path, dims))
    shape = [int.from_bytes(blob[4 + 4 * d:8 + 4 * d], "big") for d in range(dims)]
    if shape[1:] != list(want):
        raise CheckError("%s: dimensions %s, not [n, %s]" % (path, shape, ", ".join(map(str, want))))
    n = 1
    for d in shape:
        n *= d
    if len(blob) != hlen + n:
        raise CheckError("%s: %d bytes of data, the header says %d" % (path, len(blob) - hlen, n))
    return torch.frombuffer(blob, dtype=torch.uint8, offset=hlen, count=n).reshape(shape) if n else \
        torch.zeros(shape, dtype=torch.uint8)


def load_set(data, prefix, dtype):
    """(images [n, 1, 28, 28] as u8 / 255 in dtype, labels [n] int64)."""
    pix = read_idx(os.path.join(data, prefix + "-images-idx3-ubyte"), 3, (28, 28))
    lab = read_idx(os.path.join(data, prefix + "-labels-idx1-ubyte"), 1, ())
    if pix.shape[0] != lab.shape[0]:
        raise CheckError("%s: %d labels for %d images" % (prefix, lab.shape[0], pix.shape[0]))
    if lab.numel() and lab.max().item() > 9:
        raise CheckError("%s: a label is not a class 0..9" % prefix)
    return (pix.to(dtype) / 255).unsqueeze(1), lab.to(torch.int64)


def epoch_order(n, seed, epoch):
    """train.c's epoch_order, bit for bit: the indices 0..n-1 shuffled by (seed, epoch) alone."""
    s = ((seed & 0xFFFFFFFF) * LCG_A + epoch * LCG_C + 1) & MASK64
    idx = list(range(n))
    for i in range(n - 1, 0, -1):
        s = (s * LCG_A + LCG_C) & MASK64
        j = (s >> 33) % (i + 1)
        idx[i], idx[j] = idx[j], idx[i]
    return idx


# ------------------------------------------------------------ the model

def fashion(p, x):
    """models/fashion.gs on a batch: x [n, 1, 28, 28] -> logits [n, 10]."""
    for conv, bn in (("conv1", "bn1"), ("conv2", "bn2")):
        x = F.conv2d(x, p[conv + ".weight"], p[conv + ".bias"], 1, 1)
        x = F.instance_norm(x, weight=p[bn + ".weight"], bias=p[bn + ".bias"], eps=EPS)
        x = F.max_pool2d(F.relu(x), 2, 2)
    return F.linear(x.flatten(1), p["fc.weight"], p["fc.bias"])


def load_weights(a, dtype):
    """The leaves to train, by name, in the model's order of first use (= the ABI order)."""
    path = a.params
    if not path:
        gsc = os.environ.get("GSC", os.path.join(ROOT, "build", "gsc"))
        tmp = tempfile.mkdtemp(prefix="train_torch.")
        path = os.path.join(tmp, "w0.safetensors")
        r = subprocess.run([gsc, "--emit=params", os.path.join(ROOT, "models", "fashion.gs"), "-o", path],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
        if r.returncode:
            raise CheckError("%s --emit=params models/fashion.gs: %s" % (gsc, r.stdout.strip()))
    weights = read_safetensors(path)
    if not a.params:
        os.unlink(path)
        os.rmdir(os.path.dirname(path))
    p = Params({k: v.to(dtype).clone().requires_grad_(True) for k, v in weights.items()})
    fashion(p, torch.zeros(1, 1, 28, 28, dtype=dtype))
    extra = sorted(set(weights) - set(p.used))
    if extra:
        raise CheckError("the weights have tensors models/fashion.gs does not use: %s" % ", ".join(extra))
    order = p.used
    if a.abi:
        abi, _ = read_abi(a.abi)
        if [(n, s) for n, s, _, _ in abi] != [(n, list(weights[n].shape)) for n in order]:
            raise CheckError("%s: the ABI's tensors are not the forward's, in the same order and shapes" % a.abi)
    return p.tensors, order


def accuracy(p, images, labels):
    right = 0
    with torch.no_grad():
        for b in range(0, images.shape[0], 1000):
            right += (fashion(p, images[b:b + 1000]).argmax(1) == labels[b:b + 1000]).sum().item()
    return right / images.shape[0] if images.shape[0] else 0.0


def cmd_train(a):
    torch.set_num_threads(a.threads)
    dtype = torch.float64 if a.dtype == "float64" else torch.float32
    leaves, order = load_weights(a, dtype)
    p = Params(leaves)
    train_x, train_y = load_set(a.data, "train", dtype)
    test_x, test_y = load_set(a.data, "t10k", dtype)
    if 0 < a.limit < train_x.shape[0]:
        train_x, train_y = train_x[:a.limit], train_y[:a.limit]
    n_train = train_x.shape[0]
    steps_per_epoch = (n_train + a.batch - 1) // a.batch
    total = steps_per_epoch * a.epochs
    opt = torch.optim.AdamW([leaves[k] for k in order], lr=a.lr, betas=(0.9, 0.999), eps=1e-8,
                            weight_decay=a.wd, foreach=False)
    nparams = sum(leaves[k].numel() for k in order)
    print("training models/fashion.gs with PyTorch %s, %s (%d parameters) on %d Fashion-MNIST images, "
          "%d epochs of %d steps, batch %d, AdamW lr %g (linear decay) wd %g, %d thread%s"
          % (torch.__version__, a.dtype, nparams, n_train, a.epochs, steps_per_epoch, a.batch, a.lr, a.wd,
             a.threads, "" if a.threads == 1 else "s"), flush=True)
    step, t0 = 0, time.monotonic()
    for epoch in range(a.epochs):
        te, loss_sum, seen = time.monotonic(), 0.0, 0
        order_e = torch.tensor(epoch_order(n_train, a.seed, epoch), dtype=torch.int64)
        for s in range(steps_per_epoch):
            idx = order_e[s * a.batch:(s + 1) * a.batch]
            n = idx.numel()
            opt.zero_grad(set_to_none=False)
            loss = F.cross_entropy(fashion(p, train_x[idx]), train_y[idx], reduction="mean")
            loss.backward()
            for g in opt.param_groups:
                g["lr"] = a.lr * (1.0 - step / total)
            opt.step()
            step += 1
            lv = loss.item()
            loss_sum += lv * n
            seen += n
            if a.steps:
                print("step %d: loss %.9g" % (step, lv))
            el = time.monotonic() - te
            if s + 1 == steps_per_epoch or (s + 1) % (steps_per_epoch // 4 + 1) == 0:
                print("epoch %d/%d  step %d/%d  loss %.4f  %.0f images/s  %.1f s"
                      % (epoch + 1, a.epochs, s + 1, steps_per_epoch, loss_sum / seen, seen / el,
                         time.monotonic() - t0), flush=True)
            if a.steps and step == a.steps:
                break
        train_s = time.monotonic() - te
        if a.steps and step == a.steps:
            print("stopped after %d steps (--steps), in epoch %d" % (step, epoch + 1))
            break
        acc = accuracy(p, test_x, test_y)
        print("epoch %d/%d: loss %.4f, test accuracy %.2f%% (%d images), %.1f s training (%.0f images/s)"
              % (epoch + 1, a.epochs, loss_sum / seen, 100 * acc, test_x.shape[0], train_s, seen / train_s),
              flush=True)
    if a.dump_params:
        write_floats(a.dump_params, torch.cat([leaves[k].detach().reshape(-1) for k in order]))
        print("parameters: %s (%d floats, raw float32)" % (a.dump_params, nparams))
    if not (a.steps and step == a.steps):
        print("test accuracy %.2f%% after %d epochs, %.1f s in all"
              % (100 * accuracy(p, test_x, test_y), a.epochs, time.monotonic() - t0))
    return 0


# ------------------------------------------------------------ the comparisons

def cmd_compare(a):
    g, ref = read_floats(a.p).to(torch.float64), read_floats(a.ref).to(torch.float64)
    if g.numel() != ref.numel():
        raise CheckError("%s has %d floats, %s has %d" % (a.p, g.numel(), a.ref, ref.numel()))
    tensors = [(n, c) for n, _, _, c in read_abi(a.abi)[0]] if a.abi else [("all", ref.numel())]
    if sum(c for _, c in tensors) != ref.numel():
        raise CheckError("%s has %d floats, the ABI %d" % (a.ref, ref.numel(), sum(c for _, c in tensors)))
    errs, at = [], 0
    for name, count in tensors:
        r, d = ref[at:at + count], (g[at:at + count] - ref[at:at + count]).abs()
        at += count
        top, err = (r.abs().max().item(), d.max().item()) if count else (0.0, 0.0)
        errs.append((name, err / top if top > 0 else err))
    unknown = set(a.skip + a.only) - {n for n, _ in errs}
    if unknown:
        raise CheckError("no tensor %s" % ", ".join(sorted(unknown)))
    skip = set(a.skip) | ({n for n, _ in errs} - set(a.only) if a.only else set())
    judged = [(n, e) for n, e in errs if n not in skip]
    if not judged:
        raise CheckError("no tensor left to judge")
    nan = [n for n, e in judged if e != e]
    worst = max(judged, key=lambda ne: ne[1]) if not nan else (nan[0], float("nan"))
    print("worst tensor %s, error %.3g (tolerance %.3g; %s)"
          % (worst[0], worst[1], a.tolerance,
             ", ".join("%s %.2g%s" % (n, e, " not judged" if n in skip else "") for n, e in errs)))
    return 0 if not nan and worst[1] <= a.tolerance else 1


def step_losses(path):
    with open(path) as f:
        return [(int(m.group(1)), float(m.group(2))) for m in
                (re.match(r"step (\d+): loss (\S+)$", line.strip()) for line in f) if m]


def cmd_compare_losses(a):
    x, y = step_losses(a.a), step_losses(a.b)
    if not x or [s for s, _ in x] != [s for s, _ in y]:
        raise CheckError("%s has steps %s, %s has %s" % (a.a, [s for s, _ in x][:3] + ["..."], a.b,
                                                         [s for s, _ in y][:3] + ["..."]))
    rel = [(s, abs(u - v) / abs(v) if v else abs(u - v)) for (s, u), (_, v) in zip(x, y)]
    worst = max(rel, key=lambda sr: sr[1] if sr[1] == sr[1] else float("inf"))
    print("%d steps, worst relative difference %.3g at step %d (tolerance %.3g); first %.9g / %.9g, last %.9g / %.9g"
          % (len(rel), worst[1], worst[0], a.tolerance, x[0][1], y[0][1], x[-1][1], y[-1][1]))
    return 0 if worst[1] == worst[1] and worst[1] <= a.tolerance else 1


def positive(s):
    v = int(s)
    if v < 1:
        raise argparse.ArgumentTypeError("want a positive integer, got %r" % s)
    return v


def main(argv):
    if argv[:1] in (["compare"], ["compare-losses"]):
        p = argparse.ArgumentParser(prog="train_torch.py " + argv[0])
        if argv[0] == "compare":
            p.add_argument("p", metavar="P.bin")
            p.add_argument("ref", metavar="REF.bin")
            p.add_argument("--abi", help="gsc --emit=abi output; without it the file is one tensor")
            p.add_argument("--tolerance", type=float, default=1e-3)
            p.add_argument("--skip", action="append", default=[], metavar="NAME", help="print, do not judge")
            p.add_argument("--only", action="append", default=[], metavar="NAME", help="judge only these")
        else:
            p.add_argument("a", metavar="A.log")
            p.add_argument("b", metavar="B.log")
            p.add_argument("--tolerance", type=float, default=1e-5)
        cmd = cmd_compare if argv[0] == "compare" else cmd_compare_losses
        argv = argv[1:]
    else:
        p = argparse.ArgumentParser(prog="train_torch.py",
                                    description="examples/train/train.c's training of models/fashion.gs, in PyTorch.")
        p.add_argument("--data", required=True, metavar="DIR", help="the four uncompressed IDX files")
        p.add_argument("--params", metavar="W.safetensors", help="initial weights (default: gsc --emit=params)")
        p.add_argument("--abi", metavar="ABI.json", help="gsc --emit=abi output, to check the layout against")
        p.add_argument("--epochs", type=positive, default=5)
        p.add_argument("--batch", type=positive, default=32)
        p.add_argument("--lr", type=float, default=3e-3)
        p.add_argument("--wd", type=float, default=1e-2)
        p.add_argument("--seed", type=int, default=1)
        p.add_argument("--limit", type=int, default=0, help="use the first N training images")
        p.add_argument("--threads", type=positive, default=1, help="torch.set_num_threads")
        p.add_argument("--dtype", choices=("float32", "float64"), default="float32")
        p.add_argument("--steps", type=positive, help="stop after K steps, printing each step's loss")
        p.add_argument("--dump-params", metavar="P.bin", help="write the final parameters as raw float32")
        cmd = cmd_train
    a = p.parse_args(argv)
    if cmd is cmd_train and not (a.lr > 0 and a.wd >= 0):
        p.error("--lr must be > 0 and --wd >= 0")
    try:
        return cmd(a)
    except (CheckError, OSError, ValueError, KeyError) as e:
        print("train_torch: error: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
