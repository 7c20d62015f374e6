model m(x: [1, 2, 3, 4, 5]) -> [1] {
    return relu(x)
}
