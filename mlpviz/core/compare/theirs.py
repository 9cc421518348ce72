"""Reading someone else's trace: our trace format (README "Trace file format"), or any subset of
it, plus the batch keys. Untrusted: sizes are bounded before reading, every value is checked, and
every problem is one ValueError naming the file and the key.

Single sample: x (or a0), label, and any of a{l}, z{l}, C, grad_a{l}, grad_z{l}, grad_W{l}, grad_b{l};
W{l}, b{l} (the parameters used), activation, cost.
Batch: X (n, n_in) and labels (n,) — or indices (n,) into split ("train" / "test") of data
("bundled", "mnist", "fashion" or a folder) — with grad_W{l}, grad_b{l} the MEAN over the batch,
C the mean cost, a{l} / z{l} of shape (n, sizes[l]).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from mlpviz.core.imports.files import MAX_JSON_BYTES, ModelImportError, read_json, read_npz
from mlpviz.core.trace_export import FORMAT, VERSION

MAX_TRACE_NUMBERS = 64_000_000  # a batch of all 60,000 MNIST images is 47 million
TEXT_KEYS = ("activation", "cost", "split", "data")
INTEGER_KEYS = ("label",)
INTEGER_ARRAYS = ("labels", "indices")
ARRAY_KEYS = re.compile(r"x|X|C|(a|z|grad_a|grad_z|W|b|grad_W|grad_b)\d+")


class TraceFileError(ValueError):
    """Their trace cannot be read or does not make sense; the message names the file and key."""


def read_their_trace(path) -> tuple[dict, tuple[str, ...]]:
    """(values by key, keys that were ignored). Values: label int, the text keys str, labels and
    indices int arrays, everything else float64 arrays (NaN allowed: their code may produce it)."""
    path = Path(path)
    try:
        raw = _raw(path)
    except ModelImportError as e:
        raise TraceFileError(str(e)) from None
    values, ignored = {}, []
    for key, v in raw.items():
        if key in TEXT_KEYS:
            values[key] = _text(v, key, path)
        elif key in INTEGER_KEYS:
            values[key] = _integer(v, key, path)
        elif key in INTEGER_ARRAYS:
            values[key] = _integers(v, key, path)
        elif ARRAY_KEYS.fullmatch(key):
            values[key] = _floats(v, key, path)
        else:
            ignored.append(key)
    return values, tuple(sorted(ignored))


def _raw(path: Path) -> dict:
    if not path.is_file():
        raise TraceFileError(f"{path}: no such file" if not path.exists() else
                             f"{path}: not a file")
    with open(path, "rb") as f:
        head = f.read(4)
    if head.startswith(b"PK"):
        return read_npz(path, MAX_TRACE_NUMBERS, "trace file")
    doc = read_json(path, MAX_JSON_BYTES)
    if not isinstance(doc, dict):
        raise TraceFileError(f"{path}: a trace is a JSON object of keys, not a "
                             f"{type(doc).__name__}")
    fmt, version = doc.pop("format", FORMAT), doc.pop("version", VERSION)
    if fmt != FORMAT:
        raise TraceFileError(f"{path}: \"format\" is {fmt!r}, not \"{FORMAT}\"")
    if version != VERSION:
        raise TraceFileError(f"{path}: trace version {version!r}; this mlpviz reads {VERSION}")
    return doc


def _text(v, key: str, path) -> str:
    if isinstance(v, np.ndarray) and v.shape == () and v.dtype.kind == "U":
        return str(v)
    if isinstance(v, str):
        return v
    raise TraceFileError(f"{path}: '{key}' must be text")


def _integer(v, key: str, path) -> int:
    a = np.asarray(v) if not isinstance(v, (list, dict, str, bool)) else None
    if a is None or a.shape != () or a.dtype.kind not in "iuf" or not np.isfinite(a) \
            or float(a) != int(a):
        raise TraceFileError(f"{path}: '{key}' must be a whole number")
    return int(a)


def _numbers(v, key: str, path) -> np.ndarray:
    try:
        a = np.asarray(v)
    except ValueError:  # ragged nested lists
        raise TraceFileError(f"{path}: '{key}' is not a rectangular array of numbers") from None
    if a.dtype.kind not in "iuf" or a.dtype == object:
        raise TraceFileError(f"{path}: '{key}' must hold numbers, not {a.dtype}")
    return a


def _floats(v, key: str, path) -> np.ndarray:
    return _numbers(v, key, path).astype(np.float64)


def _integers(v, key: str, path) -> np.ndarray:
    a = _numbers(v, key, path)
    if a.ndim != 1 or not np.all(np.isfinite(a)) or not np.all(a == np.round(a)):
        raise TraceFileError(f"{path}: '{key}' must be a list of whole numbers")
    return a.astype(np.int64)
