# conv_transpose2d is dense: a grouped transposed convolution is refused.
model m(x: [8, H, W]) -> [4, 2 * H, 2 * W] where H >= 1, W >= 1 default H = 5, W = 6 {
    up = conv_transpose2d(8 -> 4, k=2, stride=2, groups=2)
    return up(x)
}
