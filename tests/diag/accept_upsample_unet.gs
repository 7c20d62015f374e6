# A U-Net step: a skip joined with the upsampled half-size map, at an even size (upsample_unet_odd: not
# at every size).
model unet(x: [8, 6, 4]) -> [16, 6, 4] {
    let d = maxpool2d(x, k=2, stride=2)
    return concat(x, upsample_bilinear(d, scale=2))
}
