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


def activation_gradient(net: Feedforward, l: int, j, x: np.ndarray,
                        pre: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(a⁽ˡ⁾ⱼ(x), ∂a⁽ˡ⁾ⱼ/∂x): the neuron's activation and its gradient with respect to the input,
    by the backward recursion Δ⁽ᵐ⁾ = (Δ⁽ᵐ⁺¹⁾ W⁽ᵐ⁾) ⊙ σ'(a⁽ᵐ⁾) from Δ⁽ˡ⁾ = ∂a⁽ˡ⁾ⱼ/∂z⁽ˡ⁾
    (σ'(a⁽ˡ⁾ⱼ) eⱼ; for a softmax output aⱼ (eⱼ − a)), then ∂a/∂x = Δ⁽¹⁾ W⁽⁰⁾.
    pre=True: the gradient of its weighted input z⁽ˡ⁾ⱼ instead (Δ⁽ˡ⁾ = eⱼ).
    Batched: x (n, sizes[0]) and j (n,) neurons give values (n,) and gradients (n, sizes[0]),
    row r for neuron j[r] at x[r]; one x (sizes[0],) and one j give a float and (sizes[0],)."""
    X = np.atleast_2d(np.asarray(x, np.float64))
    js = np.broadcast_to(np.asarray(j, dtype=np.intp), (len(X),))
    weights = [np.asarray(W, dtype=np.float64) for W in net.weights]
    biases = [np.asarray(b, dtype=np.float64) for b in net.biases]
    _zs, acts = forward_pass(weights, biases, X, net.act, net.cost_fn)
    acts, weights = acts[:l + 1], weights[:l]  # the layers above layer l do not matter
    A, rows = acts[-1], np.arange(len(X))
    delta = np.zeros_like(A)
    if pre:
        delta[rows, js] = 1.0
    elif l == net.L and net.cost_fn.softmax_output:
        delta = -A[rows, js][:, None] * A
        delta[rows, js] += A[rows, js]
    else:
        delta[rows, js] = net.act.prime_from_a(A[rows, js])
    for _m, delta in backward_deltas(weights, acts, delta, net.act):
        pass  # the last one yielded is Δ⁽¹⁾
    values, grads = A[rows, js], delta @ weights[0]
    if np.ndim(x) == 1:
        return float(values[0]), grads[0]
    return values, grads


def maximising_input(net: Feedforward, l: int, j: int, steps: int = STEPS, step: float = STEP,
                     seed: int = 0) -> np.ndarray:
    """The input (sizes[0],) in 0…1 that `maximising_inputs` finds for neuron j alone."""
    if not 0 <= j < net.sizes[max(0, min(l, net.L))]:
        raise ValueError(f"layer {l} has no neuron {j}")
    return maximising_inputs(net, l, steps, step, seed, neurons=[j])[0]


def maximising_inputs(net: Feedforward, l: int, steps: int = STEPS, step: float = STEP,
                      seed: int = 0, neurons=None) -> np.ndarray:
    """For each neuron j of layer l (or of `neurons`), the input in 0…1 found by `steps` steps
    of normalised gradient ascent on a⁽ˡ⁾ⱼ, all neurons at once (n, sizes[0]), each from a grey
    image with its own ±JITTER jitter drawn from (seed, j) (deterministic, whoever else is in
    the batch)."""
    _check_layer(net, l)
    js = np.arange(net.sizes[l]) if neurons is None else np.asarray(neurons, dtype=np.intp)
    X = np.clip(0.5 + np.array([np.random.default_rng([seed, int(j)]).uniform(
        -JITTER, JITTER, net.sizes[0]) for j in js]).reshape(len(js), net.sizes[0]), 0.0, 1.0)
    for _ in range(steps):
        _a, G = activation_gradient(net, l, js, X)
        flat = ~G.any(axis=1)  # a ReLU at 0: climb its weighted input z⁽ˡ⁾ⱼ until it wakes
        if flat.any():
            G[flat] = activation_gradient(net, l, js[flat], X[flat], pre=True)[1]
        top = np.max(np.abs(G), axis=1, keepdims=True)
        ok = np.isfinite(top[:, 0]) & (top[:, 0] > 0)  # else flat all the way down: stay
        X[ok] = np.clip(X[ok] + step * G[ok] / top[ok], 0.0, 1.0)
    return X


def grey(net: Feedforward) -> np.ndarray:
    """The grey image (every pixel ½) the ascent starts near."""
    return np.full(net.sizes[0], 0.5)


def _check_layer(net: Feedforward, l: int) -> None:
    if not 1 <= l <= net.L:
        raise ValueError(f"layers with weights are 1..{net.L}, not {l}")
