"""Numerical gradient check: central finite differences against backpropagation, in float64."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlpviz.core.costs import one_hot
from mlpviz.core.network import Network, Trace, forward_from, forward_pass


@dataclass(frozen=True)
class LayerCheck:
    """Worst relative error of one weight layer's ∂C/∂W and ∂C/∂b, and where it is."""

    layer: int
    max_rel_error_w: float
    max_rel_error_b: float
    worst: tuple[str, int, int, float, float, float]  # (kind "W"/"b", j, k, analytic, numeric, rel)


@dataclass(frozen=True)
class GradCheck:
    """Result of checking a network's parameters (all, or a seeded sample) on one sample."""

    layers: tuple[LayerCheck, ...]
    offenders: tuple[tuple[str, int, int, int, float, float, float], ...]  # (kind, l, j, k, an, num, rel)
    checked: int = 0  # parameters compared
    total: int = 0  # parameters of the network

    @property
    def max_rel_error(self) -> float:
        return max(max(c.max_rel_error_w, c.max_rel_error_b) for c in self.layers)


def relative_error(analytic: np.ndarray, numeric: np.ndarray, floor: float = 1e-8) -> np.ndarray:
    """|g_a − g_n| / max(|g_a| + |g_n|, floor): symmetric, and quiet where both are ~0."""
    return np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), floor)


def sample_cost(net: Network, x: np.ndarray, label: int) -> float:
    """C of one sample under the network's current parameters, in float64."""
    a = net.forward(np.asarray(x, dtype=np.float64)[None, :])
    return float(net.cost_fn.value(a, one_hot([label], net.sizes[-1]))[0])


# Extended precision where the platform has it (x86: 64-bit mantissa), so that the cancellation in
# C(θ+ε) − C(θ−ε) does not swamp gradients of 1e-7; elsewhere this is plain float64.
_HP = np.longdouble


def _forward_rest(net: Network, l: int, Z: np.ndarray, Ws, bs) -> np.ndarray:
    """Outputs a^L for a batch of pre-activations Z of layer l (shape (n, sizes[l])), in the
    dtype of Z, Ws and bs (_HP here)."""
    return forward_from(l, Z, Ws, bs, net.act, net.cost_fn)[1][-1]


def numerical_gradient(net: Network, x, label: int, eps: float = 1e-5, rows=None):
    """∂C/∂θ ≈ (C(θ + ε) − C(θ − ε)) / 2ε for every weight and bias; (grad_w, grad_b) lists.

    Each C(θ ± ε) is a true forward pass of the perturbed network, computed in extended precision.
    Only the layers after the changed parameter are recomputed: moving W^l_jk by ±ε moves
    z^{l+1}_j by exactly ±ε·a^l_k (moving b^l_j by ±ε), and everything before layer l+1 is unchanged.
    Costs are evaluated for a whole neuron's parameters at once, as a batch. `rows[l]`, if given,
    lists the neurons j of layer l+1 to compute; the other rows are left NaN.
    """
    Ws = [np.asarray(W, dtype=_HP) for W in net.weights]
    bs = [np.asarray(b, dtype=_HP) for b in net.biases]
    y = one_hot([label], net.sizes[-1], dtype=_HP)
    z, a = forward_pass(Ws, bs, np.asarray(x, dtype=_HP).reshape(-1), net.act, net.cost_fn)
    grads_w, grads_b = [], []
    for l in range(net.L):
        n_out, n_in = net.weights[l].shape
        # One row per parameter of neuron j: its n_in weights, then its bias.
        shift = np.concatenate([a[l], np.ones(1, dtype=_HP)]) * _HP(eps)
        G = np.full((n_out, n_in + 1), np.nan)
        for j in (range(n_out) if rows is None else rows[l]):
            Z = np.repeat(z[l + 1][None, :], n_in + 1, axis=0)
            Z_plus, Z_minus = Z.copy(), Z
            Z_plus[:, j] += shift
            Z_minus[:, j] -= shift
            c_plus = net.cost_fn.value(_forward_rest(net, l + 1, Z_plus, Ws, bs), y)
            c_minus = net.cost_fn.value(_forward_rest(net, l + 1, Z_minus, Ws, bs), y)
            G[j] = ((c_plus - c_minus) / _HP(2 * eps)).astype(np.float64)
        grads_w.append(G[:, :n_in])
        grads_b.append(G[:, n_in].copy())
    return grads_w, grads_b


# Gradient components below this fraction of the largest one are compared on an absolute scale:
# central differences cannot resolve them relatively (rounding in C(θ±ε) is ~1e-14 even in
# extended precision), and they matter least. A wrong component above ~1e-4 of the largest, or an
# absolute error above ~1e-10 of it, still shows as a large relative error.
RELATIVE_FLOOR = 1e-4


def sample_rows(sizes, max_params: int | None, seed: int = 0) -> list[np.ndarray] | None:
    """Which neurons' parameters to check: all (None) if the network has at most `max_params`,
    else a seeded random choice of rows per weight layer, about max_params / L parameters each."""
    count = sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))
    if max_params is None or count <= max_params:
        return None
    rng = np.random.default_rng(seed)
    L = len(sizes) - 1
    rows = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        k = int(np.clip(max_params // L // (n_in + 1), 1, n_out))
        rows.append(np.sort(rng.choice(n_out, size=k, replace=False)))
    return rows


def check_gradient(
    net: Network, x, label: int, trace: Trace | None = None, eps: float = 1e-5,
    n_offenders: int = 10, max_params: int | None = None, seed: int = 0,
) -> GradCheck:
    """Compare `trace` (default: net.backprop(x, label)) with central differences, parameter by
    parameter; report the worst relative error per layer and the worst offenders overall.

    Relative error: |g_a − g_n| / max(|g_a| + |g_n|, RELATIVE_FLOOR · max |g_a|). Every parameter
    is checked, unless the network has more than `max_params`: then a seeded sample of whole
    neurons per layer (`checked` says how many parameters)."""
    trace = trace if trace is not None else net.backprop(x, label)
    rows_to_check = sample_rows(net.sizes, max_params, seed)
    num_w, num_b = numerical_gradient(net, x, label, eps, rows_to_check)
    scale = max(max(float(np.abs(g).max()) for g in trace.grad_w),
                max(float(np.abs(g).max()) for g in trace.grad_b))
    floor = max(1e-12, RELATIVE_FLOOR * scale)
    layers, rows, checked = [], [], 0
    for l in range(net.L):
        rw = np.nan_to_num(relative_error(trace.grad_w[l], num_w[l], floor), nan=-1.0)
        rb = np.nan_to_num(relative_error(trace.grad_b[l], num_b[l], floor), nan=-1.0)
        checked += int((rw >= 0).sum() + (rb >= 0).sum())
        j, k = np.unravel_index(int(np.argmax(rw)), rw.shape)
        jb = int(np.argmax(rb))
        worst_w = ("W", int(j), int(k), float(trace.grad_w[l][j, k]), float(num_w[l][j, k]), float(rw[j, k]))
        worst_b = ("b", jb, -1, float(trace.grad_b[l][jb]), float(num_b[l][jb]), float(rb[jb]))
        worst = worst_w if worst_w[-1] >= worst_b[-1] else worst_b
        layers.append(LayerCheck(l, float(rw.max()), float(rb.max()), worst))
        for (jj, kk) in zip(*np.unravel_index(np.argsort(rw, axis=None)[-n_offenders:], rw.shape)):
            rows.append(("W", l, int(jj), int(kk), float(trace.grad_w[l][jj, kk]),
                         float(num_w[l][jj, kk]), float(rw[jj, kk])))
        for jj in np.argsort(rb)[-n_offenders:]:
            rows.append(("b", l, int(jj), -1, float(trace.grad_b[l][jj]), float(num_b[l][jj]),
                         float(rb[jj])))
    rows = [r for r in rows if r[-1] >= 0]
    rows.sort(key=lambda r: -r[-1])
    return GradCheck(tuple(layers), tuple(rows[:n_offenders]), checked, net.parameter_count)
