model m(n = 4)(x: [n]) -> [n] {
    let a = relu(x,)
    let b = relu(a) )
    return b
}
