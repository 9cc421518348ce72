"""Replay checkpoints: the weights at moments of a run, log-spaced over the batches seen, in a
fixed budget.

A run of 200 epochs is tens of thousands of mini-batches; keeping every one's weights would cost
gigabytes. `CheckpointLog` keeps at most `capacity` snapshots (the first — the run's start —
and the newest always among them). Offered a snapshot at t mini-batches seen, it keeps it; when
that makes one too many, it drops the interior checkpoint whose neighbours are nearest in
log(1 + t − t₀), t₀ being the first checkpoint's count. What stays is about evenly spaced in
log time: dense at the start, where the network changes fastest, sparse later — the way the
cost curve is usually read. A snapshot at the same t as the newest replaces it (a stepper step,
an edit or a restore changes the weights without a batch).

`Checkpoints` is the immutable record a replay (and a lesson file) reads: positions and the
snapshots at them; `to_arrays()` / `from_arrays()` turn it into plain arrays and back, bit for
bit.

>>> from mlpviz.core.network import Network
>>> from mlpviz.core.snapshot import Snapshot
>>> log = CheckpointLog(capacity=4)
>>> net = Network([4, 3, 2], seed=0)
>>> for t in range(100):
...     log.offer(t, Snapshot.of(net))
>>> log.record().batches
(0, 7, 62, 99)
"""

from __future__ import annotations

from dataclasses import dataclass

import math

import numpy as np

from mlpviz.core.arrays import frozen
from mlpviz.core.snapshot import Snapshot

RATIO = 1.05  # the trainer offers a checkpoint each time the batches seen grow by 5 %
CAPACITY = 64  # checkpoints kept at most
MAX_BYTES = 32 * 2**20  # …and at most this many bytes of weights (large networks keep fewer)
MIN_CAPACITY = 4


def next_due(batches: int) -> int:
    """When the trainer offers its next checkpoint after one at `batches` (counted from the
    network's start): every batch at first, then each time the count has grown by RATIO — about
    140 offers in a 200-epoch run of 80 batches an epoch, so the log has more than it keeps."""
    return max(int(batches) + 1, math.ceil(int(batches) * RATIO))


def capacity_for(sizes, capacity: int = CAPACITY, max_bytes: int = MAX_BYTES) -> int:
    """How many checkpoints of a network of `sizes` fit the budget: `capacity`, fewer when
    `capacity` float64 copies of its Σ (n_in + 1)·n_out parameters exceed `max_bytes`
    (never fewer than MIN_CAPACITY)."""
    n = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
    return max(MIN_CAPACITY, min(int(capacity), int(max_bytes) // max(1, 8 * n)))


@dataclass(frozen=True, eq=False)
class Checkpoints:
    """Snapshots of one network at increasing mini-batch counts (read-only, in order).

    batches   : (n,) mini-batches seen when each was taken, increasing
    snapshots : (n,) the Snapshot at each
    """

    batches: tuple[int, ...] = ()
    snapshots: tuple[Snapshot, ...] = ()

    def __len__(self) -> int:
        return len(self.batches)

    def index_at(self, batches_seen: float) -> int:
        """The index of the last checkpoint taken at or before `batches_seen` (0 if none)."""
        i = int(np.searchsorted(np.asarray(self.batches), batches_seen, side="right")) - 1
        return max(0, i)

    def nbytes(self) -> int:
        """Bytes held by the checkpoints' weights and biases."""
        return sum(a.nbytes for s in self.snapshots for a in (*s.weights, *s.biases))

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Plain arrays: "batches", "epochs", "batch_in_epoch", "samples_seen" (n,) int64 and, per
        weight layer l, "W{l}" (n, sizes[l+1], sizes[l]) and "b{l}" (n, sizes[l+1]) float64.
        The network's sizes, activation and cost are its own (the lesson file stores them)."""
        snaps = self.snapshots
        out = {"batches": np.array(self.batches, dtype=np.int64),
               "epochs": np.array([s.epoch for s in snaps], dtype=np.int64),
               "batch_in_epoch": np.array([s.batch for s in snaps], dtype=np.int64),
               "samples_seen": np.array([s.samples_seen for s in snaps], dtype=np.int64)}
        if snaps:
            for l in range(len(snaps[0].weights)):
                out[f"W{l}"] = np.stack([s.weights[l] for s in snaps])
                out[f"b{l}"] = np.stack([s.biases[l] for s in snaps])
        return out

    @classmethod
    def from_arrays(cls, arrays, sizes, activation: str, cost: str) -> "Checkpoints":
        """The record `to_arrays` gave, for a network of `sizes` with that activation and cost.
        ValueError when the arrays do not fit (shapes, counts, positions not increasing)."""
        sizes = tuple(int(s) for s in sizes)
        batches = np.asarray(arrays["batches"]).reshape(-1)
        n = len(batches)
        if n and np.any(np.diff(batches) <= 0):
            raise ValueError("checkpoint positions must increase")
        counts = [np.asarray(arrays[k]).reshape(-1) for k in ("epochs", "batch_in_epoch",
                                                              "samples_seen")]
        layers = []
        for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            W, b = (np.asarray(arrays[f"W{l}"]) if n else np.empty((0, n_out, n_in)),
                    np.asarray(arrays[f"b{l}"]) if n else np.empty((0, n_out)))
            if W.shape != (n, n_out, n_in) or b.shape != (n, n_out):
                raise ValueError(f"checkpoint layer {l} has shapes {W.shape} and {b.shape}, "
                                 f"not {(n, n_out, n_in)} and {(n, n_out)}")
            layers.append((W, b))
        if any(len(c) != n for c in counts):
            raise ValueError("checkpoint counts differ in length from their positions")
        snaps = tuple(
            Snapshot(sizes, activation, cost,
                     tuple(frozen(W[i], np.float64) for W, _ in layers),
                     tuple(frozen(b[i], np.float64) for _, b in layers),
                     epoch=int(counts[0][i]), batch=int(counts[1][i]),
                     samples_seen=int(counts[2][i]))
            for i in range(n))
        return cls(tuple(int(t) for t in batches), snaps)


class CheckpointLog:
    """The checkpoints of one run, at most `capacity` (≥ 3), log-spaced (see the module)."""

    def __init__(self, capacity: int = CAPACITY):
        if capacity < 3:
            raise ValueError(f"capacity must be at least 3, not {capacity}")
        self.capacity = int(capacity)
        self._batches: list[int] = []
        self._snapshots: list[Snapshot] = []
        self._record: Checkpoints | None = Checkpoints()

    def __len__(self) -> int:
        return len(self._batches)

    def clear(self) -> None:
        self._batches.clear()
        self._snapshots.clear()
        self._record = Checkpoints()

    def offer(self, batches_seen: int, snapshot: Snapshot) -> None:
        """Keep `snapshot`, taken at `batches_seen` (never fewer than the newest's), thinning
        to `capacity` (see the module). A count below the newest's is ignored."""
        t = int(batches_seen)
        if self._batches and t < self._batches[-1]:
            return
        self._record = None
        if self._batches and t == self._batches[-1]:
            self._snapshots[-1] = snapshot
            return
        self._batches.append(t)
        self._snapshots.append(snapshot)
        if len(self._batches) > self.capacity:
            i = self._densest()
            del self._batches[i], self._snapshots[i]

    def _densest(self) -> int:
        """The interior index whose neighbours are nearest in log(1 + t − t₀) (the earliest of
        equals): dropping it loses the least log-time resolution."""
        t = np.log1p(np.asarray(self._batches, dtype=np.float64) - self._batches[0])
        span = t[2:] - t[:-2]
        return int(np.argmin(span)) + 1

    def restore(self, record: Checkpoints) -> None:
        """Hold exactly `record`'s checkpoints (a lesson file's), thinned to `capacity` as if
        offered one by one."""
        self.clear()
        for t, snapshot in zip(record.batches, record.snapshots):
            self.offer(t, snapshot)

    def record(self) -> Checkpoints:
        """The checkpoints now, as an immutable record (cached until the next offer)."""
        if self._record is None:
            self._record = Checkpoints(tuple(self._batches), tuple(self._snapshots))
        return self._record
