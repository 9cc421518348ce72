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


# --- for the debugger: one weight, and the check as a report ----------------------------------

GRADCHECK_TOLERANCE = 1e-6  # relative error below which backprop and central differences agree
GRADCHECK_MAX_PARAMS = 15_000  # the default network (13,002) is checked whole; bigger ones sampled


def numerical_weight_gradient(net: Network, x, label: int, l: int, j: int, k: int | None,
                              eps: float = 1e-5) -> float:
    """(C(θ + ε) − C(θ − ε)) / 2ε for the one weight θ = W^l_jk (or the bias b^l_j when k is None
    or −1), with true forward passes of the perturbed network in extended precision.

    One forward pass up to z^{l+1}; moving W^l_jk by ±ε moves z^{l+1}_j by exactly ±ε·a^l_k
    (moving b^l_j by ±ε), and only the layers after it are recomputed (`_forward_rest`)."""
    Ws = [np.asarray(W, dtype=_HP) for W in net.weights]
    bs = [np.asarray(b, dtype=_HP) for b in net.biases]
    zs, acts = forward_pass(Ws, bs, np.asarray(x, dtype=_HP).reshape(-1), net.act, net.cost_fn)
    shift = _HP(eps) * (_HP(1) if k is None or k < 0 else acts[l][k])
    Z = np.repeat(zs[l + 1][None, :], 2, axis=0)  # row 0: θ + ε, row 1: θ − ε
    Z[0, j] += shift
    Z[1, j] -= shift
    y = one_hot([label], net.sizes[-1], dtype=_HP)
    c_plus, c_minus = net.cost_fn.value(_forward_rest(net, l + 1, Z, Ws, bs), y)
    return float((c_plus - c_minus) / _HP(2 * eps))


@dataclass(frozen=True)
class CheckedParameter:
    """One compared parameter θ = (l, j, k): `Network.weights[l][j, k]`, or the bias
    `biases[l][j]` when k = −1, with backprop's ∂C/∂θ, the numerical one and their relative
    error."""

    l: int
    j: int
    k: int
    backprop: float
    numerical: float
    rel_error: float


@dataclass(frozen=True, eq=False)
class GradCheckReport:
    """The gradient check for the debugger: the worst parameter of each weight layer
    (`layer_rows`, layer 0 first), then the worst offenders overall (`offenders`, worst first)."""

    check: GradCheck
    tolerance: float
    sizes: tuple[int, ...]
    layer_rows: tuple[CheckedParameter, ...]
    offenders: tuple[CheckedParameter, ...]

    @property
    def rows(self) -> tuple[CheckedParameter, ...]:
        """The layer rows, then the offenders."""
        return self.layer_rows + self.offenders

    @property
    def max_rel_error(self) -> float:
        return self.check.max_rel_error

    @property
    def ok(self) -> bool:
        return self.check.max_rel_error < self.tolerance

    def agrees(self, row: CheckedParameter) -> bool:
        """Whether backprop and central differences agree on this parameter."""
        return row.rel_error < self.tolerance

    def worst_layers(self) -> list[int]:
        """Weight layers whose worst relative error is above the tolerance."""
        return [c.layer for c in self.check.layers
                if max(c.max_rel_error_w, c.max_rel_error_b) >= self.tolerance]


def per_layer_gradcheck(net: Network, x, label: int, tolerance: float = GRADCHECK_TOLERANCE,
                        n_offenders: int = 5,
                        max_params: int | None = GRADCHECK_MAX_PARAMS) -> GradCheckReport:
    """Check `net.backprop` on this sample against central differences (`check_gradient`): the
    worst relative error of each weight layer, then the worst offenders overall. Networks with more
    than `max_params` parameters are checked on a seeded sample of neurons."""
    check = check_gradient(net, x, label, trace=net.backprop(x, label), n_offenders=n_offenders,
                           max_params=max_params)
    # LayerCheck.worst is (kind, j, k, analytic, numeric, rel); an offender (kind, l, j, k, …),
    # with k = −1 for a bias either way.
    layer_rows = tuple(CheckedParameter(lc.layer, *lc.worst[1:]) for lc in check.layers)
    offenders = tuple(CheckedParameter(*row[1:]) for row in check.offenders)
    return GradCheckReport(check, tolerance, tuple(net.sizes), layer_rows, offenders)
