"""Read-only arrays: what snapshots, traces and datasets hand out, so no receiver can change them."""

from __future__ import annotations

import numpy as np


def frozen(a, dtype=None, copy: bool = True) -> np.ndarray:
    """`a` as an array that cannot be written to: a copy (optionally cast to `dtype`), or with
    copy=False a read-only view of it (no data copied when `a` is already an array of `dtype`)."""
    out = np.array(a, dtype=dtype, copy=True) if copy else np.asarray(a, dtype=dtype).view()
    out.setflags(write=False)
    return out
