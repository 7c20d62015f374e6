model m(c = 3)(x: [c, H, W]) -> [c, H, W] where H >= 1, W >= 1 default H = 8, W = H {
    return relu(x)
}
