# torchvision 0.14's efficientnet_b0() in GraphSpec, with trained-model (eval-mode)
# semantics: batchnorm_eval (running statistics, eps 1e-5 as torchvision's B0),
# convolutions without a bias but for the squeeze-and-excitation ones, SiLU, and
# stochastic depth and the classifier's dropout as identity. Parameter names are
# torchvision's state_dict names: features.0 is the stem's Conv2dNormActivation,
# features.1 to features.7 the stages (each an nn.Sequential of MBConv, whose own
# nn.Sequential is .block: Conv2dNormActivation members and a SqueezeExcitation
# with fc1, fc2), features.8 the last 1x1 Conv2dNormActivation, classifier.1 the
# Linear (classifier.0 is the dropout). A state_dict moves by name:
#   tools/export_torch.py efficientnet_b0.pt w.safetensors --model models/torchvision/efficientnet_b0.gs
# Any input of at least 1x1 is accepted, as torchvision's adaptive pooling does.

# The output size of a k x k convolution with padding (k - 1) / 2 and stride s,
# for an odd k (3 or 5 here).
dim out(h, s) = (h - 1) / s + 1
dim down2(h) = out(h, 2)

# SqueezeExcitation(c, sq) with SiLU and Sigmoid: AdaptiveAvgPool2d(1) as
# adaptive_avgpool2d(x, size=1), [c, 1, 1] for any h, w; fc1 and fc2 1x1
# convolutions with biases; the gate multiplies every pixel of x.
block se(sq)(x: [c, h, w]) -> [c, h, w] {
    fc1 = conv2d(c -> sq, k=1)
    fc2 = conv2d(sq -> c, k=1)
    return mul(x, sigmoid(fc2(silu(fc1(adaptive_avgpool2d(x, size=1))))))
}

# MBConv with expand ratio 1 (features.1.0): the 3x3 depthwise convolution
# (block.0), SE with ci / 4 channels (block.1), the linear 1x1 projection
# (block.2); no skip (32 channels in, 16 out).
block mbconv1(co)(x: [ci, h, w]) -> [co, h, w] {
    block = seq(seq(conv2d(ci -> ci, k=3, pad=1, groups=ci, bias=0), batchnorm_eval(ci), silu),
                se(ci / 4),
                seq(conv2d(ci -> co, k=1, bias=0), batchnorm_eval(co)))
    return block(x)
}

# MBConv with expand ratio t, the first of a stage: 1x1 expansion to t * ci
# channels (block.0), the k x k depthwise convolution with stride s (block.1), SE
# with ci / 4 channels (block.2), the projection (block.3); no skip.
block mbconv(k, s, co, t = 6)(x: [ci, h, w]) -> [co, out(h, s), out(w, s)] {
    block = seq(seq(conv2d(ci -> t * ci, k=1, bias=0), batchnorm_eval(t * ci), silu),
                seq(conv2d(t * ci -> t * ci, k=k, stride=s, pad=(k - 1) / 2, groups=t * ci, bias=0),
                    batchnorm_eval(t * ci), silu),
                se(ci / 4),
                seq(conv2d(t * ci -> co, k=1, bias=0), batchnorm_eval(co)))
    return block(x)
}

# The later MBConvs of a stage: stride 1, as many channels out as in, the same
# layers and the skip x + block(x) (stochastic depth is the identity in eval mode).
block mbconv_res(k, t = 6)(x: [c, h, w]) -> [c, h, w] {
    block = seq(seq(conv2d(c -> t * c, k=1, bias=0), batchnorm_eval(t * c), silu),
                seq(conv2d(t * c -> t * c, k=k, pad=(k - 1) / 2, groups=t * c, bias=0), batchnorm_eval(t * c), silu),
                se(c / 4),
                seq(conv2d(t * c -> c, k=1, bias=0), batchnorm_eval(c)))
    return x + block(x)
}

model efficientnet_b0(classes = 1000)
      (x: [3, H, W]) -> [classes]
      where H >= 1, W >= 1
      default H = 224, W = 224 {
    # MBConvConfig (expand ratio, kernel, stride, in, out, layers): (1, 3, 1, 32, 16, 1)
    # (6, 3, 2, 16, 24, 2) (6, 5, 2, 24, 40, 2) (6, 3, 2, 40, 80, 3) (6, 5, 1, 80, 112, 3)
    # (6, 5, 2, 112, 192, 4) (6, 3, 1, 192, 320, 1); each stage is its own nn.Sequential.
    features = seq(seq(conv2d(3 -> 32, k=3, stride=2, pad=1, bias=0), batchnorm_eval(32), silu),
                   seq(mbconv1(16)),
                   seq(mbconv(3, 2, 24), mbconv_res(3)),
                   seq(mbconv(5, 2, 40), mbconv_res(5)),
                   seq(mbconv(3, 2, 80), repeat(2, mbconv_res(3))),
                   seq(mbconv(5, 1, 112), repeat(2, mbconv_res(5))),
                   seq(mbconv(5, 2, 192), repeat(3, mbconv_res(5))),
                   seq(mbconv(3, 1, 320)),
                   seq(conv2d(320 -> 1280, k=1, bias=0), batchnorm_eval(1280), silu))
    classifier = seq(identity, linear(1280 -> classes))

    let f: [1280, down2(down2(down2(down2(down2(H))))), down2(down2(down2(down2(down2(W)))))] = features(x)
    return classifier(global_avgpool(f))
}

# torchvision: len(list(efficientnet_b0().parameters())) == 213 with 5,288,548
# floats; the ABI also holds the 49 batchnorms' running means and variances (98
# tensors, 42,016 floats), which PyTorch keeps as buffers.
assert tensors(efficientnet_b0) == 213 + 98
assert params(efficientnet_b0) == 5288548 + 42016
