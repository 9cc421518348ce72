"""Defaults that learn: every activation × cost, with every setting left at its default (the
table's η, the record's initialisation, batch 100, seed 0), reaches 90 % held-out accuracy on the
bundled digits in 10 epochs."""

import pytest

from mlpviz.core.activations import ACTIVATIONS
from mlpviz.core.costs import COSTS
from mlpviz.core.network import Network
from mlpviz.core.training import Trainer, default_lr


@pytest.mark.parametrize("cost", sorted(COSTS))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_every_activation_and_cost_learns_with_its_defaults(bundled, activation, cost):
    net = Network([784, 16, 16, 10], activation, cost, seed=0)
    trainer = Trainer(net, bundled.train_images, bundled.train_labels, bundled.test_images,
                      bundled.test_labels)  # no lr: the default
    assert trainer.lr == default_lr(cost, activation, 2)
    reports = [r for r in trainer.run(10) if hasattr(r, "test_accuracy")]
    assert reports[-1].test_accuracy >= 0.90, [round(r.test_accuracy, 3) for r in reports]


def test_the_table_covers_every_activation_cost_and_depth():
    for act in ACTIVATIONS.values():
        for cost in COSTS:
            for depth in (1, 2, 3, 4):
                assert 0 < act.default_lr(cost, depth) < 100


def test_four_sigmoid_hidden_layers_learn_with_their_default(bundled):
    """Depth: η × lr_depth_factor per hidden layer beyond two; at η = 3 this network sat near
    chance (29 % after 10 epochs)."""
    net = Network([784, 16, 16, 16, 16, 10], "sigmoid", "mse", seed=0)
    trainer = Trainer(net, bundled.train_images, bundled.train_labels, bundled.test_images,
                      bundled.test_labels)
    assert trainer.lr == pytest.approx(3.0 * 1.4 ** 2)
    reports = [r for r in trainer.run(10) if hasattr(r, "test_accuracy")]
    assert reports[-1].test_accuracy >= 0.60, [round(r.test_accuracy, 3) for r in reports]
