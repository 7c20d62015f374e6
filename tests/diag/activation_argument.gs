# An activation has no arguments: the error names the operation and the keyword.
model m(x: [3, H, W]) -> [3, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    return hardswish(x, alpha=3)
}
