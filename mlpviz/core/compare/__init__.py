"""Diff a student's backprop trace against ours, and name the classic mistake it shows.

    theirs, ignored = read_their_trace("theirs.json")
    result = compare_trace(theirs, "theirs.json", tolerance=1e-6)
    result.agrees, result.first_difference, result.first_stage, result.diagnoses
    result.neuron_mask(l), result.line_mask(l)      # for colouring the network view

We recompute on their W, b, x and label (or a model's parameters when the file has none; or their
batch) with `Network.backprop` / `Network.gradient`, compare every array they give (any subset of
the trace format), and try each classic mistake (see `mistakes`) against their numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from mlpviz.core.arrays import frozen
from mlpviz.core.compare.diff import (
    ArrayDiff, computation_order, diff_array, relative_difference, split_key, stage_of, symbol,
)
from mlpviz.core.compare.mistakes import Diagnosis, Mistake, backward, diagnose
from mlpviz.core.compare.recompute import Setup, ours, resolve
from mlpviz.core.compare.theirs import TraceFileError, read_their_trace
from mlpviz.core.datasets import Dataset, load_dataset
from mlpviz.core.network import Network

__all__ = ["ArrayDiff", "Diagnosis", "Mistake", "Setup", "TraceComparison", "TraceFileError",
           "backward", "compare_trace", "computation_order", "read_their_trace",
           "relative_difference", "stage_of", "symbol"]

DEFAULT_TOLERANCE = 1e-6
_BATCH_ONLY = ("grad_W", "grad_b", "a", "z", "C")


@dataclass(frozen=True, eq=False)
class TraceComparison:
    """Their trace against ours.

    setup        what we recomputed with (network, samples, where each came from: `setup.notes`)
    tolerance    largest relative difference counted as agreement
    diffs        one ArrayDiff per array they gave that we compare, in computation order
    skipped      (key, reason) for arrays read but not compared
    ignored      keys of their file that are not part of the format
    diagnoses    the classic mistakes that reproduce their numbers (complete ones first)
    """

    setup: Setup
    tolerance: float
    diffs: tuple[ArrayDiff, ...]
    skipped: tuple[tuple[str, str], ...]
    ignored: tuple[str, ...]
    diagnoses: tuple[Diagnosis, ...]

    @property
    def agrees(self) -> bool:
        return all(d.agrees for d in self.diffs)

    @property
    def differing(self) -> tuple[ArrayDiff, ...]:
        return tuple(d for d in self.diffs if not d.agrees)

    @property
    def first_difference(self) -> ArrayDiff | None:
        """The first array that differs in the order backprop computes them: where to look."""
        return next(iter(self.differing), None)

    @property
    def first_stage(self) -> str | None:
        """The first stepper stage whose numbers differ (a core.walk stage key)."""
        return next((d.stage for d in self.differing if d.stage is not None), None)

    def diff(self, key: str) -> ArrayDiff | None:
        return next((d for d in self.diffs if d.key == key), None)

    def neuron_mask(self, l: int) -> np.ndarray:
        """bool (sizes[l],): neurons of layer l where any of their a, z, ∂C/∂a, ∂C/∂z, ∂C/∂b or
        incoming ∂C/∂W differs (over all samples of a batch)."""
        mask = np.zeros(self.setup.network.sizes[l], dtype=bool)
        for d in self.differing:
            q, k = split_key(d.key)
            if (q in ("a", "z", "grad_a", "grad_z") and k == l) or \
                    (q in ("grad_b", "grad_W") and k == l - 1):
                m = d.mask.reshape(-1, d.mask.shape[-1]).any(axis=0) if q in ("a", "z") \
                    else (d.mask if d.mask.ndim == 1 else d.mask.any(axis=1))
                mask |= m
        return frozen(mask)

    def line_mask(self, l: int) -> np.ndarray:
        """bool (sizes[l+1], sizes[l]): weights W{l} whose ∂C/∂W differs."""
        d = self.diff(f"grad_W{l}")
        shape = self.setup.network.weights[l].shape
        return frozen(d.mask if d is not None and not d.agrees else np.zeros(shape, dtype=bool))


def compare_trace(theirs: dict, path="their trace", model: Network | None = None,
                  activation: str | None = None, cost: str | None = None,
                  tolerance: float = DEFAULT_TOLERANCE, ignored: tuple[str, ...] = (),
                  load_data: Callable[[str], Dataset] = load_dataset) -> TraceComparison:
    """Compare `theirs` (from read_their_trace) with our recomputation; see TraceComparison."""
    if not (np.isfinite(tolerance) and tolerance >= 0):
        raise ValueError(f"the tolerance must be a number ≥ 0, got {tolerance}")
    setup = resolve(theirs, path, model, activation, cost, load_data)
    mine = ours(setup)
    L = setup.network.L
    order = computation_order(L)
    diffs, skipped = [], []
    for key in sorted(theirs, key=lambda k: (order.index(k) if k in order else len(order), k)):
        if key in order and key in mine:
            diffs.append(diff_array(key, theirs[key], mine[key], tolerance, L, setup.batch))
        elif key not in ("x", "X", "label", "labels", "indices", "split", "data", "activation",
                         "cost") and not key.startswith(("W", "b")):
            why = ("a batch trace compares C, a, z and the mean ∂C/∂W, ∂C/∂b" if setup.batch
                   else f"this network has layers 0 … {L}")
            skipped.append((key, why))
    differing = [d.key for d in diffs if not d.agrees]
    used = {d.key: d.theirs for d in diffs}
    diagnoses = diagnose(setup, used, mine, differing, tolerance)
    if setup.transposed:
        diagnoses = (_stored_transposed(),) + diagnoses
    return TraceComparison(setup, float(tolerance), tuple(diffs), tuple(skipped),
                           tuple(ignored), diagnoses)


def _stored_transposed() -> Diagnosis:
    return Diagnosis(Mistake("grad-transposed"),
                     "W transposed: their W{l} are stored (in, out); mlpviz's are (out, in), row "
                     "j the weights into neuron j (they were transposed to recompute)", (), False)
