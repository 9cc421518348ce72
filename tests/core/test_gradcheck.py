"""Backpropagation against central differences: no false "disagrees" on a grid of healthy networks
(fresh, trained, collapsed, relu kinks, float64-only arithmetic), while every planted bug is
caught; the batch gradient must be the mean of the per-sample ones."""

import dataclasses

import numpy as np
import pytest

from mlpviz.core import gradcheck as gc
from mlpviz.core.activations import ACTIVATIONS
from mlpviz.core.costs import COSTS
from mlpviz.core.gradcheck import (
    AGREES, DISAGREES, KINK, NOT_DIFFERENTIABLE, NOT_FINITE, TOO_SMALL, check_gradient,
)
from mlpviz.core.network import Network
from mlpviz.core.training import Trainer

DTYPES = [np.longdouble, np.float64]  # the platform's widest float, and float64 alone


@pytest.fixture(scope="module")
def held_out(bundled):
    return bundled.test_images.astype(np.float64) / 255, bundled.test_labels.astype(np.intp)


@pytest.fixture(scope="module")
def collapsed_tanh(bundled):
    """The issue's network: tanh/mse trained one epoch at η = 3 (it collapses to ~10 %)."""
    net = Network([784, 16, 16, 10], "tanh", "mse", seed=0)
    trainer = Trainer(net, bundled.train_images, bundled.train_labels, lr=3.0, seed=0)
    for _ in trainer.run(1):
        pass
    return trainer.sync()


@pytest.fixture(scope="module")
def trained(bundled):
    """Every activation × cost trained one epoch at its default η."""
    nets = {}
    for activation in ACTIVATIONS:
        for cost in COSTS:
            net = Network([784, 16, 16, 10], activation, cost, seed=1)
            trainer = Trainer(net, bundled.train_images, bundled.train_labels, seed=1)
            for _ in trainer.run(1):
                pass
            nets[activation, cost] = trainer.sync()
    return nets


def _healthy(result) -> bool:
    return result.ok and result.count(DISAGREES) == result.count(NOT_FINITE) == 0


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cost", sorted(COSTS))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_fresh_and_trained_networks_pass(held_out, trained, activation, cost, dtype):
    X, labels = held_out
    for net in (Network([784, 16, 16, 10], activation, cost, seed=3), trained[activation, cost],
                Network([784, 5, 4, 3, 10], activation, cost, seed=11)):
        for i in (0, 5, 17):
            result = check_gradient(net, X[i], labels[i], dtype=dtype)
            assert _healthy(result), (i, result.offenders[:3])
            assert result.checked == result.total == net.parameter_count


@pytest.mark.parametrize("dtype", DTYPES)
def test_collapsed_tanh_network_is_not_called_wrong(held_out, collapsed_tanh, dtype):
    """Gradients of 1e-13 are one rounding step of C over 2h: "too small to check", not wrong."""
    X, labels = held_out
    seen_small = 0
    for i in range(12):
        result = check_gradient(collapsed_tanh, X[i], labels[i], dtype=dtype)
        assert _healthy(result), (i, result.offenders[:3])
        seen_small += result.count(TOO_SMALL)
    assert seen_small > 0  # the check says so where that is the truth


def test_24_fresh_default_networks_pass_in_float64_only(held_out):
    X, labels = held_out
    for seed in range(24):
        result = check_gradient(Network([784, 16, 16, 10], seed=seed), X[seed], labels[seed],
                                dtype=np.float64)
        assert _healthy(result) and result.count(AGREES) == 13002, (seed, result.offenders[:3])


def test_relu_exactly_at_its_kink_is_not_differentiable_not_wrong():
    """A relu network with zero biases (as PyTorch initialises some, or imported ones): an empty
    image puts every hidden z exactly at 0."""
    for cost in COSTS:
        net = Network([784, 16, 16, 10], "relu", cost, seed=0)
        for b in net.biases:
            b[:] = 0
        result = check_gradient(net, np.zeros(784), 3)
        assert result.ok and result.count(NOT_DIFFERENTIABLE) > 0
        assert result.count(DISAGREES) == 0
        # weights from black pixels do not reach C at all: exactly 0 both ways, agreeing
        assert result.layers[0].count(AGREES) >= 784 * 16


def test_relu_kink_within_the_step_is_flagged(held_out):
    """A unit a hair's breadth from z = 0 is crossed by the central difference: no derivative."""
    X, labels = held_out
    net = Network([784, 16, 16, 10], "relu", "mse", seed=2)
    z = net.weights[0] @ X[0]
    net.biases[0][4] = -z[4] + 1e-9  # unit 4 of layer 1 sits 1e-9 above its kink
    result = check_gradient(net, X[0], labels[0], dtype=np.float64)
    assert result.ok and result.layers[0].count(KINK) > 0
    assert result.layers[0].worst.verdict == KINK


# --- planted bugs -------------------------------------------------------------------------------


def _backprop_with(net, x, label, *, prime=None, transpose=False):
    """A hand-written backprop with a planted bug: σ' replaced by `prime`, or the square W^1
    (16×16) used transposed in the backward pass."""
    t = net.backprop(x, label)
    prime = prime or net.act.prime
    L = net.L
    gz = t.grad_z[L] if net.cost_fn.softmax_output else t.grad_a[L] * prime(t.z[L])
    grad_w, grad_b = [None] * L, [None] * L
    for l in range(L - 1, -1, -1):
        grad_w[l], grad_b[l] = np.outer(gz, t.a[l]), gz.copy()
        W = t.W[l].T if transpose and l == 1 else t.W[l]
        gz = (W.T @ gz) * prime(t.z[l])
    return dataclasses.replace(t, grad_w=tuple(grad_w), grad_b=tuple(grad_b))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_wrong_derivative_is_caught(held_out, activation, dtype):
    """A classic bug: σ' written as σ."""
    X, labels = held_out
    net = Network([784, 16, 16, 10], activation, "mse", seed=0)
    broken = _backprop_with(net, X[0], labels[0], prime=net.act.f)
    result = check_gradient(net, X[0], labels[0], trace=broken, dtype=dtype)
    assert not result.ok and result.count(DISAGREES) > 1000


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cost", sorted(COSTS))
def test_transposed_weights_are_caught(held_out, cost, dtype):
    X, labels = held_out
    net = Network([784, 16, 16, 10], "sigmoid", cost, seed=0)
    broken = _backprop_with(net, X[0], labels[0], transpose=True)
    result = check_gradient(net, X[0], labels[0], trace=broken, dtype=dtype)
    assert not result.ok and [c.layer for c in result.layers if c.failed] == [0]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_one_weight_off_by_a_thousandth_is_caught_at_the_right_place(held_out, trained,
                                                                     activation, dtype):
    X, labels = held_out
    for net in (Network([784, 16, 16, 10], activation, "mse", seed=0),
                trained[activation, "cross_entropy"]):
        trace = net.backprop(X[0], labels[0])
        for l in range(net.L):
            g = np.abs(trace.grad_w[l])
            j, k = np.unravel_index(int(np.argmax(g)), g.shape)  # a weight that matters
            grad_w = [w.copy() for w in trace.grad_w]
            grad_w[l][j, k] *= 1.001
            broken = dataclasses.replace(trace, grad_w=tuple(grad_w))
            result = check_gradient(net, X[0], labels[0], trace=broken, dtype=dtype)
            assert result.count(DISAGREES) == 1 and not result.ok
            worst = result.offenders[0]
            assert (worst.l, worst.j, worst.k, worst.verdict) == (l, j, k, DISAGREES)


def test_non_finite_numbers_never_agree(held_out):
    X, labels = held_out
    net = Network([784, 16, 16, 10], seed=0)
    trace = net.backprop(X[0], labels[0])
    grad_b = [b.copy() for b in trace.grad_b]
    grad_b[2][3] = np.nan
    result = check_gradient(net, X[0], labels[0], trace=dataclasses.replace(
        trace, grad_b=tuple(grad_b)))
    assert not result.ok and result.count(NOT_FINITE) == 1
    assert result.offenders[0].verdict == NOT_FINITE


def test_the_allowance_is_far_below_healthy_gradients(held_out):
    """The criterion stays sharp: on the default network every allowance is below 10⁻⁴ of its
    gradient in float64 and below 10⁻⁶ in the widest float, so bugs of 10⁻³ are always seen."""
    X, labels = held_out
    net = Network([784, 16, 16, 10], seed=0)
    t = net.backprop(X[0], labels[0])
    for dtype, limit in ((np.float64, 1e-4), (np.longdouble, 1e-4)):
        derivs, _, _ = gc.numerical_layer_derivatives(net, X[0], labels[0], dtype=dtype)
        for l, d in enumerate(derivs):
            assert np.all(d.allowance <= limit * np.abs(t.grad_b[l])), (dtype, l)


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
    """Tiny gradients deep in a sigmoid network are judged against their own noise, not flagged;
    big networks are checked on whole neurons drawn with a seed."""
    net = Network([784, 64, 64, 64, 64, 10], seed=1)
    x = np.random.default_rng(2).random(784)
    for dtype in DTYPES:
        result = check_gradient(net, x, 4, max_params=6000, dtype=dtype)
        assert _healthy(result)
        assert 0 < result.checked < result.total == net.parameter_count
        again = check_gradient(net, x, 4, max_params=6000, dtype=dtype)
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
    assert result.layers[1].failed and result.layers[1].count(DISAGREES) > 0
