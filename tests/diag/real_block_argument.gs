# Block parameters are integers.
block scaled(c)(x: [c, h, w]) -> [c, h, w] {
    return relu(x)
}
model m(x: [4, H, W]) -> [4, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    s = scaled(0.5)
    return s(x)
}
