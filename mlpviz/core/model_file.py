"""Model files: .npz with `sizes`, `activation`, `cost`, `W0, b0, W1, b1 …` and training metadata.

W{l} has shape (sizes[l+1], sizes[l]) as in `Network.weights`. Metadata (epochs done, history …) is
stored as JSON text under `metadata`. Files are written atomically: a temporary file in the same
folder, then a rename, so a crash never leaves half a model behind.
"""

from __future__ import annotations

import errno
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


def check_target(path) -> Path:
    """`path` as a Path if a file can be written there (checked by creating and removing a
    temporary file beside it), else OSError whose filename is `path` and whose strerror says why:
    a folder, a device or pipe (never replaced), a missing or unwritable folder."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder; give a file name", str(path))
    if path.exists() and not path.is_file():
        raise OSError(errno.EINVAL, "exists and is not a regular file (a device or a pipe)",
                      str(path))
    if not path.parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, f"the folder {path.parent} does not exist",
                                str(path))
    fd, tmp = _mkstemp(path)
    os.close(fd)
    os.unlink(tmp)
    return path


def _mkstemp(path: Path) -> tuple[int, str]:
    """A temporary file beside `path`; OSError naming `path` (not the temporary) on failure."""
    try:
        return tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise OSError(e.errno, f"cannot create a file in {path.parent} ({e.strerror})",
                      str(path)) from None


def atomic_write(path, write) -> None:
    """Call write(binary file) on a temporary file beside `path`, then os.replace it onto `path`.
    Refuses a folder or an existing non-regular file; an OSError names `path`, not the temporary."""
    path = Path(path)
    if path.is_dir() or (path.exists() and not path.is_file()):
        check_target(path)  # raises, saying why
    fd, tmp = _mkstemp(path)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException as e:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(e, OSError) and e.errno is not None and e.filename != str(path):
            raise OSError(e.errno, e.strerror or str(e), str(path)) from None
        raise


def atomic_savez(path, arrays: dict) -> None:
    """np.savez_compressed to a temporary file beside `path`, then os.replace onto it."""
    atomic_write(path, lambda f: np.savez_compressed(f, **arrays))


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
        with open(path, "rb") as f:
            if f.read(2) != b"PK":  # every .npz is a zip archive; anything else is not a model
                raise ModelFileError(f"{path}: not a model file (an mlpviz model is a NumPy "
                                     ".npz archive)")
            f.seek(0)
            with np.load(f, allow_pickle=False) as z:
                data = {k: z[k] for k in z.files}
    except ModelFileError:
        raise
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
