# A layer named block (the keyword), as torchvision's MobileNetV3 and
# EfficientNet name their InvertedResidual's nn.Sequential: the parameters are
# unit.block.0.weight ... unit.block.1.running_var, called as block(x).
block unit(x: [c, h, w]) -> [c, h, w] {
    block = seq(conv2d(c -> c, k=3, pad=1, bias=0), batchnorm_eval(c, eps=1e-3))
    return x + block(x)
}
model m(x: [4, H, W]) -> [4, H, W] where H >= 1, W >= 1 default H = 5, W = 5 {
    unit = unit
    return unit(x)
}
assert tensors(m) == 5
