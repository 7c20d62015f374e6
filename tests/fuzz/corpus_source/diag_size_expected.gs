model m(n = 4)(x: [n]) -> [x] {
    return relu(x)
}
