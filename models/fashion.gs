# A small CNN for Fashion-MNIST (28x28 greyscale images of clothes, 10
# classes): the model `make train` trains from the seed's initialiser. Two
# 3x3 convolutions with batchnorm, ReLU and 2x2 max-pools, then a linear head.
model fashion(in_c = 1, classes = 10)
      (x: [in_c, H, W]) -> [classes]
      where H >= 4, W >= 4
      default H = 28, W = 28 {
    conv1 = conv2d(in_c -> 8, k=3, stride=1, pad=1)
    bn1   = batchnorm(8)
    conv2 = conv2d(8 -> 16, k=3, stride=1, pad=1)
    bn2   = batchnorm(16)
    fc    = linear(16 * (H / 4) * (W / 4) -> classes)

    let a: [8, H / 2, W / 2]  = maxpool2d(relu(bn1(conv1(x))), k=2, stride=2)
    let b: [16, H / 4, W / 4] = maxpool2d(relu(bn2(conv2(a))), k=2, stride=2)
    return fc(flatten(b))
}

assert tensors(fashion) == 10
