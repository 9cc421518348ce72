"""PinsView: the Pins tab — each pinned neuron or weight followed over training and over the
replay timeline, in two small plots: its value and its gradient on the input on show.

The numbers come from core.pins (one backprop of the input per checkpoint, cached per
checkpoint); the x axis is mini-batches seen, as on the cost plot; a vertical line marks the
checkpoint the timeline replays (or the newest, live). The view owns the list of pins (`pins()`
is the immutable record a lesson file stores); pins arrive from the network view's context menu
through the window (`add`). pyqtgraph is imported when the first pin is shown.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout,
                               QWidget)

from mlpviz.core.checkpoints import Checkpoints
from mlpviz.core.notation import fmt_sig
from mlpviz.core.pins import Pin, Pins, pin_series
from mlpviz.gui.labels import Labels
from mlpviz.i18n import N_, _, count, ngettext

EMPTY = N_("Nothing pinned yet. Right-click a neuron or a line of the network (or select a neuron "
         "and press P) to follow it here over training and over the replay.")
REDRAW_MS = 150  # at most ~7 recomputations a second (each one backprop per new checkpoint)
PLOT_HEIGHT = 120
BASE_POINTS = 8.0  # the plots' tick labels (× the theme's font scale)


def pin_caption(pin: Pin, batches: float, value: float, gradient: float) -> str:
    """"w₂,₁₄⁽²⁾ = 0.1234, ∂C/∂w₂,₁₄⁽²⁾ = −0.001234 after 1,234 mini-batches" — the numbers
    at the marker; a gradient that cannot be computed (no label) is said so."""
    grad = (f"{pin.gradient_name()} = {fmt_sig(gradient)}" if np.isfinite(gradient)
            else _("{name}: no label, no gradient").format(name=pin.gradient_name()))
    val = (f"{pin.name()} = {fmt_sig(value)}" if np.isfinite(value)
           else _("{name}: no input").format(name=pin.name()))
    return ngettext("{value}, {gradient} after {batches} mini-batch",
                    "{value}, {gradient} after {batches} mini-batches", int(batches)).format(
        value=val, gradient=grad, batches=count(int(batches)))


class _PinRow(QWidget):
    """One pin: its caption, an Unpin button, and the value and gradient plots."""

    def __init__(self, pin: Pin, unpin, parent=None):
        super().__init__(parent)
        import pyqtgraph as pg

        self.pin = pin
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.numbers = QLabel()
        self.numbers.setWordWrap(True)
        self.button = button = QPushButton()
        button.clicked.connect(lambda: unpin(pin))
        head = QHBoxLayout()
        head.addWidget(self.caption, 1)
        head.addWidget(button)
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setMinimumWidth(120)  # the tab's width, not the plots', sets the row's
        self.canvas.setFixedHeight(PLOT_HEIGHT)
        self.plots = [self.canvas.addPlot(row=0, col=0), self.canvas.addPlot(row=0, col=1)]
        self.curves, self.markers = [], []
        for plot, title in zip(self.plots, (pin.name(), pin.gradient_name())):
            plot.setTitle(title)
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.getAxis("bottom").enableAutoSIPrefix(False)
            self.curves.append(plot.plot(symbol="o", symbolSize=4, skipFiniteCheck=True))
            marker = pg.InfiniteLine(angle=90, movable=False)
            plot.addItem(marker, ignoreBounds=True)
            self.markers.append(marker)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 4, 0, 4)
        lay.addLayout(head)
        lay.addWidget(self.numbers)
        lay.addWidget(self.canvas)
        self.labels = Labels()
        self.labels.add_plot_menu(self.canvas)
        self.retranslate()

    def retranslate(self) -> None:
        """The caption and the button in the current language (the numbers follow with the
        next `show_series`)."""
        self.labels.retranslate()
        self.caption.setText(self.pin.describe())
        self.button.setText(_("Unpin"))
        self.button.setToolTip(_("Stop following {name}").format(name=self.pin.name()))

    def show_series(self, x: np.ndarray, values: np.ndarray, at: int) -> None:
        """x (n,), values (n, 2): value and gradient; the marker at checkpoint `at`."""
        for curve, marker, column in zip(self.curves, self.markers, values.T):
            keep = np.isfinite(column)
            curve.setData(x[keep], column[keep])
            marker.setValue(float(x[at]))
        self.numbers.setText(pin_caption(self.pin, x[at], *values[at]))

    def set_colors(self, foreground: str, accent: str, scale: float = 1.0) -> None:
        """Axes and text in `foreground`, the curves in `accent`; type and plots × `scale`
        (presentation mode)."""
        import pyqtgraph as pg

        self.canvas.setBackground(None)
        self.canvas.setFixedHeight(round(PLOT_HEIGHT * scale))
        font = QFont()
        font.setPointSizeF(BASE_POINTS * scale)
        for plot, curve, marker in zip(self.plots, self.curves, self.markers):
            for name in ("left", "bottom"):
                plot.getAxis(name).setPen(foreground)
                plot.getAxis(name).setTextPen(foreground)
                plot.getAxis(name).setTickFont(font)
            curve.setPen(pg.mkPen(accent, width=2 * scale))
            curve.setSymbolBrush(accent)
            curve.setSymbolPen(None)
            marker.setPen(pg.mkPen(foreground, width=2))
            plot.titleLabel.setText(plot.titleLabel.text, color=foreground,
                                    size=f"{BASE_POINTS * 1.1 * scale:.1f}pt")


class PinsView(QWidget):
    """The pinned neurons and weights and their plots.

    Setters: add(pin), remove(pin), set_pins(Pins), set_checkpoints(record), set_input(x, label),
    set_position(batches_seen | None), set_theme(theme). Readers: pins(), series().
    Signal: pins_changed(Pins).
    """

    pins_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._pins = Pins()
        self._record = Checkpoints()
        self._x: np.ndarray | None = None
        self._label: int | None = None
        self._position: float | None = None  # the replayed checkpoint's batches; None: live
        self._cache: dict = {}
        self._series: tuple[np.ndarray, np.ndarray] | None = None
        self._colors = ("#e0e0e0", "#f0a020", 1.0)  # foreground, accent, scale
        self._rows: list[_PinRow] = []
        self.note = QLabel(_(EMPTY))
        self.note.setWordWrap(True)
        self._list = QWidget()
        self._list_layout = QVBoxLayout(self._list)
        self._list_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self._list)
        lay = QVBoxLayout(self)
        lay.addWidget(self.note)
        lay.addWidget(scroll, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self.refresh)

    # -- the pins --------------------------------------------------------------------------------
    def pins(self) -> Pins:
        return self._pins

    def add(self, pin: Pin) -> None:
        """Follow `pin` too (a pin the network lacks is refused, and the note says why)."""
        sizes = self._record.snapshots[-1].sizes if len(self._record) else None
        problem = pin.problem(sizes) if sizes is not None else None
        if problem:
            self.note.setText(_("Not pinned: {problem}.").format(problem=problem))
            return
        self.set_pins(self._pins.added(pin))

    def remove(self, pin: Pin) -> None:
        self.set_pins(self._pins.removed(pin))

    def set_pins(self, pins: Pins) -> None:
        """Follow exactly `pins` (e.g. from a lesson file)."""
        if pins == self._pins:
            return
        self._pins = pins
        self._cache.clear()
        self._rebuild_rows()
        self.pins_changed.emit(pins)
        self.refresh()

    # -- what they are followed on ----------------------------------------------------------------
    def set_checkpoints(self, record: Checkpoints) -> None:
        """The session's checkpoints (the newest is the live network). Pins a new network
        lacks are dropped, and the note says which."""
        if record is self._record:
            return
        self._record = record
        if len(record) and self._pins.pins:
            sizes = record.snapshots[-1].sizes
            gone = [p for p in self._pins.pins if p.problem(sizes)]
            if gone:
                self.set_pins(Pins(tuple(p for p in self._pins.pins if p not in gone)))
                self.note.setText(_("Unpinned {names}: the network on show has no such neuron "
                                    "or weight.").format(names=", ".join(p.name() for p in gone)))
        self._schedule()

    def set_input(self, x: np.ndarray | None, label: int | None) -> None:
        """The input on show (activations and gradients are of it; no label: no gradient)."""
        self._x, self._label = (None if x is None else np.asarray(x)), label
        self._cache.clear()
        self._schedule()

    def set_position(self, batches_seen: float | None) -> None:
        """Mark the replayed checkpoint taken at `batches_seen` (None: the newest, live)."""
        self._position = batches_seen
        self._schedule()

    def set_theme(self, theme) -> None:
        self._colors = (theme.foreground, theme.accent, theme.font_scale)
        for row in self._rows:
            row.set_colors(*self._colors)

    def series(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(batches (n,), values (n, pins, 2)) last drawn, or None."""
        return self._series

    # -- drawing ----------------------------------------------------------------------------------
    def _schedule(self) -> None:
        if self._pins.pins and not self._timer.isActive():
            self._timer.start()

    def refresh(self) -> None:
        """Recompute (one backprop per checkpoint not yet seen) and redraw, now."""
        self._timer.stop()
        if not self._pins.pins or not len(self._record):
            self._series = None
            return
        x, values = pin_series(self._record, self._pins.pins, self._x, self._label, self._cache)
        self._series = x, values
        at = (len(x) - 1 if self._position is None
              else self._record.index_at(self._position))
        for i, row in enumerate(self._rows):
            row.show_series(x, values[:, i], at)

    def _rebuild_rows(self) -> None:
        """One row per pin, in order: rows of pins still followed are kept, the others go."""
        kept = {row.pin: row for row in self._rows}
        for row in self._rows:
            if row.pin not in self._pins.pins:
                row.hide()
                self._list_layout.removeWidget(row)
                row.deleteLater()
        self._rows = []
        for pin in self._pins.pins:
            row = kept.get(pin)
            if row is None:
                row = _PinRow(pin, self.remove)
                row.set_colors(*self._colors)
            self._list_layout.insertWidget(len(self._rows), row)
            self._rows.append(row)
        self._say_what()

    def retranslate(self) -> None:
        """Every text again in the current language (the same pins, the same series)."""
        for row in self._rows:
            row.retranslate()
        self._say_what()
        self.refresh()

    def _say_what(self) -> None:
        if not self._pins.pins:
            self.note.setText(_(EMPTY))
        else:
            self.note.setText(_("Each pin over training: its value (left) and its gradient on "
                                "the input on show (right); the line marks the replayed "
                                "checkpoint."))
