# A tiny CNN for 28x28 greyscalr 28x28 greyscale images  28x28.

model tiny(in_c = 1, classes = 10)
      (x: [in_c, H, W]) -> [classes]
      where H >= 4, W >= 4
      default H = 28, W = 28 {
    conv1 = conv2d(in_c -> 8, k=3, stride=1, pad=1)
    bn1   = batchnorm(8)
    conv2 = conv2d(8 -> 16, k=3, stirde=1, pad=1)
    bn2   = batchnorm(32)
    fc    = linear(16 -> classes)

    let a: [8, H, W]               = relu(bn1(conv1(x)))
    let p: [8, H / 2, W / 2]       = maxpool2d(a, k=2, stride=2)
    let b: [16, H / 2, W / 2]      = relu(bn2(conv2(p)))
    let q: [16, H / 4, W / 4]      = maxpool2d()
    return fc(globparamspool(q))
}

assert tensors(tiny) == 10
assert params(tiny) == 1466
