# torchvision 0.14's convnext_tiny() in GraphSpec, with inference semantics
# (stochastic depth is the identity in eval mode). Parameter names are
# torchvision's state_dict names: features is torchvision's nn.Sequential of 8
# (features.0 the 4x4 stride-4 stem and its LayerNorm2d, features.1, .3, .5, .7
# the stages of 3, 3, 9, 3 CNBlocks at 96, 192, 384, 768 channels, features.2,
# .4, .6 the downsampling LayerNorm2d and 2x2 stride-2 convolution),
# classifier.0 the LayerNorm2d and classifier.2 the Linear. A state_dict moves
# by name (its Linear layers [4c, c] become the 1x1 convolutions [4c, c, 1, 1]):
#   tools/export_torch.py convnext_tiny.pt w.safetensors --model models/torchvision/convnext_tiny.gs
# Inputs of at least 32x32, as torchvision: the stem leaves (H - 4) / 4 + 1 rows
# and each 2x2 stride-2 downsampling needs 2 of them, three times.

# the output size of the 2x2 stride-2 downsampling convolution, and of the stem
dim down2(h) = (h - 2) / 2 + 1
dim stem4(h) = (h - 4) / 4 + 1

# CNBlock: 7x7 depthwise convolution, LayerNorm over the channels at each
# position (torchvision's Permute, LayerNorm(c, eps=1e-6), Permute: block.1 and
# block.6 are the permutations, identity on CHW), Linear(c, 4c), GELU and
# Linear(4c, c) acting per position (1x1 convolutions), scaled per channel by
# layer_scale [c, 1, 1] (torchvision initialises it to 1e-6) and added to the input.
block cnblock(x: [c, h, w]) -> [c, h, w] {
    block = seq(conv2d(c -> c, k=7, pad=3, groups=c), identity, layernorm(c, eps=1e-6),
                conv2d(c -> 4 * c, k=1), gelu, conv2d(4 * c -> c, k=1), identity)
    layer_scale = param(c, 1, 1, init=1e-6)
    return mul(layer_scale, block(x)) + x
}

model convnext_tiny(classes = 1000)
      (x: [3, H, W]) -> [classes]
      where H >= 32, W >= 32
      default H = 224, W = 224 {
    features = seq(seq(conv2d(3 -> 96, k=4, stride=4), layernorm(96, eps=1e-6)),
                   seq(repeat(3, cnblock)),
                   seq(layernorm(96, eps=1e-6), conv2d(96 -> 192, k=2, stride=2)),
                   seq(repeat(3, cnblock)),
                   seq(layernorm(192, eps=1e-6), conv2d(192 -> 384, k=2, stride=2)),
                   seq(repeat(9, cnblock)),
                   seq(layernorm(384, eps=1e-6), conv2d(384 -> 768, k=2, stride=2)),
                   seq(repeat(3, cnblock)))
    # LayerNorm2d on the pooled [768, 1, 1] is the layer norm of the vector;
    # classifier.1 is torch's Flatten, the identity on it
    classifier = seq(layernorm(768, eps=1e-6), identity, linear(768 -> classes))

    let f: [768, down2(down2(down2(stem4(H)))), down2(down2(down2(stem4(W))))] = features(x)
    return classifier(global_avgpool(f))
}

# torchvision: len(list(convnext_tiny().parameters())) == 182 with 28,589,128 floats
# (ConvNeXt has no batchnorm: no running statistics).
assert tensors(convnext_tiny) == 182
assert params(convnext_tiny) == 28589128
