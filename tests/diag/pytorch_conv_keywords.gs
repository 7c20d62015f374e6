# PyTorch's keywords get gsc's names (kernel_size is k, padding is pad),
# and the argument they meant counts as given: no "missing argument 'k'".
model m(x: [3, H, W]) -> [8, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    conv = conv2d(3 -> 8, kernel_size=3, stride=1, padding=1)
    return conv(x)
}
