# without defaults, an assertion is still evaluated where the parameter count
# is the same at every size (3 * 10 + 10 = 40, not 41)
model m(x: [3, H, W]) -> [10] where H >= 1, W >= 1 {
    fc = linear(3 -> 10)
    return fc(global_avgpool(x))
}
assert params(m) == 41
