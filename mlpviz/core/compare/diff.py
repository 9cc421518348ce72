"""Their numbers against ours, array by array: the largest absolute and relative difference, which
entries differ beyond the tolerance (a mask, for colouring the network), the first one, and the
stepper stage that shows it.

The relative difference of one entry is |theirs − ours| / max(|theirs|, |ours|, 10⁻³ · M), with M
the largest |ours| in the array: symmetric, and an entry near 0 in an array of large numbers is
judged against the array's scale rather than against itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from mlpviz.core.arrays import frozen
from mlpviz.core.notation import sup

FLOOR = 1e-3  # × the array's largest |ours|: the scale below which entries count as near 0
_KEY = re.compile(r"(grad_W|grad_b|grad_a|grad_z|a|z|W|b)(\d+)")


def split_key(key: str) -> tuple[str, int | None]:
    """("grad_W", 2) for "grad_W2"; (key, None) for keys without a layer ("C", "x")."""
    m = _KEY.fullmatch(key)
    return (m[1], int(m[2])) if m else (key, None)


def symbol(key: str) -> str:
    """The lesson's name of a trace key: grad_W2 → ∂C/∂W⁽³⁾ (W{l} feeds layer l + 1), z2 → z⁽²⁾."""
    q, l = split_key(key)
    if l is None:
        return key
    if q in ("W", "b", "grad_W", "grad_b"):
        l += 1
    base = q[len("grad_"):] if q.startswith("grad_") else q
    return f"∂C/∂{base}{sup(l)}" if q.startswith("grad_") else f"{base}{sup(l)}"


def computation_order(L: int) -> list[str]:
    """Every comparable key in the order backprop computes it: the forward pass, the cost, then
    from the output back to the input (per weight layer: ∂C/∂b, ∂C/∂W, then ∂C/∂a and ∂C/∂z of the
    layer below)."""
    keys = ["a0"]
    for l in range(1, L + 1):
        keys += [f"z{l}", f"a{l}"]
    keys += ["C", f"grad_a{L}", f"grad_z{L}"]
    for l in range(L - 1, -1, -1):
        keys += [f"grad_b{l}", f"grad_W{l}", f"grad_a{l}"] + ([f"grad_z{l}"] if l else [])
    return keys


def stage_of(key: str, L: int, batch: bool) -> str | None:
    """The key of the stepper stage (core.walk) that shows this array, None if none does.
    A batch's arrays all belong to the mini-batch stage."""
    if batch:
        return "batch"
    q, l = split_key(key)
    if key == "C":
        return "cost"
    if q in ("a", "z"):
        return f"forward-{l}"
    if q in ("grad_a", "grad_z") and l == L:
        return "wants"
    if l == L - 1 and q in ("grad_b", "grad_W"):
        return "lever-bias" if q == "grad_b" else "lever-weights"
    if q == "grad_a":
        if l == 0 and L >= 2:
            return None  # the input's ∂C/∂a: no stage shows it (pixels cannot be nudged)
        return f"sum-{l}" if L >= 2 else "lever-activations"
    if q == "grad_z":
        return f"levers-{l}"
    if q in ("grad_b", "grad_W"):
        return f"levers-{l + 1}"
    return None


def relative_difference(theirs: np.ndarray, ours: np.ndarray) -> np.ndarray:
    """|theirs − ours| / max(|theirs|, |ours|, FLOOR · max |ours|) per entry (0 where both are 0;
    inf where theirs is not finite)."""
    theirs, ours = np.asarray(theirs, dtype=np.float64), np.asarray(ours, dtype=np.float64)
    top = float(np.max(np.abs(ours), initial=0.0))
    floor = max(FLOOR * top, np.finfo(np.float64).tiny)
    with np.errstate(invalid="ignore", over="ignore"):
        scale = np.maximum(np.maximum(np.abs(theirs), np.abs(ours)), floor)
        rel = np.abs(theirs - ours) / scale
    return np.where(np.isfinite(theirs), rel, np.inf)


def close(theirs: np.ndarray, ours: np.ndarray, tolerance: float) -> bool:
    """Same shape and every entry's relative difference within `tolerance`."""
    theirs, ours = np.asarray(theirs), np.asarray(ours)
    return theirs.shape == ours.shape and bool(
        np.all(relative_difference(theirs, ours) <= tolerance))


@dataclass(frozen=True, eq=False)
class ArrayDiff:
    """One array of their trace against ours.

    key          the trace key ("grad_W2"); `symbol` its lesson name (∂C/∂W⁽³⁾)
    theirs, ours the two arrays (read-only float64)
    mask         bool, ours' shape: True where the entries differ beyond the tolerance (all True
                 when the shapes differ)
    max_abs      largest |theirs − ours| over the entries where theirs is finite (None when the
                 shapes differ); max_rel likewise for the relative difference
    first        index of the first differing entry (row-major), None when all agree
    nonfinite    entries of theirs that are NaN or infinite
    stage        the stepper stage showing this array (see `stage_of`)
    """

    key: str
    theirs: np.ndarray
    ours: np.ndarray
    mask: np.ndarray
    max_abs: float | None
    max_rel: float | None
    first: tuple[int, ...] | None
    nonfinite: int
    stage: str | None

    @property
    def agrees(self) -> bool:
        return self.first is None

    @property
    def shapes_match(self) -> bool:
        return self.theirs.shape == self.ours.shape

    @property
    def layer(self) -> int | None:
        return split_key(self.key)[1]

    @property
    def symbol(self) -> str:
        return symbol(self.key)

    @property
    def first_values(self) -> tuple[float, float] | None:
        """(theirs, ours) at the first differing entry (None when all agree or shapes differ)."""
        if self.first is None or not self.shapes_match:
            return None
        return float(self.theirs[self.first]), float(self.ours[self.first])


def diff_array(key: str, theirs, ours, tolerance: float, L: int, batch: bool) -> ArrayDiff:
    """Compare one array; see ArrayDiff."""
    theirs = frozen(np.asarray(theirs, dtype=np.float64))
    ours = frozen(np.asarray(ours, dtype=np.float64))
    stage = stage_of(key, L, batch)
    if theirs.shape != ours.shape:
        mask = frozen(np.ones(ours.shape, dtype=bool))
        first = (0,) * ours.ndim
        return ArrayDiff(key, theirs, ours, mask, None, None, first,
                         int(np.count_nonzero(~np.isfinite(theirs))), stage)
    rel = relative_difference(theirs, ours)
    finite = np.isfinite(theirs)
    mask = frozen(rel > tolerance)
    where = np.argwhere(mask)
    first = tuple(int(i) for i in where[0]) if len(where) else None
    absd = np.abs(theirs - ours, where=finite, out=np.zeros(ours.shape))
    return ArrayDiff(key, theirs, ours, mask,
                     float(np.max(absd, initial=0.0)),
                     float(np.max(np.where(finite, rel, 0.0), initial=0.0)),
                     first, int(np.count_nonzero(~finite)), stage)
