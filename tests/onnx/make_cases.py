#!/usr/bin/python3
"""tests/onnx/make_cases.py OUT - the ONNX files of tests/onnx/run.sh.

Good models: small PyTorch networks (eval mode, opset 13; norm and convnext17 at opset 17, up11 at 11, affine and
up9 at 9) exported with
torch.onnx.export, each with an input X.bin and PyTorch's output Y.bin (raw
float32), as NAME.onnx, NAME.x.bin, NAME.y.bin.

Bad models: bad_*.onnx, each built with onnx.helper to break one rule, and
bad_*.want holding the text the error must contain.
"""
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)


def randomise_bn(m):
    for mod in m.modules():
        if isinstance(mod, nn.BatchNorm2d):
            mod.running_mean.uniform_(-1, 1)
            mod.running_var.uniform_(0.5, 2)
            mod.weight.data.uniform_(0.5, 1.5)
            mod.bias.data.uniform_(-0.5, 0.5)


class Residual(nn.Module):
    """conv/BN/ReLU, a residual add, max and average pools, concat, a head."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(8)
        self.conv3 = nn.Conv2d(8, 4, 1)
        self.pool = nn.MaxPool2d(3, 2, 1)
        self.avg = nn.AvgPool2d(2, 2)
        self.fc = nn.Linear(12 * 4 * 4, 10)

    def forward(self, x):
        a = torch.relu(self.bn1(self.conv1(x)))
        b = torch.relu(a + self.bn2(self.conv2(a)))
        c = torch.cat([self.pool(b), self.pool(self.conv3(b))], 1)
        return self.fc(torch.flatten(self.avg(c), 1))


class Head(nn.Module):
    """global pool, reshape, a linear layer scaled by a constant, softmax."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 6, 5, stride=2, padding=2)
        self.dw = nn.Conv2d(6, 6, 3, padding=1, groups=3, bias=False)
        self.bn = nn.BatchNorm2d(6)
        self.fc = nn.Linear(6, 5)
        self.drop = nn.Dropout(0.5)

    def forward(self, x):
        y = nn.functional.adaptive_avg_pool2d(torch.relu(self.bn(self.dw(torch.relu(self.conv(x))))), 1)
        y = self.drop(y.reshape(1, -1))
        return torch.softmax(self.fc(y) * 0.5 + 1.0, dim=1)


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(20, 16)
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


class Acts(nn.Module):
    """Clip(0, 6), Sigmoid, Tanh, HardSwish, HardSigmoid, SiLU as x * Sigmoid(x), a BatchNormalization after no
    Conv, Mul/Sub/Max/Min of two tensors, a [1, h, w] operand broadcast over the channels."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 1, 1)
        self.fc = nn.Linear(8 * 6 * 5, 4)

    def forward(self, x):
        a = nn.functional.relu6(self.conv1(x) * 4.0)
        b = torch.sigmoid(a) * torch.tanh(a)
        c = nn.functional.hardsigmoid(nn.functional.hardswish(a - b))
        e = nn.functional.silu(c)
        f = self.bn(e)
        g = torch.maximum(f, e) - torch.minimum(f, a)
        h = g * self.conv2(g)
        return self.fc(torch.flatten(h, 1))


class Se(nn.Module):
    """Squeeze-and-excitation gates as MobileNetV3 (GlobalAveragePool) and a mean over H, W (ReduceMean):
    1x1 Convs on the pooled image, the gate Mul broadcast over H, W."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.fc1 = nn.Conv2d(8, 4, 1)
        self.fc2 = nn.Conv2d(4, 8, 1)
        self.fc3 = nn.Conv2d(8, 8, 1)
        self.fc = nn.Linear(8, 3)

    def forward(self, x):
        y = torch.relu(self.conv(x))
        g = nn.functional.adaptive_avg_pool2d(y, 1)
        y = y * nn.functional.hardsigmoid(self.fc2(torch.relu(self.fc1(g))))
        y = y * torch.sigmoid(self.fc3(y.mean((2, 3), keepdim=True)))
        return self.fc(y.mean((2, 3)))


class Bounds(nn.Module):
    """Clip with other bounds (both, only a min) as clip, LeakyRelu (PyTorch's slope and another) as leaky_relu,
    MaxPool with ceil_mode where it rounds up as maxpool2d ceil=1."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3, padding=1)
        self.pool = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.pool2 = nn.MaxPool2d(3, 2, padding=1, ceil_mode=True)
        self.fc = nn.Linear(6 * 3 * 3, 4)

    def forward(self, x):
        a = nn.functional.leaky_relu(torch.clamp(self.conv(x), -0.5, 0.75), 0.2)
        b = torch.clamp(nn.functional.leaky_relu(self.pool(a)), min=0.1)
        return self.fc(torch.flatten(self.pool2(b), 1))


class Affine(nn.Module):
    """Exported at opset 9 (Clip's attribute form): a scalar and a per-channel constant times, plus or minus an
    activation, which no layer before takes (param tensors and mul, add, sub), and hardswish written as
    x * clamp(x + 3, 0, 6) / 6 (as paddle2onnx does) on a convolution's output used twice."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3, padding=1)
        self.conv2 = nn.Conv2d(6, 4, 3, padding=1)
        self.shift = torch.linspace(-1, 1, 6).reshape(6, 1, 1)

    def forward(self, x):
        a = torch.relu(self.conv(x)) * 0.75 + self.shift
        b = self.conv2(a)
        h = b * torch.clamp(b + 3, 0, 6) / 6
        return (1.5 - torch.relu(h)) / 4


class Shuffle(nn.Module):
    """ShuffleNetV2's forms: x.chunk(2, 1) (Slice with Shape/Gather/Add/Div/Mul shape arithmetic), torch.split
    with sizes (Split), a channel slice x[:, a:b] (Slice), the channel shuffle view/transpose/reshape."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 12, 3, padding=1)
        self.conv2 = nn.Conv2d(6, 6, 3, padding=1, groups=6, bias=False)
        self.fc = nn.Linear(13 * 4 * 3, 5)

    def forward(self, x):
        y = torch.relu(self.conv(x))
        a, b = y.chunk(2, dim=1)
        y = torch.cat((a, torch.relu(self.conv2(b))), 1)
        n, c, h, w = y.size()
        y = y.view(n, 3, c // 3, h, w).transpose(1, 2).contiguous().view(n, -1, h, w)
        p, q, r = torch.split(y, [2, 7, 3], dim=1)
        z = torch.cat((q * r[:, 1:2], p, y[:, 8:12]), 1)
        return self.fc(torch.flatten(z, 1))


class Norm(nn.Module):
    """nn.LayerNorm on vectors (opset 17's LayerNormalization): after the pooled features (eps 1e-6) and after a
    Linear (eps 1e-5), weights and biases random."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3, padding=1)
        self.ln = nn.LayerNorm(6, eps=1e-6)
        self.fc = nn.Linear(6, 5)
        self.ln2 = nn.LayerNorm(5)
        with torch.no_grad():
            for n in (self.ln, self.ln2):
                n.weight.uniform_(0.5, 1.5)
                n.bias.uniform_(-0.5, 0.5)

    def forward(self, x):
        y = torch.relu(self.conv(x)).mean((2, 3))
        return self.ln2(self.fc(self.ln(y)))



class ChannelNorm(nn.Module):
    """A layer norm over the channels written out on NCHW (ConvNeXt's own LayerNorm, channels_first: ReduceMean
    over axis 1, Sub, Pow 2, ReduceMean, Add eps, Sqrt, Div, then the weight and bias [c, 1, 1]), and a square
    y ** 2 (Pow 2, as mul(y, y))."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3, padding=1)
        self.weight = nn.Parameter(torch.rand(6) + 0.5)
        self.bias = nn.Parameter(torch.rand(6) - 0.5)
        self.conv2 = nn.Conv2d(6, 4, 1)

    def forward(self, x):
        y = self.conv(x)
        u = y.mean(1, keepdim=True)
        s = (y - u).pow(2).mean(1, keepdim=True)
        y = (y - u) / torch.sqrt(s + 1e-6)
        y = self.weight[:, None, None] * y + self.bias[:, None, None]
        return self.conv2(y) ** 2


def convnext():
    """torchvision's ConvNeXt at two stages of one block (8 and 16 channels, 5 classes): LayerNorm2d and the
    blocks' LayerNorm on channels-last views (Transpose (0, 2, 3, 1), the norm, Linear as MatMul, GELU, Linear,
    Transpose (0, 3, 1, 2)), layer_scale and the norms' weights random."""
    from torchvision.models.convnext import CNBlockConfig, ConvNeXt
    m = ConvNeXt([CNBlockConfig(8, 16, 1), CNBlockConfig(16, None, 1)], num_classes=5)
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, nn.LayerNorm):
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.uniform_(-0.5, 0.5)
        for name, p in m.named_parameters():
            if name.endswith("layer_scale"):
                p.uniform_(0.5, 1.5)
    return m


class Gelu(nn.Module):
    """GELU as torch.onnx writes it: nn.GELU() (Div, Erf, Add, Mul, Mul), nn.GELU(approximate="tanh") (Mul, Mul,
    Mul, Add, Mul, Tanh, Add, Mul, Mul), and the erf form written with the operands in another order."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 3, padding=1)
        self.conv2 = nn.Conv2d(6, 6, 1)
        self.conv3 = nn.Conv2d(6, 4, 1)
        self.gelu = nn.GELU()
        self.gelu_tanh = nn.GELU(approximate="tanh")
        self.fc = nn.Linear(4 * 5 * 4, 3)

    def forward(self, x):
        a = self.gelu(self.conv1(x) * 2.0)
        b = self.gelu_tanh(self.conv2(a))
        c = self.conv3(b)
        d = (0.5 * c) * (torch.erf(c * 0.7071067811865476) + 1.0)
        return self.fc(torch.flatten(d, 1))


class Axes(nn.Module):
    """Windows per axis: Conv k=(1, 3) and (5, 3) with pads (0, 1) and (2, 0), stride (2, 1), dilation (2, 1); MaxPool k=(3, 2)
    stride (2, 1) pad (1, 0) with ceil_mode; AvgPool k=(2, 3) stride (1, 2)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, (1, 3), padding=(0, 1))
        self.conv2 = nn.Conv2d(6, 6, (5, 3), stride=(2, 1), padding=(2, 0), groups=3)
        self.conv3 = nn.Conv2d(6, 6, 3, padding=(2, 1), dilation=(2, 1))
        self.pool = nn.MaxPool2d((3, 2), (2, 1), (1, 0), ceil_mode=True)
        self.avg = nn.AvgPool2d((2, 3), (1, 2))
        self.avg2 = nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False)
        self.fc = nn.Linear(6, 3)

    def forward(self, x):
        y = self.avg(self.avg2(self.pool(self.conv3(torch.relu(self.conv2(torch.relu(self.conv1(x))))))))
        return self.fc(torch.flatten(y, 1))


class Up(nn.Module):
    """F.interpolate with integer scale factors (Resize; Upsample at opset 9): a U-Net step (a skip joined with the
    upsampled half-size map), nearest by (2, 3), bilinear with align_corners False and True (not at opset 9, whose
    Upsample linear is not PyTorch's)."""

    def __init__(self, bilinear=True):
        super().__init__()
        self.bilinear = bilinear
        self.c1 = nn.Conv2d(3, 6, 3, padding=1)
        self.c2 = nn.Conv2d(12, 4, 3, padding=1)

    def forward(self, x):
        a = torch.relu(self.c1(x))
        mode = dict(mode="bilinear", align_corners=False) if self.bilinear else dict(mode="nearest")
        y = self.c2(torch.cat([a, F.interpolate(F.max_pool2d(a, 2), scale_factor=2, **mode)], 1))
        y = F.interpolate(y, scale_factor=(2, 3), mode="nearest")
        return F.interpolate(y, scale_factor=2, mode="bilinear", align_corners=True) if self.bilinear else y


class Transposed(nn.Module):
    """ConvTranspose as PaddleOCR's DB head has it (conv, BN, ReLU, then k=2, stride=2 twice with a BN and ReLU
    between, and a sigmoid), and one with overlap, per-axis padding, output_padding and dilation, no bias."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.up1 = nn.ConvTranspose2d(8, 6, 2, 2)
        self.bn2 = nn.BatchNorm2d(6)
        self.up2 = nn.ConvTranspose2d(6, 4, 2, 2)
        self.ax = nn.ConvTranspose2d(4, 2, (3, 2), stride=(2, 1), padding=(1, 0), output_padding=(1, 0),
                                     dilation=(1, 2), bias=False)

    def forward(self, x):
        a = torch.relu(self.bn2(self.up1(torch.relu(self.bn1(self.conv(x))))))
        return torch.sigmoid(self.ax(self.up2(a)))


class Fpn(nn.Module):
    """A feature pyramid's step (PaddleOCR's detector has it at 1/32): two stride-2 convolutions, the quarter-size
    map upsampled by 4 and added to a lateral 1x1 convolution of the input. ceil(ceil(H / 2) / 2) * 4 = H only where
    H is a multiple of 4: with symbolic sizes the import needs --symbolic H=2:4,W=3:4."""

    def __init__(self):
        super().__init__()
        self.d1 = nn.Conv2d(3, 6, 3, stride=2, padding=1)
        self.d2 = nn.Conv2d(6, 4, 3, stride=2, padding=1)
        self.lat = nn.Conv2d(3, 4, 1)

    def forward(self, x):
        q = self.d2(torch.relu(self.d1(x)))
        return torch.relu(F.interpolate(q, scale_factor=4, mode="nearest") + self.lat(x))


class UnetStep(nn.Module):
    """A U-Net step: a map joined (Concat) with its 2x2 max-pool upsampled by 2, equal but for the channels only
    where H and W are even."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 4, 3, padding=1)

    def forward(self, x):
        a = torch.relu(self.c1(x))
        return torch.cat([a, F.interpolate(F.max_pool2d(a, 2), scale_factor=2, mode="nearest")], 1)


class Nhwc(nn.Module):
    """A Keras model as tf2onnx writes it: the NHWC input [1, h, w, 1] reshaped to NCHW [1, 1, h, w], Max and Min
    with a one-value constant (tf.maximum(x, -0.4); Max with 0 as relu), the [1, c, 1, w] result reshaped to the
    output [1, 1, w, c]'s order of values (a flatten)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=(0, 1))
        self.conv2 = nn.Conv2d(4, 3, (4, 1))

    def forward(self, x):
        y = nn.functional.leaky_relu(self.conv(x.reshape(1, 1, 6, 8)), 0.2)
        y = torch.minimum(torch.maximum(y, torch.tensor(-0.4)), torch.tensor(0.7))
        y = torch.maximum(self.conv2(nn.functional.max_pool2d(y, (1, 2))), torch.zeros(1, 1, 1, 1))
        return y.reshape(1, 1, 4, 3)


class LastAct(nn.Module):
    """Element-wise operators on a channels-last view (between permutes, as in ConvNeXt's blocks): ReLU6 and
    Hardtanh as Clip, HardSigmoid, between two Linear layers (MatMul as conv2d k=1)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3, padding=1)
        self.fc1 = nn.Linear(6, 8)
        self.fc2 = nn.Linear(8, 6)

    def forward(self, x):
        y = nn.functional.relu6(self.fc1(self.conv(x).permute(0, 2, 3, 1)))
        y = nn.functional.hardtanh(y, -0.5, 0.5) + nn.functional.hardsigmoid(y)
        return self.fc2(y).permute(0, 3, 1, 2)


class PooledLast(nn.Module):
    """The pooled map's channels-last view [1, 1, 1, c] as the output (a Keras model's GlobalAveragePool as
    tf2onnx's NCHW graph ends it): its values in the order of the pooled [c]."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3, padding=1)

    def forward(self, x):
        return torch.relu(self.conv(x)).mean((2, 3), keepdim=True).permute(0, 2, 3, 1)


def export(name, m, shape, opset=13):
    m.eval()
    randomise_bn(m)
    x = torch.randn(*shape)
    torch.onnx.export(m, x, os.path.join(out, name + ".onnx"), opset_version=opset)
    x.numpy().astype(np.float32).tofile(os.path.join(out, name + ".x.bin"))
    with torch.no_grad():
        m(x).numpy().astype(np.float32).tofile(os.path.join(out, name + ".y.bin"))


export("residual", Residual(), (1, 3, 16, 16))
export("head", Head(), (1, 2, 9, 11))
export("mlp", Mlp(), (1, 20))
export("acts", Acts(), (1, 3, 6, 5))
export("se", Se(), (1, 3, 7, 7))
export("bounds", Bounds(), (1, 3, 10, 9))
export("shuffle", Shuffle(), (1, 3, 4, 3))
export("se_wide", Se(), (1, 3, 5, 9))  # h = w not proved: adaptive_avgpool2d(x, size=1)
export("norm", Norm(), (1, 3, 6, 5), opset=17)
export("gelu", Gelu(), (1, 3, 5, 4))
export("axes", Axes(), (1, 3, 10, 8))
export("affine", Affine(), (1, 3, 6, 7), opset=9)
export("up", Up(), (1, 3, 6, 8))
export("up11", Up(), (1, 3, 6, 8), opset=11)
export("up9", Up(bilinear=False), (1, 3, 6, 8), opset=9)
export("transposed", Transposed(), (1, 3, 5, 4))
export("nhwc", Nhwc(), (1, 6, 8, 1))
export("chnorm", ChannelNorm(), (1, 3, 5, 4))
export("lastact", LastAct(), (1, 3, 5, 4))
export("pooledlast", PooledLast(), (1, 3, 5, 4))
export("convnext", convnext(), (1, 3, 16, 20))
export("convnext17", convnext(), (1, 3, 16, 20), opset=17)


def export_dynamic(name, m, shape, shape2):
    """Input axes 2 and 3 symbolic in the file (dim_param, no sizes): inputs and PyTorch's outputs at two sizes,
    NAME.x.bin, NAME.y.bin and NAME.x2.bin, NAME.y2.bin."""
    m.eval()
    randomise_bn(m)
    torch.onnx.export(m, torch.randn(*shape), os.path.join(out, name + ".onnx"), opset_version=13,
                      input_names=["x"], dynamic_axes={"x": {2: "height", 3: "width"}})
    for suffix, s in (("", shape), ("2", shape2)):
        x = torch.randn(*s)
        x.numpy().astype(np.float32).tofile(os.path.join(out, name + ".x" + suffix + ".bin"))
        with torch.no_grad():
            m(x).numpy().astype(np.float32).tofile(os.path.join(out, name + ".y" + suffix + ".bin"))


export_dynamic("head_dyn", Head(), (1, 2, 9, 11), (1, 2, 16, 13))
export_dynamic("fpn_dyn", Fpn(), (1, 3, 8, 12), (1, 3, 16, 4))
export_dynamic("unet_dyn", UnetStep(), (1, 3, 6, 8), (1, 3, 4, 10))


def model(nodes, inputs, outputs, inits=(), opset=13):
    g = helper.make_graph(nodes, "g", inputs, outputs, list(inits))
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])


def image(name, c=3, h=8, w=8, batch=1):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, [batch, c, h, w])


def weight(name, *dims):
    return helper.make_tensor(name, TensorProto.FLOAT, dims, np.ones(dims, np.float32).flatten().tolist())


def bad(name, want, m=None, data=None):
    path = os.path.join(out, "bad_" + name + ".onnx")
    if m is not None:
        data = m.SerializeToString()
    with open(path, "wb") as f:
        f.write(data)
    with open(os.path.join(out, "bad_" + name + ".want"), "w") as f:
        f.write(want + "\n")


Y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
conv = helper.make_node("Conv", ["x", "w"], ["y"], name="conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1])
good = model([conv], [image("x")], [Y], [weight("w", 4, 3, 3, 3)])
data = good.SerializeToString()
def short_tensor():
    t = weight("w", 4, 3, 3, 3)
    del t.float_data[3:]
    return t


bad("truncated", "not a valid ONNX model", data=data[: len(data) // 2])
bad("garbage", "not a valid ONNX model", data=b"\xff\xff\xff\xff not a protobuf")
bad("missing_init", "node 'conv' (Conv, opset 13): operand 'w' is not defined",
    model([conv], [image("x")], [Y]))
bad("unknown_op", "node 'fft' (DFT, opset 13): unsupported operator; gsc supports Add,",
    model([helper.make_node("DFT", ["x"], ["y"], name="fft")], [image("x")], [Y]))
bad("dilations", "node 'p' (MaxPool, opset 13): dilations other than 1 are not supported",
    model([helper.make_node("MaxPool", ["x"], ["y"], name="p", kernel_shape=[3, 3], dilations=[2, 2])],
          [image("x")], [Y]))
bad("groups", "node 'conv' (Conv, opset 13): group 3 does not divide the 4 output channels",
    model([helper.make_node("Conv", ["x", "w"], ["y"], name="conv", kernel_shape=[3, 3], group=3)],
          [image("x")], [Y], [weight("w", 4, 1, 3, 3)]))
bad("unknown_attr", "node 'conv' (Conv, opset 13): attribute 'frobnicate' is not supported",
    model([helper.make_node("Conv", ["x", "w"], ["y"], name="conv", kernel_shape=[3, 3], frobnicate=1)],
          [image("x")], [Y], [weight("w", 4, 3, 3, 3)]))
bad("int_input", "input 'x' has element type 7; gsc takes float32",
    model([conv], [helper.make_tensor_value_info("x", TensorProto.INT64, [1, 3, 8, 8])], [Y],
          [weight("w", 4, 3, 3, 3)]))
bad("batch4", "input 'x' has a batch of 4",
    model([conv], [image("x", batch=4)], [Y], [weight("w", 4, 3, 3, 3)]))
bad("opset8", "opset 8: gsc reads opsets 9 to 17",
    model([conv], [image("x")], [Y], [weight("w", 4, 3, 3, 3)], opset=8))
bad("layernorm_opset", "node 'ln' (LayerNormalization, opset 16): LayerNormalization is an operator of opset 17 and later",
    model([helper.make_node("LayerNormalization", ["x", "s"], ["y"], name="ln")], [image("x")], [Y],
          [weight("s", 3)], opset=16))
bad("hardswish_unfinished", "node 'r' (Relu, opset 9): operand 'c' is a step of hardswish's pattern",
    model([helper.make_node("Relu", ["x"], ["a"], name="ra"), helper.make_node("Add", ["a", "three"], ["b"], name="add"),
           helper.make_node("Clip", ["b"], ["c"], name="clip", min=0.0, max=6.0),
           helper.make_node("Relu", ["c"], ["y"], name="r")], [image("x")], [Y],
          [helper.make_tensor("three", TensorProto.FLOAT, [], [3.0])], opset=9))
bad("cast_int", "node 'cs' (Cast, opset 13): a cast of a tensor to integers is not supported",
    model([helper.make_node("Cast", ["x"], ["y"], name="cs", to=TensorProto.INT64)], [image("x")], [Y]))
bad("wrong_count", "tensor 'w' has 3 values, but its shape holds 108",
    model([conv], [image("x")], [Y], [short_tensor()]))
bad("two_inputs", "the graph has several inputs",
    model([helper.make_node("Add", ["x", "z"], ["y"], name="add")], [image("x"), image("z")], [Y]))
bad("broadcast_add", "node 'add' (Add, opset 13): Add of shapes [3, 8, 8] and [3, 4, 4]",
    model([helper.make_node("MaxPool", ["x"], ["q"], name="p", kernel_shape=[2, 2], strides=[2, 2]),
           helper.make_node("Add", ["x", "q"], ["y"], name="add")], [image("x")], [Y]))
# symbolic sizes: x (h, w) and its 2x2 max-pool (h / 2, w / 2) agree for no
# multiple of the sizes (the error has no hint); fpn_dyn (the file above) at
# its Add agrees where the sizes are multiples of 4, unet_dyn at its Concat
# where they are even, which the errors say
bad("broadcast_add_sym", "node 'add' (Add, opset 13): Add of shapes [3, h, w] and [3, (h - 2) / 2 + 1, (w - 2) / 2 + 1]: they "
    "do not broadcast (equal ranks, each axis equal or 1 in one operand, for all sizes)",
    model([helper.make_node("MaxPool", ["x"], ["q"], name="p", kernel_shape=[2, 2], strides=[2, 2]),
           helper.make_node("Add", ["x", "q"], ["y"], name="add")], [image("x", h="h", w="w")], [Y]))
with open(os.path.join(out, "fpn_dyn.onnx"), "rb") as f:
    bad("fpn_dyn", "they agree where height and width are multiples of 4: import with --symbolic "
        "height=2:4,width=3:4", data=f.read())
with open(os.path.join(out, "unet_dyn.onnx"), "rb") as f:
    bad("unet_dyn", "but for the channels; they agree where height and width are multiples of 2: import with "
        "--symbolic height=2:2,width=3:2", data=f.read())
bad("hardsigmoid_alpha", "node 'hs' (HardSigmoid, opset 13): alpha 0.2 and beta 0.5 are not supported",
    model([helper.make_node("HardSigmoid", ["x"], ["y"], name="hs")], [image("x")], [Y]))
bad("clip_bounds", "node 'clip' (Clip, opset 13): bounds [1, -1] are not supported (min must be at most max)",
    model([helper.make_node("Clip", ["x", "lo", "hi"], ["y"], name="clip")], [image("x")], [Y],
          [helper.make_tensor("lo", TensorProto.FLOAT, [], [1.0]), helper.make_tensor("hi", TensorProto.FLOAT, [], [-1.0])]))
bad("avgpool_empty", "node 'p' (AveragePool, opset 13): count_include_pad=0 with a window 2 not wider than its padding",
    model([helper.make_node("AveragePool", ["x"], ["y"], name="p", kernel_shape=[2, 2], pads=[2, 2, 2, 2])],
          [image("x", h=9, w=9)], [Y]))
bad("maxpool_ceil_pad", "node 'p' (MaxPool, opset 13): ceil_mode=1 with a window 2 smaller than pad + stride (3)",
    model([helper.make_node("MaxPool", ["x"], ["y"], name="p", kernel_shape=[2, 2], strides=[2, 2], pads=[1, 1, 1, 1],
                            ceil_mode=1)], [image("x", h=9, w=9)], [Y]))
bad("clip_dynamic", "node 'clip' (Clip, opset 13): the max ('z') must be a constant",
    model([helper.make_node("Relu", ["x"], ["z"], name="r"), helper.make_node("Clip", ["x", "", "z"], ["y"], name="clip")],
          [image("x")], [Y]))
bad("max3", "node 'mx' (Max, opset 13): 3 operands are not supported (only 2)",
    model([helper.make_node("Max", ["x", "x", "x"], ["y"], name="mx")], [image("x")], [Y]))
bad("max_values", "node 'mx' (Max, opset 13): a constant operand of 3 values is not supported (only one value, a bound)",
    model([helper.make_node("Max", ["x", "k"], ["y"], name="mx")], [image("x")], [Y], [weight("k", 1, 3, 1, 1)]))
bad("min_inf", "node 'mn' (Min, opset 13): the bound inf is not supported (only a finite one)",
    model([helper.make_node("Min", ["k", "x"], ["y"], name="mn")], [image("x")], [Y],
          [helper.make_tensor("k", TensorProto.FLOAT, [], [float("inf")])]))
bad("reshape_input_twice", "node 'rs' (Reshape, opset 13): reshaping [1, 3, 8, 8] to [1, 3, 64] is not supported",
    model([helper.make_node("Reshape", ["x", "s"], ["r"], name="rs"), helper.make_node("Relu", ["x"], ["q"], name="q"),
           helper.make_node("Add", ["r", "r"], ["y"], name="a")], [image("x")], [Y],
          [helper.make_tensor("s", TensorProto.INT64, [3], [1, 3, 64])]))
bad("div_tensors", "node 'dv' (Div, opset 13): Div of two tensors is not supported",
    model([helper.make_node("Div", ["x", "x"], ["y"], name="dv")], [image("x")], [Y]))
bad("dynamic_reshape", "node 'sh' (Shape, opset 13): the shape of 'x' is [1, 3, H, 8], whose axis 2 is a size symbol",
    model([helper.make_node("Shape", ["x"], ["s"], name="sh"), helper.make_node("Reshape", ["x", "s"], ["y"], name="rs")],
          [image("x", h="H")], [Y]))
bad("shuffle_perm", "node 't' (Transpose, opset 13): a channel shuffle wants Transpose (0, 2, 1, 3, 4)",
    model([helper.make_node("Reshape", ["x", "s5"], ["v"], name="r"),
           helper.make_node("Transpose", ["v"], ["y"], name="t", perm=[0, 1, 2, 4, 3])], [image("x", c=4)], [Y],
          [helper.make_tensor("s5", TensorProto.INT64, [5], [1, 2, 2, 8, 8])]))
bad("erf_alone", "node 'e' (Erf, opset 13): Erf is supported only in GELU's pattern",
    model([helper.make_node("Erf", ["x"], ["y"], name="e")], [image("x")], [Y]))
bad("gelu_unfinished", "node 'm' (Relu, opset 13): operand 'h' is a step of GELU's pattern",
    model([helper.make_node("Relu", ["x"], ["r"], name="r"), helper.make_node("Mul", ["r", "half"], ["h"], name="mh"),
           helper.make_node("Relu", ["h"], ["y"], name="m")], [image("x")], [Y],
          [helper.make_tensor("half", TensorProto.FLOAT, [], [0.5])]))


def channel_norm(name, want, keepdims=1, eps=(), relu_mean=False, mean_axis=1, var_axis=1, eps_outside=False):
    """x's layer norm over the channels written out (ReduceMean axis 1, Sub, Pow 2, ReduceMean, Add eps, Sqrt, Div),
    breaking one rule (eps_outside: Sqrt(variance) + eps)."""
    nodes = [helper.make_node("ReduceMean", ["x"], ["u"], name="mean", axes=[mean_axis], keepdims=keepdims),
             helper.make_node("Sub", ["x", "u"], ["d"], name="sub"),
             helper.make_node("Pow", ["d", "two"], ["d2"], name="pow"),
             helper.make_node("ReduceMean", ["d2"], ["var"], name="var", axes=[var_axis])]
    if eps_outside:
        nodes += [helper.make_node("Sqrt", ["var"], ["r"], name="sqrt"),
                  helper.make_node("Add", ["r", "eps"], ["s"], name="add")]
    else:
        nodes += [helper.make_node("Add", ["var", "eps"], ["ve"], name="add"),
                  helper.make_node("Sqrt", ["ve"], ["s"], name="sqrt")]
    nodes.append(helper.make_node("Div", ["d", "s"], ["y"], name="div"))
    if relu_mean:
        nodes.append(helper.make_node("Relu", ["u"], ["r"], name="r"))
    bad(name, want, model(nodes, [image("x")], [Y],
                          [helper.make_tensor("two", TensorProto.FLOAT, [], [2.0]),
                           helper.make_tensor("eps", TensorProto.FLOAT, [len(eps)] if eps else [], list(eps) or [1e-6])]))


channel_norm("norm_keepdims", "node 'mean' (ReduceMean, opset 13): a mean over the channels is supported only with "
             "keepdims=1, in a layer norm's pattern", keepdims=0)
channel_norm("norm_eps", "node 'add' (Add, opset 13): the epsilon of a layer norm's pattern must be a scalar constant, "
             "not 2 values", eps=(1e-6, 1e-5))
channel_norm("norm_mean_w", "node 'mean' (ReduceMean, opset 13): only a mean over the two spatial axes (axes 2 and 3) "
             "or over the channels (axis 1, in a layer norm's pattern) is supported", mean_axis=-1)
channel_norm("norm_var_axis", "node 'var' (ReduceMean, opset 13): operand 'd2' is a step of a layer norm's pattern",
             var_axis=2)
channel_norm("norm_eps_outside", "node 'sqrt' (Sqrt, opset 13): Sqrt is supported only in a layer norm's pattern",
             eps_outside=True)
channel_norm("norm_mean_used", "node 'mean' (ReduceMean, opset 13): a step of a layer norm's pattern used 2 times is "
             "not supported", relu_mean=True)
bad("norm_unfinished", "node 'r' (Relu, opset 13): operand 'v' is a step of a layer norm's pattern",
    model([helper.make_node("ReduceMean", ["x"], ["u"], name="mean", axes=[1]),
           helper.make_node("Sub", ["x", "u"], ["d"], name="sub"),
           helper.make_node("Pow", ["d", "two"], ["d2"], name="pow"),
           helper.make_node("ReduceMean", ["d2"], ["v"], name="var", axes=[1]),
           helper.make_node("Relu", ["v"], ["y"], name="r"), helper.make_node("Relu", ["d"], ["z"], name="r2")],
          [image("x")], [Y], [helper.make_tensor("two", TensorProto.FLOAT, [], [2.0])]))
bad("pow3", "node 'p' (Pow, opset 13): exponent 3.0 is not supported (only the scalar 2)",
    model([helper.make_node("Pow", ["x", "three"], ["y"], name="p")], [image("x")], [Y],
          [helper.make_tensor("three", TensorProto.FLOAT, [], [3.0])]))
bad("sqrt_alone", "node 's' (Sqrt, opset 13): Sqrt is supported only in a layer norm's pattern",
    model([helper.make_node("Sqrt", ["x"], ["y"], name="s")], [image("x")], [Y]))
bad("last_conv", "node 'conv' (Conv, opset 13): operand 't' is a channels-last view (Transpose (0, 2, 3, 1))",
    model([helper.make_node("Transpose", ["x"], ["t"], name="t", perm=[0, 2, 3, 1]),
           helper.make_node("Conv", ["t", "w"], ["y"], name="conv", kernel_shape=[3, 3])],
          [image("x")], [Y], [weight("w", 4, 8, 3, 3)]))
bad("last_output", "the output 'y' is a channels-last view (Transpose (0, 2, 3, 1)) not taken back",
    model([helper.make_node("Transpose", ["x"], ["y"], name="t", perm=[0, 2, 3, 1])], [image("x")], [Y]))
bad("last_mean_axis", "node 'm' (ReduceMean, opset 13): a mean of the channels-last view [1, 8, 8, 3] is supported "
    "only over its channels (axis 3)",
    model([helper.make_node("Transpose", ["x"], ["t"], name="t", perm=[0, 2, 3, 1]),
           helper.make_node("ReduceMean", ["t"], ["y"], name="m", axes=[1])], [image("x")], [Y]))
bad("last_add", "node 'a' (Add, opset 13): Add of a channels-last view and a tensor that is not one is not supported",
    model([helper.make_node("Transpose", ["x"], ["t"], name="t", perm=[0, 2, 3, 1]),
           helper.make_node("Add", ["t", "x"], ["y"], name="a")], [image("x")], [Y]))
bad("last_perm", "node 't2' (Transpose, opset 13): a channels-last view [1, h, w, c] is supported only with Transpose "
    "(0, 3, 1, 2) back",
    model([helper.make_node("Transpose", ["x"], ["t"], name="t", perm=[0, 2, 3, 1]),
           helper.make_node("Transpose", ["t"], ["y"], name="t2", perm=[0, 3, 2, 1])], [image("x")], [Y]))
bad("split_axis", "node 'sp' (Split, opset 13): only a split along the channels (axis 1) is supported",
    model([helper.make_node("Split", ["x"], ["y", "z"], name="sp", axis=2)], [image("x")], [Y]))
ln = helper.make_node("LayerNormalization", ["x", "s", "b"], ["y"], name="ln", axis=1)
bad("layernorm_axes", "node 'ln' (LayerNormalization, opset 17): a layer norm over axes 1 to 3 of [1, 3, 8, 8] is "
    "not supported", model([ln], [image("x")], [Y], [weight("s", 3, 8, 8), weight("b", 3, 8, 8)], opset=17))
bad("convt_group", "node 'up' (ConvTranspose, opset 13): group 2 is not supported (conv_transpose2d is dense: group 1)",
    model([helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="up", kernel_shape=[2, 2], strides=[2, 2], group=2)],
          [image("x", c=4)], [Y], [weight("w", 4, 2, 2, 2)]))
bad("convt_output_shape", "node 'up' (ConvTranspose, opset 13): output_shape is not supported; write the same size with "
    "pads and output_padding",
    model([helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="up", kernel_shape=[2, 2], strides=[2, 2],
                            output_shape=[16, 16])], [image("x")], [Y], [weight("w", 3, 2, 2, 2)]))
bad("convt_same", "node 'up' (ConvTranspose, opset 13): auto_pad SAME_UPPER is supported only where it pads nothing",
    model([helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="up", kernel_shape=[3, 3], strides=[2, 2],
                            auto_pad="SAME_UPPER")], [image("x")], [Y], [weight("w", 3, 2, 3, 3)]))
bad("convt_output_padding", "node 'up' (ConvTranspose, opset 13): output_padding 2 is not below the stride 2",
    model([helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="up", kernel_shape=[3, 3], strides=[2, 2],
                            output_padding=[2, 0])], [image("x")], [Y], [weight("w", 3, 2, 3, 3)]))
bad("window", "node 'conv' (Conv, opset 13): the 9-wide window does not fit the padded input (8)",
    model([helper.make_node("Conv", ["x", "w"], ["y"], name="conv", kernel_shape=[9, 9])],
          [image("x")], [Y], [weight("w", 4, 3, 9, 9)]))


def resize(name, want, scales=(1, 1, 2, 2), **attrs):
    """A Resize of an 8x8 image by constant scales, breaking one rule."""
    bad(name, want, model([helper.make_node("Resize", ["x", "", "sc"], ["y"], name="rs", **attrs)], [image("x")], [Y],
                          [helper.make_tensor("sc", TensorProto.FLOAT, [4], list(scales))]))


resize("resize_cubic", "node 'rs' (Resize, opset 13): mode 'cubic' is not supported (nearest or linear)", mode="cubic")
resize("resize_fraction", "node 'rs' (Resize, opset 13): the scale 1.5 on axis 3: gsc reads 1 on N and C and integer "
       "factors >= 1 on H and W", scales=(1, 1, 2, 1.5))
resize("resize_channels", "node 'rs' (Resize, opset 13): the scale 2.0 on axis 1", scales=(1, 2, 2, 2))
resize("resize_ceil", "node 'rs' (Resize, opset 13): coordinate_transformation_mode 'half_pixel' with nearest_mode "
       "'ceil' is not a replication by integer factors", nearest_mode="ceil")
resize("resize_asymmetric_linear", "node 'rs' (Resize, opset 13): coordinate_transformation_mode 'asymmetric' with "
       "mode linear is not supported", mode="linear", coordinate_transformation_mode="asymmetric")
resize("resize_crop", "node 'rs' (Resize, opset 13): coordinate_transformation_mode 'tf_crop_and_resize' with mode "
       "linear is not supported", mode="linear", coordinate_transformation_mode="tf_crop_and_resize",
       extrapolation_value=1.0)
resize("resize_exclude_outside", "node 'rs' (Resize, opset 13): exclude_outside=1 is not supported", exclude_outside=1)


def conformance_case(name, m, x, y):
    """OUT/conf/test_NAME: a case in the layout of the ONNX backend node tests (model.onnx,
    test_data_set_0/input_0.pb and output_0.pb), for tests/onnx/conformance.py."""
    d = os.path.join(out, "conf", "test_" + name)
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    onnx.save(m, os.path.join(d, "model.onnx"))
    for f, a in (("input_0.pb", x), ("output_0.pb", y)):
        with open(os.path.join(d, "test_data_set_0", f), "wb") as fh:
            fh.write(numpy_helper.from_array(a).SerializeToString())


# Batch 2 that cannot run per batch element: a Softmax along axis 0 (named), and after a Relu a
# Flatten along axis 0 (unnamed): the skip reason names the node that blocks the rewrite.
bx = np.random.RandomState(3).randn(2, 3, 4, 4).astype(np.float32)
conformance_case("softmax_axis0", model(
    [helper.make_node("Relu", ["x"], ["r"], name="first"),
     helper.make_node("Softmax", ["r"], ["y"], name="mixes_batch", axis=0)],
    [image("x", 3, 4, 4, batch=2)], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3, 4, 4])]),
    bx, np.exp(np.maximum(bx, 0)) / np.exp(np.maximum(bx, 0)).sum(0))
conformance_case("flatten_axis0", model(
    [helper.make_node("Relu", ["x"], ["r"], name="first"), helper.make_node("Flatten", ["r"], ["y"], axis=0)],
    [image("x", 3, 4, 4, batch=2)], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 96])]),
    bx, np.maximum(bx, 0).reshape(1, 96))
