model m(c = 3)(x: [c, H, W]) -> [8, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    conv = conv2d(c -> 8, stride=1, pad=1)
    return conv(x)
}
