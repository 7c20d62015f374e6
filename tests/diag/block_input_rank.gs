block b(x: [c, h, w]) -> [c, h, w] {
    return relu(x)
}
model m(n = 4)(x: [n]) -> [n] {
    blk = b
    return blk(x)
}
