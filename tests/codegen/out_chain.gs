# The operations a convolution does as it stores its result
# (gsc_fast_conv2d_out): an inference-form batchnorm, an activation (relu6,
# and hardsigmoid, sigmoid whose act(0) is not 0, on 20 and 40 channels:
# partial channel blocks), a residual addition of a value computed before the
# convolution, with an activation after it (ResNet) or without (MobileNet),
# depthwise 3x3 at stride 1 and 2 and 5x5 at stride 2 (each reading its
# input in place, no padded copy); and an addition whose other operand is computed
# after the convolution (the convolution does its batchnorm, the addition its
# own pass), the other a conv with a bias and an activation only.
model out_chain(in_c = 3, classes = 5)
      (x: [in_c, H, W]) -> [classes]
      where H >= 1, W >= 1
      default H = 13, W = 10 {
    stem = conv2d(in_c -> 20, k=3, stride=2, pad=1, bias=0)
    bn0 = batchnorm_eval(20)
    ex = conv2d(20 -> 40, k=1, bias=0)
    bn1 = batchnorm_eval(40)
    dw = conv2d(40 -> 40, k=3, pad=1, groups=40, bias=0)
    bn2 = batchnorm_eval(40)
    pj = conv2d(40 -> 20, k=1, bias=0)
    bn3 = batchnorm_eval(20)
    dw2 = conv2d(20 -> 20, k=3, stride=2, pad=1, groups=20, bias=0)
    bn4 = batchnorm_eval(20)
    dw5 = conv2d(20 -> 20, k=5, stride=2, pad=2, groups=20, bias=0)
    bn6 = batchnorm_eval(20)
    c5 = conv2d(20 -> 20, k=3, pad=1)
    bn5 = batchnorm_eval(20)
    c6 = conv2d(20 -> 20, k=1)
    c7 = conv2d(20 -> 20, k=1, bias=0)
    bn7 = batchnorm_eval(20)
    fc = linear(20 -> classes)
    let a = relu6(bn0(stem(x)))
    let b = a + bn3(pj(hardsigmoid(bn2(dw(relu6(bn1(ex(a))))))))
    let c = sigmoid(bn4(dw2(b)))
    let c2 = relu6(bn6(dw5(c)))
    let d = relu(bn5(c5(c2)) + c2)
    let f = bn7(c7(d)) + relu(c6(d))
    return fc(global_avgpool(f))
}
