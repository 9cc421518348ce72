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

from mlpviz import __version__
from mlpviz.core.activations import ACTIVATIONS
from mlpviz.core.atomic import atomic_write
from mlpviz.core.costs import COSTS
from mlpviz.core.limits import MAX_LAYER_SIZE, MAX_METADATA_CHARS, MAX_MODEL_PARAMETERS
from mlpviz.core.npz import MAX_MEMBERS, Member, NpzArchive, NpzError

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
    """Read and check a model file. Raises ModelFileError, naming the file and the reason.

    Every member's .npy header is checked before its data is read (core.npz): the texts' lengths,
    the format and its version, the layer sizes (each ≤ MAX_LAYER_SIZE, all parameters together
    ≤ MAX_MODEL_PARAMETERS), then each W{l}, b{l}'s declared dtype and shape against the sizes.
    Only then are the weights read, so a small file declaring huge arrays costs nothing."""
    path = Path(path)
    try:
        with NpzArchive(path) as archive:
            entries = Entries(archive)
            if "format" in entries:  # files from before the format was recorded have none
                check_format(entries, FORMAT, FORMAT_VERSION, "model")
            sizes, activation, cost = read_architecture(entries)
            weights, biases = read_parameters(entries, sizes)
            return ModelData(sizes, activation, cost, weights, biases, _metadata(entries))
    except NpzError as e:
        raise ModelFileError(str(e)) from None
    except ModelFileError as e:
        raise ModelFileError(f"{path}: {e}") from None


class Entries:
    """The members of a model file, read on demand once their declared shape and dtype are
    checked: `header(key)` (a core.npz.Member, or None if absent), `array(key)`."""

    def __init__(self, archive: NpzArchive):
        self._archive = archive

    def __contains__(self, key: str) -> bool:
        return key in self._archive.members

    def keys(self):
        return self._archive.members.keys()

    def header(self, key: str) -> Member | None:
        return self._archive.members.get(key)

    def array(self, key: str) -> np.ndarray:
        return self._archive.read(key)


def read_text(data: Entries, key: str, max_chars: int = 256) -> str:
    """A 0-d string entry of the file, of at most `max_chars` characters."""
    m = data.header(key)
    if m is None:
        raise ModelFileError(f"missing '{key}'")
    if m.shape != () or m.dtype.kind != "U":
        raise ModelFileError(f"'{key}' must be a text value")
    if m.dtype.itemsize // 4 > max_chars:
        raise ModelFileError(f"'{key}' is {m.dtype.itemsize // 4:,} characters long; mlpviz "
                             f"reads at most {max_chars:,}")
    return str(data.array(key))


def check_format(data: Entries, name: str, version: int, what: str) -> int:
    """The file says it is an mlpviz `what` ("model", "lesson") named `name`, of a version
    1 … `version` this mlpviz reads; returns the file's version. Shared by the model and lesson
    files (core.lesson_file)."""
    found = read_text(data, "format")
    if found != name:
        raise ModelFileError(f"a {found!r} file, not an mlpviz {what} ({name!r})")
    m = data.header("format_version")
    if m is None or m.shape != () or m.dtype.kind not in "iu":
        raise ModelFileError("'format_version' must be a whole number")
    found_version = int(data.array("format_version"))
    if found_version > version:
        raise ModelFileError(f"written in {what} format version {found_version} by a newer "
                             f"mlpviz; this one (version {__version__}) reads versions up to "
                             f"{version}: update mlpviz to open it")
    if found_version < 1:
        raise ModelFileError(f"{what} format version {found_version} does not exist (the file "
                             "is damaged or was edited by hand)")
    return found_version


def read_architecture(data: Entries) -> tuple[tuple[int, ...], str, str]:
    """(sizes, activation, cost): at least two positive sizes within the limits, known names."""
    m = data.header("sizes")
    if m is None:
        raise ModelFileError("not an mlpviz model (no 'sizes' entry)")
    if len(m.shape) != 1 or not 2 <= m.shape[0] <= MAX_MEMBERS // 2 or m.dtype.kind not in "iu":
        raise ModelFileError(f"'sizes' must list at least two positive integers, got "
                             f"{m.dtype} of shape {m.shape}")
    sizes = data.array("sizes")
    if (sizes < 1).any():
        raise ModelFileError(f"'sizes' must list at least two positive integers, got {sizes!r}")
    if (sizes > MAX_LAYER_SIZE).any():
        raise ModelFileError(f"'sizes' {sizes.tolist()} has a layer of more than "
                             f"{MAX_LAYER_SIZE:,} neurons, more than mlpviz builds")
    sizes = tuple(int(s) for s in sizes)
    count = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    if count > MAX_MODEL_PARAMETERS:
        raise ModelFileError(f"sizes {list(sizes)} mean {count:,} parameters; mlpviz reads at "
                             f"most {MAX_MODEL_PARAMETERS:,} from one model file")
    activation, cost = read_text(data, "activation"), read_text(data, "cost")
    if activation not in ACTIVATIONS:
        raise ModelFileError(f"unknown activation {activation!r}")
    if cost not in COSTS:
        raise ModelFileError(f"unknown cost {cost!r}")
    return sizes, activation, cost


def read_parameters(data: Entries, sizes: tuple[int, ...]):
    """(weights, biases) as float64 tuples: every W{l} (sizes[l+1], sizes[l]) and b{l}
    (sizes[l+1],) present, floating-point, of that shape (checked from the headers) and finite."""
    L = len(sizes) - 1
    shapes = {}
    for l in range(L):
        shapes[f"W{l}"], shapes[f"b{l}"] = (sizes[l + 1], sizes[l]), (sizes[l + 1],)
    missing = [key for key in shapes if key not in data]
    if missing:
        raise ModelFileError(f"missing {', '.join(missing)} for sizes {list(sizes)}")
    for key, shape in shapes.items():
        m = data.header(key)
        if m.dtype.kind != "f":
            raise ModelFileError(f"'{key}' must hold floating-point numbers, not {m.dtype}")
        if m.shape != shape:
            raise ModelFileError(f"{key} has shape {m.shape}, expected {shape}")
    arrays = {}
    for key in shapes:
        arrays[key] = np.asarray(data.array(key), dtype=np.float64)
        if not np.isfinite(arrays[key]).all():
            raise ModelFileError(f"{key} holds NaN or infinite values")
    return (tuple(arrays[f"W{l}"] for l in range(L)), tuple(arrays[f"b{l}"] for l in range(L)))


def _metadata(data: Entries) -> dict:
    """The JSON metadata, {} when absent."""
    if "metadata" not in data:
        return {}
    try:
        meta = json.loads(read_text(data, "metadata", MAX_METADATA_CHARS))
    except (json.JSONDecodeError, RecursionError) as e:
        raise ModelFileError(f"'metadata' is not valid JSON ({e})") from None
    if not isinstance(meta, dict):
        raise ModelFileError("'metadata' must be a JSON object")
    return meta
