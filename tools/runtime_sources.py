"""The runtime's C sources, runtime/gsc_*.c: what the tests in tools/ and bench/zoo.py link with
generated C (forward, fast kernels, Winograd, backward, training), one list for all, and that list
compiled once per compiler and flag set into an archive cached in the build directory."""
import glob
import hashlib
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def runtime_sources():
    """Absolute paths of runtime/gsc_*.c, sorted."""
    return sorted(glob.glob(os.path.join(ROOT, "runtime", "gsc_*.c")))


def _stale(target, deps):
    """True when target is missing or older than one of deps (make's rule)."""
    if not os.path.exists(target):
        return True
    t = os.path.getmtime(target)
    return any(os.path.getmtime(d) > t for d in deps)


_identities = {}


def compiler_identity(cc):
    """What `cc --version` prints (stdout and stderr), asked once per process and compiler: a compiler
    upgraded in place (the same path, a new version) prints something else."""
    if cc not in _identities:
        r = subprocess.run([cc, "--version"], capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError("%s --version: exit status %d\n%s" % (cc, r.returncode, (r.stdout + r.stderr)[-2000:]))
        _identities[cc] = r.stdout + r.stderr
    return _identities[cc]


def runtime_archive(cc, cflags, build=None):
    """Every runtime/gsc_*.c compiled with `cc -std=c99 CFLAGS` into BUILD/rt/<key>/libgscrt.a, one
    archive per compiler and flag set (key: a hash of the compiler's name, its `--version` text and the
    flags, so an upgraded compiler gets an archive of its own), rebuilt only when a runtime source or
    header is newer than it; BUILD is $BUILD or ROOT/build. Returns the archive's path: the linker
    takes from it only the objects a program needs."""
    build = build or os.environ.get("BUILD", os.path.join(ROOT, "build"))
    key = hashlib.sha1("\0".join([cc, compiler_identity(cc), *cflags]).encode()).hexdigest()[:12]
    d = os.path.join(build, "rt", key)
    lib = os.path.join(d, "libgscrt.a")
    srcs = runtime_sources()
    deps = srcs + glob.glob(os.path.join(ROOT, "runtime", "*.h"))
    if not _stale(lib, deps):
        return lib
    os.makedirs(d, exist_ok=True)
    objs = []
    for src in srcs:
        obj = os.path.join(d, os.path.basename(src)[:-2] + ".o")
        if _stale(obj, deps):
            tmp = obj + ".%d" % os.getpid()  # renamed when whole: a concurrent run never links half an object
            cmd = [cc, "-std=c99", *cflags, "-I" + os.path.join(ROOT, "runtime"), "-c", src, "-o", tmp]
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode:
                raise RuntimeError("%s\n%s" % (" ".join(cmd), (r.stdout + r.stderr)[-2000:]))
            os.replace(tmp, obj)
        objs.append(obj)
    tmp = lib + ".%d" % os.getpid()
    subprocess.run(["ar", "rcs", tmp, *objs], check=True)
    os.replace(tmp, lib)
    return lib
