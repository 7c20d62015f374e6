# avgpool2d's ceil=1 (PyTorch's ceil_mode=True) and count_pad=0
# (count_include_pad=False), alone and together, per axis; every output size
# proved for all H, W >= 2.
model m(x: [3, H, W]) -> [3, (H + 2) / 4 + 1, W / 2] where H >= 2, W >= 2 default H = 9, W = 8 {
    let a = avgpool2d(x, k=3, stride=1, pad=1, count_pad=0)
    let b = avgpool2d(a, k=3, stride=2, pad=1, ceil=1)
    let c = avgpool2d(b, k=(3, 2), stride=(2, 1), pad=(1, 0), ceil=1, count_pad=0)
    return c
}
