# An argument conv2d does not have: the reason (padding is with zeros) and
# the arguments it has.
model m(x: [4, H, W]) -> [4, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    conv = conv2d(4 -> 4, k=3, pad=1, padding_mode=1)
    return conv(x)
}
