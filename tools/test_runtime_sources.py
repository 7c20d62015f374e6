"""tools/runtime_sources.py's cached runtime archive against a compiler upgraded in place.

A stand-in compiler (a shell script at one path) says `fakecc VERSION` to --version and, for -c,
logs the version and the source and compiles an empty file into the object. runtime_archive is called
in a new process each time, as the tests that use it are: with version 1 it compiles every runtime
source, called again it compiles nothing, and once the script at the same path says version 2 it must
build a new archive (another key) with every source compiled again; called back with version 1, the
first archive is reused."""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from runtime_sources import runtime_sources  # noqa: E402

FAKE = r"""#!/bin/sh
v=$(cat "%(dir)s/version")
[ "$1" = --version ] && { echo "fakecc $v"; exit 0; }
out= src=
while [ $# -gt 0 ]; do
    case $1 in -o) out=$2; shift ;; *.c) src=$1 ;; esac
    shift
done
echo "$v $src" >> "%(dir)s/log"
exec cc -x c -c /dev/null -o "$out"
"""


def main():
    n = len(runtime_sources())
    fails = 0
    with tempfile.TemporaryDirectory() as d:
        cc = os.path.join(d, "cc")
        with open(cc, "w") as f:
            f.write(FAKE % {"dir": d})
        os.chmod(cc, 0o755)
        build = os.path.join(d, "build")

        def archive(version):
            with open(os.path.join(d, "version"), "w") as f:
                f.write(version)
            code = "import sys; sys.path.insert(0, %r); from runtime_sources import runtime_archive; " \
                   "print(runtime_archive(%r, ['-O2'], build=%r))" % (HERE, cc, build)
            lib = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                 text=True).stdout.strip()
            log = os.path.join(d, "log")
            lines = open(log).read().splitlines() if os.path.exists(log) else []
            if os.path.exists(log):
                os.remove(log)
            return lib, lines

        def check(what, ok):
            nonlocal fails
            print("%s %s" % ("ok  " if ok else "FAIL", what))
            fails += not ok

        lib1, log = archive("1")
        check("version 1: every runtime source compiled (%d of %d)" % (len(log), n),
              len(log) == n and all(s.startswith("1 ") for s in log) and os.path.exists(lib1))
        lib, log = archive("1")
        check("version 1 again: the same archive, nothing compiled (%d)" % len(log), lib == lib1 and not log)
        lib2, log = archive("2")
        check("version 2 at the same path: a new archive (%s), every source compiled with it (%d of %d)"
              % (os.path.relpath(lib2, build), len(log), n),
              lib2 != lib1 and len(log) == n and all(s.startswith("2 ") for s in log) and os.path.exists(lib2))
        lib, log = archive("1")
        check("version 1 back: its archive reused, nothing compiled (%d)" % len(log), lib == lib1 and not log)
    print("%s: %s" % (os.path.basename(__file__), "FAILED" if fails else "passed"))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
