"""The gradient as numbers to compare: every ∂C/∂θ of one sample in one flat list, ranked by size,
and what several samples want for the same parameters (the average a mini-batch step follows).

A parameter is named (l, j, k) in code indexing: the weight `weights[l][j, k]` (w⁽ˡ⁺¹⁾ⱼₖ of the
lesson, from neuron k of layer l into neuron j of layer l + 1), or the bias `biases[l][j]` when
k = −1. The derivatives come from `Network.backprop` (one sample) and the batched backward recursion
of `Network.gradient` (a batch, `network.backward_deltas`); nothing here re-derives them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlpviz.core.costs import one_hot
from mlpviz.core.network import Network, Trace, backward_deltas

TOP_PARAMETERS = 10  # how many parameters `top_parameters` ranks by default


def param_value(grad_w, grad_b, l: int, j: int, k: int) -> float:
    """∂C/∂θ for θ = (l, j, k): grad_w[l][j, k], or grad_b[l][j] when k = −1."""
    return float(grad_b[l][j] if k < 0 else grad_w[l][j, k])


def all_gradients(t: Trace) -> np.ndarray:
    """Every ∂C/∂θ of the trace in one flat order, shape (parameter count,): ∂C/∂W⁽¹⁾ row by row,
    ∂C/∂b⁽¹⁾, ∂C/∂W⁽²⁾, ∂C/∂b⁽²⁾, … (`param_at` names position i)."""
    return np.concatenate([g for gw, gb in zip(t.grad_w, t.grad_b) for g in (gw.reshape(-1), gb)])


def param_at(t: Trace, i: int) -> tuple[int, int, int]:
    """The parameter (l, j, k) at flat position i of `all_gradients`."""
    for l, (gw, gb) in enumerate(zip(t.grad_w, t.grad_b)):
        if i < gw.size:
            j, k = divmod(i, gw.shape[1])
            return l, int(j), int(k)
        i -= gw.size
        if i < gb.size:
            return l, int(i), -1
        i -= gb.size
    raise IndexError(i)


def top_parameters(t: Trace, n: int = TOP_PARAMETERS) -> list[tuple[int, int, int, float]]:
    """The n parameters with the largest |∂C/∂θ|, largest first: (l, j, k, ∂C/∂θ).
    A component three times another means changing that parameter matters three times as much."""
    flat = all_gradients(t)
    n = min(n, flat.size)
    idx = np.argpartition(-np.abs(flat), n - 1)[:n]
    idx = idx[np.argsort(-np.abs(flat[idx]), kind="stable")]
    return [(*param_at(t, int(i)), float(flat[i])) for i in idx]


@dataclass(frozen=True, eq=False)
class BatchWishes:
    """What several samples want for the same parameters.

    params          (l, j, k) per parameter, k = −1 for a bias (code indexing: weights[l][j, k])
    labels          (n_samples,) each sample's right class
    grads           (n_samples, n_params) ∂Cᵢ/∂θ of each sample i, from its own backprop
    mean            (n_params,) their average (1/n) Σᵢ ∂Cᵢ/∂θ: an SGD step on this batch
                    follows −mean
    batch_gradient  (n_params,) the same entries of `Network.gradient(X, labels)`, for the check
    """

    params: tuple[tuple[int, int, int], ...]
    labels: np.ndarray
    grads: np.ndarray
    mean: np.ndarray
    batch_gradient: np.ndarray


def _norm_param(p) -> tuple[int, int, int]:
    """(l, j, k) as ints; k None (a bias) becomes −1."""
    l, j, k = p
    return int(l), int(j), -1 if k is None else int(k)


def batch_wishes(net: Network, X: np.ndarray, labels, params) -> BatchWishes:
    """Each sample's ∂Cᵢ/∂θ for the given parameters and their mean, for X of shape
    (n, sizes[0]), with `net.gradient(X, labels)` for the same entries (they agree to rounding).

    All samples at once, by the batched backward recursion `Network.gradient` uses
    (`network.backward_deltas`), keeping each sample's row: with Δ⁽ˡ⁾ = ∂Cᵢ/∂Z⁽ˡ⁾ of shape
    (n, sizes[l]), ∂Cᵢ/∂w⁽ˡ⁺¹⁾ⱼₖ = Δ⁽ˡ⁺¹⁾ᵢⱼ · A⁽ˡ⁾ᵢₖ and ∂Cᵢ/∂b⁽ˡ⁺¹⁾ⱼ = Δ⁽ˡ⁺¹⁾ᵢⱼ (code indexing)."""
    X = np.asarray(X, dtype=np.float64).reshape(len(X), -1)
    labels = np.asarray(labels).astype(np.intp).reshape(-1)
    if len(X) != len(labels) or len(X) == 0:
        raise ValueError(f"need as many labels as samples (at least one), got {len(X)} and "
                         f"{len(labels)}")
    if not np.all((0 <= labels) & (labels < net.sizes[-1])):
        raise ValueError(f"labels must be in 0..{net.sizes[-1] - 1}")
    params = tuple(_norm_param(p) for p in params)
    for l, j, k in params:
        if not (0 <= l < net.L and 0 <= j < net.sizes[l + 1] and -1 <= k < net.sizes[l]):
            raise ValueError(f"no parameter ({l}, {j}, {k}) in a network of sizes {net.sizes}")
    acts = net.forward_all(X)
    delta_L = net.cost_fn.grad_z_from_a(acts[-1], one_hot(labels, net.sizes[-1]), net.act)
    deltas = dict(backward_deltas(net.weights, acts, delta_L, net.act))  # l → Δ⁽ˡ⁺¹⁾
    grads = np.empty((len(X), len(params)))
    for c, (l, j, k) in enumerate(params):
        grads[:, c] = deltas[l][:, j] if k < 0 else deltas[l][:, j] * acts[l][:, k]
    gw, gb, _ = net.gradient(X, labels)
    picked = [param_value(gw, gb, *p) for p in params]
    return BatchWishes(params, labels, grads, grads.mean(axis=0), np.array(picked))
