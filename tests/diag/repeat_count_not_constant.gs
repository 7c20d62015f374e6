# repeat's count is a constant: the number of layers is fixed before sizes are known.
block unit(x: [c, h, w]) -> [c, h, w] {
    conv = conv2d(c -> c, k=3, pad=1)
    return relu(conv(x))
}
model m(n = 2)(x: [4, H, W]) -> [4, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    stage = repeat(n, unit)
    return stage(x)
}
