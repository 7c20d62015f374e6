# batchnorm's c is one size: a tuple there is an error.
model m(x: [4, H, W]) -> [4, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    bn = batchnorm((4, 4))
    return bn(x)
}
