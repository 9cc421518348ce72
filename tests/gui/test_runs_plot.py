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
