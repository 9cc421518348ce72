"""Words for counts that can be 1 (issue 11's loose ends): "1 epoch", "1 mini-batch", never
"1 epochs"; the pinned run's caption says how many epochs are behind it; Ctrl+Z with nothing to
undo says so."""

import math

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from mlpviz.core.curve_readout import epoch_text
from mlpviz.core.pins import Pin
from mlpviz.gui.views.pins_view import pin_caption


def key(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


@pytest.mark.parametrize("n, said", [(1, "1 epoch"), (2, "2 epochs"), (7, "7 epochs")])
def test_the_stop_after_box_says_epoch_for_one(qtbot, window, n, said):
    box = window.controls.stop_after
    box.setValue(n)
    assert box.text() == said


def test_one_epoch_is_said_in_the_singular_everywhere_it_is_counted(qtbot, window):
    window.controls.stop_after.setValue(1)
    key(qtbot, Qt.Key.Key_E)
    qtbot.waitUntil(lambda: len(window.session.history) == 1 and not window.session.is_training,
                    timeout=30_000)
    message = window.statusBar().currentMessage()
    assert "Paused after epoch 1" in message and "“stop after 1 epoch”" in message
    key(qtbot, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    view = window.runs_view
    qtbot.waitUntil(lambda: view.run_list.count() == 1)
    view.run_list.setCurrentRow(0)
    assert view.run_list.item(0).text().count("1 epoch,") == 1
    assert "after 1 epoch" in view.pinned_caption.text()
    assert "epochs" not in view.pinned_caption.text() + view.run_list.item(0).text()


def test_ctrl_z_with_nothing_to_undo_says_so(qtbot, window):
    window.statusBar().clearMessage()
    key(qtbot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.statusBar().currentMessage().startswith("Nothing to undo")


def test_the_pins_caption_counts_one_mini_batch_in_the_singular():
    pin = Pin("weight", 0, 1, 2)
    assert pin_caption(pin, 1, 0.5, 0.25).endswith("after 1 mini-batch")
    assert pin_caption(pin, 2, 0.5, 0.25).endswith("after 2 mini-batches")


def test_the_epoch_readout_counts_one_mini_batch_in_the_singular():
    class Report:
        epoch, train_cost, test_cost = 1, 0.5, 0.6
        train_accuracy, test_accuracy = 0.9, math.nan

    assert "(1 mini-batch)" in epoch_text([(1, Report())], 1, 0.5)
    assert "(3 mini-batches)" in epoch_text([(3, Report())], 3, 0.5)
