# The elements of a per-axis argument are sizes.
model m(x: [3, H, W]) -> [3, H, W] where H >= 3, W >= 3 default H = 8, W = 8 {
    let p = maxpool2d(x, k=(3, 1.0), pad=(1, 0))
    return p
}
