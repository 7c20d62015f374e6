model m(n = 4)(x: [n]) -> [n] {
    return linear(x, in=4, out=4)
}
