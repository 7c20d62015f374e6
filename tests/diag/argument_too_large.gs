model m(x: [1, H, W]) -> [1, 1, 1] where H >= 1, W >= 1, H <= 1000, W <= 1000 default H = 4, W = 4 {
    return maxpool2d(x, k=1, stride=3000000000)
}
