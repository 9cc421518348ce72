"""Backpropagation against central differences, for every activation × cost; a broken backprop
must be caught; the batch gradient must be the mean of the per-sample ones."""

import dataclasses

import numpy as np
import pytest

from mlpviz.core.activations import ACTIVATIONS
from mlpviz.core.costs import COSTS
from mlpviz.core.gradcheck import check_gradient
from mlpviz.core.network import Network

TOLERANCE = 1e-6


@pytest.fixture(scope="module")
def held_out(bundled):
    return bundled.test_images.astype(np.float64) / 255, bundled.test_labels.astype(np.intp)


@pytest.mark.parametrize("cost", sorted(COSTS))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_backprop_matches_central_differences(held_out, activation, cost):
    X, labels = held_out
    net = Network([784, 16, 16, 10], activation, cost, seed=3)
    result = check_gradient(net, X[5], labels[5])
    assert len(result.layers) == 3
    assert result.max_rel_error < TOLERANCE, result.offenders[:3]


def test_small_network_every_combination_several_samples(held_out):
    X, labels = held_out
    for activation in ACTIVATIONS:
        for cost in COSTS:
            net = Network([784, 5, 4, 10], activation, cost, seed=11)
            for i in (0, 1, 2):
                assert check_gradient(net, X[i], labels[i]).max_rel_error < TOLERANCE


def test_wrong_derivative_is_flagged(held_out):
    """A classic bug: σ' written as σ instead of σ(1 − σ)."""
    X, labels = held_out
    net = Network([784, 16, 16, 10], seed=0)
    net.act = dataclasses.replace(net.act, prime=net.act.f)
    result = check_gradient(net, X[0], labels[0])
    assert result.max_rel_error > 1e-2


def test_corrupted_trace_is_flagged_at_the_right_place(held_out):
    X, labels = held_out
    net = Network([784, 16, 16, 10], seed=0)
    trace = net.backprop(X[0], labels[0])
    grad_w = [g.copy() for g in trace.grad_w]
    grad_w[1][4, 7] = grad_w[1][4, 7] * 1.01 + 1e-6
    broken = dataclasses.replace(trace, grad_w=tuple(grad_w))
    result = check_gradient(net, X[0], labels[0], trace=broken)
    assert result.max_rel_error > 1e-3
    assert result.layers[1].max_rel_error_w > 1e-3
    assert result.layers[0].max_rel_error_w < TOLERANCE
    assert result.offenders[0][:4] == ("W", 1, 4, 7)


@pytest.mark.parametrize("cost", sorted(COSTS))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_batch_gradient_is_mean_of_per_sample_traces(held_out, activation, cost):
    X, labels = held_out[0][:25], held_out[1][:25]
    net = Network([784, 16, 16, 10], activation, cost, seed=1)
    grad_w, grad_b, mean_cost = net.gradient(X, labels)
    traces = [net.backprop(x, y) for x, y in zip(X, labels)]
    for l in range(net.L):
        np.testing.assert_allclose(grad_w[l], np.mean([t.grad_w[l] for t in traces], axis=0),
                                   rtol=1e-9, atol=1e-14)
        np.testing.assert_allclose(grad_b[l], np.mean([t.grad_b[l] for t in traces], axis=0),
                                   rtol=1e-9, atol=1e-14)
    assert mean_cost == pytest.approx(np.mean([t.cost for t in traces]), rel=1e-12)


def test_deep_sigmoid_network_passes_on_a_seeded_sample_of_neurons():
    """Tiny gradients deep in a sigmoid network are compared against the gradient's scale, not
    flagged as relative noise; big networks are checked on whole neurons drawn with a seed."""
    net = Network([784, 64, 64, 64, 64, 10], seed=1)
    x = np.random.default_rng(2).random(784)
    result = check_gradient(net, x, 4, max_params=6000)
    assert result.max_rel_error < 1e-6
    assert 0 < result.checked < result.total == net.parameter_count
    again = check_gradient(net, x, 4, max_params=6000)
    assert again.checked == result.checked and again.offenders == result.offenders


def test_sampled_check_still_flags_a_wrong_gradient():
    net = Network([784, 64, 64, 10], seed=0)
    x = np.random.default_rng(3).random(784)
    trace = net.backprop(x, 1)
    grad_b = list(trace.grad_b)
    grad_b[1] = grad_b[1] * 1.5  # every neuron of layer 2 is wrong, whichever are sampled
    broken = dataclasses.replace(trace, grad_b=tuple(grad_b))
    result = check_gradient(net, x, 1, trace=broken, max_params=3000)
    assert result.checked < result.total
    assert result.layers[1].max_rel_error_b > 0.1
