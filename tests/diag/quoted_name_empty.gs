model m(x: [4]) -> [4] {
    "" = linear(4 -> 4)
    return relu(x)
}
