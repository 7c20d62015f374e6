# maxpool2d(k=2)(x), the arguments before the operand as in PyTorch's
# nn.MaxPool2d(2)(x): written maxpool2d(x, k=2) here.
model m(x: [3, H, W]) -> [3, H / 2, W / 2] where H >= 2, W >= 2 default H = 8, W = 8 {
    return maxpool2d(k=2, stride=2)(x)
}
