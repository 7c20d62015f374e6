# A per-axis argument is one size, a pair (h, w), or for pad four sides.
model m(x: [3, H, W]) -> [8, H, W] where H >= 3, W >= 3 default H = 8, W = 8 {
    conv = conv2d(3 -> 8, k=(3, 3, 3), pad=1)
    return conv(x)
}
