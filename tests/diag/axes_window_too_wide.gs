# A 1x5 window on an input as narrow as 1: the width fails, for W < 5.
model m(x: [3, H, W]) -> [8, H, W - 4] where H >= 1, W >= 1 default H = 8, W = 8 {
    conv = conv2d(3 -> 8, k=(1, 5))
    return conv(x)
}
