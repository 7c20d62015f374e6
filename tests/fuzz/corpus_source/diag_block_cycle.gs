block a(x: [n]) -> [n] {
    inner = a
    return inner(x)
}
model m(n = 4)(x: [n]) -> [n] {
    blk = a
    return blk(x)
}
