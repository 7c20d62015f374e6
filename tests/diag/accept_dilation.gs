# Dilated convolutions as DeepLab's and the atrous pyramids write them: a
# 3x3 at dilation 2 with pad 2 keeps the size, dilation=(2, 1) on a k=(3, 2)
# window with asymmetric padding, a depthwise 3x3 at dilation 3; every output
# size proved for all H, W >= 1.
model m(x: [3, H, W]) -> [8, H, W] where H >= 1, W >= 1 default H = 9, W = 8 {
    a = conv2d(3 -> 8, k=3, pad=2, dilation=2)
    b = conv2d(8 -> 8, k=(3, 2), pad=(2, 0, 2, 1), dilation=(2, 1))
    c = conv2d(8 -> 8, k=3, pad=3, dilation=3, groups=8)
    return c(b(a(x)))
}
