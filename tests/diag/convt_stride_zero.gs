# A stride of 0 would put every input cell on the same output cells.
model m(x: [8, H, W]) -> [4, H, W] where H >= 1, W >= 1 default H = 5, W = 6 {
    up = conv_transpose2d(8 -> 4, k=1, stride=(0, 1))
    return up(x)
}
