# tests/onnx/ort_lib.sh - sourced by tests/onnx/ort.sh and tests/onnx/ext.sh:
# shellcheck shell=sh
# ONNX Runtime (onnxruntime-node 1.30.0, installed as bench/peers.sh does,
# into build/ort/node) and the comparison of gsc against it.
#
# Wants GSC, PY, CC and OUT set; counts in pass and fail.

ORT_NODE=build/ort/node
ort_install() {
    mkdir -p "$ORT_NODE"
    [ -f "$ORT_NODE/node_modules/onnxruntime-node/package.json" ] && return 0
    echo "installing onnxruntime-node 1.30.0 into $ORT_NODE (npm --ignore-scripts)"
    (cd "$ORT_NODE" && npm install --ignore-scripts --no-audit --no-fund --silent onnxruntime-node@1.30.0 >/dev/null) ||
        { echo "$0: cannot install onnxruntime-node (is the npm registry reachable?)"; exit 1; }
}

maxdiff() { "$PY" -c "
import sys, numpy as np
a = np.fromfile(sys.argv[1], np.float32).astype(np.float64); b = np.fromfile(sys.argv[2], np.float32)
print('%.3g' % (abs(a - b).max() if a.shape == b.shape else float('inf')))" "$1" "$2"; }

# check NAME M.onnx DIMS [IMPORT_FLAGS [SIZE_FLAGS]]: ONNX Runtime's output on
# a random input of shape DIMS against gsc --eval on the .onnx file, gsc
# --eval on its --emit=gs text with the written weights, and the C of `gsc
# M.onnx -o M.c` built and run (with the weights gsc wrote beside it, loaded
# by tests/onnx/run_model.c -DGSC_LOAD, when they are over --embed-limit);
# each within 1e-4. IMPORT_FLAGS go to every
# gsc reading the .onnx file (--symbolic ...), SIZE_FLAGS (-D H=...) to
# every gsc run.
check() {
    n=$1 m=$2 dims=$3 imp=${4-} sz=${5-} o=$OUT/$1
    "$PY" -c "import numpy as np, sys; np.random.seed(7); np.random.randn(*map(int, sys.argv[2].split(','))).astype(np.float32).tofile(sys.argv[1])" "$o.x.bin" "$dims"
    NODE_PATH="$ORT_NODE/node_modules" node tests/onnx/ort_run.js "$m" "$o.x.bin" "$dims" "$o.ort.bin" || { fail=$((fail + 1)); return; }
    # shellcheck disable=SC2086 # the flags are words
    "$GSC" -q --eval "$m" $imp $sz --input "$o.x.bin" -o "$o.eval.bin" &&
    "$GSC" -q --emit=gs "$m" $imp $sz -o "$o.gs" &&
    "$GSC" -q --eval "$o.gs" $sz --params "$o.safetensors" --input "$o.x.bin" -o "$o.gseval.bin" &&
    "$GSC" -q "$m" $imp $sz -o "$o.c" --prefix m &&
    { w=; grep -q '^#define M_EMBEDDED_WEIGHTS' "$o.h" || w=$o.safetensors; } && # over --embed-limit: the weights beside it
    "$CC" -std=c11 -O2 -march=native -Iruntime -I"$OUT" -DGSC_HEADER="\"$n.h\"" -DGSC_P=m -DGSC_PU=M ${w:+-DGSC_LOAD} \
        -o "$o.run" tests/onnx/run_model.c "$o.c" runtime/gsc_init.c runtime/gsc_kernels.c runtime/gsc_fast.c \
        runtime/gsc_winograd.c ${w:+runtime/gsc_safetensors.c} -lm &&
    "$o.run" "$o.x.bin" "$o.c.bin" $w || { echo "FAIL $n: gsc"; fail=$((fail + 1)); return; }
    e=$(maxdiff "$o.eval.bin" "$o.ort.bin"); g=$(maxdiff "$o.gseval.bin" "$o.ort.bin"); c=$(maxdiff "$o.c.bin" "$o.ort.bin")
    if "$PY" -c "import sys; sys.exit(0 if max(map(float, sys.argv[1:])) <= 1e-4 else 1)" "$e" "$g" "$c"; then
        echo "ok   $n: max |gsc - ORT|: --eval $e, --emit=gs text $g, generated C $c"; pass=$((pass + 1))
    else
        echo "FAIL $n: max |gsc - ORT|: --eval $e, --emit=gs text $g, generated C $c (limit 1e-4)"; fail=$((fail + 1))
    fi
}
