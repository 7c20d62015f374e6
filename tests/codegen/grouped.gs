# Grouped, depthwise and bias-free convolutions, as MobileNet, ShuffleNet and
# RegNet use them: a channel multiplier on the model input (fewer than 16
# channels), depthwise before a batchnorm (its statistics), groups of 8
# channels, groups that cross the 16-channel blocks, and bias=0.
model grouped(in_c = 3, classes = 5)
      (x: [in_c, H, W]) -> [classes]
      where H >= 3, W >= 3
      default H = 11, W = 9 {
    mult = conv2d(in_c -> 2 * in_c, k=3, pad=1, groups=in_c)
    stem = conv2d(2 * in_c -> 24, k=3, stride=2, pad=1, bias=0)
    bn0 = batchnorm(24)
    dw1 = conv2d(24 -> 24, k=3, pad=1, groups=24)
    bn1 = batchnorm(24)
    pw1 = conv2d(24 -> 40, k=1, bias=0)
    g2 = conv2d(40 -> 40, k=3, stride=2, pad=1, groups=5)
    dw3 = conv2d(40 -> 40, k=5, pad=2, groups=40, bias=0)
    g4 = conv2d(40 -> 48, k=1, groups=2)
    fc = linear(48 -> classes)
    let a = relu(bn0(stem(mult(x))))
    let b = relu(bn1(dw1(a)))
    let d = relu(g2(pw1(b)))
    let e = dw3(d) + d
    return fc(global_avgpool(g4(e)))
}
