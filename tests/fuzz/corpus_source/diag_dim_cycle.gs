dim f(h) = g(h) + 1
dim g(h) = f(h) - 1
model m(n = 4)(x: [n]) -> [f(n)] {
    return relu(x)
}
