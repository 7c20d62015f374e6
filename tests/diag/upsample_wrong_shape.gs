# upsample's output is [c, h * sh, w * sw]: a result claimed to be 2 * h - 1 high is refused for all sizes,
# with a counterexample.
model m(x: [4, H, W]) -> [4, 2 * H - 1, 3 * W] where H >= 1, W >= 1 default H = 5, W = 9 {
    return upsample(x, scale=(2, 3))
}
