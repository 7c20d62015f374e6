# args: -D H=2000000000
model m(x: [H]) -> [H] where H >= 1 default H = 8 {
    a = linear(H -> H)
    b = linear(H -> H)
    return b(a(x))
}
