# A param layer is a value: its name is used, it is not applied to a tensor.
model m(x: [4, H, W]) -> [4, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    ls = param(4, 1, 1, init=1e-6)
    return ls(x)
}
