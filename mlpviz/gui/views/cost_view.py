"""CostView: the cost falling as the network learns, and the accuracy rising (pyqtgraph).

Left plot: the cost of every mini-batch (faint), its exponential moving average (bold), and the
cost over the whole training and held-out sets after each epoch (markers). Right plot: accuracy
in % per epoch on both sets. Both share the x axis, the mini-batches the network has seen (from 0
for a new network; a reopened model's epochs sit where they ended and new batches follow them).

Long runs stay cheap and true (`core.series`): at most MAX_POINTS batch points are kept, each
with the lowest, highest and mean cost of the batches it stands for; when the store fills,
neighbours are merged pairwise. Each redraw draws the band from lowest to highest cost in about
one chunk per pixel column, so a one-batch spike stays visible and the work per redraw depends on
the plot's width, not on the run's length (bench_cost_view.py: 10,000 epochs within 2× of 100).
Epochs get markers while there are at most MAX_MARKERS, then a line through the same kind of
band. Plot items are created once and updated with setData, at most 8 times a second.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np
from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter
from PySide6.QtWidgets import QGraphicsItem, QSizePolicy, QVBoxLayout, QWidget

from mlpviz.core.curve_readout import batch_text, epoch_text
from mlpviz.core.series import BinnedSeries, Points, chunk_means, envelope
from mlpviz.core.training import BatchReport, EpochReport
from mlpviz.i18n import _

MAX_POINTS = 5000  # batch points kept (even); beyond it neighbours are merged pairwise
MIN_COLUMNS = 100  # chunks a curve is drawn with, at least (about one per pixel column)
MAX_MARKERS = 200  # epochs drawn with a marker each; more are drawn as a line
TRAIN_SYMBOL, TEST_SYMBOL = "o", "s"
EPOCH_COLUMNS = ("batches_seen", "train_cost", "test_cost", "train_accuracy", "test_accuracy")
EMA_ALPHA = 0.05  # weight of the newest batch in the smoothed cost (~20 batches of memory)
REDRAW_MS = 125  # at most 8 redraws a second: smooth enough, and axis text is costly to paint
BASE_POINT_SIZE = 10.0
# What the pyqtgraph canvas asks for, so the window's layout is the same before it is built.
PLOT_SIZE_HINT, PLOT_MINIMUM_SIZE = QSize(600, 480), QSize(68, 68)

SMOOTH_COLOR = "#3a86d4"
TRAIN_COLOR = "#e8831c"
TEST_COLOR = "#2ca25f"

HOVER_PIXELS = 12  # the readout names the point nearest the pointer within this many pixels

HISTORY_FIELDS = ("epoch", "batches_seen", "train_cost", "train_accuracy", "test_cost",
                  "test_accuracy", "seconds", "samples_per_second")


def spacing_for_labels(axis, base, lo: float, hi: float, size: float):
    """pyqtgraph's tick spacing for a horizontal axis (`base`), widened to a round 1, 2 or 5 ×
    10ⁿ until the widest label (with half its width as the gap) fits between two ticks —
    pyqtgraph asks for at least 2.25 intervals however narrow the axis, so big type on a narrow
    plot ran its numbers together."""
    levels = base(axis, lo, hi, size)
    if not levels or size <= 0 or hi <= lo:
        return levels
    metrics = QFontMetricsF(axis.style["tickFont"] or QFont())
    major = levels[0][0]
    widest = major * math.floor(max(abs(lo), abs(hi)) / major)  # the longest tick label
    label = metrics.horizontalAdvance(f"{widest:g}")
    smallest = 1.5 * label * (hi - lo) / size  # data units a label and half its width take
    if major >= smallest:
        return levels
    power = 10.0 ** math.floor(math.log10(smallest))
    major = next(m * power for m in (1, 2, 5, 10) if m * power >= smallest)
    return [(major, 0)]


class CostView(QWidget):
    """Cost per mini-batch (raw and smoothed), per-epoch cost and accuracy.

    Setters: add_batches(reports), add_epoch(report), clear(), set_font_scale(f),
    set_colors(background, foreground), set_baselines(curves) (pinned runs, views/
    baseline_curves.py). Readers: batch_series(), batch_points(), history_rows(),
    baseline_labels().
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._font_scale = 1.0
        self._background, self._foreground = "#ffffff", "#202020"
        self._reset_data()
        self._canvas = None  # the pyqtgraph plots, built after the view's first paint
        self._baselines: tuple = ()  # (core.runs.BaselineCurve, colour) of the pinned runs
        self._x_max, self._cost_max = 0.0, 0.0
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(REDRAW_MS)
        self._redraw_timer.timeout.connect(self._redraw)
        self._marker_x: float | None = None  # the replayed checkpoint's mini-batches seen
        self._hover = ""  # what the readout under the pointer says

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return PLOT_SIZE_HINT if self._canvas is None else self._canvas.sizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return PLOT_MINIMUM_SIZE if self._canvas is None else self._canvas.minimumSizeHint()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        """Until the plots exist: the background, and the plots are built just after this paint.
        Importing pyqtgraph takes ~0.4 s (a third of the app's start-up), so the main window
        shows first (benchmarks/bench_startup.py)."""
        if self._canvas is None:
            QPainter(self).fillRect(self.rect(), QColor(self._background))
            QTimer.singleShot(0, self._build_plots)

    def _build_plots(self) -> None:
        """Create the canvas, both plots and their items once, styled, showing the data so far."""
        if self._canvas is not None:
            return
        import pyqtgraph as pg

        self._canvas = pg.GraphicsLayoutWidget()
        self._layout.addWidget(self._canvas)
        self._cost_plot = self._canvas.addPlot(row=0, col=0)
        self._acc_plot = self._canvas.addPlot(row=0, col=1)  # side by side: each gets the height
        self._acc_plot.setXLink(self._cost_plot)
        for plot in self._plots:  # the narrow accuracy plot at presentation type: "100200300"
            axis = plot.getAxis("bottom")
            axis.tickSpacing = partial(spacing_for_labels, axis, type(axis).tickSpacing)
        layout_ = self._canvas.ci.layout
        layout_.setColumnStretchFactor(0, 3)
        layout_.setColumnStretchFactor(1, 2)
        self._acc_plot.setYRange(0, 100, padding=0.02)
        self._acc_plot.enableAutoRange(axis="y", enable=False)
        # Ranges grow in steps (see _grow_ranges), so the axes rarely change and are cached as
        # pixmaps: repainting axis text on every redraw cost more than the curves.
        for plot in self._plots:
            plot.enableAutoRange(enable=False)
            for name in ("left", "bottom"):
                plot.getAxis(name).setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self._cost_plot.setYRange(0, 1, padding=0)
        for plot in self._plots:
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.setMenuEnabled(False)
            for name in ("left", "bottom"):
                plot.getAxis(name).enableAutoSIPrefix(False)

        self._batch_curve = self._cost_plot.plot(name="mini-batch cost", skipFiniteCheck=True)
        self._smooth_curve = self._cost_plot.plot(name="smoothed", skipFiniteCheck=True)
        self._train_cost = self._cost_plot.plot(name="training set (epoch)", symbol=TRAIN_SYMBOL)
        self._test_cost = self._cost_plot.plot(name="held-out set (epoch)", symbol=TEST_SYMBOL)
        self._train_acc = self._acc_plot.plot(name="training set", symbol=TRAIN_SYMBOL)
        self._test_acc = self._acc_plot.plot(name="held-out set", symbol=TEST_SYMBOL)
        from mlpviz.gui.views.baseline_curves import BaselineCurves

        self._baseline_items = BaselineCurves(self._cost_plot, self._acc_plot, self._smooth_curve,
                                              self._on_key_room_changed)
        self._build_marker_and_readout(pg)
        self._apply_style()
        self._redraw()

    def _build_marker_and_readout(self, pg) -> None:
        """The replay's marker (a vertical line on both plots) and the hover readout: a
        crosshair and a label with the exact numbers nearest the pointer."""
        self._markers, self._crosshairs, self._readouts = [], [], []
        for plot in self._plots:
            marker = pg.InfiniteLine(angle=90, movable=False)
            cross = pg.InfiniteLine(angle=90, movable=False)
            readout = pg.TextItem(anchor=(0, 0))
            for item in (marker, cross, readout):
                item.setVisible(False)
                plot.addItem(item, ignoreBounds=True)
            self._markers.append(marker)
            self._crosshairs.append(cross)
            self._readouts.append(readout)
        self._canvas.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.set_marker(self._marker_x)

    @property
    def _plots(self):
        return (self._cost_plot, self._acc_plot)

    # -- data ------------------------------------------------------------------------------------
    def _reset_data(self) -> None:
        self._batches = BinnedSeries(MAX_POINTS)  # x, cost (min/max/mean), smoothed cost
        self._seen = 0  # batches the network has seen (see clear())
        self._ema_sum = 0.0  # the moving average before bias correction (it starts from 0)
        self._ema_decay = 1.0  # (1 − EMA_ALPHA)^k after k batches
        self._epochs: list[tuple[int, EpochReport]] = []  # (batches seen, report)
        self._epoch_ends: dict[int, int] = {}  # epochs completed → batches seen at that end
        self._epoch_table = np.empty((64, len(EPOCH_COLUMNS)))  # rows 0 … len(_epochs) − 1 used
        self._epochs_drawn: tuple[int, int] | None = None  # (epochs, columns) last drawn

    def add_batches(self, reports: tuple[BatchReport, ...]) -> None:
        """Append mini-batch reports (in order); the plot catches up within REDRAW_MS."""
        if not reports:
            return
        xs, costs, smooth = [], [], []
        for report in reports:
            self._seen += 1
            if report.ends_epoch:
                self._epoch_ends[report.epoch + 1] = self._seen
            cost = _number(report.cost)
            if not math.isfinite(cost):
                continue
            # Bias-corrected EMA: early on it is the plain mean of the batches so far, so the
            # first (untrained, high) batch does not drag the smoothed line for long.
            self._ema_sum += EMA_ALPHA * (cost - self._ema_sum)
            self._ema_decay *= 1.0 - EMA_ALPHA
            xs.append(self._seen)
            costs.append(cost)
            smooth.append(self._ema_sum / (1.0 - self._ema_decay))
        self._batches.extend(xs, costs, smooth)
        self._schedule_redraw()

    def add_epoch(self, report: EpochReport, at: int | None = None) -> None:
        """Mark an epoch's training / held-out cost and accuracy at `at` mini-batches seen
        (default: where its last batch ended, or the batches seen so far; reports of later
        batches may come first). A value that is not a finite number is not drawn."""
        seen = self._epoch_ends.pop(report.epoch, self._seen) if at is None else int(at)
        n = len(self._epochs)
        if n == len(self._epoch_table):
            self._epoch_table = np.concatenate([self._epoch_table, np.empty_like(self._epoch_table)])
        self._epoch_table[n] = [seen] + [_number(getattr(report, f)) for f in EPOCH_COLUMNS[1:]]
        self._epochs.append((seen, report))
        self._schedule_redraw()

    def clear(self, batches_seen: int = 0) -> None:
        """Forget everything (a new network, or a reopened model that has seen `batches_seen`
        mini-batches: the next batch is plotted after them) and redraw at once."""
        self._x_max = self._cost_max = 0.0
        self._reset_data()
        if self._canvas is not None:
            self._cost_plot.setYRange(0, 1, padding=0)
        self._seen = int(batches_seen)
        self._redraw()

    def set_baselines(self, curves) -> None:
        """Pinned runs beside this one: (core.runs.BaselineCurve, colour "#rrggbb") pairs,
        drawn dashed and keyed by what differs; () for none."""
        self._baselines = tuple(curves)
        self._apply_style()
        self._schedule_redraw()

    def baseline_labels(self) -> list[str]:
        """The pinned runs' key as shown (then "this run"); [] before the plots exist."""
        return [] if self._canvas is None else self._baseline_items.labels()

    def batch_series(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Copies of (x = mini-batches seen, mean cost, smoothed cost) of the stored points (each
        the mean of the batches it stands for) plus the partly filled last one. What is drawn is
        the band from each point's lowest to highest batch cost (`batch_points`)."""
        p = self._batches.points()
        return p.x, p.mean, p.extra

    def batch_points(self) -> Points:
        """The stored points with their lowest and highest batch cost (see core.series)."""
        return self._batches.points()

    def batches_seen(self) -> int:
        return self._seen

    def curve_arrays(self) -> dict[str, np.ndarray]:
        """The mini-batch cost curve as named arrays (a lesson file keeps it): the series'
        state (core.series) and the smoothing's running sum and decay."""
        return {**self._batches.to_arrays(),
                "ema": np.array([self._ema_sum, self._ema_decay], dtype=np.float64)}

    def restore_curve(self, arrays) -> None:
        """Put back the curve `curve_arrays` gave (after `clear`; the epochs' marks stay);
        ValueError when the arrays are not one."""
        batches = BinnedSeries.from_arrays(arrays, MAX_POINTS)
        ema = np.asarray(arrays["ema"], dtype=np.float64)
        if ema.shape != (2,) or not np.isfinite(ema).all():
            raise ValueError(f"the smoothing's state must be two finite numbers, not {ema!r}")
        self._batches, (self._ema_sum, self._ema_decay) = batches, ema.tolist()
        self._schedule_redraw()

    def history_rows(self) -> list[dict]:
        """One dict per epoch (keys HISTORY_FIELDS; accuracies as fractions 0..1), for CSV."""
        return [{"epoch": r.epoch, "batches_seen": seen, "train_cost": r.train_cost,
                 "train_accuracy": r.train_accuracy, "test_cost": r.test_cost,
                 "test_accuracy": r.test_accuracy, "seconds": r.seconds,
                 "samples_per_second": r.samples_per_second} for seen, r in self._epochs]

    # -- replay marker and hover readout -------------------------------------------------------
    def set_marker(self, batches_seen: float | None) -> None:
        """Mark where the replayed checkpoint was taken (None: no marker, live)."""
        self._marker_x = None if batches_seen is None else float(batches_seen)
        for marker in getattr(self, "_markers", ()):
            marker.setVisible(self._marker_x is not None)
            if self._marker_x is not None:
                marker.setValue(self._marker_x)

    def marker(self) -> float | None:
        return self._marker_x

    def hover_text(self) -> str:
        """What the readout says now ("" when the pointer is over no point)."""
        return self._hover

    def _on_mouse_moved(self, scene_pos) -> None:
        """The exact numbers nearest the pointer (core.curve_readout), in the plot under it."""
        text, at = "", None
        for i, plot in enumerate(self._plots):
            vb = plot.vb
            if vb.sceneBoundingRect().contains(scene_pos):
                at = i, vb.mapSceneToView(scene_pos)
        if at is not None:
            i, point = at
            vb = self._plots[i].vb
            tol = HOVER_PIXELS * vb.viewPixelSize()[0]
            text = self.readout_at(point.x(), tol, accuracy=i == 1)
        self._hover = text
        for j, (cross, readout) in enumerate(zip(self._crosshairs, self._readouts)):
            cross.setVisible(at is not None)
            readout.setVisible(bool(text) and at is not None and j == at[0])
            if at is not None:
                cross.setValue(at[1].x())
        if text and at is not None:
            readout = self._readouts[at[0]]
            readout.setText(text.replace(": ", ":\n", 1))
            vb = self._plots[at[0]].vb
            (x0, x1), (y0, y1) = vb.viewRange()
            readout.setPos(x0 + 0.02 * (x1 - x0), y1 - 0.02 * (y1 - y0))

    def readout_at(self, x: float, tol: float, accuracy: bool = False) -> str:
        """The exact numbers nearest `x` mini-batches (within `tol`): the epoch marker if one
        is near, else (on the cost plot) the mini-batch cost there."""
        text = epoch_text(self._epochs, x, tol, accuracy=accuracy)
        if text is None and not accuracy:
            text = batch_text(self._batches.points(), self._batches.bin, x, tol)
        return text or ""

    # -- drawing ---------------------------------------------------------------------------------
    def _schedule_redraw(self) -> None:
        if not self._redraw_timer.isActive():
            self._redraw_timer.start()

    def flush(self) -> None:
        """Build the plots if they are not yet, and redraw now (e.g. before a screenshot)."""
        self._redraw_timer.stop()
        self._build_plots()
        self._redraw()

    def _grow_ranges(self, x_last: float, cost_peak: float) -> None:
        """Widen the x range by half again when the data reaches its end, and the cost range to
        the highest cost seen (cost is never negative, so its axis starts at 0) — the end and
        the top of the share of the plot the pinned runs' key leaves the curves."""
        x_room, y_room = self._baseline_items.room()
        if x_last > self._x_max * x_room or self._x_max == 0:
            self._x_max = max(10.0, x_last * (1.5 if x_room >= 1 else 1.1) / x_room)
            self._cost_plot.setXRange(0, self._x_max, padding=0.02)
        if cost_peak * 1.1 > self._cost_max * y_room:
            self._cost_max = cost_peak * 1.1 / y_room
            self._cost_plot.setYRange(0, self._cost_max, padding=0)

    def _on_key_room_changed(self) -> None:
        """The pinned runs' key moved or changed size: the ranges again, around it."""
        self._x_max = self._cost_max = 0.0
        self._schedule_redraw()

    def _columns(self) -> int:
        """How many chunks a curve is drawn with: about one per pixel column of the plot."""
        return max(MIN_COLUMNS, int(self._cost_plot.vb.width()))

    def _redraw(self) -> None:
        """Data → plot items, with work bounded by the plot's width, not the run's length."""
        if self._canvas is None:
            return  # _build_plots draws what has come so far
        p = self._batches.points()
        table = self._epoch_table[:len(self._epochs)]
        epoch_costs = table[:, 1:3][np.isfinite(table[:, 1:3])]
        peaks = [float(p.hi.max())] if len(p.x) else []
        peaks += [float(epoch_costs.max())] if epoch_costs.size else []
        x_last = max(float(p.x[-1]) if len(p.x) else 0.0, float(table[-1, 0]) if len(table) else 0.0)
        base_x, base_cost = self._baseline_items.extent()
        self._grow_ranges(max(x_last, base_x), max(*peaks, base_cost, 0.0))
        columns = self._columns()
        self._batch_curve.setData(*envelope(p.x, p.lo, p.hi, columns))
        self._smooth_curve.setData(*chunk_means(p.x, p.extra, columns))
        if self._epochs_drawn != (len(table), columns):
            self._draw_epochs(table, columns)

    def _draw_epochs(self, table: np.ndarray, columns: int) -> None:
        """Markers at each epoch while there are few; beyond MAX_MARKERS epochs a line through
        the band of each chunk's values (one marker per epoch would cover the plot anyway)."""
        markers = len(table) <= MAX_MARKERS
        for item, column, scale, symbol in self._epoch_items():
            values = table[:, column] * scale
            keep = np.isfinite(values)
            x, v = table[keep, 0], values[keep]
            item.setData(*((x, v) if markers else envelope(x, v, v, columns)))
            item.setSymbol(symbol if markers else None)
        self._epochs_drawn = (len(table), columns)

    def _epoch_items(self):
        """(plot item, column of the epoch table, scale, marker) for each per-epoch series."""
        return ((self._train_cost, 1, 1.0, TRAIN_SYMBOL), (self._test_cost, 2, 1.0, TEST_SYMBOL),
                (self._train_acc, 3, 100.0, TRAIN_SYMBOL), (self._test_acc, 4, 100.0, TEST_SYMBOL))

    # -- looks -----------------------------------------------------------------------------------
    def set_font_scale(self, scale: float) -> None:
        """Scale text and markers (1 = normal; ~1.5–2 for a projector)."""
        self._font_scale = max(0.5, float(scale))
        self._apply_style()

    def retranslate(self) -> None:
        """The titles, key and axes in the current language."""
        self._apply_style()

    def set_colors(self, background: str, foreground: str) -> None:
        """Background and text/axis colours as hex strings, e.g. ("#1e1e1e", "#e0e0e0")."""
        for c in (background, foreground):
            if not QColor.isValidColorName(c):
                raise ValueError(f"not a colour: {c!r}")
        self._background, self._foreground = background, foreground
        self._apply_style()

    def _apply_style(self) -> None:
        if self._canvas is None:
            self.update()  # the background until the plots are built
            return
        for act in self._canvas.scene().contextMenu:  # pyqtgraph's "Export..."
            act.setText(_("Export…"))
        import pyqtgraph as pg  # imported once by _build_plots

        f, fg, bg = self._font_scale, self._foreground, self._background
        points = BASE_POINT_SIZE * f
        tick_font = QFont()
        tick_font.setPointSizeF(points)
        label_style = {"color": fg, "font-size": f"{points * 1.1:.1f}pt"}
        self._canvas.setBackground(bg)
        labels = ((self._cost_plot, _("cost")), (self._acc_plot, "%"))
        for plot, y_label in labels:
            for name in ("left", "bottom"):
                axis = plot.getAxis(name)
                axis.setPen(fg)
                axis.setTextPen(fg)
                axis.setTickFont(tick_font)
                # bigger type needs fewer ticks, or the numbers run together
                axis.setTickDensity(1.0 / f)
            plot.setLabel("left", y_label, **label_style)
        self._cost_plot.setLabel("bottom", _("mini-batches seen"), **label_style)
        self._acc_plot.setLabel("bottom", "", **label_style)
        # The key is each plot's title line, so no legend box ever covers the curves.
        faint_hex = QColor(fg).darker(150).name() if QColor(fg).lightness() > 128 else \
            QColor(fg).lighter(170).name()
        key = {"cost": [(faint_hex, _("— batch")), (SMOOTH_COLOR, _("— smoothed")),
                        (TRAIN_COLOR, _("● train")), (TEST_COLOR, _("■ held-out"))],
               "accuracy": []}  # same colours as the cost plot's key beside it
        for plot, (title, entries) in zip(self._plots, ((_("Cost"), key["cost"]),
                                                         (_("Accuracy"), key["accuracy"]))):
            spans = "&nbsp;&nbsp;".join(f'<span style="color:{c}">{t}</span>' for c, t in entries)
            plot.setTitle(f'<span style="color:{fg}"><b>{title}</b></span>&nbsp;&nbsp;&nbsp;{spans}',
                          size=f"{points:.1f}pt")
        faint = QColor(fg)
        faint.setAlpha(70)
        width = max(1.0, f)
        self._batch_curve.setPen(pg.mkPen(faint, width=1))
        self._smooth_curve.setPen(pg.mkPen(SMOOTH_COLOR, width=2.5 * width))
        symbol_size = 9 * f
        for marker, cross in zip(self._markers, self._crosshairs):
            marker.setPen(pg.mkPen(fg, width=2 * width))
            cross.setPen(pg.mkPen(fg, width=width, style=Qt.PenStyle.DashLine))
        for readout in self._readouts:
            readout.setColor(fg)
            readout.setFont(tick_font)
            readout.fill = pg.mkBrush(QColor(bg))
        for item, color in ((self._train_cost, TRAIN_COLOR), (self._test_cost, TEST_COLOR),
                            (self._train_acc, TRAIN_COLOR), (self._test_acc, TEST_COLOR)):
            item.setPen(pg.mkPen(color, width=1.5 * width))
            item.setSymbolBrush(color)
            item.setSymbolPen(pg.mkPen(bg, width=1))
            item.setSymbolSize(symbol_size)
        self._baseline_items.show(self._baselines, f, fg, bg)


def _number(value) -> float:
    """`value` as a float; NaN (not drawn) for what is not a number (a damaged model's history)."""
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        return math.nan
