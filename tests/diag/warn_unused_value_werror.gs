# args: -Werror
# -Werror: the unused value is an error, status 1.
model m(x: [16]) -> [16] {
    let a = relu(x)
    let b = softmax(x)
    return a
}
