"""The sample on show: which image of which split, as the network gets it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlpviz.core.arrays import frozen

# split → what the window calls it
SPLITS: dict[str, str] = {"test": "held-out", "train": "training"}


@dataclass(frozen=True, eq=False)
class SampleChoice:
    """One chosen sample.

    x     : float64 read-only array of shape (784,), pixels 0..1 (the input layer a⁽⁰⁾)
    label : the right class index
    index : the sample's row in its split
    split : "test" (held-out) or "train"
    """

    x: np.ndarray
    label: int
    index: int
    split: str

    def __post_init__(self) -> None:
        if self.split not in SPLITS:
            raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {self.split!r}")
        object.__setattr__(self, "x", frozen(np.reshape(self.x, -1), np.float64))
        object.__setattr__(self, "label", int(self.label))
        object.__setattr__(self, "index", int(self.index))

    @classmethod
    def of(cls, dataset, split: str, index: int) -> "SampleChoice":
        """Sample `index` of `dataset`'s "test" or "train" split, pixels scaled to 0..1."""
        images = getattr(dataset, f"{split}_images")
        labels = getattr(dataset, f"{split}_labels")
        return cls(images[index].astype(np.float64) / 255.0, int(labels[index]), index, split)
