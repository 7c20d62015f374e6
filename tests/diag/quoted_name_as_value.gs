# A quoted name is a layer's name: a value (a let or an input) is not
# quoted, so "x-1" is neither a name nor x - 1 here.
model m(x: [4]) -> [4] {
    let y = relu("x-1")
    return y
}
