"""Pinned runs on the cost view's plots: each a dashed line in its colour — its smoothed cost on
the cost plot, its held-out accuracy per epoch on the accuracy plot — and a key in the cost
plot's top-right corner naming what differs from the run on show ("η 3 vs 0.3"). No curve is
under the key: it is laid out along the top (the curves kept below it) or down the right side
(the curves kept left of it), whichever leaves the curves more room, and `room()` tells the cost
view how much of the plot's width and height the curves may use.

The cost view owns this object and calls `show` when the pinned runs (or the looks) change,
which is rare: items are made anew then, and never touched by training's redraws.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from mlpviz.core.runs import BaselineCurve
from mlpviz.i18n import N_, _

THIS_RUN = N_("this run")  # the key's line for the run on show (translated where shown)
MARGIN = 8  # px: the key's offset from the plot's edge, and a little air


class BaselineCurves:
    """The pinned runs' items on `cost_plot` and `acc_plot` (pyqtgraph PlotItems), keyed in a
    legend that also names `current` (the current run's smoothed cost curve) as "this run"."""

    def __init__(self, cost_plot, acc_plot, current, on_room_changed=lambda: None):
        import pyqtgraph as pg

        self._pg = pg
        self._plots = (cost_plot, acc_plot)
        self._current = current
        self._items: list = []
        self._curves: tuple[tuple[BaselineCurve, str], ...] = ()
        self._legend = pg.LegendItem(offset=(-4, 4), verSpacing=-6)
        self._legend.setParentItem(cost_plot.vb)
        self._legend.setVisible(False)
        self._keys: list[tuple] = []  # each line of the key: its item, label, colour, size
        self._ruler = pg.LabelItem()  # measures a label's text, never shown
        self._room = (1.0, 1.0)  # the share of the plot's width, height the curves may use
        self._on_room_changed = on_room_changed
        cost_plot.vb.sigResized.connect(self._fit)

    def show(self, curves: Sequence[tuple[BaselineCurve, str]], scale: float, foreground: str,
             background: str) -> None:
        """Draw `curves` ((curve, colour "#rrggbb") pairs) at font/line `scale`."""
        pg = self._pg
        for plot, item in self._items:
            plot.removeItem(item)
        self._items = []
        self._legend.clear()
        self._keys = []
        self._curves = tuple(curves)
        cost_plot, acc_plot = self._plots
        width = 2.0 * max(1.0, scale)
        for curve, colour in self._curves:
            pen = pg.mkPen(colour, width=width, style=pg.QtCore.Qt.PenStyle.DashLine)
            cost = cost_plot.plot(curve.x, curve.cost, pen=pen)
            keep = np.isfinite(curve.test_accuracy)
            acc = acc_plot.plot(curve.epoch_x[keep], curve.test_accuracy[keep], pen=pen,
                                symbol="t", symbolSize=7 * scale, symbolBrush=colour,
                                symbolPen=pg.mkPen(background, width=1))
            for item in (cost, acc):
                item.setZValue(-1)  # under the run on show
            self._items += [(cost_plot, cost), (acc_plot, acc)]
            self._key(cost, curve.label, colour, scale)
        if self._curves:
            self._key(self._current, _(THIS_RUN), foreground, scale)
        self._legend.setBrush(pg.mkBrush(background + "c0"))
        self._legend.setPen(pg.mkPen(foreground, width=0.5))
        self._legend.setVisible(bool(self._curves))
        self._fit()

    def _key(self, item, label: str, colour: str, scale: float) -> None:
        """A line of the key, its text in the curve's colour; small, for the plot is only
        ~200 px high at 1280×800."""
        self._keys.append((item, label, colour, f"{8.5 * scale:.1f}pt"))

    def room(self) -> tuple[float, float]:
        """The share (0…1] of the cost plot's width and of its height the curves may use so
        that none is under the key: (1, 1) without one."""
        return self._room

    def _fit(self) -> None:
        """The key inside the cost plot, however long its labels, where it leaves the curves
        the more room (height counted twice): along the top (two columns when they fit the
        plot's width, else one; the curves below it) or down the right side (one column, its
        labels whole or broken after their commas to at most half the width; the curves left
        of it). A key no taller than the plot is preferred; one down the side may reach below
        it, clear of the curves all the same."""
        vb = self._plots[0].vb
        width, height = vb.width(), vb.height()
        room = (1.0, 1.0)
        if self._keys and width > 0 and height > 0:
            room = self._place(width, height)
        if room != self._room:
            self._room = room
            self._on_room_changed()

    def _place(self, width: float, height: float) -> tuple[float, float]:
        """Lay the key out (see `_fit`) in a plot `width` × `height` px; the curves' room."""
        labels = [label for _item, label, _colour, _size in self._keys]
        widths = [self._text_width(label, size) for _item, label, _colour, size in self._keys]
        samples = self._lay_out(1, labels) - max(widths)  # the key's lines and padding
        half = min(width - MARGIN, width / 2) - samples
        full = width - MARGIN - samples
        wrapped, wide = ([self._wrapped(label, size, room) for _item, label, _colour, size
                          in self._keys] for room in (half, full))
        layouts = [(columns, labels, "top") for columns in ((2, 1) if len(labels) > 2 else (1,))]
        layouts += [(1, wide, "top"), (1, labels, "side"), (1, wrapped, "side")]
        below = height + self._room_below()
        best = None
        for columns, texts, where in layouts:
            key_width = self._lay_out(columns, texts) + MARGIN
            key_height = self._legend.height() + MARGIN
            fits = key_height <= height
            if key_width > width or key_height > (height if where == "top" else below):
                continue  # (a key down the side may reach below the plot, clear of the curves)
            room = ((1.0, (height - key_height) / height) if where == "top"
                    else ((width - key_width) / width, 1.0))
            # height counts twice: what a teacher reads off a cost curve is how far it falls
            rank = (fits, room[0] * room[1] ** 2)
            if best is None or rank > best[0]:
                best = (rank, columns, texts, room)
        if best is None:  # nothing fits: the one that takes least of the plot's height
            best = ((False, 0.0), 1, wide, (1.0, 0.2))
        __, columns, texts, room = best
        self._lay_out(columns, texts)
        return max(0.2, room[0]), max(0.2, room[1])

    def _room_below(self) -> float:
        """Pixels of the cost view's canvas below the cost plot (its axis and label)."""
        vb = self._plots[0].vb
        views = vb.scene().views() if vb.scene() is not None else []
        if not views:
            return 0.0
        shown = views[0].mapToScene(views[0].viewport().rect()).boundingRect()
        return max(0.0, shown.bottom() - vb.sceneBoundingRect().bottom() - MARGIN)

    def _lay_out(self, columns: int, texts: list[str]) -> float:
        """The key made anew in `columns` columns with these texts; its width."""
        legend = self._legend
        legend.clear()  # (laid out again, items keep the width they had: made anew instead)
        legend.setColumnCount(columns)
        for (item, _label, colour, size), text in zip(self._keys, texts):
            legend.addItem(item, text)
            legend.items[-1][1].setText(text, color=colour, size=size)
        legend.layout.activate()
        legend.updateSize()
        return legend.width()

    def _text_width(self, text: str, size: str) -> float:
        self._ruler.setText(text, size=size)
        return self._ruler.item.boundingRect().width()

    def _wrapped(self, text: str, size: str, room: float) -> str:
        """`text` broken after its commas into lines at most `room` wide (where it can be)."""
        parts = text.split(", ")
        lines = [parts[0]]
        for part in parts[1:]:
            if self._text_width(f"{lines[-1]}, {part}", size) <= room:
                lines[-1] = f"{lines[-1]}, {part}"
            else:
                lines[-1] += ","
                lines.append(part)
        return "<br>".join(lines)

    def labels(self) -> list[str]:
        """The key's entries, baselines first, then "this run" (none without pins); a label
        broken over lines to fit is given whole."""
        return [label for _item, label, _colour, _size in self._keys]

    def extent(self) -> tuple[float, float]:
        """(largest x, highest cost) of the pinned runs, for the plots' ranges (0, 0 if none)."""
        xs = [float(c.x[-1]) for c, _ in self._curves if len(c.x)]
        xs += [float(c.epoch_x[-1]) for c, _ in self._curves if len(c.epoch_x)]
        costs = [float(np.nanmax(c.cost)) for c, _ in self._curves
                 if len(c.cost) and np.isfinite(c.cost).any()]
        return max(xs, default=0.0), max(costs, default=0.0)

