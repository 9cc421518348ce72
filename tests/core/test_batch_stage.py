"""Stage 9 (lesson point 16): a real mini-batch of the toolbar's size that contains the sample on
show, rows named by dataset index and label, and every count the text states true for the network
it describes (activations × costs × depths, trained or not, real, empty and drawn inputs)."""

import numpy as np
import pytest

from mlpviz.core.activations import ACTIVATIONS
from mlpviz.core.costs import COSTS
from mlpviz.core.gradient import param_value
from mlpviz.core.minibatch import minibatch_with
from mlpviz.core.network import Network
from mlpviz.core.notation import param_name
from mlpviz.core.walk import DIGITS, build_walk
from mlpviz.core.walk.batch import TABLE_ROWS


def _stage(net, bundled, x, label, split="", index=-1, size=8):
    mb = minibatch_with(bundled.train_images, bundled.train_labels, size, x, label, split, index,
                        "your drawing")
    return mb, build_walk(net, x, label, batch=mb, batch_size=size).stage("batch")


def _check_claims(net, mb, s):
    """Recount every claim from one backprop per sample; the sentence says what the counts say."""
    traces = [net.backprop(x, y) for x, y in zip(mb.X, mb.labels)]
    for pull in s.values["pulls"]:
        g = np.array([param_value(t.grad_w, t.grad_b, *pull.param) for t in traces])
        mean = g.mean()
        np.testing.assert_allclose(pull.mean, mean, rtol=1e-9, atol=1e-15)
        assert pull.zero == int(np.sum(g == 0)) and pull.n == len(mb)
        if pull.mean == 0:
            assert pull.against == 0 and "exactly 0" in pull.sentence()
            continue
        against = int(np.sum(g * pull.mean < 0))
        assert pull.against == against
        assert pull.shown_against == (g[mb.shown] * pull.mean < 0)
        if against:
            verb = "pulls" if against == 1 else "pull"
            assert f"{against:,} of the {len(mb):,} samples {verb} the other way" \
                in pull.sentence()
        else:
            assert "agrees with their average" in pull.sentence()
    assert s.values["pulls"][0].sentence() in s.text
    for bad in ("NaN", "∞", "#1 ", "often pulling"):
        assert bad not in s.text and bad not in s.formula


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("cost", sorted(COSTS))
@pytest.mark.parametrize("hidden", [[16], [16, 12, 8]])
def test_the_claims_are_true_over_many_networks(bundled, activation, cost, hidden):
    net = Network([784, *hidden, 10], activation=activation, cost=cost, seed=5)
    X, y = bundled.test_images / 255.0, bundled.test_labels
    empty = np.zeros(784)
    noise = np.random.default_rng(0).random(784)
    for x, label, split, index in ((X[351], y[351], "test", 351),
                                   (bundled.train_images[40] / 255.0, bundled.train_labels[40],
                                    "train", 40),
                                   (empty, 3, "", -1), (noise, 8, "", -1)):
        mb, s = _stage(net, bundled, x, int(label), split, index)
        _check_claims(net, mb, s)


def test_the_batch_has_the_sample_on_show_with_real_indices_and_labels(bundled):
    net = Network([784, 16, 16, 10], seed=0)
    x, label = bundled.test_images[351] / 255.0, int(bundled.test_labels[351])
    mb, s = _stage(net, bundled, x, label, "test", 351, size=100)
    assert len(s.rows) == TABLE_ROWS + 1 and s.highlight == 0
    assert "the table lists the first 32" in s.text
    assert s.rows[0][:2] == ("held-out #351 (on show)", DIGITS[label])
    # the sample on show's own −∂C/∂θ in its row
    t = net.backprop(x, label)
    own = [-param_value(t.grad_w, t.grad_b, *p) for p in s.values["params"]]
    np.testing.assert_allclose(s.row_values[0][2:], own, rtol=1e-9, atol=1e-15)
    for row, i in zip(s.rows[1:-1], mb.indices[1:]):
        assert row[0] == f"training #{i}" and row[1] == DIGITS[bundled.train_labels[i]]
    assert "not a training sample, and 99 training samples" in s.text
    assert "mini-batch of 100" in s.text
    assert s.rows[-1][0] == "average of 100"
    np.testing.assert_allclose(s.values["mean"], s.values["batch_gradient"], rtol=1e-9,
                               atol=1e-16)


def test_a_training_sample_on_show_is_one_of_the_batch(bundled):
    net = Network([784, 16, 16, 10], seed=0)
    x = bundled.train_images[12] / 255.0
    mb, s = _stage(net, bundled, x, int(bundled.train_labels[12]), "train", 12, size=30)
    assert s.rows[0][0] == "training #12 (on show)" and not s.values["added"]
    assert list(s.values["indices"]).count(12) == 1 and len(s.rows) == 31
    assert "mini-batch of 30 training samples" in s.text and "added" not in s.text


def test_a_big_batch_lists_a_hundred_and_counts_them_all(bundled):
    net = Network([784, 16, 10], seed=0)
    x = bundled.test_images[0] / 255.0
    mb, s = _stage(net, bundled, x, int(bundled.test_labels[0]), "test", 0, size=1000)
    assert len(s.rows) == TABLE_ROWS + 1 and s.values["grads"].shape[0] == 1000
    assert s.values["pulls"][0].n == 1000 and "the table lists the first 32" in s.text
    assert "average of 1,000" in s.rows[-1][0] and "+ … +" in s.formula
    mb, s = _stage(net, bundled, x, int(bundled.test_labels[0]), "test", 0, size=10_000)
    assert len(mb) == 8001 and "the batch box says 10,000, but there are no more samples" in s.text


def test_a_dead_lever_is_said_to_do_nothing(bundled):
    """A relu network with zero biases on an empty image: every first-layer weight's ∂C/∂w is
    exactly 0 for the sample on show; for a weight nobody moves, the text says so."""
    net = Network([784, 16, 10], activation="relu", seed=0)
    mb, s = _stage(net, bundled, np.zeros(784), 3)
    _check_claims(net, mb, s)
    names = [param_name(*p.param) for p in s.values["pulls"]]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("steps", [80, 300])
def test_the_claims_are_true_on_trained_networks(bundled, trained_default, steps):
    net = trained_default(steps).network()
    for i in (0, 351, 1999):
        x, label = bundled.test_images[i] / 255.0, int(bundled.test_labels[i])
        mb, s = _stage(net, bundled, x, label, "test", i, size=100)
        _check_claims(net, mb, s)
