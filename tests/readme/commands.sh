#!/bin/sh
# tests/readme/commands.sh [GSC] - runs the command block of README.md's
# "Command line" section as a user would: line by line, in order, in a fresh
# directory that holds models/, with GSC (default build/gsc) as 'gsc' on PATH.
# Every line must succeed (status 0; a pipeline fails when any of its
# commands does). Graphviz's dot, when missing, is replaced by cat (gsc
# --emit=dot still runs). Run from the repository root.
set -u
GSC=${1:-build/gsc}
case $GSC in /*) ;; *) GSC="$(pwd)/$GSC" ;; esac
[ -x "$GSC" ] || { echo "commands.sh: no gsc at $GSC"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin" "$tmp/run"
ln -s "$GSC" "$tmp/bin/gsc"
ln -s "$(pwd)/models" "$tmp/run/models"
if ! command -v dot >/dev/null; then
    printf '#!/bin/sh\nexec cat\n' > "$tmp/bin/dot"
    chmod +x "$tmp/bin/dot"
    echo "(Graphviz's dot is not installed: the dot step copies the graph text)"
fi
# The first fenced block after "## Command line", comments (after two
# spaces and a '#') removed.
sed -n '/^## Command line/,/^## [^C]/p' README.md | awk '/^```/ { n++; next } n == 1' |
    sed 's/[[:space:]][[:space:]]*#.*$//' > "$tmp/block"
lines=$(grep -c . "$tmp/block")
if [ "$lines" -lt 15 ]; then
    echo "commands.sh: README.md's command block has $lines lines; expected the Command line section's block"
    exit 1
fi
fail=0 n=0
while IFS= read -r cmd; do
    [ -n "$cmd" ] || continue
    n=$((n + 1))
    if (cd "$tmp/run" && PATH="$tmp/bin:$PATH" bash -o pipefail -c "$cmd") > "$tmp/out" 2> "$tmp/err"; then
        echo "ok: $cmd"
    else
        echo "FAILED (status $?): $cmd"
        head -n 12 "$tmp/err" | sed 's/^/    /'
        fail=1
    fi
done < "$tmp/block"
if [ $fail = 0 ]; then echo "README.md's $n commands ran in order"; fi
exit $fail
