# torchvision 0.14's mobilenet_v2() in GraphSpec, with trained-model (eval-mode)
# semantics: batchnorm_eval (running statistics, eps 1e-5), convolutions without a
# bias, ReLU6, and the classifier's dropout as identity. Parameter names are
# torchvision's state_dict names: features.0 is the stem's Conv2dNormActivation
# (features.0.0 the convolution, features.0.1 the batchnorm, features.0.2 the
# ReLU6), features.1 to features.17 the InvertedResidual blocks (their
# nn.Sequential is .conv), features.18 the last 1x1 Conv2dNormActivation, and
# classifier.1 the Linear (classifier.0 is the dropout). A state_dict moves by name:
#   tools/export_torch.py mobilenet_v2.pt w.safetensors --model models/torchvision/mobilenet_v2.gs
# Any input of at least 1x1 is accepted, as torchvision's adaptive pooling does.

# The output size of a 3x3 convolution with padding 1 and stride s.
dim out(h, s) = (h - 1) / s + 1
dim down2(h) = out(h, 2)

# InvertedResidual with expand_ratio 1 (features.1): the depthwise
# Conv2dNormActivation (conv.0) and the linear 1x1 projection (conv.1, conv.2).
block dwlinear(co)(x: [ci, h, w]) -> [co, h, w] {
    conv = seq(seq(conv2d(ci -> ci, k=3, pad=1, groups=ci, bias=0), batchnorm_eval(ci), relu6),
               conv2d(ci -> co, k=1, bias=0),
               batchnorm_eval(co))
    return conv(x)
}

# InvertedResidual whose input and output differ (the first block of a stage):
# the 1x1 expansion to t * ci channels (conv.0), the depthwise convolution with
# stride s (conv.1), the linear 1x1 projection (conv.2, conv.3); no skip.
block inverted(co, s, t = 6)(x: [ci, h, w]) -> [co, out(h, s), out(w, s)] {
    conv = seq(seq(conv2d(ci -> t * ci, k=1, bias=0), batchnorm_eval(t * ci), relu6),
               seq(conv2d(t * ci -> t * ci, k=3, stride=s, pad=1, groups=t * ci, bias=0),
                   batchnorm_eval(t * ci), relu6),
               conv2d(t * ci -> co, k=1, bias=0),
               batchnorm_eval(co))
    return conv(x)
}

# InvertedResidual with stride 1 and as many channels out as in: the same
# layers, and the skip x + conv(x).
block residual(t = 6)(x: [c, h, w]) -> [c, h, w] {
    conv = seq(seq(conv2d(c -> t * c, k=1, bias=0), batchnorm_eval(t * c), relu6),
               seq(conv2d(t * c -> t * c, k=3, pad=1, groups=t * c, bias=0), batchnorm_eval(t * c), relu6),
               conv2d(t * c -> c, k=1, bias=0),
               batchnorm_eval(c))
    return x + conv(x)
}

model mobilenet_v2(classes = 1000)
      (x: [3, H, W]) -> [classes]
      where H >= 1, W >= 1
      default H = 224, W = 224 {
    # inverted_residual_setting (t, c, n, s): (1, 16, 1, 1) (6, 24, 2, 2) (6, 32, 3, 2)
    # (6, 64, 4, 2) (6, 96, 3, 1) (6, 160, 3, 2) (6, 320, 1, 1); seq continues the
    # numbering through each repeat, as torchvision's flat nn.Sequential does.
    features = seq(seq(conv2d(3 -> 32, k=3, stride=2, pad=1, bias=0), batchnorm_eval(32), relu6),
                   dwlinear(16),
                   inverted(24, 2), repeat(1, residual),
                   inverted(32, 2), repeat(2, residual),
                   inverted(64, 2), repeat(3, residual),
                   inverted(96, 1), repeat(2, residual),
                   inverted(160, 2), repeat(2, residual),
                   inverted(320, 1),
                   seq(conv2d(320 -> 1280, k=1, bias=0), batchnorm_eval(1280), relu6))
    classifier = seq(identity, linear(1280 -> classes))

    let f: [1280, down2(down2(down2(down2(down2(H))))), down2(down2(down2(down2(down2(W)))))] = features(x)
    return classifier(global_avgpool(f))
}

# torchvision: len(list(mobilenet_v2().parameters())) == 158 with 3,504,872 floats;
# the ABI also holds the 52 batchnorms' running means and variances (104 tensors,
# 34,112 floats), which PyTorch keeps as buffers.
assert tensors(mobilenet_v2) == 158 + 104
assert params(mobilenet_v2) == 3504872 + 34112
