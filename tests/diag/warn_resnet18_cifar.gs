# args: -D H=32 -D W=32
# ResNet-18 at the CIFAR size: layer4's five batchnorms see 1x1 maps, so the
# output is the same for every input. One warning names them all.
# ResNet-18 in GraphSpec: the seed model (TorchLean's GraphSpec ResNet-18).
#
# CHW tensors without a batch dimension. Train-time batch normalisation
# (eps 1e-6), every convolution with a bias. The 82 parameter tensors follow
# the seed's ABI order and PyTorch's state_dict names, so weights move by name.

# The canonical stride-2 output size. The stem convolution, the max-pool and
# both paths of every downsampling block are proved to land on it, for every
# input size H, W >= 1.
dim down2(h) = (h - 1) / 2 + 1

# BasicBlock with an identity skip: two 3x3 convolutions, shape unchanged.
block basic(x: [c, h, w]) -> [c, h, w] {
    conv1 = conv2d(c -> c, k=3, stride=1, pad=1)
    bn1   = batchnorm(c)
    conv2 = conv2d(c -> c, k=3, stride=1, pad=1)
    bn2   = batchnorm(c)
    let y = relu(bn1(conv1(x)))
    return relu(bn2(conv2(y)) + x)
}

# First block of stages 2-4: stride-2 main path and a 1x1 stride-2
# projection on the skip. Both paths must give [co, down2(h), down2(w)].
block down(co)(x: [ci, h, w]) -> [co, down2(h), down2(w)] {
    conv1      = conv2d(ci -> co, k=3, stride=2, pad=1)
    bn1        = batchnorm(co)
    conv2      = conv2d(co -> co, k=3, stride=1, pad=1)
    bn2        = batchnorm(co)
    downsample = seq(conv2d(ci -> co, k=1, stride=2, pad=0), batchnorm(co))
    let y: [co, down2(h), down2(w)] = relu(bn1(conv1(x)))
    let skip: [co, down2(h), down2(w)] = downsample(x)
    return relu(bn2(conv2(y)) + skip)
}

model resnet18(in_c = 3, classes = 1000)
      (x: [in_c, H, W]) -> [classes]
      where H >= 1, W >= 1
      default H = 224, W = 224 {
    conv1  = conv2d(in_c -> 64, k=7, stride=2, pad=3)
    bn1    = batchnorm(64)
    layer1 = seq(basic, basic)
    layer2 = seq(down(128), basic)
    layer3 = seq(down(256), basic)
    layer4 = seq(down(512), basic)
    fc     = linear(512 -> classes)

    let stem: [64, down2(H), down2(W)] = relu(bn1(conv1(x)))
    let pool: [64, down2(down2(H)), down2(down2(W))] = maxpool2d(stem, k=3, stride=2, pad=1)
    let f: [512, down2(down2(down2(down2(down2(H))))), down2(down2(down2(down2(down2(W)))))] =
        layer4(layer3(layer2(layer1(pool))))
    return fc(global_avgpool(f))
}

# The seed's theorem: the parameter ABI has exactly 82 tensors.
assert tensors(resnet18) == 82
assert params(resnet18) == 11694312
