# args: -Wno-unused-layer
# -Wno-unused-layer silences the warning: nothing is printed, status 0.
model m(x: [16]) -> [10] {
    fc1 = linear(16 -> 10)
    fc2 = linear(16 -> 10)
    return fc1(x)
}
