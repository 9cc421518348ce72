"""The neuron editor in the window: a dragged bias reaches the network through the session,
the neuron's a is σ(Σ w·a + b) with the new b, the outputs and the answer follow, Restore and
Undo give back exact parameters, and editing pauses training."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from mlpviz.core.activations import get_activation
from mlpviz.core.costs import get_cost
from mlpviz.core.history import same_parameters
from mlpviz.core.network import forward_pass


def params(snap):
    return tuple(snap.weights), tuple(snap.biases)


def number(label) -> float:
    return float(label.text().replace("−", "-"))


@pytest.fixture
def editing(qtbot, window):
    """The window with hidden neuron 3 of layer 1 in the Neuron tab; (window, editor, trained)."""
    qtbot.waitUntil(lambda: window._snapshot is not None and window._shown is not None,
                    timeout=5000)
    window.network_view.neuron_clicked.emit(1, 3)
    qtbot.waitUntil(lambda: window.neuron_panel.editor.isVisible(), timeout=3000)
    return window, window.neuron_panel.editor, params(window.session.snapshot)


def wait_bias(qtbot, window, b):
    qtbot.waitUntil(lambda: window.session.snapshot.biases[0][3] == b, timeout=5000)
    qtbot.waitUntil(lambda: window._snapshot is window.session.snapshot, timeout=5000)


def test_dragging_the_bias_sets_a_to_sigma_of_the_sum_plus_the_new_b(qtbot, editing):
    window, editor, (W, b) = editing
    qtbot.keyClick(editor.bias_slider, Qt.Key.Key_End)  # the slider to its top
    new_b = editor.bias_spin.value()
    assert new_b == editor.bias_spin.maximum() and new_b != b[0][3]
    wait_bias(qtbot, window, new_b)
    snap = window.session.snapshot
    x = window._shown.x
    act, cost = get_activation(snap.activation), get_cost(snap.cost)
    _, old = forward_pass(W, b, x, act, cost)
    expected = float(act.f(np.array([W[0][3] @ x + new_b]))[0])
    assert number(window.neuron_panel.value_a) == pytest.approx(expected, abs=5e-4)
    assert number(window.neuron_panel.value_b) == pytest.approx(new_b, abs=5e-4)
    assert window.network_view.activations()[1][3] == pytest.approx(expected, rel=1e-12)
    # every other weight and bias as trained; the outputs and the answer follow the edit
    b_edit = [v.copy() for v in b]
    b_edit[0][3] = new_b
    _, acts = forward_pass(W, b_edit, x, act, cost)
    assert not np.allclose(acts[-1], old[-1])
    assert np.allclose(window.network_view.activations()[-1], acts[-1], rtol=1e-12)
    window.sample_dock.raise_()  # a tab behind another catches up when shown
    qtbot.waitUntil(lambda: np.allclose(window.sample_view.outputs(), acts[-1], rtol=1e-12),
                    timeout=3000)
    assert window.sample_view.bars.winner() == int(np.argmax(acts[-1]))
    assert editor.restore_button.isEnabled()


def test_restore_is_bit_for_bit_and_undo_puts_the_edit_back(qtbot, editing):
    window, editor, trained = editing
    editor.bias_spin.setValue(1.25)
    wait_bias(qtbot, window, 1.25)
    editor.scale_spin.setValue(2.0)
    qtbot.waitUntil(lambda: np.array_equal(window.session.snapshot.weights[0][3],
                                           trained[0][0][3] * 2.0), timeout=5000)
    edited = params(window.session.snapshot)
    qtbot.mouseClick(editor.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: same_parameters(params(window.session.snapshot), trained),
                    timeout=5000)
    qtbot.waitUntil(lambda: not editor.restore_button.isEnabled(), timeout=3000)
    qtbot.mouseClick(editor.undo_button, Qt.MouseButton.LeftButton)  # undo the restore
    qtbot.waitUntil(lambda: same_parameters(params(window.session.snapshot), edited),
                    timeout=5000)
    qtbot.waitUntil(lambda: editor.scale_spin.value() == 2.0, timeout=3000)
    for _ in range(2):  # undo the scale, then the bias
        qtbot.waitUntil(lambda: not editor._history.waiting, timeout=5000)
        qtbot.mouseClick(editor.undo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: same_parameters(params(window.session.snapshot), trained),
                    timeout=5000)
    assert not editor.undo_button.isEnabled()


def test_switching_off_zeroes_its_outgoing_weights(qtbot, editing):
    window, editor, (W, b) = editing
    editor.off_check.setChecked(True)
    qtbot.waitUntil(lambda: not window.session.snapshot.weights[1][:, 3].any(), timeout=5000)
    snap = window.session.snapshot
    assert np.array_equal(np.delete(snap.weights[1], 3, axis=1), np.delete(W[1], 3, axis=1))
    n = snap.sizes[2]
    qtbot.waitUntil(lambda: f"all {n} outgoing weights are 0" in editor.note.text(), timeout=3000)
    editor.off_check.setChecked(False)
    qtbot.waitUntil(lambda: "outgoing" not in editor.note.text(), timeout=5000)


def test_editing_pauses_training_and_the_edit_is_made(qtbot, editing):
    window, editor, _ = editing
    window.session.start()
    qtbot.waitUntil(lambda: window.session.is_training, timeout=5000)
    editor.bias_spin.setValue(-2.5)
    qtbot.waitUntil(lambda: not window.session.is_training, timeout=5000)
    wait_bias(qtbot, window, -2.5)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("seed, bias", [(0, -2.3), (1, 2.3), (2, 0.0)])
def test_an_edited_bias_reads_as_its_threshold_for_every_activation(qtbot, activation, seed,
                                                                    bias):
    """The panel on an edited network: a = σ(Σ w·a + b) with the new b, and the threshold
    sentence names −b and whether this sum passes it, as the numbers say."""
    from mlpviz.core.explain import fixed
    from mlpviz.core.network import Network
    from mlpviz.core.neuron_edit import NeuronEdit, apply_edit
    from mlpviz.core.snapshot import Snapshot
    from mlpviz.gui.views.neuron_panel import NeuronPanel

    net = Network([16, 5, 3], activation=activation, seed=seed)
    W, b = apply_edit(net.weights, net.biases, NeuronEdit(1, 2, bias))
    net.set_parameters(W, b)
    x = np.random.default_rng(seed).random(16)
    panel = NeuronPanel()
    qtbot.addWidget(panel)
    panel.show_neuron(Snapshot.of(net), x, 1, 2, [str(i) for i in range(3)])
    act = get_activation(activation)
    weighted = float(W[0][2] @ x)
    a = float(act.f(np.array([weighted + bias]))[0])
    assert number(panel.value_a) == pytest.approx(a, abs=5e-4)
    text = panel.threshold.text()
    assert fixed(-bias) in text and act.active_when in text
    assert ("active (a =" in text) == (weighted + bias > 0)
    assert panel.editor.bias_spin.value() == pytest.approx(bias)
