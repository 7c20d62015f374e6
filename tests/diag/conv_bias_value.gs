# bias is 0 or 1, written as a literal (it decides the parameter tensors).
model m(x: [4, H, W]) -> [4, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    conv = conv2d(4 -> 4, k=3, pad=1, bias=2)
    return conv(x)
}
