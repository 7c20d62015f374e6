#!/bin/sh
# tests/fuzz/run.sh [SECONDS] - builds the libFuzzer targets of gsc with clang
# into build/fuzz/ and runs each for SECONDS/2 (default SECONDS=60), one after
# the other, on a scratch copy of its seed corpus (the checked-in corpus is
# never modified; new inputs stay in build/fuzz/corpus_*). A crashing, leaking,
# timing-out or out-of-memory input is copied to tests/fuzz/regress/ (replay
# them with tests/fuzz/regress.sh). Prints "N passed, M failed" last
# (passed = targets that ran their time without a finding).
#
# Environment: CLANG (default clang), FUZZ_JOBS (parallel targets: 1 or 2,
# default 1), FUZZ_FLAGS (extra libFuzzer flags).
set -u
cd "$(dirname "$0")/../.." || exit 2
SECONDS_TOTAL=${1:-60}
CLANG=${CLANG:-clang}
OUT=build/fuzz
mkdir -p "$OUT" tests/fuzz/regress

# The generated lexer and parser come from the normal build.
if [ ! -f build/lexer.c ] || [ ! -f build/parser.c ] || [ compiler/parser.y -nt build/parser.c ] ||
   [ compiler/lexer.re -nt build/lexer.c ]; then
    make -s build/lexer.c build/parser.c || exit 2
fi

FLAGS="-std=c11 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"
SRCS="build/lexer.c build/parser.c compiler/diag.c compiler/ops.c compiler/resolve.c compiler/dim.c
      compiler/prove.c compiler/check.c compiler/spec.c compiler/grad.c compiler/eval.c compiler/lower.c compiler/plan.c
      compiler/emit.c compiler/report.c compiler/abi.c runtime/gsc_init.c runtime/gsc_safetensors.c
      runtime/gsc_fast.c runtime/gsc_winograd.c"
echo "== building $OUT/fuzz_source and $OUT/fuzz_safetensors with $CLANG"
# shellcheck disable=SC2086
$CLANG $FLAGS -Icompiler -Iruntime -Ibuild -o $OUT/fuzz_source tests/fuzz/fuzz_source.c $SRCS -lm || {
    echo "cannot build fuzz_source (libFuzzer: apt-get install -y libclang-rt-14-dev)"; echo "0 passed, 2 failed"; exit 1; }
# shellcheck disable=SC2086
$CLANG $FLAGS -Iruntime -o $OUT/fuzz_safetensors tests/fuzz/fuzz_safetensors.c runtime/gsc_safetensors.c || {
    echo "cannot build fuzz_safetensors"; echo "0 passed, 2 failed"; exit 1; }

# The ONNX reader's target, when protobuf-c and the ONNX schema are installed
# (the normal build generates build/onnx.pb-c.c then).
ONNX=0
if command -v protoc-c >/dev/null && [ -f /usr/include/onnx/onnx.proto ] && pkg-config --exists libprotobuf-c; then
    [ -f build/onnx.pb-c.c ] || make -s build/onnx.pb-c.c || exit 2
    echo "== building $OUT/fuzz_onnx with $CLANG"
    # shellcheck disable=SC2086
    $CLANG $FLAGS -DGSC_ONNX -Icompiler -Iruntime -Ibuild -o $OUT/fuzz_onnx tests/fuzz/fuzz_onnx.c build/onnx.pb-c.c \
        compiler/onnx.c compiler/print.c $SRCS -lprotobuf-c -lm || { echo "cannot build fuzz_onnx"; echo "0 passed, 3 failed"; exit 1; }
    ONNX=1
fi

half=$((SECONDS_TOTAL / (2 + ONNX))); [ "$half" -lt 1 ] && half=1

# run_target NAME MAX_LEN TIMEOUT RSS_MB [LIBFUZZER FLAGS...]
run_target() {
    name=$1; maxlen=$2; tmo=$3; rss=$4; shift 4
    work=$OUT/corpus_$name; art=$OUT/artifacts_$name/
    mkdir -p "$work" "$art"
    rm -f "$art"crash-* "$art"leak-* "$art"timeout-* "$art"oom-* "$art"slow-unit-*
    echo "== fuzz_$name for ${half}s (-max_len=$maxlen)"
    # gsc's by-design leaks (below) must not fail fuzz_source at exit either, nor
    # fuzz_onnx, which runs the same front end on the imported text
    leaks=1; case $name in source | onnx) leaks=0 ;; esac
    # shellcheck disable=SC2086
    ASAN_OPTIONS="detect_leaks=$leaks${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
    nice -n 10 "$OUT/fuzz_$name" "$work" "tests/fuzz/corpus_$name" \
        -dict=tests/fuzz/graphspec.dict -max_total_time="$half" -max_len="$maxlen" \
        -timeout="$tmo" -rss_limit_mb="$rss" -malloc_limit_mb=2048 -print_final_stats=1 "$@" \
        -artifact_prefix="$art" ${FUZZ_FLAGS:-} >"$OUT/$name.log" 2>&1
    rc=$?
    grep -E '^(#[0-9]+.*(DONE|INITED)|stat::number_of_executed_units|stat::peak_rss_mb|stat::new_units_added)' \
        "$OUT/$name.log" | sed 's/^/   /'
    found=0
    for f in "$art"crash-* "$art"leak-* "$art"timeout-* "$art"oom-*; do
        [ -f "$f" ] || continue
        found=1
        ext=gs; [ "$name" = safetensors ] && ext=safetensors; [ "$name" = onnx ] && ext=onnx
        dst="tests/fuzz/regress/${name}-$(basename "$f").$ext"
        cp "$f" "$dst"
        echo "   FINDING: $dst (see $OUT/$name.log)"
    done
    if [ "$rc" = 0 ] && [ "$found" = 0 ]; then echo "ok   fuzz_$name"; return 0; fi
    echo "FAIL fuzz_$name (exit $rc)"; grep -m3 -E 'ERROR|SUMMARY|runtime error' "$OUT/$name.log" | sed 's/^/   /'
    return 1
}

# gsc frees little on purpose (a short-lived process): the parser's and
# checker's Vec arrays hang off arena objects, and fuzz_source rewinds the
# arena after each input, so they show up as leaks. Leak detection is off for
# fuzz_source (on for fuzz_safetensors, whose reader must not leak) and its
# RSS limit is raised to allow for that growth (peak RSS 0.7 GB after
# 750,000 inputs in 1000 s).
# The safetensors target uses the same dictionary: it has the JSON keys and
# dtypes in it.
pass=0; fail=0
if [ "${FUZZ_JOBS:-1}" = 2 ]; then
    ( run_target source 4096 10 6144 -detect_leaks=0 ) > "$OUT/source.summary" 2>&1 & p1=$!
    ( run_target safetensors 65536 10 2048 ) > "$OUT/safetensors.summary" 2>&1 & p2=$!
    wait $p1; r1=$?; wait $p2; r2=$?
    cat "$OUT/source.summary" "$OUT/safetensors.summary"
    for r in $r1 $r2; do if [ "$r" = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi; done
else
    if run_target source 4096 10 6144 -detect_leaks=0; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
    if run_target safetensors 65536 10 2048; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
fi
if [ "$ONNX" = 1 ]; then
    if run_target onnx 65536 10 4096 -detect_leaks=0; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
