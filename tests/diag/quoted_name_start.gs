# A quoted layer name starts with a letter or '_', as a name does.
model m(x: [4]) -> [4] {
    "0-fc" = linear(4 -> 4)
    return relu(x)
}
