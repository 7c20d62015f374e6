# A value computed and never used: a warning, status 0.
model m(x: [16]) -> [16] {
    let a = relu(x)
    let b = softmax(x)
    return a
}
