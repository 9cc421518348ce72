"""Where a forward pass stops being finite: a network whose weights are finite but so large that
z = W a + b overflows float64 (a file with W × 1e120) would draw "nan" outputs. The app refuses
such a network with the layer where it happened, instead of drawing numbers that are not true;
and parameters beyond float32's range, which training (in float32) would turn into ±inf.
"""

from __future__ import annotations

import numpy as np

from mlpviz.core.network import Feedforward, forward_pass
from mlpviz.core.notation import sup


def overflow_problem(model: Feedforward, X: np.ndarray) -> str | None:
    """None if the forward pass of every sample of X (n, sizes[0]) stays finite; else a sentence
    naming the first layer l whose z⁽ˡ⁾ = W a + b (or whose a⁽ˡ⁾) is ±inf or NaN, and for how
    many of the n samples."""
    A = np.asarray(X, dtype=np.float64)
    with np.errstate(all="ignore"):  # the unchecked pass: here we count where it overflows
        zs, acts = forward_pass(model.weights, model.biases, A, model.act, model.cost_fn)
    n = len(X)
    for l in range(1, len(zs)):
        for what, values in (("weighted sums z", zs[l]), ("activations a", acts[l])):
            bad = ~np.isfinite(values).all(axis=-1)
            if bad.any():
                return (f"its forward pass overflows at layer {l}: the {what}{sup(l)} are infinite "
                        f"or not a number for {int(bad.sum()):,} of {n:,} samples "
                        "(weights far too large)")
    return range_problem(model.weights, model.biases)


def range_problem(weights, biases) -> str | None:
    """None if every W⁽ˡ⁾ and b⁽ˡ⁾ (l = 1 … L) fits float32, the precision training works in;
    else a sentence naming the first that does not (float32 would make it ±inf)."""
    top = float(np.finfo(np.float32).max)
    for l, (W, b) in enumerate(zip(weights, biases), start=1):
        for name, values in (("W", W), ("b", b)):
            if values.size and float(np.abs(values).max()) > top:
                return (f"{name}{sup(l)} holds numbers beyond ±{top:.2g}, the largest that "
                        "training (in float32) can hold")
    return None
