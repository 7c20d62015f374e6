block b(x: [n]) -> [n] {
    return relu(x)
}
model m(n = 4)(x: [n]) -> [n] {
    return b(x)
}
