# channel_shuffle needs the channels to be a multiple of groups.
model m(x: [10, H, W]) -> [10, H, W] where H >= 1, W >= 1 default H = 2, W = 2 {
    return channel_shuffle(x, 3)
}
