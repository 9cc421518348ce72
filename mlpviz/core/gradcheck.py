"""Numerical gradient check: backprop's ∂C/∂θ against central differences, with a criterion that
knows the difference quotient's own error, so it neither cries wolf nor misses a real bug.

A parameter feeding neuron j of layer l+1 (W^l_jk or b^l_j) reaches C only through
z = z^{l+1}_j = Σ_k W^l_jk a^l_k + b^l_j, so ∂C/∂W^l_jk = a^l_k · ∂C/∂z and ∂C/∂b^l_j = ∂C/∂z
exactly (z is linear in them). The check measures ∂C/∂z of every neuron with true forward passes
of the layers after it (`forward_from`), in the widest float the platform has:

    D(h) = (C(z + h) − C(z − h)) / 2h,   the numerical ∂C/∂θ = a_k · D(h)  (D(h) for a bias)

and judges backprop's g_b against g_n = a_k · D(h) with an allowance for what D(h) cannot know:

- rounding: each C(z ± h) is off by a few units in the last place of the numbers it is summed
  from (R below), so D(h) is off by about K·u·R / h (u the unit roundoff: 2⁻⁵³ in float64);
  backprop itself rounds too, by about K·u·|σ'(z)|·(|W|ᵀ|∂C/∂z|) of the layer above;
- truncation: D(h) − C' ≈ h²·C'''/6, estimated as |D(2h) − D(h)| / 3;
- tolerance: 10⁻⁶ · (|g_b| + |g_n|) on top.

|g_b − g_n| above the allowance DISAGREES. Within it, the parameter agrees, or is "too small to
check numerically" when the allowance is more than a hundredth of the gradient itself. Where an
activation has a kink (relu at z = 0) and a unit on the way crosses it between z − 2h and z + 2h,
C has no derivative to compare ("kink"), or is not differentiable at this very point when a unit
sits exactly at z = 0 ("not differentiable"; backprop uses σ'(0) there). Non-finite numbers are
never reported as agreeing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlpviz.core.activations import Activation
from mlpviz.core.costs import one_hot
from mlpviz.core.network import Network, Trace, forward_from, forward_pass

# Verdicts of one parameter, in the order of how loudly a page reports them.
AGREES = "agrees"
TOO_SMALL = "too small"  # agrees within the check's own noise, which is ≥ 1 % of the gradient
NOT_DIFFERENTIABLE = "not differentiable"  # a unit on its path sits exactly at a kink (z = 0)
KINK = "kink"  # a unit on its path crosses a kink within the step: no derivative to compare
NOT_FINITE = "not finite"  # backprop's or the numerical number is NaN or infinite
DISAGREES = "disagrees"
VERDICTS = (AGREES, TOO_SMALL, NOT_DIFFERENTIABLE, KINK, NOT_FINITE, DISAGREES)
FAILURES = (NOT_FINITE, DISAGREES)  # verdicts that mean the backprop is wrong

GRADCHECK_TOLERANCE = 1e-6  # relative disagreement allowed on top of the numerical error
GRADCHECK_MAX_PARAMS = 15_000  # the default network (13,002) is checked whole; bigger ones sampled
NOISE_FACTOR = 8.0  # K: ulps of rounding counted per number C and ∂C/∂z are summed from
TOO_SMALL_FRACTION = 1e-2  # an allowance above this fraction of |g| cannot resolve the gradient

# Extended precision where the platform has it (x86: 64-bit mantissa); elsewhere it is float64,
# and the allowance grows with its unit roundoff (the criterion holds either way).
WORKING_DTYPE = np.longdouble


@dataclass(frozen=True)
class CheckedParameter:
    """One compared parameter θ = (l, j, k): `Network.weights[l][j, k]`, or the bias
    `biases[l][j]` when k = −1, with backprop's ∂C/∂θ, the numerical one, their relative error
    |g_b − g_n| / (|g_b| + |g_n|) (0 when both are 0), the allowance for the numerical number's
    own error, and the verdict (one of VERDICTS)."""

    l: int
    j: int
    k: int
    backprop: float
    numerical: float
    rel_error: float
    allowance: float
    verdict: str

    @property
    def score(self) -> float:
        """|g_b − g_n| / allowance: above 1 disagrees (inf where nothing could be compared)."""
        if self.verdict in (NOT_FINITE, KINK, NOT_DIFFERENTIABLE):
            return np.inf if self.verdict == NOT_FINITE else 0.0
        diff = abs(self.backprop - self.numerical)
        return diff / self.allowance if self.allowance > 0 else (np.inf if diff > 0 else 0.0)

    @property
    def failed(self) -> bool:
        return self.verdict in FAILURES


@dataclass(frozen=True)
class LayerCheck:
    """One weight layer's result: its worst parameter and how many got each verdict."""

    layer: int
    worst: CheckedParameter
    counts: tuple[tuple[str, int], ...]  # (verdict, count) for every verdict in VERDICTS

    def count(self, verdict: str) -> int:
        return dict(self.counts)[verdict]

    @property
    def failed(self) -> bool:
        return any(self.count(v) for v in FAILURES)


@dataclass(frozen=True)
class GradCheck:
    """Result of checking a network's parameters (all, or a seeded sample) on one sample."""

    layers: tuple[LayerCheck, ...]
    offenders: tuple[CheckedParameter, ...]  # worst score first
    checked: int = 0  # parameters compared
    total: int = 0  # parameters of the network
    step: float = 0.0  # h / max(1, |z|): the relative step of the central differences
    unit_roundoff: float = 0.0  # u of the working float

    def count(self, verdict: str) -> int:
        return sum(c.count(verdict) for c in self.layers)

    @property
    def ok(self) -> bool:
        """No parameter disagrees and no number is non-finite."""
        return not any(c.failed for c in self.layers)

    @property
    def max_rel_error(self) -> float:
        """The largest relative error among the parameters that could be compared (agrees,
        too small, disagrees); informative only, the verdicts judge."""
        rows = [c.worst for c in self.layers] + list(self.offenders)
        rel = [p.rel_error for p in rows if p.verdict in (AGREES, TOO_SMALL, DISAGREES)]
        return max(rel, default=0.0)


def relative_error(analytic, numeric) -> np.ndarray:
    """|g_a − g_n| / (|g_a| + |g_n|): symmetric, 0 where both are exactly 0 (at most 1 otherwise
    unless they differ in sign; shown beside the verdict, which is what judges)."""
    analytic, numeric = np.asarray(analytic, float), np.asarray(numeric, float)
    diff, size = np.abs(analytic - numeric), np.abs(analytic) + np.abs(numeric)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(size > 0, diff / np.where(size > 0, size, 1.0), np.where(diff > 0, 1.0, 0.0))


def sample_cost(net: Network, x: np.ndarray, label: int) -> float:
    """C of one sample under the network's current parameters, in float64."""
    z = net.forward_layers(np.asarray(x, dtype=np.float64)[None, :])[0][-1]
    return float(net.cost_fn.value_from_z(z, one_hot([label], net.sizes[-1]), net.act)[0])


# --- ∂C/∂z of one layer's neurons, numerically -----------------------------------------------

@dataclass(frozen=True)
class _LayerDerivative:
    """Numerical ∂C/∂z^m for the neurons of layer m = l+1 (NaN where not computed), with the
    allowance per neuron (in units of ∂C/∂z) and the kink flags."""

    value: np.ndarray
    allowance: np.ndarray
    kink: np.ndarray  # a unit on the way crosses a kink within ±2h
    at_kink: np.ndarray  # … and sits exactly on it
    computed: np.ndarray  # the neurons checked (all, or a seeded sample)


def _kinked_layers(net: Network) -> list[int]:
    """The layers m ≥ 1 whose a^m = σ(z^m) has a kink (σ relu: hidden layers, and the output too
    unless it is a softmax)."""
    if not net.act.has_kink:
        return []
    return [m for m in range(1, net.L + 1) if m < net.L or not net.cost_fn.softmax_output]


def _rounding_scales(net: Network, zs, acts, trace: Trace, u: float):
    """Per layer m = 1 … L: (R_m, bp_m). R_m is what C(z^m ± h) is summed from, measured
    by its sensitivity: |C| + Σ_{n ≥ m} Σ_i |∂C/∂a^n_i|·|a^n_i| + Σ_{n > m} Σ_i |∂C/∂z^n_i|·
    (|W||a| + |b|)_i (each number rounded once shifts C by about u times its term). bp_m[j] is
    backprop's own rounding of ∂C/∂z^m_j: |σ'(z_j)|·(|W^m|ᵀ|∂C/∂z^{m+1}|)_j·u + u·|∂C/∂z^m_j|."""
    L = net.L
    act_terms = [float(np.sum(np.abs(trace.grad_a[m] * acts[m]))) for m in range(L + 1)]
    sum_terms = [0.0] * (L + 1)
    for m in range(1, L + 1):
        mag = np.abs(np.asarray(net.weights[m - 1])) @ np.abs(acts[m - 1]) + np.abs(net.biases[m - 1])
        sum_terms[m] = float(np.sum(np.abs(trace.grad_z[m]) * mag))
    R = [0.0] * (L + 1)
    for m in range(1, L + 1):
        R[m] = abs(trace.cost) + sum(act_terms[m:]) + sum(sum_terms[m + 1:])
    bp = [None] * (L + 1)
    for m in range(1, L + 1):
        own = u * np.abs(trace.grad_z[m])
        if m < L:
            back = np.abs(np.asarray(net.weights[m])).T @ np.abs(trace.grad_z[m + 1])
            own = own + u * np.abs(net.act.prime(np.asarray(zs[m], float))) * back
        bp[m] = own
    return R, bp


def _layer_derivative(net: Network, m: int, rows, zs, Ws, bs, y, R: float, bp: np.ndarray,
                      u: float, step: float) -> _LayerDerivative:
    """Central differences of C in z^m_j for the neurons j in `rows` (all if None), each at steps
    h and 2h (h = step · max(1, |z_j|)), from true forward passes of the layers after m."""
    n = len(zs[m])
    value = np.full(n, np.nan)
    allowance = np.full(n, np.nan)
    kink, at_kink, computed = np.zeros(n, bool), np.zeros(n, bool), np.zeros(n, bool)
    kinked = _kinked_layers(net)
    dtype = zs[m].dtype
    for j in (range(n) if rows is None else rows):
        z = zs[m]
        h = dtype.type(step) * max(dtype.type(1), abs(z[j]))
        Z = np.repeat(z[None, :], 4, axis=0)  # rows: z + h, z − h, z + 2h, z − 2h
        Z[:, j] += np.array([h, -h, 2 * h, -2 * h], dtype=dtype)
        h1, h2 = (Z[0, j] - Z[1, j]) / 2, (Z[2, j] - Z[3, j]) / 2  # the steps actually taken
        pz, pa = forward_from(m, Z, Ws, bs, net.act, net.cost_fn)
        with np.errstate(all="ignore"):
            C = net.cost_fn.value_from_z(pz[-1], y, net.act)
            d1 = (C[0] - C[1]) / (2 * h1)
            d2 = (C[2] - C[3]) / (2 * h2)
        value[j], computed[j] = float(d1), True
        trunc = abs(float(d2 - d1)) / 3
        allowance[j] = NOISE_FACTOR * u * R / float(h1) + trunc + NOISE_FACTOR * bp[j]
        for q in kinked:
            if q < m:
                continue
            base = zs[q] > 0
            flips = np.any(pz[q - m] > 0, axis=0) != np.all(pz[q - m] > 0, axis=0)
            flips |= np.any((pz[q - m] > 0) != base[None, :], axis=0)
            if flips.any():
                kink[j] = True
                at_kink[j] |= bool(np.any(flips & (zs[q] == 0)))
    return _LayerDerivative(value, allowance, kink, at_kink, computed)


def _verdicts(g_b: np.ndarray, g_n: np.ndarray, allowance: np.ndarray, kink, at_kink,
              multiplier: np.ndarray, tolerance: float) -> np.ndarray:
    """The verdict of each parameter (an array of VERDICTS strings), from backprop's g_b, the
    numerical g_n, the numerical allowance and the kink flags of its neuron (all broadcast to
    g_b's shape); `multiplier` is a_k (1 for a bias): where it is 0, θ does not reach C at all."""
    diff = np.abs(g_b - g_n)
    with np.errstate(invalid="ignore"):
        allowed = allowance + tolerance * (np.abs(g_b) + np.abs(g_n))
        size = np.maximum(np.abs(g_b), np.abs(g_n))
        out = np.where(diff <= allowed, AGREES, DISAGREES).astype(object)
        out[(out == AGREES) & (size > 0) & (allowance > TOO_SMALL_FRACTION * size)] = TOO_SMALL
    moves = multiplier != 0
    out[kink & moves] = KINK
    out[at_kink & moves] = NOT_DIFFERENTIABLE
    out[~(np.isfinite(g_b) & np.isfinite(g_n) & np.isfinite(allowance))] = NOT_FINITE
    return out


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


def _working_pass(net: Network, x, label: int, dtype):
    """The forward pass in the working float: (Ws, bs, zs, acts, y)."""
    Ws = [np.asarray(W, dtype=dtype) for W in net.weights]
    bs = [np.asarray(b, dtype=dtype) for b in net.biases]
    zs, acts = forward_pass(Ws, bs, np.asarray(x, dtype=dtype).reshape(-1), net.act, net.cost_fn)
    return Ws, bs, zs, acts, one_hot([label], net.sizes[-1], dtype=dtype)


def _default_step(u: float) -> float:
    """h / max(1, |z|) ≈ u^⅓, which balances rounding (u/h) against truncation (h²)."""
    return float(u) ** (1 / 3)


def numerical_layer_derivatives(net: Network, x, label: int, trace: Trace | None = None,
                                rows=None, dtype=None) -> tuple[list[_LayerDerivative], float, float]:
    """Numerical ∂C/∂z^{l+1} for every weight layer l (the neurons of `rows[l]`, or all), with
    their allowances; also (step, u). `trace` (default: net.backprop) gives the magnitudes the
    rounding allowance is measured from."""
    dtype = np.dtype(WORKING_DTYPE if dtype is None else dtype)
    u = float(np.finfo(dtype).eps)
    step = _default_step(u)
    trace = trace if trace is not None else net.backprop(x, label)
    Ws, bs, zs, acts, y = _working_pass(net, x, label, dtype)
    zs64 = [np.asarray(z, float) for z in zs]
    R, bp = _rounding_scales(net, zs64, [np.asarray(a, float) for a in acts], trace, u)
    derivs = [_layer_derivative(net, l + 1, None if rows is None else rows[l], zs, Ws, bs, y,
                                R[l + 1], bp[l + 1], u, step) for l in range(net.L)]
    return derivs, step, u


def numerical_gradient(net: Network, x, label: int, rows=None, dtype=None):
    """∂C/∂θ numerically for every weight and bias: (grad_w, grad_b) lists, NaN for neurons not in
    `rows`. ∂C/∂W^l_jk = a^l_k · D_j and ∂C/∂b^l_j = D_j, D_j the central difference of C in
    z^{l+1}_j (see the module docstring)."""
    derivs, _, _ = numerical_layer_derivatives(net, x, label, rows=rows, dtype=dtype)
    a = net.forward_all(np.asarray(x, float).reshape(-1))
    return ([np.outer(d.value, a[l]) for l, d in enumerate(derivs)],
            [d.value.copy() for d in derivs])


def check_gradient(
    net: Network, x, label: int, trace: Trace | None = None, n_offenders: int = 10,
    max_params: int | None = None, seed: int = 0, tolerance: float = GRADCHECK_TOLERANCE,
    dtype=None,
) -> GradCheck:
    """Compare `trace` (default: net.backprop(x, label)) with central differences, parameter by
    parameter, and judge each one (see the module docstring); report each layer's worst parameter
    and the worst offenders overall, by |g_b − g_n| / allowance. Every parameter is checked,
    unless the network has more than `max_params`: then a seeded sample of whole neurons per
    layer (`checked` says how many parameters). `dtype` is the working float (default
    WORKING_DTYPE, the widest there is)."""
    reference = net.backprop(x, label)
    trace = trace if trace is not None else reference
    rows_to_check = sample_rows(net.sizes, max_params, seed)
    derivs, step, u = numerical_layer_derivatives(net, x, label, reference, rows_to_check, dtype)
    layers, every, checked = [], [], 0
    for l, d in enumerate(derivs):
        a_prev = np.asarray(reference.a[l], float)
        done = d.computed
        mult_w = np.broadcast_to(a_prev[None, :], trace.grad_w[l].shape)
        col = (lambda v: v[:, None])
        g_nw = np.outer(d.value, a_prev)
        g_nw[:, a_prev == 0] = np.where(done[:, None], 0.0, np.nan)  # θ does not reach C
        parts = [
            ("W", np.asarray(trace.grad_w[l], float), g_nw, col(d.allowance) * np.abs(a_prev),
             col(d.kink), col(d.at_kink), mult_w),
            ("b", np.asarray(trace.grad_b[l], float), d.value, d.allowance, d.kink, d.at_kink,
             np.ones_like(d.value)),
        ]
        layer_rows, counts = [], dict.fromkeys(VERDICTS, 0)
        for kind, g_b, g_n, allow, kink, at_kink, mult in parts:
            shape = g_b.shape
            sel = np.broadcast_to(col(done) if kind == "W" else done, shape)
            verdict = _verdicts(g_b, g_n, np.broadcast_to(allow, shape),
                                np.broadcast_to(kink, shape), np.broadcast_to(at_kink, shape),
                                mult, tolerance)
            rel = relative_error(g_b, g_n)
            allow = np.broadcast_to(allow, shape)
            for v in VERDICTS:
                counts[v] += int(np.sum(sel & (verdict == v)))
            checked += int(sel.sum())
            idx = np.argwhere(sel)
            params = [CheckedParameter(l, int(i[0]), int(i[1]) if kind == "W" else -1,
                                       float(g_b[tuple(i)]), float(g_n[tuple(i)]),
                                       float(rel[tuple(i)]), float(allow[tuple(i)]),
                                       str(verdict[tuple(i)]))
                      for i in _worst_indices(g_b, g_n, allow, verdict, sel, n_offenders + 1)]
            layer_rows += params
        layer_rows.sort(key=_rank, reverse=True)
        worst = layer_rows[0] if layer_rows else CheckedParameter(l, 0, -1, 0.0, 0.0, 0.0, 0.0,
                                                                  AGREES)
        layers.append(LayerCheck(l, worst, tuple(counts.items())))
        every += layer_rows
    every.sort(key=_rank, reverse=True)
    return GradCheck(tuple(layers), tuple(every[:n_offenders]), checked, net.parameter_count,
                     step, u)


def _rank(p: CheckedParameter) -> tuple:
    """Offenders first by how loudly they fail, then by score, then by relative error."""
    loud = {DISAGREES: 3, NOT_FINITE: 3, NOT_DIFFERENTIABLE: 1, KINK: 1}.get(p.verdict, 0)
    score = p.score
    return (loud, score if np.isfinite(score) else 1e308, p.rel_error)


def _worst_indices(g_b, g_n, allow, verdict, sel, n: int) -> list[np.ndarray]:
    """The indices of the n highest-scoring selected entries, plus the worst non-numeric verdicts
    (NOT_FINITE, kinks) so that none of them goes unreported."""
    with np.errstate(invalid="ignore", divide="ignore"):
        diff = np.abs(g_b - g_n)
        score = np.where(allow > 0, diff / np.where(allow > 0, allow, 1), np.where(diff > 0, 1e308, 0))
    score = np.where(np.isfinite(score), score, 1e308)
    loud = np.isin(verdict, (NOT_FINITE, NOT_DIFFERENTIABLE, KINK))
    score = np.where(loud, 1e308, score)
    score = np.where(sel, score, -1.0)
    flat = np.argsort(score, axis=None, kind="stable")[::-1][:n]
    return [np.array(np.unravel_index(f, score.shape)) for f in flat if score.flat[f] >= 0]


# --- for the debugger: one weight, and the check as a report ----------------------------------

def check_parameter(net: Network, x, label: int, l: int, j: int, k: int | None,
                    tolerance: float = GRADCHECK_TOLERANCE, dtype=None) -> CheckedParameter:
    """The check of one parameter θ = W^l_jk (or the bias b^l_j when k is None or −1): backprop's
    ∂C/∂θ, the numerical one a_k · D(h) (see the module docstring), and the verdict."""
    k = -1 if k is None or k < 0 else int(k)
    trace = net.backprop(x, label)
    rows = [np.array([j]) if m == l else np.zeros(0, int) for m in range(net.L)]
    d = numerical_layer_derivatives(net, x, label, trace, rows, dtype)[0][l]
    mult = 1.0 if k < 0 else float(trace.a[l][k])
    g_b = float(trace.grad_b[l][j] if k < 0 else trace.grad_w[l][j, k])
    g_n = 0.0 if mult == 0 else mult * float(d.value[j])
    allow = abs(mult) * float(d.allowance[j])
    verdict = _verdicts(np.array([g_b]), np.array([g_n]), np.array([allow]), d.kink[j:j + 1],
                        d.at_kink[j:j + 1], np.array([mult]), tolerance)[0]
    return CheckedParameter(l, j, k, g_b, g_n, float(relative_error(g_b, g_n)), allow,
                            str(verdict))


def numerical_weight_gradient(net: Network, x, label: int, l: int, j: int, k: int | None,
                              dtype=None) -> float:
    """The numerical ∂C/∂θ for θ = W^l_jk (or the bias b^l_j when k is None or −1)."""
    return check_parameter(net, x, label, l, j, k, dtype=dtype).numerical


@dataclass(frozen=True, eq=False)
class GradCheckReport:
    """The gradient check for the debugger: the worst parameter of each weight layer
    (`layer_rows`, layer 0 first), then the worst offenders overall (`offenders`, worst first)."""

    check: GradCheck
    tolerance: float
    sizes: tuple[int, ...]
    layer_rows: tuple[CheckedParameter, ...]
    offenders: tuple[CheckedParameter, ...]
    act: Activation | None = None  # the network's σ, for what backprop uses at a kink

    @property
    def rows(self) -> tuple[CheckedParameter, ...]:
        """The layer rows, then the offenders."""
        return self.layer_rows + self.offenders

    @property
    def max_rel_error(self) -> float:
        return self.check.max_rel_error

    @property
    def ok(self) -> bool:
        return self.check.ok

    def count(self, verdict: str) -> int:
        return self.check.count(verdict)

    def agrees(self, row: CheckedParameter) -> bool:
        """Whether backprop and central differences agree on this parameter (within the check's
        noise: AGREES or TOO_SMALL)."""
        return row.verdict in (AGREES, TOO_SMALL)

    def worst_layers(self) -> list[int]:
        """Weight layers where a parameter disagrees (or a number is not finite)."""
        return [c.layer for c in self.check.layers if c.failed]


def per_layer_gradcheck(net: Network, x, label: int, tolerance: float = GRADCHECK_TOLERANCE,
                        n_offenders: int = 5, max_params: int | None = GRADCHECK_MAX_PARAMS,
                        dtype=None) -> GradCheckReport:
    """Check `net.backprop` on this sample against central differences (`check_gradient`): the
    worst parameter of each weight layer, then the worst offenders overall. Networks with more
    than `max_params` parameters are checked on a seeded sample of neurons."""
    check = check_gradient(net, x, label, trace=net.backprop(x, label), n_offenders=n_offenders,
                           max_params=max_params, tolerance=tolerance, dtype=dtype)
    layer_rows = tuple(c.worst for c in check.layers)
    return GradCheckReport(check, tolerance, tuple(net.sizes), layer_rows, check.offenders,
                           net.act)
