# --check without sizes still proves every shape fact: this one fails
model m(x: [c, H, W]) -> [c, H, W] where c >= 1, H >= 1, W >= 1 {
    let y = maxpool2d(x, k=2, stride=2)
    return add(x, y)
}
