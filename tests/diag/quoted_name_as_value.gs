# A quoted name is a name, never a subtraction: "x-1" is not x - 1, and no
# value (a let or an input) has that name; only layers are named with quotes.
model m(x: [4]) -> [4] {
    let y = relu("x-1")
    return y
}
