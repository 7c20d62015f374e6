#!/usr/bin/python3
"""bench/train_peers.py - gsc's ResNet-18 training step against PyTorch's, alternating.

Run by bench/train.sh (`make bench-train`), which builds the bench binary first:

    /usr/bin/python3 bench/train_peers.py --gsc build/gsc --bench build/bench/train/train_bench \
        --out build/bench/train

One training step of batch 1 on the seed's weights and the deterministic input
of tests/driver/model_main.c, label 1 (bench/train_bench.c's TRAIN_LABEL):
  gsc    rn18_grad (gsc --train models/resnet18.gs) plus runtime/gsc_train.c's AdamW
         over all parameters (train_bench --serve, a separate process)
  torch  the same semantics in PyTorch (tools/grad_torch.py's resnet18: conv biases,
         train-mode batchnorm with eps 1e-6 on the image's own statistics,
         cross-entropy) in float32: zero_grad, forward, backward, and
         torch.optim.AdamW(lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 1e-2,
         foreach=False) over the same tensors
Both start from the same weights and take the same steps on the same example,
at 1 and 2 threads (torch.set_num_threads, omp_set_num_threads), interleaved in
rounds (the order alternates per round) so that drift hits both alike. First
checks that both compute the same loss on the seed's weights (relative 1e-4).
Prints medians, minima and gsc/torch per thread count.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tools'))
from grad_torch import ADAM_BETAS, ADAM_EPS, Params, read_safetensors, resnet18  # noqa: E402

LABEL = 1  # train_bench.c's TRAIN_LABEL
LR, WD = 1e-3, 1e-2  # gsc_adamw_defaults(), torch.optim.AdamW's defaults
H = W = 224
TOL = 1e-4


class Worker:
    """train_bench --serve behind its line protocol."""

    def __init__(self, argv):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, line):
        self.p.stdin.write(line + '\n')
        self.p.stdin.flush()
        reply = self.p.stdout.readline()
        if not reply:
            sys.exit('train_peers: %s died on: %s' % (self.p.args[0], line))
        return reply.strip()

    def close(self):
        self.p.stdin.write('quit\n')
        self.p.stdin.close()
        self.p.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--gsc', default='build/gsc')
    ap.add_argument('--bench', default='build/bench/train/train_bench')
    ap.add_argument('--out', default='build/bench/train')
    ap.add_argument('--rounds', type=int, default=5)
    ap.add_argument('--per', type=int, default=4, help='timed steps per peer per round')
    ap.add_argument('--warmup', type=int, default=1, help='untimed steps per peer per round')
    ap.add_argument('--threads', default='1,2')
    a = ap.parse_args()
    threads = [int(t) for t in a.threads.split(',')]
    os.makedirs(a.out, exist_ok=True)

    wpath = os.path.join(a.out, 'seed.safetensors')
    subprocess.run([a.gsc, '--emit=params', 'models/resnet18.gs', '-o', wpath], check=True)
    leaves = {k: v.clone().requires_grad_(True) for k, v in read_safetensors(wpath).items()}
    i = torch.arange(3 * H * W, dtype=torch.int64)
    x = ((((i * 7919) % 2001) - 1000).to(torch.float32) / 1000.0).reshape(1, 3, H, W)
    y = torch.tensor([LABEL])
    opt = torch.optim.AdamW(list(leaves.values()), lr=LR, betas=ADAM_BETAS, eps=ADAM_EPS, weight_decay=WD,
                            foreach=False)

    def torch_loss():
        return F.cross_entropy(resnet18(Params(leaves), x), y, reduction='mean')

    def torch_step():
        opt.zero_grad(set_to_none=False)
        loss = torch_loss()
        loss.backward()
        opt.step()

    def run_torch(t, w, n):
        torch.set_num_threads(t)
        for _ in range(w):
            torch_step()
        out = []
        for _ in range(n):
            t0 = time.perf_counter()
            torch_step()
            out.append((time.perf_counter() - t0) * 1e3)
        return out

    # ---- the same work: the loss on the seed's weights
    with torch.no_grad():
        loss_t = torch_loss().item()
    gsc = Worker([a.bench, '--serve'])
    ready = gsc.p.stdout.readline().split()
    if len(ready) != 3 or ready[0] != 'ready':
        sys.exit('train_peers: %s --serve did not start' % a.bench)
    loss_g = float(ready[2])
    err = abs(loss_g - loss_t) / max(abs(loss_t), 1e-6)
    print('gsc kernels: %s; torch %s (%s)' % (ready[1], torch.__version__,
                                             torch.backends.mkldnn.is_available() and 'oneDNN' or 'no oneDNN'))
    print('loss on the seed weights: gsc %.7g, torch %.7g, relative difference %.2g (limit %g)'
          % (loss_g, loss_t, err, TOL))
    if not err <= TOL:
        sys.exit('train_peers: the two steps do not compute the same loss')

    peers = {
        'gsc': lambda t, w, n: [float(v) for v in gsc.ask('run %d %d %d' % (t, w, n)).split()],
        'torch': run_torch,
    }
    names = list(peers)
    times = {(nm, t): [] for nm in names for t in threads}
    for r in range(a.rounds):
        order = names if r % 2 == 0 else names[::-1]
        for t in threads:
            for nm in order:
                times[(nm, t)] += peers[nm](t, a.warmup, a.per)
    gsc.close()

    n = a.rounds * a.per
    print('\nTraining step, batch 1, 224x224 (ms; %d timed steps each, %d rounds, %d untimed per round)'
          % (n, a.rounds, a.warmup))
    print('threads   gsc median    gsc min   torch median   torch min   gsc/torch (medians)')
    for t in threads:
        g, p = times[('gsc', t)], times[('torch', t)]
        print('%7d %12.1f %10.1f %14.1f %11.1f %12.2f'
              % (t, statistics.median(g), min(g), statistics.median(p), min(p),
                 statistics.median(g) / statistics.median(p)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
