model m(n = 99999999999999999999)(x: [n]) -> [n] {
    return relu(x)
}
