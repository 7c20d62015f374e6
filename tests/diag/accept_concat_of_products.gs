# gsc random program, seed 100096
model m(x: [4, H, W]) -> [15*((H + 0 - 3) / 1 + 1)*((W + 0 - 3) / 1 + 1) + 15*((H + 0 - 3) / 1 + 1)*((W + 0 - 3) / 1 + 1)]
      where H >= 4, W >= 4
      default H = 4, W = 4 {
    conv3 = conv2d((4) + 3 - (4) + (4) - 3 -> 15, k=3)
    let v2 = flatten(conv3(x))
    let v3 = concat(v2, v2)
    return v3
}
