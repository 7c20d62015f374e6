dim half(h) = h / 2
dim half(h) = (h + 1) / 2
model m(n = 4)(x: [n]) -> [n] {
    return relu(x)
}
