#!/usr/bin/python3
"""grad_torch.py - PyTorch's gradients and AdamW steps of the seed's ResNet-18, to check gsc --train against.

usage:
  grad_torch.py grad --abi ABI.json --params W.safetensors --input X.bin --shape C,H,W
                     --label L --out64 G64.bin [--out32 G32.bin] [--logits Y.bin]
  grad_torch.py compare [--abi ABI.json] [--tolerance T] [--table FILE] G.bin REF.bin
  grad_torch.py adamw --abi ABI.json --params W.safetensors --input X.bin --shape C,H,W --label L
                      --steps K [--lr 1e-3] [--wd 1e-2] [--dtype float64|float32] --dump-params P.bin
  grad_torch.py compare-steps --abi ABI.json --params W.safetensors --shape C,H,W [--tolerance T]
                              [--table FILE] P.bin REF.bin
  grad_torch.py biases --abi ABI.json --params W.safetensors --shape C,H,W --steps K [--lr 1e-3]
                       [--wd 1e-2] [--tolerance T] P.bin
  grad_torch.py input --shape C,H,W X.bin

grad: the seed's ResNet-18 (docs/semantics.md) written with torch.nn.functional,
its parameters looked up by their PyTorch state_dict names in W.safetensors:
torchvision's topology (a 7x7 stride-2 stem, a 3x3 stride-2 max-pool, four
stages of two BasicBlocks, the first block of stages 2-4 with a 1x1 stride-2
projection conv + BN on the skip, global average pool, fc), a bias on every
conv, train-mode batchnorm on a batch of one with eps 1e-6 (the statistics are
the image's own, over its h*w positions). X.bin is raw float32 CHW; it gets
the batch dimension. The loss is cross_entropy (reduction "mean") of the
logits against class L, the gradients come from autograd, in float64 (and in
float32 with --out32); each is written as raw float32 in the order and at the
offsets of ABI.json (gsc --emit=abi). Prints the losses. Checks first that the
file, the ABI and the forward use the same tensors with the same shapes, and
that the ABI order is the order in which the forward first uses them (the
seed's order: stem, then each block's conv1, bn1, conv2, bn2, projection conv
and BN, then fc).

compare: per tensor of ABI.json, max |g - ref| / max(max |ref of the tensor|,
1e-3 * max |ref| over all tensors); prints the worst tensor and its error
and exits 1 above T (default 2e-3) or on a NaN. Without --abi the file is
one tensor (max |g - ref| / max |ref|). --table writes every tensor's error.

adamw: K training steps of the same model on the same example, from the parameters of
W.safetensors, in dtype (float64 by default): each the loss, its backward and a step of
torch.optim.AdamW(lr, betas (0.9, 0.999), eps 1e-8, weight_decay, foreach=False), which is
what tests/driver/model_main.c --adamw does with P_grad and runtime/gsc_train.c. Prints each
step's loss ("step S: loss L", the loss before that step's update) and writes the final
parameters as raw float32 in ABI order.

compare-steps: the update of each tensor, dP = P - W against dREF = REF - W with W the
parameters of W.safetensors: ||dP - dREF||_2 / ||dREF||_2 (||dP - dREF||_2 when dREF is 0).
Prints the worst tensor and exits 1 above T (default 5e-2) or on a NaN. The conv biases
that feed a batchnorm (every conv's here) are printed, not judged: their exact gradient is 0,
so what a float32 run does to them is AdamW's answer to rounding noise (steps of up to lr).
biases: those biases in P alone: the largest |P - W (1 - lr wd)^K| / (K lr), how far they
moved beyond what weight decay alone does to a parameter with gradient 0, in units of the
most that K steps can move a parameter; exits 1 above T (default 1e-3).

input: checks that X.bin is the deterministic input of tests/driver/model_main.c,
x[i] = (float)((i * 7919 % 2001) / 1000.0 - 1.0), and that the tensor grad
reads from it is [1, C, H, W] with x[0, c, h, w] = x[(c * H + h) * W + w].

Needs torch (Debian: apt-get install python3-torch), no numpy: the files are
read with torch.frombuffer and written with export_torch.py's tensor_bytes.
Exit status: 0 fine, 1 a check failed or bad input, 2 usage error.
"""

import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_torch import tensor_bytes  # noqa: E402
import safetensors_np  # noqa: E402

EPS = 1e-6  # the seed's batchnorm epsilon (PyTorch's default is 1e-5)
ADAM_BETAS, ADAM_EPS = (0.9, 0.999), 1e-8  # torch.optim.AdamW's defaults, and gsc_adamw_defaults()
STAGES = ((64, 1), (128, 2), (256, 2), (512, 2))  # torchvision resnet18: width, first stride; 2 blocks each


class CheckError(Exception):
    pass


# ------------------------------------------------------------ files

def read_floats(path):
    """A raw little-endian float32 file as a flat float32 tensor."""
    if sys.byteorder != "little":
        raise CheckError("this reader assumes a little-endian host")
    with open(path, "rb") as f:
        blob = bytearray(f.read())
    if len(blob) % 4:
        raise CheckError("%s: %d bytes, not a whole number of float32 values" % (path, len(blob)))
    return torch.frombuffer(blob, dtype=torch.float32) if blob else torch.zeros(0)


def read_safetensors(path):
    """name -> float32 tensor, in file order (tools/safetensors_np.py reads the file)."""
    try:
        arrays = safetensors_np.read_safetensors(path)
    except ValueError as e:
        raise CheckError(str(e))
    return {name: torch.from_numpy(np.array(a)) for name, a in arrays.items()}


def read_abi(path):
    """[(name, shape, offset, count)] in ABI order, and the number of floats."""
    with open(path) as f:
        abi = json.load(f)
    tensors = [(t["name"], list(t["shape"]), t["offset"], t["count"]) for t in abi["tensors"]]
    at = 0
    for name, shape, offset, count in tensors:
        if offset != at or count != prod(shape):
            raise CheckError("%s: %s at offset %d, count %d: not contiguous" % (path, name, offset, count))
        at += count
    if at != abi["num_params"]:
        raise CheckError("%s: the tensors hold %d floats, num_params says %d" % (path, at, abi["num_params"]))
    return tensors, at


def write_floats(path, flat):
    with open(path, "wb") as f:
        f.write(tensor_bytes(flat.detach().to(torch.float32).contiguous()))


def prod(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def parse_shape(s):
    try:
        shape = [int(d) for d in s.split(",")]
    except ValueError:
        shape = []
    if len(shape) != 3 or min(shape) < 1:
        raise argparse.ArgumentTypeError("want C,H,W, got %r" % s)
    return shape


def read_input(path, shape):
    """X.bin (raw float32 CHW) as the batch of one that the model reads: [1, C, H, W]."""
    x = read_floats(path)
    if x.numel() != prod(shape):
        raise CheckError("%s: %d floats, the input %s has %d" % (path, x.numel(), shape, prod(shape)))
    return x.reshape(shape).unsqueeze(0)


# ------------------------------------------------------------ the model

class Params:
    """The parameters by state_dict name; remembers the order of first use."""

    def __init__(self, tensors):
        self.tensors, self.used, self.before_bn = tensors, [], set()

    def __getitem__(self, name):
        if name not in self.tensors:
            raise CheckError("the model needs %s, which the weights do not have" % name)
        if name not in self.used:
            self.used.append(name)
        return self.tensors[name]


def conv_bn(p, conv, bn, x, stride, pad):
    """A conv (with bias) and the batchnorm it feeds, which makes the conv's bias a no-op (p.before_bn)."""
    p.before_bn.add(conv + ".bias")
    x = F.conv2d(x, p[conv + ".weight"], p[conv + ".bias"], stride, pad)
    # training=True without running statistics: the batch's own mean and biased variance
    return F.batch_norm(x, None, None, p[bn + ".weight"], p[bn + ".bias"], training=True, eps=EPS)


def block(p, name, x, stride, project):
    y = F.relu(conv_bn(p, name + ".conv1", name + ".bn1", x, stride, 1))
    y = conv_bn(p, name + ".conv2", name + ".bn2", y, 1, 1)
    skip = conv_bn(p, name + ".downsample.0", name + ".downsample.1", x, stride, 0) if project else x
    return F.relu(y + skip)


def resnet18(p, x):
    """x: [1, C, H, W] -> logits [1, classes]."""
    x = F.relu(conv_bn(p, "conv1", "bn1", x, 2, 3))
    x = F.max_pool2d(x, 3, 2, 1)
    for i, (_, stride) in enumerate(STAGES):
        x = block(p, "layer%d.0" % (i + 1), x, stride, i > 0)
        x = block(p, "layer%d.1" % (i + 1), x, 1, False)
    return F.linear(x.mean(dim=(2, 3)), p["fc.weight"], p["fc.bias"])


def gradients(weights, x, label, dtype):
    """(loss, logits, {name: gradient}, names in order of first use) in dtype."""
    leaves = {k: v.to(dtype).clone().requires_grad_(True) for k, v in weights.items()}
    p = Params(leaves)
    logits = resnet18(p, x.to(dtype))
    loss = F.cross_entropy(logits, torch.tensor([label]), reduction="mean")
    loss.backward()
    unused = sorted(set(leaves) - set(p.used))
    if unused:
        raise CheckError("the weights have tensors the model does not use: %s" % ", ".join(unused))
    return loss.item(), logits.detach()[0], {k: v.grad for k, v in leaves.items()}, p.used


def check_names(abi, weights, used):
    problems = []
    if [t[0] for t in abi] != used:
        problems.append("the ABI order is not the order of first use in the forward")
    for name, shape, _, _ in abi:
        if name not in weights:
            problems.append("the weights have no %s" % name)
        elif list(weights[name].shape) != shape:
            problems.append("%s: %s in the weights, %s in the ABI" % (name, list(weights[name].shape), shape))
    extra = set(weights) - {t[0] for t in abi}
    if extra:
        problems.append("not in the ABI: %s" % ", ".join(sorted(extra)))
    if problems:
        raise CheckError("; ".join(problems))


def flatten(abi, total, grads):
    flat = torch.zeros(total, dtype=torch.float64)
    for name, _, offset, count in abi:
        flat[offset:offset + count] = grads[name].reshape(-1).to(torch.float64)
    return flat


def read_problem(a):
    """--abi, --params, --input with --shape, and --label checked against fc.bias: (ABI, floats, weights, x)."""
    abi, total = read_abi(a.abi)
    weights = read_safetensors(a.params)
    x = read_input(a.input, a.shape)
    if not 0 <= a.label < weights["fc.bias"].numel():
        raise CheckError("label %d is not a class of fc.bias %s" % (a.label, list(weights["fc.bias"].shape)))
    return abi, total, weights, x


def cmd_grad(a):
    abi, total, weights, x = read_problem(a)
    loss, logits, grads, used = gradients(weights, x, a.label, torch.float64)
    check_names(abi, weights, used)
    write_floats(a.out64, flatten(abi, total, grads))
    if a.logits:
        write_floats(a.logits, logits)
    print("loss float64 %.9g" % loss)
    print("%d tensors, %d floats, by name, in ABI order (= the forward's order of first use)" % (len(abi), total))
    if a.out32:
        loss32, _, grads32, _ = gradients(weights, x, a.label, torch.float32)
        write_floats(a.out32, flatten(abi, total, grads32))
        print("loss float32 %.9g" % loss32)
    return 0


# ------------------------------------------------------------ AdamW steps

def adamw_run(weights, x, label, dtype, steps, lr, wd):
    """K steps on one example in dtype, each the loss, its backward and torch.optim.AdamW:
    ([the loss of each step, before its update], {name: final tensor}, names in order of first use)."""
    leaves = {k: v.to(dtype).clone().requires_grad_(True) for k, v in weights.items()}
    opt = torch.optim.AdamW(list(leaves.values()), lr=lr, betas=ADAM_BETAS, eps=ADAM_EPS, weight_decay=wd,
                            foreach=False)
    losses, used = [], []
    for _ in range(steps):
        p = Params(leaves)
        opt.zero_grad(set_to_none=False)
        loss = F.cross_entropy(resnet18(p, x.to(dtype)), torch.tensor([label]), reduction="mean")
        loss.backward()
        opt.step()
        losses.append(loss.item())
        used = p.used
    return losses, {k: v.detach() for k, v in leaves.items()}, used


def cmd_adamw(a):
    abi, total, weights, x = read_problem(a)
    dtype = torch.float64 if a.dtype == "float64" else torch.float32
    losses, final, used = adamw_run(weights, x, a.label, dtype, a.steps, a.lr, a.wd)
    check_names(abi, weights, used)
    for s, loss in enumerate(losses, 1):
        print("step %d: loss %.9g" % (s, loss))
    write_floats(a.dump_params, flatten(abi, total, final))
    print("%s, %d steps of AdamW lr %g wd %g: %d tensors, %d floats, raw float32 in ABI order"
          % (a.dtype, a.steps, a.lr, a.wd, len(abi), total))
    return 0


def initial_params(a):
    """(ABI, the flat float64 parameters of --params, the conv biases that feed a batchnorm)."""
    abi, total = read_abi(a.abi)
    weights = read_safetensors(a.params)
    p = Params(weights)
    with torch.no_grad():
        resnet18(p, torch.zeros([1] + a.shape))
    check_names(abi, weights, p.used)
    return abi, flatten(abi, total, weights), p.before_bn


def read_final(path, p0):
    p = read_floats(path).to(torch.float64)
    if p.numel() != p0.numel():
        raise CheckError("%s has %d floats, the model %d" % (path, p.numel(), p0.numel()))
    return p


def cmd_compare_steps(a):
    abi, p0, before_bn = initial_params(a)
    d, dref = read_final(a.p, p0) - p0, read_final(a.ref, p0) - p0
    errs, apart = [], ("-", 0.0)  # apart: the largest |P - REF| of a tensor not judged
    for name, _, offset, count in abi:
        r, e = dref[offset:offset + count], d[offset:offset + count] - dref[offset:offset + count]
        scale = r.norm().item()
        errs.append((name, e.norm().item() / scale if scale > 0 else e.norm().item()))
        if name in before_bn and count and not e.abs().max().item() <= apart[1]:
            apart = (name, e.abs().max().item())
    if a.table:
        with open(a.table, "w") as f:
            for name, e in errs:
                f.write("%-32s %.3e%s\n" % (name, e, "  (not judged: before a batchnorm)" if name in before_bn else ""))
    judged = [(n, e) for n, e in errs if n not in before_bn]
    nan = [n for n, e in judged if e != e]
    worst = max(judged, key=lambda ne: ne[1]) if not nan else (nan[0], float("nan"))
    print("worst tensor %s, update error %.3g (tolerance %.3g, %d tensors; not judged: %d conv biases before a "
          "batchnorm, %.3g apart at most, %s)" % (worst[0], worst[1], a.tolerance, len(judged),
                                                   len(errs) - len(judged), apart[1], apart[0]))
    return 0 if not nan and worst[1] <= a.tolerance else 1


def cmd_biases(a):
    abi, p0, before_bn = initial_params(a)
    p = read_final(a.p, p0)
    decay = (1.0 - a.lr * a.wd) ** a.steps  # AdamW's only change to a parameter whose gradient is 0
    worst = ("-", 0.0)
    for name, _, offset, count in abi:
        if name in before_bn and count:
            m = (p[offset:offset + count] - decay * p0[offset:offset + count]).abs().max().item() / (a.steps * a.lr)
            worst = (name, m) if m > worst[1] or m != m else worst
    print("the %d conv biases before a batchnorm moved at most %.3g times %d lr beyond what weight decay alone does "
          "(%s; tolerance %.3g)" % (len(before_bn), worst[1], a.steps, worst[0], a.tolerance))
    return 0 if before_bn and worst[1] == worst[1] and worst[1] <= a.tolerance else 1


# ------------------------------------------------------------ the metric

def tensor_errors(g, ref, abi):
    """[(name, error)]: per tensor max |g - ref| / max(max |ref_t|, 1e-3 max |ref|)."""
    g, ref = g.to(torch.float64), ref.to(torch.float64)
    top = ref.abs().max().item() if ref.numel() else 0.0
    out = []
    for name, _, offset, count in abi:
        r, d = ref[offset:offset + count], g[offset:offset + count] - ref[offset:offset + count]
        scale = max(r.abs().max().item() if count else 0.0, 1e-3 * top)
        err = d.abs().max().item() if count else 0.0
        out.append((name, err / scale if scale > 0 else err))
    return out


def cmd_compare(a):
    g, ref = read_floats(a.g), read_floats(a.ref)
    if g.numel() != ref.numel():
        raise CheckError("%s has %d floats, %s has %d" % (a.g, g.numel(), a.ref, ref.numel()))
    if a.abi:
        abi, total = read_abi(a.abi)
        if total != ref.numel():
            raise CheckError("%s has %d floats, the ABI %d" % (a.ref, ref.numel(), total))
    else:
        abi = [("all", [ref.numel()], 0, ref.numel())]
    errs = tensor_errors(g, ref, abi)
    if a.table:
        with open(a.table, "w") as f:
            for name, e in errs:
                f.write("%-32s %.3e\n" % (name, e))
    nan = [name for name, e in errs if e != e]
    worst = max(errs, key=lambda ne: ne[1]) if not nan else (nan[0], float("nan"))
    print("worst tensor %s, error %.3g (tolerance %.3g, %d tensors)" % (worst[0], worst[1], a.tolerance, len(errs)))
    return 0 if not nan and worst[1] <= a.tolerance else 1


def cmd_input(a):
    x = read_input(a.x, a.shape)
    n = prod(a.shape)
    i = torch.arange(n, dtype=torch.int64)
    want = ((i * 7919 % 2001).to(torch.float64) / 1000.0 - 1.0).to(torch.float32)
    if not torch.equal(x.reshape(-1), want):
        raise CheckError("%s is not the driver's deterministic input" % a.x)
    c, h, w = a.shape
    for cc, hh, ww in ((0, 0, 1), (c - 1, 0, 0), (0, h - 1, 0), (c - 1, h - 1, w - 1), (c // 2, h // 3, w // 5)):
        if x[0, cc, hh, ww].item() != want[(cc * h + hh) * w + ww].item():
            raise CheckError("x[0, %d, %d, %d] is not element (c * H + h) * W + w of the file" % (cc, hh, ww))
    print("%s: the driver's input bit for bit, read as %s float32 (CHW + a batch of one)" % (a.x, list(x.shape)))
    return 0


def main(argv):
    p = argparse.ArgumentParser(prog="grad_torch.py", description="PyTorch's gradients of the seed's ResNet-18.")
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("grad", help="loss and gradients from PyTorch autograd")
    g.add_argument("--abi", required=True, help="gsc --emit=abi output (JSON)")
    g.add_argument("--params", required=True, metavar="W.safetensors")
    g.add_argument("--input", required=True, metavar="X.bin")
    g.add_argument("--shape", required=True, type=parse_shape, metavar="C,H,W")
    g.add_argument("--label", required=True, type=int)
    g.add_argument("--out64", required=True, metavar="G64.bin", help="float64 gradients, written as float32")
    g.add_argument("--out32", metavar="G32.bin", help="also the float32 gradients")
    g.add_argument("--logits", metavar="Y.bin", help="the float64 logits, written as float32")
    c = sub.add_parser("compare", help="the per-tensor error of G against REF")
    c.add_argument("g", metavar="G.bin")
    c.add_argument("ref", metavar="REF.bin")
    c.add_argument("--abi", help="gsc --emit=abi output; without it the file is one tensor")
    c.add_argument("--tolerance", type=float, default=2e-3)
    c.add_argument("--table", metavar="FILE", help="write every tensor's error")
    w = sub.add_parser("adamw", help="K steps of AdamW on one example")
    w.add_argument("--abi", required=True, help="gsc --emit=abi output (JSON)")
    w.add_argument("--params", required=True, metavar="W.safetensors", help="the initial parameters")
    w.add_argument("--input", required=True, metavar="X.bin")
    w.add_argument("--shape", required=True, type=parse_shape, metavar="C,H,W")
    w.add_argument("--label", required=True, type=int)
    w.add_argument("--steps", required=True, type=int, metavar="K")
    w.add_argument("--lr", type=float, default=1e-3)
    w.add_argument("--wd", type=float, default=1e-2)
    w.add_argument("--dtype", choices=("float32", "float64"), default="float64")
    w.add_argument("--dump-params", required=True, metavar="P.bin", help="the final parameters, raw float32")
    for name, what in (("compare-steps", "the per-tensor error of the update P - W against REF - W"),
                       ("biases", "how far the conv biases before a batchnorm moved")):
        c = sub.add_parser(name, help=what)
        c.add_argument("p", metavar="P.bin")
        if name == "compare-steps":
            c.add_argument("ref", metavar="REF.bin")
            c.add_argument("--table", metavar="FILE", help="write every tensor's error")
        else:
            c.add_argument("--steps", required=True, type=int, metavar="K")
            c.add_argument("--lr", type=float, default=1e-3)
            c.add_argument("--wd", type=float, default=1e-2)
        c.add_argument("--abi", required=True, help="gsc --emit=abi output (JSON)")
        c.add_argument("--params", required=True, metavar="W.safetensors", help="the initial parameters W")
        c.add_argument("--shape", required=True, type=parse_shape, metavar="C,H,W")
        c.add_argument("--tolerance", type=float, default=5e-2 if name == "compare-steps" else 1e-3)
    i = sub.add_parser("input", help="X.bin is the driver's deterministic input, read as CHW")
    i.add_argument("x", metavar="X.bin")
    i.add_argument("--shape", required=True, type=parse_shape, metavar="C,H,W")
    a = p.parse_args(argv)
    if a.cmd in ("adamw", "biases") and not (a.steps >= 1 and a.lr > 0 and a.wd >= 0):
        p.error("--steps must be >= 1, --lr > 0 and --wd >= 0")
    try:
        return {"grad": cmd_grad, "compare": cmd_compare, "adamw": cmd_adamw, "compare-steps": cmd_compare_steps,
                "biases": cmd_biases, "input": cmd_input}[a.cmd](a)
    except (CheckError, OSError, ValueError, KeyError) as e:
        print("grad_torch: error: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
