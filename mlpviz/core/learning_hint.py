"""When training stops making progress, say which way and what to change: a detector over the
network and its per-epoch history that returns data (the condition and its numbers) and a plain
sentence with a suggestion, for the window's banner.

Conditions, checked in this order (the first that holds is the hint):
- "not finite": an epoch's cost is NaN or infinite.
- "dead": in some layer at least half the units have σ'(z) = 0 for every probe sample (relu units
  that are off for every input): no gradient flows through them, and they never come back.
- "saturated": at least half the σ units have a mean σ'(z) below 1 % of σ's largest slope over the
  probe samples: their gradients almost vanish.
- "chance": after an epoch, held-out (else training) accuracy is within 5 points of guessing.
- "flat": after three epochs, the training cost moved by less than 0.1 % over the last two while
  the accuracy is below 80 %.
Nothing is said about a network that learns (tests hold healthy runs to no hint), nor on fewer
than MIN_SAMPLES samples (three images at 0 % say nothing about learning).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from mlpviz.core.network import Feedforward
from mlpviz.core.notation import fmt_sig
from mlpviz.core.training import default_lr
from mlpviz.i18n import _, ngettext

DEAD_FRACTION = 0.5  # of a layer's units with σ' = 0 for every probe sample
SATURATED_FRACTION = 0.5  # of all σ units with a mean σ' below SATURATED_SLOPE · σ'max
SATURATED_SLOPE = 0.01
CHANCE_MARGIN = 0.05  # accuracy within this of 1 / classes counts as guessing
FLAT_CHANGE = 1e-3  # relative change of the training cost over the last two epochs
FLAT_ACCURACY = 0.8
PROBE = 500  # training samples the units are judged on
MIN_SAMPLES = 100  # fewer samples than this: accuracy and unit states jump by luck; no hint


@dataclass(frozen=True)
class LearningHint:
    """Why training is not making progress: `condition` ("not finite", "dead", "saturated",
    "chance", "flat"), the numbers it rests on, and the sentence the banner shows."""

    condition: str
    numbers: dict = field(default_factory=dict)
    sentence: str = ""


def _lr_advice(lr: float, default: float, why: str) -> str:
    """What to change about η, from how far it is from the default for this network."""
    if lr > 1.5 * default:
        return (_("Lower the learning rate η from {lr} to {default} (the default for this "
                  "network) and press Rebuild to start again.") if why else
                _("Lower the learning rate η from {lr} to {default} (the default for this "
                  "network) and press Rebuild.")).format(lr=f"{lr:.4g}", default=f"{default:.4g}")
    if lr < default / 10:
        return _("Raise the learning rate η from {lr} to {default} (the default for this "
                 "network): its steps are too small to get anywhere.").format(
                     lr=f"{lr:.4g}", default=f"{default:.4g}")
    return _("Press Rebuild to start again from new weights, or try cross-entropy, fewer hidden "
             "layers or another activation.")


def _unit_slopes(net: Feedforward, X: np.ndarray):
    """Per σ layer m (hidden layers, and the output unless it is a softmax): (m, σ'(z) / σ'max of
    every probe sample and unit, shape (n, sizes[m]))."""
    zs, _ = net.forward_layers(X)
    act = net.act
    last = net.L if not net.cost_fn.softmax_output else net.L - 1
    return [(m, act.prime(zs[m]) / act.prime_max) for m in range(1, last + 1)]


def _layer_name(net: Feedforward, m: int) -> str:
    return _("the output layer") if m == net.L else _("hidden layer {m}").format(m=m)


def diagnose(net: Feedforward, X: np.ndarray, history: Sequence, lr: float,
             default_lr: float, judged: int | None = None) -> LearningHint | None:
    """The hint for a network `net` (a Network or Snapshot) after the epochs in `history`
    (`EpochReport`s, oldest first), judged on probe samples X (n, sizes[0]) from the training
    data; `lr` is the η in use, `default_lr` the one that learns for this network; `judged` the
    number of samples the history's accuracy was measured on (None: not known). None when
    nothing is wrong, or when too few samples (MIN_SAMPLES) back a judgement."""
    if history:
        last = history[-1]
        if not (math.isfinite(last.train_cost) and (math.isnan(last.test_cost)
                                                    or math.isfinite(last.test_cost))):
            return LearningHint("not finite", {"cost": last.train_cost}, (
                _("The cost is no longer a finite number ({cost}): the steps overshoot further "
                  "each time.").format(cost=fmt_sig(last.train_cost)) + " "
                + _lr_advice(lr, default_lr, "")))
    if len(X) >= MIN_SAMPLES:
        hint = _units_hint(net, np.asarray(X, dtype=np.float64), lr, default_lr)
        if hint is not None:
            return hint
    if history and (judged is None or judged >= MIN_SAMPLES):
        hint = _progress_hint(net, history, lr, default_lr)
        if hint is not None:
            return hint
    return None


def _units_hint(net: Feedforward, X: np.ndarray, lr: float, default: float) -> LearningHint | None:
    """Dead units (σ' = 0 for every sample) in a layer, or most σ units saturated."""
    slopes = _unit_slopes(net, X)
    for m, s in slopes if net.act.has_kink else ():  # a smooth σ' is never exactly 0 by design
        dead = int(np.sum(np.all(s == 0, axis=0)))
        if dead >= DEAD_FRACTION * s.shape[1] and s.shape[1] > 0:
            return LearningHint("dead", {"layer": m, "dead": dead, "units": s.shape[1]}, (
                _("Learning has stopped in {layer}: {dead} of its {units} units give {f}'(z) = 0 "
                  "for every one of {n} training samples (they are off for every input), so no "
                  "gradient flows through them and they never come back.").format(
                      layer=_layer_name(net, m), dead=dead, units=s.shape[1], f=net.act.symbol,
                      n=len(X)) + " " + _lr_advice(lr, default, " to start again")))
    units = sum(s.shape[1] for _, s in slopes)
    flat = sum(int(np.sum(s.mean(axis=0) < SATURATED_SLOPE)) for _, s in slopes)
    if units and flat >= SATURATED_FRACTION * units and not net.act.has_kink:
        return LearningHint("saturated", {"saturated": flat, "units": units}, (
            _("The neurons are saturated: {flat} of {units} sit where {f}'(z) is below {percent} "
              "of its largest value for the training samples, so their gradients almost vanish "
              "and learning crawls.").format(  # the "%" in `percent`: a "% o" in a message
                  flat=flat, units=units, f=net.act.symbol,  # is a %-format to gettext tools
                  percent=f"{fmt_sig(SATURATED_SLOPE * 100, 2)} %")
            + " " + _lr_advice(lr, default, " to start again")))
    return None


def _progress_hint(net: Feedforward, history: Sequence, lr: float,
                   default: float) -> LearningHint | None:
    """Accuracy at chance after an epoch; or a flat cost over the last two of three epochs."""
    last = history[-1]
    classes = net.sizes[-1]
    accuracy = last.test_accuracy if math.isfinite(last.test_accuracy) else last.train_accuracy
    chance = 1 / classes
    if accuracy <= chance + CHANCE_MARGIN:
        return LearningHint("chance", {"accuracy": accuracy, "chance": chance,
                                       "epochs": last.epoch}, (
            ngettext("After {epochs} epoch the network is right on {accuracy} of the samples — "
                     "what guessing among {classes} classes gives ({chance}): it is not learning.",
                     "After {epochs} epochs the network is right on {accuracy} of the samples — "
                     "what guessing among {classes} classes gives ({chance}): it is not learning.",
                     last.epoch).format(epochs=last.epoch, accuracy=f"{accuracy:.1%}",
                                        classes=classes, chance=f"{chance:.0%}")
            + " " + _lr_advice(lr, default, "")))
    if len(history) >= 3:
        before, now = history[-3].train_cost, last.train_cost
        change = abs(now - before) / max(abs(before), 1e-300)
        if change < FLAT_CHANGE and last.train_accuracy < FLAT_ACCURACY:
            return LearningHint("flat", {"cost_before": before, "cost_now": now,
                                         "accuracy": last.train_accuracy}, (
                _("The cost has hardly moved over the last two epochs ({before} → {now}) at "
                  "{accuracy} accuracy: learning is stuck.").format(
                      before=fmt_sig(before), now=fmt_sig(now),
                      accuracy=f"{last.train_accuracy:.0%}")
                + " " + _lr_advice(lr, default, "")))
    return None


def learning_hint(net: Feedforward, train_x: np.ndarray, history: Sequence,
                  lr: float, judged: int | None = None) -> LearningHint | None:
    """`diagnose` as the window asks it: on the first PROBE training samples (train_x scaled to
    0 … 1), with the default η for this network's activation, cost and depth; no hint at all for
    a dataset of fewer than MIN_SAMPLES training samples."""
    if len(train_x) < MIN_SAMPLES:
        return None
    default = default_lr(net.cost_fn, net.act, net.L - 1)
    return diagnose(net, np.asarray(train_x[:PROBE]), history, lr, default, judged)
