"""Costs C of one sample, with the output layer each one pairs with.

- "mse": the output layer uses the network's activation σ; C = Σ_j (a_j − y_j)², y one-hot;
  ∂C/∂a_j = 2 (a_j − y_j); ∂C/∂z_j = ∂C/∂a_j · σ'(z_j).
- "cross_entropy": the output layer is a softmax; C = −ln a_label; ∂C/∂a_j = −y_j / a_j;
  ∂C/∂z_j = a_j − y_j (the softmax Jacobian folded in).

Every function takes a batch: A, Y of shape (n, n_out), and returns per-sample values. Each cost
is one `Cost` record (`MSE`, `CROSS_ENTROPY`); other modules ask the record, never the name.
"""

from __future__ import annotations

import numpy as np

from mlpviz.core.activations import Activation

# Smallest output probability used inside ln, so a saturated softmax gives a large finite cost.
_TINY = 1e-300
_TINY32 = 1e-30  # the same for the trainer's float32 outputs (1e-300 is 0 in float32)


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
    default_lr: float = 1.0  # a learning rate η that learns well with the default network

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

    def grad_z(self, Z: np.ndarray, A: np.ndarray, Y: np.ndarray, act: Activation) -> np.ndarray:
        """∂C/∂z at the output."""
        raise NotImplementedError

    def grad_z_from_a(self, A: np.ndarray, Y: np.ndarray, act: Activation) -> np.ndarray:
        """∂C/∂z at the output computed from a alone (the batched paths do not keep z)."""
        raise NotImplementedError

    def batch_cost_and_delta(self, A: np.ndarray, labels: np.ndarray,
                             act: Activation) -> tuple[float, np.ndarray]:
        """The trainer's output step: (mean C over the batch, Δ = ∂C/∂Z^L of shape (n, n_out))
        from outputs A (n, n_out) and integer labels (n,), in A's dtype (float32 there), without
        a one-hot Y. Δ is the same as `grad_z_from_a`."""
        raise NotImplementedError


class SquaredError(Cost):
    """C = Σ_j (a_j − y_j)², the output layer uses the network's σ; ∂C/∂a_j = 2 (a_j − y_j),
    ∂C/∂z_j = 2 (a_j − y_j) σ'(z_j)."""

    name, label, formula = "mse", "mse", "C = Σⱼ (aⱼ − yⱼ)²"
    softmax_output = False
    default_lr = 3.0

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

    def batch_cost_and_delta(self, A, labels, act):
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
    default_lr = 0.5

    def output(self, Z, act):
        return softmax(Z)

    def output_inplace(self, Z, act):
        return softmax(Z, out=Z)

    def value(self, A, Y):
        return -np.log(np.maximum((A * Y).sum(axis=-1), _TINY))

    def terms(self, A, Y):
        return -Y * np.log(np.maximum(A, _TINY))

    def grad_a(self, A, Y):
        return -Y / np.maximum(A, _TINY)

    def grad_z(self, Z, A, Y, act):
        return A - Y

    def grad_z_from_a(self, A, Y, act):
        return A - Y

    def batch_cost_and_delta(self, A, labels, act):
        p = A[np.arange(len(A)), labels]
        return float(-np.log(np.maximum(p, _TINY32)).mean()), residual(A, labels)


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
