model m(n = 4)(x: [n]) -> [n] {
    let y = relu(x)
}
