"""Network: shapes and API exactly as the views and files rely on them, the trace's values,
determinism."""

import numpy as np
import pytest

from mlpviz.core.network import Network, forward_from

SIZES = [784, 16, 16, 10]


@pytest.fixture
def net():
    return Network(SIZES, seed=0)


@pytest.fixture
def sample():
    rng = np.random.default_rng(42)
    return rng.random(784), 3


def test_sizes_and_parameter_shapes(net):
    assert net.sizes == SIZES
    assert net.L == 3
    assert len(net.weights) == len(net.biases) == 3
    for l in range(3):
        assert net.weights[l].shape == (SIZES[l + 1], SIZES[l])
        assert net.biases[l].shape == (SIZES[l + 1],)
        assert net.weights[l].dtype == net.biases[l].dtype == np.float64


def test_parameter_count_is_13002(net):
    assert net.parameter_count == 784 * 16 + 16 + 16 * 16 + 16 + 16 * 10 + 10 == 13_002


def test_forward_shapes(net):
    X = np.random.default_rng(1).random((7, 784))
    out = net.forward(X)
    assert out.shape == (7, 10)
    assert net.forward(X[0]).shape == (10,)
    np.testing.assert_allclose(net.forward(X[0]), out[0], rtol=1e-12)
    assert net.predict(X).shape == (7,)


def test_forward_rejects_wrong_input_width(net):
    with pytest.raises(ValueError, match="784 inputs"):
        net.forward(np.zeros((2, 783)))


def test_forward_is_the_layer_formula(net):
    x = np.random.default_rng(2).random(784)
    a = x
    for W, b in zip(net.weights, net.biases):
        a = 1 / (1 + np.exp(-(W @ a + b)))
    np.testing.assert_allclose(net.forward(x), a, rtol=1e-12)


def test_trace_shapes(net, sample):
    x, label = sample
    t = net.backprop(x, label)
    assert t.L == 3 and t.label == label
    assert [v.shape for v in t.a] == [(n,) for n in SIZES]
    assert [v.shape for v in t.z] == [(n,) for n in SIZES]
    assert [v.shape for v in t.grad_a] == [(n,) for n in SIZES]
    assert [v.shape for v in t.grad_w] == [(SIZES[l + 1], SIZES[l]) for l in range(3)]
    assert [v.shape for v in t.grad_b] == [(SIZES[l + 1],) for l in range(3)]
    assert [v.shape for v in t.wishes] == [(SIZES[l + 1], SIZES[l]) for l in range(3)]
    assert [v.shape for v in t.W] == [W.shape for W in net.weights]


def test_trace_a0_is_x_and_output_is_forward(net, sample):
    x, label = sample
    t = net.backprop(x, label)
    np.testing.assert_array_equal(t.a[0], x)
    np.testing.assert_allclose(t.output, net.forward(x), rtol=1e-12)
    assert t.prediction == int(np.argmax(net.forward(x)))


def test_trace_arrays_are_read_only(net, sample):
    t = net.backprop(*sample)
    with pytest.raises(ValueError):
        t.grad_w[0][0, 0] = 1.0


def test_trace_cost_is_sum_of_squared_errors(net, sample):
    x, label = sample
    t = net.backprop(x, label)
    y = np.zeros(10)
    y[label] = 1
    assert t.cost == pytest.approx(float(np.sum((t.a[-1] - y) ** 2)), rel=1e-12)
    np.testing.assert_allclose(t.cost_terms, (t.a[-1] - y) ** 2, rtol=1e-12)


def test_cross_entropy_trace_cost(sample):
    x, label = sample
    t = Network(SIZES, cost="cross_entropy", seed=0).backprop(x, label)
    assert t.a[-1].sum() == pytest.approx(1.0)
    assert t.cost == pytest.approx(-np.log(t.a[-1][label]), rel=1e-12)


def test_wishes_sum_to_grad_a(net, sample):
    t = net.backprop(*sample)
    for l in range(t.L):
        np.testing.assert_allclose(t.wishes[l].sum(axis=0), t.grad_a[l], rtol=1e-10, atol=1e-15)


def test_grad_w_is_outer_product(net, sample):
    t = net.backprop(*sample)
    for l in range(t.L):
        np.testing.assert_allclose(t.grad_w[l], np.outer(t.grad_b[l], t.a[l]), rtol=1e-12)


def test_backprop_rejects_bad_label(net, sample):
    with pytest.raises(ValueError, match="label"):
        net.backprop(sample[0], 10)


def test_same_seed_same_weights():
    a, b = Network(SIZES, seed=7), Network(SIZES, seed=7)
    for Wa, Wb, ba, bb in zip(a.weights, b.weights, a.biases, b.biases):
        np.testing.assert_array_equal(Wa, Wb)
        np.testing.assert_array_equal(ba, bb)


def test_different_seed_different_weights():
    a, b = Network(SIZES, seed=7), Network(SIZES, seed=8)
    assert all(not np.array_equal(Wa, Wb) for Wa, Wb in zip(a.weights, b.weights))


def test_rejects_bad_sizes_and_names():
    with pytest.raises(ValueError):
        Network([784])
    with pytest.raises(ValueError):
        Network([784, 0, 10])
    with pytest.raises(ValueError, match="activation"):
        Network(SIZES, activation="softsign")
    with pytest.raises(ValueError, match="cost"):
        Network(SIZES, cost="hinge")


@pytest.mark.parametrize("cost", ["mse", "cross_entropy"])
def test_forward_from_a_layer_continues_the_forward_pass(cost):
    net = Network([30, 8, 6, 4], "relu", cost, seed=5)
    X = np.random.default_rng(6).random((3, 30))
    zs, acts = net.forward_layers(X)
    for l in range(net.L + 1):
        rest_z, rest_a = forward_from(l, zs[l], net.weights, net.biases, net.act, net.cost_fn)
        assert len(rest_a) == net.L + 1 - l
        for got, want in zip(rest_z + rest_a, zs[l:] + acts[l:]):
            np.testing.assert_array_equal(got, want)


def test_forward_from_keeps_the_arrays_dtype():
    net = Network([10, 4, 3], seed=1)
    Ws = [W.astype(np.longdouble) for W in net.weights]
    bs = [b.astype(np.longdouble) for b in net.biases]
    Z = np.zeros((2, 4), dtype=np.longdouble)
    assert forward_from(1, Z, Ws, bs, net.act, net.cost_fn)[1][-1].dtype == np.longdouble


def test_copies_are_independent(net, sample):
    x, label = sample
    for other in (net.copy(), Network.from_parameters(net.sizes, net.act, net.cost_fn,
                                                      net.weights, net.biases, check=False)):
        assert (other.sizes, other.act, other.cost_fn) == (net.sizes, net.act, net.cost_fn)
        np.testing.assert_array_equal(other.forward(x), net.forward(x))
        trace = other.backprop(x, label)
        other.apply_step(trace.grad_w, trace.grad_b, 1.0)
        assert not np.array_equal(other.weights[0], net.weights[0])
    np.testing.assert_array_equal(net.forward(x), Network(SIZES, seed=0).forward(x))


def test_from_parameters_checks_shapes_and_values(net):
    weights = [W.copy() for W in net.weights]
    weights[1][0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        Network.from_parameters(SIZES, "sigmoid", "mse", weights, net.biases)
    with pytest.raises(ValueError, match="shape"):
        Network.from_parameters(SIZES, "sigmoid", "mse", weights[::-1], net.biases)
