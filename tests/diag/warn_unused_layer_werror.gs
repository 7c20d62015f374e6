# args: -Werror
# -Werror: the unused layer is an error, status 1.
model m(x: [16]) -> [10] {
    fc1 = linear(16 -> 10)
    fc2 = linear(16 -> 10)
    return fc1(x)
}
