# A multilayer perceptron with residual adds: each block's input feeds both
# its main path and the skip, and is computed once.
block residual(x: [n]) -> [n] {
    fc1 = linear(n -> n)
    fc2 = linear(n -> n)
    let h = relu(fc1(x))
    return relu(fc2(h) + x)
}

model residual_mlp(in_features = 64, width = 32, classes = 10)
      (x: [in_features]) -> [classes] {
    embed  = linear(in_features -> width)
    blocks = seq(residual, residual, residual)
    head   = linear(width -> classes)
    return softmax(head(blocks(relu(embed(x)))))
}

assert tensors(residual_mlp) == 2 + 3 * 4 + 2
