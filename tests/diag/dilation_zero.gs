# A dilation of 0 would put every tap on one cell: PyTorch refuses it too.
model m(x: [3, H, W]) -> [8, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    conv = conv2d(3 -> 8, k=3, pad=1, dilation=(1, 0))
    return conv(x)
}
