block same(x: [c, h, w]) -> [c, h, w] {
    return maxpool2d(x, k=3, stride=2, pad=1)
}
model m(c = 3)(x: [c, H, W]) -> [c, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    s = same
    return s(x)
}
