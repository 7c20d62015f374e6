# upsample and upsample_bilinear: [c, h, w] -> [c, h * sh, w * sw] for every h, w >= 1, the factors constants
# (scale=s or scale=(sh, sw)).
model m(x: [4, H, W]) -> [4, 6 * H, 2 * W] where H >= 1, W >= 1 default H = 5, W = 9 {
    let a = upsample(x, scale=(3, 1))
    let b = upsample_bilinear(a, scale=2)
    return upsample_bilinear(b, scale=(1, 1), align_corners=1) + upsample(upsample(x, scale=(2, 1)), scale=(3, 2))
}
