# Declaring a layer as another quoted layer: the hint spells the name with its
# quotes.
model m(x: [4]) -> [4] {
    "fc-1" = linear(4 -> 4)
    fc2 = "fc-1"
    return fc2(x)
}
