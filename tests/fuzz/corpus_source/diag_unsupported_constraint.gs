model m(c = 3)(x: [c, H, W]) -> [c, H, W] where H + W >= 2 default H = 8, W = 8 {
    return relu(x)
}
