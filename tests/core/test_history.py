"""StepHistory: the stepper's undo, without Qt — exact restore, and forgetting once the network
on show has moved on."""

import numpy as np
import pytest

from mlpviz.core.history import StepHistory, same_parameters
from mlpviz.core.network import Network


def params(net):
    return tuple(net.weights), tuple(net.biases)


def stepped(net, seed):
    """`net` after one made-up gradient step (a seeded nudge of every parameter)."""
    rng = np.random.default_rng(seed)
    out = net.copy()
    out.apply_step([rng.standard_normal(W.shape) for W in out.weights],
                   [rng.standard_normal(b.shape) for b in out.biases], 0.1)
    return out


@pytest.fixture
def nets():
    """θ₀ and two steps from it, θ₁ and θ₂."""
    n0 = Network([12, 5, 3], seed=0)
    n1 = stepped(n0, 1)
    return n0, n1, stepped(n1, 2)


def test_undo_restores_the_parameters_bit_for_bit(nets):
    n0, n1, n2 = nets
    h = StepHistory()
    h.show(*params(n0))
    assert not h.can_undo and h.undo() is None
    assert same_parameters(h.step(params(n0), params(n1)), params(n1))
    assert h.waiting and len(h) == 1
    assert h.show(*params(n1)) and not h.waiting
    h.step(params(n1), params(n2))
    assert h.show(*params(n2)) and len(h) == 2
    back = h.undo()
    assert same_parameters(back, params(n1)) and h.show(*back)
    back = h.undo()
    for a, b in zip(back[0] + back[1], n0.weights + n0.biases, strict=True):
        assert a.dtype == np.float64 and np.array_equal(a, b)
    assert h.show(*back) and not h.can_undo


def test_what_undo_puts_back_cannot_be_changed_by_the_caller(nets):
    n0, n1, _ = nets
    weights, biases = [W.copy() for W in n0.weights], [b.copy() for b in n0.biases]
    h = StepHistory()
    h.step((weights, biases), params(n1))
    weights[0][0, 0] += 1.0  # the caller reuses its arrays
    back = h.undo()
    assert back[0][0][0, 0] == n0.weights[0][0, 0]
    assert not back[0][0].flags.writeable


def test_the_network_before_the_answer_keeps_the_history(nets):
    n0, n1, _ = nets
    h = StepHistory()
    h.show(*params(n0))
    h.step(params(n0), params(n1))
    assert h.show(*params(n0))  # shown again before the step arrives (a pause re-sends it)
    assert h.can_undo and h.waiting
    assert h.show(*params(n1)) and h.can_undo


@pytest.mark.parametrize("when", ["before the step arrives", "after it arrived"])
def test_a_network_that_moved_on_forgets_the_history(nets, when):
    n0, n1, n2 = nets
    h = StepHistory()
    h.show(*params(n0))
    h.step(params(n0), params(n1))
    if when == "after it arrived":
        h.show(*params(n1))
    trained = stepped(n0, 7)  # training, a reset, another model: none of ours
    assert not h.show(*params(trained))
    assert not h.can_undo and not h.waiting and h.undo() is None
    assert not h.show(*params(n1))  # what we once proposed is not ours any more either
    assert h.show(*params(n1))  # but the same network shown twice is still the one on show


def test_a_new_architecture_is_another_network(nets):
    n0, n1, _ = nets
    h = StepHistory()
    h.show(*params(n0))
    h.step(params(n0), params(n1))
    assert not h.show(*params(Network([12, 4, 4, 3], seed=0)))
    assert not h.can_undo


def test_same_parameters():
    a, b = Network([6, 3, 2], seed=0), Network([6, 3, 2], seed=1)
    assert same_parameters(params(a), params(a.copy()))
    assert not same_parameters(params(a), params(b))
    assert not same_parameters(params(a), None) and not same_parameters(None, None)
    assert not same_parameters(params(a), params(Network([6, 3, 3, 2], seed=0)))
