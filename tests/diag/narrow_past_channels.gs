# narrow takes channels [start, start + length): past the last channel is an error.
model m(x: [10, H, W]) -> [7, H, W] where H >= 1, W >= 1 default H = 2, W = 2 {
    return narrow(x, start=4, length=7)
}
