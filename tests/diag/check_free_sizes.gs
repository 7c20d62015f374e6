# --check without -D or defaults: proved for every size 'where' allows; the
# parameter count depends on c, so it is not given
model m(x: [c, H, W]) -> [10] where c >= 1, H >= 1, W >= 1 {
    a = layernorm(c)
    fc = linear(c -> 10)
    return fc(global_avgpool(a(x)))
}
