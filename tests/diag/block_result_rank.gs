block b(x: [c, h, w]) -> [c] {
    return relu(x)
}
model m(c = 3)(x: [c, H, W]) -> [c] where H >= 1, W >= 1 default H = 4, W = 4 {
    blk = b
    return blk(x)
}
