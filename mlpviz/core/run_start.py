"""Where a run began, to run it again exactly (the trainer records it; core/runs.py compares
runs). Kept apart from runs.py so that the trainer can import it without a cycle."""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from mlpviz.core.arrays import frozen


def start_digest(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> str:
    """A short fingerprint of initial parameters (SHA-256 of their float64 bytes, 12 hex
    digits): two runs with the same digest started from the same weights."""
    h = hashlib.sha256()
    for a in (*weights, *biases):
        h.update(np.ascontiguousarray(a, dtype=np.float64).tobytes())
    return h.hexdigest()[:12]


@dataclass(frozen=True, eq=False)
class RunStart:
    """Where a run began: weights[l] (n_out, n_in) and biases[l] (n_out,) before its first
    mini-batch (float64, read-only), and the trainer's generator state (`bit_generator.state`,
    a plain dict) before it drew the order that first batch came from."""

    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    rng_state: Mapping

    @classmethod
    def of(cls, weights, biases, rng_state: Mapping) -> "RunStart":
        """Frozen float64 copies of the parameters and a deep copy of the generator state."""
        return cls(tuple(frozen(W, np.float64) for W in weights),
                   tuple(frozen(b, np.float64) for b in biases), copy.deepcopy(dict(rng_state)))

    @property
    def digest(self) -> str:
        return start_digest(self.weights, self.biases)
