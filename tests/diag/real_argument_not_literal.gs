# A real argument is a literal, not a size expression.
model m(c = 4)(x: [c, H, W]) -> [c, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    bn = batchnorm_eval(c, eps=c)
    return bn(x)
}
