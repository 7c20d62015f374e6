# layernorm over the channels of [c, h, w] at each position (LayerNorm2d,
# eps 1e-6 as ConvNeXt) and over a vector (nn.LayerNorm, eps 1e-5).
model m(x: [C, H, W]) -> [10] where C >= 1, H >= 1, W >= 1 default C = 20, H = 5, W = 3 {
    a = layernorm(C, eps=1e-6)
    b = layernorm(C * H * W)
    fc = linear(C * H * W -> 10)
    return fc(b(flatten(a(x))))
}
