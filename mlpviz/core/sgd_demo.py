"""Lesson point 17 shown on the real network: from the same start, k careful steps down the
gradient of the whole (demo) training set against k quick steps on mini-batches (stochastic
gradient descent), and the cost C over the whole set after every step of each.

Both walks run on copies of the network (`Network.copy`), never on the one training or on show:
  careful:  θ ← θ − η ∇C(θ),            ∇C = (1/N) Σᵢ ∇Cᵢ over all N samples of the set
  stagger:  θ ← θ − η (1/n) Σ_{i∈B} ∇Cᵢ   over one mini-batch B of n, the set shuffled and cut
            into mini-batches (a new shuffle on every pass), as `core.training` does.
The gradients are `Network.gradient` (float64); C is `Network.evaluate`'s mean cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlpviz.core.arrays import frozen
from mlpviz.core.network import Network, NonFiniteError
from mlpviz.core.notation import fmt_sig
from mlpviz.core.walk.context import lr_text

DEMO_STEPS = 20  # steps each walk takes
DEMO_SAMPLES = 2_000  # the demo's "whole training set": a seeded random part of it, so it is quick
DEMO_SEED = 0
MAX_FAR_STEPS = 2_000  # the stagger given the careful walk's work: at most this many steps


@dataclass(frozen=True, eq=False)
class SgdDemo:
    """Both walks' costs.

    full_costs  (steps + 1,) C over the set at the start and after each full-gradient step
    sgd_costs   (steps + 1,) the same after each mini-batch step; entries after a cost stopped
                being finite (η too large) are NaN, and `diverged` says which walk did
    indices     the N samples of the set: rows of the training split
    batch_size  n, samples per mini-batch step (at most N)
    lr          η
    asked       the batch size asked for (the batch box; larger than N means n = N)
    far_steps   the stagger again, given the careful walk's work: steps · N / n mini-batch steps
                (at most MAX_FAR_STEPS), the first `steps` of them those of `sgd_costs` …
    far_cost    … and C after them (NaN if it stopped being finite)
    """

    full_costs: np.ndarray
    sgd_costs: np.ndarray
    indices: np.ndarray
    batch_size: int
    lr: float
    asked: int = 0
    far_steps: int = 0
    far_cost: float = float("nan")

    @property
    def steps(self) -> int:
        return len(self.full_costs) - 1

    @property
    def n_samples(self) -> int:
        return len(self.indices)

    def finite_steps(self, costs: np.ndarray) -> int:
        """How many steps kept C finite (all `steps` unless the walk blew up)."""
        bad = np.nonzero(~np.isfinite(costs))[0]
        return self.steps if bad.size == 0 else int(bad[0]) - 1

    def rises(self, costs: np.ndarray) -> int:
        """Steps after which C was higher than before (among the finite ones)."""
        c = costs[: self.finite_steps(costs) + 1]
        return int(np.count_nonzero(np.diff(c) > 0))

    @property
    def backprops_full(self) -> int:
        """Samples backpropagated by the careful walk: N per step."""
        return self.steps * self.n_samples

    @property
    def backprops_sgd(self) -> int:
        """Samples backpropagated by the stagger: n per step."""
        return self.steps * self.batch_size


def _finite(c: float) -> float:
    return float(c) if np.isfinite(c) else float("nan")


def _mean_cost(net: Network, X: np.ndarray, labels: np.ndarray) -> float:
    """C over the set, NaN when it cannot be computed (a walk that blew up)."""
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return _finite(net.evaluate(X, labels)[0])
    except NonFiniteError:  # the forward pass overflowed: weights too large to compute with
        return float("nan")


def _step(walker: Network, X, labels, rows, lr: float) -> float:
    """θ ← θ − η ∂C_B/∂θ for the rows B (None: all); returns C before the step for all rows
    (NaN when the forward pass overflows: the walk has blown up)."""
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            gw, gb, c = walker.gradient(X, labels) if rows is None else \
                walker.gradient(X[rows], labels[rows])
            walker.apply_step(gw, gb, lr)
    except NonFiniteError:
        return float("nan")
    return c


def _walk(net: Network, X, labels, batches, lr: float) -> tuple[np.ndarray, Network]:
    """Costs of a copy of `net` stepping θ ← θ − η ∂C_B/∂θ for each row set B in `batches` (None:
    the whole set, whose gradient comes with C before the step, so no separate evaluation), and
    the copy after its walk."""
    walker = net.copy()
    costs: list[float] = []
    for rows in batches:
        if costs and not np.isfinite(costs[-1]):
            break
        if rows is not None and not costs:
            costs.append(_mean_cost(walker, X, labels))
        c = _step(walker, X, labels, rows, lr)
        if rows is None:
            costs.append(_finite(c))
        else:
            costs.append(_mean_cost(walker, X, labels))
    if len(costs) == len(batches):  # the whole-set walk: C after its last step
        costs.append(_mean_cost(walker, X, labels))
    costs += [float("nan")] * (len(batches) + 1 - len(costs))
    return frozen(np.array(costs, dtype=np.float64)), walker


def _far(walker: Network, X, labels, batches, lr: float) -> float:
    """C after the stagger's walker takes the further `batches` (NaN if it blew up)."""
    for rows in batches:
        if not np.isfinite(_step(walker, X, labels, rows, lr)):
            return float("nan")
    return _mean_cost(walker, X, labels)


def sgd_demo(net: Network, images: np.ndarray, labels: np.ndarray, batch_size: int, lr: float,
             steps: int = DEMO_STEPS, n_samples: int = DEMO_SAMPLES,
             seed: int = DEMO_SEED) -> SgdDemo:
    """The two walks from `net` (left untouched) on N = min(n_samples, len(labels)) training
    samples drawn by a Generator seeded with `seed`: uint8 `images` (N_train, sizes[0]) and their
    `labels`. The mini-batches (of min(batch_size, N)) come from the same Generator."""
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.choice(len(labels), size=min(int(n_samples), len(labels)), replace=False))
    if len(pick) == 0 or steps < 1:
        raise ValueError("the demo needs at least one training sample and one step")
    X = images[pick] / 255.0
    y = np.asarray(labels)[pick].astype(np.intp)
    n = max(1, min(int(batch_size), len(pick)))
    per_pass = len(pick) // n
    far = max(steps, min(steps * per_pass, MAX_FAR_STEPS))
    order: list[np.ndarray] = []
    while len(order) < far:
        shuffled = rng.permutation(len(pick))
        order += [shuffled[i * n:(i + 1) * n] for i in range(per_pass)]
    full, _ = _walk(net, X, y, [None] * steps, lr)
    stagger, walker = _walk(net, X, y, order[:steps], lr)
    far_cost = _far(walker, X, y, order[steps:far], lr) if np.isfinite(stagger[-1]) \
        else float("nan")
    return SgdDemo(full, stagger, frozen(pick, np.intp), n, float(lr), int(batch_size), far,
                   far_cost)


def _c(v: float) -> str:
    return fmt_sig(v, 3)


def _times(N: int, n: int) -> str:
    """N / n as a count (20, 2,000) or to 3 digits (54.1)."""
    return f"{N // n:,}" if N % n == 0 else fmt_sig(N / n, 3)


def _went(d: SgdDemo, costs: np.ndarray) -> str:
    """ "C went from 3.96 to 0.893", or where the walk stopped being finite."""
    done = d.finite_steps(costs)
    if done < d.steps:
        return (f"C stopped being a finite number at step {done + 1}: η = {lr_text(d.lr)} is too "
                "large for this network")
    return f"C went from {_c(costs[0])} to {_c(costs[-1])}"


def demo_text(d: SgdDemo) -> str:
    """What the plot shows, in words, every number read from `d`."""
    n, N, k = d.batch_size, d.n_samples, d.steps
    head = (f"From this network, {k} steps of η = {lr_text(d.lr)} each, on {N:,} training samples "
            f"drawn at random. Careful walk: the gradient of all {N:,} every step "
            f"({d.backprops_full:,} backprops in all); {_went(d, d.full_costs)}.")
    if n >= N:
        return head + (f" A mini-batch of {max(d.asked, n):,} would take in all {N:,} here, so "
                       "the stagger is the same walk: lower the batch size to see SGD.")
    r, done = d.rises(d.sgd_costs), d.finite_steps(d.sgd_costs)
    uphill = (f", uphill on {r} of its {done} steps" if r
              else f", never uphill on these {done} steps")
    return (head + f" Stagger (SGD): one mini-batch of {n:,} per step ({d.backprops_sgd:,} "
            f"backprops in all, {_times(N, n)} times less work); {_went(d, d.sgd_costs)}"
            + (uphill if done else "") + "." + _far_text(d))


def _far_text(d: SgdDemo) -> str:
    """What the stagger does with (up to) the careful walk's work."""
    if d.far_steps <= d.steps or d.finite_steps(d.sgd_costs) < d.steps:
        return ""
    work = d.far_steps * d.batch_size
    given = ("Given the careful walk's" if work == d.backprops_full
             else f"Given {fmt_sig(100 * work / d.backprops_full, 2)} % of the careful walk's")
    if not np.isfinite(d.far_cost):
        return (f" {given} work, {d.far_steps:,} steps, the stagger's C stopped being a finite "
                "number.")
    return (f" {given} work ({work:,} backprops), the stagger takes {d.far_steps:,} steps and "
            f"reaches C = {_c(d.far_cost)} (the careful walk: {_c(d.full_costs[-1])}).")
