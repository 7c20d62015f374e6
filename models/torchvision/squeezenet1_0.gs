# torchvision 0.14's squeezenet1_0() in GraphSpec, with eval-mode semantics
# (dropout is the identity). Parameter names are torchvision's state_dict names
# (features.0, features.3.squeeze, features.3.expand1x1, ..., classifier.1),
# so a state_dict moves by name:
#   tools/export_torch.py squeezenet.pt w.safetensors --model models/torchvision/squeezenet1_0.gs
# The three max-pools are nn.MaxPool2d(3, 2, ceil_mode=True): maxpool2d ceil=1.
# Inputs of at least 21x21, as torchvision: the last pool needs 2 rows.

# The stem (7x7 stride 2, no padding) and the ceil-mode 3x3 stride-2 pool.
dim stem(h) = (h - 7) / 2 + 1
dim pool(h) = (h - 2) / 2 + 1

# Fire: a 1x1 squeeze, then a 1x1 and a 3x3 expand, concatenated.
block fire(s, e1, e3)(x: [c, h, w]) -> [e1 + e3, h, w] {
    squeeze   = conv2d(c -> s, k=1)
    expand1x1 = conv2d(s -> e1, k=1)
    expand3x3 = conv2d(s -> e3, k=3, pad=1)
    let q = relu(squeeze(x))
    return concat(relu(expand1x1(q)), relu(expand3x3(q)))
}

model squeezenet1_0(classes = 1000)
      (x: [3, H, W]) -> [classes]
      where H >= 21, W >= 21
      default H = 224, W = 224 {
    features = seq(conv2d(3 -> 96, k=7, stride=2), relu, maxpool2d(k=3, stride=2, ceil=1),
                   fire(16, 64, 64), fire(16, 64, 64), fire(32, 128, 128), maxpool2d(k=3, stride=2, ceil=1),
                   fire(32, 128, 128), fire(48, 192, 192), fire(48, 192, 192), fire(64, 256, 256),
                   maxpool2d(k=3, stride=2, ceil=1), fire(64, 256, 256))
    classifier = seq(identity, conv2d(512 -> classes, k=1), relu)
    let f: [512, pool(pool(pool(stem(H)))), pool(pool(pool(stem(W))))] = features(x)
    return global_avgpool(classifier(f))
}

# torchvision: len(list(squeezenet1_0().parameters())) == 52 with 1,248,424 floats.
assert tensors(squeezenet1_0) == 52
assert params(squeezenet1_0) == 1248424
