# upsample_bilinear's align_corners is 0 (half-pixel centres) or 1 (corners to corners).
model m(x: [4, 5, 6]) -> [4, 10, 12] {
    return upsample_bilinear(x, scale=2, align_corners=2)
}
