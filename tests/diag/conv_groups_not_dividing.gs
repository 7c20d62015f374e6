# groups must divide cin and cout: 6 input channels do not split into 4 groups.
model m(x: [6, H, W]) -> [8, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    conv = conv2d(6 -> 8, k=3, pad=1, groups=4)
    return conv(x)
}
