# The closing quote is missing: the name ends at the end of the line.
model m(x: [4]) -> [4] {
    "block1-0 = linear(4 -> 4)
    return relu(x)
}
