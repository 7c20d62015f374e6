# torchvision 0.14's shufflenet_v2_x1_0() in GraphSpec, with trained-model
# (eval-mode) semantics: batchnorm_eval (running statistics, eps 1e-5) and
# convolutions without a bias, as torchvision builds them. Parameter names are
# torchvision's state_dict names: conv1.0, conv1.1 (the stem's Sequential),
# stage2.0.branch1.0 to stage4.3.branch2.7 (the InvertedResidual units; the
# ReLUs take their indices in each branch's Sequential), conv5.0, conv5.1, fc.
# A state_dict moves by name:
#   tools/export_torch.py shufflenet_v2_x1_0.pt w.safetensors --model models/torchvision/shufflenet_v2_x1_0.gs
# Any input of at least 1x1 is accepted (torchvision's min_size (1, 1)).

# The stride-2 output size of the stem, the max-pool and the depthwise
# convolutions of every stage's first unit (3x3, padding 1).
dim down2(h) = (h - 1) / 2 + 1

# InvertedResidual with stride 2 (the first unit of a stage): both branches see
# the whole input; b is torchvision's branch_features (oup // 2).
block down(b)(x: [ci, h, w]) -> [2 * b, down2(h), down2(w)] {
    branch1 = seq(conv2d(ci -> ci, k=3, stride=2, pad=1, groups=ci, bias=0), batchnorm_eval(ci),
                  conv2d(ci -> b, k=1, bias=0), batchnorm_eval(b), relu)
    branch2 = seq(conv2d(ci -> b, k=1, bias=0), batchnorm_eval(b), relu,
                  conv2d(b -> b, k=3, stride=2, pad=1, groups=b, bias=0), batchnorm_eval(b),
                  conv2d(b -> b, k=1, bias=0), batchnorm_eval(b), relu)
    return channel_shuffle(concat(branch1(x), branch2(x)), 2)
}

# InvertedResidual with stride 1: x.chunk(2, dim=1), the second half through
# branch2, cat, channel_shuffle(., 2). Its input has 2 * b channels.
block unit(b)(x: [2 * b, h, w]) -> [2 * b, h, w] {
    branch2 = seq(conv2d(b -> b, k=1, bias=0), batchnorm_eval(b), relu,
                  conv2d(b -> b, k=3, pad=1, groups=b, bias=0), batchnorm_eval(b),
                  conv2d(b -> b, k=1, bias=0), batchnorm_eval(b), relu)
    let x1 = narrow(x, start=0, length=b)
    let x2 = narrow(x, start=b, length=b)
    return channel_shuffle(concat(x1, branch2(x2)), 2)
}

model shufflenet_v2_x1_0(classes = 1000)
      (x: [3, H, W]) -> [classes]
      where H >= 1, W >= 1
      default H = 224, W = 224 {
    # stages_repeats 4, 8, 4; stages_out_channels 24, 116, 232, 464, 1024.
    conv1  = seq(conv2d(3 -> 24, k=3, stride=2, pad=1, bias=0), batchnorm_eval(24), relu)
    stage2 = seq(down(58), repeat(3, unit(58)))
    stage3 = seq(down(116), repeat(7, unit(116)))
    stage4 = seq(down(232), repeat(3, unit(232)))
    conv5  = seq(conv2d(464 -> 1024, k=1, bias=0), batchnorm_eval(1024), relu)
    fc     = linear(1024 -> classes)

    let stem = maxpool2d(conv1(x), k=3, stride=2, pad=1)
    let f: [1024, down2(down2(down2(down2(down2(H))))), down2(down2(down2(down2(down2(W)))))] =
        conv5(stage4(stage3(stage2(stem))))
    return fc(global_avgpool(f))
}

# torchvision: len(list(shufflenet_v2_x1_0().parameters())) == 170 with 2,278,604
# floats; the ABI also holds the 56 batchnorms' running means and variances
# (112 tensors, 16,180 floats), which PyTorch keeps as buffers.
assert tensors(shufflenet_v2_x1_0) == 170 + 112
assert params(shufflenet_v2_x1_0) == 2278604 + 16180
