# A wrong channel count is reported at the declaration that needs the fix
# (conv2 says 32 input channels, conv1 makes 16), with a note at the use.
model m(x: [3, H, W]) -> [64, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    conv1 = conv2d(3 -> 16, k=3, pad=1)
    conv2 = conv2d(32 -> 64, k=3, pad=1)
    let a = relu(conv1(x))
    return relu(conv2(a))
}
