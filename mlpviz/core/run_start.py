"""Where a run began, to run it again exactly (the trainer records it; core/runs.py compares
runs). Kept apart from runs.py so that the trainer can import it without a cycle."""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from mlpviz.core.arrays import frozen


def start_digest(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> str:
    """A short fingerprint of initial parameters (SHA-256 of their float64 bytes, 12 hex
    digits): two runs with the same digest started from the same weights."""
    h = hashlib.sha256()
    for a in (*weights, *biases):
        h.update(np.ascontiguousarray(a, dtype=np.float64).tobytes())
    return h.hexdigest()[:12]


@dataclass(frozen=True, eq=False)
class RunStart:
    """Where a run began: weights[l] (n_out, n_in) and biases[l] (n_out,) before its first
    mini-batch (float64, read-only), and the trainer's generator state (`bit_generator.state`,
    a plain dict) before it drew the order that first batch came from."""

    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    rng_state: Mapping

    @classmethod
    def of(cls, weights, biases, rng_state: Mapping) -> "RunStart":
        """Frozen float64 copies of the parameters and a deep copy of the generator state."""
        return cls(tuple(frozen(W, np.float64) for W in weights),
                   tuple(frozen(b, np.float64) for b in biases), copy.deepcopy(dict(rng_state)))

    @property
    def digest(self) -> str:
        return start_digest(self.weights, self.biases)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Plain arrays (no pickles): "start_W{l}", "start_b{l}" and "start_rng" (the
        generator state as JSON text: its integers exceed 64 bits)."""
        out = {f"start_W{l}": np.array(W) for l, W in enumerate(self.weights)}
        out.update({f"start_b{l}": np.array(b) for l, b in enumerate(self.biases)})
        out["start_rng"] = np.array(json.dumps(self.rng_state))
        return out

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> "RunStart":
        """The inverse of `to_arrays`; ValueError (saying what) when an entry is missing or
        the generator state is not one numpy's default generator takes. The parameters'
        shapes are the caller's to check against its network."""
        layers = sum(1 for k in arrays if k.startswith("start_W"))
        try:
            weights = [np.asarray(arrays[f"start_W{l}"], dtype=np.float64) for l in range(layers)]
            biases = [np.asarray(arrays[f"start_b{l}"], dtype=np.float64) for l in range(layers)]
            state = json.loads(str(arrays["start_rng"]))
            np.random.default_rng().bit_generator.state = state  # refused unless it is one
        except KeyError as e:
            raise ValueError(f"the run's start lacks {e.args[0]!r}") from None
        except (TypeError, ValueError, json.JSONDecodeError) as e:
            raise ValueError(f"the run's start could not be read ({e})") from None
        if not all(np.isfinite(a).all() for a in (*weights, *biases)):
            raise ValueError("the run's start holds parameters that are not finite numbers")
        return cls.of(weights, biases, state)
