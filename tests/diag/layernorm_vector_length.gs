# layernorm(c) on a vector: its length is c.
model m(x: [12]) -> [12] {
    ln = layernorm(10)
    return ln(x)
}
