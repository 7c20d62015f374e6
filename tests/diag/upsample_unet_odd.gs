# A U-Net step on any height: the upsampled half-size map is 2 * ((h - 2) / 2 + 1) high, which is h only
# for even h, so the concat is refused with an odd counterexample.
model m(x: [8, H, W]) -> [16, H, W] where H >= 2, W >= 2 default H = 6, W = 4 {
    let d = maxpool2d(x, k=2, stride=2)
    return concat(x, upsample_bilinear(d, scale=2))
}
