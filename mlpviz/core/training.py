"""Mini-batch stochastic gradient descent, vectorised over the batch, in float32.

Each epoch shuffles the training set with a seeded generator and cuts it into mini-batches; each
`step()` takes one: forward Z^{l+1} = A^l W^lᵀ + b^l, A^{l+1} = σ(Z^{l+1}); backward
Δ^L = ∂C/∂Z^L, Δ^l = (Δ^{l+1} W^l) ⊙ σ'(Z^l); update W^l ← W^l − (η/n) Δ^{l+1}ᵀ A^l,
b^l ← b^l − (η/n) Σ Δ^{l+1}. The same math as `Network.gradient`, for speed: in float32, in place.
"""

from __future__ import annotations

import contextlib
import copy
import math
import time
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from mlpviz.core.activations import Activation, get_activation
from mlpviz.core.costs import Cost, get_cost, one_hot
from mlpviz.core.network import Network, backward_deltas, forward_pass, layer_output
from mlpviz.core.run_start import RunStart

DEFAULT_BATCH = 100


_OVERFLOW = 1e30  # a weight change beyond this (float32 ends at 3.4e38) counts as diverged


class TrainingDiverged(ArithmeticError):
    """A step produced NaN or infinite numbers; the weights from before that step are kept."""


@dataclass(frozen=True)
class BatchReport:
    """One mini-batch done: its mean cost (measured in the forward pass, before the update)."""

    epoch: int  # index of the epoch this batch belongs to (0-based)
    batch: int  # batches done in this epoch, after this one
    batches_per_epoch: int
    samples_seen: int  # in all epochs
    cost: float
    batch_size: int
    lr: float

    @property
    def ends_epoch(self) -> bool:
        """This was its epoch's last batch (its EpochReport may come after later batches')."""
        return self.batch == self.batches_per_epoch


@dataclass(frozen=True)
class EpochReport:
    """One epoch done: cost and accuracy on the training and held-out sets."""

    epoch: int  # epochs completed (1 after the first)
    train_cost: float
    train_accuracy: float
    test_cost: float
    test_accuracy: float
    seconds: float  # time spent in training steps this epoch (not evaluation)
    samples_per_second: float


def default_lr(cost: Cost | str, activation: Activation | str = "sigmoid",
               hidden_layers: int = 2) -> float:
    """A learning rate η that learns with this cost, activation (names or records) and number of
    hidden layers: the activation record's table (`Activation.default_lr`; README: "Defaults")."""
    return get_activation(activation).default_lr(get_cost(cost).name, hidden_layers)


@contextlib.contextmanager
def single_blas_thread():
    """Limit BLAS to one thread: at batch 100 a second thread gains little and steals the GUI's core."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def as_float32(images: np.ndarray) -> np.ndarray:
    """Pixels as float32 in 0..1: uint8 images are divided by 255, float ones converted."""
    if images.dtype == np.uint8:
        return np.multiply(images, np.float32(1 / 255), dtype=np.float32)
    return np.asarray(images, dtype=np.float32)


class Trainer:
    """Drives mini-batch SGD on `net`, one batch per `step()`.

    The trainer works on float32 copies of the parameters; `sync()` writes them back into `net`
    (float64). Change `lr` and `batch_size` at any time: they apply from the next batch.
    The shuffling generator is seeded with `seed`, or set to `rng_state` (a `RunStart`'s: the
    same orders again); `start` is where the run began (None before the first `step()`).
    """

    def __init__(self, net: Network, train_images, train_labels, test_images=None, test_labels=None,
                 lr: float | None = None, batch_size: int = DEFAULT_BATCH, seed: int = 0,
                 rng_state=None):
        self.net = net
        self.images = np.asarray(train_images)
        self.labels = np.asarray(train_labels).astype(np.intp)
        self.test_images = None if test_images is None else np.asarray(test_images)
        self.test_labels = None if test_labels is None else np.asarray(test_labels).astype(np.intp)
        self._check_data()
        self.lr = default_lr(net.cost_fn, net.act, net.L - 1) if lr is None else float(lr)
        self.batch_size = int(batch_size)
        if not (np.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"the learning rate must be a positive number, not {lr!r}")
        if self.batch_size < 1:
            raise ValueError(f"the batch size must be at least 1, not {batch_size!r}")
        self.rng = np.random.default_rng([int(seed), 1])
        if rng_state is not None:
            self.rng.bit_generator.state = copy.deepcopy(dict(rng_state))
        self.start: RunStart | None = None
        self.epoch = 0  # epochs completed
        self.position = 0  # samples of this epoch's order already used
        self.batch_in_epoch = 0
        self.samples_seen = 0
        self.step_seconds = 0.0
        self._order_state = copy.deepcopy(self.rng.bit_generator.state)  # before this order
        self._order = self.rng.permutation(len(self.labels))
        # The largest input value, for the overflow bound in _sgd_step (uint8 pixels: 255).
        self._input_max = 255.0 if self.images.dtype == np.uint8 else float(
            np.abs(self.images).max(initial=0.0))
        self.load_network()

    def _check_data(self) -> None:
        n_in, n_out = self.net.sizes[0], self.net.sizes[-1]
        for name, X, y in (("training", self.images, self.labels),
                           ("held-out", self.test_images, self.test_labels)):
            if X is None:
                continue
            if X.ndim != 2 or X.shape[1] != n_in:
                raise ValueError(f"the {name} images have shape {X.shape}; the network takes "
                                 f"{n_in} inputs per sample")
            if len(y) != len(X):
                raise ValueError(f"{len(X)} {name} images but {len(y)} labels")
            if len(y) and (y.min() < 0 or y.max() >= n_out):
                raise ValueError(f"the {name} labels run up to {y.max()}, the network has {n_out} outputs")
        if len(self.labels) == 0:
            raise ValueError("there are no training samples")

    # -- parameters ------------------------------------------------------------------------------
    def load_network(self) -> None:
        """Take the float32 working parameters from `net` (after the network was changed outside)."""
        self.W = [np.array(W, dtype=np.float32) for W in self.net.weights]
        self.b = [np.array(b, dtype=np.float32) for b in self.net.biases]

    def sync(self) -> Network:
        """Write the working parameters back into `net` (float64) and return it."""
        for l in range(self.net.L):
            self.net.weights[l][...] = self.W[l]
            self.net.biases[l][...] = self.b[l]
        return self.net

    # -- one mini-batch --------------------------------------------------------------------------
    @property
    def batches_per_epoch(self) -> int:
        return -(-len(self.labels) // self.batch_size)

    @property
    def epoch_done(self) -> bool:
        """True when this epoch's shuffled order is used up (call `finish_epoch`)."""
        return self.position >= len(self.labels)

    def step(self) -> BatchReport:
        """Train on the next mini-batch of the shuffled order. Raises TrainingDiverged, without
        changing any weight, if the batch's cost or gradient is NaN or infinite."""
        if self.epoch_done:
            self.finish_epoch()
        if self.start is None and self.position == 0:
            self.start = RunStart.of(self.net.weights, self.net.biases, self._order_state)
        t0 = time.perf_counter()
        idx = self._order[self.position:self.position + self.batch_size]
        X, scale = self._batch(idx)
        cost = self._sgd_step(X, scale, self.labels[idx])
        self.step_seconds += time.perf_counter() - t0
        self.position += len(idx)
        self.batch_in_epoch += 1
        self.samples_seen += len(idx)
        left = -(-(len(self.labels) - self.position) // self.batch_size)
        return BatchReport(self.epoch, self.batch_in_epoch, self.batch_in_epoch + left,
                           self.samples_seen, cost, len(idx), self.lr)

    def _batch(self, idx: np.ndarray) -> tuple[np.ndarray, np.float32]:
        """The batch's pixels as float32 and the factor that maps them to 0..1: uint8 images are
        converted without dividing, and the 1/255 is folded into the first layer's products."""
        X = self.images[idx]
        if X.dtype == np.uint8:
            return X.astype(np.float32), np.float32(1 / 255)
        return X.astype(np.float32, copy=False), np.float32(1)

    def _sgd_step(self, X: np.ndarray, scale: np.float32, labels: np.ndarray) -> float:
        """One gradient step on batch X (n, n_in) float32 (pixels = scale·X); returns the batch's
        mean cost. Same math as `Network.gradient`, written again for speed: float32 arithmetic in
        place (σ and the output function write into Z), the pixels' 1/255 and η/n folded into the
        small arrays, each weight matrix written once, overflow ruled out from a bound."""
        act, cost_fn, L = self.net.act, self.net.cost_fn, self.net.L
        with np.errstate(all="ignore"):
            acts = [X]
            for l in range(L):
                Z = acts[-1] @ self.W[l].T
                if l == 0 and scale != 1:
                    Z *= scale
                Z += self.b[l]
                if l == L - 1:  # the cost from the logits, then the outputs written into Z
                    cost, delta_L = cost_fn.batch_cost_and_delta(Z, labels, act)
                acts.append(Z if l == L - 1 else layer_output(Z, l + 1, L, act, cost_fn,
                                                              inplace=True))
            grads = self._steps(acts, delta_L, scale, cost)
            for l, delta_step, grad_b in grads:
                self.W[l] -= delta_step.T @ acts[l]
                self.b[l] -= grad_b
        return cost

    def _steps(self, acts, delta_L: np.ndarray, scale: np.float32, cost: float):
        """Per weight layer l: (l, (η/n)·Δ^{l+1} (with the 1/255 for l = 0), (η/n)·Σ Δ^{l+1}).
        η/n (and the pixels' 1/255) is folded into the small Δ before the product, so each weight
        matrix is touched once: W ← W − (η/n Δ)ᵀ A. Raises TrainingDiverged before any weight
        changes if the cost is not finite or a weight change could overflow."""
        n = len(delta_L)
        step = np.float32(self.lr / n)
        grads = []
        for l, delta in backward_deltas(self.W, acts, delta_L, self.net.act):
            delta_step = delta * (step * scale if l == 0 else step)
            a_max = self._input_max if l == 0 else self._activation_max(acts[l])
            # |∂W| ≤ n · max|η/n Δ| · max|a|: a bound from small arrays that rules out NaN,
            # inf and overflow in the big product without scanning it.
            bound = n * float(np.abs(delta_step).max()) * a_max
            if not (np.isfinite(cost) and bound < _OVERFLOW):
                what = (("the cost became infinite" if np.isinf(cost) else
                         "the cost stopped being a number") if not np.isfinite(cost) else
                        f"the step's weight changes overflowed (cost {cost:g})")
                raise TrainingDiverged(
                    f"{what} at learning rate {self.lr:g}: that step was not taken and the "
                    "last good weights are kept; lower the learning rate")
            grads.append((l, delta_step, delta.sum(axis=0) * step))  # biases: no 1/255
        return grads

    def _activation_max(self, A: np.ndarray) -> float:
        """An upper bound of |a| over a hidden layer's activations A: the activation's range
        (1 for σ and tanh, no scan needed), or max |A| where the range has no end (relu)."""
        act = self.net.act
        top = max(-act.lo, act.hi)
        return top if math.isfinite(top) else float(np.abs(A).max())

    # -- epochs ----------------------------------------------------------------------------------
    def finish_epoch(self) -> EpochReport:
        """Close the epoch: evaluate on both sets, reshuffle, and count it done."""
        seconds = self.step_seconds
        used = self.position
        self.epoch += 1
        self.position = self.batch_in_epoch = 0
        self.step_seconds = 0.0
        self._order_state = copy.deepcopy(self.rng.bit_generator.state)
        self._order = self.rng.permutation(len(self.labels))
        train_cost, train_acc = self.evaluate(self.images, self.labels)
        test_cost, test_acc = (self.evaluate(self.test_images, self.test_labels)
                               if self.test_images is not None and len(self.test_labels) else
                               (float("nan"), float("nan")))
        return EpochReport(self.epoch, train_cost, train_acc, test_cost, test_acc, seconds,
                           used / seconds if seconds > 0 else float("nan"))

    def evaluate(self, images, labels, chunk: int = 10_000) -> tuple[float, float]:
        """(mean cost, accuracy) of the working parameters on `images` (n, n_in), in float32; the
        cost from the output pre-activations (`Cost.value_from_z`: finite and exact)."""
        net = self.net
        total, correct = 0.0, 0
        with np.errstate(all="ignore"):
            for s in range(0, len(labels), chunk):
                X = as_float32(images[s:s + chunk])
                zs, acts = forward_pass(self.W, self.b, X, net.act, net.cost_fn)
                A, y = acts[-1], labels[s:s + chunk]
                Y = one_hot(y, A.shape[1], dtype=A.dtype)
                C = net.cost_fn.value_from_z(zs[-1], Y, net.act)
                total += float(C.astype(np.float64).sum())
                correct += int((A.argmax(axis=1) == y).sum())
        return total / len(labels), correct / len(labels)

    def run(self, epochs: int) -> Iterator[BatchReport | EpochReport]:
        """Train `epochs` whole epochs, yielding a BatchReport per step and an EpochReport per
        epoch: each yield is a checkpoint where a caller may pause, change settings, or stop."""
        target = self.epoch + epochs
        while self.epoch < target:
            while not self.epoch_done:
                yield self.step()
            yield self.finish_epoch()
