# mul broadcasts only a dimension that is 1: [c, S, S] against [d, 1, 1] needs c = d for all sizes,
# and the error gives a counterexample.
model m(c = 8, d = 8)(x: [c, S, S]) -> [c, S, S] where S >= 1, c >= 1, d >= 1 default S = 2 {
    s = conv2d(c -> d, k=1)
    let g: [d, 1, 1] = avgpool2d(s(x), k=S)
    return mul(x, g)
}
