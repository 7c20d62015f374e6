# torchvision 0.14's densenet121() in GraphSpec, with trained-model (eval-mode)
# semantics: batchnorm_eval (running statistics, eps 1e-5), convolutions without a
# bias. Parameter names are torchvision's state_dict names: features.conv0,
# features.norm0, features.denseblockN.denselayerK.{norm1,conv1,norm2,conv2},
# features.transitionN.{norm,conv}, features.norm5 and classifier. A state_dict moves
# by name:
#   tools/export_torch.py densenet121.pt w.safetensors --model models/torchvision/densenet121.gs
# torchvision's smallest input is 29x29: the stem halves twice, the three
# transitions' 2x2 average pools halve (rounding down) three times, and the last
# must leave at least 1.

# The stem's 7x7 stride-2 convolution (pad 3) and 3x3 stride-2 max-pool (pad 1).
dim down2(h) = (h - 1) / 2 + 1
# A transition's 2x2 stride-2 average pool.
dim half(h) = h / 2

# _DenseLayer (growth rate 32, bn_size 4): norm1, relu1, conv1 (1x1 to 128),
# norm2, relu2, conv2 (3x3 to 32); _DenseBlock's torch.cat of every earlier
# output is the running concat(x, layer(x)).
block dense(x: [c, h, w]) -> [c + 32, h, w] {
    norm1 = batchnorm_eval(c)
    conv1 = conv2d(c -> 128, k=1, bias=0)
    norm2 = batchnorm_eval(128)
    conv2 = conv2d(128 -> 32, k=3, pad=1, bias=0)
    return concat(x, conv2(relu(norm2(conv1(relu(norm1(x)))))))
}

# _Transition: norm, relu, conv (1x1, half the channels), pool (2x2 stride-2 average).
block transition(x: [c, h, w]) -> [c / 2, half(h), half(w)] {
    norm = batchnorm_eval(c)
    conv = conv2d(c -> c / 2, k=1, bias=0)
    return avgpool2d(conv(relu(norm(x))), k=2, stride=2)
}

# _DenseBlock of 6 layers, named denselayer1 to denselayer6 as torchvision's ModuleDict.
block denseblock6(x: [c, h, w]) -> [c + 192, h, w] {
    denselayer1 = dense
    denselayer2 = dense
    denselayer3 = dense
    denselayer4 = dense
    denselayer5 = dense
    denselayer6 = dense
    return denselayer6(denselayer5(denselayer4(denselayer3(denselayer2(denselayer1(x))))))
}

# _DenseBlock of 12 layers, named denselayer1 to denselayer12 as torchvision's ModuleDict.
block denseblock12(x: [c, h, w]) -> [c + 384, h, w] {
    denselayer1 = dense
    denselayer2 = dense
    denselayer3 = dense
    denselayer4 = dense
    denselayer5 = dense
    denselayer6 = dense
    denselayer7 = dense
    denselayer8 = dense
    denselayer9 = dense
    denselayer10 = dense
    denselayer11 = dense
    denselayer12 = dense
    return denselayer12(denselayer11(denselayer10(denselayer9(denselayer8(denselayer7(denselayer6(denselayer5(denselayer4(denselayer3(denselayer2(denselayer1(x))))))))))))
}

# _DenseBlock of 24 layers, named denselayer1 to denselayer24 as torchvision's ModuleDict.
block denseblock24(x: [c, h, w]) -> [c + 768, h, w] {
    denselayer1 = dense
    denselayer2 = dense
    denselayer3 = dense
    denselayer4 = dense
    denselayer5 = dense
    denselayer6 = dense
    denselayer7 = dense
    denselayer8 = dense
    denselayer9 = dense
    denselayer10 = dense
    denselayer11 = dense
    denselayer12 = dense
    denselayer13 = dense
    denselayer14 = dense
    denselayer15 = dense
    denselayer16 = dense
    denselayer17 = dense
    denselayer18 = dense
    denselayer19 = dense
    denselayer20 = dense
    denselayer21 = dense
    denselayer22 = dense
    denselayer23 = dense
    denselayer24 = dense
    return denselayer24(denselayer23(denselayer22(denselayer21(denselayer20(denselayer19(denselayer18(denselayer17(denselayer16(denselayer15(denselayer14(denselayer13(denselayer12(denselayer11(denselayer10(denselayer9(denselayer8(denselayer7(denselayer6(denselayer5(denselayer4(denselayer3(denselayer2(denselayer1(x))))))))))))))))))))))))
}

# _DenseBlock of 16 layers, named denselayer1 to denselayer16 as torchvision's ModuleDict.
block denseblock16(x: [c, h, w]) -> [c + 512, h, w] {
    denselayer1 = dense
    denselayer2 = dense
    denselayer3 = dense
    denselayer4 = dense
    denselayer5 = dense
    denselayer6 = dense
    denselayer7 = dense
    denselayer8 = dense
    denselayer9 = dense
    denselayer10 = dense
    denselayer11 = dense
    denselayer12 = dense
    denselayer13 = dense
    denselayer14 = dense
    denselayer15 = dense
    denselayer16 = dense
    return denselayer16(denselayer15(denselayer14(denselayer13(denselayer12(denselayer11(denselayer10(denselayer9(denselayer8(denselayer7(denselayer6(denselayer5(denselayer4(denselayer3(denselayer2(denselayer1(x))))))))))))))))
}

# features: conv0, norm0, relu0, pool0, denseblock1 .. denseblock4 with
# transition1 .. transition3 between them, norm5 (torchvision's named nn.Sequential).
block densefeatures(x: [3, h, w]) -> [1024, half(half(half(down2(down2(h))))), half(half(half(down2(down2(w)))))] {
    conv0       = conv2d(3 -> 64, k=7, stride=2, pad=3, bias=0)
    norm0       = batchnorm_eval(64)
    denseblock1 = denseblock6
    transition1 = transition
    denseblock2 = denseblock12
    transition2 = transition
    denseblock3 = denseblock24
    transition3 = transition
    denseblock4 = denseblock16
    norm5       = batchnorm_eval(1024)
    let stem = maxpool2d(relu(norm0(conv0(x))), k=3, stride=2, pad=1)
    return norm5(denseblock4(transition3(denseblock3(transition2(denseblock2(transition1(denseblock1(stem))))))))
}

model densenet121(classes = 1000)
      (x: [3, H, W]) -> [classes]
      where H >= 29, W >= 29
      default H = 224, W = 224 {
    features   = densefeatures
    classifier = linear(1024 -> classes)
    return classifier(global_avgpool(relu(features(x))))
}

# torchvision: len(list(densenet121().parameters())) == 364 with 7,978,856 floats;
# the ABI also holds the 121 batchnorms' running means and variances (242 tensors, 83,648 floats), which PyTorch keeps as buffers.
assert tensors(densenet121) == 364 + 242
assert params(densenet121) == 7978856 + 83648
