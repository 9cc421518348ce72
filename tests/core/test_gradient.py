"""The gradient as numbers to compare: the flat order names every parameter once, the ranking is
by |∂C/∂θ|, and a batch's average wish is the batch gradient."""

import numpy as np
import pytest

from mlpviz.core.activations import ACTIVATIONS
from mlpviz.core.costs import COSTS
from mlpviz.core.gradient import (
    all_gradients, batch_wishes, param_at, param_value, top_parameters,
)
from mlpviz.core.network import Network

SIZES = [784, 16, 16, 10]


@pytest.fixture(scope="module")
def net():
    return Network(SIZES, seed=0)


@pytest.fixture(scope="module")
def batch(bundled):
    return (bundled.train_images[:8].astype(np.float64) / 255,
            bundled.train_labels[:8].astype(np.intp))


@pytest.fixture(scope="module")
def trace(net, batch):
    X, labels = batch
    return net.backprop(X[0], labels[0])


def test_the_flat_order_names_every_parameter_once(net, trace):
    flat = all_gradients(trace)
    assert flat.size == net.parameter_count == 13002
    seen = set()
    for i in range(0, flat.size, 7):  # every 7th position: all layers, weights and biases
        l, j, k = param_at(trace, i)
        assert flat[i] == param_value(trace.grad_w, trace.grad_b, l, j, k)
        seen.add((l, j, k))
    assert len(seen) == len(range(0, flat.size, 7))
    assert param_at(trace, 784 * 16) == (0, 0, -1)  # b⁽¹⁾ follows W⁽¹⁾
    assert param_at(trace, flat.size - 1) == (2, 9, -1)
    with pytest.raises(IndexError):
        param_at(trace, flat.size)


def test_top_parameters_rank_by_size(trace):
    top = top_parameters(trace, 25)
    flat = all_gradients(trace)
    np.testing.assert_array_equal([abs(g) for *_, g in top], np.sort(np.abs(flat))[::-1][:25])
    for l, j, k, g in top:
        assert g == param_value(trace.grad_w, trace.grad_b, l, j, k)
    assert len(top_parameters(trace, 10**6)) == flat.size


def test_batch_average_is_the_batch_gradient(net, batch):
    X, labels = batch
    params = [(2, 2, -1), (2, 2, 4), (1, 5, 0), (0, 3, None)]
    bw = batch_wishes(net, X, labels, params)
    assert bw.grads.shape == (8, 4) and bw.params[3] == (0, 3, -1)
    for i in range(8):
        t = net.backprop(X[i], labels[i])
        own = [t.grad_b[2][2], t.grad_w[2][2, 4], t.grad_w[1][5, 0], t.grad_b[0][3]]
        np.testing.assert_allclose(bw.grads[i], own, rtol=1e-9, atol=1e-15)
    np.testing.assert_array_equal(bw.mean, bw.grads.mean(axis=0))
    np.testing.assert_allclose(bw.mean, bw.batch_gradient, rtol=1e-10, atol=1e-16)


@pytest.mark.parametrize("params, n_labels", [
    ([(3, 0, 0)], 8),  # no weight layer 3
    ([(0, 16, 0)], 8),  # layer 1 has 16 neurons
    ([(0, 0, 784)], 8),  # 784 inputs
    ([(0, 0, 0)], 7),  # a label missing
])
def test_batch_wishes_refuses_what_the_network_does_not_have(net, batch, params, n_labels):
    X, labels = batch
    with pytest.raises(ValueError):
        batch_wishes(net, X, labels[:n_labels], params)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("cost", sorted(COSTS))
@pytest.mark.parametrize("sizes", [[784, 12, 10], [784, 9, 8, 7, 10]])
def test_each_samples_wish_is_its_own_backprop(batch, activation, cost, sizes):
    """All samples at once give what one backprop per sample gives, for every activation × cost
    and depth, for a weight and a bias of every layer."""
    net = Network(sizes, activation=activation, cost=cost, seed=3)
    X, labels = batch
    params = [p for l in range(net.L) for p in ((l, 1, -1), (l, 2, 300 % sizes[l]))]
    bw = batch_wishes(net, X, labels, params)
    for i in range(len(X)):
        t = net.backprop(X[i], labels[i])
        own = [param_value(t.grad_w, t.grad_b, *p) for p in params]
        np.testing.assert_allclose(bw.grads[i], own, rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(bw.mean, bw.batch_gradient, rtol=1e-9, atol=1e-15)
