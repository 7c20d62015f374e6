#!/usr/bin/env python3
"""run.py - differential testing of gsc on random programs (tests/random/gen.py).

    python3 tests/random/run.py N [--seed S] [--keep DIR] [--jobs 2] [--ref-every 4]
    python3 tests/random/run.py --replay FILE.gs [--seed S]

For each of N programs (seeds S, S+1, ...):
  1. `gsc --check` must accept it (the generator only writes valid programs);
  2. `gsc -o m.c` (fast kernels), built portably with -O2 against the generic
     driver tests/driver/model_main.c, run with --random-params SEED
     --save-params w.safetensors on a random input;
  3. `gsc --eval --params w.safetensors` on the same input is the oracle:
     relative error max|a - b| / max|b| must be <= 1e-4, unless it is float32
     rounding that the model magnifies, which is measured against float64
     (`gsc --eval --precision=f64`): the generated code may be up to 10x as
     far from the float64 result as (a) the interpreter is, or (b) the float64
     result moves when every weight is scaled by a random 1 +- 1e-6 (about
     what float32 accumulation does to a sum of a few hundred terms; the
     interpreter accumulates in double, so (a) misses a cancelling sum). Such
     a program passes with a NOTE line (a real bug is not that small);
  4. for every --ref-every'th program also `--kernels=reference`, same weights.
  --conv=direct|auto|winograd passes that option to every fast build; the
  default, --conv=alternate, forces Winograd (runtime/gsc_winograd.c) on each
  3x3 stride-1 convolution of the programs with an odd seed and leaves the
  even ones to gsc's default (--conv=auto), so both methods are checked.
A failing program is reduced automatically (choose an earlier output, drop
and bypass nodes, drop annotations, shrink the default sizes) and saved under
tests/random/regress/ with the command that reproduces it. One line per
failure, then "N passed, M failed". Exit status 1 if anything failed.
"""
import argparse
import copy
import multiprocessing
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import gen  # noqa: E402

TOL = 1e-4
ILL_CONDITIONED = 1e-2   # mismatches above this are failures, however conditioned
ROUNDING_FACTOR = 10     # see the header
PERTURB = 1e-6           # relative weight perturbation, see the header
RT = ['gsc_init', 'gsc_kernels', 'gsc_safetensors', 'gsc_fast', 'gsc_winograd']
CC = os.environ.get('CC', 'cc')
CFLAGS = ['-std=c99', '-O2']
G = {}  # per-process settings


def sh(cmd, cwd=None, timeout=300):
    try:
        p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        return p.returncode, p.stdout.decode(errors='replace'), p.stderr.decode(errors='replace')
    except subprocess.TimeoutExpired:
        return -999, '', 'timeout'


NATIVE = ['-std=c99', '-O3', '-march=native', '-fopenmp']


def build_runtime(objdir, flags=None):
    flags = flags or CFLAGS
    os.makedirs(objdir, exist_ok=True)
    for r in RT:
        rc, _, err = sh([CC] + flags + ['-I' + os.path.join(ROOT, 'runtime'), '-c',
                                        os.path.join(ROOT, 'runtime', r + '.c'), '-o',
                                        os.path.join(objdir, r + '.o')])
        if rc:
            sys.exit('cannot build the runtime: ' + err)
    return [os.path.join(objdir, r + '.o') for r in RT]


def read_floats(path):
    with open(path, 'rb') as f:
        b = f.read()
    return struct.unpack('<%df' % (len(b) // 4), b)


def rel_error(a, b):
    if len(a) != len(b):
        return float('inf'), 'sizes differ: %d vs %d' % (len(a), len(b))
    md = mb = 0.0
    for x, y in zip(a, b):
        if x != x or y != y or abs(x) == float('inf') or abs(y) == float('inf'):
            return float('inf'), 'non-finite output'
        md = max(md, abs(x - y))
        mb = max(mb, abs(y))
    return md / max(mb, 1e-30), ''


def header_size(hpath, what):
    with open(hpath) as f:
        for line in f:
            p = line.split()
            if len(p) >= 3 and p[0] == '#define' and p[1].endswith('_' + what):
                return int(p[2].rstrip('uUlL'))
    raise RuntimeError('no %s in %s' % (what, hpath))


def conv_for(seed):
    """The --conv option of program seed's fast builds."""
    if G['conv'] != 'alternate':
        return G['conv']
    return 'winograd' if seed % 2 else 'auto'


def build_model(d, objs, kernels, conv):
    """gsc -o d/m.c, then the driver. Returns (ok, kind, detail)."""
    gsc = G['gsc']
    flags = NATIVE if kernels == 'native' else CFLAGS
    os.makedirs(d, exist_ok=True)
    args = [gsc, os.path.join(d, '..', 'm.gs'), '-o', os.path.join(d, 'm.c')]
    if kernels == 'reference':
        args.insert(1, '--kernels=reference')
    else:
        args.insert(1, '--conv=' + conv)
    if kernels == 'native':
        objs = G['native_objs']
    rc, _, err = sh(args)
    if rc:
        return False, 'gsc -o (%s) exit %d' % (kernels, rc), err.strip().splitlines()[:3]
    rc, _, err = sh([CC] + flags + ['-I' + d, '-I' + os.path.join(ROOT, 'runtime'),
                                     '-DGSC_HEADER="m.h"', '-DGSC_P=m', '-DGSC_PU=M',
                                     os.path.join(ROOT, 'tests', 'driver', 'model_main.c'),
                                     os.path.join(d, 'm.c')] + objs + ['-lm', '-o', os.path.join(d, 'm')])
    if rc:
        return False, 'C build (%s)' % kernels, err.strip().splitlines()[:3]
    return True, '', ''


def perturb_weights(src, dst, seed):
    """Copies a safetensors file with every F32 value scaled by 1 + PERTURB*u,
    u uniform in [-1, 1]."""
    with open(src, 'rb') as f:
        b = f.read()
    n = struct.unpack('<Q', b[:8])[0]
    data = bytearray(b[8 + n:])
    vals = struct.unpack('<%df' % (len(data) // 4), bytes(data[:len(data) // 4 * 4]))
    rng = random.Random(seed)
    data[:len(vals) * 4] = struct.pack('<%df' % len(vals), *[v * (1 + PERTURB * rng.uniform(-1, 1)) for v in vals])
    with open(dst, 'wb') as f:
        f.write(b[:8 + n] + bytes(data))


def float64_results(gs, w, x, wdir):
    """`gsc --eval --precision=f64` with the weights w and with them
    perturbed (see the header): (ref, moved), or None if either failed."""
    def eval64(params, out):
        rc, _, _ = sh([G['gsc'], '--eval', '--precision=f64', gs, '--params', params, '--input', x, '-o', out])
        return read_floats(out) if rc == 0 else None
    ref = eval64(w, os.path.join(wdir, 'y_eval64.bin'))
    wp = os.path.join(wdir, 'w_perturbed.safetensors')
    perturb_weights(w, wp, len(ref or ()))
    moved = eval64(wp, os.path.join(wdir, 'y_eval64_perturbed.bin'))
    return None if ref is None or moved is None else (ref, moved)


def rounding(ev, got, f64):
    """A note if a mismatch between the interpreter (ev) and the generated
    code (got) is float32 rounding, measured against the float64 results f64
    (float64_results); None if it is not."""
    if f64 is None:
        return None
    ref, moved = f64
    e_eval, _ = rel_error(ev, ref)
    e_pert, _ = rel_error(moved, ref)
    e_got, _ = rel_error(got, ref)
    if e_got <= ROUNDING_FACTOR * max(e_eval, e_pert):
        return ('float32 rounding: from float64, the interpreter is %.2g off, weights scaled by 1 +- %g move it '
                '%.2g, the generated code is %.2g off' % (e_eval, PERTURB, e_pert, e_got))
    return None


def check_text(src, wdir, seed, ref, objs, native=False):
    """The whole differential check of one program. Returns None (pass) or
    (kind, detail)."""
    gsc = G['gsc']
    os.makedirs(wdir, exist_ok=True)
    gs = os.path.join(wdir, 'm.gs')
    with open(gs, 'w') as f:
        f.write(src)
    rc, _, err = sh([gsc, '--check', gs])
    if rc:
        lines = [l for l in err.splitlines() if 'error' in l]
        return ('rejected' if rc == 1 else 'gsc --check exit %d' % rc), (lines or err.splitlines())[:2]
    fast = os.path.join(wdir, 'fast')
    ok, kind, det = build_model(fast, objs, 'fast', conv_for(seed))
    if not ok:
        return kind, det
    n_in = header_size(os.path.join(fast, 'm.h'), 'INPUT_SIZE')
    rng = random.Random(seed)
    x = os.path.join(wdir, 'x.bin')
    with open(x, 'wb') as f:
        f.write(struct.pack('<%df' % n_in, *[rng.uniform(-1, 1) for _ in range(n_in)]))
    w = os.path.join(wdir, 'w.safetensors')
    y = os.path.join(wdir, 'y_fast.bin')
    rc, _, err = sh([os.path.join(fast, 'm'), '--random-params', str(seed % 100000), '--save-params', w,
                     '--input', x, '--output', y])
    if rc:
        return 'generated C (fast) exit %d' % rc, err.strip().splitlines()[:2]
    e = os.path.join(wdir, 'y_eval.bin')
    rc, _, err = sh([gsc, '--eval', gs, '--params', w, '--input', x, '-o', e])
    if rc:
        return 'gsc --eval exit %d' % rc, err.strip().splitlines()[:2]
    ev = read_floats(e)
    f64 = []  # the float64 results, computed at the first mismatch

    def judge(variant, got):
        """None if got matches ev (or differs by measured rounding: a NOTE)."""
        err, why = rel_error(got, ev)
        if err <= TOL:
            return None
        if err <= ILL_CONDITIONED:
            if not f64:
                f64.append(float64_results(gs, w, x, wdir))
            note = rounding(ev, got, f64[0])
            if note:
                G['notes'].append('%s kernels, relative error %.3g; %s' % (variant, err, note))
                return None
        return 'mismatch (%s kernels)' % variant, ['relative error %.3g %s' % (err, why)], err
    bad = judge('fast', read_floats(y))
    if bad:
        return bad
    for variant in (['reference'] if ref else []) + (['native'] if native else []):
        rd = os.path.join(wdir, variant)
        ok, kind, det = build_model(rd, objs, variant, conv_for(seed))
        if not ok:
            return kind, det
        y = os.path.join(wdir, 'y_%s.bin' % variant)
        rc, _, err = sh([os.path.join(rd, 'm'), '--params', w, '--input', x, '--output', y])
        if rc:
            return 'generated C (%s) exit %d' % (variant, rc), err.strip().splitlines()[:2]
        bad = judge(variant, read_floats(y))
        if bad:
            return bad
    return None


# ---------------------------------------------------------------- reduction

def renumber(nodes, ret, drop, repl):
    """Removes node index `drop` (value drop + 1), sending its uses to value
    `repl` (< drop + 1)."""
    gone = drop + 1

    def m(i):
        if i == gone:
            i = repl
        return i - 1 if i > gone else i
    out = []
    for j, n in enumerate(nodes):
        if j == drop:
            continue
        n = copy.copy(n)
        n.ins = [m(i) for i in n.ins]
        out.append(n)
    return out, m(ret)


def slice_prog(p):
    """Drops nodes the result does not need, and unused layers."""
    need = {p.ret}
    for j in range(len(p.nodes) - 1, -1, -1):
        if j + 1 in need:
            need.update(p.nodes[j].ins)
    for j in range(len(p.nodes) - 1, -1, -1):
        if j + 1 not in need:
            p.nodes, p.ret = renumber(p.nodes, p.ret, j, 0)
    used = []
    for n in p.nodes:
        if n.layer is not None and n.layer not in used:
            used.append(n.layer)
    p.layers = [L for L in p.layers if L in used]
    return p


def valid(p):
    try:
        gen.elaborate(p)
        gen.emit(p)
        return True
    except gen.Invalid:
        return False


def reduce_prog(prog, still_fails, budget=80):
    """Greedy delta debugging over the IR; still_fails(prog) -> bool."""
    calls = [0]

    def test(p):
        if calls[0] >= budget or not valid(p):
            return False
        calls[0] += 1
        return still_fails(p)
    best = copy.deepcopy(prog)
    p = slice_prog(copy.deepcopy(prog))
    if test(p):
        best = p
    # 1. the earliest value that already fails
    for v in range(0, best.ret):
        p = copy.deepcopy(best)
        p.ret = v
        p = slice_prog(p)
        if test(p):
            best = p
            break
    changed = True
    while changed and calls[0] < budget:
        changed = False
        # 2. bypass nodes: uses of a node go to one of its operands
        for j in range(len(best.nodes) - 1, -1, -1):
            if j >= len(best.nodes):
                continue
            for u in sorted(set(best.nodes[j].ins)):
                p = copy.deepcopy(best)
                p.nodes, p.ret = renumber(p.nodes, p.ret, j, u)
                p = slice_prog(p)
                if test(p):
                    best = p
                    changed = True
                    break
        # 3. no annotations
        if any(n.annot is not None for n in best.nodes):
            p = copy.deepcopy(best)
            for n in p.nodes:
                n.annot = None
            if test(p):
                best = p
                changed = True
        # 4. smaller default sizes
        for attr, lo in (('h0', best.hmin), ('w0', best.wmin)):
            for v in range(lo, getattr(best, attr)):
                p = copy.deepcopy(best)
                setattr(p, attr, v)
                if test(p):
                    best = p
                    changed = True
                    break
    return best


# ---------------------------------------------------------------- workers

def init_worker(gsc, objs, tmp, native_objs=None):
    G['native_objs'] = native_objs
    G['gsc'] = gsc
    G['objs'] = objs
    G['tmp'] = tmp


def one(job):
    seed, ref, keep, reduce_ok, native = job
    wdir = os.path.join(keep or G['tmp'], 'seed_%d' % seed)
    try:
        prog = gen.generate(seed)
        src = gen.emit(prog)
    except Exception as e:  # a generator bug
        return seed, ('generator crashed', [repr(e)]), None
    G['notes'] = []
    res = check_text(src, wdir, seed, ref, G['objs'], native)
    note = '; '.join(G['notes']) or None
    saved = None
    if res is not None and reduce_ok and (res[0].startswith('mismatch') or res[0] == 'rejected'):
        kind = res[0]
        rdir = wdir + '_reduce'

        def still(p):
            r = check_text(gen.emit(p), rdir, seed, ref or 'reference' in kind, G['objs'], native or 'native' in kind)
            return r is not None and r[0] == kind
        small = reduce_prog(prog, still)
        saved = save_regress(seed, gen.emit(small), kind, res[1], ref or 'reference' in kind,
                             native or 'native' in kind)
    if not keep:
        for suf in ('', '_reduce'):
            shutil.rmtree(wdir + suf, ignore_errors=True)
    return seed, res, saved, note


def save_regress(seed, src, kind, detail, ref, native=False):
    d = os.path.join(HERE, 'regress')
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, 'seed%d.gs' % seed)
    rel = os.path.relpath(path, ROOT)
    cmd = 'python3 tests/random/run.py --replay %s --seed %d%s%s' % (rel, seed, ' --ref-every 1' if ref else '',
                                                                     ' --native-every 1' if native else '')
    head = '# %s: %s\n# reduced from tests/random/gen.py %d\n# reproduce (from the repository root): %s\n' % (
        kind, '; '.join(detail), seed, cmd)
    with open(path, 'w') as f:
        f.write(head + src)
    return rel


def main():
    ap = argparse.ArgumentParser(description='differential testing of gsc on random programs')
    ap.add_argument('n', type=int, nargs='?', default=0)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--keep', metavar='DIR')
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('--ref-every', type=int, default=4, help='also --kernels=reference for every K-th program')
    ap.add_argument('--native-every', type=int, default=0,
                    help='also build every K-th program with -O3 -march=native -fopenmp (SIMD kernels)')
    ap.add_argument('--gsc', default=os.path.join(ROOT, 'build', 'gsc'))
    ap.add_argument('--conv', choices=['direct', 'auto', 'winograd', 'alternate'], default='alternate',
                    help='how the fast kernels compute 3x3 stride-1 convolutions (gsc --conv); '
                         'alternate: winograd for odd seeds, auto for even ones')
    ap.add_argument('--no-reduce', action='store_true')
    ap.add_argument('--replay', metavar='FILE.gs', help='check one saved program (e.g. from regress/)')
    a = ap.parse_args()
    G['conv'] = a.conv
    gsc = os.path.abspath(a.gsc)
    tmp = tempfile.mkdtemp(prefix='gsc_random_')
    keep = os.path.abspath(a.keep) if a.keep else None
    try:
        objs = build_runtime(os.path.join(tmp, 'rt'))
        nobjs = build_runtime(os.path.join(tmp, 'rt_native'), NATIVE) if a.native_every > 0 else None
        init_worker(gsc, objs, tmp, nobjs)
        if a.replay:
            with open(a.replay) as f:
                src = f.read()
            G['notes'] = []
            r = check_text(src, os.path.join(keep or tmp, 'replay'), a.seed, a.ref_every == 1, objs,
                           a.native_every == 1)
            for note in G['notes']:
                print('NOTE %s: %s' % (a.replay, note))
            if r:
                print('FAIL %s: %s: %s' % (a.replay, r[0], '; '.join(r[1])))
            print('%d passed, %d failed' % (r is None, r is not None))
            return 1 if r else 0
        jobs = [(a.seed + i, a.ref_every > 0 and i % a.ref_every == 0, keep, not a.no_reduce,
                 a.native_every > 0 and i % a.native_every == 0) for i in range(a.n)]
        failed = 0
        with multiprocessing.Pool(a.jobs, initializer=init_worker, initargs=(gsc, objs, tmp, nobjs)) as pool:
            for seed, res, saved, note in pool.imap_unordered(one, jobs):
                if note:
                    print('NOTE seed %d: %s' % (seed, note), flush=True)
                if res is not None:
                    failed += 1
                    print('FAIL seed %d: %s: %s%s' % (seed, res[0], ' | '.join(res[1]),
                                                       ' (reduced: %s)' % saved if saved else ''), flush=True)
        print('%d passed, %d failed' % (a.n - failed, failed))
        return 1 if failed else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
