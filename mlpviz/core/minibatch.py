"""The stepper's mini-batch (lesson point 16): a real mini-batch of the size training uses that
contains the sample on show, and the gradient averaged over it for colouring the lines.

Notation: X (n, n_inputs) pixels 0..1, one sample per row; labels (n,); the batch's gradient is
(1/n) Σᵢ ∂Cᵢ/∂W⁽ˡ⁾, the direction one SGD step on this batch follows (with a minus sign).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlpviz.core.arrays import frozen
from mlpviz.i18n import _
from mlpviz.core.sample import SPLITS

BATCH_SEED = 0  # the same companions for the same sample every time, so the stage reads the same


@dataclass(frozen=True, eq=False)
class MiniBatch:
    """A mini-batch: the sample on show in row 0, then training samples drawn at random.

    X        (n, n_inputs) read-only float64 pixels 0..1
    labels   (n,) read-only ints, each sample's right class
    indices  (n,) read-only ints, each row's index in its split (−1: not from the dataset)
    splits   (n,) "train", "test" or "" (a drawing) per row
    shown    the row of the sample on show (0)
    what     how the sample on show is described ("your drawing"), for a row not from a split
    """

    X: np.ndarray
    labels: np.ndarray
    indices: np.ndarray
    splits: tuple[str, ...]
    shown: int = 0
    what: str = "the sample on show"

    def __post_init__(self) -> None:
        n = len(self.labels)
        if not (len(self.X) == len(self.indices) == len(self.splits) == n) or n == 0:
            raise ValueError("a mini-batch needs as many rows, labels, indices and splits, "
                             "and at least one sample")
        object.__setattr__(self, "X", frozen(np.reshape(self.X, (n, -1)), np.float64))
        object.__setattr__(self, "labels", frozen(self.labels, np.intp))
        object.__setattr__(self, "indices", frozen(self.indices, np.intp))
        object.__setattr__(self, "splits", tuple(self.splits))

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def added(self) -> bool:
        """True when the sample on show is not a training sample (a held-out sample or a
        drawing): it was put into the batch explicitly, next to n − 1 training samples."""
        return self.splits[self.shown] != "train"

    def row_name(self, i: int) -> str:
        """Row i as its dataset knows it: "training #5012", "held-out #351", "your drawing"."""
        split = self.splits[i]
        if split in SPLITS:
            return _("{split} #{index}").format(split=_(SPLITS[split]), index=int(self.indices[i]))
        return self.what


def minibatch_with(train_images: np.ndarray, train_labels: np.ndarray, size: int, x, label: int,
                   split: str = "", index: int = -1, what: str = "the sample on show",
                   seed: int = BATCH_SEED) -> MiniBatch:
    """A mini-batch of `size` samples that contains the sample on show (x, label) in row 0.

    A training sample on show (split "train", its `index`) is one of the batch; anything else (a
    held-out sample, a drawing) is added to size − 1 training samples. The other rows are drawn
    without replacement from uint8 `train_images` (N, n_inputs) by a Generator seeded with `seed`,
    never repeating the sample on show; there are fewer when the training set is smaller."""
    n_train = len(train_labels)
    own = index if split == "train" and 0 <= index < n_train else -1
    others = np.delete(np.arange(n_train), own) if own >= 0 else np.arange(n_train)
    rng = np.random.default_rng(seed)
    pick = rng.choice(others, size=min(max(int(size) - 1, 0), len(others)), replace=False)
    X = np.vstack([np.reshape(x, (1, -1)).astype(np.float64), train_images[pick] / 255.0])
    labels = np.concatenate([[int(label)], train_labels[pick].astype(np.intp)])
    indices = np.concatenate([[index if split in SPLITS else -1], pick])
    splits = ("train" if own >= 0 else (split if split in SPLITS else ""),) + ("train",) * len(pick)
    return MiniBatch(X, labels, indices, splits, 0, what)


def batch_gradient(snap, batch: MiniBatch | None) -> tuple[np.ndarray, ...] | None:
    """(1/n) Σᵢ ∂Cᵢ/∂W⁽ˡ⁾ over the batch, one array per weight layer shaped like W⁽ˡ⁾
    (`Network.gradient` on these weights); None without a batch that fits the network."""
    if batch is None or batch.X.shape[1] != snap.sizes[0] \
            or not np.all((0 <= batch.labels) & (batch.labels < snap.sizes[-1])):
        return None
    return tuple(snap.network().gradient(batch.X, batch.labels)[0])


def minibatch_for(dataset, shown, size: int, seed: int = BATCH_SEED) -> MiniBatch | None:
    """`minibatch_with` for a `core.shown.Shown` and a `Dataset`'s training split; None without a
    labelled input of the dataset's size."""
    if dataset is None or shown is None or shown.label is None \
            or shown.x.size != dataset.n_inputs:
        return None
    return minibatch_with(dataset.train_images, dataset.train_labels, size, shown.x, shown.label,
                          shown.split, shown.index, shown.description, seed)
