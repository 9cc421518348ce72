"""Immutable snapshots of a network, for handing from the training thread to the window.

A snapshot holds copies of the parameters, marked read-only, so the receiver can never change
(or race with) the trainer's arrays. It runs the forward pass itself, on those arrays, so a view
on the GUI thread builds no `Network` for each of the ~25 snapshots a second.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mlpviz.core.activations import Activation, get_activation
from mlpviz.core.arrays import frozen
from mlpviz.core.costs import Cost, get_cost
from mlpviz.core.network import Feedforward, Network


@dataclass(frozen=True, eq=False)
class Snapshot(Feedforward):
    """The parameters of a network at one moment, and where training was.

    weights[l] has shape (sizes[l+1], sizes[l]) and biases[l] (sizes[l+1],), as in `Network`,
    float64 and read-only. `forward`, `forward_all`, `forward_layers`, `predict` and `evaluate`
    work as on a Network (see `Feedforward`) without copying anything.
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

    @property
    def act(self) -> Activation:
        """The activation's record (symbol, range, wording), asked instead of its name."""
        return get_activation(self.activation)

    @property
    def cost_fn(self) -> Cost:
        """The cost's record (`softmax_output`, formula), asked instead of its name."""
        return get_cost(self.cost)

    def network(self) -> Network:
        """A new float64 Network with these parameters, for callers that backpropagate, step or
        train it (to read outputs, use the snapshot's own forward pass). Its arrays are fresh,
        writable copies, so changing them never changes the snapshot; they are not checked
        again (a snapshot's arrays come from a Network, shapes and all)."""
        return Network.from_parameters(self.sizes, self.act, self.cost_fn, self.weights,
                                       self.biases, check=False)
