model m(c = 3)(x: [c, H, W]) -> [6, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    let p = maxpool2d(x, k=2, stride=2)
    return concat(x, p)
}
