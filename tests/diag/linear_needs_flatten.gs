# linear applied to a [32, 7, 7] map: the shape normalised and at the
# defaults, and the fix (flatten first).
model m(x: [1, H, W]) -> [10] where H >= 1, W >= 1 default H = 28, W = 28 {
    conv1 = conv2d(1 -> 16, k=3, stride=2, pad=1)
    conv2 = conv2d(16 -> 32, k=3, stride=2, pad=1)
    fc    = linear(32 * 7 * 7 -> 10)
    let a = relu(conv2(relu(conv1(x))))
    return fc(a)
}
