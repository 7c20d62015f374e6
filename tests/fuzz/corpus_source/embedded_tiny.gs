# A tiny CNN for 28x28 greyscale images (MNIST-sized), small enough to compile
# its weights into flash: 2 convolutions with batchnorm, two 2x2 max-pools,
# global average pooling and a linear head. 1,466 floats (about 5.7 KB).
#
# Every shape fact is proved for every H, W >= 4 (the smallest size for which
# both 2x2 pools still have a full window), not just for 28x28.

model tiny(in_c = 1, classes = 10)
      (x: [in_c, H, W]) -> [classes]
      where H >= 4, W >= 4
      default H = 28, W = 28 {
    conv1 = conv2d(in_c -> 8, k=3, stride=1, pad=1)
    bn1   = batchnorm(8)
    conv2 = conv2d(8 -> 16, k=3, stride=1, pad=1)
    bn2   = batchnorm(16)
    fc    = linear(16 -> classes)

    let a: [8, H, W]               = relu(bn1(conv1(x)))
    let p: [8, H / 2, W / 2]       = maxpool2d(a, k=2, stride=2)
    let b: [16, H / 2, W / 2]      = relu(bn2(conv2(p)))
    let q: [16, H / 4, W / 4]      = maxpool2d(b, k=2, stride=2)
    return fc(global_avgpool(q))
}

assert tensors(tiny) == 10
assert params(tiny) == 1466
