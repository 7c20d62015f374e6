# args: --embed-weights tests/diag/params_pytorch_pickle.pt
# A PyTorch file in the format of torch.save before PyTorch 1.6 (a pickle,
# protocol 2) where safetensors is wanted.
model m(x: [4]) -> [2] {
    fc = linear(4 -> 2)
    return fc(x)
}
