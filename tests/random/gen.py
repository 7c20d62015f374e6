#!/usr/bin/env python3
"""gen.py - random well-typed GraphSpec programs for differential testing of gsc.

    python3 tests/random/gen.py SEED [--ops N] [-o FILE]

Every program is meant to be ACCEPTED by `gsc --check`: the generator tracks the
shape of every value as the very Dim tree gsc builds (check.c: window rule
(h + 2*pad - k) / stride + 1, concat sums, flatten products, blocks elaborated by
substitution), with the same constant folding as dim.c's dim_bin, and evaluates it
with Lean Nat semantics. From those trees it writes the shape facts gsc must prove:
let annotations, block signatures, the model result, conv/batchnorm/linear channel
arguments, second block inputs - each in a randomly chosen *equivalent* form
(closed forms ((H + A) / S), dim functions, value-preserving rewrites such as
(2*e + 1) / 2 or e / 2 + (e + 1) / 2), so that the prover is exercised. A
rejection by gsc is a bug in this generator or in gsc.

Side conditions: all window ops are monotone in H and W, so a side condition
h + 2*pad >= k that holds at the 'where' lower bound holds for every size; ops are
only generated when it does. Blocks use only windows valid for every h >= 1.
Batchnorm goes anywhere, over any number of positions: where it magnifies float
rounding past the tolerance, run.py tells rounding from bugs with a float64
evaluation.

The program is kept as a small IR (Program / Block / Layer / Node) so that run.py
can reduce a failing program: drop nodes, bypass nodes, pick another output,
shrink the default sizes; `elaborate()` re-validates every candidate.
"""
import random
import sys
import zlib

# ---------------------------------------------------------------- Dim trees (dim.c)
# ('n', v) | ('s', name) | (op, a, b) with op in + - * / %

def N(v):
    return ('n', v)


def S(name):
    return ('s', name)


def nat_op(op, a, b):
    if op == '+':
        return a + b
    if op == '-':
        return max(a - b, 0)
    if op == '*':
        return a * b
    if op == '/':
        return 0 if b == 0 else a // b
    if op == '%':
        return a if b == 0 else a % b   # dim.c: x % 0 = x (Lean)
    raise ValueError(op)


def B(op, a, b):
    """dim_bin: folds two constants, nothing else."""
    if a[0] == 'n' and b[0] == 'n':
        return N(nat_op(op, a[1], b[1]))
    return (op, a, b)


def dev(d, env):
    k = d[0]
    if k == 'n':
        return d[1]
    if k == 's':
        return env[d[1]]
    return nat_op(k, dev(d[1], env), dev(d[2], env))


def subst(d, m):
    k = d[0]
    if k == 'n':
        return d
    if k == 's':
        return m.get(d[1], d)
    return B(k, subst(d[1], m), subst(d[2], m))


def syms_of(d, acc=None):
    acc = set() if acc is None else acc
    if d[0] == 's':
        acc.add(d[1])
    elif d[0] != 'n':
        syms_of(d[1], acc)
        syms_of(d[2], acc)
    return acc


def is_product(d):
    """A product of two non-constant factors (flatten): normal forms must match
    exactly, so such dims are only ever written as built."""
    if d[0] in ('n', 's'):
        return False
    if d[0] == '*' and syms_of(d[1]) and syms_of(d[2]):
        return True
    return is_product(d[1]) or is_product(d[2])


PREC = {'+': 1, '-': 1, '*': 2, '/': 2, '%': 2}


def text(d):
    k = d[0]
    if k == 'n':
        return str(d[1])
    if k == 's':
        return d[1]
    p = PREC[k]

    def child(c, right):
        t = text(c)
        if c[0] in PREC and (PREC[c[0]] < p or (right and PREC[c[0]] == p)):
            return '(' + t + ')'
        return t
    sep = '*' if k == '*' else ' %s ' % k
    return child(d[1], False) + sep + child(d[2], True)


# ---------------------------------------------------------------- domains

class Domain:
    """Symbols with bounds and defaults; sample points for function equality."""

    def __init__(self, syms):
        self.syms = syms            # name -> (lo, hi or None, default)
        self._pts = None
        self.cache = {}

    def points(self):
        if self._pts is None:
            pts = [{n: v[2] for n, v in self.syms.items()}]
            names = sorted(self.syms)
            for i in range(120):
                e = {}
                for j, n in enumerate(names):
                    lo, hi, _ = self.syms[n]
                    off = i if j % 2 == 0 else (i * 37 + j * 11) % 120
                    if lo <= 1 and hi is None and n not in ('H', 'W', 'h', 'w'):
                        off = (i * (j + 3)) % 7   # parameters: small values
                    v = lo + off
                    if hi is not None:
                        v = lo + off % (hi - lo + 1)
                    e[n] = v
                pts.append(e)
            self._pts = pts
        return self._pts

    def sig(self, d):
        t = text(d)
        s = self.cache.get(t)
        if s is None:
            s = tuple(dev(d, e) for e in self.points())
            self.cache[t] = s
        return s

    def minval(self, d):
        return dev(d, {n: v[0] for n, v in self.syms.items()})

    def maxval(self, d):
        e = {}
        for n in syms_of(d):
            v = self.syms.get(n)
            if v is None or v[1] is None:
                return None
            e[n] = v[1]
        return dev(d, e)

    def default(self, d):
        return dev(d, {n: v[2] for n, v in self.syms.items()})


def shape_sig(dom, shape):
    return tuple(dom.sig(d) for d in shape)


# ---------------------------------------------------------------- equivalent forms

DIMFNS = {
    'down2': ('dim down2(h) = (h - 1) / 2 + 1', 1),
    'outsz': ('dim outsz(h, k, s, p) = (h + 2*p - k) / s + 1', 4),
    'up2': ('dim up2(h) = (h + 1) / 2', 1),
    'cdiv': ('dim cdiv(a, b) = (a + b - 1) / b', 2),
    'same': ('dim same(x) = x', 1),
}


def window_match(d):
    """(inner, k, s, p) when d is exactly gsc's window tree over constants."""
    if d[0] == '+' and d[2] == N(1) and d[1][0] == '/' and d[1][2][0] == 'n':
        s = d[1][2][1]
        sub = d[1][1]
        if sub[0] == '-' and sub[2][0] == 'n' and sub[1][0] == '+' and sub[1][2][0] == 'n':
            k, twop = sub[2][1], sub[1][2][1]
            if twop % 2 == 0 and s >= 1:
                return sub[1][1], k, s, twop // 2
    return None


def closed_form(d):
    """(sym, A, S) with d = floor((sym + A) / S) wherever every window's side
    condition holds, for a pure chain of windows over one symbol."""
    if d[0] == 's':
        return (d[1], 0, 1)
    m = window_match(d)
    if m:
        inner, k, s, p = m
        c = closed_form(inner)
        if c:
            sym, A, Sd = c
            return (sym, A + Sd * (2 * p - k + s), Sd * s)
    return None


class Writer:
    """Writes a Dim in a random equivalent form; records dim functions used."""

    def __init__(self, rng, used_fns, dom, rewrite=True):
        self.rng = rng
        self.used = used_fns
        self.dom = dom
        self.rewrite = rewrite

    def fn(self, name, *args):
        self.used.add(name)
        return '%s(%s)' % (name, ', '.join(args))

    def raw_fn(self, d):
        """The built tree, with window steps written through outsz/down2."""
        m = window_match(d)
        if m:
            inner, k, s, p = m
            it = self.raw_fn(inner)
            if (k, s, p) in ((3, 2, 1), (1, 2, 0), (5, 2, 2)) and self.rng.random() < 0.5:
                return self.fn('down2', it)
            return self.fn('outsz', it, str(k), str(s), str(p))
        return text(d) if d[0] in ('n', 's') else '(' + text(d) + ')'

    def closed(self, d):
        c = closed_form(d)
        if not c:
            return None
        sym, A, Sd = c
        r = self.rng.random()
        if Sd == 1:
            return sym if A == 0 else ('%s + %d' % (sym, A) if A > 0 else '%s - %d' % (sym, -A))
        if Sd == 2 and A == 1 and r < 0.3:
            return self.fn('up2', sym)
        if A - Sd + 1 >= 0 and r < 0.5:
            a2 = A - Sd + 1
            return self.fn('cdiv', sym + (' + %d' % a2 if a2 else ''), str(Sd))
        if A >= 0:
            return '(%s + %d) / %d' % (sym, A, Sd)
        return '(%s - %d) / %d' % (sym, -A, Sd)

    def noise(self, e, d):
        """A value-preserving rewrite of text e (the value of d, d >= 1)."""
        rng = self.rng
        m = rng.randint(2, 5)
        choices = [
            lambda: '(%s) + 0' % e,
            lambda: '(%s) * 1' % e,
            lambda: '(%s) / 1' % e,
            lambda: '(%s) * %d / %d' % (e, m, m),
            lambda: '(%s) + %d - %d' % (e, m, m),
            lambda: '(%d*(%s) + %d) / %d' % (m, e, rng.randrange(m), m),
            lambda: '2*(%s) - (%s)' % (e, e),
            lambda: '(%s) - 1 + 1' % e,
            lambda: '(%s) / 2 + ((%s) + 1) / 2' % (e, e),
            lambda: '(%s) - (%s) %% 2 + (%s) %% 2' % (e, e, e),
            lambda: '(%s) + (%s) %% 1' % (e, e),
            lambda: self.fn('same', e),
            lambda: '(%s) + %d - (%s)' % (e, m, e) + ' + (%s) - %d' % (e, m),
        ]
        mx = self.dom.maxval(d) if self.dom else None
        if mx is not None:
            M = mx + rng.randint(1, 5)
            choices.append(lambda: '(%s) %% %d' % (e, M))
            choices.append(lambda: '(%s) / %d + (%s)' % (e, M, e))
        return rng.choice(choices)()

    def write(self, d):
        if is_product(d):
            return text(d)
        rng = self.rng
        r = rng.random()
        e = None
        if r < 0.3:
            e = self.closed(d)
        elif r < 0.55:
            e = self.raw_fn(d)
        if e is None:
            e = text(d)
        if self.rewrite and rng.random() < 0.35:
            e = self.noise(e, d)
            if rng.random() < 0.2:
                e = self.noise(e, d)
        return e


# ---------------------------------------------------------------- IR

class Layer:
    def __init__(self, name, kind, **kw):
        self.name = name
        self.kind = kind          # conv bn linear block seq | relu maxpool avgpool (seq members)
        self.a = kw               # conv: cout k s p; linear: out; block: block, args; seq: members
        self.first_in = None      # shape at the first application (elaborate)


class Node:
    def __init__(self, op, ins, layer=None, **kw):
        self.op = op              # apply relu maxpool avgpool gap flatten softmax add concat
        self.ins = ins            # value ids (0 = input; node i makes value i + 1 ... in its scope)
        self.layer = layer        # Layer (op == 'apply')
        self.a = kw               # pools: k s p
        self.annot = None         # writer seed for a let annotation
        self.inline = False


class Block:
    def __init__(self, name):
        self.name = name
        self.params = []          # [(name, default or None)]
        self.two_inputs = False
        self.in2_seed = 0
        self.layers = []
        self.nodes = []
        self.ret = None
        self.res_seed = 0
        self.local = None         # block-local elaboration


class Program:
    def __init__(self):
        self.params = []          # [(name, default)]
        self.rank1 = False
        self.in_ch = None         # Dim of input channels / length
        self.hmin = self.wmin = 1
        self.hmax = self.wmax = None
        self.h0 = self.w0 = 1
        self.blocks = []
        self.layers = []
        self.nodes = []
        self.ret = None
        self.res_seed = 0
        self.seed = 0

    def domain(self):
        syms = {n: (1, None, v) for n, v in self.params}
        if not self.rank1:
            syms['H'] = (self.hmin, self.hmax, self.h0)
            syms['W'] = (self.wmin, self.wmax, self.w0)
        return Domain(syms)

    def input_shape(self):
        if self.rank1:
            return [self.in_ch]
        return [self.in_ch, S('H'), S('W')]


class Invalid(Exception):
    pass


# ---------------------------------------------------------------- elaboration (check.c)

class Scope:
    """Elaborates a list of nodes: values are shapes (lists of Dims)."""

    def __init__(self, dom, pmap):
        self.dom = dom
        self.pmap = pmap          # block symbols -> Dims (identity for block-local)

    def attr(self, d):
        return subst(d, self.pmap) if isinstance(d, tuple) else N(d)

    def window(self, sh, k, s, p, cout=None):
        if len(sh) != 3:
            raise Invalid('window on rank %d' % len(sh))
        out = [cout if cout is not None else sh[0]]
        for d in sh[1:]:
            padded = B('+', d, B('*', N(2), p))
            if self.dom is not None and self.dom.minval(padded) < self.dom.minval(k):
                raise Invalid('side condition')
            out.append(B('+', B('/', B('-', padded, k), s), N(1)))
        return out

    def bn(self, sh):
        if len(sh) != 3:
            raise Invalid('bn rank')
        return sh

    def same(self, a, b):
        if self.dom is None:
            return True
        return self.dom.sig(a) == self.dom.sig(b)

    def layer_apply(self, L, sh, ins_shapes):
        kind = L.kind
        if L.first_in is None:
            L.first_in = sh
        elif kind in ('conv', 'bn', 'linear', 'block', 'seq'):
            if kind == 'block':
                # parameter shapes depend on the operand channels
                if not self.same(L.first_in[0], sh[0]) or len(L.first_in) != len(sh):
                    raise Invalid('shared block on other channels')
            elif not self.same(L.first_in[0], sh[0]) or len(L.first_in) != len(sh):
                raise Invalid('shared layer on other channels')
        if kind == 'conv':
            a = L.a
            if len(sh) != 3:
                raise Invalid('conv rank')
            return self.window(sh, self.attr(a['k']), self.attr(a['s']), self.attr(a['p']), self.attr(a['cout']))
        if kind == 'bn':
            return self.bn(sh)
        if kind == 'linear':
            if len(sh) != 1:
                raise Invalid('linear rank')
            return [self.attr(L.a['out'])]
        if kind == 'relu':
            return sh
        if kind in ('maxpool', 'avgpool'):
            return self.window(sh, self.attr(L.a['k']), self.attr(L.a['s']), self.attr(L.a['p']))
        if kind == 'seq':
            for m in L.a['members']:
                sh = self.layer_apply(m, sh, [sh])
            return sh
        if kind == 'block':
            return apply_block(self, L.a['block'], [None if x is None else self.attr(x) for x in L.a['args']],
                               ins_shapes)
        raise Invalid(kind)

    def run(self, nodes, vals):
        vals = list(vals)
        for n in nodes:
            ins = [vals[i] for i in n.ins]
            sh = ins[0]
            if n.op == 'apply':
                out = self.layer_apply(n.layer, sh, ins)
            elif n.op == 'relu':
                out = sh
            elif n.op in ('maxpool', 'avgpool'):
                out = self.window(sh, N(n.a['k']), N(n.a['s']), N(n.a['p']))
            elif n.op == 'gap':
                if len(sh) != 3:
                    raise Invalid('gap rank')
                out = [sh[0]]
            elif n.op == 'flatten':
                if HARD_FLATTEN is False and not flatten_ok(sh):
                    raise Invalid('flatten of a product gsc cannot bound (see flatten_ok)')
                d = sh[0]
                for x in sh[1:]:
                    d = B('*', d, x)
                out = [d]
            elif n.op == 'softmax':
                if len(sh) != 1:
                    raise Invalid('softmax rank')
                out = sh
            elif n.op == 'add':
                a, b = ins
                if len(a) != len(b) or not all(self.same(x, y) for x, y in zip(a, b)):
                    raise Invalid('add shapes')
                if any(is_product(x) or is_product(y) for x, y in zip(a, b) if text(x) != text(y)):
                    raise Invalid('add of differently built products')
                out = a
            elif n.op == 'concat':
                out = list(sh)
                for o in ins[1:]:
                    if len(o) != len(sh) or not all(self.same(x, y) for x, y in zip(sh[1:], o[1:])):
                        raise Invalid('concat shapes')
                    if any(is_product(x) or is_product(y) for x, y in zip(sh[1:], o[1:]) if text(x) != text(y)):
                        raise Invalid('concat of differently built products')
                    out[0] = B('+', out[0], o[0])
            else:
                raise Invalid(n.op)
            vals.append(out)
        return vals


HARD_FLATTEN = True  # flatten any product (see flatten_ok)


def flatten_ok(sh):
    """With --easy-flatten, only products whose factors have non-negative
    normal forms are flattened (gsc once failed to prove (H - 2)*(W - 2) >= 1
    for a valid k=3 pad=0 conv before flatten; it now proves products factor
    by factor, and such products are generated by default)."""
    for d in sh[1:]:
        c = closed_form(d)
        if d[0] == 'n':
            continue
        if c is None or c[1] < 0:
            return False
    return True


def block_local(blk):
    """Elaborates a block over its own symbols (for writing its text)."""
    if blk.local is None:
        pm = {'c': S('c'), 'h': S('h'), 'w': S('w')}
        for name, _ in blk.params:
            pm[name] = S(name)
        syms = {'c': (1, None, 3), 'h': (1, None, 5), 'w': (1, None, 5)}
        for name, dflt in blk.params:
            syms[name] = (1, None, dflt or 3)
        dom = Domain(syms)
        sc = Scope(dom, pm)
        for L in blk.layers:
            reset_layer(L)
        x = [S('c'), S('h'), S('w')]
        vals = sc.run(blk.nodes, [x, x] if blk.two_inputs else [x])
        blk.local = (dom, vals, {L.name: L.first_in for L in blk.layers})
    return blk.local


def reset_layer(L):
    L.first_in = None
    for m in L.a.get('members', []):
        reset_layer(m)


def apply_block(sc, blk, args, ins_shapes):
    """One instance: the body again, over the operand's Dims (gsc substitutes)."""
    x = ins_shapes[0]
    if len(x) != 3:
        raise Invalid('block rank')
    pm = {'c': x[0], 'h': x[1], 'w': x[2]}
    for (name, dflt), a in zip(blk.params, args):
        pm[name] = a if a is not None else N(dflt)
    if blk.two_inputs:
        y = ins_shapes[1]
        if len(y) != 3 or not all(sc.same(p, q) for p, q in zip(x, y)):
            raise Invalid('second block input')
    inner = Scope(sc.dom, pm)
    saved = [(L, L.first_in) for L in blk.layers]
    for L in blk.layers:
        reset_layer(L)
    vals = inner.run(blk.nodes, [x, ins_shapes[1]] if blk.two_inputs else [x])
    for L, f in saved:
        L.first_in = f
    return vals[blk.ret]


def defaults_env(dom):
    return {n: v[2] for n, v in dom.syms.items()}


def elaborate(prog):
    """Validates the whole program; returns (dom, model values) or raises Invalid."""
    dom = prog.domain()
    for L in prog.layers:
        reset_layer(L)
    sc = Scope(dom, {})
    vals = sc.run(prog.nodes, [prog.input_shape()])
    if prog.ret is None or prog.ret >= len(vals):
        raise Invalid('no result')
    for L in prog.layers:
        if L.first_in is None:
            raise Invalid('layer never applied')
    return dom, vals


# ---------------------------------------------------------------- generation

CH = [1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 18, 20]
MAXCH = 40


class Gen:
    def __init__(self, seed, nops):
        self.rng = random.Random(seed)
        self.nops = nops
        self.seed = seed

    def ch(self):
        return self.rng.choice(CH)

    # ---- blocks
    def gen_block(self, idx):
        rng = self.rng
        blk = Block('blk%d' % idx)
        blk.params = [('co', None)]
        if rng.random() < 0.4:
            blk.params.append(('kk', rng.choice([1, 3, 5])))
        blk.two_inputs = rng.random() < 0.25
        blk.in2_seed = rng.randrange(1 << 30)
        blk.res_seed = rng.randrange(1 << 30)
        pm = {'c': S('c'), 'h': S('h'), 'w': S('w'), 'co': S('co')}
        for name, _ in blk.params:
            pm[name] = S(name)
        syms = {'c': (1, None, 3), 'h': (1, None, 5), 'w': (1, None, 5), 'co': (1, None, 4)}
        if len(blk.params) > 1:
            syms['kk'] = (1, None, blk.params[1][1])
        dom = Domain(syms)
        x = [S('c'), S('h'), S('w')]
        vals = [x, x] if blk.two_inputs else [x]
        sc = Scope(dom, pm)
        nl = [0]

        def lname(base):
            nl[0] += 1
            return '%s%d' % (base, nl[0])
        target = rng.randint(1, 5)
        tries = 0
        while len(blk.nodes) < target and tries < 60:
            tries += 1
            v = len(vals) - 1 if rng.random() < 0.6 else rng.randrange(len(vals))
            sh = vals[v]
            r = rng.random()
            node = None
            if r < 0.35:
                k = rng.choice([1, 3, 5])
                kd, pd = N(k), N((k - 1) // 2)
                if len(blk.params) > 1 and rng.random() < 0.4:
                    kd = S('kk')
                    pd = B('/', B('-', S('kk'), N(1)), N(2))
                elif rng.random() < 0.2:
                    pd = N((k + 1) // 2)
                cout = rng.choice([S('co'), S('co'), S('c'), N(self.ch()), B('*', N(2), S('co'))])
                L = Layer(lname('conv'), 'conv', cout=cout, k=kd, s=N(rng.choice([1, 1, 2])), p=pd)
                blk.layers.append(L)
                node = Node('apply', [v], L)
            elif r < 0.5:
                L = Layer(lname('bn'), 'bn')
                blk.layers.append(L)
                node = Node('apply', [v], L)
            elif r < 0.62:
                node = Node('relu', [v])
            elif r < 0.72:
                k = rng.choice([1, 2, 3])
                p = {1: 0, 2: 1, 3: 1}[k]
                node = Node(rng.choice(['maxpool', 'avgpool']), [v], k=k, s=rng.choice([1, 2]), p=p)
            elif r < 0.9:
                sg = shape_sig(dom, sh)
                cands = [i for i in range(len(vals)) if i != v and shape_sig(dom, vals[i]) == sg]
                if cands:
                    node = Node('add', [v, rng.choice(cands)])
                elif rng.random() < 0.5:
                    node = Node('add', [v, v])
            else:
                sg = [dom.sig(d) for d in sh[1:]]
                cands = [i for i in range(len(vals)) if [dom.sig(d) for d in vals[i][1:]] == sg]
                node = Node('concat', [v] + [rng.choice(cands) for _ in range(rng.randint(1, 2))])
            if node is None:
                continue
            try:
                snap = [(L, L.first_in) for L in blk.layers]
                vals = sc.run([node], vals)
                blk.nodes.append(node)
                if rng.random() < 0.3:
                    node.annot = rng.randrange(1 << 30)
            except Invalid:
                if node.layer is not None and node.layer in blk.layers:
                    blk.layers.remove(node.layer)
                for L, f in snap:
                    L.first_in = f
        if not blk.nodes:
            node = Node('relu', [0])
            blk.nodes.append(node)
            vals = sc.run([node], vals)
        blk.ret = len(vals) - 1
        return blk

    # ---- model
    def gen(self):
        rng = self.rng
        prog = Program()
        prog.seed = self.seed
        prog.res_seed = rng.randrange(1 << 30)
        prog.rank1 = rng.random() < 0.1
        if rng.random() < 0.4:
            prog.params.append(('cin', rng.randint(1, 4)))
            prog.in_ch = S('cin')
        else:
            prog.in_ch = N(rng.randint(1, 5) if not prog.rank1 else rng.randint(1, 40))
        if rng.random() < 0.4:
            prog.params.append(('ncls', rng.randint(1, 12)))
        if not prog.rank1:
            prog.hmin = rng.choice([1, 1, 2, 3, 4, 5, 6, 8])
            prog.wmin = rng.choice([1, 1, 2, 3, 4, 5, 6, 8])
            if rng.random() < 0.3:
                prog.hmax = prog.hmin + rng.randint(0, 30)
            if rng.random() < 0.3:
                prog.wmax = prog.wmin + rng.randint(0, 30)
            prog.h0 = rng.randint(prog.hmin, min(prog.hmax or 20, 20))
            prog.w0 = rng.randint(prog.wmin, min(prog.wmax or 20, 20))
            if prog.h0 < prog.hmin:
                prog.h0 = prog.hmin
            if prog.w0 < prog.wmin:
                prog.w0 = prog.wmin
            for i in range(rng.choice([0, 1, 1, 2, 3])):
                prog.blocks.append(self.gen_block(i))
        dom = prog.domain()
        sc = Scope(dom, {})
        vals = [prog.input_shape()]
        self.nl = 0
        tries = 0
        while len(prog.nodes) < self.nops and tries < self.nops * 8:
            tries += 1
            for node, new_layers in self.propose(prog, dom, vals):
                snap = [(L, L.first_in) for L in prog.layers]
                for L in new_layers:
                    reset_layer(L)
                try:
                    vals = sc.run([node], vals)
                except Invalid:
                    for L, f in snap:
                        L.first_in = f
                    break
                prog.layers.extend(new_layers)
                prog.nodes.append(node)
                if rng.random() < 0.4:
                    node.annot = rng.randrange(1 << 30)
            # keep the values small
            if vals[-1] and len(vals[-1]) == 3 and dom.default(vals[-1][0]) > MAXCH:
                break
        self.finish(prog, dom, sc, vals)
        return prog

    def lname(self, base):
        self.nl += 1
        return '%s%d' % (base, self.nl)

    def pick(self, vals, rank=None):
        rng = self.rng
        idx = [i for i in range(len(vals)) if rank is None or len(vals[i]) == rank]
        if not idx:
            return None
        if rng.random() < 0.55:
            return idx[-1]
        return rng.choice(idx[-6:] if rng.random() < 0.7 else idx)

    def conv_layer(self, dom, sh, cout=None, k=None, s=None, p=None):
        rng = self.rng
        k = k if k is not None else rng.choice([1, 3, 5])
        s = s if s is not None else rng.choice([1, 1, 2])
        if p is None:
            need = max(0, (k - min(dom.minval(sh[1]), dom.minval(sh[2])) + 1) // 2)
            p = max(need, rng.choice([0, (k - 1) // 2, (k - 1) // 2, k // 2 + 1, k - 1]))
            p = min(p, max(k - 1, need))
        if cout is None:
            cout = N(self.ch()) if rng.random() < 0.85 or not dom.syms.get('cin') else S('cin')
        return Layer(self.lname('conv'), 'conv', cout=cout, k=N(k), s=N(s), p=N(p))

    def pool_node(self, dom, v, sh):
        rng = self.rng
        k = rng.choice([1, 2, 3, 3, 5])
        s = rng.choice([1, 2, 2])
        need = max(0, (k - min(dom.minval(sh[1]), dom.minval(sh[2])) + 1) // 2)
        p = rng.choice([0, 0, k // 2, k // 2, k - 1, k]) if rng.random() < 0.95 else k
        p = max(p, need)
        return Node(rng.choice(['maxpool', 'avgpool']), [v], k=k, s=s, p=p)

    def propose(self, prog, dom, vals):
        """A few nodes (with the layers they declare) to append."""
        rng = self.rng
        r = rng.random()
        v = self.pick(vals, 1 if prog.rank1 else None)
        sh = vals[v]
        if len(sh) == 1:
            return self.propose1(prog, dom, vals, v, sh)
        if r < 0.2:
            L = self.conv_layer(dom, sh)
            return [(Node('apply', [v], L), [L])]
        if r < 0.3:
            L = Layer(self.lname('bn'), 'bn')
            return [(Node('apply', [v], L), [L])]
        if r < 0.37:
            return [(Node('relu', [v]), [])]
        if r < 0.45:
            return [(self.pool_node(dom, v, sh), [])]
        if r < 0.52:
            return self.residual(dom, vals, v, sh)
        if r < 0.58:
            return self.two_paths(dom, vals, v, sh)
        if r < 0.66:
            return self.opportunistic(dom, vals, v, sh)
        if r < 0.76 and prog.blocks:
            blk = rng.choice(prog.blocks)
            args = []
            for name, dflt in blk.params:
                if dflt is not None and rng.random() < 0.5:
                    args.append(None)
                elif name == 'kk':
                    args.append(N(rng.choice([1, 3, 5])))
                else:
                    args.append(N(self.ch()) if rng.random() < 0.8 or 'cin' not in dom.syms else S('cin'))
            L = Layer(self.lname('b'), 'block', block=blk, args=args)
            ins = [v, v]
            if blk.two_inputs:
                sg = shape_sig(dom, sh)
                c = [i for i in range(len(vals)) if shape_sig(dom, vals[i]) == sg]
                ins[1] = rng.choice(c)
            return [(Node('apply', ins[:2 if blk.two_inputs else 1], L), [L])]
        if r < 0.84:
            return self.seq(prog, dom, v, sh)
        if r < 0.92:
            # re-apply an existing layer (shared parameters)
            shared = [L for L in prog.layers if L.kind in ('conv', 'bn', 'block', 'seq') and L.first_in
                      and len(L.first_in) == 3 and dom.sig(L.first_in[0]) == dom.sig(sh[0])]
            if shared:
                L = rng.choice(shared)
                ins = [v]
                if L.kind == 'block' and L.a['block'].two_inputs:
                    ins = [v, v]
                return [(Node('apply', ins, L), [])]
            return []
        if r < 0.96 and len(prog.nodes) > self.nops // 2:
            return [(Node(rng.choice(['gap', 'flatten']), [v]), [])]
        return [(Node('relu', [v]), [])]

    def propose1(self, prog, dom, vals, v, sh):
        rng = self.rng
        r = rng.random()
        if r < 0.35:
            out = N(self.ch()) if rng.random() < 0.8 or 'ncls' not in dom.syms else S('ncls')
            L = Layer(self.lname('fc'), 'linear', out=out)
            return [(Node('apply', [v], L), [L])]
        if r < 0.5:
            return [(Node('relu', [v]), [])]
        if r < 0.58:
            return [(Node('softmax', [v]), [])]
        if r < 0.75:
            shared = [L for L in prog.layers if L.kind == 'linear' and dom.sig(L.first_in[0]) == dom.sig(sh[0])]
            if shared:
                return [(Node('apply', [v], rng.choice(shared)), [])]
            # a residual around a square linear layer
            L = Layer(self.lname('fc'), 'linear', out=sh[0])
            n1 = Node('apply', [v], L)
            return [(n1, [L]), (Node('add', [len(vals), v]), [])]
        if r < 0.88:
            return self.opportunistic(dom, vals, v, sh)
        c = [i for i in range(len(vals)) if len(vals[i]) == 1 and (not is_product(vals[i][0]) or True)]
        return [(Node('concat', [v, rng.choice(c)]), [])]

    def opportunistic(self, dom, vals, v, sh):
        rng = self.rng
        sg = shape_sig(dom, sh)
        same = [i for i in range(len(vals)) if i != v and shape_sig(dom, vals[i]) == sg]
        if same and rng.random() < 0.6:
            return [(Node('add', [v, rng.choice(same)]), [])]
        if len(sh) == 3:
            sg2 = [dom.sig(d) for d in sh[1:]]
            c = [i for i in range(len(vals)) if len(vals[i]) == 3 and [dom.sig(d) for d in vals[i][1:]] == sg2]
            tot = dom.default(sh[0])
            ins = [v]
            for _ in range(rng.randint(1, 2)):
                i = rng.choice(c)
                if tot + dom.default(vals[i][0]) <= MAXCH:
                    ins.append(i)
                    tot += dom.default(vals[i][0])
            if len(ins) > 1:
                return [(Node('concat', ins), [])]
            return []
        c = [i for i in range(len(vals)) if len(vals[i]) == 1]
        return [(Node('concat', [v, rng.choice(c)]), [])]

    def residual(self, dom, vals, v, sh):
        """v -> shape-preserving chain -> + v."""
        rng = self.rng
        out = []
        cur = v
        nid = len(vals)
        for _ in range(rng.randint(1, 3)):
            r = rng.random()
            if r < 0.5:
                k = rng.choice([1, 3, 5])
                L = self.conv_layer(dom, sh, cout=sh[0], k=k, s=1, p=(k - 1) // 2)
                out.append((Node('apply', [cur], L), [L]))
            elif r < 0.7:
                L = Layer(self.lname('bn'), 'bn')
                out.append((Node('apply', [cur], L), [L]))
            elif r < 0.85:
                out.append((Node('relu', [cur]), []))
            else:
                out.append((Node(rng.choice(['maxpool', 'avgpool']), [cur], k=3, s=1, p=1), []))
            cur = nid
            nid += 1
        out.append((Node('add', [cur, v] if rng.random() < 0.5 else [v, cur]), []))
        return out

    def two_paths(self, dom, vals, v, sh):
        """Two different windows with the same stride and 2p - k: equal shapes."""
        rng = self.rng
        s = rng.choice([1, 2, 2])
        t = rng.choice([-1, -1, -3, 1, 0, -2])
        opts = [(k, p) for k in (1, 2, 3, 5) for p in range(0, 4) if 2 * p - k == t and p <= k]
        mn = min(dom.minval(sh[1]), dom.minval(sh[2]))
        if mn + t < 0 or not opts:
            return []
        out = []
        ends = []
        nid = len(vals)
        cout = N(self.ch())
        for _ in range(2):
            k, p = rng.choice(opts)
            if k % 2 == 1 and rng.random() < 0.6:
                L = self.conv_layer(dom, sh, cout=cout, k=k, s=s, p=p)
                out.append((Node('apply', [v], L), [L]))
                ends.append(nid)
                nid += 1
            else:
                out.append((Node(rng.choice(['maxpool', 'avgpool']), [v], k=k, s=s, p=p), []))
                nid += 1
                L = self.conv_layer(dom, sh, cout=cout, k=1, s=1, p=0)
                out.append((Node('apply', [nid - 1], L), [L]))
                ends.append(nid)
                nid += 1
        out.append((Node('add', ends), []))
        return out

    def seq(self, prog, dom, v, sh):
        rng = self.rng
        members = []
        name = self.lname('s')
        cur = sh
        sc = Scope(dom, {})
        for i in range(rng.randint(1, 4)):
            r = rng.random()
            mname = '%s.%d' % (name, i)
            if r < 0.4:
                m = self.conv_layer(dom, cur)
            elif r < 0.55:
                m = Layer(mname, 'bn')
            elif r < 0.7:
                m = Layer(mname, 'relu')
            elif r < 0.85 or not prog.blocks:
                n = self.pool_node(dom, 0, cur)
                m = Layer(mname, n.op, k=N(n.a['k']), s=N(n.a['s']), p=N(n.a['p']))
            else:
                blk = rng.choice(prog.blocks)
                if blk.two_inputs:
                    continue
                args = [N(self.ch()) if nm != 'kk' else N(rng.choice([1, 3, 5])) for nm, _ in blk.params]
                m = Layer(mname, 'block', block=blk, args=args)
            m.name = mname
            try:
                reset_layer(m)
                cur = sc.layer_apply(m, cur, [cur])
            except Invalid:
                break
            members.append(m)
        if not members:
            return []
        L = Layer(name, 'seq', members=members)
        return [(Node('apply', [v], L), [L])]

    def finish(self, prog, dom, sc, vals):
        rng = self.rng
        last = len(vals) - 1
        sh = vals[last]
        if len(sh) == 3 and rng.random() < 0.3:
            prog.ret = last
            return
        nodes = []
        if len(sh) == 3:
            op = rng.choice(['gap', 'flatten', 'flatten'])
            if not (HARD_FLATTEN or flatten_ok(sh)):
                op = 'gap'
            nodes.append((Node(op, [last]), []))
        out = S('ncls') if 'ncls' in dom.syms else N(rng.randint(1, 12))
        L = Layer(self.lname('head'), 'linear', out=out)
        nodes.append((Node('apply', [len(vals) - 1 + len(nodes)], L), [L]))
        if rng.random() < 0.5:
            nodes.append((Node('softmax', [len(vals) - 1 + len(nodes)]), []))
        for node, ls in nodes:
            for L in ls:
                reset_layer(L)
            vals = sc.run([node], vals)
            prog.layers.extend(ls)
            prog.nodes.append(node)
        prog.ret = len(vals) - 1


# ---------------------------------------------------------------- emission

class Emitter:
    def __init__(self, prog):
        self.prog = prog
        self.used_fns = set()

    def writer(self, seed, dom, rewrite=True):
        return Writer(random.Random(seed), self.used_fns, dom, rewrite)

    def layer_decl(self, L, first_in, w, local_first=None):
        """The right-hand side of a layer declaration."""
        k = L.kind
        a = L.a
        if k == 'conv':
            cin = w.write(first_in[0])
            parts = ['%s -> %s' % (cin, text(a['cout'])), 'k=%s' % text(a['k'])]
            if a['s'] != N(1) or w.rng.random() < 0.3:
                parts.append('stride=%s' % text(a['s']))
            if a['p'] != N(0) or w.rng.random() < 0.3:
                parts.append('pad=%s' % text(a['p']))
            if w.rng.random() < 0.1:
                parts = ['cin=%s' % cin, 'cout=%s' % text(a['cout'])] + parts[1:]
            return 'conv2d(%s)' % ', '.join(parts)
        if k == 'bn':
            c = w.write(first_in[0])
            return 'batchnorm(%s)' % c if w.rng.random() < 0.8 else 'batchnorm(c=%s)' % c
        if k == 'linear':
            return 'linear(%s -> %s)' % (w.write(first_in[0]), text(a['out']))
        if k == 'relu':
            return 'relu'
        if k in ('maxpool', 'avgpool'):
            return '%s2d(k=%s, stride=%s, pad=%s)' % (k, text(a['k']), text(a['s']), text(a['p']))
        if k == 'block':
            blk = a['block']
            args = []
            kw = w.rng.random() < 0.3
            for (name, dflt), x in zip(blk.params, a['args']):
                if x is None:
                    continue
                args.append(('%s=%s' % (name, text(x))) if kw else text(x))
            if not args:
                return blk.name
            return '%s(%s)' % (blk.name, ', '.join(args))
        if k == 'seq':
            ms = []
            for m, fi in zip(a['members'], local_first):
                ms.append(self.layer_decl(m, fi, w))
            return 'seq(%s)' % ', '.join(ms)
        raise ValueError(k)

    def body(self, nodes, layers, ret, dom, in_names, first_ins, shapes, res_text):
        """Statements of a block or model body. shapes: the values' shapes in
        this scope's own symbols. first_ins: layer -> shape at first use (and
        for seq, the members' shapes)."""
        lines = []
        names = list(in_names)
        uses = [0] * (len(nodes) + len(in_names))
        for n in nodes:
            for i in n.ins:
                uses[i] += 1
        uses[ret] += 1
        declared = set()
        exprs = {}
        for j, n in enumerate(nodes):
            vid = len(in_names) + j
            for L in ([n.layer] if n.layer is not None else []):
                if L.name not in declared:
                    declared.add(L.name)
                    w = self.writer(zlib.crc32(('%s/%d' % (L.name, self.prog.seed)).encode()), dom)
                    fi, mem = first_ins[L.name]
                    lines.append('    %s = %s' % (L.name.replace('.', '_'), self.layer_decl(L, fi, w, mem)))
            args = [exprs.get(i, names[i]) for i in n.ins]
            if n.op == 'apply':
                e = '%s(%s)' % (n.layer.name.replace('.', '_'), ', '.join(args))
            elif n.op in ('maxpool', 'avgpool'):
                e = '%s2d(%s, k=%d, stride=%d, pad=%d)' % (n.op, args[0], n.a['k'], n.a['s'], n.a['p'])
            elif n.op == 'gap':
                e = 'global_avgpool(%s)' % args[0]
            elif n.op == 'add':
                e = '%s + %s' % tuple(args) if (j % 2) else 'add(%s, %s)' % tuple(args)
            elif n.op == 'concat':
                e = 'concat(%s)' % ', '.join(args)
            else:
                e = '%s(%s)' % (n.op, args[0])
            name = 'v%d' % vid
            names.append(name)
            if uses[vid] == 1 and n.annot is None and n.op != 'add' and vid != ret and (vid * 7919 + self.prog.seed) % 3 == 0:
                exprs[vid] = e    # inlined into its only use
                continue
            ann = ''
            if n.annot is not None:
                w = self.writer(n.annot, dom)
                ann = ': [%s]' % ', '.join(w.write(d) for d in shapes[vid])
            lines.append('    let %s%s = %s' % (name, ann, e))
        lines.append('    return %s' % exprs.get(ret, names[ret]))
        return lines

    def first_ins(self, layers):
        fi = {}
        for L in layers:
            mem = [m.first_in for m in L.a.get('members', [])] if L.kind == 'seq' else None
            fi[L.name] = (L.first_in, mem)
        return fi

    def emit(self):
        prog = self.prog
        dom, vals = elaborate(prog)
        first = self.first_ins(prog.layers)
        out = []
        used_blocks = []

        def collect(L):
            if L.kind == 'block' and L.a['block'] not in used_blocks:
                used_blocks.append(L.a['block'])
            for m in L.a.get('members', []):
                collect(m)
        for L in prog.layers:
            collect(L)
        block_text = []
        for blk in used_blocks:
            block_text.extend(self.emit_block(blk))
        # model
        params = ', '.join('%s = %d' % (n, v) for n, v in prog.params)
        groups = ('(%s)' % params if params else '')
        x = ', '.join(text(d) for d in prog.input_shape())
        rw = self.writer(prog.res_seed, dom)
        res = ', '.join(rw.write(d) for d in vals[prog.ret])
        head = 'model m%s(x: [%s]) -> [%s]' % (groups, x, res)
        if not prog.rank1:
            rr = random.Random(prog.seed)
            conds = []
            for sym, lo, hi in (('H', prog.hmin, prog.hmax), ('W', prog.wmin, prog.wmax)):
                f = rr.random()
                if f < 0.6:
                    conds.append('%s >= %d' % (sym, lo))
                elif f < 0.8:
                    conds.append('%d <= %s' % (lo, sym))
                else:
                    conds.append('%s > %d' % (sym, lo - 1))
                if hi is not None:
                    conds.append('%s <= %d' % (sym, hi) if rr.random() < 0.7 else '%s < %d' % (sym, hi + 1))
            head += '\n      where %s' % ', '.join(conds)
            head += '\n      default H = %d, W = %d' % (prog.h0, prog.w0)
        lines = self.body(prog.nodes, prog.layers, prog.ret, dom, ['x'], first, vals, res)
        dims = [DIMFNS[n][0] for n in sorted(self.used_fns)]
        out.append('# gsc random program, seed %d' % prog.seed)
        out.extend(dims)
        if dims:
            out.append('')
        out.extend(block_text)
        out.append(head + ' {')
        out.extend(lines)
        out.append('}')
        return '\n'.join(out) + '\n'

    def emit_block(self, blk):
        ldom, lvals, lfirst = block_local(blk)
        # first_in per layer in local terms (block_local ran the body)
        for L in blk.layers:
            reset_layer(L)
        pm = {'c': S('c'), 'h': S('h'), 'w': S('w')}
        for name, _ in blk.params:
            pm[name] = S(name)
        sc = Scope(ldom, pm)
        x = [S('c'), S('h'), S('w')]
        vals = sc.run(blk.nodes, [x, x] if blk.two_inputs else [x])
        first = self.first_ins(blk.layers)
        ps = ', '.join(n if d is None else '%s = %d' % (n, d) for n, d in blk.params)
        ins = 'x: [c, h, w]'
        if blk.two_inputs:
            w = self.writer(blk.in2_seed, ldom)
            ins += ', y: [%s]' % ', '.join(w.write(d) for d in x)
        rw = self.writer(blk.res_seed, ldom)
        res = ', '.join(rw.write(d) for d in vals[blk.ret])
        lines = ['block %s(%s)(%s) -> [%s] {' % (blk.name, ps, ins, res)]
        lines += self.body(blk.nodes, blk.layers, blk.ret, ldom, ['x', 'y'] if blk.two_inputs else ['x'],
                           first, vals, res)
        lines.append('}')
        lines.append('')
        return lines


def emit(prog):
    return Emitter(prog).emit()


def default_sizes(prog):
    """(input floats, output floats) at the defaults."""
    dom, vals = elaborate(prog)
    env = defaults_env(dom)
    n_in = 1
    for d in prog.input_shape():
        n_in *= dev(d, env)
    n_out = 1
    for d in vals[prog.ret]:
        n_out *= dev(d, env)
    return n_in, n_out


def generate(seed, nops=None):
    rng = random.Random(seed * 1000003 + 17)
    if nops is None:
        nops = rng.randint(2, 14)
    prog = Gen(seed, nops).gen()
    return prog


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('seed', type=int)
    ap.add_argument('--ops', type=int, default=None)
    ap.add_argument('-o', dest='out')
    ap.add_argument('--easy-flatten', action='store_true',
                    help='flatten only products whose factors have non-negative normal forms')
    a = ap.parse_args(argv)
    global HARD_FLATTEN
    HARD_FLATTEN = not a.easy_flatten
    prog = generate(a.seed, a.ops)
    t = emit(prog)
    if a.out:
        with open(a.out, 'w') as f:
            f.write(t)
    else:
        sys.stdout.write(t)


if __name__ == '__main__':
    main(sys.argv[1:])
