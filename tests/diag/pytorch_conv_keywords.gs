# nn.Conv2d's keywords: one error for the call, naming gsc's arguments and
# the call as written here; no "missing argument" for what was meant.
model m(x: [3, H, W]) -> [8, H, W] where H >= 1, W >= 1 default H = 8, W = 8 {
    conv = conv2d(in_channels=3, out_channels=8, kernel_size=3, stride=1, padding=1)
    return conv(x)
}
