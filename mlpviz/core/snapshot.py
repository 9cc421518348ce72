"""Immutable snapshots of a network, for handing from the training thread to the window.

A snapshot holds copies of the parameters, marked read-only, so the receiver can never change
(or race with) the trainer's arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mlpviz.core.arrays import frozen
from mlpviz.core.network import Network


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The parameters of a network at one moment, and where training was.

    weights[l] has shape (sizes[l+1], sizes[l]) and biases[l] (sizes[l+1],), as in `Network`.
    """

    sizes: tuple[int, ...]
    activation: str
    cost: str
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    epoch: int = 0  # epochs completed
    batch: int = 0  # batches done in the current epoch
    samples_seen: int = 0
    meta: dict = field(default_factory=dict)  # free-form extras (e.g. lr, batch size)

    @classmethod
    def of(cls, net: Network, **progress) -> "Snapshot":
        """Copy `net`'s parameters (float64) into a new snapshot."""
        return cls(
            tuple(net.sizes), net.activation, net.cost,
            tuple(frozen(W, np.float64) for W in net.weights),
            tuple(frozen(b, np.float64) for b in net.biases),
            **progress,
        )

    def network(self) -> Network:
        """A new, independent float64 Network with these parameters."""
        return Network.from_parameters(self.sizes, self.activation, self.cost, self.weights, self.biases)

    def forward_all(self, x: np.ndarray) -> list[np.ndarray]:
        """Every layer's activations for one sample x (sizes[0],) or a batch (n, sizes[0])."""
        return self.network().forward_all(x)
