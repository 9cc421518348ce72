"""A lesson file keeps the layout (issue 11): the network view's options from the View menu —
lines shown, inputs as circles, lines by ∂C/∂w — and the side panels' width and the cost plot's
height come back when the lesson is opened, in another window too; a lesson without them (an
older file) still opens and leaves the layout alone; a smaller window takes the sizes gracefully."""

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import Qt

from mlpviz.core.lesson_file import write_lesson
from mlpviz.gui.lesson_layout import SECTION
from mlpviz.gui.side_tabs import show_tab

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def lay_out(qtbot, window, side=700, plot=300):
    """Strongest 3 lines, inputs as circles, lines by gradient, the Runs tab in front, the side
    panels `side` px wide, the cost plot `plot` px high."""
    window.top_k_actions[3].trigger()
    window.circles_action.trigger()
    window.gradient_action.trigger()
    show_tab(window, "runs")
    window.resizeDocks([window.runs_dock], [side], Qt.Orientation.Horizontal)
    window.resizeDocks([window.cost_dock], [plot], Qt.Orientation.Vertical)
    qtbot.waitUntil(lambda: window.runs_dock.width() == side
                    and window.cost_dock.height() == plot)


def open_lesson(qtbot, window, path):
    with qtbot.waitSignal(window.lesson.opened, timeout=30_000):
        assert window.lesson.open(path)


def test_the_layout_comes_back_in_another_window(qtbot, window_on, bundled, tmp_path):
    saver = window_on(bundled)
    lay_out(qtbot, saver)
    layout = saver.lesson.gather().groups[SECTION]
    assert {k: int(v) for k, v in layout.items()} == {
        "top_k": 3, "input_circles": 1, "line_gradient": 1, "side_width": 700,
        "plot_height": 300}
    assert saver.lesson.save(tmp_path / "l.mlpviz")

    opener = window_on(bundled)
    assert opener.top_k_actions[0].isChecked() and not opener.circles_action.isChecked()
    open_lesson(qtbot, opener, tmp_path / "l.mlpviz")
    assert opener.top_k_actions[3].isChecked() and opener.network_view._top_k == 3
    assert opener.circles_action.isChecked() and opener.network_view._input_style == "circles"
    assert opener.gradient_action.isChecked()
    qtbot.waitUntil(lambda: opener.runs_dock.width() == 700
                    and opener.cost_dock.height() == 300)
    show_tab(opener, "sample")  # the panels keep the lesson's width on every tab
    qtbot.waitUntil(lambda: opener.sample_dock.width() == 700)


def test_an_older_lesson_without_a_layout_still_opens_and_keeps_the_layout(
        qtbot, window, tmp_path):
    old = window.lesson.gather()
    old = dataclasses.replace(old, groups={k: v for k, v in old.groups.items() if k != SECTION})
    write_lesson(tmp_path / "old.mlpviz", old)
    lay_out(qtbot, window, side=650, plot=260)
    open_lesson(qtbot, window, tmp_path / "old.mlpviz")
    assert not window.banner.isVisible()
    assert window.top_k_actions[3].isChecked() and window.circles_action.isChecked()
    assert window.gradient_action.isChecked()


def test_a_smaller_window_takes_the_lessons_sizes_gracefully(qtbot, window_on, bundled,
                                                           tmp_path):
    saver = window_on(bundled)
    lay_out(qtbot, saver, side=900, plot=400)
    assert saver.lesson.save(tmp_path / "l.mlpviz")
    small = window_on(bundled)
    small.resize(800, 600)
    qtbot.waitUntil(lambda: small.width() == 800)
    open_lesson(qtbot, small, tmp_path / "l.mlpviz")
    assert not small.banner.isVisible()
    net = small.network_view
    qtbot.waitUntil(lambda: small.runs_dock.width() < 800 and net.width() > 0
                    and small.cost_dock.height() < 600 and net.height() > 0)


@pytest.mark.parametrize("bad", [{"top_k": np.array(5)}, {"input_circles": np.array(2)},
                                 {"side_width": np.array(-1)}, {"plot_height": np.array(1.5)}])
def test_a_layout_no_mlpviz_wrote_is_named_and_the_rest_opens(qtbot, window, tmp_path, bad):
    lesson = window.lesson.gather()
    groups = dict(lesson.groups)
    groups[SECTION] = {**groups[SECTION], **bad}
    write_lesson(tmp_path / "bad.mlpviz", dataclasses.replace(lesson, groups=groups))
    open_lesson(qtbot, window, tmp_path / "bad.mlpviz")
    assert "its layout could not be read" in window.banner.text()
    assert window.top_k_actions[0].isChecked()
