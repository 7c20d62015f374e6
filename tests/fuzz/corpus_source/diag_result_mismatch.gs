model m(c = 3, classes = 10)(x: [c]) -> [classes] {
    fc = linear(c -> c)
    return fc(x)
}
