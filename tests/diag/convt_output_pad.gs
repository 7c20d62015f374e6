# output_pad adds cells after the last tap; PyTorch (and ONNX) take it
# below the stride, so that each output cell keeps one meaning.
model m(x: [8, H, W]) -> [4, 2 * H + 1, 2 * W + 1] where H >= 1, W >= 1 default H = 5, W = 6 {
    up = conv_transpose2d(8 -> 4, k=2, stride=2, output_pad=(2, 1))
    return up(x)
}
