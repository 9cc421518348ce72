"""The stepper's undo: the parameters from before each gradient step, kept exactly.

A step proposes new parameters θ' = θ − η ∂C/∂θ; whoever owns the network applies them and shows
the result later (the app's Session answers with a snapshot). `StepHistory` keeps θ, bit for bit,
for every step taken, and tells from each network shown whether it is still the one its steps
produced: once the network has moved on (training, a reset, another model) there is nothing left
to undo, and the history forgets itself.

Parameters are `(weights, biases)`: weights[l] of shape (sizes[l+1], sizes[l]) and biases[l] of
shape (sizes[l+1],), as in `Network`. The history keeps read-only float64 copies, so nothing a
caller does later can change what Undo puts back.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from mlpviz.core.arrays import frozen

Parameters = tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]


def _kept(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> Parameters:
    """Read-only float64 copies of (weights, biases)."""
    return (tuple(frozen(W, np.float64) for W in weights),
            tuple(frozen(b, np.float64) for b in biases))


def same_parameters(a: Parameters | None, b: Parameters | None) -> bool:
    """Whether a and b hold exactly the same numbers, array by array (False if either is None)."""
    if a is None or b is None:
        return False
    (wa, ba), (wb, bb) = a, b
    if len(wa) != len(wb) or len(ba) != len(bb):
        return False
    return all(np.array_equal(x, y) for x, y in zip((*wa, *ba), (*wb, *bb)))


class StepHistory:
    """Undo for gradient steps, with no Qt: push before a step, pop to undo, and `show` every
    network put on screen so the history knows whether it still applies.

    Between a proposal (a step or an undo) and the network that answers it, the network on show
    is still the one before: it, and the proposed parameters, both keep the history. Anything
    else is a network that moved on."""

    def __init__(self) -> None:
        self._before: list[Parameters] = []  # θ before each step still undoable, oldest first
        self._proposed: Parameters | None = None  # sent out, not shown yet
        self._on_show: Parameters | None = None

    def __len__(self) -> int:
        """How many steps can be undone."""
        return len(self._before)

    @property
    def can_undo(self) -> bool:
        return bool(self._before)

    @property
    def waiting(self) -> bool:
        """Whether parameters were proposed (a step or an undo) and not shown yet."""
        return self._proposed is not None

    def step(self, before: Parameters, after: Parameters) -> Parameters:
        """A step from θ = `before` to θ' = `after`: keep θ for Undo, expect θ' next. Returns the
        copy of θ' to apply (the caller's arrays may change afterwards; the history's cannot)."""
        self._before.append(_kept(*before))
        self._proposed = _kept(*after)
        return self._proposed

    def amend(self, after: Parameters) -> Parameters:
        """The last step again, ending at θ' = `after` instead (a slider still being dragged:
        one undo for the whole drag); θ from before it is kept. Returns the copy to apply."""
        if not self._before:
            raise ValueError("no step to amend")
        self._proposed = _kept(*after)
        return self._proposed

    def undoes(self, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> bool:
        """Whether Undo would take back the step that made this network: a step is left to
        undo and the network is the one the last step (or undo) produced."""
        shown = (tuple(weights), tuple(biases))
        return self.can_undo and (same_parameters(shown, self._proposed)
                                  or same_parameters(shown, self._on_show))

    def undo(self) -> Parameters | None:
        """The parameters from before the last step, bit for bit, to apply (expected next); None
        if there is nothing to undo."""
        if not self._before:
            return None
        self._proposed = self._before.pop()
        return self._proposed

    def show(self, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> bool:
        """The network now on show. Returns whether it is the one the steps produced (the
        proposal arriving, or the same network again); if not, the history is forgotten."""
        shown = (tuple(weights), tuple(biases))
        if same_parameters(shown, self._proposed):
            self._on_show, self._proposed = self._proposed, None
            return True
        if same_parameters(shown, self._on_show):
            return True
        self.clear()
        self._on_show = _kept(*shown)
        return False

    def clear(self) -> None:
        """Forget every step (nothing to undo, nothing expected)."""
        self._before.clear()
        self._proposed = None
