"""A neuron edited by hand (lesson point 5, the bias as threshold): a new bias, its incoming
weights scaled, or the neuron switched off, applied to a copy of the parameters.

Neuron j of neuron layer l (1 … L; the input layer has no weights or bias) computes
z = Σ_k W^{l−1}[j, k] a^{l−1}_k + b^{l−1}[j] and a = σ(z). An edit gives it the bias `bias`,
multiplies its incoming weights W^{l−1}[j, :] by `scale`, and, when `off`, zeroes its outgoing
weights W^l[:, j], so every neuron of layer l+1 uses a = 0 for it (the neuron itself still
computes its a; nothing reads it). The output layer has no outgoing weights: it cannot be off.

Pure numpy, no Qt; the caller's arrays are never changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

SCALE_RANGE = (0.0, 3.0)  # ×0 … ×3


@dataclass(frozen=True)
class NeuronEdit:
    """Neuron `j` of neuron layer `layer` (1 … L) with bias `bias`, incoming weights × `scale`,
    and, if `off`, outgoing weights 0."""

    layer: int
    j: int
    bias: float
    scale: float = 1.0
    off: bool = False


def edit_problem(sizes: Sequence[int], edit: NeuronEdit) -> str | None:
    """Why `edit` does not fit a network of `sizes` (a sentence), or None if it does."""
    L = len(sizes) - 1
    if not 1 <= edit.layer <= L:
        return f"layer {edit.layer} has no bias to edit (choose a layer 1–{L})"
    if not 0 <= edit.j < sizes[edit.layer]:
        return f"layer {edit.layer} has no neuron {edit.j} (it has 0–{sizes[edit.layer] - 1})"
    if not np.isfinite(edit.bias):
        return f"the bias must be a finite number, not {edit.bias}"
    lo, hi = SCALE_RANGE
    if not (np.isfinite(edit.scale) and lo <= edit.scale <= hi):
        return f"the weight scale must be ×{lo:g} … ×{hi:g}, not {edit.scale}"
    if edit.off and edit.layer == L:
        return "an output neuron has no outgoing weights to switch off"
    return None


def apply_edit(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray],
               edit: NeuronEdit) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """New float64 copies (W', b') of (weights, biases) with `edit` made:
    b'^{l−1}[j] = bias, W'^{l−1}[j, :] = scale · W^{l−1}[j, :], and W'^l[:, j] = 0 if off.
    Raises ValueError (with `edit_problem`'s sentence) for an edit that does not fit."""
    sizes = [weights[0].shape[1], *(W.shape[0] for W in weights)]
    problem = edit_problem(sizes, edit)
    if problem:
        raise ValueError(problem)
    W = [np.array(w, dtype=np.float64) for w in weights]
    b = [np.array(v, dtype=np.float64) for v in biases]
    i = edit.layer - 1
    b[i][edit.j] = edit.bias
    W[i][edit.j, :] *= edit.scale
    if edit.off:
        W[edit.layer][:, edit.j] = 0.0
    return W, b


def bias_range(b: float) -> tuple[float, float]:
    """A slider range for a bias now at b: ±max(5, 2|b|), so the trained value sits inside
    with room either side for the threshold to move past any weighted sum that matters."""
    r = max(5.0, 2.0 * abs(float(b)))
    return -r, r
