# torchvision 0.14's resnet18() in GraphSpec, with trained-model (eval-mode)
# semantics: batchnorm_eval (running statistics, eps 1e-5) and convolutions
# without a bias, as torchvision builds them. Parameter names are
# torchvision's state_dict names (conv1, bn1, layer1.0.conv1, ...,
# layer2.0.downsample.0, ..., fc), so a state_dict moves by name:
#   tools/export_torch.py resnet18.pt w.safetensors --model models/torchvision/resnet18.gs
# Any input of at least 1x1 is accepted, as torchvision's adaptive pooling does.

# The stride-2 output size of every downsampling layer (stem, max-pool, both
# paths of each first block of stages 2-4), proved for every H, W >= 1.
dim down2(h) = (h - 1) / 2 + 1

# BasicBlock, identity skip.
block basic(x: [c, h, w]) -> [c, h, w] {
    conv1 = conv2d(c -> c, k=3, pad=1, bias=0)
    bn1   = batchnorm_eval(c)
    conv2 = conv2d(c -> c, k=3, pad=1, bias=0)
    bn2   = batchnorm_eval(c)
    let y = relu(bn1(conv1(x)))
    return relu(bn2(conv2(y)) + x)
}

# BasicBlock with a stride-2 main path and a 1x1 stride-2 projection.
block down(co)(x: [ci, h, w]) -> [co, down2(h), down2(w)] {
    conv1      = conv2d(ci -> co, k=3, stride=2, pad=1, bias=0)
    bn1        = batchnorm_eval(co)
    conv2      = conv2d(co -> co, k=3, pad=1, bias=0)
    bn2        = batchnorm_eval(co)
    downsample = seq(conv2d(ci -> co, k=1, stride=2, bias=0), batchnorm_eval(co))
    let y: [co, down2(h), down2(w)] = relu(bn1(conv1(x)))
    return relu(bn2(conv2(y)) + downsample(x))
}

model resnet18(classes = 1000)
      (x: [3, H, W]) -> [classes]
      where H >= 1, W >= 1
      default H = 224, W = 224 {
    conv1  = conv2d(3 -> 64, k=7, stride=2, pad=3, bias=0)
    bn1    = batchnorm_eval(64)
    layer1 = repeat(2, basic)
    layer2 = seq(down(128), repeat(1, basic))
    layer3 = seq(down(256), repeat(1, basic))
    layer4 = seq(down(512), repeat(1, basic))
    fc     = linear(512 -> classes)

    let stem = maxpool2d(relu(bn1(conv1(x))), k=3, stride=2, pad=1)
    let f: [512, down2(down2(down2(down2(down2(H))))), down2(down2(down2(down2(down2(W)))))] =
        layer4(layer3(layer2(layer1(stem))))
    return fc(global_avgpool(f))
}

# torchvision: len(list(resnet18().parameters())) == 62 with 11,689,512 floats; the
# ABI also holds the 20 batchnorms' running means and variances (40 tensors,
# 2 x 4,800 floats), which PyTorch keeps as buffers.
assert tensors(resnet18) == 62 + 40
assert params(resnet18) == 11689512 + 9600
