# PyTorch's eps on the train-time batchnorm: the error points at batchnorm_eval.
model m(x: [4, H, W]) -> [4, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    bn = batchnorm(4, eps=1e-5)
    return bn(x)
}
