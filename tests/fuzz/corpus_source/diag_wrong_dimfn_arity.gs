dim down2(h) = (h - 1) / 2 + 1
model m(c = 3)(x: [c, H, W]) -> [c, down2(H, W), W] where H >= 1, W >= 1 default H = 8, W = 8 {
    return maxpool2d(x, k=3, stride=2, pad=1)
}
