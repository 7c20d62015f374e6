block b(x: [n]) -> [n] {
    fc = linear(n -> n)
    return fc(x)
}
model m(n = 4)(x: [n]) -> [n] {
    unused = b
    return relu(x)
}
