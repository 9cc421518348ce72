"""CostView: the cost falling as the network learns, and the accuracy rising (pyqtgraph).

Left plot: the cost of every mini-batch (faint), its exponential moving average (bold), and the
cost over the whole training and held-out sets after each epoch (markers). Right plot: accuracy
in % per epoch on both sets. Both share the x axis, the mini-batches the network has seen (from 0
for a new network; a reopened model's epochs sit where they ended and new batches follow them).

Long runs stay cheap: at most MAX_POINTS batch points are kept; when the buffer fills, pairs of
neighbours are averaged (halving the resolution), so memory is bounded however long the class
trains. Plot items are created once and updated with setData, at most 8 times a second.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QGraphicsItem, QVBoxLayout, QWidget

from mlpviz.core.training import BatchReport, EpochReport

MAX_POINTS = 5000  # batch points kept (even); beyond it pairs are averaged
EMA_ALPHA = 0.05  # weight of the newest batch in the smoothed cost (~20 batches of memory)
REDRAW_MS = 125  # at most 8 redraws a second: smooth enough, and axis text is costly to paint
BASE_POINT_SIZE = 10.0

SMOOTH_COLOR = "#3a86d4"
TRAIN_COLOR = "#e8831c"
TEST_COLOR = "#2ca25f"

HISTORY_FIELDS = ("epoch", "batches_seen", "train_cost", "train_accuracy", "test_cost",
                  "test_accuracy", "seconds", "samples_per_second")


class CostView(QWidget):
    """Cost per mini-batch (raw and smoothed), per-epoch cost and accuracy.

    Setters: add_batches(reports), add_epoch(report), clear(), set_font_scale(f),
    set_colors(background, foreground). Readers: batch_series(), history_rows().
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._font_scale = 1.0
        self._background, self._foreground = "#ffffff", "#202020"
        self._reset_data()

        self._canvas = pg.GraphicsLayoutWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._canvas)

        self._cost_plot = self._canvas.addPlot(row=0, col=0)
        self._acc_plot = self._canvas.addPlot(row=0, col=1)  # side by side: each gets the height
        self._acc_plot.setXLink(self._cost_plot)
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
        self._x_max, self._cost_max = 0.0, 0.0
        self._cost_plot.setYRange(0, 1, padding=0)
        for plot in self._plots:
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.setMenuEnabled(False)
            for name in ("left", "bottom"):
                plot.getAxis(name).enableAutoSIPrefix(False)

        self._batch_curve = self._cost_plot.plot(name="mini-batch cost", skipFiniteCheck=True)
        self._smooth_curve = self._cost_plot.plot(name="smoothed", skipFiniteCheck=True)
        self._train_cost = self._cost_plot.plot(name="training set (epoch)", symbol="o")
        self._test_cost = self._cost_plot.plot(name="held-out set (epoch)", symbol="s")
        self._train_acc = self._acc_plot.plot(name="training set", symbol="o")
        self._test_acc = self._acc_plot.plot(name="held-out set", symbol="s")

        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(REDRAW_MS)
        self._redraw_timer.timeout.connect(self._redraw)
        self._apply_style()

    @property
    def _plots(self):
        return (self._cost_plot, self._acc_plot)

    # -- data ------------------------------------------------------------------------------------
    def _reset_data(self) -> None:
        self._x = np.empty(MAX_POINTS)
        self._y = np.empty(MAX_POINTS)
        self._ema = np.empty(MAX_POINTS)
        self._n = 0  # points stored
        self._bin = 1  # batches averaged into each stored point
        self._acc = [0.0, 0.0, 0.0, 0]  # the bin being filled: Σx, Σcost, Σema, count
        self._seen = 0  # batches the network has seen (see clear())
        self._ema_sum = 0.0  # the moving average before bias correction (it starts from 0)
        self._ema_decay = 1.0  # (1 − EMA_ALPHA)^k after k batches
        self._epochs: list[tuple[int, EpochReport]] = []  # (batches seen, report)

    def add_batches(self, reports: tuple[BatchReport, ...]) -> None:
        """Append mini-batch reports (in order); the plot catches up within REDRAW_MS."""
        if not reports:
            return
        x, y, ema, acc = self._x, self._y, self._ema, self._acc
        for report in reports:
            self._seen += 1
            cost = float(report.cost)
            if not math.isfinite(cost):
                continue
            # Bias-corrected EMA: early on it is the plain mean of the batches so far, so the
            # first (untrained, high) batch does not drag the smoothed line for long.
            self._ema_sum += EMA_ALPHA * (cost - self._ema_sum)
            self._ema_decay *= 1.0 - EMA_ALPHA
            acc[0] += self._seen
            acc[1] += cost
            acc[2] += self._ema_sum / (1.0 - self._ema_decay)
            acc[3] += 1
            if acc[3] == self._bin:
                if self._n == MAX_POINTS:
                    self._halve()
                n = self._n
                x[n], y[n], ema[n] = acc[0] / acc[3], acc[1] / acc[3], acc[2] / acc[3]
                self._n = n + 1
                acc[:] = [0.0, 0.0, 0.0, 0]
        self._schedule_redraw()

    def _halve(self) -> None:
        """Average neighbouring pairs: half the points, each standing for twice the batches."""
        for a in (self._x, self._y, self._ema):
            a[: MAX_POINTS // 2] = 0.5 * (a[0:MAX_POINTS:2] + a[1:MAX_POINTS:2])
        self._n = MAX_POINTS // 2
        self._bin *= 2

    def add_epoch(self, report: EpochReport, at: int | None = None) -> None:
        """Mark an epoch's training / held-out cost and accuracy at `at` mini-batches seen
        (default: the batches seen so far)."""
        self._epochs.append((self._seen if at is None else int(at), report))
        self._schedule_redraw()

    def clear(self, batches_seen: int = 0) -> None:
        """Forget everything (a new network, or a reopened model that has seen `batches_seen`
        mini-batches: the next batch is plotted after them) and redraw at once."""
        self._x_max = self._cost_max = 0.0
        self._reset_data()
        self._seen = int(batches_seen)
        self._redraw()

    def batch_series(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Copies of (x = mini-batches seen, cost, smoothed cost) as plotted: stored points plus
        the partly filled last one."""
        n, acc = self._n, self._acc
        x, y, e = self._x[:n], self._y[:n], self._ema[:n]
        if acc[3]:
            k = acc[3]
            return (np.append(x, acc[0] / k), np.append(y, acc[1] / k), np.append(e, acc[2] / k))
        return x.copy(), y.copy(), e.copy()

    def batches_seen(self) -> int:
        return self._seen

    def history_rows(self) -> list[dict]:
        """One dict per epoch (keys HISTORY_FIELDS; accuracies as fractions 0..1), for CSV."""
        return [{"epoch": r.epoch, "batches_seen": seen, "train_cost": r.train_cost,
                 "train_accuracy": r.train_accuracy, "test_cost": r.test_cost,
                 "test_accuracy": r.test_accuracy, "seconds": r.seconds,
                 "samples_per_second": r.samples_per_second} for seen, r in self._epochs]

    # -- drawing ---------------------------------------------------------------------------------
    def _schedule_redraw(self) -> None:
        if not self._redraw_timer.isActive():
            self._redraw_timer.start()

    def flush(self) -> None:
        """Redraw now (e.g. before a screenshot)."""
        self._redraw_timer.stop()
        self._redraw()

    def _grow_ranges(self, x_last: float, cost_peak: float) -> None:
        """Widen the x range by half again when the data reaches its end, and the cost range to
        the highest cost seen (cost is never negative, so its axis starts at 0)."""
        if x_last > self._x_max or self._x_max == 0:
            self._x_max = max(10.0, x_last * 1.5)
            self._cost_plot.setXRange(0, self._x_max, padding=0.02)
        if cost_peak > self._cost_max:
            self._cost_max = cost_peak * 1.1
            self._cost_plot.setYRange(0, self._cost_max, padding=0)

    def _redraw(self) -> None:
        x, y, ema = self.batch_series()
        peaks = [float(np.nanmax(y))] if len(y) else []
        peaks += [getattr(r, f) for _, r in self._epochs for f in ("train_cost", "test_cost")
                  if math.isfinite(getattr(r, f))]
        ex = np.array([seen for seen, _ in self._epochs], dtype=float)
        x_last = max(float(x[-1]) if len(x) else 0.0, float(ex.max()) if len(ex) else 0.0)
        self._grow_ranges(x_last, max(peaks, default=0.0))
        self._batch_curve.setData(x, y)
        self._smooth_curve.setData(x, ema)
        for item, field, scale in ((self._train_cost, "train_cost", 1.0),
                                   (self._test_cost, "test_cost", 1.0),
                                   (self._train_acc, "train_accuracy", 100.0),
                                   (self._test_acc, "test_accuracy", 100.0)):
            values = np.array([getattr(r, field) for _, r in self._epochs], dtype=float) * scale
            keep = np.isfinite(values)
            item.setData(ex[keep], values[keep])

    # -- looks -----------------------------------------------------------------------------------
    def set_font_scale(self, scale: float) -> None:
        """Scale text and markers (1 = normal; ~1.5–2 for a projector)."""
        self._font_scale = max(0.5, float(scale))
        self._apply_style()

    def set_colors(self, background: str, foreground: str) -> None:
        """Background and text/axis colours as hex strings, e.g. ("#1e1e1e", "#e0e0e0")."""
        for c in (background, foreground):
            if not QColor.isValidColorName(c):
                raise ValueError(f"not a colour: {c!r}")
        self._background, self._foreground = background, foreground
        self._apply_style()

    def _apply_style(self) -> None:
        f, fg, bg = self._font_scale, self._foreground, self._background
        points = BASE_POINT_SIZE * f
        tick_font = QFont()
        tick_font.setPointSizeF(points)
        label_style = {"color": fg, "font-size": f"{points * 1.1:.1f}pt"}
        self._canvas.setBackground(bg)
        labels = ((self._cost_plot, "cost"), (self._acc_plot, "%"))
        for plot, y_label in labels:
            for name in ("left", "bottom"):
                axis = plot.getAxis(name)
                axis.setPen(fg)
                axis.setTextPen(fg)
                axis.setTickFont(tick_font)
                # bigger type needs fewer ticks, or the numbers run together
                axis.setTickDensity(1.0 / f)
            plot.setLabel("left", y_label, **label_style)
        self._cost_plot.setLabel("bottom", "mini-batches seen", **label_style)
        self._acc_plot.setLabel("bottom", "", **label_style)
        # The key is each plot's title line, so no legend box ever covers the curves.
        faint_hex = QColor(fg).darker(150).name() if QColor(fg).lightness() > 128 else \
            QColor(fg).lighter(170).name()
        key = {"cost": [(faint_hex, "— batch"), (SMOOTH_COLOR, "— smoothed"),
                        (TRAIN_COLOR, "● train"), (TEST_COLOR, "■ held-out")],
               "accuracy": []}  # same colours as the cost plot's key beside it
        for plot, (title, entries) in zip(self._plots, (("Cost", key["cost"]),
                                                         ("Accuracy", key["accuracy"]))):
            spans = "&nbsp;&nbsp;".join(f'<span style="color:{c}">{t}</span>' for c, t in entries)
            plot.setTitle(f'<span style="color:{fg}"><b>{title}</b></span>&nbsp;&nbsp;&nbsp;{spans}',
                          size=f"{points:.1f}pt")
        faint = QColor(fg)
        faint.setAlpha(70)
        width = max(1.0, f)
        self._batch_curve.setPen(pg.mkPen(faint, width=1))
        self._smooth_curve.setPen(pg.mkPen(SMOOTH_COLOR, width=2.5 * width))
        symbol_size = 9 * f
        for item, color in ((self._train_cost, TRAIN_COLOR), (self._test_cost, TEST_COLOR),
                            (self._train_acc, TRAIN_COLOR), (self._test_acc, TEST_COLOR)):
            item.setPen(pg.mkPen(color, width=1.5 * width))
            item.setSymbolBrush(color)
            item.setSymbolPen(pg.mkPen(bg, width=1))
            item.setSymbolSize(symbol_size)
