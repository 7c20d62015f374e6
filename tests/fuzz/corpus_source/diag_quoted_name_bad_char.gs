# A quoted layer name holds letters, digits, '_' and '-' only: a '.' would
# be a path separator in the parameter's name.
model m(x: [4]) -> [4] {
    "fc.0" = linear(4 -> 4)
    return "fc.0"(x)
}
