#!/bin/sh
# tests/onnx/run.sh [GSC] - ONNX input end to end.
#
# Good models (tests/onnx/make_cases.py: small PyTorch networks exported at
# opset 13, one at 17): gsc --eval on the .onnx file and on its --emit=gs text within
# 1e-4 of PyTorch's output; the C of `gsc M.onnx -o A.c` equal to the C of
# `gsc M.gs --embed-weights M.safetensors -o B.c` (but for the file names);
# that C, built and run, within 1e-4 of PyTorch too. Bad models: exit 1, the
# expected "FILE: error: node 'N' (Op, opset K): ..." text, no output written,
# an existing output untouched.
set -u
cd "$(dirname "$0")/../.." || exit 2
GSC=${1:-build/gsc}
PY=/usr/bin/python3
OUT=build/onnx-test
rm -rf "$OUT" && mkdir -p "$OUT"
CC=${CC:-cc}
if ! "$PY" -c 'import torch, onnx' 2>/dev/null; then
    echo "tests/onnx/run.sh: skipped (needs /usr/bin/python3 with torch and onnx)"; exit 0
fi
"$PY" tests/onnx/make_cases.py "$OUT" >"$OUT/export.log" 2>&1 || { cat "$OUT/export.log"; exit 1; }
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

close() { # close A.bin B.bin: max |a - b| <= 1e-4
    "$PY" -c "
import sys, numpy as np
a = np.fromfile(sys.argv[1], np.float32); b = np.fromfile(sys.argv[2], np.float32)
sys.exit(0 if a.shape == b.shape and np.abs(a - b).max() <= 1e-4 else 1)" "$1" "$2"
}

for m in residual head mlp acts se se_wide bounds shuffle norm gelu axes; do
    o=$OUT/$m
    if ! "$GSC" -q --eval "$o.onnx" --input "$o.x.bin" -o "$o.onnx.bin"; then bad "$m: gsc --eval $m.onnx"; continue; fi
    close "$o.onnx.bin" "$o.y.bin" && ok || bad "$m: gsc --eval $m.onnx differs from PyTorch by more than 1e-4"
    if ! "$GSC" -q --emit=gs "$o.onnx" -o "$o.gs"; then bad "$m: --emit=gs"; continue; fi
    "$GSC" -q --eval "$o.gs" --params "$o.safetensors" --input "$o.x.bin" -o "$o.gs.bin" &&
        cmp -s "$o.gs.bin" "$o.onnx.bin" && ok || bad "$m: the --emit=gs text does not evaluate as the .onnx file does"
    mkdir -p "$OUT/gs"
    "$GSC" -q "$o.onnx" -o "$o.c" && "$GSC" -q "$o.gs" --embed-weights "$o.safetensors" -o "$OUT/gs/$m.c" ||
        { bad "$m: C emission"; continue; }
    sed "s/$m\.onnx/M/g" "$o.c" >"$o.c.norm"
    sed "s/$m\.gs/M/g" "$OUT/gs/$m.c" >"$o.gs.norm"
    cmp -s "$o.c.norm" "$o.gs.norm" && ok || bad "$m: gsc $m.onnx and gsc $m.gs write different C"
    "$CC" -std=c11 -O2 -Iruntime -I"$OUT" -DGSC_HEADER="\"$m.h\"" -DGSC_P="$m" \
        -DGSC_PU="$(echo "$m" | tr a-z A-Z)" -o "$o.run" tests/onnx/run_model.c "$o.c" \
        runtime/gsc_init.c runtime/gsc_kernels.c runtime/gsc_fast.c runtime/gsc_winograd.c -lm &&
        "$o.run" "$o.x.bin" "$o.c.bin" && close "$o.c.bin" "$o.y.bin" && ok ||
        bad "$m: the generated C is not within 1e-4 of PyTorch"
done

for f in "$OUT"/bad_*.onnx; do
    n=$(basename "$f" .onnx)
    want=$(cat "$OUT/$n.want")
    echo keep >"$OUT/$n.c"
    "$GSC" "$f" -o "$OUT/$n.c" 2>"$OUT/$n.err"
    rc=$?
    if [ $rc -ne 1 ]; then bad "$n: exit status $rc, not 1"; cat "$OUT/$n.err"; continue; fi
    grep -qF "$f: error: $want" "$OUT/$n.err" || grep -qF "$want" "$OUT/$n.err" && head -1 "$OUT/$n.err" | grep -q "^$f: error: " ||
        { bad "$n: the error is not '$want':"; cat "$OUT/$n.err"; continue; }
    [ "$(cat "$OUT/$n.c")" = keep ] && [ ! -f "$OUT/$n.h" ] && ok || bad "$n: an output file was written"
done
echo "tests/onnx/run.sh: $pass passed, $fail failed"
[ $fail -eq 0 ]
