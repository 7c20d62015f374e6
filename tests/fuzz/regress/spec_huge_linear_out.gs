# gsc -o: UBSan signed overflow in gsc_fast_linear_packed_floats (runtime/gsc_fast.c,
# out + 15 in int), called at compile time from lower.c prepare_params.
# specialise() accepts out = 2^31 - 1 (MAX_DIM) but the fast runtime's int helpers overflow.
model m(n = 2147483647)(x: [1]) -> [n] {
    fc = linear(1 -> n)
    return fc(x)
}
