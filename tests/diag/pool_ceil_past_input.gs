# With ceil=1 a last window could start in the bottom padding (PyTorch drops it): refused, k >= pad + stride.
model m(x: [4, H, W]) -> [4, H / 2 + 1, W / 2 + 1] where H >= 1, W >= 1 default H = 8, W = 8 {
    return maxpool2d(x, k=2, stride=2, pad=1, ceil=1)
}
