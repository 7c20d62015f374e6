#!/usr/bin/python3
"""compare.py A.bin B.bin [--rtol R]: compare two raw little-endian float32 files.
Error measure (norm-relative): max|a-b| / max(max|b|, 1e-30), B being the reference.
Exit 1 if the sizes differ, any value is non-finite, or the error exceeds --rtol."""
import argparse, sys
import numpy as np

def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("a"); ap.add_argument("b"); ap.add_argument("--rtol", type=float, default=1e-5)
    o = ap.parse_args()
    a = np.fromfile(o.a, dtype="<f4").astype(np.float64)
    b = np.fromfile(o.b, dtype="<f4").astype(np.float64)
    ok = True
    if a.size != b.size:
        print("size mismatch: %s has %d floats, %s has %d" % (o.a, a.size, o.b, b.size)); ok = False
    elif not (np.isfinite(a).all() and np.isfinite(b).all()):
        print("non-finite values: %d in A, %d in B" % ((~np.isfinite(a)).sum(), (~np.isfinite(b)).sum())); ok = False
    else:
        d = np.abs(a - b)
        mad = d.max() if d.size else 0.0
        rel = mad / max(np.abs(b).max() if b.size else 0.0, 1e-30)
        print("floats compared: %d" % a.size)
        print("max abs diff: %.6g (at index %d)" % (mad, int(d.argmax()) if d.size else -1))
        print("max |b|: %.6g" % (np.abs(b).max() if b.size else 0.0))
        print("norm-relative error = max|a-b| / max(max|b|, 1e-30) = %.6g (rtol %.3g)" % (rel, o.rtol))
        ok = rel <= o.rtol
    print("1 passed, 0 failed" if ok else "0 passed, 1 failed")
    return 0 if ok else 1

if __name__ == "__main__":
    sys.exit(main())
