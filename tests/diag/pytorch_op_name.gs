# PyTorch's name of an operation: BatchNorm2d is batchnorm here.
model m(x: [3, H, W]) -> [3, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    bn = BatchNorm2d(3)
    return bn(x)
}
