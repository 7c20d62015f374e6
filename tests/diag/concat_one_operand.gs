model m(n = 4)(x: [n]) -> [n] {
    return concat(x)
}
