#!/usr/bin/python3
"""export_torch.py - convert PyTorch weights to safetensors for gsc.

usage: export_torch.py [options] STATE_DICT.pt OUT.safetensors
       gsc-export-torch [options] STATE_DICT.pt OUT.safetensors   (installed by make install)

Reads a file written by torch.save: a state_dict, a whole nn.Module (its
.state_dict() is taken; the module's class must be importable, see
--pythonpath), or a checkpoint dict holding a state_dict under "state_dict",
"model_state_dict" or "model". Writes OUT.safetensors with every tensor as
F32, which is what gsc --eval --params, gsc --embed-weights and the
runtime's gsc_st_load_params read.

 - BatchNorm running statistics (running_mean, running_var) are kept when
   the model (--model) has them (its batchnorm_eval layers, the inference
   form), and dropped with a note otherwise (the train-time batchnorm
   normalises with the statistics of the input itself); num_batches_tracked
   is always dropped.
 - Other floating-point tensors (F16, BF16, F64) are converted to F32 with a
   note; any other non-float tensor is an error.
 - --rename OLD=NEW replaces the name prefix OLD by NEW (repeatable; the
   first matching rule applies; NEW may be empty: --rename module.= strips
   DataParallel's prefix).
 - --model MODEL.gs (also spelt --check-gs) runs `gsc --emit=abi MODEL.gs`
   and compares: tensors the model needs that are missing, tensors the model
   does not know, and shape mismatches are reported, naming each tensor, and
   nothing is written if there are any. A tensor whose shape differs from
   the model's only by dimensions of 1 (a Linear's [out, in] where the model
   has a 1x1 convolution's [out, in, 1, 1]) is reshaped, with a note. With
   it the output holds the tensors in the model's ABI order.

Written without the safetensors package: an 8-byte little-endian header
length, the JSON header (dtype, shape, data_offsets; metadata
{"format": "pt"}) padded with spaces to a multiple of 8, then the data,
little-endian. The write is atomic (a temporary file in the same directory,
then rename), so an existing OUT is never left half-written.

Exit status: 0 written, 1 bad input (unreadable, non-float tensors,
mismatches against the model), 2 usage error.

Needs torch (Debian: apt-get install python3-torch); run it with
/usr/bin/python3 when another python3 comes first on PATH.
"""

import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile

RUNNING_SUFFIXES = ("running_mean", "running_var")


class ExportError(Exception):
    pass


def note(msg):
    print("export_torch: note: " + msg, file=sys.stderr)


def import_torch():
    try:
        import torch  # noqa: F401
    except ImportError as e:
        raise ExportError(
            "cannot import torch (%s); install python3-torch and run with /usr/bin/python3" % e
        )
    return torch


def load_state_dict(torch, path):
    """The name -> tensor mapping stored in path (see the module doc)."""
    try:
        # weights_only is not wanted: a whole module is a pickled class.
        obj = torch.load(path, map_location="cpu")
    except FileNotFoundError:
        raise ExportError("%s: no such file" % path)
    except Exception as e:  # unpickling errors come in many types
        raise ExportError("%s: cannot load with torch.load: %s: %s" % (path, type(e).__name__, e))
    if isinstance(obj, torch.nn.Module):
        note("%s holds a whole %s; using its state_dict()" % (path, type(obj).__name__))
        obj = obj.state_dict()
    elif isinstance(obj, dict) and not any(torch.is_tensor(v) for v in obj.values()):
        for key in ("state_dict", "model_state_dict", "model"):
            inner = obj.get(key)
            if isinstance(inner, torch.nn.Module):
                inner = inner.state_dict()
            if isinstance(inner, dict) and inner and all(torch.is_tensor(v) for v in inner.values()):
                note("%s is a checkpoint; using its '%s' entry" % (path, key))
                obj = inner
                break
    if not isinstance(obj, dict):
        raise ExportError("%s: holds a %s, not a state_dict or an nn.Module" % (path, type(obj).__name__))
    bad = [str(k) for k, v in obj.items() if not isinstance(k, str) or not torch.is_tensor(v)]
    if bad:
        raise ExportError(
            "%s: not a state_dict: entries that are not tensors: %s" % (path, ", ".join(bad[:10]))
        )
    if not obj:
        raise ExportError("%s: the state_dict is empty" % path)
    return obj


def apply_renames(name, rules):
    for old, new in rules:
        if name.startswith(old):
            return new + name[len(old):]
    return name


def convert(torch, sd, rules, wanted=None):
    """[(name, float32 contiguous tensor)] in state_dict order; raises on errors.
    Running statistics are kept when wanted (the model's tensor names) has them."""
    out, dropped, converted, errors, seen = [], [], [], [], {}
    for name, t in sd.items():
        suffix = name.rsplit(".", 1)[-1]
        if suffix == "num_batches_tracked":
            continue
        if suffix in RUNNING_SUFFIXES and (wanted is None or apply_renames(name, rules) not in wanted):
            dropped.append(name)
            continue
        if not t.is_floating_point():
            errors.append("%s is %s, not a floating-point tensor" % (name, str(t.dtype).replace("torch.", "")))
            continue
        new = apply_renames(name, rules)
        if not new:
            errors.append("%s is renamed to the empty name" % name)
            continue
        if new in seen:
            errors.append("%s and %s are both renamed to %s" % (seen[new], name, new))
            continue
        seen[new] = name
        if t.dtype != torch.float32:
            converted.append((str(t.dtype).replace("torch.", ""), name))
        t = t.detach().to(device="cpu", dtype=torch.float32).contiguous()
        out.append((new, t))
    if dropped:
        note(
            "dropped %d BatchNorm running-statistics tensors (running_mean, running_var): "
            "the model's batchnorm is the train-time one, which does not use them "
            "(batchnorm_eval is the inference form)" % len(dropped)
        )
    if converted:
        groups = {}
        for dtype, name in converted:
            groups.setdefault(dtype, []).append(name)
        note("converted %d tensors to F32: %s" % (len(converted), "; ".join(
            "%d %s (%s%s)" % (len(names), dtype, ", ".join(names[:3]), ", ..." if len(names) > 3 else "")
            for dtype, names in groups.items())))
    if errors:
        raise ExportError("; ".join(errors))
    return out


def find_gsc(explicit):
    """--gsc, $GSC, the gsc installed beside this script (make install puts both in
    BINDIR, this one as gsc-export-torch), the source tree's build/gsc, gsc on PATH."""
    if explicit:
        return explicit
    if os.environ.get("GSC"):
        return os.environ["GSC"]
    here = os.path.dirname(os.path.realpath(__file__))
    for cand in (os.path.join(here, "gsc"), os.path.join(here, "..", "build", "gsc")):
        if os.path.isfile(cand) and os.access(cand, os.X_OK):
            return os.path.normpath(cand)
    return "gsc"


def model_abi(gsc, gs_path, defines):
    cmd = [gsc, "--emit=abi", "--no-color"]
    for d in defines:
        cmd += ["-D", d]
    cmd.append(gs_path)
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    except OSError as e:
        raise ExportError("cannot run %s: %s (give --gsc PATH or set GSC)" % (gsc, e))
    if r.returncode != 0:
        raise ExportError("%s failed (status %d):\n%s" % (" ".join(cmd), r.returncode, r.stderr.rstrip()))
    try:
        abi = json.loads(r.stdout)
        return [(t["name"], list(t["shape"])) for t in abi["tensors"]], abi.get("model", "?")
    except (ValueError, KeyError, TypeError) as e:
        raise ExportError("cannot read the ABI JSON from %s: %s" % (" ".join(cmd), e))


def check_against(tensors, abi, model, gs_path):
    """Reorders tensors into ABI order; raises listing every problem."""
    have = dict(tensors)
    want = dict(abi)
    problems, reshaped = [], []
    for name, shape in abi:
        if name not in have:
            problems.append("missing %s %s" % (name, shape))
        elif list(have[name].shape) != shape:
            got = list(have[name].shape)
            if [d for d in got if d != 1] == [d for d in shape if d != 1]:
                have[name] = have[name].reshape(shape).contiguous()
                reshaped.append("%s %s -> %s" % (name, got, shape))
            else:
                problems.append("%s has shape %s but the model wants %s" % (name, got, shape))
    for name, t in tensors:
        if name not in want:
            problems.append("unknown %s %s" % (name, list(t.shape)))
    if problems:
        raise ExportError(
            "the weights do not fit model %s of %s (%d problems):\n  %s"
            % (model, gs_path, len(problems), "\n  ".join(problems))
        )
    if reshaped:
        note("reshaped %d tensors to the model's shapes (only dimensions of 1 differ): %s"
             % (len(reshaped), "; ".join(reshaped[:3]) + ("; ..." if len(reshaped) > 3 else "")))
    return [(name, have[name]) for name, _ in abi]


def tensor_bytes(t):
    try:  # torch's .numpy() needs numpy; without it, go through array
        return t.numpy().astype("<f4", copy=False).tobytes()
    except (ImportError, RuntimeError):
        import array

        a = array.array("f", t.reshape(-1).tolist())
        if sys.byteorder == "big":
            a.byteswap()
        return a.tobytes()


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors:
        b = tensor_bytes(t)
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    header["__metadata__"] = {"format": "pt"}
    hj = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    hj += b" " * (-len(hj) % 8)
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(struct.pack("<Q", len(hj)))
            f.write(hj)
            for b in blobs:
                f.write(b)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return offset


def current_umask():
    m = os.umask(0)
    os.umask(m)
    return m


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog=os.path.basename(sys.argv[0]) or "export_torch.py",
        description="Convert a torch.save'd state_dict or nn.Module to F32 safetensors for gsc.",
        epilog="BatchNorm running statistics are kept for the model's batchnorm_eval layers and dropped "
        "otherwise (the train-time batchnorm does not use them). "
        "Exit status: 0 written, 1 bad input, 2 usage error.",
    )
    p.add_argument("input", metavar="STATE_DICT.pt")
    p.add_argument("output", metavar="OUT.safetensors")
    p.add_argument("--rename", action="append", default=[], metavar="OLD=NEW",
                   help="replace the name prefix OLD by NEW (repeatable; first match wins)")
    p.add_argument("--model", "--check-gs", dest="check_gs", metavar="MODEL.gs",
                   help="check names and shapes against the model's parameter ABI before writing, "
                   "in its order; keep the running statistics it has")
    p.add_argument("-D", action="append", default=[], dest="defines", metavar="NAME=VALUE",
                   help="passed to gsc with --check-gs (e.g. -D classes=10)")
    p.add_argument("--gsc", metavar="PATH", help="the gsc binary (default: $GSC, the gsc beside this script, ../build/gsc, gsc on PATH)")
    p.add_argument("--pythonpath", action="append", default=[], metavar="DIR",
                   help="add DIR to sys.path (to unpickle a whole module whose class lives there)")
    a = p.parse_args(argv)
    rules = []
    for r in a.rename:
        if "=" not in r or not r.split("=", 1)[0]:
            p.error("--rename wants OLD=NEW with a non-empty OLD, got %r" % r)
        rules.append(tuple(r.split("=", 1)))
    a.rules = rules
    if not a.output.endswith(".safetensors"):
        p.error("the output %r should end in .safetensors" % a.output)
    return a


def main(argv):
    a = parse_args(argv)
    sys.path[:0] = a.pythonpath
    try:
        torch = import_torch()
        sd = load_state_dict(torch, a.input)
        abi = None
        if a.check_gs:
            abi, model = model_abi(find_gsc(a.gsc), a.check_gs, a.defines)
        tensors = convert(torch, sd, a.rules, set(n for n, _ in abi) if abi else None)
        if abi:
            tensors = check_against(tensors, abi, model, a.check_gs)
        nbytes = write_safetensors(a.output, tensors)
    except ExportError as e:
        print("export_torch: error: %s" % e, file=sys.stderr)
        return 1
    except OSError as e:
        print("export_torch: error: %s" % e, file=sys.stderr)
        return 1
    nfloats = nbytes // 4
    extra = " (checked against %s)" % a.check_gs if a.check_gs else ""
    print("wrote %s: %d tensors, %d floats%s" % (a.output, len(tensors), nfloats, extra), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
