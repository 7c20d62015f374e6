# count_pad=0 divides by the window's cells inside the input: with pad=2 a
# 2x2 window at the corner holds none (PyTorch refuses pad > k / 2 too).
model m(x: [3, H, W]) -> [3, H + 3, W + 3] where H >= 1, W >= 1 default H = 8, W = 8 {
    return avgpool2d(x, k=2, pad=2, count_pad=0)
}
