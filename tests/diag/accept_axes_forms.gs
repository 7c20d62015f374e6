# Per-axis forms: a factorised 7x7, asymmetric padding, per-axis strides; every
# output size proved for all H, W >= 2.
model m(x: [3, H, W]) -> [8, (H + 1) / 2, (W + 1) / 2] where H >= 2, W >= 2 default H = 9, W = 8 {
    a = conv2d(3 -> 8, k=(1, 7), pad=(0, 3))
    b = conv2d(8 -> 8, k=(7, 1), pad=(3, 0))
    let p = maxpool2d(b(a(x)), k=2, stride=2, pad=(0, 0, 1, 1))
    c = conv2d(8 -> 8, k=(3, 1), stride=(1, 1), pad=(1, 0, 1, 0))
    let q = avgpool2d(c(p), k=(1, 3), stride=(1, 1), pad=(0, 1))
    return q
}
