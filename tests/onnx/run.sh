#!/bin/sh
# tests/onnx/run.sh [GSC] - ONNX input end to end.
#
# Good models (tests/onnx/make_cases.py: small PyTorch networks exported at
# opset 13, two at 17, two at 9, one at 11): gsc --eval on the .onnx file and on its --emit=gs text within
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

for m in residual head mlp acts se se_wide bounds shuffle norm gelu axes affine up up11 up9 transposed nhwc chnorm lastact pooledlast \
    convnext convnext17; do
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

# The text reads as a person would write it: no line of any emitted model
# over 160 characters (shapes simplified, long operands named by lets).
for m in residual head mlp acts se se_wide bounds shuffle norm gelu axes affine nhwc chnorm lastact pooledlast convnext convnext17; do
    long=$(awk 'length > 160 { print FILENAME ":" FNR ": " length " characters" }' "$OUT/$m.gs")
    [ -z "$long" ] && ok || bad "$m.gs has lines over 160 characters: $long"
done
# ConvNeXt's layer norms take their modules' paths (LayerNorm2d features.0.1
# of the stem, features.2.0 of the downsampling, classifier.0), the values
# inside a module before its layer the path and the operator
grep -q '^    features_0_1  *= layernorm(8, eps=1e-06)$' "$OUT/convnext.gs" &&
    grep -q '^    features_2_0  *= layernorm(8, eps=1e-06)$' "$OUT/convnext.gs" &&
    grep -q '^    classifier_0  *= layernorm(16, eps=1e-06)$' "$OUT/convnext.gs" &&
    grep -q '^    let features_0_1_transpose: \[8, 4, 5\] = features_0_0(input_1)$' "$OUT/convnext.gs" && ok ||
    { bad "convnext.gs: the norms are not named features_0_1, features_2_0, classifier_0:"; cat "$OUT/convnext.gs"; }
# Clip with only a min (torch.clamp(x, min=0.1)) is the one-sided clip(x,
# min=0.1): no emitted model writes the default bound 3.4028235e+38
grep -q '^    let clip_1: \[6, 5, 4\] = clip(leaky_relu(maxpool2d(leakyrelu, k=3, stride=2, ceil=1)), min=0.1)$' "$OUT/bounds.gs" &&
    ! grep -l '3\.4028235e+38' "$OUT"/*.gs && ok || { bad "bounds.gs: Clip with one bound is not clip(x, min=0.1):"; cat "$OUT/bounds.gs"; }

# c_at M DIR H W X.bin Y.bin: DIR/M.gs at -D H=H -D W=W, its weights
# (DIR/M.safetensors) embedded, built and run on X.bin: within 1e-4 of Y.bin
c_at() {
    "$GSC" -q "$2/$1.gs" -D H="$3" -D W="$4" --embed-weights "$2/$1.safetensors" -o "$2/${1}_$3.c" &&
        "$CC" -std=c11 -O2 -Iruntime -I"$2" -DGSC_HEADER="\"${1}_$3.h\"" -DGSC_P="${1}_$3" \
            -DGSC_PU="$(echo "${1}_$3" | tr a-z A-Z)" -o "$2/$3.run" tests/onnx/run_model.c "$2/${1}_$3.c" \
            runtime/gsc_init.c runtime/gsc_kernels.c runtime/gsc_fast.c runtime/gsc_winograd.c -lm &&
        "$2/$3.run" "$5" "$2/$3.bin" && close "$2/$3.bin" "$6"
}

# Symbolic sizes without values (head_dyn.onnx: axes 2 and 3 are dim_params):
# --emit=gs --symbolic needs no -D (the text is proved for all sizes), shows
# the simplified shape after the stride-2 convolution, and its C, compiled at
# two sizes with -D, is within 1e-4 of PyTorch at each.
m=head_dyn o=$OUT/head_dyn d=$OUT/dyn
mkdir -p "$d"
if "$GSC" -q --emit=gs --symbolic H=2,W=3 "$o.onnx" -o "$d/$m.gs" 2>"$d/emit.err"; then
    grep -q "^model head_dyn(x: \[2, H, W\]) -> \[5\]" "$d/$m.gs" && ! grep -q "default" "$d/$m.gs" &&
        grep -q "let relu_1: \[6, (H + 1) / 2, (W + 1) / 2\] = " "$d/$m.gs" && ok ||
        { bad "$m.gs: not the symbolic model with its shapes simplified:"; cat "$d/$m.gs"; }
    for size in ":9:11" "2:16:13"; do
        sfx=${size%%:*} hw=${size#*:} h=${hw%:*} w=${hw#*:}
        c_at "$m" "$d" "$h" "$w" "$o.x$sfx.bin" "$o.y$sfx.bin" && ok ||
            bad "$m.gs at H=$h, W=$w: the C does not build, run, or agree with PyTorch within 1e-4"
    done
else
    bad "--emit=gs --symbolic H=2,W=3 $m.onnx without -D failed:"; cat "$d/emit.err"
fi
# a --symbolic pair that is malformed or names no axis of the input (1 to 3;
# 0 is the batch) is an error, nothing written
for spec in H=4,W=3 H=0 H=:32 H= H=2:0 H=2: =2 H=2x; do
    echo keep >"$d/spec.gs"
    "$GSC" -q --emit=gs --symbolic "$spec" "$o.onnx" -o "$d/spec.gs" 2>"$d/spec.err"
    rc=$?
    [ $rc -eq 1 ] && grep -q "error: --symbolic wants NAME=AXIS pairs, as in H=2,W=3, each AXIS one of input 'x' (1 to 3)" \
        "$d/spec.err" && [ "$(cat "$d/spec.gs")" = keep ] && ok ||
        { bad "--symbolic $spec: exit status $rc, not 1 with the error, or the output written:"; cat "$d/spec.err"; }
done

# Sizes that must be multiples (fpn_dyn.onnx: a quarter-size map upsampled
# by 4 and added to a lateral of the input, axes 2 and 3 dim_params): without
# more, refused with the --symbolic that imports it (bad_fpn_dyn below); with
# --symbolic H=2:4,W=3:4 the text is proved for every multiple of 4, its
# result [4, H, W], and --eval of the .onnx file and the text's C at 8x12 and
# 16x4 are within 1e-4 of PyTorch; a size not a multiple of 4 is refused.
m=fpn_dyn o=$OUT/fpn_dyn d=$OUT/mult
mkdir -p "$d"
if "$GSC" -q --emit=gs --symbolic H=2:4,W=3:4 "$o.onnx" -o "$d/$m.gs" 2>"$d/emit.err"; then
    grep -q "^model fpn_dyn(x: \[3, H, W\]) -> \[4, H, W\]$" "$d/$m.gs" &&
        grep -q "^      where H >= 4, H % 4 == 0, W >= 4, W % 4 == 0 {$" "$d/$m.gs" && ok ||
        { bad "$m.gs: not the model with its sizes multiples of 4:"; cat "$d/$m.gs"; }
    for size in ":8:12" "2:16:4"; do
        sfx=${size%%:*} hw=${size#*:} h=${hw%:*} w=${hw#*:}
        "$GSC" -q --eval "$o.onnx" --symbolic H=2:4,W=3:4 -D H="$h" -D W="$w" --input "$o.x$sfx.bin" -o "$d/e$h.bin" &&
            close "$d/e$h.bin" "$o.y$sfx.bin" && ok || bad "$m.onnx --eval at H=$h, W=$w: not within 1e-4 of PyTorch"
        c_at "$m" "$d" "$h" "$w" "$o.x$sfx.bin" "$o.y$sfx.bin" && ok ||
            bad "$m.gs at H=$h, W=$w: the C does not build, run, or agree with PyTorch within 1e-4"
    done
    "$GSC" -q --eval "$o.onnx" --symbolic H=2:4,W=3:4 -D H=10 -D W=12 --input "$o.x.bin" -o "$d/bad.bin" 2>"$d/bad.err"
    rc=$?
    [ $rc -eq 1 ] && grep -q "^gsc: error: -D: H = 10 violates the constraint H % 4 == 0 of model 'fpn_dyn'" "$d/bad.err" &&
        [ ! -f "$d/bad.bin" ] && ok || { bad "$m.onnx -D H=10: exit status $rc, not 1 with the constraint:"; cat "$d/bad.err"; }
else
    bad "--emit=gs --symbolic H=2:4,W=3:4 $m.onnx failed:"; cat "$d/emit.err"
fi
# unet_dyn.onnx (a Concat of a map and its max-pool upsampled by 2): refused
# with the hint (bad_unet_dyn below); with --symbolic H=2:2,W=3:2 --eval is
# within 1e-4 of PyTorch at 6x8 and 4x10
for size in ":6:8" "2:4:10"; do
    sfx=${size%%:*} hw=${size#*:} h=${hw%:*} w=${hw#*:}
    "$GSC" -q --eval "$OUT/unet_dyn.onnx" --symbolic H=2:2,W=3:2 -D H="$h" -D W="$w" --input "$OUT/unet_dyn.x$sfx.bin" \
        -o "$d/u$h.bin" && close "$d/u$h.bin" "$OUT/unet_dyn.y$sfx.bin" && ok ||
        bad "unet_dyn.onnx --symbolic H=2:2,W=3:2 --eval at H=$h, W=$w: not within 1e-4 of PyTorch"
done
# where no multiple of the sizes makes the shapes agree, the error gives none
"$GSC" "$OUT/bad_broadcast_add_sym.onnx" -o "$d/sym.c" 2>"$d/sym.err"
[ $? -eq 1 ] && grep -q "for all sizes)$" "$d/sym.err" && ok ||
    { bad "bad_broadcast_add_sym.onnx: not refused, or the error suggests a multiple:"; cat "$d/sym.err"; }

# --embed-limit: over it the C does not compile the weights in, they go to
# M.safetensors beside M.c (raw, by name), and the C built with the runtime's
# loader gives the embedded build's output bit for bit. residual's prepared
# weights are B bytes: --embed-limit=B embeds them, B - 1 does not.
m=residual o=$OUT/residual s=$OUT/split
mkdir -p "$s"
B=$(($(sed -n 's/^#define RESIDUAL_PREPARED_SIZE \([0-9]*\).*/\1/p' "$o.h") * 4))
if "$GSC" -q --embed-limit=0 "$o.onnx" -o "$s/$m.c" 2>"$s/note.err" && [ -f "$s/$m.safetensors" ]; then
    cmp -s "$s/$m.safetensors" "$o.safetensors" && ok || bad "--embed-limit=0: $m.safetensors is not --emit=gs's weights"
    grep -q "note: .*$s/$m.safetensors.*gsc_st_load_params(&f, residual_tensors, RESIDUAL_NUM_TENSORS" "$s/note.err" &&
        ok || { bad "--embed-limit=0: no note on where the weights went:"; cat "$s/note.err"; }
    ! grep -q "residual_weights\|EMBEDDED_WEIGHTS" "$s/$m.c" "$s/$m.h" && grep -q "gsc wrote them to $m.safetensors" "$s/$m.h" &&
        ok || bad "--embed-limit=0: the C still has the weights, or its header does not say where they are"
    "$CC" -std=c11 -O2 -Wall -Wextra -Wpedantic -Werror -Iruntime -I"$s" -DGSC_LOAD -DGSC_HEADER="\"$m.h\"" -DGSC_P=$m \
        -DGSC_PU=RESIDUAL -o "$s/$m.run" tests/onnx/run_model.c "$s/$m.c" runtime/gsc_init.c runtime/gsc_kernels.c \
        runtime/gsc_fast.c runtime/gsc_winograd.c runtime/gsc_safetensors.c -lm &&
        "$s/$m.run" "$o.x.bin" "$s/$m.c.bin" "$s/$m.safetensors" && cmp -s "$s/$m.c.bin" "$o.c.bin" && ok ||
        bad "--embed-limit=0: the C with its weights loaded from $m.safetensors differs from the embedded build"
else
    bad "--embed-limit=0: gsc failed or wrote no $s/$m.safetensors"; cat "$s/note.err"
fi
"$GSC" -q --embed-limit=$((B - 1)) "$o.onnx" -o "$s/below.c" 2>/dev/null && [ -f "$s/below.safetensors" ] &&
    sed "s/below/residual/g; s/BELOW/RESIDUAL/g" "$s/below.c" | cmp -s - "$s/$m.c" && ok ||
    bad "--embed-limit=$((B - 1)) (one byte under the prepared weights) does not write the weights beside the C"
"$GSC" -q --embed-limit=$B "$o.onnx" -o "$s/at.c" && [ ! -f "$s/at.safetensors" ] &&
    sed "s/at\.h/residual.h/; s/\bat_/residual_/g; s/\bAT_/RESIDUAL_/g" "$s/at.c" | cmp -s - "$o.c" && ok ||
    bad "--embed-limit=$B (the prepared weights' size) does not compile them in as the default does"
# --embed-weights over the limit: the same C; NAME.safetensors that is the
# --embed-weights file itself is left as it is (not rewritten).
cp "$o.safetensors" "$s/gs.safetensors" && cp "$o.gs" "$s/gs.gs" && i0=$(stat -c %i "$s/gs.safetensors")
"$GSC" -q --embed-limit=0 "$s/gs.gs" --embed-weights "$s/gs.safetensors" -o "$s/gs.c" 2>/dev/null &&
    [ "$(stat -c %i "$s/gs.safetensors")" = "$i0" ] && cmp -s "$s/gs.safetensors" "$o.safetensors" &&
    sed "s/gs\.gs/residual.onnx/; s/gs\.h/residual.h/; s/gs\.safetensors/residual.safetensors/; s/\bgs_/residual_/g; s/\bGS_/RESIDUAL_/g" \
        "$s/gs.c" | cmp -s - "$s/$m.c" && ok ||
    bad "--embed-weights with --embed-limit=0 wrote other C, or rewrote its own weights file"
# a bad size: a usage error (status 2), nothing written
"$GSC" --embed-limit=1.5G "$o.onnx" -o "$s/badsize.c" 2>"$s/badsize.err"
rc=$?
[ $rc -eq 2 ] && grep -q "^gsc: error: --embed-limit wants a size in bytes.*not '1.5G'" "$s/badsize.err" &&
    [ ! -f "$s/badsize.c" ] && [ ! -f "$s/badsize.safetensors" ] && ok ||
    { bad "--embed-limit=1.5G: exit status $rc, not 2 with a usage error:"; cat "$s/badsize.err"; }
# the weights cannot be written (M.safetensors is a directory): status 2, the
# system's reason in the message, an existing M.c untouched, no M.h
mkdir -p "$s/unw/$m.safetensors" && echo keep >"$s/unw/$m.c"
"$GSC" -q --embed-limit=0 "$o.onnx" -o "$s/unw/$m.c" 2>"$s/unw.err"
rc=$?
[ $rc -eq 2 ] && grep -q "error: cannot write $s/unw/$m.safetensors: .*: Is a directory$" "$s/unw.err" && [ "$(cat "$s/unw/$m.c")" = keep ] &&
    [ ! -f "$s/unw/$m.h" ] && [ -z "$(ls "$s/unw/$m.safetensors")" ] && ok ||
    { bad "an unwritable $m.safetensors: exit status $rc (want 2), or $m.c or $m.h touched:"; cat "$s/unw.err"; }

# tests/onnx/conformance.py on cases of batch 2 it cannot run per batch
# element (make_cases.py's conf/): skipped, the reason naming the node and
# its operator that block the rewrite, and then gsc's refusal
VERBOSE=1 "$PY" tests/onnx/conformance.py "$GSC" "$OUT/conf" >"$OUT/conf.log" 2>&1
rc=$?
[ $rc -eq 0 ] &&
    grep -q "^skip test_softmax_axis0: not run per batch element (batch 2): node 'mixes_batch' (Softmax): along axis 0; " \
        "$OUT/conf.log" &&
    grep -q "^skip test_flatten_axis0: not run per batch element (batch 2): the Flatten node of 'y': along axis 0; " \
        "$OUT/conf.log" && ok ||
    { bad "conformance.py: exit status $rc, or a batch case's skip reason does not name the node that blocks it:"; cat "$OUT/conf.log"; }

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
