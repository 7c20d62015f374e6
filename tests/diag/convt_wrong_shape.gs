# A transposed convolution with k=3, stride=2, pad=1 gives 2*H - 1 rows, not
# 2*H (that takes output_pad=1): the checker finds a counterexample.
model m(x: [8, H, W]) -> [4, 2 * H, 2 * W - 1] where H >= 1, W >= 1 default H = 5, W = 6 {
    up = conv_transpose2d(8 -> 4, k=3, stride=2, pad=1)
    return up(x)
}
