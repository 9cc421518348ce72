"""Reading files written by other programs without trusting them: every declared shape is checked
against a limit before any data is read, and every failure is one `ModelImportError` naming the file.

The limits are generous for the networks mlpviz shows (a 784 → 10,000 → 10 network has 7.9 million
parameters) and small enough that a hostile or damaged file cannot make mlpviz allocate gigabytes.
"""

from __future__ import annotations

import importlib
import json
import struct
from pathlib import Path

import numpy as np

from mlpviz.core import npz
from mlpviz.core.npz import elements

MAX_NEURONS = 10_000  # per layer, as the command line allows for hidden layers
MAX_PARAMETERS = 20_000_000  # numbers per model file (160 MB as float64)
MAX_MODEL_BYTES = 8 * MAX_PARAMETERS + 16 * 2**20  # files parsed whole (ONNX's protobuf)
MAX_JSON_BYTES = 256 * 2**20

SAFETENSORS_MAX_HEADER = 100 * 2**20  # the safetensors format's own limit
_FLOAT_KINDS = "f"


class ModelImportError(ValueError):
    """A file that cannot be imported: damaged, not a plain MLP, too large, or missing a choice
    (activation, cost) it does not state. The message names the file and the first thing that
    does not fit."""


def optional_module(name: str, what: str):
    """Import an optional package (safetensors, onnx, h5py) or say how to install it."""
    try:
        return importlib.import_module(name)
    except ImportError:
        raise ModelImportError(f"reading {what} needs the '{name}' package: "
                               "pip install 'mlpviz[import]'") from None


def check_budget(shapes: dict[str, tuple], limit: int, path) -> None:
    """Refuse before reading when the declared shapes hold more than `limit` numbers in all, or
    any dimension is negative."""
    total = 0
    for key, shape in shapes.items():
        if any(int(s) < 0 for s in shape):
            raise ModelImportError(f"{path}: '{key}' declares a negative size {tuple(shape)}")
        total += elements(shape)
    if total > limit:
        raise ModelImportError(f"{path}: declares {total:,} numbers; mlpviz reads at most "
                               f"{limit:,} from one file")


def check_file_size(path: Path, limit: int) -> int:
    """The file's size in bytes, refused above `limit` (for formats read whole)."""
    size = path.stat().st_size
    if size > limit:
        raise ModelImportError(f"{path}: {size:,} bytes; mlpviz reads at most {limit:,} bytes "
                               "of this format")
    return size


# --- .npz -----------------------------------------------------------------------------------------


def read_npz(path, limit: int, what: str = "model file") -> dict[str, np.ndarray]:
    """Every array of a NumPy .npz archive, after checking each member's declared shape against
    its stored size and all shapes together against `limit` numbers (core.npz). `what` names the
    kind of file in the error message."""
    try:
        return npz.read_npz(path, limit, what)
    except npz.NpzError as e:
        raise ModelImportError(str(e)) from None


# --- .safetensors ---------------------------------------------------------------------------------


def is_safetensors(head: bytes, size: int) -> bool:
    """True if the first bytes look like a safetensors file: an 8-byte little-endian header length
    that fits the file, then a JSON object."""
    if len(head) < 9:
        return False
    n = struct.unpack("<Q", head[:8])[0]
    return 2 <= n <= min(size - 8, SAFETENSORS_MAX_HEADER) and head[8:9] == b"{"


_SAFETENSORS_FLOATS = {"F16", "F32", "F64"}


def read_safetensors(path, limit: int) -> dict[str, np.ndarray]:
    """Every tensor of a .safetensors file through the safetensors package's NumPy API, after
    checking the header's dtypes and shapes (floats only, at most `limit` numbers)."""
    path = Path(path)
    safetensors = optional_module("safetensors", "a .safetensors file")
    try:
        with safetensors.safe_open(str(path), framework="numpy") as f:
            shapes = {}
            for key in f.keys():
                piece = f.get_slice(key)
                dtype = str(piece.get_dtype())
                if dtype not in _SAFETENSORS_FLOATS:
                    raise ModelImportError(f"{path}: tensor '{key}' is {dtype}; mlpviz reads "
                                           "float16, float32 or float64 weights")
                shapes[key] = tuple(piece.get_shape())
            check_budget(shapes, limit, path)
            return {key: np.array(f.get_tensor(key)) for key in shapes}
    except ModelImportError:
        raise
    except Exception as e:  # noqa: BLE001 - SafetensorError and friends: the file is damaged
        raise ModelImportError(f"{path}: not a valid .safetensors file, or damaged "
                               f"({type(e).__name__}: {e})") from None


# --- .h5 ------------------------------------------------------------------------------------------

H5_MAGIC = b"\x89HDF\r\n\x1a\n"


def read_h5(path, limit: int) -> tuple[dict, dict[str, np.ndarray], dict[str, dict]]:
    """(root attributes, every dataset by its path, every group's attributes by its path) of an
    HDF5 file, after checking the datasets' declared shapes and dtypes. External links are not
    followed. Text attributes come back as str."""
    path = Path(path)
    h5py = optional_module("h5py", "an .h5 file")
    try:
        with h5py.File(path, "r") as f:
            found: dict[str, object] = {}
            groups: dict[str, dict] = {"": _attrs(f.attrs)}

            def visit(name, obj):
                if isinstance(obj, h5py.Dataset):
                    found[name] = obj
                elif isinstance(obj, h5py.Group):
                    groups[name] = _attrs(obj.attrs)

            f.visititems(visit)
            for name, ds in found.items():
                if ds.dtype.kind not in _FLOAT_KINDS:
                    raise ModelImportError(f"{path}: dataset '{name}' holds {ds.dtype}, not "
                                           "floating-point numbers")
            check_budget({n: ds.shape or () for n, ds in found.items()}, limit, path)
            data = {name: np.array(ds[()]) for name, ds in found.items()}
            return groups[""], data, groups
    except ModelImportError:
        raise
    except Exception as e:  # noqa: BLE001 - h5py raises OSError, KeyError, ValueError … on bad files
        raise ModelImportError(f"{path}: not a valid HDF5 file, or damaged "
                               f"({type(e).__name__}: {e})") from None


def _attrs(attrs) -> dict:
    """HDF5 attributes with bytes decoded to str (also inside arrays of names)."""
    out = {}
    for key in attrs:
        v = attrs[key]
        if isinstance(v, bytes):
            v = v.decode("utf-8", "replace")
        elif isinstance(v, np.ndarray) and v.dtype.kind in "SOU":
            v = [x.decode("utf-8", "replace") if isinstance(x, bytes) else str(x) for x in v.ravel()]
        out[key] = v
    return out


# --- JSON -----------------------------------------------------------------------------------------


def read_json(path, limit: int = MAX_JSON_BYTES):
    """A JSON document of at most `limit` bytes."""
    path = Path(path)
    check_file_size(path, limit)
    try:
        return json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise ModelImportError(f"{path}: not valid JSON ({type(e).__name__}: {e})") from None
