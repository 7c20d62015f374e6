# args: -Wno-unused-value
# -Wno-unused-value silences the warning: nothing is printed, status 0.
model m(x: [16]) -> [16] {
    let a = relu(x)
    let b = softmax(x)
    return a
}
