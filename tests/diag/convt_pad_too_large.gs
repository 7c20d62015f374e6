# Padding cuts cells off both ends of the full output: with k=2, stride=2
# and pad 1 on each side, an input of one row leaves nothing.
model m(x: [8, H, W]) -> [4, 2 * H - 2, 2 * W] where H >= 1, W >= 1 default H = 5, W = 6 {
    up = conv_transpose2d(8 -> 4, k=2, stride=2, pad=(1, 0, 1, 0))
    return up(x)
}
