# groups divides cin but not cout.
model m(x: [8, H, W]) -> [6, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    conv = conv2d(8 -> 6, k=1, groups=4)
    return conv(x)
}
