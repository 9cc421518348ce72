"""The input on show and what the window says about it, computed here so the window only wires:
the network's answer, this sample's gradient for colouring the lines, and the stepper's example
mini-batch.

Notation: x is one input a⁽⁰⁾ of shape (sizes[0],) with values 0..1, a⁽ᴸ⁾ the output layer's
activations (sizes[-1],), C the cost of x against its label.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlpviz.core.arrays import frozen
from mlpviz.core.sample import SPLITS, SampleChoice
from mlpviz.core.snapshot import Snapshot

EXAMPLE_BATCH = 8  # training samples in the stepper's mini-batch stage
EXAMPLE_SEED = 0  # the same samples every time for one dataset, so the stage reads the same


@dataclass(frozen=True, eq=False)
class Shown:
    """The input on show: x (sizes[0],) read-only float64 in 0..1, its label (None for an
    unlabelled drawing) and where it came from ("held-out sample #12", "your drawing")."""

    x: np.ndarray
    label: int | None
    description: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "x", frozen(np.reshape(self.x, -1), np.float64))
        if self.label is not None:
            object.__setattr__(self, "label", int(self.label))

    @classmethod
    def of_sample(cls, choice: SampleChoice) -> "Shown":
        """A dataset sample, described by its split and row."""
        return cls(choice.x, choice.label, f"{SPLITS[choice.split]} sample #{choice.index}")


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


def example_batch(images: np.ndarray, labels: np.ndarray, n: int = EXAMPLE_BATCH,
                  seed: int = EXAMPLE_SEED) -> tuple[np.ndarray, np.ndarray]:
    """min(n, len(labels)) training samples drawn without replacement by a Generator seeded with
    `seed`: X (m, n_inputs) float64 pixels 0..1 from uint8 `images` (N, n_inputs), and their
    labels (m,) as ints."""
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(labels), size=min(n, len(labels)), replace=False)
    return images[pick] / 255.0, labels[pick].astype(int)
