"""Mistakes, and why: the confusion matrix of the held-out set and its misclassified samples.

For samples X (n, sizes[0]) with right labels y (n,), the network's outputs a⁽ᴸ⁾ (n, n_out)
give each sample an answer ŷ = argmax_j a⁽ᴸ⁾ⱼ and a second choice (the next brightest output).
The confusion matrix counts M[y, ŷ]: row = the right class, column = the network's answer, so
the diagonal holds the right answers and every other cell a kind of mistake. Each cell keeps
the row indices of its samples, so the window can show exactly those.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlpviz.core.arrays import frozen
from mlpviz.core.network import Feedforward
from mlpviz.i18n import N_, _

# a sample's two brightest answers on three short lines, under its thumbnail
SHORT_CAPTION = N_("says {first} ({first_value})\nthen {second} ({second_value})\nit is {label}")


@dataclass(frozen=True, eq=False)
class Confusion:
    """M[i, j] = number of samples of right class i the network answered j (int, read-only,
    (n_out, n_out)); first[k], second[k] the two brightest outputs of sample k and
    first_value[k], second_value[k] their activations a⁽ᴸ⁾; labels[k] the right class;
    softmax: True when the outputs are a softmax (they add up to 1 and read as probabilities)."""

    counts: np.ndarray
    labels: np.ndarray
    first: np.ndarray
    second: np.ndarray
    first_value: np.ndarray
    second_value: np.ndarray
    softmax: bool

    @property
    def n(self) -> int:
        """Number of samples counted."""
        return int(self.labels.size)

    @property
    def n_classes(self) -> int:
        """Number of outputs (rows and columns of M)."""
        return int(self.counts.shape[0])

    @property
    def accuracy(self) -> float:
        """Σᵢ M[i, i] / n: the share of right answers (nan without samples)."""
        return float(np.trace(self.counts) / self.n) if self.n else float("nan")

    def cell(self, right: int, answered: int) -> np.ndarray:
        """Row indices k (ascending) of the samples of right class `right` answered `answered`:
        exactly M[right, answered] of them."""
        return np.flatnonzero((self.labels == right) & (self.first == answered))

    def mistakes(self) -> np.ndarray:
        """Row indices k (ascending) of every sample answered wrongly (ŷ ≠ y)."""
        return np.flatnonzero(self.labels != self.first)

    def answer_text(self, value: float) -> str:
        """An output's activation as the window writes it: "93 %" for a softmax output (a
        probability), else the activation itself ("0.87")."""
        if self.softmax:
            return f"{100 * value:.0f} %"
        return f"{value:.2f}"

    def caption(self, k: int) -> str:
        """Sample k's two brightest answers: "says 3 (71 %), then 5 (20 %) — it is 5"."""
        return _("says {first} ({first_value}), then {second} ({second_value}) — it is {label}"
                 ).format(**self._answers(k))

    def short_caption(self, k: int) -> str:
        """The same on three short lines, under a thumbnail: "says 3 (71 %)⏎then 5 (20 %)⏎it
        is 5"."""
        return _(SHORT_CAPTION).format(**self._answers(k))

    def _answers(self, k: int) -> dict:
        return dict(first=int(self.first[k]),
                    first_value=self.answer_text(float(self.first_value[k])),
                    second=int(self.second[k]),
                    second_value=self.answer_text(float(self.second_value[k])),
                    label=int(self.labels[k]))


def confusion(net: Feedforward, X: np.ndarray, labels: np.ndarray,
              chunk: int = 5_000) -> Confusion:
    """The confusion matrix of `net` (a Network or a Snapshot) on X (n, sizes[0]) with right
    labels (n,) in 0..n_out−1, from one forward pass per chunk of rows (bounded memory)."""
    labels = np.asarray(labels).astype(np.intp).reshape(-1)
    n_out = net.sizes[-1]
    firsts, seconds, v1, v2 = [], [], [], []
    for s in range(0, labels.size, chunk):
        A = np.atleast_2d(net.forward(np.asarray(X[s:s + chunk], dtype=np.float64)))
        order = np.argsort(-A, axis=1, kind="stable")[:, :2]
        rows = np.arange(A.shape[0])
        firsts.append(order[:, 0])
        seconds.append(order[:, min(1, n_out - 1)])
        v1.append(A[rows, order[:, 0]])
        v2.append(A[rows, order[:, min(1, n_out - 1)]])
    empty_i, empty_f = np.zeros(0, np.intp), np.zeros(0)
    first = np.concatenate(firsts) if firsts else empty_i
    counts = np.zeros((n_out, n_out), dtype=np.int64)
    np.add.at(counts, (labels, first), 1)
    return Confusion(
        frozen(counts), frozen(labels), frozen(first),
        frozen(np.concatenate(seconds) if seconds else empty_i),
        frozen(np.concatenate(v1) if v1 else empty_f),
        frozen(np.concatenate(v2) if v2 else empty_f),
        bool(net.cost_fn.softmax_output),
    )
