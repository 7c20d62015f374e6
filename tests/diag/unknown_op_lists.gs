# An operation gsc does not have and no name is close to: the operations
# that exist are listed.
model m(x: [3, H, W]) -> [3, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    let y = mish(x)
    return y
}
