# args: -D H=2000000000
model m(x: [H]) -> [2 * H] where H >= 1 default H = 8 {
    return concat(x, x)
}
