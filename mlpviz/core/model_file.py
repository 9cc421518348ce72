"""Model files: .npz with `sizes`, `activation`, `cost`, `W0, b0, W1, b1 …` and training metadata.

W{l} has shape (sizes[l+1], sizes[l]) as in `Network.weights`. Metadata (epochs done, history …,
see `core.model_metadata`) is stored as JSON text under `metadata`. Files are written atomically
(`core.atomic`). This module reads and writes arrays, names and metadata only; it does not know
`Network`, which builds on it (`Network.save`, `Network.load`, `Network.load_with_metadata`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from mlpviz.core.activations import ACTIVATIONS
from mlpviz.core.atomic import atomic_write
from mlpviz.core.costs import COSTS

FORMAT = "mlpviz-model"
FORMAT_VERSION = 1


class ModelFileError(ValueError):
    """A file that is not a model, is truncated, or is inconsistent; the message says which."""


@dataclass(frozen=True, eq=False)
class ModelData:
    """What a model file holds, checked.

    sizes      neurons per layer 0 … L, e.g. (784, 16, 16, 10)
    activation, cost   names, keys of ACTIVATIONS and COSTS
    weights    L float64 arrays, weights[l] of shape (sizes[l+1], sizes[l]), all finite
    biases     L float64 arrays, biases[l] of shape (sizes[l+1],), all finite
    metadata   the JSON metadata as a dict ({} when absent); `core.model_metadata` reads it
    """

    sizes: tuple[int, ...]
    activation: str
    cost: str
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    metadata: dict


def write_model(path, sizes: Sequence[int], activation: str, cost: str, weights, biases,
                metadata: dict | None = None) -> None:
    """Write a model file to `path` atomically: W{l} = weights[l], b{l} = biases[l] as float64,
    `metadata` (JSON-serialisable) as JSON text. An OSError names `path`."""
    arrays = {
        "format": np.array(FORMAT),
        "format_version": np.array(FORMAT_VERSION),
        "sizes": np.array(sizes, dtype=np.int64),
        "activation": np.array(activation),
        "cost": np.array(cost),
        "metadata": np.array(json.dumps(metadata or {})),
    }
    for l, (W, b) in enumerate(zip(weights, biases)):
        arrays[f"W{l}"] = np.asarray(W, dtype=np.float64)
        arrays[f"b{l}"] = np.asarray(b, dtype=np.float64)
    atomic_write(path, lambda f: np.savez_compressed(f, **arrays))


def read_model(path) -> ModelData:
    """Read and check a model file. Raises ModelFileError, naming the file and the reason."""
    path = Path(path)
    data = _entries(path)
    try:
        sizes, activation, cost = _architecture(data)
        weights, biases = _parameters(data, sizes)
        return ModelData(sizes, activation, cost, weights, biases, _metadata(data))
    except ModelFileError as e:
        raise ModelFileError(f"{path}: {e}") from None


def _entries(path: Path) -> dict[str, np.ndarray]:
    """Every array of the .npz at `path` (no pickles); anything unreadable is a ModelFileError."""
    try:
        with open(path, "rb") as f:
            if f.read(2) != b"PK":  # every .npz is a zip archive; anything else is not a model
                raise ModelFileError(f"{path}: not a model file (an mlpviz model is a NumPy "
                                     ".npz archive)")
            f.seek(0)
            with np.load(f, allow_pickle=False) as z:
                return {k: z[k] for k in z.files}
    except ModelFileError:
        raise
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ModelFileError(f"{path}: is a folder, not a model file") from None
    except Exception as e:  # noqa: BLE001 - zip, zlib, header parsing: any of them means "corrupt"
        raise ModelFileError(f"{path}: not a model file, or damaged ({type(e).__name__}: {e})") from None


def _text(data: dict, key: str) -> str:
    """A 0-d string entry of the file."""
    v = data.get(key)
    if v is None:
        raise ModelFileError(f"missing '{key}'")
    if v.shape != () or v.dtype.kind != "U":
        raise ModelFileError(f"'{key}' must be a text value")
    return str(v)


def _architecture(data: dict) -> tuple[tuple[int, ...], str, str]:
    """(sizes, activation, cost): at least two positive sizes and known names."""
    if "sizes" not in data:
        raise ModelFileError("not an mlpviz model (no 'sizes' entry)")
    sizes = data["sizes"]
    if sizes.ndim != 1 or sizes.size < 2 or sizes.dtype.kind not in "iu" or (sizes < 1).any():
        raise ModelFileError(f"'sizes' must list at least two positive integers, got {sizes!r}")
    activation, cost = _text(data, "activation"), _text(data, "cost")
    if activation not in ACTIVATIONS:
        raise ModelFileError(f"unknown activation {activation!r}")
    if cost not in COSTS:
        raise ModelFileError(f"unknown cost {cost!r}")
    return tuple(int(s) for s in sizes), activation, cost


def _parameters(data: dict, sizes: tuple[int, ...]):
    """(weights, biases) as float64 tuples: every W{l} (sizes[l+1], sizes[l]) and b{l}
    (sizes[l+1],) present, floating-point, of that shape and finite."""
    L = len(sizes) - 1
    shapes = {}
    for l in range(L):
        shapes[f"W{l}"], shapes[f"b{l}"] = (sizes[l + 1], sizes[l]), (sizes[l + 1],)
    missing = [key for key in shapes if key not in data]
    if missing:
        raise ModelFileError(f"missing {', '.join(missing)} for sizes {list(sizes)}")
    for key, shape in shapes.items():
        arr = data[key]
        if arr.dtype.kind != "f":
            raise ModelFileError(f"'{key}' must hold floating-point numbers, not {arr.dtype}")
        if arr.shape != shape:
            raise ModelFileError(f"{key} has shape {arr.shape}, expected {shape}")
        if not np.isfinite(arr).all():
            raise ModelFileError(f"{key} holds NaN or infinite values")
    return (tuple(np.asarray(data[f"W{l}"], dtype=np.float64) for l in range(L)),
            tuple(np.asarray(data[f"b{l}"], dtype=np.float64) for l in range(L)))


def _metadata(data: dict) -> dict:
    """The JSON metadata, {} when absent."""
    if "metadata" not in data:
        return {}
    try:
        meta = json.loads(_text(data, "metadata"))
    except json.JSONDecodeError as e:
        raise ModelFileError(f"'metadata' is not valid JSON ({e})") from None
    if not isinstance(meta, dict):
        raise ModelFileError("'metadata' must be a JSON object")
    return meta
