# args: --params tests/diag/params_other_model.safetensors --max-errors 4
# The weights of another model: one error that says so, with a summary of
# what does not fit and a list cut at --max-errors lines.
# (params_other_model.safetensors: gsc --emit=params of a model of six
# layers a..f = linear(4 -> 4).)
model mlp(x: [4]) -> [3] {
    fc1 = linear(4 -> 8)
    fc2 = linear(8 -> 3)
    return fc2(relu(fc1(x)))
}
