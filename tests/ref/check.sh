#!/bin/sh
# The interpreter and the generated C against the independent numpy
# implementation of the seed's semantics (tests/ref/seed_resnet18.py), for
# ResNet-18 with the seed's weights at 64x64 and 224x224; the interpreter also
# with float64 intermediates, which must agree to the float32 output rounding.
#   tests/ref/check.sh [GSC]        (run from the repository root)
# Prints "N passed, M failed" last; exits 1 on any failure.
set -u
GSC=${1:-build/gsc}
PY=/usr/bin/python3
CC=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() { # name, file a, file b, rtol
    if $PY tests/ref/compare.py "$2" "$3" --rtol "$4" >"$tmp/cmp.txt" 2>&1; then
        pass=$((pass + 1)); echo "ok   $1: $(grep -i 'relative' "$tmp/cmp.txt" | head -1)"
    else
        fail=$((fail + 1)); echo "FAIL $1:"; cat "$tmp/cmp.txt"
    fi
}
for size in 64 224; do
    n=$((3 * size * size))
    $PY -c "import numpy as np; ((np.arange($n) * 37 % 101) / 50.0 - 1).astype('<f4').tofile('$tmp/x$size.bin')"
    $PY tests/ref/seed_resnet18.py --in-c 3 --classes 1000 --h $size --w $size \
        --input "$tmp/x$size.bin" --output "$tmp/ref$size.bin"
    "$GSC" --eval models/resnet18.gs -D H=$size -D W=$size --input "$tmp/x$size.bin" -o "$tmp/eval$size.bin"
    check "gsc --eval, resnet18 ${size}x${size}" "$tmp/eval$size.bin" "$tmp/ref$size.bin" 1e-5
    # float64 intermediates: the same arithmetic as the reference, rounded once at the end
    "$GSC" --eval --precision=f64 models/resnet18.gs -D H=$size -D W=$size --input "$tmp/x$size.bin" \
        -o "$tmp/eval64_$size.bin"
    check "gsc --eval --precision=f64, resnet18 ${size}x${size}" "$tmp/eval64_$size.bin" "$tmp/ref$size.bin" 1e-7
    "$GSC" models/resnet18.gs -D H=$size -D W=$size -o "$tmp/m$size.c"
    $CC -std=c99 -O2 -I"$tmp" -Iruntime -DGSC_HEADER="\"m$size.h\"" -DGSC_P=m$size -DGSC_PU=M$size \
        tests/driver/model_main.c "$tmp/m$size.c" runtime/gsc_init.c runtime/gsc_kernels.c \
        runtime/gsc_safetensors.c runtime/gsc_fast.c runtime/gsc_winograd.c -lm -o "$tmp/run$size"
    "$tmp/run$size" --input "$tmp/x$size.bin" --output "$tmp/c$size.bin"
    check "generated C, resnet18 ${size}x${size}" "$tmp/c$size.bin" "$tmp/ref$size.bin" 1e-4
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
