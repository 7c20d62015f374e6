# dilation=2 spreads a 3x3 window over 5x5: the padded height must cover 5
# rows, (k - 1)*dilation + 1, not 3; fails for H < 3 with pad=1.
model m(x: [3, H, W]) -> [8, H - 2, W - 2] where H >= 1, W >= 3 default H = 8, W = 8 {
    conv = conv2d(3 -> 8, k=3, pad=1, dilation=2)
    return conv(x)
}
