# maxpool2d(x, 2): the kernel size is the keyword k here (PyTorch's
# MaxPool2d(2) takes it by position). One error that says how to write it.
model m(x: [3, H, W]) -> [3, H / 2, W / 2] where H >= 2, W >= 2 default H = 8, W = 8 {
    return maxpool2d(x, 2, stride=2)
}
