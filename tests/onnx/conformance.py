#!/usr/bin/python3
"""tests/onnx/conformance.py GSC [DIR] - the ONNX backend node tests that
Debian's libonnx-testdata ships (DIR, default /usr/share/libonnx-testdata/
data/node: one directory per case with model.onnx and test_data_set_*/
input_0.pb, output_0.pb), through gsc.

Every case whose nodes are all operators gsc reads runs through the
interpreter (gsc --eval) and through the generated C (gsc model.onnx -o
m.c, built with tests/onnx/run_model.c), each compared with the expected
output within 1e-4 (absolute, plus 1e-4 relative). A case gsc refuses with
an error (exit 1: a form of the operator it does not support, a batch other
than 1, several inputs) is skipped with that error as the reason; a case with
an operator gsc does not read at all is skipped as such. A wrong result, a
crash or an internal error is a failure. A case whose one tensor input has a
batch above 1 runs once per batch element (see batch_independent) when its
nodes treat the batch elements independently. Prints passed/failed/skipped per
operator (the op type of the case's first node) and the totals; exits 1 on
a failure.
"""
import collections
import glob
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

GSC = os.path.abspath(sys.argv[1])
DIR = sys.argv[2] if len(sys.argv) > 2 else "/usr/share/libonnx-testdata/data/node"
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
CC = os.environ.get("CC", "cc")
VERBOSE = os.environ.get("VERBOSE")

# The operators compiler/onnx.c reads (its op_table).
supported = set()
with open(os.path.join(ROOT, "compiler", "onnx.c")) as f:
    for m in re.finditer(r'\{"([A-Za-z]+)", op_[a-z_]+, \d+\}', f.read()):
        supported.add(m.group(1))


def load(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def close(got, want):
    return got.size == want.size and np.all(np.abs(got - want.ravel()) <= 1e-4 + 1e-4 * np.abs(want.ravel()))


def first_line(text):
    lines = [l for l in text.splitlines() if "error" in l]
    return (lines[0] if lines else text.strip().splitlines()[0] if text.strip() else "?")


# Per batch element: a case whose one tensor input has a batch N above 1 is
# run as N cases of batch 1 when every node provably treats the batch
# elements independently (the operators below, with no attribute or constant
# input that names axis 0 or holds the batch size). Any other case keeps
# gsc's refusal as its reason, after the node that blocked the rewrite.
ELEMENTWISE = {"Relu", "Sigmoid", "Tanh", "LeakyRelu", "HardSigmoid", "HardSwish", "Clip", "Identity",
               "Erf", "Sqrt", "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Cast"}
IMAGE = {"Conv", "ConvTranspose", "AveragePool", "MaxPool", "GlobalAveragePool"}


def node_text(node):
    """The node as gsc's errors name it: node 'NAME' (Op), or by its first
    output when it has no name."""
    if node.name:
        return "node '%s' (%s)" % (node.name, node.op_type)
    return "the %s node of '%s'" % (node.op_type, node.output[0] if node.output else "?")


def batch_independent(model, rank, n):
    """None when every node of the model treats axis 0 (of size n, of the
    rank-`rank` input) elementwise, else why not, naming the node."""
    try:
        inferred = onnx.shape_inference.infer_shapes(model)
    except Exception:
        inferred = model
    ranks = {v.name: len(v.type.tensor_type.shape.dim)
             for v in list(inferred.graph.value_info) + list(inferred.graph.output)
             if v.type.tensor_type.HasField("shape")}
    consts = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type == "Constant":
            for a in node.attribute:
                if a.name == "value":
                    consts[node.output[0]] = numpy_helper.to_array(a.t)
    if len(model.graph.output) != 1:
        return "the model has %d outputs" % len(model.graph.output)
    for node in model.graph.node:
        if not node.output or len([o for o in node.output if o]) != 1:
            return "%s has %d outputs" % (node_text(node), len([o for o in node.output if o]))
    for node in model.graph.node:
        why = batch_blocker(node, rank, consts, ranks, model)
        if why:
            return "%s: %s" % (node_text(node), why)
    return None


def batch_blocker(node, rank, consts, ranks, model):
    """None when the node treats axis 0 elementwise, else why not."""
    at = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
    op = node.op_type
    cin = [consts.get(i) for i in node.input]
    if op == "Constant":
        return None

    def axis0(ax):
        return ax == 0 or ax == -rank
    weights = []  # constant inputs whose axis 0 is not the batch
    if op in ELEMENTWISE or op == "Dropout":
        if op == "Dropout" and len(cin) > 2 and cin[2] is not None and bool(cin[2]):
            return "in training mode"
    elif op in IMAGE:
        weights = [1, 2]
    elif op == "BatchNormalization":
        if at.get("training_mode", 0):
            return "in training mode"
        weights = [1, 2, 3, 4]
    elif op == "Gemm":
        if at.get("transA", 0):
            return "transA"
        weights = [1]
    elif op == "MatMul":
        if cin[1] is not None and cin[1].ndim == 2:
            weights = [1]
    elif op in ("Softmax", "Flatten"):
        if axis0(at.get("axis", -1 if op == "Softmax" and onnx_opset(model) >= 13 else 1)):
            return "along axis 0"
    elif op in ("Gather", "Split"):
        if axis0(at.get("axis", 0)):
            return "along axis 0"
        weights = [1]
    elif op in ("Squeeze", "Unsqueeze", "ReduceMean"):
        axes = at.get("axes")
        if axes is None and len(cin) > 1 and cin[1] is not None:
            axes = list(cin[1].ravel())
        if axes is None or any(axis0(int(a)) for a in axes):
            return "touching axis 0"
        weights = [1]
    elif op == "Transpose":
        perm = at.get("perm")
        if perm is None or perm[0] != 0:
            return "moving axis 0"
    elif op in ("Resize", "Upsample"):
        sc = at.get("scales")
        if sc is None:
            k = 1 if op == "Upsample" or onnx_opset(model) < 11 else 2
            sc = cin[k] if len(cin) > k else None
        if op == "Resize" and len(node.input) > 3 and node.input[3]:
            return "to sizes, which hold the batch"
        if sc is None or np.asarray(sc).size == 0 or float(np.asarray(sc).ravel()[0]) != 1.0:
            return "scaling axis 0"
        weights = [1, 2]
    elif op == "Pad":
        pads = at.get("pads")
        if pads is None and len(cin) > 1 and cin[1] is not None:
            pads = list(cin[1].ravel())
        if pads is None or pads[0] != 0 or pads[len(pads) // 2] != 0:
            return "padding axis 0"
        if len(node.input) > 3 and node.input[3]:
            return "with axes"
        weights = [1, 2]
    else:
        return "an operator that may mix the batch"
    r = ranks.get(node.output[0])
    for k, c in enumerate(cin):
        if c is None or k in weights or c.size == 1:
            continue
        if r is None or (c.ndim >= r and c.shape[c.ndim - r] != 1):
            return "its constant operand %d may hold the batch" % k
    return None


def onnx_opset(model):
    return next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 1)


def to_batch1(model, name):
    """The model with input `name` and the output set to batch 1."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    del m.graph.value_info[:]
    for v in [i for i in m.graph.input if i.name == name] + list(m.graph.output):
        d = v.type.tensor_type.shape.dim
        if len(d):
            d[0].Clear()
            d[0].dim_value = 1
    return m


def run_case(case, tmp):
    """('pass' | 'fail' | 'skip', op, reason)"""
    model_path = os.path.join(case, "model.onnx")
    try:
        model = onnx.load(model_path)
    except Exception as e:  # a case the onnx package cannot read
        return "skip", "?", "onnx cannot load it: %s" % e
    ops = [n.op_type for n in model.graph.node]
    op = next((o for o in ops if o != "Constant"), ops[0] if ops else "?")
    missing = sorted(set(ops) - supported)
    if missing:
        return "skip", missing[0], "operator %s not supported" % ", ".join(missing)
    sets = sorted(glob.glob(os.path.join(case, "test_data_set_*")))
    if not sets:
        return "skip", op, "no test data"
    inits = {i.name for i in model.graph.initializer}
    ins = [i for i in model.graph.input if i.name not in inits]
    # Inputs after the first are data of the case (axes, shapes, a second
    # operand): they become initializers, from the first data set, when every
    # data set has the same values for them.
    if len(ins) > 1:
        for k in range(1, len(ins)):
            vals = [load(os.path.join(s, "input_%d.pb" % k)) for s in sets
                    if os.path.exists(os.path.join(s, "input_%d.pb" % k))]
            if len(vals) != len(sets) or any(not np.array_equal(v, vals[0]) for v in vals):
                return "skip", op, "input '%s' varies between the data sets" % ins[k].name
            model.graph.initializer.append(numpy_helper.from_array(vals[0], ins[k].name))
        model_path = os.path.join(tmp, "model.onnx")
        onnx.save(model, model_path)
        ins = ins[:1]
    dims = ins[0].type.tensor_type.shape.dim if ins else []
    batch = dims[0].dim_value if len(dims) > 1 and dims[0].HasField("dim_value") else 1
    blocked = batch_independent(model, len(dims), batch) if batch > 1 else None
    per_batch = batch > 1 and blocked is None
    if per_batch:
        model = to_batch1(model, ins[0].name)
        model_path = os.path.join(tmp, "model.onnx")
        onnx.save(model, model_path)
    res = subprocess.run([GSC, "-q", "--check", model_path], capture_output=True, text=True)
    if res.returncode == 1:
        msg = first_line(res.stderr)
        msg = msg.split(": ", 2)[-1] if ": error: " in msg else msg
        return "skip", op, "not run per batch element (batch %d): %s; %s" % (batch, blocked, msg) if blocked else msg
    if res.returncode != 0:
        return "fail", op, "gsc --check exit %d: %s" % (res.returncode, first_line(res.stderr))
    if len(ins) != 1 or len(model.graph.output) != 1:
        return "fail", op, "gsc accepted a model with %d inputs and %d outputs" % (len(ins), len(model.graph.output))
    cbin = os.path.join(tmp, "m")
    c = subprocess.run([GSC, "-q", model_path, "-o", cbin + ".c", "--prefix", "m"], capture_output=True, text=True)
    if c.returncode != 0:
        return "fail", op, "C emission: " + first_line(c.stderr)
    b = subprocess.run([CC, "-std=c11", "-O1", "-I" + os.path.join(ROOT, "runtime"), "-I" + tmp,
                        '-DGSC_HEADER="m.h"', "-DGSC_P=m", "-DGSC_PU=M", "-o", cbin,
                        os.path.join(ROOT, "tests", "onnx", "run_model.c"), cbin + ".c"] +
                       [os.path.join(ROOT, "runtime", f) for f in ("gsc_init.c", "gsc_kernels.c", "gsc_fast.c", "gsc_winograd.c")] +
                       ["-lm"], capture_output=True, text=True)
    if b.returncode != 0:
        return "fail", op, "the generated C does not build: " + first_line(b.stderr)
    runs = []
    for s in sets:
        x = load(os.path.join(s, "input_0.pb")).astype(np.float32)
        want = load(os.path.join(s, "output_0.pb")).astype(np.float64)
        if not per_batch:
            runs.append((x, want))
        elif x.shape[0] != batch or want.ndim == 0 or want.shape[0] != batch:
            return "fail", op, "per batch element: the data of %s has no batch of %d" % (os.path.basename(s), batch)
        else:
            runs += [(x[i:i + 1], want[i:i + 1]) for i in range(batch)]
    for x, want in runs:
        xin, yout, ycout = (os.path.join(tmp, n) for n in ("x.bin", "y.bin", "yc.bin"))
        x.tofile(xin)
        r = subprocess.run([GSC, "-q", "--eval", model_path, "--input", xin, "-o", yout], capture_output=True, text=True)
        if r.returncode != 0:
            return "fail", op, "gsc --eval exit %d: %s" % (r.returncode, first_line(r.stderr))
        got = np.fromfile(yout, np.float32).astype(np.float64)
        if not close(got, want):
            return "fail", op, "gsc --eval differs from the expected output (max %.3g)" % (
                np.abs(got - want.ravel()).max() if got.size == want.size else float("inf"))
        r = subprocess.run([cbin, xin, ycout], capture_output=True, text=True)
        if r.returncode != 0:
            return "fail", op, "the generated C exit %d" % r.returncode
        got = np.fromfile(ycout, np.float32).astype(np.float64)
        if not close(got, want):
            return "fail", op, "the generated C differs from the expected output"
    return "pass", op, "(per batch element: %d of batch 1)" % batch if per_batch else ""


counts = collections.OrderedDict()
reasons = collections.defaultdict(list)
per_batch_passes = 0
cases = sorted(d for d in glob.glob(os.path.join(DIR, "test_*")) if os.path.isdir(d))
if not cases:
    print("conformance: no cases in %s (apt-get install libonnx-testdata)" % DIR)
    sys.exit(0)
with tempfile.TemporaryDirectory() as tmp:
    for case in cases:
        kind, op, why = run_case(case, tmp)
        name = os.path.basename(case)
        c = counts.setdefault(op, {"pass": 0, "fail": 0, "skip": 0})
        c[kind] += 1
        if kind != "pass" or why:
            reasons[op].append((kind, name, why))
        if kind == "pass" and why:
            per_batch_passes += 1
        if VERBOSE or kind == "fail":
            print("%-4s %s: %s" % (kind, name, why))

# Per operator gsc reads: every case and its reason; the others in one line each.
tot = {"pass": 0, "fail": 0, "skip": 0}
print("%-22s %6s %6s %7s" % ("operator", "passed", "failed", "skipped"))
for op in sorted(counts, key=lambda o: (o not in supported, o)):
    c = counts[op]
    for k in tot:
        tot[k] += c[k]
    if op not in supported:
        continue
    print("%-22s %6d %6d %7d" % (op, c["pass"], c["fail"], c["skip"]))
    for kind, name, why in reasons[op]:
        print("    %s %s: %s" % (kind, name, why[:150]))
other = [o for o in counts if o not in supported]
print("%-22s %6d %6d %7d  (%d operators gsc does not read)" % (
    "others", sum(counts[o]["pass"] for o in other), sum(counts[o]["fail"] for o in other),
    sum(counts[o]["skip"] for o in other), len(other)))
print("conformance: %d passed (%d per batch element), %d failed, %d skipped of %d cases" % (
    tot["pass"], per_batch_passes, tot["fail"], tot["skip"], len(cases)))
sys.exit(1 if tot["fail"] else 0)
