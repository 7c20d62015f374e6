model m(n = 4)(x: [n]) -> [n] {
    return relu(x)
    let y = relu(x)
}
