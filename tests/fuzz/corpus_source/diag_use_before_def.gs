model m(n = 4)(x: [n]) -> [n] {
    let a = relu(b)
    let b = relu(x)
    return a
}
