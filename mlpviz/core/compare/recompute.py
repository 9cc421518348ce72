"""What we recompute their trace with, and our numbers.

The parameters are theirs (W{l}, b{l} in the file) or, when the file has none, a model's; the
input is their x and label, or their batch (X and labels, or sample indices into a dataset split);
the activation and cost are the file's, else the caller's, else the model's — never guessed.
Our numbers come from `Network.backprop` (one sample, via `trace_export.trace_arrays`) and
`Network.gradient` (the mean over a batch).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from mlpviz.core.activations import ACTIVATIONS
from mlpviz.core.compare.theirs import TraceFileError
from mlpviz.core.costs import COSTS, one_hot
from mlpviz.core.datasets import Dataset, load_dataset
from mlpviz.core.network import Network
from mlpviz.core.trace_export import trace_arrays

SPLITS = ("train", "test")


@dataclass(frozen=True, eq=False)
class Setup:
    """network     their parameters (or the model's) with the activation and cost used
    X, labels    the samples, (n, sizes[0]) float64 and (n,) int
    batch        True when their file holds a batch (means over n samples)
    notes        where each part came from, in plain words
    transposed   their W{l} were stored (in, out) and were transposed to ours"""

    network: Network
    X: np.ndarray
    labels: np.ndarray
    batch: bool
    notes: tuple[str, ...]
    transposed: bool = False


def _name(theirs: dict, key: str, given: str | None, model: Network | None, path,
          known) -> tuple[str, str]:
    """The activation or cost and where it came from: the file, else the caller, else the model."""
    said = theirs.get(key)
    if said is not None and said not in known:
        raise TraceFileError(f"{path}: unknown {key} {said!r} (mlpviz knows "
                             f"{', '.join(known)})")
    if said is not None and given is not None and said != given:
        raise TraceFileError(f"{path}: the trace says the {key} is {said}, but {given} was given")
    if said is not None:
        return said, f"{key} {said} (from the trace)"
    if given is not None:
        return given, f"{key} {given} (given)"
    if model is not None:
        return getattr(model, key), f"{key} {getattr(model, key)} (the model's)"
    raise TraceFileError(f"{path}: the trace does not say its {key} and none was given "
                         f"(--{key} {'|'.join(known)}, or --model)")


def _parameters(theirs: dict, model: Network | None, path):
    """(weights, biases, note, transposed): theirs, or the model's when the file has none."""
    layers = sorted(int(k[1:]) for k in theirs if k[0] == "W" and k[1:].isdigit())
    biases = sorted(int(k[1:]) for k in theirs if k[0] == "b" and k[1:].isdigit())
    if not layers and not biases:
        if model is None:
            raise TraceFileError(f"{path}: the trace holds no parameters (W0, b0 …) and no model "
                                 "was given (--model) to recompute with")
        return list(model.weights), list(model.biases), "parameters of the model", False
    L = len(layers)
    if layers != list(range(L)) or biases != layers:
        have = ", ".join(f"{c}{l}" for c, ls in (("W", layers), ("b", biases)) for l in ls)
        raise TraceFileError(f"{path}: the parameters must be W0 … W{{L−1}} and b0 … b{{L−1}}, "
                             f"all of them; the trace has {have}")
    Ws = [theirs[f"W{l}"] for l in range(L)]
    bs = [theirs[f"b{l}"] for l in range(L)]
    transposed = _stored_in_out(Ws, bs)
    if transposed:
        Ws = [W.T for W in Ws]
    return Ws, bs, "their parameters", transposed


def _stored_in_out(Ws, bs) -> bool:
    """True when W{l} fit as (in, out) — the biases say how many outputs each layer has — and
    not as mlpviz's (out, in)."""
    def fits(shapes):
        return all(len(s) == 2 and s[0] == b.shape[0] for s, b in zip(shapes, bs)) and all(
            nxt[1] == cur[0] for cur, nxt in zip(shapes, shapes[1:]))
    ours = [W.shape for W in Ws]
    return not fits(ours) and fits([s[::-1] for s in ours])


def _samples(theirs: dict, path, load_data) -> tuple[np.ndarray, np.ndarray, bool, str]:
    """(X, labels, batch, note)."""
    if "X" in theirs or "labels" in theirs or "indices" in theirs:
        return _batch(theirs, path, load_data)
    x = theirs.get("x", theirs.get("a0"))
    if x is None or "label" not in theirs:
        raise TraceFileError(f"{path}: the trace needs the input and its right class to "
                             "recompute: x (or a0) and label — or, for a batch, X and labels or "
                             "indices, split and data")
    return x.reshape(1, -1), np.array([theirs["label"]]), False, "their x and label"


def _batch(theirs: dict, path, load_data) -> tuple[np.ndarray, np.ndarray, bool, str]:
    if "indices" in theirs:
        if "X" in theirs or "labels" in theirs:
            raise TraceFileError(f"{path}: give the batch either as X and labels or as indices "
                                 "(into split of data), not both")
        missing = [k for k in ("split", "data") if k not in theirs]
        if missing:
            raise TraceFileError(f"{path}: indices need {' and '.join(missing)} to say which "
                                 "samples they point to (split: train or test; data: bundled, "
                                 "mnist, fashion or a folder)")
        if theirs["split"] not in SPLITS:
            raise TraceFileError(f"{path}: split must be train or test, not {theirs['split']!r}")
        ds: Dataset = load_data(theirs["data"])
        images = ds.train_images if theirs["split"] == "train" else ds.test_images
        labels = ds.train_labels if theirs["split"] == "train" else ds.test_labels
        idx = theirs["indices"]
        if idx.size == 0 or idx.min() < 0 or idx.max() >= len(labels):
            raise TraceFileError(f"{path}: indices must lie in 0 … {len(labels) - 1} (the "
                                 f"{theirs['split']} split of {ds.name})")
        X = images[idx].astype(np.float64) / 255
        return X, labels[idx].astype(np.intp), True, (
            f"{idx.size} samples of {ds.name}'s {theirs['split']} split (pixels / 255)")
    if "X" not in theirs or "labels" not in theirs:
        raise TraceFileError(f"{path}: a batch needs both X and labels (or indices, split and "
                             "data)")
    X, labels = theirs["X"], theirs["labels"]
    if X.ndim != 2 or len(labels) != len(X) or len(X) == 0:
        raise TraceFileError(f"{path}: X must be (n, inputs) with n ≥ 1 and labels (n,); got "
                             f"{X.shape} and {labels.shape}")
    return X, labels.astype(np.intp), True, f"their batch of {len(X)} samples"


def resolve(theirs: dict, path, model: Network | None = None, activation: str | None = None,
            cost: str | None = None,
            load_data: Callable[[str], Dataset] = load_dataset) -> Setup:
    """Everything needed to recompute their trace (see the module docstring)."""
    act, act_note = _name(theirs, "activation", activation, model, path, tuple(ACTIVATIONS))
    cost_name, cost_note = _name(theirs, "cost", cost, model, path, tuple(COSTS))
    Ws, bs, param_note, transposed = _parameters(theirs, model, path)
    sizes = [Ws[0].shape[1]] + [W.shape[0] for W in Ws] if Ws and Ws[0].ndim == 2 else []
    try:
        net = Network.from_parameters(sizes, act, cost_name, Ws, bs)
    except ValueError as e:
        raise TraceFileError(f"{path}: their parameters do not make a network: {e}") from None
    X, labels, batch, sample_note = _samples(theirs, path, load_data)
    if X.shape[1] != net.sizes[0] or not np.all(np.isfinite(X)):
        raise TraceFileError(f"{path}: the input must be {net.sizes[0]} finite numbers per "
                             f"sample; got shape {X.shape}")
    if labels.min() < 0 or labels.max() >= net.sizes[-1]:
        raise TraceFileError(f"{path}: labels must be classes 0 … {net.sizes[-1] - 1}")
    notes = (param_note, sample_note, act_note, cost_note)
    return Setup(net, np.asarray(X, dtype=np.float64), labels, batch, notes, transposed)


def ours(setup: Setup) -> dict[str, np.ndarray]:
    """Our numbers under the trace's keys: one sample's whole trace (plus grad_z{l}); for a batch
    the mean C, per-sample a{l} and z{l} (n, sizes[l]) and the mean grad_W{l}, grad_b{l}."""
    net = setup.network
    if not setup.batch:
        trace = net.backprop(setup.X[0], int(setup.labels[0]))
        out = {k: np.asarray(v, dtype=np.float64) for k, v in trace_arrays(trace).items()
               if k not in ("label", "activation", "cost")}
        out.update({f"grad_z{l}": np.array(trace.grad_z[l]) for l in range(1, net.L + 1)})
        return out
    zs, acts = net.forward_layers(setup.X)
    gw, gb, _ = net.gradient(setup.X, setup.labels)
    Y = one_hot(setup.labels, net.sizes[-1])
    out = {"C": np.asarray(net.cost_fn.value(acts[-1], Y).mean())}
    out.update({f"a{l}": acts[l] for l in range(net.L + 1)})
    out.update({f"z{l}": zs[l] for l in range(1, net.L + 1)})
    out.update({f"grad_W{l}": gw[l] for l in range(net.L)})
    out.update({f"grad_b{l}": gb[l] for l in range(net.L)})
    return out
