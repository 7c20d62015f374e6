# Per-axis and asymmetric windows, as Inception and TensorFlow or ONNX
# exports write them: an even kernel with TensorFlow's SAME padding
# (pad=(0, 1, 1, 2)) and stride=(2, 1) on the model input, the factorised
# 7x7 of Inception (k=(1, 7) then k=(7, 1), a batchnorm's statistics from the
# second), a ceil-mode max-pool of different sides, a depthwise k=(3, 5)
# window, a 3x3 convolution with stride=(1, 2) (never Winograd) and an
# asymmetric average pool.
model windows(in_c = 3, classes = 5)
      (x: [in_c, H, W]) -> [classes]
      where H >= 2, W >= 5
      default H = 12, W = 10 {
    stem = conv2d(in_c -> 20, k=(2, 4), stride=(2, 1), pad=(0, 1, 1, 2))
    bn0 = batchnorm(20)
    a = conv2d(20 -> 18, k=(1, 7), pad=(0, 3))
    b = conv2d(18 -> 18, k=(7, 1), pad=(3, 0), bias=0)
    bn1 = batchnorm(18)
    dw = conv2d(18 -> 18, k=(3, 5), stride=(1, 2), pad=(1, 2, 1, 2), groups=18)
    sq = conv2d(18 -> 24, k=3, pad=1)
    st = conv2d(24 -> 24, k=3, stride=(1, 2), pad=1, groups=4)
    fc = linear(24 -> classes)
    let s = relu(bn0(stem(x)))
    let t = relu(bn1(b(a(s))))
    let u = maxpool2d(t, k=(3, 2), stride=(2, 1), pad=(1, 0, 1, 1), ceil=1)
    let v = relu(sq(dw(u)))
    let w = avgpool2d(st(v), k=(2, 3), stride=(1, 2), pad=(0, 1, 1, 0))
    return fc(global_avgpool(w))
}
