# A grouped convolution in a block: groups=2 does not divide every channel
# count c, and the counterexample says which.
block grouped(x: [c, h, w]) -> [c, h, w] {
    conv = conv2d(c -> c, k=3, pad=1, groups=2)
    return conv(x)
}
model m(c = 4)(x: [c, H, W]) -> [c, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    b = grouped
    return b(x)
}
