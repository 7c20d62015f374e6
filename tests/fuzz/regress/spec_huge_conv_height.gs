# gsc -o: UBSan signed overflow in gsc_fast_out_size (runtime/gsc_fast.c: in + 2 * pad),
# via gsc_fast_conv_workspace_bytes / conv_plan from lower.c fast_CONV2D, at H = 2^31 - 1.
model m(x: [1, H, 1]) -> [1, H, 1]
      where H >= 1
      default H = 2147483647 {
    conv = conv2d(1 -> 1, k=3, stride=1, pad=1)
    return conv(x)
}
