# Forgetting 'let' before applying a layer: 'b = res(a)' declares a layer in
# the grammar, but it computes a value. One error, naming the fix.
block res(x: [c, h, w]) -> [c, h, w] {
    conv = conv2d(c -> c, k=3, pad=1)
    return relu(conv(x) + x)
}

model m(x: [8, H, W]) -> [8, H, W] where H >= 1, W >= 1 default H = 16, W = 16 {
    stem = conv2d(8 -> 8, k=3, pad=1)
    res  = res
    let a = relu(stem(x))
    b = res(a)
    return b
}
