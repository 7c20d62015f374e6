model m(n = 4)(x: [n]) -> [n] {
    fc = linear(n -> n)
    return fc(x)
}
assert tensors(m) == params(m)
