# A statement that starts with an integer: one error, each expected token
# listed once, and the rest of the line skipped (no errors at ',' and ')').
model m(x: [3, H, W]) -> [3, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    0 = conv2d(3 -> 8, k=3, pad=1)
    return x
}
