# args: --params tests/diag/params_pytorch_zip.pt
# A PyTorch state_dict (torch.save: a zip archive) where safetensors is wanted:
# the fix is named, not the header length its first 8 bytes would make.
model m(x: [4]) -> [2] {
    fc = linear(4 -> 2)
    return fc(x)
}
