"""Pinned neurons and weights, followed over training and over the replay timeline.

A pinned weight w = W⁽ˡ⁾[j, k] is followed by its value and by ∂C/∂w on the input on show; a
pinned neuron j of layer l ≥ 1 by its activation aⱼ⁽ˡ⁾ = σ(zⱼ⁽ˡ⁾) on the input on show and by
∂C/∂aⱼ⁽ˡ⁾ — one backprop of that input per checkpoint (`Network.backprop`), so the numbers are
the stepper's. C is the cost of the input against its label; without a label (a drawing) there
is no gradient (NaN, never drawn).

`Pins` is the immutable list a lesson file stores (`to_arrays` / `from_arrays`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from mlpviz.core.checkpoints import Checkpoints
from mlpviz.core.notation import param_name, sub, sup
from mlpviz.core.snapshot import Snapshot
from mlpviz.i18n import _

MAX_PINS = 6
KINDS = ("neuron", "weight")


@dataclass(frozen=True)
class Pin:
    """A neuron (kind "neuron": neuron layer `layer` 1…L, neuron `j`; k = −1) or a weight (kind
    "weight": W[layer][j, k], weight layer `layer` 0…L−1, as the network view's lines)."""

    kind: str
    layer: int
    j: int
    k: int = -1

    def problem(self, sizes: Sequence[int]) -> str | None:
        """Why this pin does not fit a network of `sizes` (a sentence), or None."""
        L = len(sizes) - 1
        if self.kind == "neuron":
            if not 1 <= self.layer <= L or not 0 <= self.j < sizes[self.layer]:
                return _("the network {sizes} has no neuron {j} in layer {l}").format(
                    sizes=list(sizes), j=self.j, l=self.layer)
            return None
        if self.kind == "weight":
            if not 0 <= self.layer < L or not 0 <= self.j < sizes[self.layer + 1] \
                    or not 0 <= self.k < sizes[self.layer]:
                return _("the network {sizes} has no weight {w}").format(
                    sizes=list(sizes), w=f"W[{self.layer}][{self.j}, {self.k}]")
            return None
        return _("a pin is a neuron or a weight, not {kind}").format(kind=repr(self.kind))

    def name(self) -> str:
        """The lesson's symbol: "a₃⁽²⁾" for a neuron, "w₃,₁₄⁽²⁾" for a weight."""
        if self.kind == "neuron":
            return f"a{sub(self.j)}{sup(self.layer)}"
        return param_name(self.layer, self.j, self.k)

    def gradient_name(self) -> str:
        """"∂C/∂a₃⁽²⁾" or "∂C/∂w₃,₁₄⁽²⁾"."""
        return f"∂C/∂{self.name()}"

    def describe(self) -> str:
        """What is followed, in words, for the pin's plot title."""
        if self.kind == "neuron":
            return _("neuron {j} of layer {l}: its activation {name} on the input on show").format(
                j=self.j, l=self.layer, name=self.name())
        return _("the weight {name} from neuron {k} of layer {l} to neuron {j} of layer {next}"
                 ).format(name=self.name(), k=self.k, l=self.layer, j=self.j, next=self.layer + 1)


@dataclass(frozen=True)
class Pins:
    """The pinned neurons and weights, in the order they were pinned (at most MAX_PINS)."""

    pins: tuple[Pin, ...] = ()

    def added(self, pin: Pin) -> "Pins":
        """These pins and `pin` (unchanged if already pinned; the oldest dropped beyond MAX_PINS)."""
        if pin in self.pins:
            return self
        return Pins((*self.pins, pin)[-MAX_PINS:])

    def removed(self, pin: Pin) -> "Pins":
        return Pins(tuple(p for p in self.pins if p != pin))

    def to_arrays(self) -> dict[str, np.ndarray]:
        """{"pins": (n, 4) int64 rows (kind index in KINDS, layer, j, k)}."""
        rows = [(KINDS.index(p.kind), p.layer, p.j, p.k) for p in self.pins]
        return {"pins": np.array(rows, dtype=np.int64).reshape(-1, 4)}

    @classmethod
    def from_arrays(cls, arrays, sizes: Sequence[int] | None = None) -> "Pins":
        """The pins `to_arrays` gave; with `sizes`, ValueError for a pin the network lacks."""
        rows = np.asarray(arrays["pins"])
        if rows.ndim != 2 or rows.shape[1] != 4 or not np.issubdtype(rows.dtype, np.integer):
            raise ValueError(f"pins must be (n, 4) integers, not {rows.dtype} {rows.shape}")
        if np.any((rows[:, 0] < 0) | (rows[:, 0] >= len(KINDS))):
            raise ValueError("a pin's kind is neither a neuron nor a weight")
        pins = tuple(Pin(KINDS[int(r[0])], int(r[1]), int(r[2]), int(r[3])) for r in rows)
        for p in pins if sizes is not None else ():
            problem = p.problem(sizes)
            if problem:
                raise ValueError(problem)
        return cls(pins[-MAX_PINS:])


def pin_values(snap: Snapshot, pins: Sequence[Pin], x: np.ndarray | None,
               label: int | None) -> np.ndarray:
    """(len(pins), 2) float64: each pin's value and gradient on `snap` for input x (sizes[0],)
    with `label`: W⁽ˡ⁾[j, k] and ∂C/∂W⁽ˡ⁾[j, k], or aⱼ⁽ˡ⁾ and ∂C/∂aⱼ⁽ˡ⁾ from one backprop.
    NaN where there is nothing to say (no input for an activation, no label for a gradient)."""
    out = np.full((len(pins), 2), np.nan)
    has_x = x is not None and np.size(x) == snap.sizes[0]
    labelled = has_x and label is not None and 0 <= label < snap.sizes[-1]
    trace = snap.network().backprop(x, label) if labelled else None
    acts = trace.a if trace else (snap.forward_all(np.reshape(x, -1)) if has_x else None)
    for i, p in enumerate(pins):
        if p.kind == "weight":
            out[i, 0] = snap.weights[p.layer][p.j, p.k]
            if trace:
                out[i, 1] = trace.grad_w[p.layer][p.j, p.k]
        else:
            if acts is not None:
                out[i, 0] = acts[p.layer][p.j]
            if trace:
                out[i, 1] = trace.grad_a[p.layer][p.j]
    return out


def pin_series(checkpoints: Checkpoints, pins: Sequence[Pin], x: np.ndarray | None,
               label: int | None, cache: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(batches (n,), values (n, len(pins), 2)): `pin_values` at every checkpoint. `cache`
    (a dict the caller keeps for one input and one list of pins) maps a snapshot's id to its
    row, so a new checkpoint costs one backprop, not n."""
    rows = []
    for snap in checkpoints.snapshots:
        key = id(snap)
        hit = cache.get(key) if cache is not None else None
        if hit is None or hit[0] is not snap:
            hit = (snap, pin_values(snap, pins, x, label))
            if cache is not None:
                cache[key] = hit
        rows.append(hit[1])
    if cache is not None:  # forget the checkpoints thinned away
        live = {id(s) for s in checkpoints.snapshots}
        for key in [k for k in cache if k not in live]:
            del cache[key]
    values = np.array(rows).reshape(len(rows), len(pins), 2)
    return np.asarray(checkpoints.batches, dtype=np.float64), values
