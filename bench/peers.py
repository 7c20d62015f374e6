#!/usr/bin/python3
"""bench/peers.py - gsc's generated ResNet-18 against ONNX Runtime and PyTorch.

Run by bench/peers.sh (`make bench-peers`), which installs the peers and builds
the bench binary first:

    /usr/bin/python3 bench/peers.py --gsc build/gsc --bench build/bench/rn18_bench \
        --bench-direct build/bench/rn18_direct_bench \
        --node-modules build/bench/node/node_modules --out build/bench/peers

The same ResNet-18 four ways, all on the seed's weights (written by
`gsc --emit=params`, read here with a tiny safetensors reader) and one
deterministic input:
  gsc       generated/rn18.c (bench.c --serve, a separate process): gsc's
            default --conv=auto, Winograd where the cost model picks it
  gsc-direct  (with --bench-direct) the same model from gsc --conv=direct
  ort-in    ONNX Runtime, ONNX (opset 13) exported from PyTorch with every BN as
            InstanceNorm2d(affine=True, eps=1e-6) -> InstanceNormalization:
            exactly the seed's semantics (train-time BN, batch statistics)
  ort-fold  ONNX Runtime, eval-mode BN folded into the convs (what deployed
            models run). Running statistics = the batch statistics of the
            sample input, so on that input it computes the same function
  torch     PyTorch eager, BatchNorm2d(eps=1e-6) in training mode (batch 1)
Each at 1 and 2 threads, interleaved in rounds (order rotated per round) so
that drift hits all equally. Prints medians and gsc/peer ratios, and checks
that gsc's output agrees with ort-in and torch (relative error <= 1e-4).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tools'))
import safetensors_np  # noqa: E402

TOL = 1e-4
EPS = 1e-6
H = W = 224


# ------------------------------------------------------------------ weights

def read_safetensors(path):
    """name -> float32 tensor (tools/safetensors_np.py reads the file)."""
    return {name: torch.from_numpy(a.copy()) for name, a in safetensors_np.read_safetensors(path).items()}


# -------------------------------------------------------------------- model

def make_norm(kind, c):
    if kind == 'bn':
        return nn.BatchNorm2d(c, eps=EPS)
    if kind == 'in':
        return nn.InstanceNorm2d(c, affine=True, eps=EPS)
    return nn.Identity()  # 'fold': BN folded into the preceding conv


class Block(nn.Module):
    def __init__(self, kind, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=True)
        self.bn1 = make_norm(kind, cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=True)
        self.bn2 = make_norm(kind, cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=True),
                                            make_norm(kind, cout))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return torch.relu(y + (x if self.downsample is None else self.downsample(x)))


class ResNet18(nn.Module):
    """models/resnet18.gs, with PyTorch state_dict names (the gsc ABI's)."""

    def __init__(self, kind, classes=1000):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=True)
        self.bn1 = make_norm(kind, 64)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        cin = 64
        for i, c in enumerate([64, 128, 256, 512]):
            blocks = []
            for b in range(2):
                blocks.append(Block(kind, cin, c, 2 if (i > 0 and b == 0) else 1))
                cin = c
            setattr(self, 'layer%d' % (i + 1), nn.Sequential(*blocks))
        self.fc = nn.Linear(512, classes)

    def forward(self, x):
        x = self.maxpool(torch.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(torch.mean(x, dim=(2, 3), keepdim=True), 1))


def load(model, sd):
    missing, unexpected = model.load_state_dict(sd, strict=False)
    missing = [k for k in missing if not k.endswith(('running_mean', 'running_var', 'num_batches_tracked'))]
    if missing or unexpected:
        sys.exit('peers: state_dict mismatch: missing %s, unexpected %s' % (missing, unexpected))
    return model


def folded_model(sd, x):
    """Eval-mode BN with running stats = the batch stats of x, folded into the convs."""
    ref = load(ResNet18('bn'), sd).train()
    stats = {}

    def hook(name):
        def f(_mod, inp):
            t = inp[0].double()
            stats[name] = (t.mean(dim=(0, 2, 3)), t.var(dim=(0, 2, 3), unbiased=False))
        return f
    pairs = []  # (conv name, bn name)
    for name, mod in ref.named_modules():
        if isinstance(mod, nn.BatchNorm2d):
            mod.register_forward_pre_hook(hook(name))
            conv = name[:-len('bn1')] + 'conv1' if name.endswith('bn1') else \
                name[:-len('bn2')] + 'conv2' if name.endswith('bn2') else \
                name[:-1] + '0'  # downsample.1 -> downsample.0
            pairs.append((conv, name))
    with torch.no_grad():
        ref(x)
    fsd = {k: v.clone() for k, v in sd.items()}
    for conv, bn in pairs:
        mean, var = stats[bn]
        g, b = sd[bn + '.weight'].double(), sd[bn + '.bias'].double()
        scale = g / torch.sqrt(var + EPS)
        w = sd[conv + '.weight'].double() * scale[:, None, None, None]
        bias = (sd[conv + '.bias'].double() - mean) * scale + b
        fsd[conv + '.weight'], fsd[conv + '.bias'] = w.float(), bias.float()
        del fsd[bn + '.weight'], fsd[bn + '.bias']
    return load(ResNet18('fold'), fsd).eval()


def export(model, x, path):
    # InstanceNorm2d exports as InstanceNormalization (batch statistics), as intended
    warnings.filterwarnings('ignore', message='.*instance_norm.*train=True')
    with torch.no_grad():
        torch.onnx.export(model, x, path, opset_version=13, input_names=['x'], output_names=['y'],
                          do_constant_folding=True)


def relerr(a, ref):
    return float(np.max(np.abs(a - ref)) / np.max(np.abs(ref)))


# ------------------------------------------------------------------ workers

class Worker:
    """A line-protocol subprocess: gsc's bench --serve or bench/ort_worker.js."""

    def __init__(self, argv, env=None):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True, env=env)

    def ask(self, line):
        self.p.stdin.write(line + '\n')
        self.p.stdin.flush()
        reply = self.p.stdout.readline()
        if not reply:
            sys.exit('peers: worker %s died on: %s' % (self.p.args[0], line))
        return reply.strip()

    def close(self):
        self.p.stdin.write('quit\n')
        self.p.stdin.close()
        self.p.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--gsc', default='build/gsc')
    ap.add_argument('--bench', default='build/bench/rn18_bench')
    ap.add_argument('--bench-direct', help='bench.c built on gsc --conv=direct output (a second gsc peer)')
    ap.add_argument('--node-modules', default='build/bench/node/node_modules')
    ap.add_argument('--out', default='build/bench/peers')
    ap.add_argument('--rounds', type=int, default=10)
    ap.add_argument('--per', type=int, default=4, help='timed runs per peer per round')
    ap.add_argument('--warmup', type=int, default=2, help='untimed runs per peer per round')
    ap.add_argument('--threads', default='1,2')
    a = ap.parse_args()
    threads = [int(t) for t in a.threads.split(',')]
    os.makedirs(a.out, exist_ok=True)
    here = os.path.dirname(os.path.abspath(__file__))

    # the seed's weights and one deterministic input (bench.c's pattern)
    wpath = os.path.join(a.out, 'seed.safetensors')
    subprocess.run([a.gsc, '--emit=params', 'models/resnet18.gs', '-o', wpath], check=True)
    sd = read_safetensors(wpath)
    i = np.arange(3 * H * W, dtype=np.int64)
    xin = (((i * 7919) % 2001) - 1000).astype(np.float32) / np.float32(1000.0)
    xpath = os.path.join(a.out, 'input.bin')
    xin.astype('<f4').tofile(xpath)
    x = torch.from_numpy(xin.reshape(1, 3, H, W))

    # PyTorch (train-mode BN) and the two ONNX files
    torch.set_num_threads(threads[0])
    tmodel = load(ResNet18('bn'), sd).train()
    onnx_in = os.path.join(a.out, 'r18_instancenorm.onnx')
    onnx_fold = os.path.join(a.out, 'r18_folded.onnx')
    export(load(ResNet18('in'), sd).eval(), x, onnx_in)
    export(folded_model(sd, x), x, onnx_fold)

    gsc = Worker([a.bench, '--serve', xpath])
    print('gsc worker:', gsc.p.stdout.readline().strip())
    direct = None
    if a.bench_direct:
        direct = Worker([a.bench_direct, '--serve', xpath])
        print('gsc --conv=direct worker:', direct.p.stdout.readline().strip())
    env = dict(os.environ, NODE_PATH=os.path.abspath(a.node_modules))
    ort = Worker(['node', os.path.join(here, 'ort_worker.js'), xpath], env=env)
    ort_version = ort.ask('version')
    for t in threads:
        ort.ask('load in%d %s %d' % (t, onnx_in, t))
        ort.ask('load fold%d %s %d' % (t, onnx_fold, t))

    def run_torch(t, w, n):
        torch.set_num_threads(t)
        out = []
        with torch.no_grad():
            for _ in range(w):
                tmodel(x)
            for _ in range(n):
                t0 = time.perf_counter()
                tmodel(x)
                out.append((time.perf_counter() - t0) * 1e3)
        return out

    peers = {
        'gsc': lambda t, w, n: [float(v) for v in gsc.ask('run %d %d %d' % (t, w, n)).split()],
        'ort-in': lambda t, w, n: [float(v) for v in ort.ask('run in%d %d %d' % (t, w, n)).split()],
        'ort-fold': lambda t, w, n: [float(v) for v in ort.ask('run fold%d %d %d' % (t, w, n)).split()],
        'torch': run_torch,
    }
    if direct:
        peers['gsc-direct'] = lambda t, w, n: [float(v) for v in direct.ask('run %d %d %d' % (t, w, n)).split()]
    names = list(peers)

    # ---- correctness: the same work
    gsc.ask('run 1 0 1')
    gsc.ask('out %s' % os.path.join(a.out, 'y_gsc.bin'))
    y_gsc = np.fromfile(os.path.join(a.out, 'y_gsc.bin'), dtype='<f4')
    ys = {}
    for nm in ('in', 'fold'):
        ort.ask('run %s%d 0 1' % (nm, threads[0]))
        ort.ask('out %s%d %s' % (nm, threads[0], os.path.join(a.out, 'y_ort_%s.bin' % nm)))
        ys['ort-' + nm] = np.fromfile(os.path.join(a.out, 'y_ort_%s.bin' % nm), dtype='<f4')
    with torch.no_grad():
        ys['torch'] = tmodel(x).numpy().reshape(-1)
    if direct:
        direct.ask('run 1 0 1')
        direct.ask('out %s' % os.path.join(a.out, 'y_gsc_direct.bin'))
        ys['gsc-direct'] = np.fromfile(os.path.join(a.out, 'y_gsc_direct.bin'), dtype='<f4')
    print('\nagreement with gsc (max |gsc - peer| / max |peer|, limit %.0e):' % TOL)
    ok = True
    for nm, y in ys.items():
        e = relerr(y_gsc, y)
        must = nm != 'ort-fold'
        ok = ok and (e <= TOL or not must)
        print('  %-9s %.2e  %s' % (nm, e, ('ok' if e <= TOL else 'FAIL') if must else
                                  '(folded BN: same function on this input; informative)'))
    if not ok:
        sys.exit('peers: gsc and a peer disagree: the comparison would not be of the same work')

    # ---- timing: rounds, peer order rotated per round, thread order alternated
    times = {(nm, t): [] for nm in names for t in threads}
    t_start = time.time()
    for r in range(a.rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for t in (threads if r % 2 == 0 else threads[::-1]):
            for nm in order:
                times[(nm, t)] += peers[nm](t, a.warmup, a.per)
                time.sleep(0.02)  # let the last peer's thread pool go idle
    elapsed = time.time() - t_start
    gsc.close()
    ort.close()
    if direct:
        direct.close()

    n = a.rounds * a.per
    print('\nResNet-18, 3x224x224, batch 1, float32; median (min) ms of %d timed runs each, '
          '%d rounds x %d runs after %d warm-up runs; %.0f s' % (n, a.rounds, a.per, a.warmup, elapsed))
    print('onnxruntime-node %s, torch %s' % (ort_version, torch.__version__))
    hdr = '  %-44s' % 'peer'
    for t in threads:
        hdr += '  %dT median (min)    gsc/peer' % t
    print(hdr)
    desc = {'gsc': 'gsc (generated/rn18.c, --conv=auto)',
            'ort-in': 'ORT, BN as InstanceNormalization (seed sem.)',
            'ort-fold': 'ORT, eval BN folded into the convs',
            'torch': 'PyTorch eager, train-mode BN',
            'gsc-direct': 'gsc --conv=direct (no Winograd)'}
    res = {}
    for nm in names:
        line = '  %-44s' % desc[nm]
        for t in threads:
            v = times[(nm, t)]
            med, mn = statistics.median(v), min(v)
            ratio = statistics.median(times[('gsc', t)]) / med
            res['%s/%d' % (nm, t)] = {'median': med, 'min': mn, 'gsc_over_peer': ratio, 'runs': v}
            line += '  %7.2f (%7.2f)  %9.2fx' % (med, mn, ratio)
        print(line)
    for t in threads:
        r = res['gsc/%d' % t]['median'] / res['ort-in/%d' % t]['median']
        print('%d thread(s): gsc / ORT (seed semantics) = %.2fx -> %s the "at most 0.8x" goal'
              % (t, r, 'meets' if r <= 0.8 else 'MISSES'))
        if direct:
            r = res['gsc-direct/%d' % t]['median'] / res['ort-in/%d' % t]['median']
            print('%d thread(s): gsc --conv=direct / ORT (seed semantics) = %.2fx' % (t, r))
    with open(os.path.join(a.out, 'results.json'), 'w') as f:
        json.dump({'ort': ort_version, 'torch': torch.__version__, 'results': res}, f, indent=1)


if __name__ == '__main__':
    main()
