# With ceil=1 the height must reach the window with stride - 1 to spare: H = 1 does not, for k=3, stride=2.
model m(x: [4, H, W]) -> [4, (H - 1) / 2 + 1, (W - 1) / 2 + 1] where H >= 1, W >= 2 default H = 8, W = 8 {
    return maxpool2d(x, k=3, stride=2, ceil=1)
}
