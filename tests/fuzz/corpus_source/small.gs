# Every operation once, at small sizes: the golden test of the emitted C.
dim pool2(h) = h / 2 + 1

block branch(co)(x: [ci, h, w]) -> [co, h, w] {
    conv = conv2d(ci -> co, k=3, stride=1, pad=1)
    bn   = batchnorm(co)
    return relu(bn(conv(x)))
}

model small(classes = 5)
      (x: [2, H, W]) -> [classes]
      where H >= 2, W >= 2, H <= 1024, W <= 1024
      default H = 6, W = 5 {
    a    = branch(3)
    b    = branch(4)
    mix  = conv2d(7 -> 7, k=1)
    head = linear(7 * pool2(H) * pool2(W) + 7 -> classes)

    let ya = a(x)
    let yb = b(x)
    let cat: [7, H, W] = concat(ya, yb)
    let m = mix(cat) + cat
    let p: [7, pool2(H), pool2(W)] = maxpool2d(m, k=2, stride=2, pad=1)
    let q = avgpool2d(p, k=3, stride=1, pad=1)
    let feats = concat(flatten(q), global_avgpool(q))
    return softmax(head(feats))
}
