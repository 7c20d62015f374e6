model m(n = 4)(x: [n]) -> [n] {
    let relu = add(x, x)
    return relu
}
