# clip with one bound: the other is float32's largest value (ONNX Clip's default).
model m(x: [3, H, W]) -> [3, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    let y = clip(x, min=-0.4)
    return clip(y, max=0.5)
}
