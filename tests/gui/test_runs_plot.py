"""Three pinned runs on the cost view: each run's dashed curves are that run's own numbers (its
smoothed cost, its held-out accuracy per epoch, at the current batch size), keyed in its colour
with what differs."""

import numpy as np
import pytest

from mlpviz.core.runs import baseline_curve
from mlpviz.gui.views.runs_view import RUN_COLORS
from tests.gui.test_runs_view import pin, train_epoch

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def train_epoch_and_pin(qtbot, window):
    """E trains an epoch; Ctrl+B pins the run."""
    train_epoch(qtbot, window)
    pin(qtbot, window)


@pytest.fixture
def three_runs(qtbot, window):
    """sigmoid/mse η 3, then cross-entropy, then relu (each from its own start), each trained an
    epoch and pinned; then a fourth network on show: sigmoid, mse, η 3."""
    s = window.session
    train_epoch_and_pin(qtbot, window)
    for activation, cost in (("sigmoid", "cross_entropy"), ("relu", "mse")):
        with qtbot.waitSignal(s.network_rebuilt, timeout=5000):
            s.rebuild([784, 16, 16, 10], activation, cost, 0)
        train_epoch_and_pin(qtbot, window)
    with qtbot.waitSignal(s.network_rebuilt, timeout=5000):
        s.rebuild([784, 16, 16, 10], "sigmoid", "mse", 0, lr=3.0)
    window.cost_view.flush()
    return window


def test_each_pinned_run_draws_its_own_numbers_keyed_in_its_colour(qtbot, three_runs):
    w = three_runs
    cv = w.cost_view
    runs = w.runs_view.pinned().runs
    labels = w.runs_view.labels()
    assert len(runs) == 3
    assert labels[0] == "same settings"  # (the run on show has no start yet to compare)
    assert "cross-entropy vs mse" in labels[1]  # the pinned run's, then this run's
    assert "relu vs sigmoid" in labels[2]
    assert cv.baseline_labels() == [*labels, "this run"]
    by_colour = {}
    for item in cv._cost_plot.listDataItems() + cv._acc_plot.listDataItems():
        by_colour.setdefault(item.opts["pen"].color().name(), []).append(item)
    for run, label, colour in zip(runs, labels, RUN_COLORS):
        drawn = baseline_curve(run, label, w.session.batch_size)
        cost, acc = by_colour[colour]
        assert np.array_equal(cost.xData, drawn.x) and np.array_equal(cost.yData, drawn.cost)
        keep = np.isfinite(drawn.test_accuracy)
        assert np.array_equal(acc.xData, drawn.epoch_x[keep])
        assert np.array_equal(acc.yData, drawn.test_accuracy[keep])
        assert acc.yData[-1] == pytest.approx(100 * run.test_accuracy[-1])
    assert len({tuple(np.round(r.cost, 12)) for r in runs}) == 3  # three different runs
    # the key: each label in its run's colour
    legend = cv._baseline_items._legend
    assert legend.isVisible()
    colours = [label.opts["color"] for _sample, label in legend.items]
    assert [str(c).lower() for c in colours[:3]] == list(RUN_COLORS[:3])


def test_the_key_stays_inside_the_cost_plot_with_long_labels_and_when_presenting(qtbot,
                                                                                three_runs):
    """Batch 10 on show: every label gains "batch 100 vs 10" (the longest is 45 characters);
    at 1280×800 the whole key is inside the cost plot, and presenting (larger type, a lower
    plot) at least its whole width: no label is cut off at the side."""
    w = three_runs
    w.controls.batch.setValue(10)
    cv = w.cost_view
    legend = cv._baseline_items._legend
    assert max(map(len, w.runs_view.labels())) > 40
    for presenting in (False, True):
        if presenting:
            w.presentation_action.trigger()
        cv.flush()

        def inside(presenting=presenting):
            plot = cv._cost_plot.vb.sceneBoundingRect()
            if presenting:  # 94 px high: the key may reach below it, never beyond its sides
                plot.setBottom(plot.bottom() + 1000)
            return plot.contains(legend.sceneBoundingRect())

        qtbot.waitUntil(inside, timeout=5000)
        shown = [label.text for _sample, label in legend.items]
        assert [t.replace("<br>", " ") for t in shown] == [*w.runs_view.labels(), "this run"]
        view = cv._canvas.viewport().rect()
        assert view.contains(cv._canvas.mapFromScene(legend.sceneBoundingRect()).boundingRect())


def test_the_runs_tab_says_where_this_run_stands_as_the_status_bar_does(qtbot, three_runs):
    w = three_runs
    train_epoch(qtbot, w)
    with qtbot.waitSignal(w.session.snapshot_ready, timeout=10_000):
        w.session.step_batch()
    w.runs_dock.show()
    w.runs_dock.raise_()
    qtbot.waitUntil(lambda: "batch 1" in w.runs_view.current_caption.text(), timeout=5000)
    assert w.runs_view.current_caption.text().endswith("epoch 2, batch 1")
    assert w.status_epoch.text().strip() == "epoch 2, batch 1"
