model m(x: [1, H, W]) -> [2] where H >= 3, W >= 3 default H = 8, W = 8 {
    c = conv2d(1 -> 4, k=3)
    fc = linear(4 * (H - 2) * (W - 2) -> 2)
    return fc(flatten(c(x)))
}
