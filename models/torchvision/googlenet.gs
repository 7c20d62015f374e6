# torchvision 0.14's googlenet(aux_logits=False, transform_input=False) in
# GraphSpec, with eval-mode semantics: BasicConv2d is a convolution without a
# bias, batchnorm_eval(eps=0.001) and relu; dropout is the identity.
# Parameter names are torchvision's state_dict names (conv1.conv, conv1.bn,
# inception3a.branch1.conv, inception3a.branch2.0.bn, ..., fc).
# Every max-pool is nn.MaxPool2d(..., ceil_mode=True): maxpool2d ceil=1.
# As torchvision, branch3 is a 3x3 convolution (the paper's 5x5).

dim down2(h) = (h - 1) / 2 + 1
dim pool(h) = (h - 2) / 2 + 1

# BasicConv2d with a k x k window, stride 1, pad (k - 1) / 2.
block bconv(co, k)(x: [ci, h, w]) -> [co, h, w] {
    conv = conv2d(ci -> co, k=k, pad=(k - 1) / 2, bias=0)
    bn   = batchnorm_eval(co, eps=0.001)
    return relu(bn(conv(x)))
}

block stem(x: [3, h, w]) -> [64, down2(h), down2(w)] {
    conv = conv2d(3 -> 64, k=7, stride=2, pad=3, bias=0)
    bn   = batchnorm_eval(64, eps=0.001)
    return relu(bn(conv(x)))
}

block inception(c1, c3r, c3, c5r, c5, pp)(x: [ci, h, w]) -> [c1 + c3 + c5 + pp, h, w] {
    branch1 = bconv(c1, 1)
    branch2 = seq(bconv(c3r, 1), bconv(c3, 3))
    branch3 = seq(bconv(c5r, 1), bconv(c5, 3))
    branch4 = seq(maxpool2d(k=3, stride=1, pad=1, ceil=1), bconv(pp, 1))
    return concat(branch1(x), branch2(x), branch3(x), branch4(x))
}

model googlenet(classes = 1000)
      (x: [3, H, W]) -> [classes]
      where H >= 15, W >= 15
      default H = 224, W = 224 {
    conv1       = stem
    conv2       = bconv(64, 1)
    conv3       = bconv(192, 3)
    inception3a = inception(64, 96, 128, 16, 32, 32)
    inception3b = inception(128, 128, 192, 32, 96, 64)
    inception4a = inception(192, 96, 208, 16, 48, 64)
    inception4b = inception(160, 112, 224, 24, 64, 64)
    inception4c = inception(128, 128, 256, 24, 64, 64)
    inception4d = inception(112, 144, 288, 32, 64, 64)
    inception4e = inception(256, 160, 320, 32, 128, 128)
    inception5a = inception(256, 160, 320, 32, 128, 128)
    inception5b = inception(384, 192, 384, 48, 128, 128)
    fc          = linear(1024 -> classes)

    let a = maxpool2d(conv1(x), k=3, stride=2, ceil=1)
    let b = maxpool2d(conv3(conv2(a)), k=3, stride=2, ceil=1)
    let c = maxpool2d(inception3b(inception3a(b)), k=3, stride=2, ceil=1)
    let d = maxpool2d(inception4e(inception4d(inception4c(inception4b(inception4a(c))))), k=2, stride=2, ceil=1)
    return fc(global_avgpool(inception5b(inception5a(d))))
}

# torchvision (aux_logits=False): 173 parameter tensors, 6,624,904 floats; the ABI
# also holds the 57 batchnorms' running means and variances (114 tensors, 2 x 7,280 floats).
assert tensors(googlenet) == 173 + 114
assert params(googlenet) == 6624904 + 14560
