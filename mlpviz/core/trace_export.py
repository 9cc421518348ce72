"""A backpropagation trace as a file: .npz (NumPy) or .json, for checking your own backprop.

The keys, for a network with layers 0 … L:

  x            the input (sizes[0],)                  label    the right class (int)
  activation   "sigmoid" / "tanh" / "relu"            cost     "mse" / "cross_entropy"
  C            this sample's cost (float)
  a{l}         activations of layer l, l = 0 … L (a0 = x)
  grad_a{l}    ∂C/∂a of layer l, l = 0 … L
  z{l}         pre-activations W{l−1} a{l−1} + b{l−1}, l = 1 … L
  W{l}, b{l}   the parameters mapping layer l to l + 1, l = 0 … L − 1 (as in the model file:
               W{l} has shape (sizes[l+1], sizes[l]))
  grad_W{l}, grad_b{l}   ∂C/∂W{l}, ∂C/∂b{l}

A .json file holds the same keys, arrays as nested lists of floats written with full precision
(they read back bit for bit), plus "format": "mlpviz-trace" and "version": 1. Both are written
atomically: a temporary file beside the target, then a rename.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from pathlib import Path

import numpy as np

from mlpviz.core.atomic import atomic_write
from mlpviz.core.network import Trace

FORMAT = "mlpviz-trace"
VERSION = 1
_TEXT_KEYS = ("activation", "cost")


def trace_arrays(trace: Trace) -> dict:
    """The trace under the file's keys: label an int, activation and cost str, C a float, the rest
    float64 arrays (copies)."""
    L = trace.L
    out: dict = {
        "x": np.array(trace.x, dtype=np.float64),
        "label": int(trace.label),
        "activation": str(trace.activation),
        "cost": str(trace.cost_name),
        "C": float(trace.cost),
    }
    for l in range(L + 1):
        out[f"a{l}"] = np.array(trace.a[l], dtype=np.float64)
        out[f"grad_a{l}"] = np.array(trace.grad_a[l], dtype=np.float64)
    for l in range(1, L + 1):
        out[f"z{l}"] = np.array(trace.z[l], dtype=np.float64)
    for l in range(L):
        out[f"W{l}"] = np.array(trace.W[l], dtype=np.float64)
        out[f"b{l}"] = np.array(trace.b[l], dtype=np.float64)
        out[f"grad_W{l}"] = np.array(trace.grad_w[l], dtype=np.float64)
        out[f"grad_b{l}"] = np.array(trace.grad_b[l], dtype=np.float64)
    return out


def save_trace(trace: Trace, path) -> None:
    """Write `trace` to `path`: JSON if it ends in .json, otherwise .npz (np.savez)."""
    path = Path(path)
    data = trace_arrays(trace)
    if path.suffix.lower() == ".json":
        doc = {"format": FORMAT, "version": VERSION}
        for k, v in data.items():
            doc[k] = v.tolist() if isinstance(v, np.ndarray) else v
        # json writes floats with repr(): the shortest text that reads back to the same float.
        # NaN and ∞ are not JSON: refused (a ValueError naming the file), never written.
        bad = [k for k, v in data.items()
               if isinstance(v, (np.ndarray, float)) and not np.isfinite(v).all()]
        if bad:
            raise ValueError(f"{path}: the trace holds NaN or infinite values in "
                             f"{', '.join(bad)}, which JSON cannot hold (save it as .npz)")
        text = json.dumps(doc, allow_nan=False)
        atomic_write(path, lambda f: f.write(text.encode("utf-8")))
    else:
        arrays = {k: (v if isinstance(v, np.ndarray) else np.array(v)) for k, v in data.items()}
        atomic_write(path, lambda f: np.savez(f, **arrays))


def load_trace(path) -> dict:
    """Read a trace file (.npz or .json, told apart by content) into the dict `trace_arrays`
    gives: label int, activation/cost str, C float, everything else float64 arrays."""
    path = Path(path)
    with open(path, "rb") as f:
        head = f.read(4)
    if head.startswith(b"PK"):
        try:
            with open(path, "rb") as f, np.load(f, allow_pickle=False) as z:
                raw = {k: z[k] for k in z.files}
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError) as e:
            raise ValueError(f"{path}: not a trace file, or truncated ({e})") from None
    else:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ValueError(f"{path}: neither an .npz nor a JSON trace ({e})") from None
        if not isinstance(raw, dict) or raw.pop("format", None) != FORMAT:
            raise ValueError(f"{path}: not an mlpviz trace (no \"format\": \"{FORMAT}\")")
        version = raw.pop("version", None)
        if version != VERSION:
            raise ValueError(f"{path}: trace version {version!r}; this mlpviz reads {VERSION}")
    missing = [k for k in ("x", "label", "activation", "cost", "C", "a0") if k not in raw]
    if missing:
        raise ValueError(f"{path}: not a trace file (missing {', '.join(missing)})")
    out: dict = {}
    for k, v in raw.items():
        if k == "label":
            out[k] = int(np.asarray(v))
        elif k in _TEXT_KEYS:
            out[k] = str(np.asarray(v)) if isinstance(v, np.ndarray) else str(v)
        elif k == "C":
            out[k] = float(np.asarray(v))
        else:
            out[k] = np.asarray(v, dtype=np.float64)
    return out
