# PyTorch's F.interpolate is upsample (nearest) or upsample_bilinear in GraphSpec.
model m(x: [4, 5, 6]) -> [4, 10, 12] {
    return interpolate(x, scale=2)
}
