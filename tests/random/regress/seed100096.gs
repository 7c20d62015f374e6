# rejected: /tmp/gsc_random_1o6j55y_/seed_100096/m.gs:25:258: error: concat result, dimension 1 is at least 1: cannot prove 30*H*W - 60*H - 60*W + 120 >= 1 (product of symbols H*W does not normalise; no counterexample with H in [4, 144], W in [4, 144])
# reduced from tests/random/gen.py 100096
# reproduce (from the repository root): python3 tests/random/run.py --replay tests/random/regress/seed100096.gs --seed 100096 --ref-every 1
# gsc random program, seed 100096
model m(x: [4, H, W]) -> [15*((H + 0 - 3) / 1 + 1)*((W + 0 - 3) / 1 + 1) + 15*((H + 0 - 3) / 1 + 1)*((W + 0 - 3) / 1 + 1)]
      where H >= 4, W >= 4
      default H = 4, W = 4 {
    conv3 = conv2d((4) + 3 - (4) + (4) - 3 -> 15, k=3)
    let v2 = flatten(conv3(x))
    let v3 = concat(v2, v2)
    return v3
}
