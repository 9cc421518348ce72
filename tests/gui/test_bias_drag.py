"""Lesson point 5 by hand, for every activation: drag a hidden neuron's bias slider with the mouse
and its activation becomes σ(Σ w·a + b) with the new b — in the Neuron tab's numbers and the
network view's circles — the outputs follow, Ctrl+Z gives back every parameter bit for bit,
and a drag while training pauses it."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QStyle, QStyleOptionSlider

from mlpviz.core.activations import get_activation
from mlpviz.core.costs import get_cost
from mlpviz.core.history import same_parameters
from mlpviz.core.network import forward_pass

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

LAYER, J = 2, 5  # neuron 5 of the second hidden layer: its inputs are hidden activations


def params(snap):
    return tuple(snap.weights), tuple(snap.biases)


def number(label) -> float:
    return float(label.text().replace("−", "-"))


def drag_slider(qtbot, slider, fraction: float) -> None:
    """Press the slider's handle, move it to `fraction` of the groove, release: a real drag."""
    opt = QStyleOptionSlider()
    slider.initStyleOption(opt)
    style = slider.style()
    handle = style.subControlRect(QStyle.ComplexControl.CC_Slider, opt,
                                  QStyle.SubControl.SC_SliderHandle, slider)
    groove = style.subControlRect(QStyle.ComplexControl.CC_Slider, opt,
                                  QStyle.SubControl.SC_SliderGroove, slider)
    start = handle.center()
    end = QPoint(round(groove.left() + fraction * groove.width()), start.y())
    qtbot.mousePress(slider, Qt.MouseButton.LeftButton, pos=start)
    for t in (0.25, 0.5, 0.75, 1.0):
        qtbot.mouseMove(slider, QPoint(round(start.x() + t * (end.x() - start.x())), start.y()))
    qtbot.mouseRelease(slider, Qt.MouseButton.LeftButton, pos=end)


@pytest.fixture(params=["sigmoid", "tanh", "relu"])
def editing(request, qtbot, window):
    """The window on a [784, 16, 16, 10] network of that activation, neuron (2, 5) in the
    Neuron tab; (window, editor)."""
    s = window.session
    with qtbot.waitSignal(s.network_rebuilt, timeout=10_000):
        s.rebuild([784, 16, 16, 10], request.param, "mse", 3)
    qtbot.waitUntil(lambda: window._shown is not None, timeout=5000)
    window.network_view.neuron_clicked.emit(LAYER, J)
    editor = window.neuron_panel.editor
    qtbot.waitUntil(lambda: editor.isVisible(), timeout=3000)
    return window, editor


def test_a_dragged_bias_gives_sigma_of_the_sum_plus_the_new_b_and_ctrl_z_undoes(qtbot, editing):
    window, editor = editing
    s = window.session
    trained = params(s.snapshot)
    W, b = trained
    old_b = float(b[LAYER - 1][J])
    drag_slider(qtbot, editor.bias_slider, 0.9)
    new_b = editor.bias_spin.value()
    assert new_b > old_b + 0.5  # the drag moved it, up
    qtbot.waitUntil(lambda: s.snapshot.biases[LAYER - 1][J] == new_b, timeout=5000)
    qtbot.waitUntil(lambda: window._snapshot is s.snapshot, timeout=5000)
    snap = s.snapshot
    act, cost = get_activation(snap.activation), get_cost(snap.cost)
    x = window._shown.x
    _, before = forward_pass(W, b, x, act, cost)
    weighted = float(W[LAYER - 1][J] @ before[LAYER - 1])  # Σ w·a, a of the layer below
    a = float(act.f(np.array([weighted + new_b]))[0])
    assert a != before[LAYER][J]
    assert window.network_view.activations()[LAYER][J] == pytest.approx(a, rel=1e-12, abs=1e-15)
    assert number(window.neuron_panel.value_a) == pytest.approx(a, abs=5e-4)
    assert number(window.neuron_panel.value_b) == pytest.approx(new_b, abs=5e-4)
    assert number(window.neuron_panel.value_sum) == pytest.approx(weighted, abs=5e-4)
    # only that bias changed; the outputs are those of the edited network
    assert all(np.array_equal(U, V) for U, V in zip(snap.weights, W))
    edited_b = [v.copy() for v in b]
    edited_b[LAYER - 1][J] = new_b
    assert all(np.array_equal(U, V) for U, V in zip(snap.biases, edited_b))
    _, after = forward_pass(W, edited_b, x, act, cost)
    assert np.array_equal(window.network_view.activations()[-1], after[-1])
    # Ctrl+Z: the trained parameters, bit for bit
    window.network_view.setFocus()
    qtbot.keyClick(window.network_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: same_parameters(params(s.snapshot), trained), timeout=5000)
    qtbot.waitUntil(lambda: editor.bias_spin.value() == pytest.approx(old_b, abs=1e-3),
                    timeout=3000)
    assert window.network_view.activations()[LAYER][J] == before[LAYER][J]


def test_a_drag_while_training_pauses_it(qtbot, editing):
    window, editor = editing
    s = window.session
    s.start()
    qtbot.waitUntil(lambda: s.is_training, timeout=5000)
    drag_slider(qtbot, editor.bias_slider, 0.1)
    qtbot.waitUntil(lambda: not s.is_training, timeout=10_000)
    # The pause comes before the edited network: the worker flushes the last trained snapshot,
    # says "paused", then applies the edit. The spin box follows each snapshot it is shown, so
    # read it together with the session's snapshot, once the edited one has arrived.
    qtbot.waitUntil(lambda: s.snapshot.biases[LAYER - 1][J] == editor.bias_spin.value(),
                    timeout=10_000)
    new_b = editor.bias_spin.value()
    qtbot.waitUntil(lambda: window._snapshot is s.snapshot, timeout=5000)
    snap = s.snapshot
    act, cost = get_activation(snap.activation), get_cost(snap.cost)
    _, acts = forward_pass(snap.weights, snap.biases, window._shown.x, act, cost)
    z = float(snap.weights[LAYER - 1][J] @ acts[LAYER - 1]) + new_b
    assert acts[LAYER][J] == pytest.approx(float(act.f(np.array([z]))[0]), rel=1e-12, abs=1e-15)
    assert number(window.neuron_panel.value_a) == pytest.approx(acts[LAYER][J], abs=5e-4)
    assert not s.is_training


def test_ctrl_z_takes_back_whichever_made_the_network_on_show(qtbot, editing):
    """A stepper step, then a neuron edit: Ctrl+Z undoes the edit, then the step, each bit for
    bit; with nothing left, Ctrl+Z changes nothing."""
    window, editor = editing
    s = window.session
    start = params(s.snapshot)
    window._show_stepper()
    qtbot.waitUntil(lambda: window.stepper.stage_count() > 0, timeout=5000)
    with qtbot.waitSignal(s.snapshot_ready, timeout=5000):
        window.stepper.take_step()
    stepped = params(s.snapshot)
    assert not same_parameters(stepped, start)
    window.network_view.neuron_clicked.emit(LAYER, J)
    qtbot.waitUntil(lambda: editor.isVisible(), timeout=3000)
    drag_slider(qtbot, editor.bias_slider, 0.2)
    qtbot.waitUntil(lambda: s.snapshot.biases[LAYER - 1][J] == editor.bias_spin.value()
                    and not editor._history.waiting, timeout=5000)
    assert not same_parameters(params(s.snapshot), stepped)

    def ctrl_z():
        window.network_view.setFocus()
        qtbot.keyClick(window.network_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)

    ctrl_z()
    qtbot.waitUntil(lambda: same_parameters(params(s.snapshot), stepped), timeout=5000)
    qtbot.waitUntil(lambda: window._snapshot is s.snapshot, timeout=5000)
    ctrl_z()
    qtbot.waitUntil(lambda: same_parameters(params(s.snapshot), start), timeout=5000)
    qtbot.waitUntil(lambda: window._snapshot is s.snapshot, timeout=5000)
    last = s.snapshot
    ctrl_z()
    qtbot.wait(200)
    assert s.snapshot is last
