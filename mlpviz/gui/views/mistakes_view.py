"""Mistakes, and why: the held-out set's confusion matrix and a gallery of the samples of one cell.

The numbers come from `core.mistakes.confusion` on the latest snapshot; this module only draws
them. It recomputes at most once a second (`MIN_INTERVAL_S`), and only while on screen (the
window hands it snapshots only then), so it never slows training. A click on a cell (or the
arrow keys) shows exactly that cell's samples; a click on a sample (or Enter) asks the window
to open the backprop stepper on it (`stepper_requested`).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QKeyEvent, QMouseEvent, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QLabel, QListView, QListWidget, QListWidgetItem, QSizePolicy, QSplitter, QVBoxLayout, QWidget,
)

from mlpviz.core.explain import training_point
from mlpviz.core.mistakes import SHORT_CAPTION, Confusion, confusion
from mlpviz.gui.qimage import gray_to_qimage
from mlpviz.gui.throttle import Throttle
from mlpviz.i18n import _, count, ngettext

MIN_INTERVAL_S = 1.0  # at most one recomputation a second
GALLERY_MAX = 120  # thumbnails shown at once (the caption says how many there are)
THUMB = 56  # a thumbnail's side in pixels (28×28 doubled), times the theme's font scale


class ConfusionMatrix(QWidget):
    """M[i, j] as a grid: row i the right class, column j the network's answer; each cell's
    shade grows with its count (right answers on the diagonal in the accent colour, mistakes
    in the palette's negative colour, red or orange: `set_mistake_color`; the shade's strength is √(the cell's share of its row), so one mistake in 200
    still shows). A click, or the arrow keys, choose a cell: `cell_chosen(i, j)`."""

    cell_chosen = Signal(int, int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._counts: np.ndarray | None = None
        self._names: list[str] = []
        self.selected: tuple[int, int] | None = None
        self._bad = QColor(214, 48, 49)  # the mistakes' colour until the theme gives one
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(220, 220)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_counts(self, counts: np.ndarray | None, names: list[str]) -> None:
        self._counts, self._names = counts, names
        self.update()

    def select(self, i: int, j: int) -> None:
        """Choose cell (i, j) (clamped to the matrix) and say so."""
        n = 0 if self._counts is None else self._counts.shape[0]
        if n == 0:
            return
        self.selected = (min(max(i, 0), n - 1), min(max(j, 0), n - 1))
        self.update()
        self.cell_chosen.emit(*self.selected)

    def sizeHint(self) -> QSize:
        return QSize(420, 420)

    def _layout(self) -> tuple[int, int, float]:
        """(left, top, cell side): room for the headers on the left and at the top."""
        fm = self.fontMetrics()
        head = fm.height() * 2 + 4
        n = max(1, 0 if self._counts is None else self._counts.shape[0])
        side = max(4.0, min((self.width() - head - 2) / n, (self.height() - head - 2) / n))
        return head, head, side

    def cell_rect(self, i: int, j: int) -> QRect:
        """Where cell (row i, column j) is drawn."""
        left, top, side = self._layout()
        return QRect(round(left + j * side), round(top + i * side), round(side), round(side))

    def cell_at(self, pos: QPoint) -> tuple[int, int] | None:
        if self._counts is None:
            return None
        left, top, side = self._layout()
        n = self._counts.shape[0]
        i, j = int((pos.y() - top) // side), int((pos.x() - left) // side)
        return (i, j) if 0 <= i < n and 0 <= j < n and pos.x() >= left and pos.y() >= top \
            else None

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton and cell is not None:
            self.select(*cell)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        moves = {Qt.Key.Key_Left: (0, -1), Qt.Key.Key_Right: (0, 1),
                 Qt.Key.Key_Up: (-1, 0), Qt.Key.Key_Down: (1, 0)}
        if event.key() in moves and self._counts is not None:
            i, j = self.selected or (0, 0)
            di, dj = moves[event.key()]
            self.select(i + di, j + dj)
            event.accept()
            return
        super().keyPressEvent(event)

    def set_mistake_color(self, color: str) -> None:
        """The off-diagonal cells' colour ("#rrggbb"): the theme's negative sign."""
        self._bad = QColor(color)
        self.update()

    def paintEvent(self, event) -> None:
        if self._counts is None:
            return
        p = QPainter(self)
        pal = self.palette()
        fg = pal.color(QPalette.ColorRole.WindowText)
        good, bad = pal.color(QPalette.ColorRole.Highlight), self._bad
        counts = self._counts
        n = counts.shape[0]
        left, top, side = self._layout()
        rows = counts.sum(axis=1, keepdims=True)
        share = np.divide(counts, rows, out=np.zeros(counts.shape), where=rows > 0)
        font = QFont(self.font())
        font.setPointSizeF(max(6.0, min(self.font().pointSizeF(), side / 3)))
        p.setFont(font)
        for i in range(n):
            for j in range(n):
                r = self.cell_rect(i, j)
                base = QColor(good if i == j else bad)
                base.setAlphaF(0.15 + 0.85 * float(np.sqrt(share[i, j])) if counts[i, j] else 0.0)
                p.fillRect(r, base)
                p.setPen(fg)
                if counts[i, j]:
                    p.drawText(r, Qt.AlignmentFlag.AlignCenter, str(int(counts[i, j])))
        edge = QColor(fg)
        edge.setAlphaF(0.25)
        p.setPen(edge)
        p.drawRect(QRect(left, top, round(n * side), round(n * side)))
        fm = p.fontMetrics()
        p.setPen(fg)
        for k in range(n):
            name = self._names[k] if k < len(self._names) else str(k)
            p.drawText(QRect(round(left + k * side), top - fm.height() - 2, round(side),
                             fm.height()), Qt.AlignmentFlag.AlignCenter, name[:4])
            p.drawText(QRect(left - fm.height() - 4, round(top + k * side), fm.height() + 2,
                             round(side)), Qt.AlignmentFlag.AlignCenter, name[:4])
        p.drawText(QRect(left, 0, round(n * side), fm.height()), Qt.AlignmentFlag.AlignCenter,
                   _("the network's answer →"))
        p.save()
        p.translate(fm.height() - 2, top + n * side / 2)
        p.rotate(-90)
        p.drawText(QRect(round(-n * side / 2), -fm.height(), round(n * side), fm.height() + 2),
                   Qt.AlignmentFlag.AlignCenter, _("the right digit →"))
        p.restore()
        if self.selected is not None:
            p.setPen(QColor(fg))
            pen = p.pen()
            pen.setWidth(3)
            p.setPen(pen)
            p.drawRect(self.cell_rect(*self.selected).adjusted(1, 1, -1, -1))
        p.end()


class MistakesView(QWidget):
    """The Mistakes tab: a sentence on the accuracy, the confusion matrix, and the gallery of the
    chosen cell's samples (at first: every mistake). `stepper_requested(index)`: the held-out
    sample the user picked, for the backprop stepper."""

    stepper_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._images: np.ndarray | None = None
        self._labels: np.ndarray | None = None
        self._names: list[str] = []
        self._latest = None  # the newest snapshot received
        self._throttle = Throttle(self._compute, MIN_INTERVAL_S, self)
        self._scale = 1.0
        self.result: Confusion | None = None
        self.shown_indices: np.ndarray = np.zeros(0, np.intp)  # the gallery's samples, in order
        self._computed = None  # the snapshot `result` is of
        self._misfit = None  # the (inputs, outputs, pixels, classes) that do not fit, if any
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.matrix = ConfusionMatrix()
        self.matrix.setAccessibleName(_("Confusion matrix of the held-out set"))
        self.gallery_title = QLabel()
        self.gallery_title.setWordWrap(True)
        self.gallery = QListWidget()
        self.gallery.setViewMode(QListView.ViewMode.IconMode)
        self.gallery.setResizeMode(QListView.ResizeMode.Adjust)
        self.gallery.setMovement(QListView.Movement.Static)
        self.gallery.setWrapping(True)
        self.gallery.setUniformItemSizes(True)
        self.gallery.setAccessibleName(_("Samples of the chosen cell"))
        self.gallery.itemClicked.connect(self._on_item_picked)
        self.gallery.itemActivated.connect(self._on_item_picked)  # Enter (or a double click)
        self.matrix.cell_chosen.connect(self._on_cell_chosen)
        bottom = QWidget()
        lay_b = QVBoxLayout(bottom)
        lay_b.setContentsMargins(0, 0, 0, 0)
        lay_b.addWidget(self.gallery_title)
        lay_b.addWidget(self.gallery, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.matrix)
        split.addWidget(bottom)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(split, 1)
        self._apply_thumb_size()
        self._show_summary()

    # -- API ---------------------------------------------------------------------------------
    def set_dataset(self, dataset) -> None:
        """Use `dataset`'s held-out split (uint8 images (n, 784) and labels (n,))."""
        self._images, self._labels = dataset.test_images, dataset.test_labels
        self._names = list(dataset.class_names)
        self.matrix.selected = None
        self.result = None
        if self._latest is not None:
            self._throttle.reset()
            self.set_snapshot(self._latest)

    def set_snapshot(self, snap) -> None:
        """The newest parameters: computed now if a second has passed since the last time, else
        when it has (only the newest snapshot counts)."""
        self._latest = snap
        self._throttle.offer(snap)

    def set_theme(self, theme) -> None:
        """Thumbnails grow with the theme's font scale (presentation mode); the mistakes take
        its negative colour."""
        self._scale = float(getattr(theme, "font_scale", 1.0))
        if getattr(theme, "negative", None):
            self.matrix.set_mistake_color(theme.negative)
        self._apply_thumb_size()
        self._fill_gallery()

    def retranslate(self) -> None:
        """Every text again in the current language (the same matrix, the same cell)."""
        self.matrix.setAccessibleName(_("Confusion matrix of the held-out set"))
        self.gallery.setAccessibleName(_("Samples of the chosen cell"))
        self.matrix.update()
        self._apply_thumb_size()
        self._show_summary()
        self._fill_gallery()

    # -- work --------------------------------------------------------------------------------
    def _compute(self, snap) -> None:
        if self._images is None:
            return
        n_classes = int(self._labels.max(initial=0)) + 1
        if snap.sizes[0] != self._images.shape[1] or snap.sizes[-1] < max(2, n_classes):
            self.result = None
            self.matrix.set_counts(None, self._names)
            self._misfit = (snap.sizes[0], snap.sizes[-1], self._images.shape[1], n_classes)
            self._show_summary()
            self._fill_gallery()
            return
        self.result = confusion(snap, self._images.astype(np.float64) / 255.0, self._labels)
        self._computed, self._misfit = snap, None
        self.matrix.set_counts(self.result.counts, self._names)
        self._show_summary()
        self._fill_gallery()

    def _show_summary(self) -> None:
        """The sentence above the matrix: what it counts, on which weights (or why there is none)."""
        if self._misfit is not None:
            inputs, outputs, pixels, classes = self._misfit
            self.summary.setText(_(
                "No confusion matrix: this network takes {inputs} inputs and has {outputs} "
                "outputs; the held-out images have {pixels} pixels and {classes} classes.").format(
                    inputs=inputs, outputs=outputs, pixels=pixels, classes=classes))
            return
        r, snap = self.result, self._computed
        if r is None:
            self.summary.setText(_("The held-out set's confusion matrix appears once a network "
                                   "and a dataset are loaded."))
            return
        right = int(np.trace(r.counts))
        self.summary.setText(_(
            "Held-out set, on the weights at {when}: {right} of {n} answered right ({percent} %), "
            "{wrong} mistakes. Rows: the right digit; columns: the network's answer (its brightest "
            "output). Click a cell (or use the arrow keys) for its samples.").format(
                when=training_point(snap.epoch, snap.batch), right=count(right), n=count(r.n),
                percent=f"{100 * r.accuracy:.1f}", wrong=count(r.n - right)))

    def _on_cell_chosen(self, i: int, j: int) -> None:
        self._fill_gallery()

    def _cell_indices(self) -> tuple[np.ndarray, str]:
        r, sel = self.result, self.matrix.selected
        if sel is None:
            return r.mistakes(), _("Every mistake")
        i, j = sel
        name = self._names[i] if i < len(self._names) else str(i)
        if i == j:
            return r.cell(i, j), _("{name} answered right").format(name=name)
        other = self._names[j] if j < len(self._names) else str(j)
        return r.cell(i, j), _("{name} taken for {other}").format(name=name, other=other)

    def _fill_gallery(self) -> None:
        self.gallery.clear()
        if self.result is None:
            self.shown_indices = np.zeros(0, np.intp)
            self.gallery_title.clear()
            return
        rows, what = self._cell_indices()
        self.shown_indices = rows
        shown = rows[:GALLERY_MAX]
        if len(rows) > len(shown):
            samples = ngettext("{n} sample (the first {shown} shown)",
                               "{n} samples (the first {shown} shown)", len(rows))
        else:
            samples = ngettext("{n} sample", "{n} samples", len(rows))
        self.gallery_title.setText(_(
            "<b>{what}</b>: {samples}. Under each: the network's two brightest answers. Click one "
            "(or Enter) to step through its backprop.").format(
                what=what, samples=samples.format(n=count(len(rows)), shown=len(shown))))
        for k in shown:
            item = QListWidgetItem(self._icon(int(k)), self.result.short_caption(int(k)))
            item.setData(Qt.ItemDataRole.UserRole, int(k))
            item.setToolTip(_("Held-out sample #{index}: {caption}").format(
                index=int(k), caption=self.result.caption(int(k))))
            self.gallery.addItem(item)

    def _icon(self, k: int) -> QIcon:
        side = int(np.sqrt(self._images.shape[1]))
        img = gray_to_qimage(self._images[k].reshape(side, side))
        s = self.gallery.iconSize().width()  # an icon is never drawn larger than its pixmap
        return QIcon(QPixmap.fromImage(img).scaled(s, s, Qt.AspectRatioMode.KeepAspectRatio,
                                                   Qt.TransformationMode.FastTransformation))

    def _apply_thumb_size(self) -> None:
        s = round(THUMB * self._scale)
        self.gallery.setIconSize(QSize(s, s))
        fm = self.fontMetrics()  # the gallery's font: this widget's (the application's)
        widest = _(SHORT_CAPTION).format(first=8, first_value="100 %", second=8,
                                         second_value="100 %", label=8)
        self.gallery.setGridSize(QSize(max([s] + [fm.horizontalAdvance(line)
                                                  for line in widest.split("\n")]) + 12,
                                       s + 3 * fm.height() + 12))
        # one whole row at least, captions included: the matrix gives way, not the last line
        self.gallery.setMinimumHeight(self.gallery.gridSize().height()
                                      + 2 * self.gallery.frameWidth() + 2)

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.FontChange:  # presentation mode: the captions grow
            self._apply_thumb_size()
        super().changeEvent(event)

    def _on_item_picked(self, item: QListWidgetItem) -> None:
        self.stepper_requested.emit(int(item.data(Qt.ItemDataRole.UserRole)))
