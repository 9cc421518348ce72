"""What deeper neurons look for: two input-space pictures of a neuron j of layer l ≥ 1.

(a) `composed_weights`: its weights composed through the layers before, W⁽ˡ⁾ · … · W⁽¹⁾ (row j),
    a 784-vector like a first-layer neuron's weights. It is the neuron's weighted sum *if every
    layer before were linear* (σ and the biases left out): a restricted linear composition, not
    what the network computes.
(b) `maximising_input`: the input x in [0, 1]⁷⁸⁴ that most excites it, found by gradient ascent
    on its activation a⁽ˡ⁾ⱼ(x) (on z⁽ˡ⁾ⱼ where a ReLU is flat at 0) from a grey image (x = ½ plus a small seeded jitter), each step
    x ← clip(x + η · g / max|g|, 0, 1) with g = ∂a⁽ˡ⁾ⱼ/∂x, a fixed number of steps.

Layers are numbered as in the network view: l = 1 … L, with weights[l−1] (sizes[l], sizes[l−1])
leading into layer l.
"""

from __future__ import annotations

import numpy as np

from mlpviz.core.network import Feedforward, backward_deltas, forward_pass

STEPS = 300  # gradient-ascent steps
STEP = 0.02  # η: the largest change of one pixel per step
JITTER = 0.01  # the grey start's seeded jitter, ± this much


def composed_weights(net: Feedforward, l: int) -> np.ndarray:
    """W⁽ˡ⁾ · … · W⁽¹⁾ as a (sizes[l], sizes[0]) float64 array: row j is neuron j's weights
    composed through the layers before, σ and biases left out."""
    _check_layer(net, l)
    M = np.asarray(net.weights[0], dtype=np.float64)
    for W in net.weights[1:l]:
        M = np.asarray(W, dtype=np.float64) @ M
    return M


def activation_gradient(net: Feedforward, l: int, j: int, x: np.ndarray,
                        pre: bool = False) -> tuple[float, np.ndarray]:
    """(a⁽ˡ⁾ⱼ(x), ∂a⁽ˡ⁾ⱼ/∂x): the neuron's activation and its gradient with respect to the input
    (sizes[0],), by the backward recursion Δ⁽ᵐ⁾ = (Δ⁽ᵐ⁺¹⁾ W⁽ᵐ⁾) ⊙ σ'(a⁽ᵐ⁾) from
    Δ⁽ˡ⁾ = ∂a⁽ˡ⁾ⱼ/∂z⁽ˡ⁾ (σ'(a⁽ˡ⁾ⱼ) eⱼ; for a softmax output aⱼ (eⱼ − a)), then ∂a/∂x = Δ⁽¹⁾ W⁽⁰⁾.
    pre=True: the gradient of its weighted input z⁽ˡ⁾ⱼ instead (Δ⁽ˡ⁾ = eⱼ)."""
    weights = [np.asarray(W, dtype=np.float64) for W in net.weights]
    biases = [np.asarray(b, dtype=np.float64) for b in net.biases]
    _zs, acts = forward_pass(weights, biases, np.asarray(x, np.float64)[None, :], net.act,
                             net.cost_fn)
    acts = acts[:l + 1]  # a⁽⁰⁾ … a⁽ˡ⁾: the layers above do not matter
    weights = weights[:l]
    a = acts[-1][0]
    if pre:
        delta = np.zeros_like(a)
        delta[j] = 1.0
    elif l == net.L and net.cost_fn.softmax_output:
        delta = -a[j] * a
        delta[j] += a[j]
    else:
        delta = np.zeros_like(a)
        delta[j] = net.act.prime_from_a(a[j:j + 1])[0]
    delta = delta[None, :]
    for _m, delta in backward_deltas(weights, acts, delta, net.act):
        pass  # the last one yielded is Δ⁽¹⁾
    return float(a[j]), (delta @ weights[0])[0]


def maximising_input(net: Feedforward, l: int, j: int, steps: int = STEPS, step: float = STEP,
                     seed: int = 0) -> np.ndarray:
    """The input (sizes[0],) in 0…1 found by `steps` steps of normalised gradient ascent on
    a⁽ˡ⁾ⱼ from a grey image with a ±JITTER jitter drawn from `seed` (deterministic)."""
    _check_layer(net, l)
    if not 0 <= j < net.sizes[l]:
        raise ValueError(f"layer {l} has neurons 0..{net.sizes[l] - 1}, not {j}")
    rng = np.random.default_rng(seed)
    x = np.clip(0.5 + rng.uniform(-JITTER, JITTER, net.sizes[0]), 0.0, 1.0)
    for _ in range(steps):
        _a, g = activation_gradient(net, l, j, x)
        if not np.any(g):  # a ReLU at 0 (flat): climb its weighted input z⁽ˡ⁾ⱼ until it wakes
            _a, g = activation_gradient(net, l, j, x, pre=True)
        top = float(np.max(np.abs(g)))
        if not np.isfinite(top) or top == 0.0:
            break  # flat all the way down: nothing to climb
        x = np.clip(x + step * g / top, 0.0, 1.0)
    return x


def grey(net: Feedforward) -> np.ndarray:
    """The grey image (every pixel ½) the ascent starts near."""
    return np.full(net.sizes[0], 0.5)


def _check_layer(net: Feedforward, l: int) -> None:
    if not 1 <= l <= net.L:
        raise ValueError(f"layers with weights are 1..{net.L}, not {l}")
