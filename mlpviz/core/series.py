"""A long series kept in bounded memory, and drawn at a plot's resolution without lying.

The cost plot gets one point per mini-batch: ten thousand epochs are 800,000 points. Two steps
keep every redraw's work bounded however long the run, and what is drawn true:

- `BinnedSeries` stores at most `capacity` bins of equally many consecutive samples. Each bin
  keeps the mean x, the lowest, highest and mean y, and the mean of a second column (the smoothed
  cost). When the store is full, neighbouring bins are merged pairwise (min of the mins, max of
  the maxes, means of the means), so a bin stands for twice as many samples as before.
- `envelope` merges the stored points further into at most `bins` chunks, one per pixel column
  or so, and returns a polyline through each chunk's lowest and highest value: the band that a
  line through every sample would fill at that resolution (pyqtgraph's "peak" downsampling). A
  spike of one batch stays visible however long the run; where each chunk is one sample with
  lo = hi, the line is exactly the samples. `chunk_means` does the same for a smooth series.

>>> s = BinnedSeries(capacity=4)
>>> s.extend([1, 2, 3, 4, 5], [5.0, 1.0, 2.0, 2.0, 9.0], [0, 0, 0, 0, 0])
>>> s.bin, s.points().hi.tolist()        # five samples in four bins: merged pairwise, then one more
(2, [5.0, 2.0, 9.0])
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Points(NamedTuple):
    """Parallel (n,) float arrays: mean x, lowest y, highest y, mean y, mean of the second column."""

    x: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    mean: np.ndarray
    extra: np.ndarray


class BinnedSeries:
    """Samples (x, y, extra) in at most `capacity` (even, ≥ 2) bins of `bin` samples each.

    `extend` appends samples in order; `points()` gives the stored bins plus the partly filled
    last one. Memory: 5 × capacity floats plus fewer than `bin` pending samples.
    """

    def __init__(self, capacity: int = 5000):
        if capacity < 2 or capacity % 2:
            raise ValueError(f"capacity must be an even number ≥ 2, not {capacity}")
        self.capacity = int(capacity)
        self._store = np.empty((5, self.capacity))  # rows: x, lo, hi, mean, extra
        self.n = 0  # bins stored
        self.bin = 1  # samples per stored bin
        self._pending = np.empty((3, 0))  # x, y, extra of samples not yet making a whole bin

    def extend(self, x, y, extra) -> None:
        """Append samples (1-D, equal lengths, x increasing), merging bins when the store fills."""
        new = np.array([np.ravel(x), np.ravel(y), np.ravel(extra)], dtype=np.float64)
        pending = np.concatenate([self._pending, new], axis=1)
        while pending.shape[1] >= self.bin:
            if self.n == self.capacity:
                self._halve()
                continue
            whole = min(pending.shape[1] // self.bin, self.capacity - self.n)
            take = whole * self.bin
            chunks = pending[:, :take].reshape(3, whole, self.bin)
            stored = self._store[:, self.n:self.n + whole]
            stored[0] = chunks[0].mean(axis=1)
            stored[1] = chunks[1].min(axis=1)
            stored[2] = chunks[1].max(axis=1)
            stored[3] = chunks[1].mean(axis=1)
            stored[4] = chunks[2].mean(axis=1)
            self.n += whole
            pending = pending[:, take:]
        self._pending = pending.copy()

    def _halve(self) -> None:
        """Merge neighbouring bins pairwise: half as many, each standing for twice the samples."""
        s, half = self._store, self.capacity // 2
        even, odd = s[:, 0::2], s[:, 1::2]
        merged = np.array([0.5 * (even[0] + odd[0]), np.minimum(even[1], odd[1]),
                           np.maximum(even[2], odd[2]), 0.5 * (even[3] + odd[3]),
                           0.5 * (even[4] + odd[4])])
        s[:, :half] = merged
        self.n = half
        self.bin *= 2

    def points(self) -> Points:
        """Copies of the stored bins, plus the partly filled last one (its samples so far)."""
        columns = self._store[:, :self.n]
        if self._pending.shape[1]:
            px, py, pe = self._pending
            last = np.array([[px.mean()], [py.min()], [py.max()], [py.mean()], [pe.mean()]])
            columns = np.concatenate([columns, last], axis=1)
        return Points(*(c.copy() for c in columns))

    def __len__(self) -> int:
        return self.n + (1 if self._pending.shape[1] else 0)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The whole state as named arrays (a lesson file keeps them): the stored bins (5, n),
        the pending samples (3, k < bin) and the bin size."""
        return {"bins": self._store[:, :self.n].copy(), "pending": self._pending.copy(),
                "bin": np.array(self.bin, dtype=np.int64)}

    @classmethod
    def from_arrays(cls, arrays, capacity: int = 5000) -> "BinnedSeries":
        """The series `to_arrays` gave, in a store of `capacity` bins; ValueError when the
        arrays are not such a state (wrong shapes, a bin size < 1, more bins than fit)."""
        bins = np.asarray(arrays["bins"], dtype=np.float64)
        pending = np.asarray(arrays["pending"], dtype=np.float64)
        size = np.asarray(arrays["bin"])
        series = cls(capacity)
        if (bins.ndim != 2 or bins.shape[0] != 5 or bins.shape[1] > series.capacity
                or size.shape != () or size.dtype.kind not in "iu" or not 1 <= size <= 2**53
                or pending.ndim != 2 or pending.shape[0] != 3 or pending.shape[1] >= size):
            raise ValueError(f"not a series of at most {series.capacity} bins: bins "
                             f"{bins.shape}, pending {pending.shape}, bin {size}")
        series.n, series.bin = bins.shape[1], int(size)
        series._store[:, :series.n] = bins
        series._pending = pending.copy()
        return series


def _chunk_starts(n: int, bins: int) -> np.ndarray:
    """Where consecutive chunks of ceil(n / bins) points start (one point each when n ≤ bins)."""
    size = max(1, -(-n // max(int(bins), 1)))
    return np.arange(0, n, size)


def envelope(x, lo, hi, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """A polyline (xs, ys) through at most `bins` chunks of consecutive points: each chunk's mean x
    twice, at its lowest `lo` and its highest `hi`. Every value lies inside the band drawn, and
    the band's edges are values that occurred. Where every chunk has lo = hi (one sample per
    point, none merged) the result is the line through (x, lo) itself."""
    x, lo, hi = (np.asarray(a, dtype=np.float64) for a in (x, lo, hi))
    if len(x) == 0:
        return x.copy(), x.copy()
    starts = _chunk_starts(len(x), bins)
    counts = np.diff(np.r_[starts, len(x)])
    xm = np.add.reduceat(x, starts) / counts
    low = np.minimum.reduceat(lo, starts)
    high = np.maximum.reduceat(hi, starts)
    if np.array_equal(low, high):
        return xm, low
    return np.repeat(xm, 2), np.column_stack([low, high]).ravel()


def chunk_means(x, y, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """(mean x, mean y) of at most `bins` chunks of consecutive points: for a series that is
    already smooth (a moving average), where the mean of neighbours is what a line would show."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if len(x) == 0:
        return x.copy(), y.copy()
    starts = _chunk_starts(len(x), bins)
    counts = np.diff(np.r_[starts, len(x)])
    return np.add.reduceat(x, starts) / counts, np.add.reduceat(y, starts) / counts
