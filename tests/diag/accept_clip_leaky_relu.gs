# clip and leaky_relu: real arguments, leaky_relu's slope defaults to PyTorch's 0.01.
model m(x: [3, H, W]) -> [3, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    let y = leaky_relu(clip(x, min=-1.0, max=1.0))
    return leaky_relu(clip(y, min=0.5, max=0.5), alpha=0.2)
}
