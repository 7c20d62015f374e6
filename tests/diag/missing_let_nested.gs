# 'y = relu(conv(x))' where 'let y = ...' was meant: one error, not also
# "too many arguments to 'relu'" or a warning that 'conv' is never applied.
model m(x: [3, H, W]) -> [8, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    conv = conv2d(3 -> 8, k=3, pad=1)
    y = relu(conv(x))
    return y
}
