"""The multilayer perceptron: a' = σ(W a + b), layer after layer, and backpropagation of one sample.

Layers are numbered 0 … L (0 is the input, L the output). `weights[l]` has shape
(sizes[l+1], sizes[l]): row j holds the weights INTO neuron j of layer l+1, so
z^{l+1} = W^l a^l + b^l and a^{l+1} = σ(z^{l+1}).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from mlpviz.core.activations import Activation, get_activation
from mlpviz.core.arrays import frozen
from mlpviz.core.costs import Cost, get_cost, one_hot
from mlpviz.core.model_file import read_model, write_model
from mlpviz.i18n import _


def _readonly(arrays) -> tuple[np.ndarray, ...]:
    """Read-only copies of `arrays`."""
    return tuple(frozen(a) for a in arrays)


def layer_output(Z: np.ndarray, l: int, L: int, act: Activation, cost: Cost,
                 inplace: bool = False) -> np.ndarray:
    """a^l from z^l: σ(z^l) for the hidden layers 1 … L−1, the cost's output function (σ, or a
    softmax for cross-entropy) at the output layer l = L. inplace=True writes a^l into Z itself
    (the trainer's float32 path) and returns Z."""
    if l == L:
        return cost.output_inplace(Z, act) if inplace else cost.output(Z, act)
    return act.f_inplace(Z) if inplace else act.f(Z)


def forward_from(l: int, Z: np.ndarray, weights, biases, act: Activation, cost: Cost):
    """The forward pass from layer l on, given its pre-activations Z = z^l (one sample, or a batch
    (n, sizes[l])): (zs, activations) = ([z^l, …, z^L], [a^l, …, a^L]) with
    a^m = layer_output(z^m) and z^{m+1} = W^m a^m + b^m. For l = 0, Z is the input: a^0 = z^0 = X.
    Used from l > 0 to see what a change of z^l does to the outputs (the gradient check).
    The arithmetic is in the arrays' own dtype (float32, float64, longdouble)."""
    L = len(weights)
    zs, acts = [Z], [Z if l == 0 else layer_output(Z, l, L, act, cost)]
    for m in range(l, L):
        Z = acts[-1] @ weights[m].T + biases[m]
        zs.append(Z)
        acts.append(layer_output(Z, m + 1, L, act, cost))
    return zs, acts


def forward_pass(weights, biases, X: np.ndarray, act: Activation, cost: Cost):
    """The one forward pass: (zs, activations) = ([z^0 = X, z^1, …, z^L], [a^0 = X, a^1, …, a^L])
    with z^{l+1} = W^l a^l + b^l and a^{l+1} = layer_output(z^{l+1}). X is one sample
    (sizes[0],) or a batch (n, sizes[0]); the arithmetic is in the arrays' own dtype."""
    return forward_from(0, X, weights, biases, act, cost)


def backward_deltas(weights, acts, delta: np.ndarray, act: Activation):
    """The batched backward recursion, from Δ^L = ∂C/∂Z^L (n, sizes[L]) given by the cost record:
    yields (l, Δ^{l+1}) for l = L−1 … 0, with Δ^l = (Δ^{l+1} W^l) ⊙ σ'(A^l), σ' taken from the
    activations `acts` [A^0 … A^L] (no z kept). Shared by `Network.gradient` (float64) and the
    trainer (float32); each uses Δ^{l+1} for layer l's gradient before asking for the next."""
    for l in range(len(weights) - 1, -1, -1):
        yield l, delta
        if l > 0:
            delta = delta @ weights[l]
            delta *= act.prime_from_a(acts[l])


class NonFiniteError(ValueError):
    """A pass through the network overflowed: finite parameters gave infinite or NaN numbers
    (weights too large to compute with in float64). `layer` is where it happened: the first
    layer l (1 … L) whose z^l or a^l is not finite."""

    def __init__(self, message: str, layer: int):
        super().__init__(message)
        self.layer = layer


def first_overflow(weights, zs, acts) -> NonFiniteError | None:
    """The NonFiniteError for the first layer l ≥ 1 whose z^l or a^l is not all finite, or None.
    `zs`, `acts` are a forward pass's [z^0 …], [a^0 …] through `weights`."""
    for l in range(1, len(zs)):
        if not (np.isfinite(zs[l]).all() and np.isfinite(acts[l]).all()):
            largest = float(np.abs(weights[l - 1]).max())
            return NonFiniteError(_(
                "the forward pass overflows at layer {l}: {z} is too large for float64 (the "
                "largest |w| in {W} is {largest}); the weights are too large to compute with, so "
                "no output, cost or accuracy can be given").format(
                    l=l, z=f"z^{l} = W{l - 1} a^{l - 1} + b{l - 1}", W=f"W{l - 1}",
                    largest=f"{largest:.3g}"), l)
    return None


def checked_forward_pass(weights, biases, X: np.ndarray, act: Activation, cost: Cost):
    """`forward_pass`, then NonFiniteError (naming the layer) if any z^l or a^l overflowed, so no
    NaN or ∞ is ever shown or written. Overflow warnings are silenced: the error says it."""
    with np.errstate(over="ignore", invalid="ignore"):
        zs, acts = forward_pass(weights, biases, X, act, cost)
    problem = first_overflow(weights, zs, acts)
    if problem is not None:
        raise problem
    return zs, acts


def check_input(sizes, A: np.ndarray) -> None:
    """Raise ValueError unless A is one sample (sizes[0],) or a batch (n, sizes[0])."""
    if A.ndim not in (1, 2) or A.shape[-1] != sizes[0]:
        raise ValueError(
            f"the network takes {sizes[0]} inputs per sample, got an array of shape {A.shape}"
        )


class Feedforward:
    """The forward pass of whatever holds `sizes`, `weights`, `biases` (float64) and the records
    `act`, `cost_fn`: a `Network`, or a `Snapshot` (whose read-only arrays are used as they are:
    the forward pass only reads them)."""

    sizes: Sequence[int]
    act: Activation
    cost_fn: Cost

    @property
    def L(self) -> int:
        """Index of the output layer (number of weight layers)."""
        return len(self.sizes) - 1

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Output activations a^L for X of shape (n, sizes[0]) → (n, sizes[-1]); a single
        sample of shape (sizes[0],) gives shape (sizes[-1],)."""
        return self.forward_all(X)[-1]

    def forward_all(self, X: np.ndarray) -> list[np.ndarray]:
        """Every layer's activations [a^0 = X, a^1, …, a^L], each (n, sizes[l]) (or 1-D for 1-D X)."""
        return self.forward_layers(X)[1]

    def forward_layers(self, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """(zs, activations): every layer's pre-activations [z^0 = X, z^1, …, z^L] (z^0 is the
        input, as in `Trace`) and activations [a^0 = X, a^1, …, a^L], shapes as in `forward_all`.
        NonFiniteError (naming the layer) if the pass overflows: finite but huge weights."""
        A = np.asarray(X, dtype=np.float64)
        check_input(self.sizes, A)
        return checked_forward_pass(self.weights, self.biases, A, self.act, self.cost_fn)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The brightest output per sample: argmax_j a^L_j, shape (n,)."""
        return np.argmax(self.forward(X), axis=-1)

    def evaluate(self, X: np.ndarray, labels: np.ndarray, chunk: int = 10_000):
        """(mean cost, accuracy, predictions) over samples X (n, sizes[0]) with integer labels (n,)."""
        labels = np.asarray(labels).astype(np.intp)
        costs, preds = [], []
        for s in range(0, len(labels), chunk):
            zs, acts = self.forward_layers(X[s : s + chunk])
            A = acts[-1]
            costs.append(self.cost_fn.value_from_z(
                zs[-1], one_hot(labels[s : s + chunk], self.sizes[-1]), self.act))
            preds.append(np.argmax(A, axis=-1))
        cost = np.concatenate(costs) if costs else np.zeros(0)
        pred = np.concatenate(preds) if preds else np.zeros(0, dtype=np.intp)
        acc = float(np.mean(pred == labels)) if len(labels) else float("nan")
        return float(cost.mean()) if cost.size else float("nan"), acc, pred


@dataclass(frozen=True)
class Trace:
    """Backpropagation of one sample, every intermediate value kept (float64, read-only).

    Indexing by layer l = 0 … L, aligned with the network's layers:
      a[l]       activations, a[0] = x
      z[l]       pre-activations z^l = W^{l−1} a^{l−1} + b^{l−1}; z[0] is x (the input has no weights)
      grad_a[l]  ∂C/∂a^l
      grad_z[l]  ∂C/∂z^l (for l ≥ 1: ∂C/∂a^l · σ'(z^l), or a − y at a softmax output); grad_z[0] = grad_a[0]
    Indexing by weight layer l = 0 … L−1 (mapping layer l to l+1), like `Network.weights`:
      W[l], b[l]   the parameters used
      grad_w[l]    ∂C/∂W^l = grad_z[l+1] ⊗ a[l], shape (sizes[l+1], sizes[l])
      grad_b[l]    ∂C/∂b^l = grad_z[l+1]
      wishes[l]    wishes[l][j, k] = w_jk · ∂C/∂z_j: what neuron j of layer l+1 wants from neuron k of
                   layer l (as ∂C/∂a_k); summing over j gives grad_a[l]
    """

    x: np.ndarray
    label: int
    y: np.ndarray
    activation: str
    cost_name: str
    W: tuple[np.ndarray, ...]
    b: tuple[np.ndarray, ...]
    z: tuple[np.ndarray, ...]
    a: tuple[np.ndarray, ...]
    grad_a: tuple[np.ndarray, ...]
    grad_z: tuple[np.ndarray, ...]
    grad_w: tuple[np.ndarray, ...]
    grad_b: tuple[np.ndarray, ...]
    wishes: tuple[np.ndarray, ...]
    cost_terms: np.ndarray
    cost: float

    @property
    def L(self) -> int:
        """Index of the output layer."""
        return len(self.a) - 1

    @property
    def output(self) -> np.ndarray:
        """The output activations a^L."""
        return self.a[-1]

    @property
    def prediction(self) -> int:
        """The brightest output: the network's answer."""
        return int(np.argmax(self.a[-1]))


class Network(Feedforward):
    """A fully connected network of `sizes` neurons per layer.

    >>> net = Network([784, 16, 16, 10], seed=0)
    >>> net.parameter_count
    13002
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "sigmoid",
        cost: str = "mse",
        seed: int | None = 0,
    ):
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or any(s < 1 for s in sizes):
            raise ValueError(f"sizes must list at least two positive layer sizes, got {sizes}")
        self.sizes = sizes
        self.act: Activation = get_activation(activation)
        self.cost_fn: Cost = get_cost(cost)
        self.seed = seed
        self.weights, self.biases = init_parameters(sizes, self.act, np.random.default_rng(seed))

    # -- names -------------------------------------------------------------------------------
    @property
    def activation(self) -> str:
        return self.act.name

    @property
    def cost(self) -> str:
        return self.cost_fn.name

    @property
    def parameter_count(self) -> int:
        """Σ_l sizes[l]·sizes[l+1] weights + Σ_l sizes[l+1] biases."""
        return sum(W.size + b.size for W, b in zip(self.weights, self.biases))

    def __repr__(self) -> str:
        return (
            f"Network({self.sizes}, activation={self.activation!r}, cost={self.cost!r}, "
            f"parameters={self.parameter_count})"
        )

    # -- backward ----------------------------------------------------------------------------
    # Backpropagation is written three times, each for its own reason: `backprop` (one sample,
    # every intermediate kept, σ'(z) from z: what the stepper shows and the trace exports),
    # `gradient` (a batch's mean, float64: the reference and the stepper's mini-batch stage) and
    # `Trainer._sgd_step` (float32, in place, η/n folded in: speed). The last two share the output
    # Δ (the cost record) and the backward recursion (`backward_deltas`); a test holds the
    # trainer's step to `gradient` for every activation × cost.
    def backprop(self, x: np.ndarray, label: int) -> Trace:
        """Backpropagation of one sample in float64, every intermediate value kept: the numbers the
        stepper shows one by one and `mlpviz trace` exports (hence ∂C/∂a, the wishes, and σ'(z)
        from z itself rather than from a as the batched paths do).

        Forward: z^{l+1} = W^l a^l + b^l, a^{l+1} = σ(z^{l+1}).
        Output: ∂C/∂a^L from the cost, ∂C/∂z^L = ∂C/∂a^L · σ'(z^L).
        Backward, for l = L−1 … 0: ∂C/∂W^l = ∂C/∂z^{l+1} ⊗ a^l, ∂C/∂b^l = ∂C/∂z^{l+1},
        ∂C/∂a^l = (W^l)ᵀ ∂C/∂z^{l+1} (the sum over j of wishes[l][j]), ∂C/∂z^l = ∂C/∂a^l · σ'(z^l).
        """
        x = np.asarray(x, dtype=np.float64).reshape(-1)
        check_input(self.sizes, x)
        label = int(label)
        n_out = self.sizes[-1]
        if not 0 <= label < n_out:
            raise ValueError(f"label must be in 0..{n_out - 1}, got {label}")
        y = one_hot([label], n_out)[0]
        Ws = [np.asarray(W, dtype=np.float64) for W in self.weights]
        bs = [np.asarray(b, dtype=np.float64) for b in self.biases]

        z, a = checked_forward_pass(Ws, bs, x, self.act, self.cost_fn)

        L = self.L
        grad_a = [None] * (L + 1)
        grad_z = [None] * (L + 1)
        grad_a[L] = self.cost_fn.grad_a_from_z(z[L], y, self.act)
        grad_z[L] = self.cost_fn.grad_z(z[L], a[L], y, self.act)
        grad_w, grad_b, wishes = [None] * L, [None] * L, [None] * L
        for l in range(L - 1, -1, -1):
            grad_w[l] = np.outer(grad_z[l + 1], a[l])
            grad_b[l] = grad_z[l + 1].copy()
            wishes[l] = Ws[l] * grad_z[l + 1][:, None]
            grad_a[l] = Ws[l].T @ grad_z[l + 1]
            grad_z[l] = grad_a[l] * self.act.prime(z[l]) if l > 0 else grad_a[l].copy()

        terms = self.cost_fn.terms_from_z(z[L], y, self.act)
        return Trace(
            x=frozen(x), label=label, y=frozen(y),
            activation=self.activation, cost_name=self.cost,
            W=_readonly(Ws), b=_readonly(bs), z=_readonly(z), a=_readonly(a),
            grad_a=_readonly(grad_a), grad_z=_readonly(grad_z),
            grad_w=_readonly(grad_w), grad_b=_readonly(grad_b), wishes=_readonly(wishes),
            cost_terms=frozen(terms),
            cost=float(self.cost_fn.value_from_z(z[L], y, self.act)),
        )

    def gradient(self, X: np.ndarray, labels: np.ndarray):
        """Mean gradient over a batch, vectorised: (grad_w list, grad_b list, mean cost). The
        float64 reference for the trainer, and the stepper's mini-batch stage (a batch's gradient
        as the average of the per-sample ones), without keeping every intermediate as `backprop`.

        Same math as `backprop`, with X of shape (n, sizes[0]) and Δ^l = ∂C/∂Z^l of shape (n, sizes[l]):
        Δ^L from the cost record, Δ^l = (Δ^{l+1} W^l) ⊙ σ'(A^l) (`backward_deltas`),
        ∂C/∂W^l = Δ^{l+1}ᵀ A^l / n, ∂C/∂b^l = mean of Δ^{l+1} over samples.
        """
        X = np.asarray(X, dtype=np.float64)
        Y = one_hot(labels, self.sizes[-1])
        zs, acts = self.forward_layers(X)
        A = acts[-1]
        n = len(X)
        gw, gb = [None] * self.L, [None] * self.L
        delta_L = self.cost_fn.grad_z_from_a(A, Y, self.act)
        for l, delta in backward_deltas(self.weights, acts, delta_L, self.act):
            gw[l] = delta.T @ acts[l] / n
            gb[l] = delta.mean(axis=0)
        return gw, gb, float(self.cost_fn.value_from_z(zs[-1], Y, self.act).mean())

    # -- parameters --------------------------------------------------------------------------
    def copy(self) -> "Network":
        """An independent copy: same sizes, records, seed and parameters."""
        return Network.from_parameters(self.sizes, self.act, self.cost_fn, self.weights,
                                       self.biases, self.seed, check=False)

    def set_parameters(self, weights, biases) -> None:
        """Replace all weights and biases (copied to float64) after checking their shapes."""
        weights, biases = _own_copies(weights), _own_copies(biases)
        check_parameters(self.sizes, weights, biases)
        self.weights, self.biases = weights, biases

    def apply_step(self, grad_w, grad_b, lr: float) -> None:
        """Gradient descent step: W ← W − η ∂C/∂W, b ← b − η ∂C/∂b."""
        for W, b, gW, gB in zip(self.weights, self.biases, grad_w, grad_b):
            W -= lr * gW
            b -= lr * gB

    def save(self, path, metadata: dict | None = None) -> None:
        """Write an .npz model file atomically, with JSON-serialisable `metadata` (see
        mlpviz.core.model_file; `core.model_metadata` builds the training record)."""
        write_model(path, self.sizes, self.activation, self.cost, self.weights, self.biases,
                    metadata)

    @staticmethod
    def load(path) -> "Network":
        """Read an .npz model file, checked (see mlpviz.core.model_file)."""
        return Network.load_with_metadata(path)[0]

    @classmethod
    def load_with_metadata(cls, path) -> tuple["Network", dict]:
        """(network, metadata dict) from an .npz model file; ModelFileError if it is not one."""
        data = read_model(path)
        net = cls.from_parameters(data.sizes, data.activation, data.cost, data.weights,
                                  data.biases)
        return net, data.metadata

    @classmethod
    def from_parameters(cls, sizes, activation, cost, weights, biases, seed=None, *,
                        check: bool = True) -> "Network":
        """A network holding float64 copies of the given parameters; `activation` and `cost` are
        names or records. check=True (the default) checks shapes and finiteness. check=False
        trusts arrays that were checked before (a `Snapshot`'s, another Network's) and only
        copies them: the network's arrays are still its own, so training or stepping it never
        changes the caller's."""
        net = cls.__new__(cls)
        net.sizes = [int(s) for s in sizes]
        net.act, net.cost_fn, net.seed = get_activation(activation), get_cost(cost), seed
        if check:
            net.set_parameters(weights, biases)
        else:
            net.weights, net.biases = _own_copies(weights), _own_copies(biases)
        return net


def _own_copies(arrays) -> list[np.ndarray]:
    """Writable float64 copies of `arrays`, for a network to own."""
    return [np.array(a, dtype=np.float64) for a in arrays]


def init_parameters(sizes, act: Activation | str, rng: np.random.Generator):
    """Random weights W^l ~ N(0, gain/n_in) (gain 1, or 2 for relu: `act.init_gain`), the output
    layer's × `act.output_init_scale` (0.1 for relu), and biases b^l ~ N(0, 1), or the constant
    `act.bias_init` (0.1 for relu, so that no unit starts off for every input). Seeded through
    `rng`, so the same seed gives the same network."""
    act = get_activation(act)
    weights, biases = [], []
    L = len(sizes) - 1
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        W = rng.standard_normal((n_out, n_in)) * np.sqrt(act.init_gain / n_in)
        weights.append(W * act.output_init_scale if l == L - 1 else W)
        b = rng.standard_normal(n_out)
        biases.append(b if act.bias_init is None else np.full(n_out, act.bias_init))
    return weights, biases


def check_parameters(sizes, weights, biases) -> None:
    """Raise ValueError unless W^l is (sizes[l+1], sizes[l]), b^l is (sizes[l+1],), all finite."""
    L = len(sizes) - 1
    if len(weights) != L or len(biases) != L:
        raise ValueError(f"{len(sizes)} layers need {L} weight matrices and {L} bias vectors, "
                         f"got {len(weights)} and {len(biases)}")
    for l, (W, b) in enumerate(zip(weights, biases)):
        want = (sizes[l + 1], sizes[l])
        if W.shape != want:
            raise ValueError(f"W{l} has shape {W.shape}, expected {want}")
        if b.shape != (sizes[l + 1],):
            raise ValueError(f"b{l} has shape {b.shape}, expected {(sizes[l + 1],)}")
        if not (np.isfinite(W).all() and np.isfinite(b).all()):
            raise ValueError(f"W{l} or b{l} holds NaN or infinite values")
