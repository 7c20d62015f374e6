model m(c = 3)(x: [c, H, W]) -> [c, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    return maxpool2d(x, k=1, stride=0)
}
