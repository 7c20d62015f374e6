model m(c = 3, classes = 10)(x: [c, H, W]) -> [classes] where H >= 1, W >= 1 default H = 4, W = 4 {
    fc = linear(c * ((H * W + H) / (W + 1)) * W -> classes)
    return fc(flatten(x))
}
