"""float32 safetensors files from and to numpy arrays, for the tests in tools/
(the format: an 8-byte little-endian header length, a JSON header of name ->
dtype, shape and byte offsets, padded to 8 bytes, then the data)."""
import json
import struct

import numpy as np


def write_safetensors(path, tensors):
    """tensors: a dict or a list of (name, array) pairs, written in that order as F32."""
    items = tensors.items() if isinstance(tensors, dict) else tensors
    header, blobs, off = {}, [], 0
    for name, a in items:
        b = np.ascontiguousarray(a, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(np.shape(a)), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def read_safetensors(path, with_metadata=False):
    """name -> float32 array (read-only views of the file's bytes), in file order; with_metadata,
    also the header's __metadata__ dict. A tensor that is not F32 data of its shape inside the
    file is a ValueError naming it."""
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    out = {}
    for name, t in header.items():
        lo, hi = t["data_offsets"]
        if t["dtype"] != "F32" or hi - lo != 4 * int(np.prod(t["shape"])) or 8 + n + hi > len(data):
            raise ValueError("%s: tensor %s is not F32 data of shape %s" % (path, name, t["shape"]))
        out[name] = np.frombuffer(data[8 + n + lo:8 + n + hi], dtype="<f4").reshape(t["shape"])
    return (out, meta) if with_metadata else out
