"""Last good weights (core.last_good) and the overflow check (core.finite): the rule that says a
run collapsed, the best checkpoint kept, and the layer where a forward pass stops being finite."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlpviz.core import Network, Snapshot
from mlpviz.core.finite import parameters_problem, range_problem
from mlpviz.core.network import NonFiniteError
from mlpviz.core.last_good import (ABOVE_CHANCE, FALL, MIN_HELD_OUT, Checkpoint, LastGood,
                                   collapsed)

accuracies = st.floats(0, 1)


def test_the_issue_reproducer_collapses_and_ordinary_noise_does_not():
    assert collapsed(0.93, 0.10, 10, 2000)  # η = 1000 on a trained sigmoid network
    assert not collapsed(0.93, 0.88, 10, 2000)  # an unlucky epoch
    assert not collapsed(0.25, 0.12, 10, 2000)  # never learned much: nothing to protect
    assert not collapsed(1.0, 0.0, 10, 2)  # two held-out samples: luck
    assert not collapsed(math.nan, 0.1, 10, 2000) and not collapsed(0.9, math.nan, 10, 2000)


@given(best=accuracies, now=accuracies, n=st.integers(2, 100), held_out=st.integers(0, 10**5))
def test_collapse_is_a_fall_of_half_the_way_to_chance_from_a_trained_best(best, now, n,
                                                                         held_out):
    chance = 1 / n
    expected = (best >= chance + ABOVE_CHANCE and best - now >= FALL * (best - chance)
                and held_out >= MIN_HELD_OUT)
    assert collapsed(best, now, n, held_out) == expected
    if collapsed(best, now, n, held_out):
        assert now < best and now <= (best + chance) / 2 + 1e-12


@given(st.lists(st.one_of(accuracies, st.just(math.nan)), max_size=20))
def test_the_best_measured_checkpoint_is_kept(accs):
    snap = Snapshot.of(Network([4, 3, 2], seed=0))
    keep = LastGood()
    for i, a in enumerate(accs):
        keep.offer(Checkpoint(snap, a, f"#{i}"))
    measured = [(a, i) for i, a in enumerate(accs) if not math.isnan(a)]
    if not measured:
        assert keep.best is None
    else:
        top = max(a for a, _ in measured)
        last_top = max(i for a, i in measured if a == top)  # the later of equal ones
        assert (keep.best.accuracy, keep.best.when) == (top, f"#{last_top}")
    keep.clear()
    assert keep.best is None


def test_a_checkpoint_describes_what_it_holds():
    snap = Snapshot.of(Network([4, 3, 2], seed=0))
    assert Checkpoint(snap, 0.931, "at the end of epoch 5").describe() == (
        "the weights at the end of epoch 5 (held-out accuracy 93.1 %)")
    assert "nan" not in Checkpoint(snap, math.nan, "x").describe()


def huge(activation, cost, factor, seed=0):
    """A default-shaped network whose weights are multiplied by `factor` (finite, maybe huge)."""
    net = Network([784, 16, 16, 10], activation, cost, seed=seed)
    net.set_parameters([W * factor for W in net.weights], net.biases)
    return net


@pytest.mark.parametrize("activation, cost", [("relu", "cross_entropy"), ("relu", "mse"),
                                              ("sigmoid", "cross_entropy"), ("tanh", "mse")])
@pytest.mark.parametrize("factor", [1e120, 1e200, 1e300])
def test_a_network_that_overflows_or_exceeds_float32_is_named(bundled, activation, cost, factor):
    X = bundled.test_x()[:200]
    net = huge(activation, cost, factor)
    problem = parameters_problem(net, X)
    try:
        net.forward_layers(X)
    except NonFiniteError as e:  # the layer where the forward pass overflows (core.network)
        assert problem == str(e) and f"layer {e.layer}" in problem
    else:  # saturated σ / tanh with a stable softmax: every number finite, but not float32's
        assert problem == range_problem(net.weights, net.biases) and "W⁽¹⁾" in problem
    if activation == "relu":
        assert "overflows at layer" in problem  # the issue's reproducer: relu × 1e120


@given(factor=st.floats(1e-3, 1e3), seed=st.integers(0, 5),
       activation=st.sampled_from(["sigmoid", "tanh", "relu"]),
       cost=st.sampled_from(["mse", "cross_entropy"]))
def test_ordinary_networks_pass(bundled, factor, seed, activation, cost):
    net = huge(activation, cost, factor, seed)
    assert parameters_problem(net, bundled.test_x()[:50]) is None


def test_parameters_beyond_float32_are_named():
    net = Network([4, 3, 2], seed=0)
    assert range_problem(net.weights, net.biases) is None
    biases = [b.copy() for b in net.biases]
    biases[1][0] = -1e39
    problem = range_problem(net.weights, biases)
    assert problem.startswith("b⁽²⁾ holds numbers beyond ±3.4e+38")


@pytest.mark.parametrize("factor", [1e15, 1e20, 1e30])
def test_a_step_that_would_diverge_keeps_the_weights_and_says_so_in_words(bundled, factor):
    from mlpviz.core import Trainer
    from mlpviz.core.training import TrainingDiverged

    net = huge("relu", "cross_entropy", factor)
    trainer = Trainer(net, bundled.train_images[:200], bundled.train_labels[:200], seed=0)
    before = [W.copy() for W in trainer.W]
    with pytest.raises(TrainingDiverged) as caught:
        trainer.step()
    message = str(caught.value)
    assert "last good weights are kept" in message
    assert not {"nan", "inf", "-inf"} & set(message.replace(")", " ").split())
    assert all(np.array_equal(a, b) for a, b in zip(trainer.W, before))
