"""Activation functions σ and their derivatives σ'(z), element-wise on arrays of any shape."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Activation:
    """A squashing function a = σ(z) with its derivative σ'(z).

    `prime_from_a` gives σ'(z) from a = σ(z) where that is cheaper (sigmoid: a(1−a)); the trainer
    uses it so it never has to keep z.
    """

    name: str
    formula: str
    f: Callable[[np.ndarray], np.ndarray]
    prime: Callable[[np.ndarray], np.ndarray]
    prime_from_a: Callable[[np.ndarray], np.ndarray]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^−z); for z below about −709 (−88 in float32) e^−z overflows to inf and
    σ is exactly 0, which is the right answer, so that overflow is silenced."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


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
    """relu'(z) = 1 where z > 0, else 0."""
    return (np.asarray(z) > 0).astype(np.result_type(z, np.float32))


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation(
        "sigmoid", "σ(z) = 1 / (1 + e^−z)", _sigmoid, _sigmoid_prime, lambda a: a * (1 - a)
    ),
    "tanh": Activation("tanh", "tanh(z)", np.tanh, _tanh_prime, lambda a: 1 - a * a),
    "relu": Activation(
        "relu", "relu(z) = max(0, z)", _relu, _relu_prime, lambda a: (a > 0).astype(a.dtype)
    ),
}


def get_activation(name: str) -> Activation:
    """Look an activation up by name; a clear ValueError for an unknown one."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r}: choose one of {', '.join(ACTIVATIONS)}"
        ) from None
