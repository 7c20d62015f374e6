# A param tensor takes part in broadcasting as any value: [4, 1, 1] does not meet [c, h, w] unless c = 4.
model m(x: [C, H, W]) -> [C, H, W] where C >= 1, H >= 1, W >= 1 default C = 4, H = 8, W = 8 {
    ls = param(4, 1, 1, init=1e-6)
    return mul(x, ls)
}
