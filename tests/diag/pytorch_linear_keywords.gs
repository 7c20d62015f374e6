# nn.Linear(in_features=..., out_features=...) spelled out: each keyword
# is named as gsc's 'in' or 'out'.
model m(x: [784]) -> [10] {
    fc = linear(in_features=784, out_features=10)
    return fc(x)
}
