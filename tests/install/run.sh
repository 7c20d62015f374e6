#!/bin/sh
# tests/install/run.sh - make install as a product uses it, one check per line
# ("PASS ..." or "FAIL ...") and "N passed, M failed" last (status 1 on failures).
#
#   1. make install PREFIX=<temporary> installs every file a product needs.
#   2. pkg-config: a tiny product (tests/install/product.c) around the C that the
#      installed gsc writes for the installed models/cnn.gs, built with
#      pkg-config --cflags --libs gsc-runtime (the shared library) and with its
#      static_libs (the static one), gives gsc --eval's output (relative error
#      at most 1e-4), and reports the SIMD path pkg-config says.
#   3. CMake: the same product from tests/install/CMakeLists.txt: find_package(gsc),
#      gsc_add_model (the installed gsc at build time, with -D H=20 -D W=24),
#      gsc::runtime and gsc::runtime_shared; the package agrees with pkg-config;
#      with --embed-weights over --embed-limit=0 the weights gsc writes beside
#      the C are where the target's GSC_WEIGHTS property says, and the product
#      on them agrees; a newer model.gs makes the build run gsc again.
#   4. the man page renders (man -l, else groff); skipped, with a note, only
#      when help2man is not installed and make install said so. An install
#      with HELP2MAN naming no program says so, and installs all but the page.
#   5. gsc-export-torch --help runs; with torch (/usr/bin/python3), a state_dict
#      for cnn.gs converts with --check-gs, finding the installed gsc from its
#      own place (PATH has no gsc), and the product on those weights gives
#      gsc --eval --params's output.
#   6. the installed examples/classify builds against the installed prefix and
#      classifies the installed sample image.
#   7. the runtime library without OpenMP and SIMD flags (LIB_CFLAGS=-O2):
#      pkg-config says isa=portable, openmp=no; no libgomp; the product agrees.
#   8. DESTDIR: the same files under the staging directory and nothing else;
#      the .pc file names the final prefix; the CMake package works from the
#      staged tree (it finds its paths from its own place).
#   9. make uninstall removes every installed file and gsc's own directories,
#      and keeps files that make install did not write.
#
# Needs a C compiler, pkg-config, cmake and python3; runs make in the
# repository (MAKE, default make). KEEP=1 keeps the work files.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MAKE=${MAKE:-make}
CC=${CC:-cc}
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && [ -f "$2" ] && sed 's/^/    /' "$2" | tail -n 20; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }
check() { # check NAME LOG COMMAND...: PASS when COMMAND succeeds, its output in LOG
    _name=$1 _log=$2; shift 2
    if "$@" > "$_log" 2>&1; then ok "$_name"; else bad "$_name" "$_log"; return 1; fi
}

for tool in "$CC" pkg-config cmake python3; do
    command -v "$tool" > /dev/null || { bad "$tool is not installed"; finish; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/gsc-install.XXXXXX") || exit 1
if [ -n "${KEEP:-}" ]; then echo "work files in $T"; else trap 'rm -rf "$T"' EXIT INT TERM; fi
P=$T/prefix
SRC=$ROOT/tests/install
GSC=$P/bin/gsc
MODEL=$P/share/gsc/models/cnn.gs

# compare REF OUT: at most 1e-4 of max |REF| apart, element by element (both raw float32).
compare() {
    python3 - "$1" "$2" << 'EOF'
import array, math, sys
a, b = array.array("f"), array.array("f")
a.frombytes(open(sys.argv[1], "rb").read())
b.frombytes(open(sys.argv[2], "rb").read())
if len(a) != len(b) or not a:
    sys.exit("%d floats against %d" % (len(a), len(b)))
scale = max(abs(v) for v in a)
err = max(abs(u - v) for u, v in zip(a, b)) / scale
print("%d floats, max |y - y_eval| / max |y_eval| = %.2e" % (len(a), err))
sys.exit(0 if scale > 0 and math.isfinite(err) and err <= 1e-4 else 1)
EOF
}
# input FILE N SEED: N uniform floats in [-1, 1), raw float32
input() {
    python3 -c 'import array, random, sys
random.seed(int(sys.argv[3]))
array.array("f", [random.uniform(-1, 1) for _ in range(int(sys.argv[2]))]).tofile(open(sys.argv[1], "wb"))' "$@"
}
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
pc() { PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config "$@" gsc-runtime; }
# the files and symbolic links under a directory, relative to it, sorted
files() { (cd "$1" && find . \( -type f -o -type l \) | sort); }

# agrees NAME PROG X REF ISA [WEIGHTS]: PROG X OUT [WEIGHTS] runs on the ISA path, and OUT agrees with REF
agrees() {
    _name=$1 _prog=$2 _x=$3 _ref=$4 _isa=$5; shift 5
    if "$_prog" "$_x" "$_prog.bin" "$@" > "$_prog.log" 2>&1 && grep -qx "isa $_isa" "$_prog.log" &&
        compare "$_ref" "$_prog.bin" >> "$_prog.log" 2>&1; then
        ok "$_name agrees with gsc --eval ($(tail -n 1 "$_prog.log")), on the $_isa path"
    else bad "$_name" "$_prog.log"; fi
}
words() { tr '\n' ' ' | sed 's/ $//'; }

# ------------------------------------------------------------ 1. make install
if ! check "make install PREFIX=$P" "$T/install.log" "$MAKE" -s -C "$ROOT" install PREFIX="$P" LDCONFIG=true; then
    finish
fi
missing=
for f in bin/gsc bin/gsc-export-torch include/gsc/gsc_runtime.h include/gsc/gsc_fast.h include/gsc/gsc_train.h \
    lib/libgsc-runtime.a lib/libgsc-runtime.so lib/pkgconfig/gsc-runtime.pc lib/cmake/gsc/gscConfig.cmake \
    lib/cmake/gsc/gscConfigVersion.cmake share/gsc/models/resnet18.gs share/gsc/models/cnn.gs \
    share/gsc/examples/classify/classify.c share/gsc/examples/classify/sample.ppm share/gsc/examples/embedded/tiny.gs \
    share/doc/gsc/c-api.md share/doc/gsc/install.md; do
    [ -e "$P/$f" ] || missing="$missing $f"
done
for f in "$ROOT"/runtime/*; do
    [ -f "$P/share/gsc/runtime/${f##*/}" ] || missing="$missing share/gsc/runtime/${f##*/}"
done
if [ -z "$missing" ]; then
    ok "installed: gsc, gsc-export-torch, headers, libraries, pkg-config, CMake, runtime, models, examples, docs"
else bad "not installed:$missing"; fi
version=$(sed -n 's/^#define GSC_RUNTIME_VERSION "\(.*\)"$/\1/p' "$ROOT/runtime/gsc_runtime.h")
so=libgsc-runtime.so.$version
if [ -f "$P/lib/$so" ] && [ "$(readlink "$P/lib/libgsc-runtime.so")" = "$so" ] &&
    needed "$P/lib/$so" | grep -q '^libm\.so' && readelf -d "$P/lib/$so" | grep -q "SONAME.*\[$so\]"; then
    ok "lib/$so: soname $so, needs libm; libgsc-runtime.so links to it"
else bad "lib/$so: missing, or wrong soname or link"; fi
mkdir -p "$T/pc"
# The model's C from the installed gsc, a random input, and gsc --eval's output on it (the reference).
"$GSC" -q "$MODEL" -o "$T/pc/model.c" > "$T/eval.log" 2>&1 || bad "the installed gsc on $MODEL" "$T/eval.log"
n_in=$(sed -n 's/^#define MODEL_INPUT_SIZE \([0-9]*\) .*/\1/p' "$T/pc/model.h" 2> /dev/null)
input "$T/x.bin" "${n_in:-1}" 1
"$GSC" -q --eval "$MODEL" --input "$T/x.bin" -o "$T/ref.bin" >> "$T/eval.log" 2>&1 || bad "gsc --eval" "$T/eval.log"

# ------------------------------------------------------------ 2. pkg-config
isa=$(pc --variable=isa)
openmp=$(pc --variable=openmp)
echo "   pkg-config: $(pc --cflags --libs); isa=$isa openmp=$openmp build_cflags=$(pc --variable=build_cflags)"
WARN="-std=c99 -Wall -Wextra -Wpedantic -Werror"
BUILD_PC="$CC $WARN -O2 $(pc --cflags) -I$T/pc $SRC/product.c $T/pc/model.c"
if check "pkg-config: the product builds with --cflags --libs gsc-runtime (shared library) and with static_libs" \
    "$T/pc/build.log" sh -c "$BUILD_PC -o $T/pc/product $(pc --libs) -Wl,-rpath,$(pc --variable=libdir) &&
        $BUILD_PC -o $T/pc/product_static $(pc --variable=static_libs)"; then
    if needed "$T/pc/product" | grep -qx "$so" && ! needed "$T/pc/product_static" | grep -q libgsc-runtime; then
        ok "pkg-config: product needs $so, product_static (static_libs) does not"
    else
        bad "pkg-config: product needs $(needed "$T/pc/product" | words);" \
            "product_static $(needed "$T/pc/product_static" | words)"
    fi
    agrees "pkg-config: product" "$T/pc/product" "$T/x.bin" "$T/ref.bin" "$isa"
    agrees "pkg-config: product_static" "$T/pc/product_static" "$T/x.bin" "$T/ref.bin" "$isa"
fi
if [ "$openmp" = yes ]; then
    if needed "$P/lib/$so" | grep -q '^libgomp' && pc --static --libs | grep -q -- '-fopenmp' &&
        pc --variable=static_libs | grep -q -- '-fopenmp'; then
        ok "openmp=yes: $so needs libgomp; --static and static_libs add -fopenmp"
    else bad "openmp=yes, but $so needs $(needed "$P/lib/$so" | words); --static gives $(pc --static --libs)"; fi
fi

# ------------------------------------------------------------ 3. CMake
input "$T/x2024.bin" $((20 * 24)) 2
"$GSC" -q --eval "$MODEL" -D H=20 -D W=24 --input "$T/x2024.bin" -o "$T/ref2024.bin" > "$T/eval2024.log" 2>&1 ||
    bad "gsc --eval -D H=20 -D W=24" "$T/eval2024.log"
"$GSC" -q --emit=params "$MODEL" -D H=20 -D W=24 -o "$T/w2024.safetensors" > "$T/params2024.log" 2>&1 ||
    bad "gsc --emit=params -D H=20 -D W=24" "$T/params2024.log"
if check "CMake: find_package(gsc), gsc_add_model (-D H=20 -D W=24), gsc::runtime and gsc::runtime_shared build" \
    "$T/cmake.log" sh -c "cmake -S '$SRC' -B '$T/cmake' -DCMAKE_PREFIX_PATH='$P' -DMODEL='$MODEL' \
        '-DGSC_OPTIONS=-D;H=20;-D;W=24' -DWEIGHTS='$T/w2024.safetensors' && cmake --build '$T/cmake'"; then
    cm=$T/cmake/gsc_package.txt
    if grep -qx "gsc $GSC" "$cm" && grep -qx "isa $isa" "$cm" && grep -qx "version $version" "$cm" &&
        grep -qx "openmp $([ "$openmp" = yes ] && echo ON || echo OFF)" "$cm" &&
        grep -q '^#define MODEL_INPUT_SHAPE {1, 20, 24}' "$T/cmake/gsc_model/model.h"; then
        ok "CMake: the package's gsc is $GSC, version $version, isa $isa, OpenMP as pkg-config says; model.h is 1x20x24"
    else bad "CMake: the package's variables or the generated header" "$cm"; fi
    if ! needed "$T/cmake/product" | grep -q libgsc-runtime && needed "$T/cmake/product_shared" | grep -qx "$so"; then
        ok "CMake: product links gsc::runtime statically, product_shared needs $so"
    else bad "CMake: product needs $(needed "$T/cmake/product" | words)"; fi
    agrees "CMake: product" "$T/cmake/product" "$T/x2024.bin" "$T/ref2024.bin" "$isa"
    agrees "CMake: product_shared" "$T/cmake/product_shared" "$T/x2024.bin" "$T/ref2024.bin" "$isa"
    # --embed-limit=0: the weights beside the C, where GSC_WEIGHTS says
    w=$(sed -n 's/^weights //p' "$cm")
    if [ "$w" = "$T/cmake/gsc_model_file/model.safetensors" ] && cmp -s "$w" "$T/w2024.safetensors" &&
        ! grep -q MODEL_EMBEDDED_WEIGHTS "$T/cmake/gsc_model_file/model.h"; then
        ok "CMake: over --embed-limit, gsc_add_model's GSC_WEIGHTS names the weights gsc wrote beside the C"
    else bad "CMake: GSC_WEIGHTS is '$w', or gsc wrote no weights there" "$cm"; fi
    agrees "CMake: product_file (weights from GSC_WEIGHTS)" "$T/cmake/product_file" "$T/x2024.bin" "$T/ref2024.bin" \
        "$isa" "$w"
    touch "$MODEL"
    if cmake --build "$T/cmake" > "$T/cmake-rebuild.log" 2>&1 &&
        [ "$(grep -c "gsc $MODEL: model.c and model.h" "$T/cmake-rebuild.log")" = 3 ]; then
        ok "CMake: a newer model.gs runs gsc again for the three targets"
    else bad "CMake: no new C after touching the model" "$T/cmake-rebuild.log"; fi
fi

# ------------------------------------------------------------ 4. the man page
page=$P/share/man/man1/gsc.1
if [ -f "$page" ]; then
    if command -v man > /dev/null; then
        MANPAGER=cat MANWIDTH=100 man -l "$page" > "$T/man.txt" 2> "$T/man.err"
    else
        groff -man -Tutf8 "$page" > "$T/man.txt" 2> "$T/man.err"
    fi
    # man may hyphenate and mark up, so look for words that do not break
    if grep -q 'GraphSpec' "$T/man.txt" && grep -q 'OPTIONS' "$T/man.txt" && grep -q 'embed.weights' "$T/man.txt" &&
        grep -q "$P/share/gsc/runtime" "$T/man.txt" && ! grep -q . "$T/man.err"; then
        ok "man page: share/man/man1/gsc.1 renders: name, options (--embed-weights), the installed paths"
    else bad "man page does not render as expected" "$T/man.err"; fi
elif ! command -v help2man > /dev/null && grep -q 'help2man is not installed' "$T/install.log"; then
    echo "SKIP man page: help2man is not installed (make install said so)"
else bad "no man page, though help2man is installed" "$T/install.log"; fi
# Without help2man (HELP2MAN names no program): a note, no man page, everything else.
if "$MAKE" -s -C "$ROOT" install PREFIX="$T/noman" HELP2MAN=gsc-test-no-help2man LDCONFIG=true > "$T/noman.log" 2>&1 &&
    grep -q '^gsc-test-no-help2man is not installed: no man page' "$T/noman.log" &&
    [ "$(files "$T/noman")" = "$(files "$P" | grep -vx './share/man/man1/gsc.1')" ]; then
    ok "without help2man make install says so, installs no man page and every other file"
else bad "make install without help2man" "$T/noman.log"; fi
"$MAKE" -s -C "$ROOT" uninstall PREFIX="$T/noman" LDCONFIG=true > "$T/noman-un.log" 2>&1
[ -z "$(files "$T/noman")" ] || bad "make uninstall after an install without help2man left files" "$T/noman-un.log"

# ------------------------------------------------------------ 5. gsc-export-torch
if "$P/bin/gsc-export-torch" --help > "$T/export_help.txt" 2>&1 &&
    grep -q '^usage: gsc-export-torch' "$T/export_help.txt"; then
    ok "gsc-export-torch --help runs"
else bad "gsc-export-torch --help" "$T/export_help.txt"; fi
if /usr/bin/python3 -c 'import torch' 2> /dev/null; then
    # A state_dict with the model's names and shapes (from its ABI), random values, saved by torch.
    "$GSC" --emit=abi "$MODEL" > "$T/abi.json" &&
        /usr/bin/python3 - "$T/abi.json" "$T/w.pt" << 'PY'
import json, sys, torch
torch.manual_seed(3)
abi = json.load(open(sys.argv[1]))
torch.save({t["name"]: 0.3 * torch.randn(*t["shape"]) for t in abi["tensors"]}, sys.argv[2])
PY
    if env -i PATH=/usr/bin:/bin HOME="$T" "$P/bin/gsc-export-torch" --check-gs "$MODEL" "$T/w.pt" "$T/w.safetensors" \
        > "$T/export.log" 2>&1 && grep -q 'checked against' "$T/export.log"; then
        ok "gsc-export-torch --check-gs with no gsc on PATH: found $GSC beside itself"
        "$GSC" -q --eval "$MODEL" --params "$T/w.safetensors" --input "$T/x.bin" -o "$T/ref_w.bin" \
            > "$T/eval_w.log" 2>&1 || bad "gsc --eval --params" "$T/eval_w.log"
        cp "$T/pc/product_static" "$T/pc/product_w"
        agrees "the product on the converted weights" "$T/pc/product_w" "$T/x.bin" "$T/ref_w.bin" "$isa" \
            "$T/w.safetensors"
    else bad "gsc-export-torch --check-gs" "$T/export.log"; fi
else
    echo "SKIP gsc-export-torch on a state_dict: /usr/bin/python3 cannot import torch"
fi

# ------------------------------------------------------------ 6. the installed classify example
EX=$P/share/gsc/examples/classify
mkdir -p "$T/classify"
if check "examples/classify from share/gsc builds against the prefix (ResNet-18 at 64x64, static_libs)" \
    "$T/classify.log" sh -c "'$GSC' -q '$P/share/gsc/models/resnet18.gs' -D H=64 -D W=64 -o '$T/classify/rn18.c' &&
        $CC $WARN -O2 $(pc --cflags) -I'$T/classify' -o '$T/classify/classify' '$EX/classify.c' \
            '$T/classify/rn18.c' $(pc --variable=static_libs)"; then
    if "$T/classify/classify" "$EX/sample.ppm" > "$T/classify.out" 2>&1 &&
        grep -q '^top-5 of 1000 classes' "$T/classify.out"; then
        ok "examples/classify classifies share/gsc/examples/classify/sample.ppm"
    else bad "examples/classify on sample.ppm" "$T/classify.out"; fi
fi

# ------------------------------------------------------------ 7. the library without OpenMP and SIMD flags
P2=$T/portable
pc2() { PKG_CONFIG_PATH=$P2/lib/pkgconfig pkg-config "$@" gsc-runtime; }
if check "make install LIB_CFLAGS=-O2 (no -fopenmp, no -march)" "$T/install2.log" \
    "$MAKE" -s -C "$ROOT" install PREFIX="$P2" LIB_CFLAGS=-O2 LIB_BUILD="$T/lib-portable" LDCONFIG=true; then
    if [ "$(pc2 --variable=isa)" = portable ] && [ "$(pc2 --variable=openmp)" = no ] &&
        ! pc2 --static --libs | grep -q -- -fopenmp && ! needed "$P2/lib/$so" | grep -q libgomp; then
        ok "pkg-config says isa=portable openmp=no; no -fopenmp in --static; $so needs no libgomp"
    else bad "the portable library: isa=$(pc2 --variable=isa) openmp=$(pc2 --variable=openmp); $(pc2 --static --libs)"
    fi
    mkdir -p "$T/pc2"
    # shellcheck disable=SC2046,SC2086 # pkg-config's output is a list of words
    if $CC $WARN -O2 $(pc2 --cflags) -I"$T/pc" -o "$T/pc2/product" "$SRC/product.c" "$T/pc/model.c" \
        $(pc2 --variable=static_libs) > "$T/pc2/build.log" 2>&1; then
        agrees "the product on the portable library" "$T/pc2/product" "$T/x.bin" "$T/ref.bin" portable
    else bad "the product on the portable library does not build" "$T/pc2/build.log"; fi
fi

# ------------------------------------------------------------ 8. DESTDIR
S=$T/stage
FINAL=/opt/gsc-install-test
if check "make install DESTDIR=$S PREFIX=$FINAL" "$T/install3.log" \
    "$MAKE" -s -C "$ROOT" install DESTDIR="$S" PREFIX="$FINAL" LDCONFIG=true; then
    files "$P" > "$T/files_prefix"
    files "$S$FINAL" > "$T/files_stage"
    if cmp -s "$T/files_prefix" "$T/files_stage" && [ "$(files "$S" | wc -l)" = "$(wc -l < "$T/files_stage")" ] &&
        [ ! -e "$FINAL" ]; then
        ok "DESTDIR: the same $(wc -l < "$T/files_stage") files, all under $S$FINAL, nothing in $FINAL"
    else diff "$T/files_prefix" "$T/files_stage" > "$T/files.diff"; bad "DESTDIR: other files" "$T/files.diff"; fi
    if grep -qx "prefix=$FINAL" "$S$FINAL/lib/pkgconfig/gsc-runtime.pc"; then
        ok "DESTDIR: gsc-runtime.pc says prefix=$FINAL"
    else bad "DESTDIR: gsc-runtime.pc" "$S$FINAL/lib/pkgconfig/gsc-runtime.pc"; fi
    if cmake -S "$SRC" -B "$T/cmake-stage" -DCMAKE_PREFIX_PATH="$S$FINAL" -DMODEL="$MODEL" \
        > "$T/cmake-stage.log" 2>&1 &&
        grep -qx "gsc $S$FINAL/bin/gsc" "$T/cmake-stage/gsc_package.txt"; then
        ok "DESTDIR: find_package(gsc) works from the staged tree (gsc is $S$FINAL/bin/gsc)"
    else bad "DESTDIR: find_package(gsc) from the staged tree" "$T/cmake-stage.log"; fi
    "$MAKE" -s -C "$ROOT" uninstall DESTDIR="$S" PREFIX="$FINAL" LDCONFIG=true > "$T/uninstall3.log" 2>&1
    if [ -z "$(files "$S")" ] && [ ! -e "$S$FINAL/share/gsc" ]; then ok "DESTDIR: make uninstall leaves no file"
    else files "$S" > "$T/left"; bad "DESTDIR: make uninstall left files" "$T/left"; fi
fi

# ------------------------------------------------------------ 9. make uninstall
echo mine > "$P/bin/other-tool"
echo mine > "$P/share/gsc/models/mine.gs"
if check "make uninstall PREFIX=$P" "$T/uninstall.log" "$MAKE" -s -C "$ROOT" uninstall PREFIX="$P" LDCONFIG=true; then
    left=$(files "$P" | tr '\n' ' ')
    if [ "$left" = "./bin/other-tool ./share/gsc/models/mine.gs " ] && [ ! -e "$P/include/gsc" ] &&
        [ ! -e "$P/lib/cmake/gsc" ] && [ ! -e "$P/share/doc/gsc" ] && [ ! -e "$P/share/gsc/runtime" ] &&
        [ ! -e "$P/share/gsc/examples" ]; then
        ok "make uninstall removed every installed file and gsc's own directories, kept the 2 files it did not install"
    else bad "make uninstall left: $left"; fi
fi
"$MAKE" -s -C "$ROOT" uninstall PREFIX="$P2" LDCONFIG=true > "$T/uninstall2.log" 2>&1
if [ -d "$P2" ] && [ -z "$(files "$P2")" ]; then ok "make uninstall of the portable install leaves no file"
else bad "make uninstall of the portable install left: $(files "$P2" | tr '\n' ' ')"; fi

finish
