# layernorm(c) normalises over the first dimension: it must be c, proved
# for all sizes (C = 1 is a counterexample).
model m(x: [C, H, W]) -> [C, H, W] where C >= 1, H >= 1, W >= 1 default C = 8, H = 8, W = 8 {
    ln = layernorm(8, eps=1e-6)
    return ln(x)
}
