# torchvision 0.14's mnasnet1_0() (MNASNet-B1, depth multiplier 1.0) in GraphSpec,
# with trained-model (eval-mode) semantics: batchnorm_eval (running statistics,
# eps 1e-5; torchvision's momentum 0.0003 only matters in training), convolutions
# without a bias, and the classifier's dropout as identity. Parameter names are
# torchvision's state_dict names: layers is torchvision's flat nn.Sequential of 17
# (layers.0 to layers.7 the stem and the depthwise-separable convolution,
# layers.8 to layers.13 the stacks of _InvertedResidual, each a Sequential whose
# members hold their own .layers Sequential, layers.14 to layers.16 the last 1x1
# convolution), classifier.1 the Linear. A state_dict moves by name:
#   tools/export_torch.py mnasnet1_0.pt w.safetensors --model models/torchvision/mnasnet1_0.gs
# Any input of at least 1x1 is accepted, as torchvision's x.mean([2, 3]) does.

# The output size of a k x k convolution with padding k / 2 and stride s, for an
# odd k (3 or 5 here).
dim out(h, s) = (h - 1) / s + 1
dim down2(h) = out(h, 2)

# _InvertedResidual whose input and output differ (the first of a stack): 1x1
# expansion to t * ci channels, k x k depthwise convolution with stride s,
# linear 1x1 projection; no skip.
block inverted(co, k, s, t)(x: [ci, h, w]) -> [co, out(h, s), out(w, s)] {
    layers = seq(conv2d(ci -> t * ci, k=1, bias=0), batchnorm_eval(t * ci), relu,
                 conv2d(t * ci -> t * ci, k=k, stride=s, pad=k / 2, groups=t * ci, bias=0),
                 batchnorm_eval(t * ci), relu,
                 conv2d(t * ci -> co, k=1, bias=0), batchnorm_eval(co))
    return layers(x)
}

# _InvertedResidual with stride 1 and as many channels out as in: the same
# layers, and the skip layers(x) + x.
block residual(k, t)(x: [c, h, w]) -> [c, h, w] {
    layers = seq(conv2d(c -> t * c, k=1, bias=0), batchnorm_eval(t * c), relu,
                 conv2d(t * c -> t * c, k=k, pad=k / 2, groups=t * c, bias=0), batchnorm_eval(t * c), relu,
                 conv2d(t * c -> c, k=1, bias=0), batchnorm_eval(c))
    return layers(x) + x
}

model mnasnet1_0(classes = 1000)
      (x: [3, H, W]) -> [classes]
      where H >= 1, W >= 1
      default H = 224, W = 224 {
    # _stack(in, out, kernel, stride, expansion, repeats): a Sequential of the first
    # block and repeats - 1 residual ones. Depths 32, 16, 24, 40, 80, 96, 192, 320.
    layers = seq(conv2d(3 -> 32, k=3, stride=2, pad=1, bias=0), batchnorm_eval(32), relu,
                 conv2d(32 -> 32, k=3, pad=1, groups=32, bias=0), batchnorm_eval(32), relu,
                 conv2d(32 -> 16, k=1, bias=0), batchnorm_eval(16),
                 seq(inverted(24, 3, 2, 3), repeat(2, residual(3, 3))),
                 seq(inverted(40, 5, 2, 3), repeat(2, residual(5, 3))),
                 seq(inverted(80, 5, 2, 6), repeat(2, residual(5, 6))),
                 seq(inverted(96, 3, 1, 6), repeat(1, residual(3, 6))),
                 seq(inverted(192, 5, 2, 6), repeat(3, residual(5, 6))),
                 seq(inverted(320, 3, 1, 6)),
                 conv2d(320 -> 1280, k=1, bias=0), batchnorm_eval(1280), relu)
    classifier = seq(identity, linear(1280 -> classes))

    let f: [1280, down2(down2(down2(down2(down2(H))))), down2(down2(down2(down2(down2(W)))))] = layers(x)
    return classifier(global_avgpool(f))
}

# torchvision: len(list(mnasnet1_0().parameters())) == 158 with 4,383,312 floats;
# the ABI also holds the 52 batchnorms' running means and variances (104 tensors,
# 37,920 floats), which PyTorch keeps as buffers.
assert tensors(mnasnet1_0) == 158 + 104
assert params(mnasnet1_0) == 4383312 + 37920
