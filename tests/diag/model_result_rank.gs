model m(c = 3)(x: [c, H, W]) -> [c] where H >= 1, W >= 1 default H = 4, W = 4 {
    return relu(x)
}
