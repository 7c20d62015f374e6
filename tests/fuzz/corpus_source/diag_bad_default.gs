model m(c = 3)(x: [c, H, W]) -> [c, H, W] where H >= 1 default H = 8, Q = 8 {
    return relu(x)
}
