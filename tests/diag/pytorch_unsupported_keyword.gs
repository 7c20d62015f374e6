# PyTorch's bias=False: a yes/no argument is written 0 or 1.
model m(x: [3, H, W]) -> [8, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    conv = conv2d(3 -> 8, k=3, pad=1, bias=False)
    return conv(x)
}
