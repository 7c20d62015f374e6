# Transposed convolutions as segmentation and detection heads write them
# (PyTorch's ConvTranspose2d): the k=2, stride=2 upsampling that doubles each
# side, k=3, stride=2, pad=1, output_pad=1 (the same doubling with overlap),
# per-axis windows with padding per side and dilation, and no bias; every
# output size proved for all H, W >= 1.
dim up2(h) = 2 * h

model m(x: [8, H, W]) -> [4, up2(up2(H)) + 1, 4 * W - 1] where H >= 1, W >= 1 default H = 5, W = 6 {
    up = conv_transpose2d(8 -> 16, k=2, stride=2)
    ov = conv_transpose2d(16 -> 8, k=3, stride=2, pad=1, output_pad=1, bias=0)
    ax = conv_transpose2d(8 -> 4, k=(3, 2), stride=(1, 1), pad=(0, 1, 1, 2), output_pad=(0, 0), dilation=(1, 2))
    let a: [16, up2(H), up2(W)] = up(x)
    return ax(ov(a))
}
