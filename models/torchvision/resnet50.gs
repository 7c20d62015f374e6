# torchvision 0.14's resnet50() in GraphSpec, with trained-model (eval-mode)
# semantics: batchnorm_eval (running statistics, eps 1e-5) and convolutions
# without a bias, as torchvision builds them. Torchvision's Bottleneck is
# ResNet V1.5: the stride of a downsampling block is on its 3x3 convolution
# (conv2), not on the first 1x1. Parameter names are torchvision's state_dict
# names (conv1, bn1, layer1.0.conv1, ..., layer1.0.downsample.0, ..., fc), so a
# state_dict moves by name:
#   tools/export_torch.py resnet50.pt w.safetensors --model models/torchvision/resnet50.gs
# Any input of at least 1x1 is accepted, as torchvision's adaptive pooling does.

# The output size of a 3x3 convolution with padding 1, and of a 1x1 one without
# padding, at stride s.
dim out(h, s) = (h - 1) / s + 1
dim down2(h) = out(h, 2)

# Bottleneck with an identity skip: 4 * planes channels in and out, width planes.
block bottleneck(planes)(x: [4 * planes, h, w]) -> [4 * planes, h, w] {
    conv1 = conv2d(4 * planes -> planes, k=1, bias=0)
    bn1   = batchnorm_eval(planes)
    conv2 = conv2d(planes -> planes, k=3, pad=1, bias=0)
    bn2   = batchnorm_eval(planes)
    conv3 = conv2d(planes -> 4 * planes, k=1, bias=0)
    bn3   = batchnorm_eval(4 * planes)
    let y = relu(bn2(conv2(relu(bn1(conv1(x))))))
    return relu(bn3(conv3(y)) + x)
}

# Bottleneck that opens a stage: stride s on conv2, and the 1x1 projection
# downsample (conv1x1 with stride s, batchnorm) on the skip.
block down(planes, s)(x: [ci, h, w]) -> [4 * planes, out(h, s), out(w, s)] {
    conv1      = conv2d(ci -> planes, k=1, bias=0)
    bn1        = batchnorm_eval(planes)
    conv2      = conv2d(planes -> planes, k=3, stride=s, pad=1, bias=0)
    bn2        = batchnorm_eval(planes)
    conv3      = conv2d(planes -> 4 * planes, k=1, bias=0)
    bn3        = batchnorm_eval(4 * planes)
    downsample = seq(conv2d(ci -> 4 * planes, k=1, stride=s, bias=0), batchnorm_eval(4 * planes))
    let y = relu(bn2(conv2(relu(bn1(conv1(x))))))
    return relu(bn3(conv3(y)) + downsample(x))
}

model resnet50(classes = 1000)
      (x: [3, H, W]) -> [classes]
      where H >= 1, W >= 1
      default H = 224, W = 224 {
    conv1  = conv2d(3 -> 64, k=7, stride=2, pad=3, bias=0)
    bn1    = batchnorm_eval(64)
    layer1 = seq(down(64, 1), repeat(2, bottleneck(64)))
    layer2 = seq(down(128, 2), repeat(3, bottleneck(128)))
    layer3 = seq(down(256, 2), repeat(5, bottleneck(256)))
    layer4 = seq(down(512, 2), repeat(2, bottleneck(512)))
    fc     = linear(2048 -> classes)

    let stem = maxpool2d(relu(bn1(conv1(x))), k=3, stride=2, pad=1)
    let f: [2048, down2(down2(down2(down2(down2(H))))), down2(down2(down2(down2(down2(W)))))] =
        layer4(layer3(layer2(layer1(stem))))
    return fc(global_avgpool(f))
}

# torchvision: len(list(resnet50().parameters())) == 161 with 25,557,032 floats;
# the ABI also holds the 53 batchnorms' running means and variances (106 tensors,
# 53,120 floats), which PyTorch keeps as buffers.
assert tensors(resnet50) == 161 + 106
assert params(resnet50) == 25557032 + 53120
