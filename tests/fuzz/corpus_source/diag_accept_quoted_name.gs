# Quoted layer names, as torchvision's RegNet names its blocks (a stage's
# nn.Sequential holds "block1-0", "block1-1", ...): the parameters are
# stage.block1-0.conv.weight with the '-' kept, and h-1 is still a
# subtraction in a shape. A quoted name that is a plain identifier is that
# identifier.
block unit(x: [c, h, w]) -> [c, h - 1, w-1] {
    conv = conv2d(c -> c, k=2, bias=0)
    return conv(x)
}
block stage(x: [c, h, w]) -> [c, h-2, w - 2] {
    "block1-0" = unit
    "block1-1" = unit
    return "block1-1"("block1-0"(x))
}
model m(x: [4, H, W]) -> [4, H - 2, W-2] where H >= 3, W >= 3 default H = 5, W = 5 {
    "stage" = stage
    return stage(x)
}
assert tensors(m) == 2
assert params(m) == 2 * 4 * 4 * 2 * 2
