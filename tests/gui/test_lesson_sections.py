"""A lesson file with every optional section filled — replay checkpoints, pins, pinned baseline
runs, the run's start — comes back bit for bit into the views that own them: the timeline
scrubs the saved checkpoints, the Pins tab follows the saved pins, the Runs tab keys the saved
baselines, and Ctrl+R reruns the saved run's first mini-batches exactly. Newer, older and
foreign files are refused in the banner and change nothing."""

import zipfile

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from mlpviz.core.lesson_file import FORMAT_VERSION
from mlpviz.core.pins import Pin, Pins
from mlpviz.core.runs import Runs
from mlpviz.gui.side_tabs import show_tab
from tests.gui.test_same_start import batch_costs

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

PINS = (Pin("weight", 0, 2, 300), Pin("neuron", 1, 4))
SECTIONS = {"checkpoints", "pins", "baselines", "run_start", "cost_curve"}


@pytest.fixture
def full_lesson(qtbot, window, tmp_path):
    """tanh, cross-entropy, η 0.37, batch 25, seed 7: 30 mini-batches trained (their costs
    kept), a baseline pinned, two pins, the stepper on stage 5; saved to lesson.mlpviz."""
    s = window.session
    with qtbot.waitSignal(s.network_rebuilt, timeout=30_000):
        s.rebuild([784, 12, 10], "tanh", "cross_entropy", 7, lr=0.37)
    window.controls.batch.setValue(25)
    first = batch_costs(qtbot, s, 30)
    window.runs_view.pin(s.snapshot, s.run_settings())
    for pin in PINS:
        window.pins_view.add(pin)
    window.palette_menu.actions["colourblind"].trigger()
    show_tab(window, "backprop")
    qtbot.waitUntil(lambda: window.stepper.walk is not None, timeout=30_000)
    window.stepper.go_to(5)
    saved = window.lesson.gather()
    assert SECTIONS <= set(saved.groups)
    path = tmp_path / "lesson.mlpviz"
    assert window.lesson.save(path)
    return window, path, saved, first


def forget_everything(qtbot, window):
    """Another network, nothing pinned, no baselines, the other palette."""
    s = window.session
    with qtbot.waitSignal(s.network_rebuilt, timeout=30_000):
        s.rebuild([784, 16, 16, 10], "sigmoid", "mse", 1)
    window.pins_view.set_pins(Pins())
    window.runs_view.set_pinned(Runs())
    window.palette_menu.actions["lesson"].trigger()
    show_tab(window, "weights")


def test_every_section_comes_back_into_its_view(qtbot, full_lesson, assert_same_lesson):
    window, path, saved, first = full_lesson
    s = window.session
    record, baselines = s.checkpoints, window.runs_view.labels()
    forget_everything(qtbot, window)
    with qtbot.waitSignal(window.lesson.opened, timeout=30_000):
        assert window.lesson.open(path)
    assert_same_lesson(window.lesson.gather(), saved)
    # the replay: the saved checkpoints, scrubbed by the timeline, bit for bit
    assert window.timeline.record() is s.checkpoints
    assert s.checkpoints.batches == record.batches
    window.timeline.slider.setValue(1)
    shown = window._snapshot
    assert all(a.tobytes() == b.tobytes() for a, b in zip(shown.weights,
                                                          record.snapshots[1].weights))
    window.timeline.go_live()
    # the pins: followed again, over the saved checkpoints
    assert window.pins_view.pins().pins == PINS
    window.pins_view.refresh()
    x, values = window.pins_view.series()
    assert x.tolist() == list(record.batches)
    assert values[1, 0, 0] == record.snapshots[1].weights[0][2, 300]
    # the baselines: keyed on the cost plot as before
    assert window.runs_view.labels() == baselines
    window.cost_view.flush()
    assert window.cost_view.baseline_labels() == [*baselines, "this run"]
    # the palette and the stepper stage
    assert window.network_view._theme.palette.name == "colourblind"
    assert window.stepper.current_index() == 5
    # the run's start: Ctrl+R reruns the saved run's first 30 mini-batches exactly
    with qtbot.waitSignal(s.network_rebuilt, timeout=5000):
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_R,
                       Qt.KeyboardModifier.ControlModifier)
    assert batch_costs(qtbot, s, 30) == first


def _rewritten(path, out, **members):
    """`path`'s members with some replaced, written to `out` as a plain .npz."""
    with np.load(path, allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    arrays.update(members)
    with open(out, "wb") as f:
        np.savez(f, **arrays)
    return out


REFUSED = [
    ({"format_version": np.array(FORMAT_VERSION + 1)}, ("by a newer mlpviz", "update mlpviz")),
    ({"format_version": np.array(0)}, ("lesson format version 0 does not exist",)),
    ({"format": np.array("keras-model")}, ("a 'keras-model' file, not an mlpviz lesson",)),
    (None, ("not a lesson file",)),  # a zip of another program (slides, say)
]


def test_newer_older_and_foreign_files_are_refused_in_the_banner(qtbot, full_lesson,
                                                                 assert_same_lesson):
    """Each file of REFUSED in turn on the one full lesson (building it is most of the cost):
    its own words in the banner, and nothing changed."""
    window, path, saved, _first = full_lesson
    for k, (members, words) in enumerate(REFUSED):
        bad = path.with_name(f"bad{k}.mlpviz")
        if members is None:
            with zipfile.ZipFile(bad, "w") as z:
                z.writestr("[Content_Types].xml", "<Types/>")
        else:
            _rewritten(path, bad, **members)
        window.banner.hide()
        assert not window.lesson.open(bad)
        text = window.banner.text()
        assert window.banner.isVisible() and "Could not open the lesson" in text, k
        assert all(word in text for word in words), text
        assert "Traceback" not in text
        assert_same_lesson(window.lesson.gather(), saved)  # nothing changed
