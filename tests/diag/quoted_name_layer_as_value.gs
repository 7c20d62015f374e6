# A quoted name names a layer as an identifier does: used where a tensor is
# expected, it gets the same error.
model m(x: [4]) -> [4] {
    "fc-1" = linear(4 -> 4)
    return relu("fc-1")
}
