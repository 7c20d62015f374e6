# A concat of 100 operands (more than any fixed array would hold: the
# interpreter once had room for 64), blocked 3-channel tensors joined one
# after another, then a vector concat of as many. (The conv is there because
# gsc cannot yet emit valid C for a model without parameters.)
model concat_many(x: [3, H, W]) -> [300 * H * W + 100 * 3]
      where H >= 1, W >= 1, H <= 64, W <= 64
      default H = 4, W = 5 {
    mix = conv2d(3 -> 3, k=1)
    let r = relu(x)
    let s = mix(x) + r
    let cat: [300, H, W] = concat(x, r, s, x, r, s, x, r, s, x,
                                  r, s, x, r, s, x, r, s, x, r,
                                  s, x, r, s, x, r, s, x, r, s,
                                  x, r, s, x, r, s, x, r, s, x,
                                  r, s, x, r, s, x, r, s, x, r,
                                  s, x, r, s, x, r, s, x, r, s,
                                  x, r, s, x, r, s, x, r, s, x,
                                  r, s, x, r, s, x, r, s, x, r,
                                  s, x, r, s, x, r, s, x, r, s,
                                  x, r, s, x, r, s, x, r, s, x)
    let v = global_avgpool(x)
    let vs = concat(v, v, v, v, v, v, v, v, v, v,
                    v, v, v, v, v, v, v, v, v, v,
                    v, v, v, v, v, v, v, v, v, v,
                    v, v, v, v, v, v, v, v, v, v,
                    v, v, v, v, v, v, v, v, v, v,
                    v, v, v, v, v, v, v, v, v, v,
                    v, v, v, v, v, v, v, v, v, v,
                    v, v, v, v, v, v, v, v, v, v,
                    v, v, v, v, v, v, v, v, v, v,
                    v, v, v, v, v, v, v, v, v, v)
    return concat(flatten(cat), vs)
}
