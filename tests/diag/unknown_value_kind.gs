# An undefined tensor is offered tensors only, never a size such as 'H';
# with no close name, the values that exist are listed.
model m(x: [3, H, W]) -> [3, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    let y = relu(x)
    return relu(d)
}
