# maxpool2d's ceil=1: the output count rounds up, (h + 2*pad - k + stride - 1) / stride + 1, proved for all sizes;
# per axis, k=(kh, kw) >= bottom + sh, right + sw.
model m(x: [4, H, W]) -> [4, H / 2, W / 4 + 1] where H >= 3, W >= 3 default H = 8, W = 8 {
    let a = maxpool2d(x, k=3, stride=2, ceil=1)
    let b = maxpool2d(a, k=3, stride=1, pad=1, ceil=1)
    return maxpool2d(b, k=(2, 3), stride=(1, 2), pad=(0, 1, 1, 1), ceil=1)
}
