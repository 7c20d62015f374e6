model m(x: [3, H, W]) -> [8, H / 2, W / 2] where H >= 1, W >= 1, H % 6 == 0, W % 3 == 0 default H = 6, W = 6 {
    conv = conv2d(3 -> 8, k=3, stride=2, pad=1)
    return conv(x)
}
