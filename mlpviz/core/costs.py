"""Costs C of one sample, with the output layer each one pairs with.

- "mse": the output layer uses the network's activation σ; C = Σ_j (a_j − y_j)², y one-hot;
  ∂C/∂a_j = 2 (a_j − y_j); ∂C/∂z_j = ∂C/∂a_j · σ'(z_j).
- "cross_entropy": the output layer is a softmax; C = −ln a_label; ∂C/∂a_j = −y_j / a_j;
  ∂C/∂z_j = a_j − y_j (the softmax Jacobian folded in). The cost is computed from the logits z,
  never from a rounded probability: C = ln Σ_i e^{z_i} − z_label (`softmax_cost`), exact where
  a_label underflows (a logit gap of 800 costs 800) and to the last digits where C is 1e-300.

Every function takes a batch: A (or Z), Y of shape (n, n_out), and returns per-sample values.
Each cost is one `Cost` record (`MSE`, `CROSS_ENTROPY`); other modules ask the record, never the
name. The `*_from_z` methods are the exact ones: the trace, the walk, the trainer and evaluation
use them.
"""

from __future__ import annotations

import numpy as np

from mlpviz.core.activations import Activation

_MAX = float(np.finfo(np.float64).max)  # ∂C/∂a_label = −e^C is held here beyond C = 709.78


def softmax_cost(Z: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """C = −ln softmax(z)_label = ln Σ_i e^{z_i} − z_label per row of logits Z (n, n_out), in
    float64, written so that nothing cancels or underflows: with m = max_i z_i (at i = top),

        C = (m − z_label) + ln(1 + Σ_{i ≠ top} e^{z_i − m}),

    two terms ≥ 0, the second through log1p. Exact to a few units in the last place for logit
    gaps up to 10⁴ and beyond, and for costs down to 10⁻³⁰⁰."""
    Z = np.asarray(Z, dtype=np.float64)
    shape = Z.shape[:-1]  # one sample (n_out,) gives a 0-d array
    Z = Z.reshape(-1, Z.shape[-1])
    rows = np.arange(len(Z))
    top = np.argmax(Z, axis=-1)
    m = Z[rows, top]
    with np.errstate(under="ignore"):
        E = np.exp(Z - m[:, None])
    E[rows, top] = 0.0
    C = (m - Z[rows, np.asarray(labels, dtype=np.intp).reshape(-1)]) + np.log1p(E.sum(axis=-1))
    return C.reshape(shape)


def softmax(Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """softmax(z)_j = e^{z_j} / Σ_i e^{z_i}, row-wise, shifted by the row maximum for stability;
    written into `out` if given (out=Z: in place)."""
    E = np.subtract(Z, Z.max(axis=-1, keepdims=True), out=out)
    np.exp(E, out=E)
    E /= E.sum(axis=-1, keepdims=True)
    return E


def residual(A: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """A − Y for outputs A (n, n_out) and integer labels (n,), without building the one-hot Y."""
    D = A.copy()
    D[np.arange(len(A)), labels] -= 1
    return D


class Cost:
    """A cost C of one sample and the output layer it pairs with; `name` is what model and trace
    files store. Subclasses give the math; nothing outside this module branches on the name: it
    asks `softmax_output` (the outputs are a softmax, so they add up to 1 and read as probabilities)."""

    name: str = ""
    label: str = ""  # as the app writes it: "mse", "cross-entropy"
    formula: str = ""
    softmax_output: bool = False

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def output(self, Z: np.ndarray, act: Activation) -> np.ndarray:
        """Output activations a^L from the output pre-activations z^L."""
        raise NotImplementedError

    def output_inplace(self, Z: np.ndarray, act: Activation) -> np.ndarray:
        """`output(Z)` written into Z itself (the trainer's float32 path); returns Z. Like
        `Activation.f_inplace`, run it under np.errstate(over="ignore")."""
        raise NotImplementedError

    def value(self, A: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """C per sample, shape (n,)."""
        raise NotImplementedError

    def terms(self, A: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """Each output's share of C, shape like A."""
        raise NotImplementedError

    def grad_a(self, A: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """∂C/∂a at the output."""
        raise NotImplementedError

    def value_from_z(self, Z: np.ndarray, Y: np.ndarray, act: Activation) -> np.ndarray:
        """C per sample, shape (n,), from the output pre-activations Z (exact: no probability is
        rounded on the way). The default: `value` of the outputs."""
        return self.value(self.output(Z, act), Y)

    def terms_from_z(self, Z: np.ndarray, Y: np.ndarray, act: Activation) -> np.ndarray:
        """Each output's share of C, shape like Z, from the pre-activations."""
        return self.terms(self.output(Z, act), Y)

    def grad_a_from_z(self, Z: np.ndarray, Y: np.ndarray, act: Activation) -> np.ndarray:
        """∂C/∂a at the output, from the pre-activations."""
        return self.grad_a(self.output(Z, act), Y)

    def grad_z(self, Z: np.ndarray, A: np.ndarray, Y: np.ndarray, act: Activation) -> np.ndarray:
        """∂C/∂z at the output."""
        raise NotImplementedError

    def grad_z_from_a(self, A: np.ndarray, Y: np.ndarray, act: Activation) -> np.ndarray:
        """∂C/∂z at the output computed from a alone (the batched paths do not keep z)."""
        raise NotImplementedError

    def batch_cost_and_delta(self, Z: np.ndarray, labels: np.ndarray,
                             act: Activation) -> tuple[float, np.ndarray]:
        """The trainer's output step: (mean C over the batch, Δ = ∂C/∂Z^L of shape (n, n_out))
        from the output pre-activations Z (n, n_out), which it overwrites with the outputs A
        (`output_inplace`, so call it under np.errstate(over="ignore")), and integer labels (n,);
        Δ in Z's dtype (float32 there), without a one-hot Y. Δ is the same as `grad_z_from_a`,
        the cost the same as `value_from_z`."""
        raise NotImplementedError


class SquaredError(Cost):
    """C = Σ_j (a_j − y_j)², the output layer uses the network's σ; ∂C/∂a_j = 2 (a_j − y_j),
    ∂C/∂z_j = 2 (a_j − y_j) σ'(z_j)."""

    name, label, formula = "mse", "mse", "C = Σⱼ (aⱼ − yⱼ)²"
    softmax_output = False

    def output(self, Z, act):
        return act.f(Z)

    def output_inplace(self, Z, act):
        return act.f_inplace(Z)

    def value(self, A, Y):
        D = A - Y
        return (D * D).sum(axis=-1)

    def terms(self, A, Y):
        return (A - Y) ** 2

    def grad_a(self, A, Y):
        return 2 * (A - Y)

    def grad_z(self, Z, A, Y, act):
        return 2 * (A - Y) * act.prime(Z)

    def grad_z_from_a(self, A, Y, act):
        return self._grad_z(A - Y, A, act)

    def batch_cost_and_delta(self, Z, labels, act):
        A = self.output_inplace(Z, act)
        D = residual(A, labels)
        return float(np.vdot(D, D)) / len(A), self._grad_z(D, A, act)

    @staticmethod
    def _grad_z(D, A, act):
        """∂C/∂z = 2 (a − y) σ'(z) from D = A − Y, with σ' taken from a."""
        delta = D * act.prime_from_a(A)
        delta *= 2
        return delta


class CrossEntropy(Cost):
    """Softmax outputs a_j = e^{z_j} / Σ_i e^{z_i} and C = −ln a_label; ∂C/∂a_j = −y_j / a_j,
    ∂C/∂z_j = a_j − y_j (the softmax Jacobian folded in)."""

    name, label, formula = "cross_entropy", "cross-entropy", "C = −ln a_label (softmax outputs)"
    softmax_output = True

    def output(self, Z, act):
        return softmax(Z)

    def output_inplace(self, Z, act):
        return softmax(Z, out=Z)

    def value(self, A, Y):
        """−ln a_label from probabilities, each held at the smallest normal float of its dtype
        (finite, ≤ 87.3 in float32, 708.4 in float64); `value_from_z` is the exact one."""
        return -np.log(np.maximum((A * Y).sum(axis=-1), _tiny(A)))

    def terms(self, A, Y):
        return -Y * np.log(np.maximum(A, _tiny(A)))

    def grad_a(self, A, Y):
        return -Y / np.maximum(A, _tiny(A))

    def value_from_z(self, Z, Y, act):
        return softmax_cost(Z, np.argmax(Y, axis=-1))

    def terms_from_z(self, Z, Y, act):
        return Y * self.value_from_z(Z, Y, act)[..., None]

    def grad_a_from_z(self, Z, Y, act):
        """∂C/∂a_j = −y_j / a_j = −y_j e^C, from the logits: exact where a_label underflows, and
        held at −1.8×10³⁰⁸ (the largest float64) where C > 709.78 would overflow it."""
        with np.errstate(over="ignore"):
            e_c = np.minimum(np.exp(self.value_from_z(Z, Y, act)), _MAX)
        return 0.0 - Y * e_c[..., None]  # 0.0 −: +0 rather than −0 for the other outputs

    def grad_z(self, Z, A, Y, act):
        return A - Y

    def grad_z_from_a(self, A, Y, act):
        return A - Y

    def batch_cost_and_delta(self, Z, labels, act):
        cost = float(softmax_cost(Z, labels).mean())  # from the logits, in float64
        return cost, residual(self.output_inplace(Z, act), labels)


def _tiny(A: np.ndarray) -> float:
    """The smallest positive normal number of A's float type."""
    dtype = A.dtype if np.issubdtype(A.dtype, np.floating) else np.float64
    return float(np.finfo(dtype).tiny)


MSE = SquaredError()
CROSS_ENTROPY = CrossEntropy()
COSTS: dict[str, Cost] = {c.name: c for c in (MSE, CROSS_ENTROPY)}


def get_cost(name: str | Cost) -> Cost:
    """Look a cost up by name (a record is returned as it is); a clear ValueError for an unknown
    one."""
    if isinstance(name, Cost):
        return name
    try:
        return COSTS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown cost {name!r}: choose one of {', '.join(COSTS)}") from None


def one_hot(labels: np.ndarray, n_classes: int, dtype=np.float64) -> np.ndarray:
    """Y of shape (n, n_classes): 1 at each sample's label, 0 elsewhere."""
    labels = np.asarray(labels, dtype=np.intp).reshape(-1)
    Y = np.zeros((labels.size, n_classes), dtype=dtype)
    Y[np.arange(labels.size), labels] = 1
    return Y
