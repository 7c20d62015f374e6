# shellcheck shell=sh
# torch_test_lib.sh - what tools/test_export_torch.sh and tools/test_grad_torch.sh share.
#
# Sourced, not run, after setting ROOT, GSC and PY. Gives the PASS/FAIL
# counters, finish (prints "N passed, M failed" and exits, status 1 on
# failures) and torch_test_setup.

pass=0
fail=0

ok() { pass=$((pass + 1)); echo "PASS $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "$2" ] && sed 's/^/    /' "$2" | tail -n 20; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }

# torch_test_setup NAME MODULES PACKAGES: when $PY cannot import MODULES (e.g. "torch, numpy"),
# installs the Debian PACKAGES with apt-get if $PY is Debian's /usr/bin/python3 and this runs as
# root, and skips (0 passed, 0 failed, status 0) if it still cannot. Fails when $GSC is not
# there. Sets T to a new temporary directory, removed at exit unless KEEP is set.
torch_test_setup() {
    if [ "$PY" = /usr/bin/python3 ] && ! "$PY" -c "import $2" 2>/dev/null && [ "$(id -u)" = 0 ] &&
        command -v apt-get > /dev/null; then
        echo "installing $3"
        # shellcheck disable=SC2086 # $3 is a list of packages
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $3 > /dev/null
    fi
    if ! [ -x "$PY" ] || ! "$PY" -c "import $2" 2>/dev/null; then
        echo "SKIP: $PY cannot import $2 (apt-get install $3)"
        finish
    fi
    if ! [ -x "$GSC" ]; then
        echo "gsc not found at $GSC (run make, or pass its path)"
        fail=1
        finish
    fi
    T=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || exit 1
    if [ -n "${KEEP:-}" ]; then
        echo "work files in $T"
    else
        trap 'rm -rf "$T"' EXIT INT TERM
    fi
}
