# Transposed convolutions as segmentation and text-detection heads use them
# (PaddleOCR's DB head: conv, batchnorm, relu, then two k=2, stride=2
# upsamplings): a train-time batchnorm and relu applied as the transposed
# convolution reads its input, the k = stride scatter on 20 and 17 channels
# (a channel block and one lane), an overlapping k=3, stride=2, pad=1,
# output_pad=1 window, and a per-axis window with dilation and no bias.
model transposed(in_c = 3, classes = 4)
      (x: [in_c, H, W]) -> [classes]
      where H >= 1, W >= 1
      default H = 6, W = 5 {
    stem = conv2d(in_c -> 20, k=3, pad=1)
    bn = batchnorm(20)
    up1 = conv_transpose2d(20 -> 17, k=2, stride=2)
    up2 = conv_transpose2d(17 -> 8, k=3, stride=2, pad=1, output_pad=1)
    ax = conv_transpose2d(8 -> 6, k=(2, 3), stride=(1, 2), pad=(0, 1, 1, 0), dilation=(2, 1), bias=0)
    fc = linear(6 -> classes)
    let u = relu(up1(relu(bn(stem(x)))))
    return fc(global_avgpool(ax(up2(u))))
}
