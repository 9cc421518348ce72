"""Activation, cost, layers and seed changes wait for Rebuild — and the toolbar shows it."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette

from mlpviz.gui.run_controls import REBUILD, REBUILD_PENDING


def looks_pending(controls) -> bool:
    b = controls.rebuild_button
    accent = b.palette().color(QPalette.ColorRole.Highlight)
    return (b.text() == REBUILD_PENDING and b.font().bold()
            and b.palette().color(QPalette.ColorRole.ButtonText) == accent)


@pytest.mark.parametrize("change, words", [
    (lambda c: c.activation.setCurrentText("tanh"), "activation: sigmoid → tanh"),
    (lambda c: c.cost.setCurrentText("cross_entropy"), "cost: mse → cross_entropy"),
    (lambda c: c.layers.setText("32"), "hidden layers: 16,16 → 32"),
    (lambda c: c.seed.setValue(7), "seed: 0 → 7"),
])
def test_a_change_is_shown_pending_until_rebuild(qtbot, window, change, words):
    c = window.controls
    window.session.rebuild([784, 16, 16, 10], "sigmoid", "mse", 0)
    assert not looks_pending(c) and c.pending_changes() == []
    width = c.rebuild_button.width()
    change(c)
    assert looks_pending(c) and c.pending_changes() == [words]
    assert words in c.rebuild_button.toolTip()
    qtbot.wait(10)
    assert c.rebuild_button.width() == width  # no jump
    with qtbot.waitSignal(window.session.network_rebuilt, timeout=5000):
        qtbot.mouseClick(c.rebuild_button, Qt.MouseButton.LeftButton)
    assert not looks_pending(c) and c.rebuild_button.text() == REBUILD


def test_changing_back_or_writing_the_same_layers_differently_is_not_pending(window):
    c = window.controls
    c.activation.setCurrentText("relu")
    assert c.pending_changes()
    c.activation.setCurrentText(window.session.activation)
    c.layers.setText(" 16, 16 ")
    assert c.pending_changes() == [] and not looks_pending(c)
