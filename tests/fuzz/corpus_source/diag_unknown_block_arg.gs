block scale(k = 2)(x: [n]) -> [n] {
    return relu(x)
}
model m(n = 4)(x: [n]) -> [n] {
    s = scale(q = 3)
    return s(x)
}
