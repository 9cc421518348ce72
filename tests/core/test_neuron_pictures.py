"""What deeper neurons look for: the composed weights and the maximising input."""

import numpy as np
import pytest

from mlpviz.core import Network, Snapshot
from mlpviz.core.neuron_pictures import (
    activation_gradient, composed_weights, grey, maximising_input, maximising_inputs,
)


@pytest.mark.parametrize("sizes", [[784, 16, 16, 10], [784, 12, 8, 6, 10]])
def test_composed_picture_is_the_matrix_product(sizes):
    net = Network(sizes, seed=5)
    W = net.weights
    assert np.array_equal(composed_weights(net, 1), W[0])
    assert np.allclose(composed_weights(net, 2), W[1] @ W[0])
    assert np.allclose(composed_weights(net, 3), W[2] @ W[1] @ W[0])
    assert composed_weights(net, len(sizes) - 1).shape == (sizes[-1], 784)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("cost", ["mse", "cross_entropy"])
def test_gradient_matches_central_differences(activation, cost):
    net = Network([30, 7, 6, 4], activation, cost, seed=1)
    x = np.random.default_rng(2).random(30)
    for l, j in ((1, 3), (2, 5), (3, 2)):
        a, g = activation_gradient(net, l, j, x)
        assert a == pytest.approx(net.forward_all(x)[l][j])
        h = 1e-6
        num = [(net.forward_all(x + h * e)[l][j] - net.forward_all(x - h * e)[l][j]) / (2 * h)
               for e in np.eye(30)]
        assert np.allclose(g, num, atol=1e-6)
        _a, gz = activation_gradient(net, l, j, x, pre=True)
        z = lambda v: net.forward_layers(v)[0][l][j]  # noqa: E731
        assert np.allclose(gz, [(z(x + h * e) - z(x - h * e)) / (2 * h) for e in np.eye(30)],
                           atol=1e-6)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("cost", ["mse", "cross_entropy"])
def test_maximising_input_raises_the_activation_and_is_deterministic(activation, cost,
                                                                       trained_default):
    nets = [Network([784, 16, 16, 10], activation, cost, seed=s) for s in (0, 1)]
    if (activation, cost) == ("sigmoid", "mse"):
        nets.append(trained_default(100))
    for net in nets:
        for l, j in ((2, 3), (3, 7)):
            start = net.forward_all(grey(net))[l][j]
            x = maximising_input(net, l, j, steps=100, seed=0)
            assert x.min() >= 0 and x.max() <= 1
            after = net.forward_all(x)[l][j]
            assert after > start
            assert np.array_equal(x, maximising_input(net, l, j, steps=100, seed=0))


def test_bad_layer_or_neuron_is_refused():
    net = Snapshot.of(Network([784, 16, 10], seed=0))
    with pytest.raises(ValueError):
        composed_weights(net, 0)
    with pytest.raises(ValueError):
        maximising_input(net, 1, 16)


def test_all_neurons_at_once_equal_one_at_a_time():
    net = Network([784, 16, 12, 10], "relu", "cross_entropy", seed=3)
    X = maximising_inputs(net, 2, steps=50)
    for j in range(12):  # the same climb (a batched product may round its last bit apart)
        assert np.allclose(X[j], maximising_input(net, 2, j, steps=50), rtol=0, atol=1e-12)
