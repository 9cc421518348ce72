"""NeuronPanel: every number shown is the core's number for that neuron and sample."""

import numpy as np
import pytest

from mlpviz.core.datasets import DIGIT_NAMES
from mlpviz.core.network import Network
from mlpviz.core.snapshot import Snapshot
from mlpviz.gui.qimage import qimage_to_rgb
from mlpviz.core.activations import get_activation
from mlpviz.core.explain import fixed, threshold_text
from mlpviz.gui.views.neuron_panel import NeuronPanel


def number(label) -> float:
    """The number in a value label ("−1.234" → -1.234)."""
    return float(label.text().replace("−", "-"))


@pytest.fixture
def x(dataset):
    return dataset.test_images[1] / 255.0


@pytest.fixture
def panel(qtbot):
    panel = NeuronPanel()
    qtbot.addWidget(panel)
    panel.set_colors(background="#000000", positive="#00ff00", negative="#ff0000")
    return panel


@pytest.mark.parametrize("layer, index", [(1, 6), (1, 0), (2, 3), (3, 3), (3, 9)])
def test_numbers_are_the_cores(qtbot, panel, snap, x, layer, index):
    panel.show_neuron(snap, x, layer, index, DIGIT_NAMES)
    acts = snap.network().forward_all(x)
    W, b = snap.weights[layer - 1][index], snap.biases[layer - 1][index]
    z = float(W @ acts[layer - 1] + b)
    assert number(panel.value_a) == pytest.approx(acts[layer][index], abs=5e-4)
    assert number(panel.value_z) == pytest.approx(z, abs=5e-4)
    assert number(panel.value_b) == pytest.approx(b, abs=5e-4)
    assert number(panel.value_sum) == pytest.approx(z - b, abs=5e-4)
    formula = panel.formula.text()
    assert fixed(acts[layer][index]) in formula and fixed(z) in formula
    assert "σ(" in formula
    assert panel.weight_range.text().startswith(f"{len(W):,} incoming weights")
    assert fixed(W.min(), signed=True) in panel.weight_range.text()
    assert fixed(W.max(), signed=True) in panel.weight_range.text()
    assert f"w = {fixed(W.max(), signed=True)}" in panel.strongest_positive.text()
    assert f"w = {fixed(W.min(), signed=True)}" in panel.strongest_negative.text()


def test_titles(qtbot, panel, snap, x):
    panel.show_neuron(snap, x, 1, 6, DIGIT_NAMES)
    assert panel.title.text() == "Hidden layer 1, neuron 6"
    panel.show_neuron(snap, x, 2, 0, DIGIT_NAMES)
    assert panel.title.text() == "Hidden layer 2, neuron 0"
    panel.show_neuron(snap, x, 3, 3, DIGIT_NAMES)
    assert panel.title.text() == "Output ‘3’"
    panel.show_neuron(snap, x, 3, 9, ["T-shirt/top"] * 9 + ["Ankle boot"])
    assert panel.title.text() == "Output ‘Ankle boot’"


def test_first_layer_weights_are_a_green_red_picture(qtbot, panel, snap, x):
    panel.show_neuron(snap, x, 1, 6, DIGIT_NAMES)
    assert not panel.pictures.isHidden() and panel.bars.isHidden()
    w = snap.weights[0][6].reshape(28, 28)
    rgb = qimage_to_rgb(panel.weights_image.image())
    assert rgb.shape == (28, 28, 3)
    r, c = np.unravel_index(np.argmax(w), w.shape)
    assert tuple(rgb[r, c]) == (0, 255, 0)  # the strongest positive weight: full green
    r, c = np.unravel_index(np.argmin(w), w.shape)
    assert rgb[r, c, 0] > 0 and rgb[r, c, 1] == 0  # negative: red
    terms = qimage_to_rgb(panel.terms_image.image())
    blank = x.reshape(28, 28) == 0
    assert (terms[blank] == 0).all()  # w × pixel is 0 where the pixel is black


def test_later_layers_show_their_incoming_weights_as_bars(qtbot, panel, snap, x):
    panel.show_neuron(snap, x, 2, 3, DIGIT_NAMES)
    assert panel.pictures.isHidden() and not panel.bars.isHidden()
    assert np.array_equal(panel.weight_bars.values(), snap.weights[1][3])
    a1 = snap.network().forward_all(x)[1]
    assert np.allclose(panel.term_bars.values(), snap.weights[1][3] * a1)


def test_without_a_sample_only_the_parameters_are_shown(qtbot, panel, snap):
    panel.show_neuron(snap, None, 1, 2, DIGIT_NAMES)
    assert panel.value_a.text() == "—" and panel.value_z.text() == "—"
    assert number(panel.value_b) == pytest.approx(snap.biases[0][2], abs=5e-4)
    assert panel.terms_image.isHidden()


def test_softmax_output_formula(qtbot, panel, x):
    snap = Snapshot.of(Network([784, 8, 10], cost="cross_entropy", seed=2))
    panel.show_neuron(snap, x, 2, 4, DIGIT_NAMES)
    a = snap.network().forward(x)[4]
    assert number(panel.value_a) == pytest.approx(a, abs=5e-4)
    assert "softmax" in panel.formula.text()


def test_input_pixel(qtbot, panel, snap, x):
    k = int(np.argmax(x))
    panel.show_neuron(snap, x, 0, k, DIGIT_NAMES)
    r, c = divmod(k, 28)
    assert panel.title.text() == f"Input pixel {k} (row {r}, column {c})"
    assert number(panel.value_a) == pytest.approx(x[k], abs=5e-4)
    assert panel.pictures.isHidden() and panel.bars.isHidden()


def test_bad_neuron_is_refused(qtbot, panel, snap, x):
    with pytest.raises(IndexError):
        panel.show_neuron(snap, x, 1, 16, DIGIT_NAMES)


def test_follows_new_snapshots_and_inputs(qtbot, panel, snap, x, dataset):
    panel.set_snapshot(snap)  # nothing chosen yet: nothing to show
    assert panel.title.text() == "No neuron chosen"
    other = Snapshot.of(Network([784, 16, 16, 10], seed=5))
    panel.show_neuron(other, x, 2, 1, DIGIT_NAMES)
    panel.set_snapshot(snap)
    assert number(panel.value_a) == pytest.approx(snap.network().forward_all(x)[2][1], abs=5e-4)
    x2 = dataset.test_images[7] / 255.0
    panel.set_input(x2)
    assert number(panel.value_a) == pytest.approx(snap.network().forward_all(x2)[2][1], abs=5e-4)
    assert panel.title.text() == "Hidden layer 2, neuron 1"


def test_the_bias_is_read_as_a_threshold_with_the_neurons_numbers(qtbot, panel, snap, x):
    acts = snap.network().forward_all(x)
    seen = set()
    for layer in (1, 2, 3):
        for index in range(snap.sizes[layer]):
            b = float(snap.biases[layer - 1][index])
            z = float(snap.weights[layer - 1][index] @ acts[layer - 1] + b)
            panel.show_neuron(snap, x, layer, index, DIGIT_NAMES)
            text = panel.threshold.text()
            assert text.startswith("The bias is a threshold")
            if b <= 0:
                assert f"must pass {fixed(-b)} before" in text
            else:
                assert f"unless the weighted sum drops below {fixed(-b)}" in text
            on = z > 0
            assert (" is active (a = " in text) == on and (" is quiet (a = " in text) == (not on)
            assert f"Here the sum is {fixed(z - b)}, {'above' if on else 'below'} it" in text
            seen.add((b <= 0, on))
    assert len(seen) == 4  # negative and positive biases, active and quiet neurons all checked
    panel.show_neuron(snap, None, 1, 2, DIGIT_NAMES)  # no sample: the threshold alone
    assert "must pass" in panel.threshold.text() or "drops below" in panel.threshold.text()
    assert "Here the sum" not in panel.threshold.text()
    panel.show_neuron(snap, x, 0, 300, DIGIT_NAMES)  # pixels have no bias
    assert panel.threshold.text() == ""


def test_first_layer_weights_come_with_the_stroke_example(qtbot, panel, snap, x):
    panel.show_neuron(snap, x, 1, 0, DIGIT_NAMES)
    hint = panel.weights_hint.text()
    assert "short stroke" in hint and "ring around it" in hint
    assert not panel.pictures.isHidden()
    panel.show_neuron(snap, x, 2, 0, DIGIT_NAMES)  # later layers: bars, no pictures, no hint
    assert panel.pictures.isHidden()


def test_neurons_are_numbered_from_0_like_the_network_view(qtbot, panel, snap, x):
    panel.show_neuron(snap, x, 2, 5, DIGIT_NAMES)
    assert panel.title.text() == "Hidden layer 2, neuron 5"
    assert panel.subtitle.text().startswith("Neuron 5 of 16 (numbered 0–15)")
    assert panel.weight_bars_caption.text().endswith("0–15")
    k = int(np.argmax(snap.weights[1][5]))
    assert f"from layer 1 neuron {k} " in panel.strongest_positive.text()
    panel.show_neuron(snap, x, 1, 5, DIGIT_NAMES)
    k = int(np.argmax(snap.weights[0][5]))
    assert f"from pixel {k} (row {k // 28}, column {k % 28})" in panel.strongest_positive.text()


def test_the_same_snapshot_or_sample_again_costs_nothing(qtbot, panel, snap, x, monkeypatch):
    import mlpviz.gui.views.neuron_panel as np_module

    other = Snapshot.of(Network([784, 16, 16, 10], seed=5))
    want = other.forward_all(x)[2][1]
    calls = []
    real = np_module.forward_pass
    monkeypatch.setattr(np_module, "forward_pass", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setattr(Snapshot, "network", lambda self: pytest.fail("a Network was rebuilt"))
    panel.show_neuron(snap, x, 2, 1, DIGIT_NAMES)
    assert len(calls) == 1
    panel.set_snapshot(snap)
    panel.set_input(x.copy())
    assert len(calls) == 1
    panel.set_snapshot(other)
    assert len(calls) == 2
    assert number(panel.value_a) == pytest.approx(want, abs=5e-4)
