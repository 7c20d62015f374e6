# A parameter tensor declared directly in a block (nn.Parameter): named by
# the layer's path alone (b.layer_scale, as ConvNeXt's state_dict), a value
# wherever its name is used, initialised to the constant init; used twice it
# is one tensor.
block scaled(x: [c, h, w]) -> [c, h, w] {
    layer_scale = param(c, 1, 1, init=1e-6)
    return x + mul(relu(x), layer_scale) + mul(layer_scale, x)
}
model m(x: [C, H, W]) -> [C, H, W] where C >= 1, H >= 1, W >= 1 default C = 20, H = 5, W = 3 {
    b = scaled
    return b(x)
}
