"""The runtime's C sources, runtime/gsc_*.c: what the tests in tools/ link with
generated C (forward, fast kernels, Winograd, backward, training), one list for all."""
import glob
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def runtime_sources():
    """Absolute paths of runtime/gsc_*.c, sorted."""
    return sorted(glob.glob(os.path.join(ROOT, "runtime", "gsc_*.c")))
