"""The sample on show: which image of which split, as the network gets it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlpviz.core.arrays import frozen
from mlpviz.i18n import N_

# split → what the window calls it
SPLITS: dict[str, str] = {"test": N_("held-out"), "train": N_("training")}  # translated where shown


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


def typical_index(dataset, label: int, split: str = "test") -> int | None:
    """The `split` sample of class `label` that looks most like the class: the one whose pixels
    x have the largest cosine similarity x·m / (|x| |m|) with m, the mean picture of the class's
    training samples (shape, whatever the ink's strength). None when the split has no such
    sample; without training samples of the class, m is the mean of the split's own."""
    labels = getattr(dataset, f"{split}_labels")
    candidates = np.flatnonzero(labels == label)
    if candidates.size == 0:
        return None
    train = dataset.train_images[dataset.train_labels == label]
    pool = train if len(train) else getattr(dataset, f"{split}_images")[candidates]
    mean = pool.mean(axis=0, dtype=np.float64)
    X = getattr(dataset, f"{split}_images")[candidates].astype(np.float64)
    norms = np.linalg.norm(X, axis=1) * (np.linalg.norm(mean) or 1.0)
    similarity = np.divide(X @ mean, norms, out=np.zeros(len(X)), where=norms > 0)
    return int(candidates[int(np.argmax(similarity))])
