"""Presentation mode at 1280×800 (issue 11's loose ends): a long status-bar message is never cut
where the permanent fields start — they step aside while it shows and come back after; and the
pinned runs' key never hides a curve of the cost plot, presenting or not."""

import pytest
from PySide6.QtCore import QPointF

from tests.gui.test_runs_plot import three_runs  # noqa: F401 (a fixture)
from tests.gui.test_runs_view import three_pinned  # noqa: F401 (a fixture)

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

LONG = "Paused after epoch 1 (“stop after 1 epoch” in the toolbar)"


def present(qtbot, window):
    window.presentation_action.trigger()
    qtbot.waitUntil(lambda: not window.menuBar().isVisible())


def test_a_long_message_gets_the_room_of_the_permanent_fields(qtbot, window):
    present(qtbot, window)
    bar, fields = window.statusBar(), window.message_room._fields
    window.status_accuracy.setText("held-out accuracy 33.6 %  cost 0.7863 (end of epoch 1)")
    # the fields laid out with that text leave the message too little room
    qtbot.waitUntil(lambda: all(f.isVisible() for f in fields) and bar.fontMetrics(
        ).horizontalAdvance(LONG) > min(f.geometry().left() for f in fields))
    bar.showMessage(LONG)
    assert not any(f.isVisible() for f in fields)
    assert bar.fontMetrics().horizontalAdvance(LONG) < bar.width()
    bar.clearMessage()
    assert all(f.isVisible() for f in fields)
    bar.showMessage("Saved")  # a short one leaves them be
    assert all(f.isVisible() for f in fields)


def test_the_fields_step_aside_when_they_grow_under_a_message(qtbot, window):
    present(qtbot, window)
    bar, fields = window.statusBar(), window.message_room._fields
    window.status_accuracy.setText("")
    bar.showMessage("Paused after epoch 1")
    qtbot.waitUntil(lambda: all(f.isVisible() for f in fields))
    window.status_accuracy.setText("held-out accuracy 33.6 %  cost 0.7863 (end of epoch 1) " * 3)
    qtbot.waitUntil(lambda: not any(f.isVisible() for f in fields))


def curve_points(cv):
    """Scene positions of every point of the cost plot's curves: the pinned runs' and this
    run's smoothed cost."""
    vb = cv._cost_plot.vb
    items = [item for plot, item in cv._baseline_items._items if plot is cv._cost_plot]
    points = []
    for item in [*items, cv._smooth_curve]:
        x, y = item.getData()
        if x is None:
            continue  # (no data yet)
        points += [vb.mapViewToScene(QPointF(float(a), float(b))) for a, b in zip(x, y)]
    return points


def key_clear_of_curves(qtbot, window):
    cv = window.cost_view
    legend = cv._baseline_items._legend

    def clear():
        cv.flush()
        points = curve_points(cv)
        key = legend.sceneBoundingRect()
        return len(points) > 100 and not any(key.contains(p) for p in points)

    qtbot.waitUntil(clear, timeout=5000)
    assert legend.isVisible() and len(legend.items) == 4


@pytest.mark.parametrize("presenting", [False, True])
def test_no_curve_is_under_the_key_of_three_pinned_runs(qtbot, three_pinned, presenting):  # noqa: F811
    """The runs of the report: η 3 vs 0.3 and batch 100 vs 10, pinned at the end of epoch 1."""
    if presenting:
        present(qtbot, three_pinned)
    key_clear_of_curves(qtbot, three_pinned)


def test_no_curve_is_under_a_key_of_long_labels(qtbot, three_runs):  # noqa: F811
    """Labels of 45 characters ("η 0.1 vs 3, relu vs sigmoid, batch 100 vs 10"), not presenting
    (presenting at 1280×800 the plot is 94 px high: such a key has no room beside the curves)."""
    three_runs.controls.batch.setValue(10)
    key_clear_of_curves(qtbot, three_runs)
