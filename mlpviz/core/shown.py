"""The input on show and what the window says about it, computed here so the window only wires:
the network's answer and this sample's gradient for colouring the lines (the stepper's mini-batch
around it is `core.minibatch`).

Notation: x is one input a⁽⁰⁾ of shape (sizes[0],) with values 0..1, a⁽ᴸ⁾ the output layer's
activations (sizes[-1],), C the cost of x against its label.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlpviz.core.arrays import frozen
from mlpviz.core.sample import SPLITS, SampleChoice
from mlpviz.core.snapshot import Snapshot
from mlpviz.i18n import _

@dataclass(frozen=True, eq=False)
class Shown:
    """The input on show: x (sizes[0],) read-only float64 in 0..1, its label (None for an
    unlabelled drawing), where it came from ("held-out sample #12", "your drawing") and, for a
    dataset sample, its split ("test", "train") and row there (else "" and −1)."""

    x: np.ndarray
    label: int | None
    description: str
    split: str = ""
    index: int = -1

    def __post_init__(self) -> None:
        object.__setattr__(self, "x", frozen(np.reshape(self.x, -1), np.float64))
        if self.label is not None:
            object.__setattr__(self, "label", int(self.label))

    @classmethod
    def of_sample(cls, choice: SampleChoice) -> "Shown":
        """A dataset sample, described by its split and row."""
        return cls(choice.x, choice.label, describe(choice.split, choice.index), choice.split,
                   choice.index)


def describe(split: str, index: int) -> str:
    """A dataset sample in words, in the current language: "held-out sample #12"."""
    return _("{split} sample #{index}").format(split=_(SPLITS[split]), index=index)


def answer(snap: Snapshot, x: np.ndarray) -> tuple[int, float]:
    """The network's answer for x: (j, aⱼ⁽ᴸ⁾) with j = argmax a⁽ᴸ⁾, the brightest output, and its
    activation (the number the network view writes beside that output)."""
    out = snap.forward_all(np.reshape(x, -1))[-1]
    j = int(np.argmax(out))
    return j, float(out[j])


def sample_gradient(snap: Snapshot, shown: Shown | None) -> tuple[np.ndarray, ...] | None:
    """∂C/∂W⁽ˡ⁾ for the input on show, one array per weight layer shaped like W⁽ˡ⁾ (backprop of
    this one sample on these weights); None without a labelled input that fits the network."""
    if shown is None or shown.label is None or not 0 <= shown.label < snap.sizes[-1] \
            or shown.x.size != snap.sizes[0]:
        return None
    return tuple(snap.network().backprop(shown.x, shown.label).grad_w)
