"""Model files: .npz with `sizes`, `activation`, `cost`, `W0, b0, W1, b1 …` and training metadata.

W{l} has shape (sizes[l+1], sizes[l]) as in `Network.weights`. Metadata (epochs done, history …) is
stored as JSON text under `metadata`. Files are written atomically: a temporary file in the same
folder, then a rename, so a crash never leaves half a model behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np

from mlpviz.core.activations import ACTIVATIONS
from mlpviz.core.costs import COSTS
from mlpviz.core.network import Network, check_parameters

FORMAT = "mlpviz-model"
FORMAT_VERSION = 1


class ModelFileError(ValueError):
    """A file that is not a model, is truncated, or is inconsistent; the message says which."""


def atomic_savez(path, arrays: dict) -> None:
    """np.savez_compressed to a temporary file beside `path`, then os.replace onto it."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez_compressed(f, **arrays)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def save_model(net: Network, path, metadata: dict | None = None) -> None:
    """Write `net` (and JSON-serialisable `metadata`) to `path` atomically."""
    arrays = {
        "format": np.array(FORMAT),
        "format_version": np.array(FORMAT_VERSION),
        "sizes": np.array(net.sizes, dtype=np.int64),
        "activation": np.array(net.activation),
        "cost": np.array(net.cost),
        "metadata": np.array(json.dumps(metadata or {})),
    }
    for l, (W, b) in enumerate(zip(net.weights, net.biases)):
        arrays[f"W{l}"] = np.asarray(W, dtype=np.float64)
        arrays[f"b{l}"] = np.asarray(b, dtype=np.float64)
    atomic_savez(path, arrays)


def load_model(path) -> tuple[Network, dict]:
    """Read and check a model file: (network, metadata). Raises ModelFileError with a clear reason."""
    path = Path(path)
    try:
        with open(path, "rb") as f, np.load(f, allow_pickle=False) as z:
            data = {k: z[k] for k in z.files}
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ModelFileError(f"{path}: is a folder, not a model file") from None
    except Exception as e:  # noqa: BLE001 - zip, zlib, header parsing: any of them means "corrupt"
        raise ModelFileError(f"{path}: not a model file, or damaged ({type(e).__name__}: {e})") from None
    try:
        return _network_from(data), _metadata_from(data)
    except ModelFileError as e:
        raise ModelFileError(f"{path}: {e}") from None


def _text(data: dict, key: str) -> str:
    """A 0-d string entry of the file."""
    v = data.get(key)
    if v is None:
        raise ModelFileError(f"missing '{key}'")
    if v.shape != () or v.dtype.kind != "U":
        raise ModelFileError(f"'{key}' must be a text value")
    return str(v)


def _network_from(data: dict) -> Network:
    """Check names, sizes and every W{l}, b{l}, then build the network."""
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
    L = sizes.size - 1
    missing = [k for l in range(L) for k in (f"W{l}", f"b{l}") if k not in data]
    if missing:
        raise ModelFileError(f"missing {', '.join(missing)} for sizes {sizes.tolist()}")
    Ws, bs = [data[f"W{l}"] for l in range(L)], [data[f"b{l}"] for l in range(L)]
    for name, arr in [(f"W{l}", W) for l, W in enumerate(Ws)] + [(f"b{l}", b) for l, b in enumerate(bs)]:
        if arr.dtype.kind != "f":
            raise ModelFileError(f"'{name}' must hold floating-point numbers, not {arr.dtype}")
    try:
        check_parameters(sizes.tolist(), Ws, bs)
    except ValueError as e:
        raise ModelFileError(str(e)) from None
    return Network.from_parameters(sizes.tolist(), activation, cost, Ws, bs)


def _metadata_from(data: dict) -> dict:
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
