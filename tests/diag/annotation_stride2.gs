# One wrong annotation is one error: both failing dimensions as notes,
# which do not repeat the source line they point at.
model m(x: [3, H, W]) -> [8, H, W] where H >= 1, W >= 1 default H = 32, W = 32 {
    conv = conv2d(3 -> 8, k=3, stride=2, pad=1)
    let y: [8, H, W] = conv(x)
    return y
}
