# seq(...)(x) applied inline: one error that says how to write it.
model m(x: [3, H, W]) -> [8, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    return seq(conv2d(3 -> 8, k=3, pad=1), relu)(x)
}
