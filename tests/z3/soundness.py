#!/usr/bin/python3
"""soundness.py - checks gsc's shape prover (compiler/prove.c) against Z3.

    /usr/bin/python3 tests/z3/soundness.py [N] [--seed S] [--cli build/prove_cli] [--jobs 2]

Needs Debian's python3-z3 (apt-get install python3-z3). Generates N random
claims "lhs = rhs" / "lhs >= rhs" over one or two symbols x0, x1 with bounds
lo >= 0 and an optional hi, some of them taking only the multiples of a step
m ('where x0 % m == 0'; the claims then include rewrites that hold only on
multiples, such as x0 / d * d = x0 for d dividing m), mostly quasi-affine (+, truncated -, * by a
constant, / and % by a constant, including 0), with a few products of symbols
and divisions by symbols. Many right-hand sides are equivalent rewrites of the
left (so that there are many true claims), others are perturbed or random.
Each claim goes through tests/z3/prove_cli (prove_eq / prove_ge); then:

  TRUE     Z3 must prove the claim for every point of the domain;
  FALSE    the counterexample must lie in the domain and falsify the claim
           when evaluated with Lean Nat semantics (truncated subtraction,
           floor division, x / 0 = 0, x % 0 = x: compiler/dim.c), and Z3
           must agree that the claim is false;
  UNKNOWN  allowed outside the quasi-affine fragment; for a quasi-affine
           claim over one symbol it breaks prove.c's completeness contract
           and counts as a failure.

Disagreements are shrunk to a small claim and printed with the prove_cli
input line that reproduces them. Prints the counts and "N passed, M failed".

Then N/4 random expressions go through prove_cli's NF mode, the normal form
as an expression of the language that dim_simplify writes when it is
shorter (compiler/dim.c): Z3 must prove it equal to the expression on the
whole domain (with the symbols naturals, as the checker's are).
"""
import argparse
import multiprocessing
import os
import random
import subprocess
import sys

import z3

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# ---------------------------------------------------------------- expressions
# ('n', v) | ('s', i) | (op, a, b), op in + - * / %


def nat(op, a, b):
    if op == '+':
        return a + b
    if op == '-':
        return max(a - b, 0)
    if op == '*':
        return a * b
    if op == '/':
        return 0 if b == 0 else a // b
    return a if b == 0 else a % b


def ev(e, vals):
    if e[0] == 'n':
        return e[1]
    if e[0] == 's':
        return vals[e[1]]
    return nat(e[0], ev(e[1], vals), ev(e[2], vals))


def prefix(e):
    if e[0] == 'n':
        return str(e[1])
    if e[0] == 's':
        return 'x%d' % e[1]
    return '%s %s %s' % (e[0], prefix(e[1]), prefix(e[2]))


def infix(e):
    if e[0] == 'n':
        return str(e[1])
    if e[0] == 's':
        return 'x%d' % e[1]
    return '(%s %s %s)' % (infix(e[1]), e[0], infix(e[2]))


def syms(e, acc=None):
    acc = set() if acc is None else acc
    if e[0] == 's':
        acc.add(e[1])
    elif e[0] != 'n':
        syms(e[1], acc)
        syms(e[2], acc)
    return acc


def quasi_affine(e):
    """+, -, and * / % with one constant side (after folding constants)."""
    if e[0] in ('n', 's'):
        return True
    a, b = e[1], e[2]
    if e[0] in ('+', '-'):
        return quasi_affine(a) and quasi_affine(b)
    if e[0] == '*':
        return (not syms(a) or not syms(b)) and quasi_affine(a) and quasi_affine(b)
    return not syms(b) and quasi_affine(a)


def z3e(e, X):
    if e[0] == 'n':
        return z3.IntVal(e[1])
    if e[0] == 's':
        return X[e[1]]
    a, b = z3e(e[1], X), z3e(e[2], X)
    op = e[0]
    if op == '+':
        return a + b
    if op == '-':
        return z3.If(a >= b, a - b, 0)
    if op == '*':
        return a * b
    # Every value is a natural, so Z3's integer div/mod (Euclidean) is floor
    # division and its remainder when the divisor is positive.
    if e[2][0] == 'n':
        c = e[2][1]
        if c == 0:
            return z3.IntVal(0) if op == '/' else a
        return a / c if op == '/' else a % c
    if op == '/':
        return z3.If(b == 0, 0, a / b)
    return z3.If(b == 0, a, a % b)


# ---------------------------------------------------------------- random claims

class G:
    def __init__(self, rng, nsym, nonlinear, steps):
        self.rng = rng
        self.nsym = nsym
        self.nonlinear = nonlinear
        self.steps = steps

    def const(self):
        return ('n', self.rng.choice([0, 1, 1, 2, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16]))

    def divisor(self):
        return ('n', self.rng.choice([0, 1, 2, 2, 2, 3, 3, 4, 5, 6, 7, 8]))

    def expr(self, d):
        r = self.rng
        if d <= 0 or r.random() < 0.25:
            return ('s', r.randrange(self.nsym)) if r.random() < 0.7 else self.const()
        k = r.random()
        if k < 0.25:
            return ('+', self.expr(d - 1), self.expr(d - 1))
        if k < 0.45:
            return ('-', self.expr(d - 1), self.expr(d - 1))
        if k < 0.6:
            c = ('n', r.choice([0, 1, 2, 2, 3, 4, 5]))
            return ('*', c, self.expr(d - 1)) if r.random() < 0.5 else ('*', self.expr(d - 1), c)
        if k < 0.8:
            return ('/', self.expr(d - 1), self.divisor())
        if k < 0.95:
            return ('%', self.expr(d - 1), self.divisor())
        if self.nonlinear:
            if r.random() < 0.5:
                return ('*', self.expr(d - 1), self.expr(d - 1))
            return (r.choice('/%'), self.expr(d - 1), ('+', ('s', r.randrange(self.nsym)), self.const()))
        return ('/', self.expr(d - 1), self.divisor())

    def rewrite(self, e, hi_ok, depth=0):
        """An equivalent expression (Nat semantics), often structurally far."""
        r = self.rng
        if e[0] == 's' and self.steps[e[1]] > 1 and r.random() < 0.6:
            # true on the multiples of the step only
            m = self.steps[e[1]]
            d = ('n', r.choice([k for k in range(2, m + 1) if m % k == 0]))
            k = r.random()
            if k < 0.4:
                return ('*', ('/', e, d), d)
            if k < 0.7:
                return ('+', e, ('%', e, d))
            c = ('n', r.randrange(d[1]))
            return ('-', ('+', e, ('%', ('+', e, c), d)), c) if r.random() < 0.5 else \
                ('*', ('/', ('+', e, c), d), d)
        if depth < 3 and e[0] not in ('n', 's') and r.random() < 0.5:
            e = (e[0], self.rewrite(e[1], hi_ok, depth + 1), self.rewrite(e[2], hi_ok, depth + 1))
        m = r.randint(2, 6)
        M = ('n', m)
        k = r.random()
        if k < 0.08:
            return ('/', ('*', e, M), M)
        if k < 0.16:
            return ('/', ('+', ('*', M, e), ('n', r.randrange(m))), M)
        if k < 0.24:
            return ('+', ('/', e, ('n', 2)), ('/', ('+', e, ('n', 1)), ('n', 2)))
        if k < 0.32:
            return ('+', ('-', e, ('%', e, M)), ('%', e, M))
        if k < 0.38:
            return ('-', ('+', e, M), M)
        if k < 0.44:
            return ('%', e, ('n', 0))            # Lean: x % 0 = x
        if k < 0.5:
            return ('+', e, ('/', e, ('n', 0)))  # x / 0 = 0
        if k < 0.56:
            return ('+', ('*', ('/', e, M), M), ('%', e, M))
        if k < 0.62 and e[0] == '/' and e[2][0] == 'n' and e[2][1] > 0:
            # floor(a / c) = (a - a % c) / c
            return ('/', ('-', e[1], ('%', e[1], e[2])), e[2])
        if k < 0.68 and e[0] == '-':
            # a - b = (a + m) - (b + m)
            return ('-', ('+', e[1], M), ('+', e[2], M))
        if k < 0.74 and e[0] == '*' and e[1][0] == 'n':
            return ('*', e[2], e[1])
        if k < 0.8 and e[0] == '+':
            return ('+', e[2], e[1])
        if k < 0.85 and e[0] == '%' and e[2][0] == 'n' and e[2][1] > 0:
            c = e[2][1]
            return ('%', ('%', e[1], ('n', c * m)), ('n', c))
        if k < 0.9 and e[0] == '/' and e[2][0] == 'n' and e[2][1] > 0:
            c = e[2][1]
            return ('/', ('/', e[1], ('n', c)), ('n', 1)) if r.random() < 0.5 else \
                ('/', ('*', e[1], M), ('n', c * m))
        if k < 0.95 and hi_ok is not None:
            return ('%', e, ('n', hi_ok + r.randint(1, 3)))  # e < M on the domain
        return e

    def claim(self, bounds):
        r = self.rng
        lhs = self.expr(r.randint(1, 4))
        mx = None
        if all(b[1] is not None for b in bounds):
            try:
                mx = max(ev(lhs, [b[1] if (i >> j) & 1 else b[0] for j, b in enumerate(bounds)])
                         for i in range(1 << len(bounds)))
            except Exception:
                mx = None
            # only safe for monotone-ish e; checked anyway by Z3, but keep true:
            mx = None if mx is None else mx + 64
        k = r.random()
        if k < 0.4:
            return 'EQ', lhs, self.rewrite(lhs, mx)
        if k < 0.55:
            rhs = self.rewrite(lhs, mx)
            return 'EQ', lhs, (r.choice('+-'), rhs, ('n', r.choice([1, 1, 2]))) if r.random() < 0.5 else \
                ('/', rhs, ('n', r.choice([2, 3])))
        if k < 0.65:
            return 'EQ', lhs, self.expr(r.randint(1, 3))
        if k < 0.85:
            rhs = self.rewrite(lhs, mx)
            off = ('n', r.choice([0, 0, 1, 2]))
            return 'GE', ('+', lhs, off) if r.random() < 0.7 else lhs, rhs if r.random() < 0.6 else ('-', rhs, off)
        return 'GE', lhs, self.expr(r.randint(1, 3))


def random_claim(rng, nonlinear):
    nsym = 1 if rng.random() < 0.5 else 2
    bounds = []
    for _ in range(nsym):
        lo = rng.choice([0, 0, 0, 1, 1, 2, 3, 5, 10])
        f = rng.random()
        hi = None if f < 0.6 else lo + (rng.randint(0, 40) if f < 0.9 else rng.choice([0, 1000]))
        step = rng.choice([2, 3, 4, 8, 32]) if rng.random() < 0.3 else 0
        bounds.append((lo, hi, step))
    g = G(rng, nsym, nonlinear and rng.random() < 0.15, [b[2] for b in bounds])
    rel, lhs, rhs = g.claim(bounds)
    return rel, bounds, lhs, rhs


def bounds_str(bounds):
    """prove_cli's LO[:STEP] HI per symbol."""
    return ' '.join('%d%s %d' % (lo, ':%d' % m if m > 1 else '', -1 if hi is None else hi) for lo, hi, m in bounds)


def allowed(v, b):
    lo, hi, m = b
    return lo <= v and (hi is None or v <= hi) and (m <= 1 or v % m == 0)


def line(cid, rel, bounds, lhs, rhs):
    b = bounds_str(bounds)
    return '%s %s %d %s %s %s' % (cid, rel, len(bounds), b, prefix(lhs), prefix(rhs))


def show(rel, bounds, lhs, rhs):
    dom = ', '.join('x%d >= %d%s%s' % (i, lo, '' if hi is None else ' and <= %d' % hi,
                                       ' and a multiple of %d' % m if m > 1 else '')
                    for i, (lo, hi, m) in enumerate(bounds))
    return '%s %s %s  for all %s' % (infix(lhs), '=' if rel == 'EQ' else '>=', infix(rhs), dom)


# ---------------------------------------------------------------- gsc and Z3

def run_cli(cli, lines):
    p = subprocess.run([cli], input=('\n'.join(lines) + '\n').encode(), stdout=subprocess.PIPE, timeout=3600)
    out = {}
    for l in p.stdout.decode().splitlines():
        parts = l.split(' ', 2)
        out[parts[0]] = (parts[1], parts[2] if len(parts) > 2 else '')
    return out


def z3_truth(rel, bounds, lhs, rhs, timeout=4000):
    """True (claim holds), (False, model), or None (Z3 unknown)."""
    X = [z3.Int('x%d' % i) for i in range(len(bounds))]
    s = z3.Solver()
    s.set('timeout', timeout)
    for x, (lo, hi, m) in zip(X, bounds):
        s.add(x >= lo)
        if hi is not None:
            s.add(x <= hi)
        if m > 1:
            s.add(x % m == 0)
    a, b = z3e(lhs, X), z3e(rhs, X)
    s.add(z3.Not(a == b if rel == 'EQ' else a >= b))
    r = s.check()
    if r == z3.unsat:
        return True
    if r == z3.sat:
        m = s.model()
        return False, [m.eval(x, model_completion=True).as_long() for x in X]
    return None


def judge(item):
    """Returns (verdict, status, detail): verdict in proved refuted unknown;
    status 'ok', 'fail', 'z3-unknown'."""
    rel, bounds, lhs, rhs, res, info = item
    if res == 'TRUE':
        t = z3_truth(rel, bounds, lhs, rhs)
        if t is True:
            return 'proved', 'ok', ''
        if t is None:
            return 'proved', 'z3-unknown', ''
        return 'proved', 'fail', 'UNSOUND: gsc proved it, Z3 refutes it at %s' % t[1]
    if res == 'FALSE':
        cex = [int(v) for v in info.split()]
        inside = len(cex) == len(bounds) and all(allowed(v, b) for v, b in zip(cex, bounds))
        a, b = ev(lhs, cex), ev(rhs, cex)
        fails = a != b if rel == 'EQ' else a < b
        if not inside or not fails:
            return 'refuted', 'fail', 'BAD COUNTEREXAMPLE %s: in domain %s, lhs %d, rhs %d' % (cex, inside, a, b)
        t = z3_truth(rel, bounds, lhs, rhs)
        if t is True:
            return 'refuted', 'fail', 'Z3 proves the claim gsc refuted at %s' % cex
        return 'refuted', 'ok', ''
    if res == 'UNKNOWN':
        qa = quasi_affine(lhs) and quasi_affine(rhs)
        univ = len(syms(lhs) | syms(rhs)) <= 1
        if qa and univ and 'too large' not in info:
            t = z3_truth(rel, bounds, lhs, rhs)
            z = 'true' if t is True else 'unknown' if t is None else 'false at %s' % t[1]
            return 'unknown', 'fail', 'INCOMPLETE: univariate quasi-affine claim left unknown (%s; Z3: %s)' % (info, z)
        return 'unknown', 'ok', ''
    return 'error', 'fail', 'prove_cli: %s %s' % (res, info)


# ---------------------------------------------------------------- shrinking

def subexprs(e):
    """Smaller candidates for e: its children, constants, a symbol."""
    out = []
    if e[0] not in ('n', 's'):
        out += [e[1], e[2]]
        for i in (1, 2):
            for s in subexprs(e[i])[:6]:
                out.append((e[0], s, e[2]) if i == 1 else (e[0], e[1], s))
    if e[0] == 'n' and e[1] > 1:
        out += [('n', 0), ('n', 1), ('n', e[1] // 2)]
    return out


def shrink(cli, item, status_of):
    rel, bounds, lhs, rhs = item
    best = (rel, bounds, lhs, rhs)

    def still(c):
        out = run_cli(cli, [line('c', *c)])
        res, info = out.get('c', ('ERR', ''))
        v, st, det = judge((c[0], c[1], c[2], c[3], res, info))
        return st == 'fail' and det.split(':')[0] == status_of

    for _ in range(60):
        rel, bounds, lhs, rhs = best
        improved = False
        cands = [(rel, bounds, s, rhs) for s in subexprs(lhs)] + [(rel, bounds, lhs, s) for s in subexprs(rhs)]
        for i, (lo, hi, m) in enumerate(bounds):
            if hi is not None:
                nb = list(bounds)
                nb[i] = (lo, None, m)
                cands.append((rel, nb, lhs, rhs))
            if lo > 0:
                nb = list(bounds)
                nb[i] = (0, hi, m)
                cands.append((rel, nb, lhs, rhs))
        for c in cands:
            if len(prefix(c[2]) + prefix(c[3])) < len(prefix(best[2]) + prefix(best[3])) or c[1] != best[1]:
                if still(c):
                    best = c
                    improved = True
                    break
        if not improved:
            break
    return best


def parse_prefix(toks):
    t = toks.pop(0)
    if t[0] == 'x':
        return ('s', int(t[1:]))
    if t in ('+', '-', '*', '/', '%'):
        a = parse_prefix(toks)
        return (t, a, parse_prefix(toks))
    return ('n', int(t))


def judge_nf(item):
    bounds, e, nf = item
    if nf == 'NONE':
        return 'none', 'ok', ''
    try:
        n = parse_prefix(nf.split())
    except (ValueError, IndexError):
        return 'error', 'fail', 'prove_cli NF: %s' % nf
    t = z3_truth('EQ', bounds, e, n)
    if t is True:
        return 'equal', 'ok', ''
    if t is None:
        return 'equal', 'z3-unknown', ''
    return 'equal', 'fail', 'UNSOUND NORMAL FORM %s of %s, differs at %s' % (infix(n), show('EQ', bounds, e, e), t[1])


def check_simplify(cli, rng, n, jobs):
    """Returns the number of failures."""
    exprs = []
    for _ in range(n):
        rel, bounds, lhs, rhs = random_claim(rng, False)
        exprs.append((bounds, lhs))
    lines = ['s%d NF %d %s %s' % (i, len(b), bounds_str(b), prefix(e)) for i, (b, e) in enumerate(exprs)]
    out = run_cli(cli, lines)
    items = [(b, e, out.get('s%d' % i, ('MISSING', ''))[1]) for i, (b, e) in enumerate(exprs)]
    with multiprocessing.Pool(jobs) as pool:
        verdicts = pool.map(judge_nf, items, chunksize=50)
    failed = [det for v, st, det in verdicts if st == 'fail']
    for det in failed[:20]:
        print('FAIL %s' % det, flush=True)
    print('%d expressions in normal form: %d equal by Z3, %d undecided by Z3, %d without one; %d failed' % (
        n, sum(1 for v, st, d in verdicts if st == 'ok' and v == 'equal'),
        sum(1 for v, st, d in verdicts if st == 'z3-unknown'), sum(1 for v, st, d in verdicts if v == 'none'),
        len(failed)))
    return len(failed)


def main():
    ap = argparse.ArgumentParser(description='gsc prover vs Z3')
    ap.add_argument('n', type=int, nargs='?', default=10000)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--cli', default=os.path.join(ROOT, 'build', 'prove_cli'))
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('--no-nonlinear', action='store_true')
    a = ap.parse_args()
    rng = random.Random(a.seed)
    claims = [random_claim(rng, not a.no_nonlinear) for _ in range(a.n)]
    out = run_cli(a.cli, [line('c%d' % i, *c) for i, c in enumerate(claims)])
    items = []
    for i, c in enumerate(claims):
        res, info = out.get('c%d' % i, ('MISSING', ''))
        items.append(c + (res, info))
    with multiprocessing.Pool(a.jobs) as pool:
        verdicts = pool.map(judge, items, chunksize=50)
    counts = {}
    z3unk = 0
    failed = 0
    for item, (v, st, det) in zip(items, verdicts):
        counts[v] = counts.get(v, 0) + 1
        if st == 'z3-unknown':
            z3unk += 1
        if st == 'fail':
            failed += 1
            if failed <= 20:
                kind = det.split(':')[0]
                small = shrink(a.cli, item[:4], kind)
                print('FAIL %s\n     claim: %s\n     reduced: %s\n     prove_cli input: %s' % (
                    det, show(*item[:4]), show(*small), line('c', *small)), flush=True)
    nl = sum(1 for c in claims if not (quasi_affine(c[2]) and quasi_affine(c[3])))
    print('%d claims (%d outside the quasi-affine fragment): %d proved, %d refuted, %d unknown; '
          'Z3 could not decide %d proved claims' % (a.n, nl, counts.get('proved', 0), counts.get('refuted', 0),
                                                      counts.get('unknown', 0), z3unk))
    print('%d passed, %d failed' % (a.n - failed, failed))
    nf_failed = check_simplify(a.cli, rng, max(a.n // 4, 1), a.jobs)
    return 1 if failed or nf_failed else 0


if __name__ == '__main__':
    sys.exit(main())
