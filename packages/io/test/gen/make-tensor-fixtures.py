#!/usr/bin/python3
"""Fixtures of @losscape/io's numpy, IDX and safetensors readers, written by numpy 1.24 and torch 1.13.

Run from the repository root (Debian's python: numpy 1.24, torch 1.13):

    /usr/bin/python3 packages/io/test/gen/make-tensor-fixtures.py

Writes packages/io/test/fixtures/{npy,idx,safetensors}/* and an expected.json per folder (the values as JSON numbers:
Python writes the shortest decimal that round-trips, so a test compares float64 values exactly). The tests read only
these committed files; CI has no Python.
"""
import gzip
import io
import json
import os
import struct

import numpy as np
import torch

ROOT = os.path.join("packages", "io", "test", "fixtures")
NPY, IDX, ST = (os.path.join(ROOT, d) for d in ("npy", "idx", "safetensors"))
for d in (NPY, IDX, ST):
    os.makedirs(d, exist_ok=True)


def values(a):
    """The array's values in C order as Python numbers (bool → 0/1), for expected.json."""
    return [v if not isinstance(v, bool) else int(v) for v in np.ascontiguousarray(a).reshape(-1).tolist()]


def dump(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True)
        f.write("\n")


# ---------------------------------------------------------------- .npy / .npz
npy_expected = {}


def save_npy(name, a, **kw):
    np.save(os.path.join(NPY, name), a, **kw)
    back = np.load(os.path.join(NPY, name))
    assert back.dtype == a.dtype and back.shape == a.shape
    npy_expected[name] = {"dtype": a.dtype.str[1:], "shape": list(a.shape), "data": values(a)}


# 3 × 4 values of every dtype: extremes of the type, negative zero, subnormals for floats.
base = {
    "f8": np.array([0.0, -0.0, 1.5, -2.25, np.pi, 1e308, -1e-308, 5e-324, 2.0**-1074 * 3, 1 / 3, 2.0**53, -7.0]),
    "f4": np.array([0.0, -0.0, 1.5, -2.25, np.float32(np.pi), 3.4028234663852886e38, 1.401298464324817e-45, 1e-40, 0.1, 1 / 3, 16777216.0, -7.0], dtype=np.float32),
    "f2": np.array([0.0, -0.0, 1.5, -2.25, 65504.0, 2.0**-24, 2.0**-14, 6.1e-5, 0.1, 1 / 3, 2048.0, -7.0], dtype=np.float16),
    "i1": np.array([0, -1, 1, 127, -128, 5, -5, 100, -100, 42, 7, -7], dtype=np.int8),
    "i2": np.array([0, -1, 1, 32767, -32768, 5, -5, 1000, -1000, 42, 7, -7], dtype=np.int16),
    "i4": np.array([0, -1, 1, 2**31 - 1, -(2**31), 5, -5, 10**9, -(10**9), 42, 7, -7], dtype=np.int32),
    "i8": np.array([0, -1, 1, 2**53, -(2**53), 2**40 + 3, -(2**40) - 3, 10**15, -(10**15), 2**32, -(2**32), -7], dtype=np.int64),
    "u1": np.array([0, 1, 255, 128, 5, 6, 7, 8, 9, 10, 11, 12], dtype=np.uint8),
    "u2": np.array([0, 1, 65535, 32768, 5, 6, 7, 8, 9, 10, 11, 12], dtype=np.uint16),
    "u4": np.array([0, 1, 2**32 - 1, 2**31, 5, 6, 7, 8, 9, 10, 11, 12], dtype=np.uint32),
    "u8": np.array([0, 1, 2**53, 2**32, 2**32 - 1, 2**40 + 1, 7, 8, 9, 10, 11, 12], dtype=np.uint64),
    "b1": np.array([True, False, False, True, True, True, False, False, True, False, True, False]),
}
for code, flat in base.items():
    a = flat.reshape(3, 4)
    orders = {"le": "<", "be": ">"} if a.dtype.itemsize > 1 else {"": "|"}
    for tag, bo in orders.items():
        typed = a.astype(a.dtype.newbyteorder(bo)) if a.dtype.itemsize > 1 else a
        for order in ("c", "f"):
            arr = np.asfortranarray(typed) if order == "f" else np.ascontiguousarray(typed)
            save_npy(f"{code}{'_' + tag if tag else ''}_{order}.npy", arr)

# Shapes: 0-d, 1-d, 3-d (C and Fortran), empty.
save_npy("f8_0d.npy", np.array(2.5))
save_npy("f8_1d.npy", np.arange(5, dtype=np.float64) / 4)
save_npy("f8_3d_c.npy", np.arange(24, dtype=np.float64).reshape(2, 3, 4) - 11.5)
save_npy("f8_3d_f.npy", np.asfortranarray(np.arange(24, dtype=np.float64).reshape(2, 3, 4) - 11.5))
save_npy("f8_empty.npy", np.zeros((0, 3)))

# Format versions 2.0 and 3.0 (3.0: a UTF-8 header; numpy writes it for unicode field names, here forced).
for version in ((2, 0), (3, 0)):
    name = f"f8_v{version[0]}.npy"
    a = np.arange(6, dtype=np.float64).reshape(2, 3) / 8
    with open(os.path.join(NPY, name), "wb") as f:
        np.lib.format.write_array(f, a, version=version)
    assert np.array_equal(np.load(os.path.join(NPY, name)), a)
    npy_expected[name] = {"dtype": "f8", "shape": [2, 3], "data": values(a)}

# What writeNpy must write byte for byte: np.save of '<f8' arrays in C order.
written = {
    "written_2d.npy": np.array([[0.5, -1.0, 3.0], [1e-300, 2.0**-1074, -0.0]]),
    "written_1d.npy": np.array([1.0, 2.0, 3.0, 4.0]),
    "written_0d.npy": np.array(-3.75),
    "written_3d.npy": np.arange(12, dtype=np.float64).reshape(2, 3, 2) * 0.5,
}
for name, a in written.items():
    save_npy(name, a)

# Refused: object arrays (pickle), int64/uint64 beyond 2^53, a structured dtype, a unicode string array.
np.save(os.path.join(NPY, "object.npy"), np.array([1, "a", None], dtype=object), allow_pickle=True)
np.save(os.path.join(NPY, "i8_beyond_2_53.npy"), np.array([1, 2**53 + 1, 3], dtype=np.int64))
np.save(os.path.join(NPY, "u8_beyond_2_53.npy"), np.array([1, 2, 2**64 - 1], dtype=np.uint64))
np.save(os.path.join(NPY, "structured.npy"), np.zeros(2, dtype=[("a", "<f8"), ("b", "<i4")]))
np.save(os.path.join(NPY, "unicode.npy"), np.array(["ab", "c"]))

# .npz: savez and savez_compressed of x (4 × 3 float64) and y (4 int64 class labels).
x = np.arange(12, dtype=np.float64).reshape(4, 3) / 3
y = np.array([0, 2, 1, 2], dtype=np.int64)
np.savez(os.path.join(NPY, "xy_savez.npz"), x=x, y=y)
np.savez_compressed(os.path.join(NPY, "xy_savez_compressed.npz"), x=x, y=y)
npy_expected["xy.npz"] = {"x": {"dtype": "f8", "shape": [4, 3], "data": values(x)}, "y": {"dtype": "i8", "shape": [4], "data": values(y)}}
dump(os.path.join(NPY, "expected.json"), npy_expected)

# ---------------------------------------------------------------- IDX (MNIST layout, made-up pixels: not MNIST)
idx_expected = {}
IDX_CODES = {np.dtype("u1"): 0x08, np.dtype("i1"): 0x09, np.dtype(">i2"): 0x0B, np.dtype(">i4"): 0x0C, np.dtype(">f4"): 0x0D, np.dtype(">f8"): 0x0E}


def idx_bytes(a):
    a = np.ascontiguousarray(a)
    head = bytes([0, 0, IDX_CODES[a.dtype], a.ndim]) + b"".join(struct.pack(">I", n) for n in a.shape)
    return head + a.tobytes()


def save_idx(name, a, gz):
    raw = idx_bytes(a)
    data = gzip.compress(raw, mtime=0) if gz else raw
    with open(os.path.join(IDX, name), "wb") as f:
        f.write(data)
    idx_expected[name] = {"dtype": a.dtype.str[1:], "shape": list(a.shape), "data": values(a)}


rng = np.random.default_rng(13)
images = rng.integers(0, 256, size=(5, 28, 28)).astype(np.uint8)
labels = np.array([7, 2, 1, 0, 4], dtype=np.uint8)
save_idx("images-idx3-ubyte.gz", images, True)
save_idx("labels-idx1-ubyte.gz", labels, True)
save_idx("labels-idx1-ubyte", labels, False)
save_idx("i1.idx", np.array([[-128, 0, 127]], dtype=np.int8), False)
save_idx("i2.idx", np.array([[-32768, 1], [2, 32767]], dtype=">i2"), False)
save_idx("i4.idx", np.array([-(2**31), 0, 2**31 - 1], dtype=">i4"), False)
save_idx("f4.idx", np.array([[0.1, -0.0], [1e-40, 3.4028234663852886e38]], dtype=">f4"), False)
save_idx("f8.idx", np.array([np.pi, -1e-308, 5e-324], dtype=">f8"), False)
dump(os.path.join(IDX, "expected.json"), idx_expected)

# ---------------------------------------------------------------- safetensors
# torch 1.13 has no safetensors module: the file is written here from the format's definition
# (https://github.com/huggingface/safetensors: u64 little-endian header length, JSON header, byte buffer).
ST_DTYPES = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64"}


def tensor_bytes(t):
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: the same 16 bits as int16
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def save_safetensors(name, tensors, metadata=None):
    header, chunks, offset = {}, [], 0
    for key, t in tensors.items():
        b = tensor_bytes(t)
        header[key] = {"dtype": ST_DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        chunks.append(b)
        offset += len(b)
    if metadata is not None:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(os.path.join(ST, name), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def flat_params(model):
    """θ = [W¹ row-major, b¹, W², b², …] (losscape's flat order = PyTorch's parameter order), as float64 values."""
    return [v for p in model.parameters() for v in p.detach().double().reshape(-1).tolist()]


st_expected = {}
torch.manual_seed(13)
net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)).double()
with torch.no_grad():
    net[0].weight[0, 0] = 2.0**-20  # an F16 subnormal once converted
    net[0].weight[0, 1] = -(2.0**-24)  # the smallest F16 subnormal
spec = {"widths": [3, 4, 2], "activation": "tanh", "output": "linear", "bias": True, "loss": "mse"}
sd = net.state_dict()
save_safetensors("mlp_f64.safetensors", sd, {"losscape": json.dumps(spec), "format": "pt"})
st_expected["mlp_f64.safetensors"] = {"spec": spec, "params": flat_params(net)}
for dtype, tag in ((torch.float32, "f32"), (torch.float16, "f16"), (torch.bfloat16, "bf16")):
    low = {k: v.to(dtype) for k, v in sd.items()}
    save_safetensors(f"mlp_{tag}.safetensors", low)
    st_expected[f"mlp_{tag}.safetensors"] = {"spec": {"widths": [3, 4, 2], "activation": "tanh"}, "params": [v for t in low.values() for v in t.double().reshape(-1).tolist()]}

# A prefix (a module holding the Sequential as `net`), no bias, 3 layers, ReLU, float32.
class Holder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(2, 5, bias=False), torch.nn.ReLU(), torch.nn.Linear(5, 5, bias=False), torch.nn.ReLU(), torch.nn.Linear(5, 1, bias=False))


holder = Holder()
save_safetensors("prefixed_nobias_f32.safetensors", holder.state_dict())
st_expected["prefixed_nobias_f32.safetensors"] = {"spec": {"widths": [2, 5, 5, 1], "activation": "relu", "bias": False}, "params": flat_params(holder)}

# Refused: BatchNorm's running statistics are not Linear layers; a non-finite F16 value.
bn = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
save_safetensors("batchnorm_f32.safetensors", bn.state_dict())
inf = {k: v.to(torch.float16) for k, v in sd.items()}
inf["2.bias"][1] = float("inf")
save_safetensors("inf_f16.safetensors", inf)
dump(os.path.join(ST, "expected.json"), st_expected)
print("wrote", ROOT)
