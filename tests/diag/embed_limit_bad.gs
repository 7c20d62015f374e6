# args: --embed-limit=64MB
# --embed-limit takes bytes, or K, M or G (KiB, MiB, GiB): not 64MB. A usage error, status 2.
# A small convolutional network: two convolutions and a linear head.
# The head's input size is a product of symbols, c * h * w after flatten;
# the checker proves it equal to the size the linear layer is declared with.
dim down2(h) = (h - 1) / 2 + 1

model cnn(in_c = 1, classes = 10)
      (x: [in_c, H, W]) -> [classes]
      where H >= 1, W >= 1
      default H = 28, W = 28 {
    conv1 = conv2d(in_c -> 8, k=3, stride=1, pad=1)
    bn1   = batchnorm(8)
    conv2 = conv2d(8 -> 16, k=3, stride=2, pad=1)
    fc    = linear(16 * down2(H) * down2(W) -> classes)

    let a: [8, H, W] = relu(bn1(conv1(x)))
    let b: [16, down2(H), down2(W)] = relu(conv2(a))
    return fc(flatten(b))
}

assert tensors(cnn) == 8
