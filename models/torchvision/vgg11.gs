# torchvision 0.14's vgg11() (configuration "A", no batchnorm) in GraphSpec,
# with eval-mode semantics: the classifier's two nn.Dropout are the identity.
# Parameter names are torchvision's state_dict names (features.0,
# features.3, ..., features.18, classifier.0, classifier.3, classifier.6), so
# a state_dict moves by name:
#   tools/export_torch.py vgg11.pt w.safetensors --model models/torchvision/vgg11.gs
# Inputs of at least 32x32, as torchvision: five 2x2 stride-2 max-pools, the
# last of which needs 2 rows. nn.AdaptiveAvgPool2d((7, 7)) makes the
# classifier's input 512 x 7 x 7 whatever the input size (its windows
# overlap, or repeat rows, when 7 does not divide the features' size).

# A 2x2 stride-2 max-pool's output size, proved for every h >= 2.
dim pool(h) = (h - 2) / 2 + 1

model vgg11(classes = 1000)
      (x: [3, H, W]) -> [classes]
      where H >= 32, W >= 32
      default H = 224, W = 224 {
    # torchvision's flat nn.Sequential: every conv is 3x3 pad 1 with a bias, then a relu
    features   = seq(conv2d(3 -> 64, k=3, pad=1), relu, maxpool2d(k=2, stride=2),
                     conv2d(64 -> 128, k=3, pad=1), relu, maxpool2d(k=2, stride=2),
                     conv2d(128 -> 256, k=3, pad=1), relu, conv2d(256 -> 256, k=3, pad=1), relu,
                     maxpool2d(k=2, stride=2),
                     conv2d(256 -> 512, k=3, pad=1), relu, conv2d(512 -> 512, k=3, pad=1), relu,
                     maxpool2d(k=2, stride=2),
                     conv2d(512 -> 512, k=3, pad=1), relu, conv2d(512 -> 512, k=3, pad=1), relu,
                     maxpool2d(k=2, stride=2))
    classifier = seq(linear(512 * 7 * 7 -> 4096), relu, identity, linear(4096 -> 4096), relu, identity,
                     linear(4096 -> classes))

    let f: [512, pool(pool(pool(pool(pool(H))))), pool(pool(pool(pool(pool(W)))))] = features(x)
    return classifier(flatten(adaptive_avgpool2d(f, size=7)))
}

# torchvision: len(list(vgg11().parameters())) == 22 (8 convolutions, 3
# linears, each a weight and a bias) with 132,863,336 floats; no buffers.
assert tensors(vgg11) == 22
assert params(vgg11) == 132863336
