# dilation=(1, 3): a k=(3, 2) window covers 3 rows and 4 columns; the width
# fails for W < 2 with pad=(1, 1).
model m(x: [3, H, W]) -> [8, H, W - 1] where H >= 1, W >= 1 default H = 8, W = 8 {
    conv = conv2d(3 -> 8, k=(3, 2), pad=(1, 1), dilation=(1, 3))
    return conv(x)
}
