"""Compare runs in the window: pinned runs plot together, keyed by what differs; remove; the
weight pictures of a pinned run beside this run's."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from mlpviz.gui.views.runs_view import RUN_COLORS


def key(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    """A key pressed where the user's keys go: the focused widget, once the window has one."""
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def train_epoch(qtbot, window):
    """One epoch through the window's E key; wait until it is reported and training paused."""
    before = len(window.session.history)
    key(qtbot, Qt.Key.Key_E)
    qtbot.waitUntil(lambda: len(window.session.history) > before
                    and not window.session.is_training, timeout=30_000)


def pin(qtbot, window):
    key(qtbot, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)


def rerun(qtbot, window):
    with qtbot.waitSignal(window.session.network_rebuilt, timeout=5000):
        key(qtbot, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)


def colour_pixels(image, colour: str) -> int:
    """Pixels of `image` (QImage) within a small distance of `colour`."""
    ptr = image.convertToFormat(image.Format.Format_RGB888)
    a = np.frombuffer(ptr.constBits(), np.uint8).reshape(ptr.height(), ptr.bytesPerLine())
    a = a[:, :ptr.width() * 3].reshape(ptr.height(), ptr.width(), 3).astype(int)
    c = QColor(colour)
    return int((np.abs(a - [c.red(), c.green(), c.blue()]).sum(axis=2) < 30).sum())


@pytest.fixture
def three_pinned(qtbot, window):
    """Three runs from the same start: η 3 batch 100, η 0.3 batch 100, η 0.3 batch 10; each
    trained one epoch and pinned; the run on show is then η 0.3, batch 10 again."""
    train_epoch(qtbot, window)
    pin(qtbot, window)
    window.controls.lr.setValue(0.3)
    rerun(qtbot, window)
    train_epoch(qtbot, window)
    pin(qtbot, window)
    window.controls.batch.setValue(10)
    rerun(qtbot, window)
    train_epoch(qtbot, window)
    pin(qtbot, window)
    rerun(qtbot, window)
    return window


def test_three_pinned_runs_plot_together_with_their_labels(qtbot, three_pinned):
    window = three_pinned
    expected = ["η 3 vs 0.3, batch 100 vs 10", "batch 100 vs 10", "same settings, same start"]
    assert window.runs_view.labels() == expected
    window.cost_view.flush()
    assert window.cost_view.baseline_labels() == [*expected, "this run"]
    # each run is on both plots: its smoothed cost and its held-out accuracy, in its colour
    cost_items = window.cost_view._cost_plot.listDataItems()
    acc_items = window.cost_view._acc_plot.listDataItems()
    for colour in RUN_COLORS[:3]:
        drawn = [i for i in cost_items + acc_items if i.opts["pen"].color().name() == colour]
        assert len(drawn) == 2 and all(len(i.getData()[0]) > 0 for i in drawn)
    image = window.cost_view.grab().toImage()
    for colour in RUN_COLORS[:3]:
        assert colour_pixels(image, colour) > 50, colour
    # batch 10 saw the epoch's 8,000 samples in 800 batches: drawn at 800 batches of 10
    curves = window.runs_view._runs.runs
    assert [r.epoch_x.tolist() for r in curves] == [[8000.0]] * 3


def test_labels_follow_the_settings_of_the_run_on_show(qtbot, three_pinned):
    window = three_pinned
    window.controls.batch.setValue(100)
    window.controls.lr.setValue(3.0)
    assert window.runs_view.labels() == ["same settings, same start", "η 0.3 vs 3",
                                         "η 0.3 vs 3, batch 10 vs 100"]
    assert window.cost_view.baseline_labels()[:3] == window.runs_view.labels()


def test_remove_a_pinned_run_and_the_plot_forgets_it(qtbot, three_pinned):
    window = three_pinned
    view = window.runs_view
    view.run_list.setCurrentRow(1)
    qtbot.mouseClick(view.remove_button, Qt.MouseButton.LeftButton)
    assert view.labels() == ["η 3 vs 0.3, batch 100 vs 10", "same settings, same start"]
    assert window.cost_view.baseline_labels() == [*view.labels(), "this run"]
    colours = [i.opts["pen"].color().name() for i in window.cost_view._cost_plot.listDataItems()]
    assert RUN_COLORS[1] not in colours and RUN_COLORS[0] in colours


def test_a_pinned_runs_weights_beside_this_runs(qtbot, three_pinned):
    window = three_pinned
    window.runs_dock.show()
    window.runs_dock.raise_()
    view = window.runs_view
    qtbot.waitUntil(lambda: view.current_grid.count() == 16)
    view.run_list.setCurrentRow(0)
    assert view.pinned_grid.count() == 16
    assert "η 3 vs 0.3" in view.pinned_caption.text()
    first = view._runs.runs[0].first_weights
    assert not np.array_equal(first, view._runs.runs[1].first_weights)


def test_nothing_to_pin_before_training_says_so(qtbot, window):
    messages = []
    window.runs_view.problem_found.connect(messages.append)
    pin(qtbot, window)
    assert messages and "nothing to pin" in messages[0]
    assert window.runs_view.labels() == [] and window.cost_view.baseline_labels() == []


def test_pinned_runs_round_trip_for_a_lesson_file(qtbot, three_pinned):
    from mlpviz.core.runs import Runs

    window = three_pinned
    saved = Runs.from_arrays(window.runs_view.pinned().to_arrays())
    window.runs_view.set_pinned(Runs())
    assert window.runs_view.labels() == []
    window.runs_view.set_pinned(saved)
    assert len(window.runs_view.labels()) == 3


def test_a_lesson_file_keeps_the_pinned_runs_bit_for_bit(qtbot, three_pinned, tmp_path):
    from mlpviz.core.runs import Run

    window = three_pinned
    before = window.runs_view.pinned().runs
    labels = window.runs_view.labels()
    path = tmp_path / "compare.mlpviz"
    assert window.lesson.save(path)
    window.runs_view.remove(0)
    window.runs_view.remove(0)
    with qtbot.waitSignal(window.lesson.opened, timeout=30_000):
        assert window.lesson.open(path)
    after = window.runs_view.pinned().runs
    assert len(after) == 3 and window.runs_view.labels() == labels
    for r, s in zip(before, after):
        assert r.settings == s.settings and r.epochs == s.epochs
        assert all(np.array_equal(getattr(r, n), getattr(s, n), equal_nan=True)
                   for n in Run.ARRAYS)
    assert window.cost_view.baseline_labels() == [*labels, "this run"]
    # a lesson saved without pinned runs unpins them when opened
    window.runs_view.set_pinned(type(window.runs_view.pinned())())
    empty = tmp_path / "none.mlpviz"
    assert window.lesson.save(empty)
    with qtbot.waitSignal(window.lesson.opened, timeout=30_000):
        assert window.lesson.open(path)
    with qtbot.waitSignal(window.lesson.opened, timeout=30_000):
        assert window.lesson.open(empty)
    assert window.runs_view.labels() == []


def test_labels_name_the_cost_and_the_activation_that_differ(qtbot, window):
    s = window.session
    train_epoch(qtbot, window)
    pin(qtbot, window)
    with qtbot.waitSignal(s.network_rebuilt, timeout=5000):
        s.rebuild([784, 16, 16, 10], "sigmoid", "cross_entropy", 0)
    label = window.runs_view.labels()[0]
    assert "mse vs cross-entropy" in label and "sigmoid" not in label
    with qtbot.waitSignal(s.network_rebuilt, timeout=5000):
        s.rebuild([784, 16, 16, 10], "relu", "mse", 0)
    train_epoch(qtbot, window)  # its start is known now: relu's own initial scale
    label = window.runs_view.labels()[0]
    assert "sigmoid vs relu" in label and "other initial weights" not in label
    assert "cross-entropy" not in label
    assert window.cost_view.baseline_labels()[0] == label


def test_the_weights_caption_names_the_palettes_colours(qtbot, window):
    view = window.runs_view
    assert "green" in view.weights_caption.text() and "red" in view.weights_caption.text()
    window._set_palette("colourblind")
    text = view.weights_caption.text()
    assert "blue" in text and "orange" in text and "green" not in text
