# A real literal that a double cannot hold: one error, at the literal.
model m(x: [3, H, W]) -> [8, H, W] where H >= 3, W >= 3 default H = 8, W = 8 {
    conv = conv2d(3 -> 8, k=1e999, pad=1)
    return conv(x)
}
