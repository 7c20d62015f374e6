#!/usr/bin/python3
"""The language forms and operations of the torchvision ports against
PyTorch: per-axis windows (k=(1, 3), stride=(2, 1), pad=(h, w) and
pad=(top, left, bottom, right)) of conv2d, maxpool2d and avgpool2d, conv2d's
dilation, conv_transpose2d (F.conv_transpose2d: strides, pads cropped per
side, output_pad, dilation, bias=0), maxpool2d's
ceil=1 (ceil_mode=True), adaptive_avgpool2d (F.adaptive_avg_pool2d, also as a
squeeze-and-excitation gate's [c, 1, 1] through mul), upsample and
upsample_bilinear (F.interpolate's nearest and bilinear, align_corners both
ways, with integer scale factors; a U-Net step), the
inference-form batchnorm_eval (running statistics, eps), and layernorm over
the channels of [c, h, w] (torchvision's LayerNorm2d) and over a vector, and
a parameter tensor declared directly (param(c, 1, 1, init=...), ConvNeXt's
layer_scale) in a broadcast mul.

Each case is a small model. Its weights and input are random (running
variances in [0.5, 1.5)); gsc --eval runs it (float32) and gsc --eval --grad
gives the gradients of an MSE loss; PyTorch computes both in float64
(asymmetric padding as F.pad, as ONNX exports mean it). Reported per case:
max |gsc - torch| / max |torch| for the output and every parameter gradient;
each must be at most 1e-5 (running statistics: the gradient must be 0). Cases marked for C are also compiled (gsc -o) with
the reference kernels and with the fast ones on each SIMD path this CPU runs
(portable -O2, -mavx2 -mfma, -march=native -fopenmp), run through
tests/driver/model_main.c with the same weights: output within 1e-4. The
training steps (gsc --train's P_grad, float32) of three models, one with
batchnorm_eval and a ceil-mode pool, one with per-axis windows, one with
upsampling, are checked
against the interpreter's float64 gradients (limit 2e-4).

    tools/test_ops_torch_forms.py [GSC]      (from the repository root)

Prints "N passed, M failed" last and exits 1 on a failure; without torch it
prints why and exits 0 (skipped).
"""
import os
import re
import subprocess
import sys
import tempfile

from runtime_sources import runtime_archive
from safetensors_np import read_safetensors, write_safetensors

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError as e:  # pragma: no cover
    print(f"skipped: {e} (Debian: apt-get install python3-torch python3-numpy)")
    sys.exit(0)

GSC = sys.argv[1] if len(sys.argv) > 1 else "build/gsc"
LIMIT = 1e-5    # the interpreter (float32 values) against float64
C_LIMIT = 1e-4  # the generated C: float32 throughout, other summation orders


def pad4(x, top, left, bottom, right, value=0.0):
    return F.pad(x, (left, right, top, bottom), value=value)


def convt(x, p, name, stride=1, pads=(0, 0, 0, 0), output_pad=0, dilation=1, bias=True):
    """ConvTranspose2d with padding (top, left, bottom, right) cut off the full output per side."""
    y = F.conv_transpose2d(x, p[name + ".weight"], p[name + ".bias"] if bias else None, stride=stride,
                           output_padding=output_pad, dilation=dilation)
    top, left, bottom, right = pads
    return y[:, :, top:y.shape[2] - bottom, left:y.shape[3] - right]


def bn(x, p, name, eps=1e-5):
    return F.batch_norm(x, p[name + ".running_mean"], p[name + ".running_var"], p[name + ".weight"],
                        p[name + ".bias"], training=False, eps=eps)


def bn_model(x, p):
    a = F.relu(bn(F.conv2d(x, p["c1.weight"], p["c1.bias"], padding=1), p, "b1"))
    d = F.conv2d(F.relu(bn(a, p, "b2", 1e-3)), p["c2.weight"], p["c2.bias"], stride=2, padding=1)
    e = F.max_pool2d(a, 3, stride=2, padding=1)
    return bn(d + e, p, "b3")


def ln2d(x, p, name, eps=1e-5):
    """torchvision's LayerNorm2d: F.layer_norm over the channels at each position."""
    c = x.shape[1]
    return F.layer_norm(x.permute(0, 2, 3, 1), (c,), p[name + ".weight"], p[name + ".bias"], eps).permute(0, 3, 1, 2)


def ln_model(x, p):
    a = ln2d(F.conv2d(x, p["c1.weight"], p["c1.bias"], padding=1), p, "n1", 1e-6)
    b = ln2d(F.conv2d(F.gelu(a), p["c2.weight"], p["c2.bias"]), p, "n2")
    return b + F.conv2d(a, p["c3.weight"], p["c3.bias"])


def ln_vector_model(x, p):
    a = F.layer_norm(x, (12,), p["n1.weight"], p["n1.bias"], 1e-6)
    return F.layer_norm(F.linear(a, p["f.weight"], p["f.bias"]), (5,), p["n2.weight"], p["n2.bias"])


def ls_model(x, p):
    a = F.conv2d(x, p["c1.weight"], p["c1.bias"], padding=1)
    return a + ln2d(a, p, "n", 1e-6) * p["ls"] + p["ls"] * F.relu(a)


def pooled(name, pool, shape, tpool, with_c=True):
    """A pooling after a 1x1 convolution, so that the convolution's parameter
    gradients carry the pooling's backward."""
    c = shape[0]
    return (name, f"c = conv2d({c} -> {c}, k=1)\n    let m = {pool}\n    return m", shape,
            lambda x, p: tpool(F.conv2d(x, p["c.weight"], p["c.bias"])), with_c)


# name, model body (x is the input), input shape, torch forward(x, params) in float64
CASES = [
    ("conv2d k=(1, 3), stride=(2, 1), pad=(0, 1)",
     "c = conv2d(3 -> 4, k=(1, 3), stride=(2, 1), pad=(0, 1))\n    return c(x)", (3, 9, 7),
     lambda x, p: F.conv2d(x, p["c.weight"], p["c.bias"], stride=(2, 1), padding=(0, 1)), True),
    ("conv2d k=(3, 2), stride=(1, 2), pad=(1, 0, 2, 1)",
     "c = conv2d(2 -> 3, k=(3, 2), stride=(1, 2), pad=(1, 0, 2, 1))\n    return c(x)", (2, 6, 9),
     lambda x, p: F.conv2d(pad4(x, 1, 0, 2, 1), p["c.weight"], p["c.bias"], stride=(1, 2)), True),
    ("conv2d k=(5, 1), pad=(2, 0) then k=(1, 5), pad=(0, 2) (a factorised 5x5)",
     "a = conv2d(3 -> 4, k=(5, 1), pad=(2, 0))\n    b = conv2d(4 -> 2, k=(1, 5), pad=(0, 2))\n    return b(a(x))",
     (3, 7, 8),
     lambda x, p: F.conv2d(F.conv2d(x, p["a.weight"], p["a.bias"], padding=(2, 0)), p["b.weight"], p["b.bias"],
                           padding=(0, 2)), True),
    # the fast kernels' blocked paths: 16 and more channels (a 1x1 convolution first, so the per-axis one reads a
    # blocked tensor), depthwise and grouped windows, a batchnorm applied as the convolution pads its input
    ("Inception's factorised 7x7: conv2d k=(1, 7), pad=(0, 3) then k=(7, 1), pad=(3, 0), on 20 channels",
     "a = conv2d(3 -> 20, k=1)\n    b = conv2d(20 -> 18, k=(1, 7), pad=(0, 3))\n"
     "    c = conv2d(18 -> 17, k=(7, 1), pad=(3, 0))\n    return c(b(relu(a(x))))", (3, 9, 11),
     lambda x, p: F.conv2d(F.conv2d(F.relu(F.conv2d(x, p["a.weight"], p["a.bias"])), p["b.weight"], p["b.bias"],
                                    padding=(0, 3)), p["c.weight"], p["c.bias"], padding=(3, 0)), True),
    ("conv2d k=(2, 4), stride=(2, 1), pad=(0, 1, 1, 2) (TensorFlow's SAME with an even kernel) on 16 channels",
     "a = conv2d(3 -> 16, k=1)\n    b = conv2d(16 -> 5, k=(2, 4), stride=(2, 1), pad=(0, 1, 1, 2))\n"
     "    return b(a(x))", (3, 8, 7),
     lambda x, p: F.conv2d(pad4(F.conv2d(x, p["a.weight"], p["a.bias"]), 0, 1, 1, 2), p["b.weight"], p["b.bias"],
                           stride=(2, 1)), True),
    ("depthwise conv2d k=(3, 5), stride=(1, 2), pad=(1, 2, 0, 1), groups=16, then grouped k=(1, 3), groups=4",
     "a = conv2d(3 -> 16, k=1)\n    b = conv2d(16 -> 16, k=(3, 5), stride=(1, 2), pad=(1, 2, 0, 1), groups=16)\n"
     "    c = conv2d(16 -> 8, k=(1, 3), pad=(0, 1), groups=4)\n    return c(b(a(x)))", (3, 7, 10),
     lambda x, p: F.conv2d(F.conv2d(pad4(F.conv2d(x, p["a.weight"], p["a.bias"]), 1, 2, 0, 1), p["b.weight"],
                                    p["b.bias"], stride=(1, 2), groups=16), p["c.weight"], p["c.bias"],
                           padding=(0, 1), groups=4), True),
    # dilation (PyTorch's dilation=): on the model input, on blocked channels with per-axis windows, depthwise
    ("conv2d k=3, pad=2, dilation=2 (DeepLab's atrous 3x3)",
     "c = conv2d(3 -> 5, k=3, pad=2, dilation=2)\n    return c(x)", (3, 9, 8),
     lambda x, p: F.conv2d(x, p["c.weight"], p["c.bias"], padding=2, dilation=2), True),
    ("conv2d k=(3, 2), stride=(1, 2), pad=(2, 0, 1, 1), dilation=(2, 3) on 17 channels",
     "a = conv2d(3 -> 17, k=1)\n    b = conv2d(17 -> 6, k=(3, 2), stride=(1, 2), pad=(2, 0, 1, 1), dilation=(2, 3))\n"
     "    return b(relu(a(x)))", (3, 8, 11),
     lambda x, p: F.conv2d(pad4(F.relu(F.conv2d(x, p["a.weight"], p["a.bias"])), 2, 0, 1, 1), p["b.weight"],
                           p["b.bias"], stride=(1, 2), dilation=(2, 3)), True),
    ("depthwise conv2d k=3, pad=3, dilation=3, groups=16, then grouped dilation=(1, 2), groups=2",
     "a = conv2d(3 -> 16, k=1)\n    b = conv2d(16 -> 16, k=3, pad=3, dilation=3, groups=16)\n"
     "    c = conv2d(16 -> 4, k=3, pad=(1, 2), dilation=(1, 2), groups=2)\n    return c(b(a(x)))", (3, 7, 9),
     lambda x, p: F.conv2d(F.conv2d(F.conv2d(x, p["a.weight"], p["a.bias"]), p["b.weight"], p["b.bias"], padding=3,
                                    dilation=3, groups=16), p["c.weight"], p["c.bias"], padding=(1, 2),
                           dilation=(1, 2), groups=2), True),
    ("batchnorm_eval and relu applied as conv2d k=(3, 1), stride=(1, 2), pad=(1, 0, 0, 1) pads its input",
     "a = conv2d(3 -> 6, k=1)\n    b = batchnorm_eval(6)\n    c = conv2d(6 -> 4, k=(3, 1), stride=(1, 2), pad=(1, 0, 0, 1))\n"
     "    return c(relu(b(a(x))))", (3, 6, 7),
     lambda x, p: F.conv2d(pad4(F.relu(bn(F.conv2d(x, p["a.weight"], p["a.bias"]), p, "b")), 1, 0, 0, 1),
                           p["c.weight"], p["c.bias"], stride=(1, 2)), True),
    pooled("maxpool2d k=(3, 1), stride=(2, 1), pad=(1, 0)", "maxpool2d(c(x), k=(3, 1), stride=(2, 1), pad=(1, 0))",
           (2, 9, 5), lambda y: F.max_pool2d(y, (3, 1), stride=(2, 1), padding=(1, 0))),
    pooled("maxpool2d k=(2, 3), stride=(1, 2), pad=(1, 0), ceil=1 on 18 channels",
           "maxpool2d(c(x), k=(2, 3), stride=(1, 2), pad=(1, 0), ceil=1)", (18, 6, 8),
           lambda y: F.max_pool2d(y, (2, 3), stride=(1, 2), padding=(1, 0), ceil_mode=True)),
    pooled("maxpool2d k=2, stride=2, pad=(0, 0, 1, 1) (TensorFlow's SAME on an odd size)",
           "maxpool2d(c(x), k=2, stride=2, pad=(0, 0, 1, 1))", (2, 7, 5),
           lambda y: F.max_pool2d(pad4(y, 0, 0, 1, 1, value=float("-inf")), 2, stride=2)),
    pooled("maxpool2d k=3, stride=2, ceil=1 (SqueezeNet's, GoogLeNet's)", "maxpool2d(c(x), k=3, stride=2, ceil=1)",
           (3, 8, 7), lambda y: F.max_pool2d(y, 3, stride=2, ceil_mode=True), True),
    pooled("maxpool2d k=3, stride=2, ceil=1 on a height of 2 (the window hangs over; SqueezeNet's smallest input)",
           "maxpool2d(c(x), k=3, stride=2, ceil=1)", (2, 2, 4), lambda y: F.max_pool2d(y, 3, stride=2, ceil_mode=True),
           True),
    pooled("maxpool2d k=3, stride=2, pad=1, ceil=1", "maxpool2d(c(x), k=3, stride=2, pad=1, ceil=1)",
           (2, 10, 9), lambda y: F.max_pool2d(y, 3, stride=2, padding=1, ceil_mode=True), True),
    pooled("maxpool2d k=2, stride=2, ceil=1 on an odd size (GoogLeNet's maxpool4)", "maxpool2d(c(x), k=2, stride=2, ceil=1)",
           (2, 7, 5), lambda y: F.max_pool2d(y, 2, stride=2, ceil_mode=True), True),
    # avgpool2d's ceil=1 (ceil_mode=True: a window hanging over the padded edge divides by its cells inside it) and
    # count_pad=0 (count_include_pad=False: by its cells inside the input)
    pooled("avgpool2d k=3, stride=2, ceil=1", "avgpool2d(c(x), k=3, stride=2, ceil=1)", (3, 8, 7),
           lambda y: F.avg_pool2d(y, 3, stride=2, ceil_mode=True)),
    pooled("avgpool2d k=3, stride=2, pad=1, ceil=1", "avgpool2d(c(x), k=3, stride=2, pad=1, ceil=1)", (2, 10, 9),
           lambda y: F.avg_pool2d(y, 3, stride=2, padding=1, ceil_mode=True)),
    pooled("avgpool2d k=3, stride=2, pad=1, count_pad=0", "avgpool2d(c(x), k=3, stride=2, pad=1, count_pad=0)", (2, 9, 8),
           lambda y: F.avg_pool2d(y, 3, stride=2, padding=1, count_include_pad=False)),
    pooled("avgpool2d k=(2, 3), stride=(1, 2), pad=(1, 0), ceil=1, count_pad=0 on 18 channels",
           "avgpool2d(c(x), k=(2, 3), stride=(1, 2), pad=(1, 0), ceil=1, count_pad=0)", (18, 6, 8),
           lambda y: F.avg_pool2d(y, (2, 3), stride=(1, 2), padding=(1, 0), ceil_mode=True, count_include_pad=False)),
    pooled("avgpool2d k=(2, 3), stride=(2, 1), pad=(1, 0)", "avgpool2d(c(x), k=(2, 3), stride=(2, 1), pad=(1, 0))",
           (2, 7, 6), lambda y: F.avg_pool2d(y, (2, 3), stride=(2, 1), padding=(1, 0), count_include_pad=True)),
    pooled("avgpool2d k=3, stride=2, pad=(0, 1, 1, 0)", "avgpool2d(c(x), k=3, stride=2, pad=(0, 1, 1, 0))",
           (3, 8, 9), lambda y: F.avg_pool2d(pad4(y, 0, 1, 1, 0), 3, stride=2)),
    pooled("adaptive_avgpool2d size=(3, 5) (overlapping windows: 7 rows to 3, 9 columns to 5)",
           "adaptive_avgpool2d(c(x), size=(3, 5))", (3, 7, 9), lambda y: F.adaptive_avg_pool2d(y, (3, 5)), True),
    pooled("adaptive_avgpool2d size=7 on 5x4 (h < oh: rows repeat)", "adaptive_avgpool2d(c(x), size=7)", (2, 5, 4),
           lambda y: F.adaptive_avg_pool2d(y, 7), True),
    pooled("adaptive_avgpool2d size=(2, 7) on 9x7 (uneven rows, columns one each)",
           "adaptive_avgpool2d(c(x), size=(2, 7))", (2, 9, 7), lambda y: F.adaptive_avg_pool2d(y, (2, 7)), True),
    pooled("adaptive_avgpool2d size=1 on 6x11 (a squeeze-and-excitation pool, [c, 1, 1])",
           "adaptive_avgpool2d(c(x), size=1)", (3, 6, 11), lambda y: F.adaptive_avg_pool2d(y, 1), True),
    pooled("adaptive_avgpool2d size=(4, 3) on 20 channels (a channel block and 4 of the next)",
           "adaptive_avgpool2d(c(x), size=(4, 3))", (20, 13, 5), lambda y: F.adaptive_avg_pool2d(y, (4, 3)), True),
    # upsampling (F.interpolate with an integer scale_factor): nearest, bilinear with half-pixel centres and
    # with align_corners=True; on blocked channels (20: a partial block), a factor 1 on one axis, a 1-pixel axis
    pooled("upsample scale=2 (nearest)", "upsample(c(x), scale=2)", (3, 4, 5),
           lambda y: F.interpolate(y, scale_factor=2, mode="nearest"), True),
    pooled("upsample scale=(3, 1) on 20 channels", "upsample(c(x), scale=(3, 1))", (20, 3, 4),
           lambda y: F.interpolate(y, scale_factor=(3, 1), mode="nearest"), True),
    pooled("upsample scale=(2, 5) on 1x3 (one row)", "upsample(c(x), scale=(2, 5))", (2, 1, 3),
           lambda y: F.interpolate(y, scale_factor=(2, 5), mode="nearest"), True),
    pooled("upsample_bilinear scale=2 (half-pixel centres, the source clamped at 0)", "upsample_bilinear(c(x), scale=2)",
           (3, 5, 4), lambda y: F.interpolate(y, scale_factor=2, mode="bilinear", align_corners=False), True),
    pooled("upsample_bilinear scale=(3, 2) on 20 channels", "upsample_bilinear(c(x), scale=(3, 2))", (20, 4, 3),
           lambda y: F.interpolate(y, scale_factor=(3, 2), mode="bilinear", align_corners=False), True),
    pooled("upsample_bilinear scale=4 on 1x1 and 2x1 (edges both sides)", "upsample_bilinear(c(x), scale=(4, 3))",
           (2, 2, 1), lambda y: F.interpolate(y, scale_factor=(4, 3), mode="bilinear", align_corners=False), True),
    pooled("upsample_bilinear scale=2, align_corners=1", "upsample_bilinear(c(x), scale=2, align_corners=1)", (2, 4, 5),
           lambda y: F.interpolate(y, scale_factor=2, mode="bilinear", align_corners=True), True),
    pooled("upsample_bilinear scale=(2, 3), align_corners=1 on 17 channels, one row",
           "upsample_bilinear(c(x), scale=(2, 3), align_corners=1)", (17, 1, 4),
           lambda y: F.interpolate(y, scale_factor=(2, 3), mode="bilinear", align_corners=True), True),
    ("a U-Net step: concat(y, upsample_bilinear(maxpool2d(y, k=2, stride=2), scale=2)) after a relu, then a conv",
     "c = conv2d(3 -> 18, k=1)\n    d = conv2d(36 -> 4, k=3, pad=1)\n    let y = relu(c(x))\n"
     "    return d(concat(y, upsample_bilinear(maxpool2d(y, k=2, stride=2), scale=2)))", (3, 6, 8),
     lambda x, p: (lambda y: F.conv2d(torch.cat([y, F.interpolate(F.max_pool2d(y, 2, stride=2), scale_factor=2,
                                                                  mode="bilinear", align_corners=False)], 1),
                                      p["d.weight"], p["d.bias"], padding=1))(
         F.relu(F.conv2d(x, p["c.weight"], p["c.bias"]))),
     True),
    ("squeeze-and-excitation gate: mul(y, sigmoid(fc2(relu(fc1(adaptive_avgpool2d(y, size=1)))))) on 20x7x5",
     "c = conv2d(20 -> 20, k=1)\n    fc1 = conv2d(20 -> 6, k=1)\n    fc2 = conv2d(6 -> 20, k=1)\n"
     "    let y = c(x)\n    return mul(y, sigmoid(fc2(relu(fc1(adaptive_avgpool2d(y, size=1))))))", (20, 7, 5),
     lambda x, p: (lambda y: y * torch.sigmoid(F.conv2d(F.relu(F.conv2d(F.adaptive_avg_pool2d(y, 1), p["fc1.weight"],
                                                                       p["fc1.bias"])), p["fc2.weight"], p["fc2.bias"])))(
         F.conv2d(x, p["c.weight"], p["c.bias"])),
     True),
    ("batchnorm_eval after a conv, before a relu; eps=1e-3 in DenseNet's order (norm, relu, conv); "
     "before an add and as the output",
     "c1 = conv2d(3 -> 6, k=3, pad=1)\n    b1 = batchnorm_eval(6)\n    b2 = batchnorm_eval(6, eps=1e-3)\n"
     "    c2 = conv2d(6 -> 6, k=3, stride=2, pad=1)\n    b3 = batchnorm_eval(6)\n"
     "    let a = relu(b1(c1(x)))\n    let d = c2(relu(b2(a)))\n    let e = maxpool2d(a, k=3, stride=2, pad=1)\n"
     "    return b3(d + e)", (3, 10, 9),
     bn_model,
     True),
    ("layernorm over the channels of [c, h, w]: 20 channels (eps=1e-6) after a conv, feeding a gelu and a conv; "
     "33 channels (three blocks, one lane in the last) as an add's operand",
     "c1 = conv2d(3 -> 20, k=3, pad=1)\n    n1 = layernorm(20, eps=1e-6)\n    c2 = conv2d(20 -> 33, k=1)\n"
     "    n2 = layernorm(33)\n    c3 = conv2d(20 -> 33, k=1)\n"
     "    let a = n1(c1(x))\n    return n2(c2(gelu(a))) + c3(a)", (3, 7, 6),
     ln_model,
     True),
    ("param(20, 1, 1) used twice (one tensor, both gradients added), broadcast by mul against [20, h, w] "
     "as ConvNeXt's layer_scale",
     "c1 = conv2d(3 -> 20, k=3, pad=1)\n    ls = param(20, 1, 1, init=1e-6)\n    n = layernorm(20, eps=1e-6)\n"
     "    let a = c1(x)\n    return a + mul(n(a), ls) + mul(ls, relu(a))", (3, 6, 5),
     ls_model,
     True),
    # conv_transpose2d: the k = stride scatter (PaddleOCR's upsampling head), strides with overlap and
    # output_pad, per-axis windows with dilation after a batchnorm applied as it is read, no bias
    ("conv_transpose2d k=2, stride=2 after a conv on 20 channels (one column per output cell)",
     "a = conv2d(3 -> 20, k=3, pad=1)\n    t = conv_transpose2d(20 -> 18, k=2, stride=2)\n    return t(relu(a(x)))",
     (3, 5, 6),
     lambda x, p: convt(F.relu(F.conv2d(x, p["a.weight"], p["a.bias"], padding=1)), p, "t", stride=2), True),
    ("conv_transpose2d k=3, stride=2, pad=1, output_pad=1 on the model input",
     "t = conv_transpose2d(3 -> 5, k=3, stride=2, pad=1, output_pad=1)\n    return t(x)", (3, 4, 5),
     lambda x, p: convt(x, p, "t", stride=2, pads=(1, 1, 1, 1), output_pad=1), True),
    ("conv_transpose2d k=(3, 2), stride=(2, 1), pad=(1, 0, 2, 1), output_pad=(1, 0), dilation=(2, 1) after "
     "batchnorm_eval and relu, 17 channels",
     "a = conv2d(3 -> 6, k=1)\n    b = batchnorm_eval(6)\n"
     "    t = conv_transpose2d(6 -> 17, k=(3, 2), stride=(2, 1), pad=(1, 0, 2, 1), output_pad=(1, 0), dilation=(2, 1))\n"
     "    return t(relu(b(a(x))))", (3, 5, 4),
     lambda x, p: convt(F.relu(bn(F.conv2d(x, p["a.weight"], p["a.bias"]), p, "b")), p, "t", stride=(2, 1),
                        pads=(1, 0, 2, 1), output_pad=(1, 0), dilation=(2, 1)), True),
    ("conv_transpose2d k=4, bias=0 then k=2, stride=3 (gaps between the taps), 33 channels",
     "t1 = conv_transpose2d(3 -> 33, k=4, bias=0)\n    t2 = conv_transpose2d(33 -> 4, k=2, stride=3)\n"
     "    return t2(t1(x))", (3, 3, 4),
     lambda x, p: convt(convt(x, p, "t1", bias=False), p, "t2", stride=3), True),
    ("layernorm over a vector [12] (eps=1e-6), then linear and layernorm(5) as the output",
     "n1 = layernorm(12, eps=1e-6)\n    f = linear(12 -> 5)\n    n2 = layernorm(5)\n    return n2(f(n1(x)))",
     (12,),
     ln_vector_model,
     True),
]


TRAIN_AXES_GS = """model t(x: [3, 9, 8]) -> [5] {
    c0 = conv2d(3 -> 3, k=3, pad=(2, 1), dilation=(2, 1))
    c1 = conv2d(3 -> 6, k=(1, 3), stride=(2, 1), pad=(0, 2), dilation=2)
    c2 = conv2d(6 -> 6, k=(3, 2), pad=(1, 0, 2, 1), groups=3)
    fc = linear(6 -> 5)
    let a = relu(c1(c0(x)))
    let b = maxpool2d(c2(a), k=(3, 1), stride=(2, 1), pad=(1, 0))
    return fc(global_avgpool(avgpool2d(b, k=2, stride=(1, 2), pad=(0, 0, 1, 1), count_pad=0)))
}
"""

TRAIN_UP_GS = """model tu(x: [3, 3, 2]) -> [5] {
    c1 = conv2d(3 -> 4, k=3, pad=1)
    c2 = conv2d(4 -> 4, k=3, pad=1)
    fc = linear(384 -> 5)
    let a = upsample(relu(c1(x)), scale=(2, 1))
    let b = upsample_bilinear(c2(a), scale=(1, 2), align_corners=1)
    return fc(flatten(upsample_bilinear(b, scale=2)))
}
"""

TRAIN_CT_GS = """model tc(x: [3, 5, 4]) -> [5] {
    c = conv2d(3 -> 6, k=3, pad=1)
    t1 = conv_transpose2d(6 -> 4, k=2, stride=2)
    t2 = conv_transpose2d(4 -> 3, k=(3, 2), stride=(2, 1), pad=(1, 0, 2, 1), output_pad=(1, 0), dilation=(1, 2), bias=0)
    fc = linear(3 -> 5)
    return fc(global_avgpool(relu(t2(relu(t1(relu(c(x))))))))
}
"""

TRAIN_GS = """model t(x: [3, 8, 8]) -> [5] {
    c1 = conv2d(3 -> 6, k=3, pad=1)
    b1 = batchnorm_eval(6, eps=1e-3)
    b2 = batchnorm_eval(6)
    c2 = conv2d(6 -> 6, k=3, pad=1)
    n1 = layernorm(6, eps=1e-6)
    n2 = layernorm(6)
    ls = param(6, 1, 1, init=0.5)
    fc = linear(42 -> 5)
    let a = relu(b1(c1(x)))
    let d = mul(n1(c2(relu(b2(a)))), ls)
    let p = maxpool2d(d + a, k=3, stride=2, ceil=1)
    return fc(concat(n2(global_avgpool(p)), flatten(adaptive_avgpool2d(p, size=(3, 2)))))
}
"""


def train_step_error(tmp, text, name):
    """model_main's --compare: per tensor max |g - ref| / max(max |ref|, 1e-3 max |ref of all|)."""
    gs, stem = os.path.join(tmp, name + ".gs"), os.path.join(tmp, name)
    with open(gs, "w") as f:
        f.write(text)
    run([GSC, "-q", "--train", gs, "-o", stem + ".c"])
    cc = os.environ.get("CC", "cc")
    run([cc, "-std=c99", "-O2", f"-I{tmp}", "-Iruntime", "-DGSC_TRAIN", f'-DGSC_HEADER="{name}.h"',
         f"-DGSC_P={name}", f"-DGSC_PU={name.upper()}", "tests/driver/model_main.c", stem + ".c",
         runtime_archive(cc, ["-O2"]), "-lm", "-o", stem])
    run([stem, "--random-params", "7", "--save-params", stem + ".w.safetensors", "--save-input", stem + ".x.bin",
         "--grad", "2", "--output", stem + ".g.bin"])
    # float64 (independent rounding): the default float32 interpreter rounds as P_grad does, bit for bit
    run([GSC, "-q", "--eval", "--grad", "--precision=f64", gs, "--input", stem + ".x.bin", "--params", stem + ".w.safetensors",
         "--label", "2", "-o", stem + ".ref.bin"])
    out = run([stem, "--random-params", "7", "--grad", "2", "--compare", stem + ".ref.bin", "--output",
               stem + ".g2.bin"])
    m = re.search(r"error ([0-9.e+-]+)", out)
    if not m:
        raise RuntimeError("no error in model_main's output: " + out)
    return float(m.group(1))


def rel(a, b):
    b = np.asarray(b, dtype=np.float64)
    scale = max(float(np.max(np.abs(b))), 1e-30)
    return float(np.max(np.abs(np.asarray(a, dtype=np.float64) - b))) / scale


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(f"{' '.join(cmd)}: exit {r.returncode}\n{r.stderr}")
    return r.stdout


def param_shapes(body):
    """The parameter shapes of each 'name = conv2d(ci -> co, k=...)' line, as
    PyTorch has them (weight [co, ci / groups, kh, kw]), and of each 'name =
    batchnorm_eval(c...', 'name = layernorm(c...', 'name = linear(i -> o)' and
    'name = param(c, h, w...' line."""
    out = {}
    for m in re.finditer(r"(\w+) = param\((\d+), (\d+), (\d+)", body):
        out[m.group(1)] = tuple(int(m.group(k)) for k in (2, 3, 4))
    for m in re.finditer(r"(\w+) = layernorm\((\d+)", body):
        for t in ("weight", "bias"):
            out[f"{m.group(1)}.{t}"] = (int(m.group(2)),)
    for m in re.finditer(r"(\w+) = linear\((\d+) -> (\d+)\)", body):
        out[m.group(1) + ".weight"] = (int(m.group(3)), int(m.group(2)))
        out[m.group(1) + ".bias"] = (int(m.group(3)),)
    for m in re.finditer(r"(\w+) = batchnorm_eval\((\d+)", body):
        for t in ("weight", "bias", "running_mean", "running_var"):
            out[f"{m.group(1)}.{t}"] = (int(m.group(2)),)
    for m in re.finditer(r"(\w+) = conv_transpose2d\((\d+) -> (\d+), k=(\(\d+, \d+\)|\d+)([^\n]*)", body):
        name, ci, co, k = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)
        kh, kw = (int(v) for v in k.strip("()").split(",")) if k.startswith("(") else (int(k), int(k))
        out[name + ".weight"] = (ci, co, kh, kw)  # ConvTranspose2d's [cin, cout, kh, kw]
        if "bias=0" not in m.group(5):
            out[name + ".bias"] = (co,)
    for m in re.finditer(r"(\w+) = conv2d\((\d+) -> (\d+), k=(\(\d+, \d+\)|\d+)([^\n]*)", body):
        name, ci, co, k = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)
        kh, kw = (int(v) for v in k.strip("()").split(",")) if k.startswith("(") else (int(k), int(k))
        g = re.search(r"groups=(\d+)", m.group(5))
        out[name + ".weight"] = (co, ci // (int(g.group(1)) if g else 1), kh, kw)
        out[name + ".bias"] = (co,)
    return out


def one_case(tmp, i, name, body, shape, fwd, with_c=False):
    rng = np.random.default_rng(1000 + i)
    x = rng.uniform(-1, 1, size=shape)
    params = {k: rng.uniform(0.5, 1.5, size=v) if k.endswith("running_var") else rng.uniform(-0.5, 0.5, size=v)
              for k, v in param_shapes(body).items()}
    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    tp = {k: torch.tensor(v, dtype=torch.float64, requires_grad="running" not in k) for k, v in params.items()}
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
        # the running statistics are constants (PyTorch's buffers): their gradient is 0
        errs[f"d {k}"] = rel(grads[k], v.grad.numpy()) if v.requires_grad else float(np.max(np.abs(grads[k])))
    if with_c:
        for label, err in c_errors(tmp, i, gs, xin, wst, ty.detach().numpy()):
            errs[label] = err
    return errs


def c_flags():
    """The SIMD paths this CPU runs, as test-align chooses them."""
    flags = [("portable", ["-O2"])]
    cpu = open("/proc/cpuinfo").read() if os.path.exists("/proc/cpuinfo") else ""
    if re.search(r"\bavx2\b", cpu) and re.search(r"\bfma\b", cpu):
        flags.append(("avx2", ["-O3", "-mavx2", "-mfma"]))
    flags.append(("native", ["-O3", "-march=native", "-fopenmp"]))
    return flags


def c_errors(tmp, i, gs, xin, wst, ref):
    """The generated C's output against torch's, per kernel set and SIMD path."""
    cc = os.environ.get("CC", "cc")
    builds = [("C reference kernels", ["--kernels=reference"], ["-O2"])]
    builds += [(f"C fast {name}", [], f) for name, f in c_flags()]
    for j, (label, gflags, cflags) in enumerate(builds):
        stem = os.path.join(tmp, f"m{i}_{j}")
        run([GSC, "-q", gs, *gflags, "-o", stem + ".c"])
        run([cc, "-std=c99", *cflags, f"-I{tmp}", "-Iruntime", f'-DGSC_HEADER="m{i}_{j}.h"', f"-DGSC_P=m{i}_{j}",
             f"-DGSC_PU=M{i}_{j}", "tests/driver/model_main.c", stem + ".c", runtime_archive(cc, cflags),
             "-lm", "-o", stem])
        run([stem, "--params", wst, "--input", xin, "--output", stem + ".y"])
        y = np.fromfile(stem + ".y", dtype="<f4").reshape(ref.shape)
        yield label, rel(y, ref)


def main():
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, case in enumerate(CASES):
            name = case[0]
            try:
                errs = one_case(tmp, i, *case)
            except Exception as e:  # a gsc failure is a failed case, with its message
                failed += 1
                print(f"FAIL {name}: {e}")
                continue
            bad = [k for k, v in errs.items() if not v <= (C_LIMIT if k.startswith("C ") else LIMIT)]
            text = ", ".join(f"{k} {v:.1e}" for k, v in errs.items())
            if not bad:
                passed += 1
                print(f"ok   {name}: {text}")
            else:
                failed += 1
                print(f"FAIL {name}: {text} (limits {LIMIT:g}, C {C_LIMIT:g}; over: {', '.join(bad)})")
        # the training steps (gsc --train's P_grad) against the interpreter's gradients
        for text, name, what in ((TRAIN_GS, "t", "batchnorm_eval, layernorm, param, maxpool2d ceil=1 and adaptive_avgpool2d"),
                                 (TRAIN_AXES_GS, "ta", "per-axis and dilated conv2d (grouped), maxpool2d and avgpool2d windows"),
                                 (TRAIN_UP_GS, "tu", "upsample and upsample_bilinear (both align_corners)"),
                                 (TRAIN_CT_GS, "tc", "conv_transpose2d (k = stride, and per-axis with output_pad, "
                                                     "dilation, no bias)")):
            try:
                worst = train_step_error(tmp, text, name)
                ok = worst <= 2e-4
                passed, failed = passed + ok, failed + (not ok)
                print(f"{'ok  ' if ok else 'FAIL'} P_grad through {what} against gsc --eval --grad --precision=f64: "
                      f"worst tensor error {worst:.1e} (limit 2e-4)")
            except Exception as e:
                failed += 1
                print(f"FAIL P_grad through {what}: {e}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
