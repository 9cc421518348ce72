"""The not-learning hint on real runs: collapsed ones name their condition in a sentence with a
suggestion; healthy ones raise no hint."""

import numpy as np
import pytest

from mlpviz.core.activations import ACTIVATIONS
from mlpviz.core.costs import COSTS
from mlpviz.core.learning_hint import MIN_SAMPLES, LearningHint, diagnose, learning_hint
from mlpviz.core.network import Network
from mlpviz.core.training import EpochReport, Trainer, TrainingDiverged, default_lr


def _train(bundled, hidden, activation, cost, lr, epochs):
    """(network, epoch reports) after training; a diverging step ends the run where it was."""
    net = Network([784, *hidden, 10], activation, cost, seed=0)
    trainer = Trainer(net, bundled.train_images, bundled.train_labels, bundled.test_images,
                      bundled.test_labels, lr=lr, seed=0)
    history = []
    try:
        for r in trainer.run(epochs):
            if isinstance(r, EpochReport):
                history.append(r)
    except TrainingDiverged:
        pass
    return trainer.sync(), history


def _hint(bundled, net, history, lr):
    return learning_hint(net, bundled.train_x(), history, lr)


@pytest.mark.parametrize("lr", [3.0, 100.0])
def test_dead_relu_units_are_named(bundled, lr):
    net, history = _train(bundled, [16, 16], "relu", "mse", lr, 1)
    hint = _hint(bundled, net, history, lr)
    assert isinstance(hint, LearningHint) and hint.condition == "dead", hint
    assert hint.numbers["dead"] >= hint.numbers["units"] / 2
    assert f"{hint.numbers['dead']} of its {hint.numbers['units']} units" in hint.sentence
    assert "Lower the learning rate" in hint.sentence
    assert f"to {default_lr('mse', 'relu'):g}" in hint.sentence


def test_four_sigmoid_hidden_layers_at_chance_are_named(bundled):
    net, history = _train(bundled, [16, 16, 16, 16], "sigmoid", "mse", 3.0, 2)
    hint = _hint(bundled, net, history, 3.0)
    assert hint is not None and hint.condition in ("chance", "saturated"), hint
    if hint.condition == "chance":
        assert hint.numbers["accuracy"] < 0.15 and "guessing" in hint.sentence
        assert f"{hint.numbers['accuracy']:.1%}" in hint.sentence


def test_saturation_at_a_huge_learning_rate_is_named(bundled):
    net, history = _train(bundled, [16, 16], "sigmoid", "mse", 100.0, 1)
    hint = _hint(bundled, net, history, 100.0)
    assert hint is not None and hint.condition == "saturated", hint
    assert "saturated" in hint.sentence and "from 100 to 3" in hint.sentence


@pytest.mark.parametrize("cost", sorted(COSTS))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_healthy_runs_raise_no_hint(bundled, activation, cost):
    lr = default_lr(cost, activation)
    net, history = _train(bundled, [16, 16], activation, cost, lr, 3)
    for n in (1, 2, 3):
        assert _hint(bundled, net, history[:n], lr) is None
    fresh = Network([784, 16, 16, 10], activation, cost, seed=0)
    assert _hint(bundled, fresh, [], lr) is None


def test_a_flat_cost_and_a_non_finite_one(bundled):
    net = Network([784, 16, 16, 10], seed=0)
    flat = [EpochReport(e, 0.5, 0.6, 0.5, 0.6, 1.0, 1.0) for e in (1, 2, 3)]
    hint = diagnose(net, np.zeros((0, 784)), flat, 0.01, 3.0)
    assert hint.condition == "flat" and "Raise the learning rate η from 0.01 to 3" in hint.sentence
    broken = [EpochReport(1, float("nan"), 0.1, float("nan"), 0.1, 1.0, 1.0)]
    hint = diagnose(net, np.zeros((0, 784)), broken, 3.0, 3.0)
    assert hint.condition == "not finite" and "NaN" in hint.sentence


def test_no_hint_on_too_few_samples_to_judge():
    """Three training images at 0 % after an epoch say nothing about learning."""
    net = Network([784, 16, 16, 10], seed=0)
    report = EpochReport(epoch=1, train_cost=0.9, train_accuracy=0.0, test_cost=0.9,
                         test_accuracy=0.0, seconds=1.0, samples_per_second=3.0)
    X = np.zeros((3, 784))
    assert diagnose(net, X, [report], 3.0, 3.0, judged=2) is None
    assert diagnose(net, np.zeros((MIN_SAMPLES, 784)), [report], 3.0, 3.0,
                    judged=MIN_SAMPLES).condition == "chance"
