# The index of a repeat needs a name of its own.
block grow(cin)(x: [cin, h, w]) -> [cin + 4, h, w] {
    conv = conv2d(cin -> 4, k=1)
    return concat(x, conv(x))
}
model m(c = 8)(x: [c, H, W]) -> [c + 12, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    stage = repeat(3, c -> grow(8 + 4 * c))
    return stage(x)
}
