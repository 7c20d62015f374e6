# param's initial value is written: init=, a real number.
model m(x: [4, H, W]) -> [4, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    ls = param(4, 1, 1)
    return mul(x, ls)
}
