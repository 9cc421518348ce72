"""The backprop walk: every number a stage shows is the core's trace, the wishes add up to ∂C/∂a,
one step and its undo are exact, the batch stage shows the batch's own gradients, every sentence
fits the network's activation and cost."""

import dataclasses
import math

import numpy as np
import pytest

from mlpviz.core.activations import ACTIVATIONS
from mlpviz.core.costs import COSTS
from mlpviz.core.gradcheck import check_parameter, per_layer_gradcheck
from mlpviz.core.gradient import top_parameters
from mlpviz.core.minibatch import minibatch_with
from mlpviz.core.network import Network
from mlpviz.core.notation import fmt_fixed, fmt_sig, param_name, parse_number
from mlpviz.core.walk import DIGITS, build_walk, chain_rule, gradcheck_stage, gradient_step

SIZES = [784, 16, 16, 10]
KEYS = ["forward-0", "forward-1", "forward-2", "forward-3", "cost", "wants", "lever-bias",
        "lever-weights", "lever-activations", "sum-2", "levers-2", "sum-1", "levers-1",
        "gradient", "step", "batch"]


@pytest.fixture(scope="module")
def net():
    return Network(SIZES, seed=0)


def _test_set(bundled):
    return bundled.test_images.astype(np.float64) / 255, bundled.test_labels.astype(np.intp)


@pytest.fixture(scope="module")
def data(bundled, net):
    """A held-out '2' that the untrained network answers wrongly (the lesson's point 12), and a
    mini-batch of 8 training samples."""
    X, y = _test_set(bundled)
    twos = np.nonzero(y == 2)[0]
    i = next(int(i) for i in twos if net.predict(X[i]) != 2)
    batch = minibatch_with(bundled.train_images, bundled.train_labels, 8, X[i], 2, "test", i)
    return X[i], 2, batch


@pytest.fixture(scope="module")
def walk(net, data):
    x, label, batch = data
    return build_walk(net, x, label, lr=3.0, batch=batch)


def test_stages_follow_the_lesson(walk):
    assert [s.key for s in walk.stages] == KEYS
    numbers = [s.number for s in walk.stages]
    assert numbers == sorted(numbers) and set(numbers) == set(range(1, 10))
    for s in walk.stages:
        assert s.title and s.text and s.formula and s.short
        assert s.title.startswith(s.short.split(" · ")[0])


def test_forward_stages_light_the_layers_in_turn(walk):
    for l in range(4):
        s = walk.stage(f"forward-{l}")
        assert s.overlay.lit_layers == l + 1
        np.testing.assert_array_equal(s.values["a"], walk.trace.a[l])
    for l in (1, 2, 3):
        s = walk.stage(f"forward-{l}")
        t = walk.trace
        np.testing.assert_array_equal(s.values["z"], t.z[l])
        np.testing.assert_array_equal(s.values["b"], t.b[l - 1])
        np.testing.assert_allclose(s.values["weighted_sum"] + s.values["b"], t.z[l], rtol=1e-13)
        # the table: neuron, Σ w·a, b, z, a — the exact floats are the trace's
        for j, row in enumerate(s.row_values):
            assert row[2] == t.b[l - 1][j] and row[3] == t.z[l][j] and row[4] == t.a[l][j]


def _cells(stage):
    """(text, exact float, column) for every numeric cell."""
    for texts, nums in zip(stage.rows, stage.row_values):
        for c, (text, v) in enumerate(zip(texts, nums)):
            if v is not None:
                yield text, v, c


def _shows(text, v, signed):
    """Whether `text` is the float v rounded (to 2–6 significant digits, or 2 fixed decimals)."""
    shown = {fmt_sig(v, d, signed) for d in range(2, 7)} | {fmt_fixed(v, 2, signed)}
    return text in shown and parse_number(text) == pytest.approx(v, rel=5.01e-2, abs=5.01e-3)


def test_every_cell_shows_its_exact_value(walk):
    for s in walk.stages:
        assert len(s.rows) == len(s.row_values)
        for text, v, c in _cells(s):
            assert _shows(text, v, c in s.signed), (s.key, text, v)
            if c in s.signed and v > 0:
                assert text.startswith("+")


def test_cost_stage(walk):
    s, t = walk.stage("cost"), walk.trace
    np.testing.assert_array_equal(s.values["terms"], t.cost_terms)
    assert s.values["cost"] == t.cost
    assert [r[3] for r in s.row_values] == list(t.cost_terms)
    assert fmt_sig(t.cost) in s.formula


def test_what_the_outputs_want(walk):
    s, t = walk.stage("wants"), walk.trace
    nudges = -t.grad_a[3]
    np.testing.assert_array_equal(s.values["nudges"], nudges)
    np.testing.assert_array_equal(s.overlay.nudges[3], nudges)
    assert [r[3] for r in s.row_values] == list(nudges)
    assert nudges[2] > 0 and (np.delete(nudges, 2) < 0).all()
    p = t.prediction  # the fixture chose a sample the network answers wrongly
    assert f"The network thinks this is a {p} ({t.a[3][p]:.2f})" in s.text
    assert "raising the '2' matters more than lowering" in s.text


def test_what_the_outputs_want_of_a_right_answer(net, bundled):
    X, y = _test_set(bundled)
    i = next(int(i) for i in range(len(y)) if net.predict(X[i]) == y[i])
    s = build_walk(net, X[i], y[i]).stage("wants")
    assert s.text.startswith(f"The network already says {y[i]} (")
    assert "The network thinks" not in s.text


def test_the_three_levers_of_the_right_answer(walk):
    t, j = walk.trace, 2
    bias = walk.stage("lever-bias").values
    assert bias["focus"] == j
    assert bias["grad_b"] == t.grad_b[2][j]
    assert bias["grad_b"] == bias["prime"] * bias["grad_a"]  # ∂C/∂b = σ'(z) · ∂C/∂a, exactly
    assert bias["prime"] == ACTIVATIONS["sigmoid"].prime(t.z[3])[j]

    w = walk.stage("lever-weights")
    np.testing.assert_array_equal(w.values["grad_w"], t.grad_w[2][j])
    np.testing.assert_array_equal(w.values["grad_w"], t.a[2] * t.grad_z[3][j])  # ∝ a_k
    order = w.values["order"]
    assert (np.diff(t.a[2][order]) <= 0).all()  # brightest first
    lv = w.overlay.line_values[2]
    np.testing.assert_array_equal(lv[j], -t.grad_w[2][j])
    assert not np.delete(lv, j, axis=0).any()
    for r, k in enumerate(order):
        assert w.row_values[r][3] == -t.grad_w[2][j, k]

    a = walk.stage("lever-activations")
    np.testing.assert_array_equal(a.values["wishes"], t.wishes[2][j])
    np.testing.assert_array_equal(a.overlay.nudges[2], -t.wishes[2][j])
    # up where the weight is positive (the output should rise), in proportion to the weight
    assert (np.sign(a.overlay.nudges[2]) == np.sign(t.W[2][j])).all()


def test_focus_on_another_output(net, data):
    x, label, _ = data
    walk = build_walk(net, x, label, focus=7)
    s = walk.stage("lever-bias")
    assert s.values["focus"] == 7 and s.overlay.focus == (3, 7)
    assert "the '7' output go down" in s.text
    with pytest.raises(ValueError):
        build_walk(net, x, label, focus=10)


def test_wishes_add_up_to_grad_a_of_the_layer_before(walk):
    t = walk.trace
    for key, l in (("sum-2", 2), ("sum-1", 1)):
        s = walk.stage(key)
        np.testing.assert_array_equal(s.values["grad_a"], t.grad_a[l])
        np.testing.assert_allclose(s.values["wishes"].sum(axis=0), t.grad_a[l], rtol=1e-12,
                                   atol=1e-17)
        np.testing.assert_array_equal(s.overlay.nudges[l], -t.grad_a[l])
    s = walk.stage("sum-2")
    for k, row in enumerate(s.row_values):  # k, Σ, then the ten outputs' wishes
        assert row[1] == -t.grad_a[2][k]
        assert sum(row[2:]) == pytest.approx(row[1], rel=1e-12, abs=1e-17)
    s = walk.stage("sum-1")
    np.testing.assert_allclose(s.values["up"] + s.values["down"], -t.grad_a[1], rtol=1e-12,
                               atol=1e-17)


def test_one_layer_back(walk):
    t = walk.trace
    for l in (2, 1):
        v = walk.stage(f"levers-{l}").values
        j = v["focus"]
        assert j == int(np.argmax(np.abs(t.grad_a[l])))
        assert v["grad_b"] == t.grad_b[l - 1][j] and v["grad_z"] == t.grad_z[l][j]
        np.testing.assert_array_equal(v["grad_w"], t.grad_w[l - 1][j])
        np.testing.assert_array_equal(v["wishes"], t.wishes[l - 1][j])
    assert len(walk.stage("levers-1").rows) == 12  # 784 pixels: only the largest weights


def test_whole_gradient_ranks_parameters(walk):
    t = walk.trace
    s = walk.stage("gradient")
    everything = np.concatenate([g.ravel() for pair in zip(t.grad_w, t.grad_b) for g in pair])
    assert s.values["count"] == everything.size == 13002
    top = np.sort(np.abs(everything))[::-1][:10]
    np.testing.assert_array_equal(np.abs(s.values["grads"]), top)
    for (l, j, k), g in zip(s.values["params"], s.values["grads"]):
        assert g == (t.grad_b[l][j] if k < 0 else t.grad_w[l][j, k])
    assert s.values["ratios"][-1] == 1
    assert s.values["zeros"] == np.count_nonzero(everything == 0)
    assert top_parameters(t, 3) == [(l, j, k, g) for (l, j, k), g in
                                    zip(s.values["params"][:3], s.values["grads"][:3])]


def test_chain_rule_for_one_weight(net, data, walk):
    x, label, _ = data
    t = walk.trace
    for (l, j, k) in [(0, 3, 300), (1, 4, 7), (2, 2, 5)]:
        num = check_parameter(net, x, label, l, j, k)
        s = chain_rule(t, l, j, k, numeric=num)
        v = s.values
        assert v["grad_w"] == t.grad_w[l][j, k]
        assert v["a_prev"] == t.a[l][k] and v["grad_a"] == t.grad_a[l + 1][j]
        assert v["prime"] == net.act.prime(t.z[l + 1])[j]
        assert v["a_prev"] * v["prime"] * v["grad_a"] == pytest.approx(v["grad_w"], rel=1e-14)
        assert v["rel_error"] < 1e-6 and v["verdict"] == "agrees"
        assert v["numeric"] == num.numerical and "backprop agrees." in s.text
        assert param_name(l, j, k) in s.title
    with pytest.raises(ValueError):
        chain_rule(t, 3, 0, 0)


def test_chain_rule_softmax_output_says_a_minus_y(data):
    x, label, _ = data
    net = Network(SIZES, cost="cross_entropy", seed=1)
    t = net.backprop(x, label)
    s = chain_rule(t, 2, label, 4)
    assert "a₂ − y₂" in s.formula
    assert s.values["grad_z"] == t.a[3][label] - 1
    assert s.values["grad_w"] == t.grad_w[2][label, 4]


def test_gradient_step_and_exact_undo(net, walk):
    t = walk.trace
    before = [W.copy() for W in net.weights], [b.copy() for b in net.biases]
    after = gradient_step(net, t, 3.0)
    for l in range(3):
        np.testing.assert_array_equal(after.weights[l], net.weights[l] - 3.0 * t.grad_w[l])
        np.testing.assert_array_equal(after.biases[l], net.biases[l] - 3.0 * t.grad_b[l])
        # the original network is untouched: its parameters are the exact undo
        assert np.array_equal(net.weights[l], before[0][l])
        assert np.array_equal(net.biases[l], before[1][l])
    s = walk.stage("step")
    assert s.values["cost_before"] == t.cost
    np.testing.assert_array_equal(s.values["a_after"], after.forward(t.x))
    assert s.values["cost_after"] < s.values["cost_before"]


def test_batch_stage_shows_each_samples_wishes_and_their_average(net, walk, data):
    _, _, mb = data
    s = walk.stage("batch")
    (l, j, k), n = s.values["params"][1], len(mb)
    own = [net.backprop(mb.X[i], mb.labels[i]).grad_w[l][j, k] for i in range(n)]
    np.testing.assert_allclose([r[3] for r in s.row_values[:n]], [-g for g in own], rtol=1e-9,
                               atol=1e-15)  # each sample's own −∂C/∂θ
    np.testing.assert_allclose(s.values["mean"], s.values["batch_gradient"], rtol=1e-10,
                               atol=1e-16)
    assert s.rows[-1][0] == "average of 8" and s.row_values[-1][2:] == tuple(-s.values["mean"])


def test_without_a_batch_stage_9_explains(net, data):
    x, label, _ = data
    s = build_walk(net, x, label).stage("batch")
    assert s.rows == () and "No training samples" in s.text


def test_gradcheck_page_passes_on_the_real_backprop(net, data):
    x, label, _ = data
    report = per_layer_gradcheck(net, x, label)
    s = gradcheck_stage(report, net.parameter_count)
    assert report.ok and s.values["ok"] and "agrees" in s.text and "all 13,002 parameters" in s.text
    assert [r[0] for r in s.rows[:3]] == ["layer 1 (784→16)", "layer 2 (16→16)", "layer 3 (16→10)"]
    assert [r[-1] for r in s.rows] == ["✓"] * len(report.rows)
    for row, p in zip(s.row_values, report.rows):
        assert row[2:5] == (p.backprop, p.numerical, p.rel_error)


def test_gradcheck_page_catches_a_broken_backprop(net, data, monkeypatch):
    x, label, _ = data
    real = Network.backprop

    def broken(self, x, label):
        t = real(self, x, label)
        grad_w = [g.copy() for g in t.grad_w]
        grad_w[1][4, 7] = grad_w[1][4, 7] * 1.01 + 1e-6
        return dataclasses.replace(t, grad_w=tuple(grad_w))

    monkeypatch.setattr(Network, "backprop", broken)
    report = per_layer_gradcheck(net, x, label)
    s = gradcheck_stage(report, net.parameter_count)
    assert not report.ok and report.worst_layers() == [1]
    assert s.rows[1][1] == param_name(1, 4, 7) and s.rows[1][-1] == "✗ wrong"
    assert s.rows[0][-1] == s.rows[2][-1] == "✓"
    assert "DISAGREES" in s.text and "into layer 2" in s.text


@pytest.mark.parametrize("cost", sorted(COSTS))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_every_activation_and_cost(data, activation, cost):
    x, label, batch = data
    net = Network(SIZES, activation, cost, seed=2)
    walk = build_walk(net, x, label, lr=0.5, batch=batch)
    assert [s.key for s in walk.stages] == KEYS
    t = walk.trace
    nudges = walk.stage("wants").values["nudges"]
    want = t.grad_z[3] if net.cost_fn.softmax_output else t.grad_a[3]
    np.testing.assert_array_equal(nudges, -want)
    for s in walk.stages:
        for text, v, c in _cells(s):
            assert _shows(text, v, c in s.signed), (s.key, text, v)


def test_other_architectures_and_class_names(data):
    x, label, _ = data
    names = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
             "Bag", "Ankle boot")
    walk = build_walk(Network([784, 10], seed=0), x, label, class_names=names)
    assert [s.key for s in walk.stages][-3:] == ["gradient", "step", "batch"]
    assert "'Pullover'" in walk.stage("wants").text
    deep = build_walk(Network([784, 8, 8, 8, 10], seed=0), x, label)
    keys = [s.key for s in deep.stages]
    assert keys[10:16] == ["sum-3", "levers-3", "sum-2", "levers-2", "sum-1", "levers-1"]
    with pytest.raises(ValueError):
        build_walk(Network([784, 10], seed=0), x, label, class_names=DIGITS[:5])


# -- the lesson's words, with the network's own numbers -------------------------------------------
def test_forward_stage_names_the_matrix_and_the_bias_as_threshold(walk):
    s = walk.stage("forward-1")
    assert "a⁽¹⁾ = σ(W⁽¹⁾ a⁽⁰⁾ + b⁽¹⁾)" in s.formula
    assert "16 × 784, one row of weights per neuron" in s.formula  # the shape of W⁽¹⁾
    assert "16 × 16, one row" in walk.stage("forward-2").formula
    assert "10 × 16, one row" in walk.stage("forward-3").formula
    assert "threshold" in s.text and "into 0 … 1 with σ" in s.text


def test_forward_stage_names_the_range_of_each_activation(data):
    x, label, _ = data
    texts = {act: build_walk(Network([784, 8, 10], activation=act, seed=0), x, label)
             .stage("forward-1").text for act in ("sigmoid", "tanh", "relu")}
    assert "into 0 … 1 with σ" in texts["sigmoid"]
    assert "into −1 … 1 with tanh" in texts["tanh"] and "0 … 1" not in texts["tanh"]
    assert "gives 0 otherwise (relu)" in texts["relu"] and "0 … 1" not in texts["relu"]


def test_levers_say_how_each_activation_responds(data):
    x, label, _ = data
    walks = {act: build_walk(Network([784, 8, 10], activation=act, seed=0), x, label)
             for act in ("sigmoid", "tanh", "relu")}
    texts = {act: w.stage("lever-bias").text for act, w in walks.items()}
    saturated = "at z = 0; near 0 when the neuron is saturated)"
    assert "right now (at most 0.25, " + saturated in texts["sigmoid"]
    assert "tanh'(z) = " in texts["tanh"] and "right now (at most 1, " + saturated in texts["tanh"]
    relu = walks["relu"].stage("lever-bias").values["prime"]
    assert ("relu'(z) = 1: it passes every change on" if relu > 0 else
            "relu'(z) = 0: none of its levers do anything") in texts["relu"]
    assert "at most" not in texts["relu"]


def test_cost_and_gradient_stages_say_what_the_network_cost_and_the_gradient_are(walk):
    assert "averaged over all the training samples" in walk.stage("cost").text
    g = walk.stage("gradient").text
    assert "function of these 13,002 parameters" in g
    assert "negative gradient says which way to nudge" in g


def test_batch_stage_names_the_mini_batch_size_training_uses(net, data):
    x, label, batch = data
    for size in (100, 37):
        text = build_walk(net, x, label, batch=batch, batch_size=size).stage("batch").text
        assert f"mini-batches of {size} (the batch box)" in text
        assert "negative gradient of the cost" in text and "stochastic gradient descent" in text
    assert "mini-batches of 37" in build_walk(net, x, label, batch_size=37).stage("batch").text


def test_readme_numbers_the_stages_as_the_walk_does(walk):
    """The README's stage list and pictures use the stages' own numbers ("4b · …")."""
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    for key in ("wants", "lever-weights", "sum-2"):
        assert f"| {walk.stage(key).title} |" in readme
    for label, words in (("3", "what the outputs want"), ("4a", "its bias"),
                         ("4b", "its weights"), ("5", "every output's"),
                         ("7", "the whole gradient"), ("8", "one gradient step"),
                         ("9", "from one sample")):
        assert any(s.label == label for s in walk.stages)
        assert f"{label} {words}" in " ".join(readme.split()), label
    assert walk.position(walk.index("lever-weights")) == "Stage 4b of 9"


@pytest.mark.parametrize("gap", [1.0, 700.0, 800.0, 1e4])
def test_the_cross_entropy_stage_states_the_true_cost_at_any_logit_gap(gap):
    """−ln of a share that underflows is written from the logits, never "−ln 0 = 690.8"."""
    net = Network([4, 3, 2], "sigmoid", "cross_entropy", seed=0)
    W = [w.copy() for w in net.weights]
    b = [x.copy() for x in net.biases]
    W[-1][:] = 0
    b[-1] = np.array([gap / 2, -gap / 2])
    net.set_parameters(W, b)
    stage = build_walk(net, np.array([0.1, 0.2, 0.3, 0.4]), 1, class_names=("0", "1")).stage("cost")
    true_cost = gap + math.log1p(math.exp(-gap))
    first = stage.formula.splitlines()[0]
    assert parse_number(first.rsplit("= ", 1)[1]) == pytest.approx(true_cost, rel=1e-3)
    assert "−ln 0 " not in first and "inf" not in stage.text
