# A misspelt size is offered sizes only: not the layer 'hidden' (one edit
# away), but the list of the sizes that exist.
model m(width = 32)(x: [64]) -> [10] {
    hidden = linear(64 -> width)
    out    = linear(hiden -> 10)
    return out(relu(hidden(x)))
}
