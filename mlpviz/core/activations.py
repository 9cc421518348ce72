"""Activation functions σ and their derivatives σ'(z), element-wise on arrays of any shape.

Each `Activation` record also carries what the app says and draws about it (its symbol, its range,
how it is initialised, how an activation maps to a neuron's brightness), so no other module needs
to branch on an activation's name: it asks the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from mlpviz.i18n import N_, _


@dataclass(frozen=True)
class Activation:
    """A squashing function a = σ(z) with its derivative σ'(z), and how the app speaks of it.

    `prime_from_a` gives σ'(z) from a = σ(z) where that is cheaper (sigmoid: a(1−a)); the trainer
    uses it so it never has to keep z. `f_inplace(Z)` computes σ(Z) into Z itself and returns it:
    the trainer's float32 fast path, which runs under `np.errstate(all="ignore")`, so f_inplace
    leaves silencing the harmless overflow (sigmoid's e^−z for z below about −88) to its caller
    rather than paying for an errstate per layer; `f` silences it itself.
    """

    name: str  # what model and trace files store: "sigmoid", "tanh", "relu"
    symbol: str  # as formulas write it: "σ", "tanh", "relu"
    formula: str
    f: Callable[[np.ndarray], np.ndarray]
    prime: Callable[[np.ndarray], np.ndarray]
    prime_from_a: Callable[[np.ndarray], np.ndarray]
    f_inplace: Callable[[np.ndarray], np.ndarray]
    lo: float  # the range of a = σ(z): lo … hi (hi = inf for relu)
    hi: float
    range_text: str  # "0 … 1", "−1 … 1", "≥ 0"
    prime_max: float  # the largest σ'(z): 0.25 for sigmoid (at z = 0), 1 for tanh and relu
    init_gain: float  # weights start as N(0, gain / n_in): 1, or 2 for relu (He)
    bias_init: float | None  # biases start at this constant (relu: 0.1), None: N(0, 1)
    has_kink: bool  # σ is not differentiable at z = 0 (relu); backprop uses σ'(0) = 0 there
    speaks_brightness: bool  # 0…1 outputs that read as dark … bright (sigmoid); else "near its target"
    squash_template: str  # "squashes {} into 0 … 1 with σ": {} is what is squashed
    active_when: str  # when the neuron counts as active: "z > 0, so a > 0.5"
    # The default learning rate η per cost name for 1–2 hidden layers, and the factor it is
    # multiplied by for each hidden layer beyond two (measured: README "Defaults").
    lr_by_cost: tuple[tuple[str, float], ...] = ()
    lr_depth_factor: float = 1.0
    output_init_scale: float = 1.0  # the output layer's initial weights × this (relu: 0.1)

    def default_lr(self, cost_name: str, hidden_layers: int = 2) -> float:
        """The η that learns with this activation, the cost named `cost_name` and that many
        hidden layers: the table's rate × lr_depth_factor per hidden layer beyond two."""
        rate = dict(self.lr_by_cost)[cost_name]
        return rate * self.lr_depth_factor ** max(0, int(hidden_layers) - 2)

    def squashes(self, what: str = "the sum") -> str:
        """What σ does to `what` (a message of its own, translated with the template): "squashes
        the sum into 0 … 1 with σ"."""
        return _(self.squash_template).format(_(what))

    def brightness(self, a: np.ndarray) -> np.ndarray:
        """Activations mapped to 0 … 1 for drawing (0 = off colour, 1 = fully lit): sigmoid as is,
        tanh (a + 1) / 2, relu a / max(1, max a) (relu has no top, so the layer's largest is lit)."""
        a = np.asarray(a, dtype=np.float64)
        if np.isfinite(self.hi):
            return (np.clip(a, self.lo, self.hi) - self.lo) / (self.hi - self.lo)
        top = max(1.0, float(np.max(a, initial=0.0)))
        return np.clip(a / top, 0.0, 1.0)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^−z); for z below about −709 (−88 in float32) e^−z overflows to inf and
    σ is exactly 0, which is the right answer, so that overflow is silenced."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def _sigmoid_inplace(Z: np.ndarray) -> np.ndarray:
    """σ(Z) written into Z: Z ← 1 / (1 + e^−Z). Call it under np.errstate(over="ignore"): for z
    below about −88 (float32) e^−z overflows to inf and σ is exactly 0, the right answer."""
    np.negative(Z, out=Z)
    np.exp(Z, out=Z)
    Z += 1
    return np.reciprocal(Z, out=Z)


def _sigmoid_prime(z: np.ndarray) -> np.ndarray:
    """σ'(z) = σ(z) (1 − σ(z))."""
    s = _sigmoid(z)
    return s * (1 - s)


def _tanh_prime(z: np.ndarray) -> np.ndarray:
    """tanh'(z) = 1 − tanh(z)²."""
    t = np.tanh(z)
    return 1 - t * t


def _relu(z: np.ndarray) -> np.ndarray:
    """relu(z) = max(0, z)."""
    return np.maximum(z, 0)


def _relu_prime(z: np.ndarray) -> np.ndarray:
    """relu'(z) = 1 where z > 0, else 0 (also at the kink z = 0)."""
    return (np.asarray(z) > 0).astype(np.result_type(z, np.float32))


SIGMOID = Activation(
    name="sigmoid", symbol="σ", formula="σ(z) = 1 / (1 + e^−z)",
    f=_sigmoid, prime=_sigmoid_prime, prime_from_a=lambda a: a * (1 - a),
    f_inplace=_sigmoid_inplace,
    lo=0.0, hi=1.0, range_text="0 … 1", prime_max=0.25, init_gain=1.0, bias_init=None,
    has_kink=False, speaks_brightness=True,
    squash_template=N_("squashes {} into 0 … 1 with σ"), active_when=N_("z > 0, so a > 0.5"),
    # deeper σ networks learn slower (σ' ≤ ¼ per layer): ×1.4 per hidden layer beyond two
    lr_by_cost=(("mse", 3.0), ("cross_entropy", 2.0)), lr_depth_factor=1.4,
)
TANH = Activation(
    name="tanh", symbol="tanh", formula="tanh(z) = (e^z − e^−z) / (e^z + e^−z)",
    f=np.tanh, prime=_tanh_prime, prime_from_a=lambda a: 1 - a * a,
    f_inplace=lambda Z: np.tanh(Z, out=Z),
    lo=-1.0, hi=1.0, range_text="−1 … 1", prime_max=1.0, init_gain=1.0, bias_init=None,
    has_kink=False, speaks_brightness=False,
    squash_template=N_("squashes {} into −1 … 1 with tanh"), active_when=N_("z > 0, so a > 0"),
    lr_by_cost=(("mse", 0.15), ("cross_entropy", 0.3)), lr_depth_factor=1.0,
)
RELU = Activation(
    name="relu", symbol="relu", formula="relu(z) = max(0, z)",
    f=_relu, prime=_relu_prime, prime_from_a=lambda a: (a > 0).astype(a.dtype),
    f_inplace=lambda Z: np.maximum(Z, 0, out=Z),
    lo=0.0, hi=float("inf"), range_text="≥ 0", prime_max=1.0, init_gain=2.0, bias_init=0.1,
    has_kink=True, speaks_brightness=False,
    squash_template=N_("keeps {} if it is positive and gives 0 otherwise (relu)"),
    active_when=N_("z > 0, so a > 0"),
    lr_by_cost=(("mse", 0.1), ("cross_entropy", 0.1)), lr_depth_factor=1.0,
    output_init_scale=0.1,  # with biases of 0.1: no unit starts (or soon ends) off for every input
)

ACTIVATIONS: dict[str, Activation] = {a.name: a for a in (SIGMOID, TANH, RELU)}


def get_activation(name: str | Activation) -> Activation:
    """Look an activation up by name (a record is returned as it is); a clear ValueError for an
    unknown one."""
    if isinstance(name, Activation):
        return name
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown activation {name!r}: choose one of {', '.join(ACTIVATIONS)}"
        ) from None
