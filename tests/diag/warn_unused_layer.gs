# A layer declared and never applied: a warning (its parameters still take
# their place in the ABI), with the source line and a caret; status 0.
model m(x: [16]) -> [10] {
    fc1 = linear(16 -> 10)
    fc2 = linear(16 -> 10)
    return fc1(x)
}
