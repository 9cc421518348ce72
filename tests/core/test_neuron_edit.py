"""The neuron editor's core: an edit applied to a copy, its neuron's a = σ(Σ w·a + b) with the
new b, outputs that follow, and the caller's arrays untouched."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from mlpviz.core.activations import ACTIVATIONS, get_activation
from mlpviz.core.costs import get_cost
from mlpviz.core.network import Network, forward_pass
from mlpviz.core.neuron_edit import NeuronEdit, apply_edit, bias_range, edit_problem


def _net(sizes, activation, cost="mse", seed=0):
    return Network(list(sizes), activation=activation, cost=cost, seed=seed)


@settings(max_examples=40, deadline=None)
@given(hidden=st.lists(st.integers(1, 6), min_size=1, max_size=3),
       activation=st.sampled_from(sorted(ACTIVATIONS)), seed=st.integers(0, 1000),
       bias=st.floats(-8, 8), scale=st.floats(0, 3), data=st.data())
def test_edited_neuron_is_sigma_of_weighted_sum_plus_new_bias(hidden, activation, seed, bias,
                                                              scale, data):
    sizes = [5, *hidden, 3]
    net = _net(sizes, activation, seed=seed)
    layer = data.draw(st.integers(1, len(sizes) - 2))  # hidden: σ applies
    j = data.draw(st.integers(0, sizes[layer] - 1))
    x = np.random.default_rng(seed).random(5)
    W, b = apply_edit(net.weights, net.biases, NeuronEdit(layer, j, bias, scale))
    act = get_activation(activation)
    zs, acts = forward_pass(W, b, x, act, get_cost("mse"))
    w_new = np.asarray(net.weights[layer - 1][j]) * scale
    expected = act.f(np.array([w_new @ acts[layer - 1] + bias]))[0]
    assert acts[layer][j] == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert b[layer - 1][j] == bias


def test_the_caller_arrays_stay_as_they_were_and_other_neurons_untouched():
    net = _net([4, 3, 2], "sigmoid")
    W0 = [w.copy() for w in net.weights]
    b0 = [v.copy() for v in net.biases]
    W, b = apply_edit(net.weights, net.biases, NeuronEdit(1, 1, 2.5, 0.5, off=True))
    for a, a0 in zip((*net.weights, *net.biases), (*W0, *b0)):
        assert np.array_equal(a, a0)
    assert np.array_equal(np.delete(W[0], 1, axis=0), np.delete(W0[0], 1, axis=0))
    assert np.array_equal(W[0][1], W0[0][1] * 0.5)
    assert np.array_equal(np.delete(b[0], 1), np.delete(b0[0], 1))


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_off_means_the_next_layer_sees_a_zero(activation):
    """Off: the outputs are those of the same network with this neuron's a replaced by 0."""
    net = _net([6, 4, 3], activation, seed=3)
    x = np.random.default_rng(1).random(6)
    act, cost = get_activation(activation), get_cost("mse")
    W, b = apply_edit(net.weights, net.biases, NeuronEdit(1, 2, float(net.biases[0][2]), 1.0,
                                                          off=True))
    _, acts = forward_pass(W, b, x, act, cost)
    _, ref = forward_pass(net.weights, net.biases, x, act, cost)
    a1 = ref[1].copy()
    a1[2] = 0.0
    expected = cost.output(a1 @ np.asarray(net.weights[1]).T + net.biases[1], act)
    assert np.allclose(acts[2], expected, rtol=1e-12, atol=1e-15)


def test_a_trained_bias_and_scale_one_give_the_same_numbers_bit_for_bit():
    net = _net([5, 4, 3], "tanh", seed=2)
    W, b = apply_edit(net.weights, net.biases, NeuronEdit(1, 0, float(net.biases[0][0])))
    for a, a0 in zip((*W, *b), (*net.weights, *net.biases)):
        assert np.array_equal(a, a0)


@pytest.mark.parametrize("edit, words", [
    (NeuronEdit(0, 0, 0.0), "no bias"), (NeuronEdit(3, 0, 0.0), "no bias"),
    (NeuronEdit(1, 9, 0.0), "no neuron 9"), (NeuronEdit(1, 0, float("nan")), "finite"),
    (NeuronEdit(1, 0, 0.0, scale=3.5), "×0 … ×3"), (NeuronEdit(2, 0, 0.0, off=True), "output"),
])
def test_edits_that_do_not_fit_say_why(edit, words):
    net = _net([5, 4, 3], "sigmoid")
    assert words in edit_problem([5, 4, 3], edit)
    with pytest.raises(ValueError, match=words):
        apply_edit(net.weights, net.biases, edit)


@given(st.floats(-100, 100))
def test_the_bias_range_holds_the_bias(b):
    lo, hi = bias_range(b)
    assert lo < b < hi and lo == -hi >= -max(5, 2 * abs(b))
