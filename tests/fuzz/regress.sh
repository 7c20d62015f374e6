#!/bin/sh
# tests/fuzz/regress.sh [GSC] - replays every input of tests/fuzz/regress/ and
# tests/fuzz/corpus_*/ through gsc built with AddressSanitizer and UBSan
# (default build/asan/gsc; `make asan`). Every run must end with exit status
# 0 or 1 (input accepted or rejected with diagnostics) within 10 seconds: a
# crash, a sanitizer report, exit 3 (internal error) or a hang is a failure.
#
#   *.gs           gsc --check FILE, then gsc FILE -o TMP.c (C emission).
#                  A file with several models makes gsc exit 2 ("choose one
#                  with --model"); then each model is replayed with --model.
#   *.safetensors  gsc --eval models/mlp.gs -D in_features=4 -D hidden=3
#                  -D classes=2 --params FILE ... (gsc_st_open and
#                  gsc_st_load_params against that 23-float table, the one
#                  fuzz_safetensors uses).
#   *.onnx         gsc --check FILE (the ONNX reader)
#   other files    by name: safetensors-* as safetensors, everything else as .gs.
#
# When build/fuzz/fuzz_source and build/fuzz/fuzz_safetensors exist (from
# tests/fuzz/run.sh), each file is also run once through its fuzz target.
# Prints "N passed, M failed" last.
set -u
cd "$(dirname "$0")/../.." || exit 2
GSC=${1:-build/asan/gsc}
if [ ! -x "$GSC" ]; then echo "no $GSC (run 'make asan')"; echo "0 passed, 1 failed"; exit 1; fi
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}:abort_on_error=0:exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}:halt_on_error=1:exitcode=86"
# the --eval input for models/mlp.gs at in_features=4: 4 float32 zeros
head -c 16 /dev/zero > "$TMP/x.bin"
pass=0; fail=0

# run DESC CMD... : ok when the exit status is 0 or 1 and no sanitizer spoke
run() {
    desc=$1; shift
    timeout 10 "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    if [ "$rc" = 2 ] && grep -q "models; choose one with --model" "$TMP/err"; then
        return 2
    fi
    if { [ "$rc" = 0 ] || [ "$rc" = 1 ]; } && ! grep -qE "Sanitizer|runtime error:" "$TMP/err"; then
        return 0
    fi
    echo "FAIL $desc: exit $rc"
    grep -m5 -E "error|ERROR|SUMMARY|internal" "$TMP/err" | sed 's/^/   /'
    return 1
}

replay_gs() {
    f=$1; ok=1
    run "$GSC --check $f" "$GSC" --check --no-color "$f"; r=$?
    if [ "$r" = 2 ]; then
        # several models: each in turn
        for m in $(sed -n 's/^[[:space:]]*model[[:space:]]\{1,\}\([A-Za-z_][A-Za-z_0-9]*\).*/\1/p' "$f" | sort -u); do
            run "$GSC --check --model $m $f" "$GSC" --check --no-color --model "$m" "$f" || ok=0
            run "$GSC --model $m $f -o TMP.c" "$GSC" --no-color --model "$m" "$f" -o "$TMP/out.c" || ok=0
        done
    elif [ "$r" = 0 ]; then
        run "$GSC $f -o TMP.c" "$GSC" --no-color "$f" -o "$TMP/out.c" || ok=0
    else
        ok=0
    fi
    if [ -x build/fuzz/fuzz_source ]; then
        run "build/fuzz/fuzz_source $f" build/fuzz/fuzz_source "$f" || ok=0
    fi
    [ "$ok" = 1 ]
}

replay_st() {
    f=$1; ok=1
    run "$GSC --eval --params $f" "$GSC" --no-color --eval models/mlp.gs -D in_features=4 -D hidden=3 -D classes=2 \
        --params "$f" --input "$TMP/x.bin" -o "$TMP/y.bin" || ok=0
    if [ -x build/fuzz/fuzz_safetensors ]; then
        ASAN_OPTIONS="detect_leaks=1:exitcode=86" run "build/fuzz/fuzz_safetensors $f" build/fuzz/fuzz_safetensors "$f" || ok=0
    fi
    [ "$ok" = 1 ]
}

# *.onnx: gsc --check FILE (the ONNX reader, the printed model's checks)
replay_onnx() {
    f=$1; ok=1
    run "$GSC --check $f" "$GSC" --check --no-color "$f" || ok=0
    if [ -x build/fuzz/fuzz_onnx ]; then
        run "build/fuzz/fuzz_onnx $f" build/fuzz/fuzz_onnx "$f" || ok=0
    fi
    [ "$ok" = 1 ]
}

for f in tests/fuzz/regress/* tests/fuzz/corpus_source/* tests/fuzz/corpus_safetensors/* tests/fuzz/corpus_onnx/*; do
    [ -f "$f" ] || continue
    case "$f" in
        *.onnx) replay_onnx "$f" ;;
        *.safetensors|*/safetensors-*) replay_st "$f" ;;
        *) replay_gs "$f" ;;
    esac
    if [ $? = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
