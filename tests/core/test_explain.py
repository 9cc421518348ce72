"""The texts that explain the network (core.explain): "What am I looking at?", the network view's
captions, tooltips and legend, the neuron panel's threshold — every number from the network, over
several architectures, all activations and both costs."""

import itertools
import re

import numpy as np
import pytest

from mlpviz.core import explain
from mlpviz.core.activations import ACTIVATIONS, get_activation
from mlpviz.core.costs import COSTS, get_cost
from mlpviz.core.explain import parameter_breakdown, structure_summary
from mlpviz.core.network import Network, forward_pass
from mlpviz.core.notation import parse_number, sup


@pytest.mark.parametrize("sizes", [[784, 16, 16, 10], [784, 32, 10], [784, 128, 64, 32, 16, 10],
                                   [100, 5, 3]])
def test_parameter_breakdown_adds_up_to_the_networks_count(sizes):
    weights, biases, total = parameter_breakdown(sizes)
    assert total == Network(sizes, seed=0).parameter_count
    pairs = list(zip(sizes[:-1], sizes[1:]))
    assert weights.startswith(" + ".join(f"{a}·{b}" for a, b in pairs))
    assert weights.endswith(f"{sum(a * b for a, b in pairs):,} weights")
    assert biases.endswith(f"{sum(sizes[1:]):,} biases")


def test_structure_summary_of_the_lessons_network():
    text = structure_summary([784, 16, 16, 10], "sigmoid", "mse", [str(d) for d in range(10)])
    for part in ("784 neurons", "28 × 28 picture, flattened row by row", "0 (black) to 1 (white)",
                 "2 hidden layers, 16 and 16 neurons", "loops, strokes, edges",
                 "10 neurons, one per digit 0–9", "brightest output", "a threshold",
                 "a⁽¹⁾ = σ(W⁽¹⁾ a⁽⁰⁾ + b⁽¹⁾)", "(16 × 784)",
                 "784·16 + 16·16 + 16·10 = 12,960 weights", "16 + 16 + 10 = 42 biases",
                 "<b>13,002 parameters</b>"):
        assert part in text, part
    other = structure_summary([784, 30, 10], "tanh", "cross_entropy",
                              ["T-shirt/top", "Trouser", "Pullover", "Dress"] + ["x"] * 6)
    assert "1 hidden layer, 30 neurons" in other and "into −1 … 1 with tanh" in other
    assert "a⁽¹⁾ = tanh(W⁽¹⁾ a⁽⁰⁾ + b⁽¹⁾)" in other and "softmax" in other
    assert "one per class (T-shirt/top, Trouser, Pullover, …)" in other
    assert "784·30 + 30·10 = 23,820 weights" in other and "23,860 parameters" in other
    assert "digit" not in other.replace("drawing", "")


@pytest.mark.parametrize("v, text", [(0.4249, "0.42"), (0.0, "0.00"), (1.0, "1.00"),
                                     (-0.5, "−0.50"), (99.4, "99.40"), (941744.2, "9.4e+05"),
                                     (float("nan"), "nan")])
def test_activation_text_stays_short(v, text):
    assert explain.activation_text(v) == text


# -- the network view's and the neuron panel's texts, over many networks ---------------------------
DIGITS = [str(d) for d in range(10)]
NETWORKS = list(itertools.product([(784, 16, 10), (784, 16, 12, 8, 10)], ACTIVATIONS, COSTS))


def numbers_after(text: str, prefix: str) -> list[float]:
    """The numbers in the line of `text` that starts with `prefix`."""
    line = next(line for line in text.splitlines() if line.startswith(prefix))
    return [parse_number(m) for m in re.findall(r"[−+]?\d+\.\d+", line[len(prefix):])]


def sample_pass(sizes, activation, cost, seed=0):
    net = Network(list(sizes), activation, cost, seed=seed)
    x = np.random.default_rng(seed).random(sizes[0])
    return net, forward_pass(net.weights, net.biases, x, net.act, net.cost_fn)


@pytest.mark.parametrize("sizes, activation, cost", NETWORKS)
def test_layer_tooltips_state_each_layers_own_numbers(sizes, activation, cost):
    act, c = get_activation(activation), get_cost(cost)
    L = len(sizes) - 1
    for l in range(L + 1):
        tip = explain.layer_tooltip(l, sizes, act, c, DIGITS)
        if l == 0:
            assert tip.startswith("Input layer: 784 neurons, the 28×28 picture")
            assert "0 (black) to 1 (white)" in tip
            continue
        n, prev = sizes[l], sizes[l - 1]
        assert f": {n} neurons" in tip and f"over all {prev:,} activations" in tip
        assert f"W{sup(l)}: {n} × {prev:,}" in tip
        assert f"Coming in: {n * prev:,} weights and {n} biases" in tip
        squash = "softmax" if l == L and c.softmax_output else act.symbol
        assert f"a{sup(l)} = {squash}(W{sup(l)} a{sup(l - 1)}" in tip
        assert ("shares that add up to 1" in tip) == (l == L and c.softmax_output)
        assert (explain.ANSWER in tip) == (l == L)
        assert ("loops, strokes, edges" in tip) == (l < L)
        name = "Hidden layer" if L == 2 else f"Hidden layer {l}"
        assert tip.startswith("Output layer: 10 neurons, one per digit" if l == L else name)


@pytest.mark.parametrize("sizes, activation, cost", NETWORKS)
def test_neuron_tooltips_compute_a_from_z_as_the_network_does(sizes, activation, cost):
    net, (zs, acts) = sample_pass(sizes, activation, cost)
    L = len(sizes) - 1
    win = int(np.argmax(acts[L]))
    for l in range(1, L + 1):
        for j in (0, sizes[l] - 1):
            b, z, a = float(net.biases[l - 1][j]), float(zs[l][j]), float(acts[l][j])
            tip = explain.neuron_tooltip(l, j, sizes, net.act, net.cost_fn, DIGITS, b=b, z=z,
                                         a=a, answer=l == L and j == win)
            assert numbers_after(tip, "a = ")[-1] == pytest.approx(a, abs=5e-4)
            assert numbers_after(tip, "z = ")[-1] == pytest.approx(z, abs=5e-4)
            if l == L and net.cost_fn.softmax_output:
                assert "softmax(z)" in tip and "threshold" not in tip
            else:
                *_, shown_z, shown_a = numbers_after(tip, f"a = {net.act.symbol}(z)")
                assert shown_a == pytest.approx(float(net.act.f(np.float64(shown_z))), abs=2e-3)
                thr = numbers_after(tip, "b = ")[-1]
                assert thr == pytest.approx(-b, abs=5e-4)
                assert ("z > 0" in tip) and (z > 0) == (z - b > thr)
            assert ("the network's answer" in tip) == (l == L and j == win)
            for bad in ("nan", "NaN", "inf", "∞"):
                assert bad not in tip


def test_neuron_tooltips_without_a_sample_and_for_pixels():
    sizes = (784, 16, 10)
    sig, mse = get_activation("sigmoid"), get_cost("mse")
    tip = explain.neuron_tooltip(1, 3, sizes, sig, mse, DIGITS, b=-0.25)
    assert tip.splitlines() == ["hidden layer, neuron 3", "b = −0.250  (bias)",
                                "show a sample to see its activation"]
    tip = explain.neuron_tooltip(0, 406, sizes, sig, mse, DIGITS, a=0.5)
    assert tip.startswith("input pixel 406 (row 14, column 14)") and "a = 0.500" in tip
    assert explain.neuron_tooltip(0, 2, (5, 3, 2), sig, mse, DIGITS).splitlines() == ["input 2"]
    assert explain.neuron_name(2, 3, (784, 16, 10), ["T-shirt/top"] * 3) == "output 3 “3”"
    nudged = explain.neuron_tooltip(2, 1, sizes, sig, mse, DIGITS, b=0.1, z=0.2, a=0.55,
                                    nudge=-0.4)
    assert nudged.endswith("nudge wanted: −0.400")


def test_line_tooltip_gives_the_weight_its_ends_and_its_share_of_z():
    sizes = (784, 16, 16, 10)
    tip = explain.line_tooltip(1, 2, 3, sizes, DIGITS, w=-0.5, a_k=0.25)
    assert tip.splitlines() == ["weight w = −0.500", "from hidden layer 1, neuron 3",
                                "to hidden layer 2, neuron 2",
                                "w · a = −0.500 × 0.250 = −0.125  (its share of z)"]
    grad = explain.line_tooltip(2, 7, 1, sizes, DIGITS, w=0.5, grad=0.01234)
    assert "to output 7 “7”" in grad and "∂C/∂w = +0.0123  (nudge: −0.0123)" in grad
    stage = explain.line_tooltip(2, 7, 1, sizes, DIGITS, w=0.5, shown=0.3, grad=0.01)
    assert "value shown: +0.300" in stage and "∂C/∂w" not in stage


def test_captions_and_legend():
    sizes = (784, 16, 16, 10)
    assert [explain.layer_caption(l, sizes, 28, 784) for l in range(4)] == [
        "input 784 = 28×28", "hidden 16", "hidden 16", "output 10"]
    assert [explain.layer_caption(l, sizes, 28, 784, short=True) for l in range(4)] == [
        "784 = 28×28", "16", "16", "10"]
    assert explain.layer_caption(0, sizes, 0, 16) == "input 784 (16 shown)"
    kinds = [item[0] for item in explain.legend_items("weights")]
    assert kinds == ["pos", "neg", "faint", "circle"]
    items = explain.legend_items("gradient", brighter_is_more=False, nudges=True, thinned_to=7)
    assert [i[0] for i in items] == ["pos", "neg", "faint", "circle", "arrow", "note"]
    assert items[0][1] == "green: weight should grow" and items[3][1].startswith("darker")
    assert "strongest 7 lines" in items[-1][1]
    for item in items:
        assert len(item[1]) >= len(item[2]) >= len(item[3]), "shorter texts are shorter"


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_threshold_text_reads_the_bias_for_each_activation(activation):
    act = get_activation(activation)
    assert f"({act.active_when})" in explain.threshold_text(-1.0, act)
    assert "must pass 1.000 before" in explain.threshold_text(-1.0, act)
    assert "drops below −0.500" in explain.threshold_text(0.5, act)
    assert "threshold" not in explain.threshold_text(-1.0, act, softmax=True)
    assert "exactly at it" in explain.threshold_text(-1.0, act, weighted=1.0, a=0.5)
    quiet = explain.threshold_text(-1.0, act, weighted=0.25, a=float(act.f(np.float64(-0.75))))
    assert "below it: the neuron is quiet" in quiet
    active = explain.threshold_text(0.5, act, weighted=0.25, a=float(act.f(np.float64(0.75))))
    assert "above it: the neuron is active" in active


@pytest.mark.parametrize("activation, cost", list(itertools.product(ACTIVATIONS, COSTS)))
def test_structure_summary_speaks_of_the_records(activation, cost):
    act = get_activation(activation)
    text = structure_summary([784, 16, 10], activation, cost, DIGITS)
    assert act.squashes("the result") in text
    assert f"a⁽¹⁾ = {act.symbol}(W⁽¹⁾ a⁽⁰⁾ + b⁽¹⁾)" in text
    assert ("softmax" in text) == get_cost(cost).softmax_output


@pytest.mark.parametrize("epochs_done, batch, words", [
    (0, 0, "before training"), (0, 1, "epoch 1, batch 1"), (3, 0, "end of epoch 3"),
    (3, 60, "epoch 4, batch 60")])
def test_training_point_counts_epochs_from_one(epochs_done, batch, words):
    assert explain.training_point(epochs_done, batch) == words
