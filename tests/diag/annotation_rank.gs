model m(c = 3)(x: [c, H, W]) -> [c, H, W] where H >= 1, W >= 1 default H = 4, W = 4 {
    let y: [c, H] = relu(x)
    return y
}
