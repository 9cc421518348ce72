"""Every classroom tool from the keyboard: a neuron to edit is chosen with the arrows and Enter
among the Weights or Deeper pictures, its bias moved with the arrows and taken back with Ctrl+Z;
the Mistakes, Replay, Pins, Runs and Palette keys do what their menus say."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from mlpviz.core.history import same_parameters
from mlpviz.gui.side_tabs import show_tab

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def params(snap):
    return tuple(snap.weights), tuple(snap.biases)


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    """A key pressed where the user's keys go: the focused widget."""
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def test_a_neuron_chosen_and_edited_without_the_mouse(qtbot, window):
    s = window.session
    trained = params(s.snapshot)
    show_tab(window, "weights")
    grid = window.weights_grid.grid
    qtbot.waitUntil(lambda: grid.count() == 16, timeout=5000)
    grid.setFocus()
    for key in (Qt.Key.Key_Right, Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_Return):
        press(qtbot, key)  # the first arrow rings picture 0, then 1, then a row down: 5
    panel = window.neuron_panel
    qtbot.waitUntil(lambda: panel.editor.isVisible(), timeout=3000)
    assert panel.title.text() == "Hidden layer 1, neuron 5"
    assert window.network_view.selected() == (1, 5)
    panel.editor.bias_slider.setFocus()
    before = float(s.snapshot.biases[0][5])
    for _ in range(3):
        press(qtbot, Qt.Key.Key_Right)  # the slider's: the stepper is closed
    qtbot.waitUntil(lambda: s.snapshot.biases[0][5] == panel.editor.bias_spin.value(),
                    timeout=5000)
    assert s.snapshot.biases[0][5] > before
    press(qtbot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: same_parameters(params(s.snapshot), trained), timeout=5000)


def test_a_deeper_neuron_is_chosen_from_its_picture(qtbot, window):
    show_tab(window, "deeper")
    deeper = window.deeper_view
    qtbot.waitUntil(lambda: deeper.grid.count() == 16, timeout=5000)
    deeper.grid.setFocus()
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Return):
        press(qtbot, key)  # picture 0, then a row down: 4
    qtbot.waitUntil(lambda: window.neuron_panel.editor.isVisible(), timeout=3000)
    assert window.neuron_panel.title.text() == "Hidden layer 2, neuron 4"
    assert deeper.grid.toolTip() == "Hidden layer 2, neuron 4"
    # and a click on a picture, as the tooltip says
    rect = deeper.grid.tile_rect(9)
    show_tab(window, "deeper")
    qtbot.mouseClick(deeper.grid, Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.network_view.selected() == (2, 9), timeout=3000)


def test_the_tools_keys(qtbot, window):
    s = window.session
    for _ in range(3):
        with qtbot.waitSignal(s.snapshot_ready, timeout=10_000):
            s.step_batch()
    window.network_view.setFocus()
    press(qtbot, Qt.Key.Key_M)
    assert window.mistakes_dock.isVisible()
    press(qtbot, Qt.Key.Key_BracketLeft)
    assert window.timeline.replaying
    press(qtbot, Qt.Key.Key_L)
    assert not window.timeline.replaying
    window._on_neuron_clicked(2, 3)
    press(qtbot, Qt.Key.Key_P)
    assert [p.name() for p in window.pins_view.pins().pins] == ["a₃⁽²⁾"]
    press(qtbot, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert len(window.runs_view.labels()) == 1
    with qtbot.waitSignal(s.network_rebuilt, timeout=5000):
        press(qtbot, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert s.snapshot.epoch == 0 and s.batches_seen == 0
    colour = window.network_view._theme.positive
    press(qtbot, Qt.Key.Key_C)
    assert window.network_view._theme.positive != colour
    assert np.isfinite(s.snapshot.weights[0]).all()
