# ceil is 0 (round down) or 1 (round up, PyTorch's ceil_mode=True).
model m(x: [4, H, W]) -> [4, (H - 2) / 2 + 1, (W - 2) / 2 + 1] where H >= 3, W >= 3 default H = 8, W = 8 {
    return maxpool2d(x, k=3, stride=2, ceil=2)
}
