"""Whether a network's numbers can be shown and trained: its forward pass stays finite (finite
but huge weights, a file with W × 1e120, overflow float64: `core.network.NonFiniteError` names
the layer) and every parameter fits float32, the precision training works in (beyond it the
trainer would turn them into ±inf). The app refuses a network that fails either, saying why,
instead of drawing numbers that are not true.
"""

from __future__ import annotations

import numpy as np

from mlpviz.core.network import Feedforward, NonFiniteError
from mlpviz.core.notation import sup
from mlpviz.i18n import _


def parameters_problem(model: Feedforward, X: np.ndarray) -> str | None:
    """None if the forward pass of every sample of X (n, sizes[0]) stays finite and every
    parameter fits float32; else the sentence saying which layer or parameter does not."""
    try:
        model.forward_layers(X)
    except NonFiniteError as e:
        return str(e)
    return range_problem(model.weights, model.biases)


def range_problem(weights, biases) -> str | None:
    """None if every W⁽ˡ⁾ and b⁽ˡ⁾ (l = 1 … L) fits float32, the precision training works in;
    else a sentence naming the first that does not (float32 would make it ±inf)."""
    top = float(np.finfo(np.float32).max)
    for l, (W, b) in enumerate(zip(weights, biases), start=1):
        for name, values in (("W", W), ("b", b)):
            if values.size and float(np.abs(values).max()) > top:
                return _("{name} holds numbers beyond ±{top}, the largest that training (in "
                         "float32) can hold").format(name=f"{name}{sup(l)}", top=f"{top:.2g}")
    return None
