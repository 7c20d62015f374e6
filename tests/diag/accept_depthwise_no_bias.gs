# Depthwise (groups = channels in a block), grouped and bias-free
# convolutions are accepted for every channel count the block is used with.
block dwsep(co)(x: [c, h, w]) -> [co, h, w] {
    dw = conv2d(c -> c, k=3, pad=1, groups=c, bias=0)
    pw = conv2d(c -> co, k=1, bias=0)
    return pw(relu(dw(x)))
}
model m(c = 8)(x: [4 * c, H, W]) -> [4 * c, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    a = dwsep(4 * c)
    g = conv2d(4 * c -> 4 * c, k=1, groups=4)
    return g(a(x))
}
assert tensors(m) == 4
assert params(m) == 32 * 9 + 32 * 32 + 32 * 8 + 32
