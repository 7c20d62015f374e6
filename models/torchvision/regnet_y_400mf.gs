# torchvision 0.14's regnet_y_400mf() in GraphSpec, with trained-model (eval-mode)
# semantics: batchnorm_eval (running statistics, eps 1e-5), convolutions without a
# bias but for the squeeze-and-excitation ones, ReLU. Parameter names are
# torchvision's state_dict names: stem.0 and stem.1 the SimpleStemIN, trunk_output
# the four AnyStages block1 to block4, whose ResBottleneckBlocks are named
# "block1-0", "block2-0" ... "block4-5" (quoted names: they hold a '-'), each with
# proj (the first of a stage) and f, the BottleneckTransform (a, b, se, c); fc the
# Linear. A state_dict moves by name:
#   tools/export_torch.py regnet_y_400mf.pt w.safetensors --model models/torchvision/regnet_y_400mf.gs
# Any input of at least 1x1 is accepted, as torchvision's adaptive pooling does.

# The output size of a 3x3 convolution with padding 1 (or a 1x1 one without
# padding) and stride 2.
dim down2(h) = (h - 1) / 2 + 1
dim out(h, s) = (h - 1) / s + 1

# SqueezeExcitation(c, sq) with ReLU and Sigmoid: AdaptiveAvgPool2d(1) as
# adaptive_avgpool2d(x, size=1), [c, 1, 1] for any h, w; fc1 and fc2 1x1
# convolutions with biases; the gate multiplies every pixel of x.
block se(sq)(x: [c, h, w]) -> [c, h, w] {
    fc1 = conv2d(c -> sq, k=1)
    fc2 = conv2d(sq -> c, k=1)
    return mul(x, sigmoid(fc2(relu(fc1(adaptive_avgpool2d(x, size=1))))))
}

# BottleneckTransform (bottleneck multiplier 1, group width 8, SE ratio 0.25 of
# the block's input width): a the 1x1 convolution to co channels, b the 3x3
# grouped convolution with stride s (co / 8 groups), se, c the linear 1x1
# convolution.
block bottleneck(co, s)(x: [ci, h, w]) -> [co, out(h, s), out(w, s)] {
    a = seq(conv2d(ci -> co, k=1, bias=0), batchnorm_eval(co), relu)
    b = seq(conv2d(co -> co, k=3, stride=s, pad=1, groups=co / 8, bias=0), batchnorm_eval(co), relu)
    se = se(ci / 4)
    c = seq(conv2d(co -> co, k=1, bias=0), batchnorm_eval(co))
    return c(se(b(a(x))))
}

# ResBottleneckBlock, the first of a stage: stride 2 and new width, so the skip
# is proj, a strided 1x1 convolution; ReLU after the sum.
block down(co)(x: [ci, h, w]) -> [co, down2(h), down2(w)] {
    proj = seq(conv2d(ci -> co, k=1, stride=2, bias=0), batchnorm_eval(co))
    f = bottleneck(co, 2)
    return relu(proj(x) + f(x))
}

# ResBottleneckBlock with stride 1 and as many channels out as in: the identity
# skip.
block res(x: [c, h, w]) -> [c, h, w] {
    f = bottleneck(c, 1)
    return relu(x + f(x))
}

# The AnyStages: depths 1, 3, 6, 6 and widths 48, 104, 208, 440; torchvision names
# their blocks blockN-i, so each stage is written out.
block stage1(x: [ci, h, w]) -> [48, down2(h), down2(w)] {
    "block1-0" = down(48)
    return "block1-0"(x)
}
block stage2(x: [ci, h, w]) -> [104, down2(h), down2(w)] {
    "block2-0" = down(104)
    "block2-1" = res
    "block2-2" = res
    return "block2-2"("block2-1"("block2-0"(x)))
}
block stage3(x: [ci, h, w]) -> [208, down2(h), down2(w)] {
    "block3-0" = down(208)
    "block3-1" = res
    "block3-2" = res
    "block3-3" = res
    "block3-4" = res
    "block3-5" = res
    return "block3-5"("block3-4"("block3-3"("block3-2"("block3-1"("block3-0"(x))))))
}
block stage4(x: [ci, h, w]) -> [440, down2(h), down2(w)] {
    "block4-0" = down(440)
    "block4-1" = res
    "block4-2" = res
    "block4-3" = res
    "block4-4" = res
    "block4-5" = res
    return "block4-5"("block4-4"("block4-3"("block4-2"("block4-1"("block4-0"(x))))))
}

# trunk_output: the four stages under their names.
block trunk(x: [32, h, w]) -> [440, down2(down2(down2(down2(h)))), down2(down2(down2(down2(w))))] {
    block1 = stage1
    block2 = stage2
    block3 = stage3
    block4 = stage4
    return block4(block3(block2(block1(x))))
}

model regnet_y_400mf(classes = 1000)
      (x: [3, H, W]) -> [classes]
      where H >= 1, W >= 1
      default H = 224, W = 224 {
    stem = seq(conv2d(3 -> 32, k=3, stride=2, pad=1, bias=0), batchnorm_eval(32), relu)
    trunk_output = trunk
    fc = linear(440 -> classes)
    return fc(global_avgpool(trunk_output(stem(x))))
}

# torchvision: len(list(regnet_y_400mf().parameters())) == 225 with 4,344,144
# floats; the ABI also holds the 53 batchnorms' running means and variances (106
# tensors, 27,152 floats), which PyTorch keeps as buffers.
assert tensors(regnet_y_400mf) == 225 + 106
assert params(regnet_y_400mf) == 4344144 + 27152
