"""CostView: batch costs (decimated, bounded), epoch markers, history rows, throttled redraws."""

import os
import subprocess
import sys

import numpy as np
import pytest

from mlpviz.core.training import BatchReport, EpochReport
from mlpviz.gui.views import cost_view
from mlpviz.gui.views.cost_view import MAX_POINTS, CostView


@pytest.fixture
def view(qtbot):
    v = CostView()
    qtbot.addWidget(v)
    v.flush()  # the plots are built now (the app builds them after the view's first paint)
    return v


def test_plots_are_built_after_the_first_paint_with_the_data_so_far(qtbot):
    v = CostView()
    qtbot.addWidget(v)
    v.add_batches(batches([1.0, 0.5, 0.25]))
    v.add_epoch(epoch(1))
    qtbot.wait(2 * cost_view.REDRAW_MS)
    assert v._canvas is None  # nothing painted yet: no plot, no pyqtgraph work
    v.show()
    qtbot.waitUntil(lambda: v._canvas is not None, timeout=2000)
    x, y = v._batch_curve.getData()
    assert np.array_equal(x, [1, 2, 3]) and np.array_equal(y, [1.0, 0.5, 0.25])
    assert len(v._train_cost.getData()[0]) == 1


def test_the_main_window_module_does_not_import_pyqtgraph():
    """pyqtgraph (~0.4 s of start-up) is imported when the cost plot is first built."""
    code = ("import sys, mlpviz.gui.main_window, mlpviz.gui.app; "
            "sys.exit('pyqtgraph' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, timeout=60)
    assert result.returncode == 0, result.stderr


def batches(costs, start=0):
    return tuple(BatchReport(0, i + 1, 80, (start + i + 1) * 100, float(c), 100, 3.0)
                 for i, c in enumerate(costs))


def epoch(n, train_cost=0.5, train_acc=0.8, test_cost=0.6, test_acc=0.75):
    return EpochReport(n, train_cost, train_acc, test_cost, test_acc, 1.0, 8000.0)


def test_few_batches_are_kept_exactly(view):
    costs = [1.0, 0.5, 0.25, 2.0]
    view.add_batches(batches(costs))
    x, y, ema = view.batch_series()
    assert np.array_equal(x, [1, 2, 3, 4]) and np.array_equal(y, costs)
    # Bias-corrected moving average: exact at the first batch, then a weighted mean.
    a = cost_view.EMA_ALPHA
    assert ema[0] == pytest.approx(1.0)
    assert ema[1] == pytest.approx(((1 - a) * 1.0 + 0.5) / (2 - a))
    assert view.batches_seen() == 4


def test_decimation_keeps_memory_bounded_and_the_extremes_drawn(view):
    rng = np.random.default_rng(0)
    n = 100_000
    raw = 1.0 / (1.0 + np.arange(n) / 1000) + 0.01 * rng.random(n)
    raw[77_777] = 1.5  # one bad batch late in the run
    for s in range(0, n, 1000):
        view.add_batches(batches(raw[s:s + 1000], start=s))
    x, y, ema = view.batch_series()
    assert MAX_POINTS // 2 <= len(x) <= MAX_POINTS + 1
    assert view._batches._store.shape[1] == MAX_POINTS  # no buffer grew
    assert np.all(np.diff(x) > 0) and x[0] < 100 and x[-1] > n - 100
    # Each point is the mean of the batches it stands for: the overall mean is preserved.
    full = len(x) - 1  # the last point may be partly filled
    per_point = round(n / len(x))
    assert y[:full].mean() == pytest.approx(raw[: full * per_point].mean(), rel=1e-3)
    assert abs(ema[-1] - raw[-200:].mean()) < 0.01
    view.resize(800, 300)
    view.flush()
    plotted_x, plotted_y = view._batch_curve.getData()
    columns = view._columns()
    assert columns <= 800 and len(plotted_x) <= 2 * columns  # bounded by the width, not by n
    # The band drawn reaches the lowest and the highest batch cost: the spike is not averaged away.
    assert plotted_y.max() == 1.5 and plotted_y.min() == raw.min()
    smooth_x, _ = view._smooth_curve.getData()
    assert len(smooth_x) <= columns


def test_many_epochs_are_drawn_as_a_bounded_line(view):
    view.resize(800, 300)
    for e in range(1, cost_view.MAX_MARKERS + 1):
        view.add_epoch(epoch(e, train_cost=1.0 / e), at=80 * e)
    view.flush()
    x, _ = view._train_cost.getData()
    assert len(x) == cost_view.MAX_MARKERS and view._train_cost.opts["symbol"] == "o"
    for e in range(cost_view.MAX_MARKERS + 1, 5001):
        view.add_epoch(epoch(e, train_cost=1.0 / e, test_acc=0.5 + (e == 4000) * 0.4), at=80 * e)
    view.flush()
    x, y = view._test_acc.getData()
    assert len(x) <= 2 * view._columns() and view._test_acc.opts["symbol"] is None
    assert y.max() == pytest.approx(90) and y.min() == pytest.approx(50)  # the one odd epoch shows
    assert len(view.history_rows()) == 5000  # the CSV keeps every epoch


def test_a_damaged_epoch_report_is_left_out_not_raised(view):
    view.add_epoch(epoch(1, train_cost="garbage", test_acc=None))
    view.add_epoch(epoch(2, train_cost=0.25))
    view.flush()
    x, y = view._train_cost.getData()
    assert np.array_equal(y, [0.25])
    x, _ = view._test_acc.getData()
    assert len(x) == 1


def test_epoch_points_and_history_rows(view):
    view.add_batches(batches([1.0] * 80))
    view.add_epoch(epoch(1, test_cost=float("nan"), test_acc=float("nan")))  # no held-out set
    view.add_batches(batches([0.5] * 80, start=80))
    view.add_epoch(epoch(2, 0.3, 0.9, 0.4, 0.85))
    rows = view.history_rows()
    assert [r["epoch"] for r in rows] == [1, 2] and [r["batches_seen"] for r in rows] == [80, 160]
    assert set(rows[0]) == set(cost_view.HISTORY_FIELDS)
    assert rows[1]["train_accuracy"] == 0.9 and rows[1]["test_cost"] == 0.4
    view.flush()
    ax, ay = view._train_acc.getData()
    assert np.array_equal(ax, [80, 160]) and np.allclose(ay, [80, 90])
    tx, ty = view._test_cost.getData()  # the NaN epoch is left out
    assert np.array_equal(tx, [160]) and np.allclose(ty, [0.4])


def test_redraws_are_throttled(qtbot, view, monkeypatch):
    calls = []
    redraw = view._redraw
    monkeypatch.setattr(view, "_redraw", lambda: (calls.append(1), redraw()))
    view._redraw_timer.timeout.disconnect()
    view._redraw_timer.timeout.connect(view._redraw)
    for i in range(200):
        view.add_batches(batches([1.0], start=i))
    assert calls == []  # nothing drawn synchronously
    qtbot.waitUntil(lambda: len(calls) == 1, timeout=1000)
    qtbot.wait(3 * cost_view.REDRAW_MS)
    assert len(calls) == 1
    x, _ = view._batch_curve.getData()
    assert len(x) == 200


def test_clear_forgets_everything(view):
    view.add_batches(batches([1.0] * 10))
    view.add_epoch(epoch(1))
    view.clear()
    x, y, ema = view.batch_series()
    assert len(x) == 0 and view.history_rows() == [] and view.batches_seen() == 0
    x, _ = view._batch_curve.getData()
    assert x is None or len(x) == 0
    view.add_batches(batches([2.0]))
    assert view.batch_series()[2][0] == pytest.approx(2.0)  # the smoothing restarts too


def test_looks(view):
    view.set_font_scale(2.0)
    view.set_colors("#1e1e1e", "#e0e0e0")
    assert view._cost_plot.getAxis("left").style["tickFont"].pointSizeF() == pytest.approx(20)
    with pytest.raises(ValueError):
        view.set_colors("dark", "#zzzzzz")
    view.add_batches(batches([1.0, 0.5]))
    view.flush()
    assert not view.grab().isNull()


@pytest.mark.parametrize("points", [9.0, 13.5, 20.0])
@pytest.mark.parametrize("size", [80, 119, 164, 400, 900])
@pytest.mark.parametrize("hi", [12.0, 365.7, 12_000.0, 2.5e6])
def test_tick_labels_never_run_together_on_a_narrow_axis(qtbot, points, size, hi):
    """The accuracy plot at presentation type read "100200300" (pyqtgraph asks for ≥ 2.25
    intervals however narrow the axis)."""
    import math

    import pyqtgraph as pg
    from PySide6.QtGui import QFont, QFontMetricsF

    from mlpviz.gui.views.cost_view import spacing_for_labels
    axis = pg.AxisItem("bottom")
    font = QFont()
    font.setPointSizeF(points)
    axis.setTickFont(font)
    lo = -0.02 * hi
    base = pg.AxisItem.tickSpacing
    levels = spacing_for_labels(axis, base, lo, hi, size)
    major = levels[0][0]
    metrics = QFontMetricsF(font)

    def fits(spacing):  # the widest label and half its width again between two ticks
        ticks = [spacing * k for k in range(0, math.floor(hi / spacing) + 1)]
        label = max(metrics.horizontalAdvance(f"{t:g}") for t in ticks)
        return spacing * size / (hi - lo) >= 1.5 * label - 1e-9

    assert fits(major)
    own = base(axis, lo, hi, size)
    if fits(own[0][0]):
        assert levels == own  # where pyqtgraph's ticks fit, they are left alone
    assert math.log10(major) % 1 in (0.0, pytest.approx(math.log10(2) % 1),
                                     pytest.approx(math.log10(5) % 1))  # 1, 2 or 5 × 10ⁿ


def test_an_epoch_marker_sits_where_its_last_batch_ended(view):
    """The worker sends batches in bunches and then the epochs they completed: an epoch's
    report can come after batches of the next epoch; its markers stay at its end."""
    first = tuple(BatchReport(0, i + 1, 80, (i + 1) * 100, 1.0, 100, 3.0) for i in range(80))
    second = tuple(BatchReport(1, i + 1, 80, (81 + i) * 100, 0.5, 100, 3.0) for i in range(7))
    view.add_batches(first + second)
    view.add_epoch(epoch(1))
    view.flush()
    assert view.history_rows()[0]["batches_seen"] == 80
    assert view._test_cost.getData()[0].tolist() == [80.0]
