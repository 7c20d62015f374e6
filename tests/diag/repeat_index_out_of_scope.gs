# The index of a repeat is a size inside its layer only.
block grow(cin)(x: [cin, h, w]) -> [cin + 4, h, w] {
    conv = conv2d(cin -> 4, k=1)
    return concat(x, conv(x))
}
model m(x: [8, H, W]) -> [20, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    stage = repeat(3, i -> grow(8 + 4 * i))
    head = conv2d(20 -> 20 + i, k=1)
    return head(stage(x))
}
