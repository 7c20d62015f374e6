# adaptive_avgpool2d: [c, h, w] -> [c, oh, ow] for any h, w >= 1 (PyTorch's adaptive_avg_pool2d), size=n or
# size=(oh, ow); size=1 gives the [c, 1, 1] of a squeeze-and-excitation gate, which mul broadcasts.
model m(x: [4, H, W]) -> [4, 7, 7] where H >= 1, W >= 1 default H = 5, W = 9 {
    let a = adaptive_avgpool2d(x, size=(3, 5))
    let g = sigmoid(adaptive_avgpool2d(x, size=1))
    return adaptive_avgpool2d(mul(x, g), size=7) + adaptive_avgpool2d(a, size=7)
}
