model m(x: [3, H, W]) -> [8, H / 2, W / 2] where H >= 1, W >= 1, H % 32 == 0, W % 2 == 0 default H = 65, W = 48 {
    conv = conv2d(3 -> 8, k=3, stride=2, pad=1)
    return conv(x)
}
