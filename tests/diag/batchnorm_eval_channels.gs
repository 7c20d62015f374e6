# batchnorm_eval(c) checks its input's channels, as batchnorm does.
model m(x: [3, H, W]) -> [3, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    bn = batchnorm_eval(4, eps=1e-3)
    return bn(x)
}
