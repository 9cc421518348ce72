"""The "What am I looking at?" text: every number from the network's layer sizes."""

import pytest

from mlpviz.core.explain import parameter_breakdown, structure_summary
from mlpviz.core.network import Network


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
                 "10 neurons, one per digit 0–9", "brightest one", "a threshold",
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
    from mlpviz.core.explain import activation_text

    assert activation_text(v) == text
