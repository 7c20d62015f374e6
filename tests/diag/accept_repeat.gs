# A dense block written once: repeat(n, i -> layer) with the input channels
# growing by the index; the copies are block1.0, block1.1, block1.2, and a
# repeat inside seq continues its numbering (stage.0 is the first unit, stage.1 and
# stage.2 the copies).
block dense_layer(cin, growth = 4)(x: [cin, h, w]) -> [cin + growth, h, w] {
    norm1 = batchnorm_eval(cin)
    conv1 = conv2d(cin -> 2 * growth, k=1)
    norm2 = batchnorm_eval(2 * growth)
    conv2 = conv2d(2 * growth -> growth, k=3, pad=1)
    let y = conv2(relu(norm2(conv1(relu(norm1(x))))))
    return concat(x, y)
}
block unit(x: [c, h, w]) -> [c, h, w] {
    conv = conv2d(c -> c, k=3, pad=1)
    return relu(conv(x))
}
model m(x: [8, H, W]) -> [20, H, W] where H >= 1, W >= 1 default H = 6, W = 6 {
    block1 = repeat(3, i -> dense_layer(8 + 4 * i))
    stage = seq(unit, repeat(2, unit))
    return stage(block1(x))
}
assert tensors(m) == 42
