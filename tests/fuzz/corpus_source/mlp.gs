# A two-layer perceptron: linear, ReLU, linear.
model mlp(in_features = 784, hidden = 128, classes = 10)
      (x: [in_features]) -> [classes] {
    fc1 = linear(in_features -> hidden)
    fc2 = linear(hidden -> classes)
    return fc2(relu(fc1(x)))
}

assert tensors(mlp) == 4
assert params(mlp) == 784 * 128 + 128 + 128 * 10 + 10
