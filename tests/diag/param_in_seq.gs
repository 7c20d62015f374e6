# param(...) takes no tensor: it cannot be chained in seq.
model m(x: [4, H, W]) -> [4, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    s = seq(relu, param(4, 1, 1, init=1.0))
    return s(x)
}
