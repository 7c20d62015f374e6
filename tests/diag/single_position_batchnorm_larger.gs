# args: -D H=16 -D W=16
# At 16x16 the batchnorm sees 4x4 positions: no warning.
model m(x: [3, H, W]) -> [10] where H >= 2, W >= 2 default H = 4, W = 4 {
    conv = conv2d(3 -> 8, k=3, stride=2, pad=1)
    bn   = batchnorm(8)
    fc   = linear(8 -> 10)
    let y = relu(bn(conv(maxpool2d(x, k=2, stride=2))))
    return fc(global_avgpool(y))
}
