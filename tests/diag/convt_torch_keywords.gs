# PyTorch's keywords: output_padding is written output_pad here.
model m(x: [8, H, W]) -> [4, 2 * H, 2 * W] where H >= 1, W >= 1 default H = 5, W = 6 {
    up = conv_transpose2d(8 -> 4, k=3, stride=2, padding=1, output_padding=1)
    return up(x)
}
