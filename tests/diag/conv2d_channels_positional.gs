# PyTorch's Conv2d(in, out, k) order: the channels are one argument here,
# 'ci -> co'. One error; no "missing argument 'k'" while k=3 is there.
dim down2(h) = (h - 1) / 2 + 1

block down(co)(x: [ci, h, w]) -> [co, down2(h), down2(w)] {
    conv1 = conv2d(ci, co, k=3, stride=2, pad=1)
    bn1   = batchnorm(co)
    return relu(bn1(conv1(x)))
}

model m(x: [3, H, W]) -> [16, down2(H), down2(W)] where H >= 1, W >= 1 default H = 32, W = 32 {
    d = down(16)
    return d(x)
}
