# groups=0 is not a grouping.
model m(x: [4, H, W]) -> [4, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    conv = conv2d(4 -> 4, k=3, pad=1, groups=0)
    return conv(x)
}
