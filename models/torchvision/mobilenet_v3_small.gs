# torchvision 0.14's mobilenet_v3_small() in GraphSpec, with trained-model
# (eval-mode) semantics: batchnorm_eval (running statistics, torchvision's eps
# 0.001; its momentum 0.01 only matters in training), convolutions without a bias
# but for the squeeze-and-excitation ones, ReLU or Hardswish, and the classifier's
# dropout as identity. Parameter names are torchvision's state_dict names:
# features.0 is the stem's Conv2dNormActivation, features.1 to features.11 the
# InvertedResidual blocks (their nn.Sequential is .block, each member a
# Conv2dNormActivation or a SqueezeExcitation with fc1, fc2), features.12 the last
# 1x1 Conv2dNormActivation, classifier.0 and classifier.3 the Linears
# (classifier.1 is the Hardswish, classifier.2 the dropout). A state_dict moves
# by name:
#   tools/export_torch.py mobilenet_v3_small.pt w.safetensors --model models/torchvision/mobilenet_v3_small.gs
# Any input of at least 1x1 is accepted, as torchvision's adaptive pooling does.

# The output size of a k x k convolution with padding (k - 1) / 2 and stride s,
# for an odd k (3 or 5 here).
dim out(h, s) = (h - 1) / s + 1
dim down2(h) = out(h, 2)

# SqueezeExcitation(c, sq) with ReLU and Hardsigmoid: AdaptiveAvgPool2d(1) as
# adaptive_avgpool2d(x, size=1), [c, 1, 1] for any h, w; fc1 and fc2 1x1
# convolutions with biases; the gate multiplies every pixel of x.
block se(sq)(x: [c, h, w]) -> [c, h, w] {
    fc1 = conv2d(c -> sq, k=1)
    fc2 = conv2d(sq -> c, k=1)
    return mul(x, hardsigmoid(fc2(relu(fc1(adaptive_avgpool2d(x, size=1))))))
}

# features.1: no expansion (16 channels in and expanded); the 3x3 depthwise
# convolution with stride 2 and ReLU (block.0), SE with 8 channels (block.1), the
# linear 1x1 projection (block.2).
block dwse(co, s, sq)(x: [c, h, w]) -> [co, out(h, s), out(w, s)] {
    block = seq(seq(conv2d(c -> c, k=3, stride=s, pad=1, groups=c, bias=0), batchnorm_eval(c, eps=0.001), relu),
                se(sq),
                seq(conv2d(c -> co, k=1, bias=0), batchnorm_eval(co, eps=0.001)))
    return block(x)
}

# features.2 and features.3: 1x1 expansion to e channels with ReLU (block.0), the
# 3x3 depthwise convolution with ReLU (block.1), the projection (block.2); no SE.
# expand is the first block of a stage (no skip), expand_res one with stride 1
# and as many channels out as in (the skip x + block(x)).
block expand(e, co, s)(x: [ci, h, w]) -> [co, out(h, s), out(w, s)] {
    block = seq(seq(conv2d(ci -> e, k=1, bias=0), batchnorm_eval(e, eps=0.001), relu),
                seq(conv2d(e -> e, k=3, stride=s, pad=1, groups=e, bias=0), batchnorm_eval(e, eps=0.001), relu),
                seq(conv2d(e -> co, k=1, bias=0), batchnorm_eval(co, eps=0.001)))
    return block(x)
}
block expand_res(e)(x: [c, h, w]) -> [c, h, w] {
    block = seq(seq(conv2d(c -> e, k=1, bias=0), batchnorm_eval(e, eps=0.001), relu),
                seq(conv2d(e -> e, k=3, pad=1, groups=e, bias=0), batchnorm_eval(e, eps=0.001), relu),
                seq(conv2d(e -> c, k=1, bias=0), batchnorm_eval(c, eps=0.001)))
    return x + block(x)
}

# features.4 to features.11: 1x1 expansion to e channels with Hardswish
# (block.0), the k x k depthwise convolution with Hardswish (block.1), SE with sq
# channels (block.2), the projection (block.3). hs without a skip, hs_res with.
block hs(k, e, co, s, sq)(x: [ci, h, w]) -> [co, out(h, s), out(w, s)] {
    block = seq(seq(conv2d(ci -> e, k=1, bias=0), batchnorm_eval(e, eps=0.001), hardswish),
                seq(conv2d(e -> e, k=k, stride=s, pad=(k - 1) / 2, groups=e, bias=0),
                    batchnorm_eval(e, eps=0.001), hardswish),
                se(sq),
                seq(conv2d(e -> co, k=1, bias=0), batchnorm_eval(co, eps=0.001)))
    return block(x)
}
block hs_res(k, e, sq)(x: [c, h, w]) -> [c, h, w] {
    block = seq(seq(conv2d(c -> e, k=1, bias=0), batchnorm_eval(e, eps=0.001), hardswish),
                seq(conv2d(e -> e, k=k, pad=(k - 1) / 2, groups=e, bias=0), batchnorm_eval(e, eps=0.001), hardswish),
                se(sq),
                seq(conv2d(e -> c, k=1, bias=0), batchnorm_eval(c, eps=0.001)))
    return x + block(x)
}

model mobilenet_v3_small(classes = 1000)
      (x: [3, H, W]) -> [classes]
      where H >= 1, W >= 1
      default H = 224, W = 224 {
    # inverted_residual_setting (in, k, expanded, out, SE, activation, stride):
    # (16, 3, 16, 16, SE, RE, 2) (16, 3, 72, 24, -, RE, 2) (24, 3, 88, 24, -, RE, 1)
    # (24, 5, 96, 40, SE, HS, 2) (40, 5, 240, 40, SE, HS, 1) x 2 (40, 5, 120, 48, SE, HS, 1)
    # (48, 5, 144, 48, SE, HS, 1) (48, 5, 288, 96, SE, HS, 2) (96, 5, 576, 96, SE, HS, 1) x 2;
    # SE has _make_divisible(expanded / 4, 8) channels.
    features = seq(seq(conv2d(3 -> 16, k=3, stride=2, pad=1, bias=0), batchnorm_eval(16, eps=0.001), hardswish),
                   dwse(16, 2, 8),
                   expand(72, 24, 2), expand_res(88),
                   hs(5, 96, 40, 2, 24), repeat(2, hs_res(5, 240, 64)),
                   hs(5, 120, 48, 1, 32), hs_res(5, 144, 40),
                   hs(5, 288, 96, 2, 72), repeat(2, hs_res(5, 576, 144)),
                   seq(conv2d(96 -> 576, k=1, bias=0), batchnorm_eval(576, eps=0.001), hardswish))
    classifier = seq(linear(576 -> 1024), hardswish, identity, linear(1024 -> classes))

    let f: [576, down2(down2(down2(down2(down2(H))))), down2(down2(down2(down2(down2(W)))))] = features(x)
    return classifier(global_avgpool(f))
}

# torchvision: len(list(mobilenet_v3_small().parameters())) == 142 with 2,542,856
# floats; the ABI also holds the 34 batchnorms' running means and variances (68
# tensors, 12,112 floats), which PyTorch keeps as buffers.
assert tensors(mobilenet_v3_small) == 142 + 68
assert params(mobilenet_v3_small) == 2542856 + 12112
