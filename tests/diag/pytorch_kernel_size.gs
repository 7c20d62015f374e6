# One PyTorch keyword: "did you mean 'k'?" and the call as written here.
model m(x: [3, H, W]) -> [8, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    conv = conv2d(3 -> 8, kernel_size=3, pad=1)
    return conv(x)
}
