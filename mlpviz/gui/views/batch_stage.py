"""The stepper's stage 9 extras (lesson points 16 and 17): the mini-batch as thumbnails, a toggle
for colouring the network's lines by the batch's average ∂C/∂w, and a small plot of the careful
walk (full-batch gradient) against the stagger (SGD) from this network.

Everything shown is computed in core (`core.minibatch`, `core.walk.batch`, `core.sgd_demo`); the
two walks run on copies of the network, worked out when the stage is first shown for a network
(about half a second) and kept until the network, η, the batch size or the data change. The plot
(pyqtgraph) is built the first time stage 9 shows, so it costs the app's start-up nothing.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView, QApplication, QCheckBox, QLabel, QListView, QListWidget, QListWidgetItem,
    QSizePolicy, QVBoxLayout, QWidget,
)

from mlpviz.core.minibatch import MiniBatch
from mlpviz.core.network import Network
from mlpviz.core.sgd_demo import SgdDemo, demo_text, sgd_demo
from mlpviz.gui import theme as themes
from mlpviz.gui.qimage import rgb_to_qimage
from mlpviz.gui.theme import activation_rgb
from mlpviz.gui.labels import Labels
from mlpviz.i18n import N_, _

CAREFUL_COLOR = "#3a86d4"  # the careful walk: the gradient of the whole set
STAGGER_COLOR = "#e8831c"  # the stagger: one mini-batch per step
THUMB = 40  # thumbnail side in pixels at the panel's normal font
THUMBNAILS = 100  # pictures in the strip: the default mini-batch whole (the table lists fewer)


def _pixmap(x: np.ndarray, theme) -> QPixmap:
    """A square image of pixels 0..1 in the theme's shades, as the network view draws its input
    (white strokes on black in the dark theme, black ink on white in the light one)."""
    side = int(round(np.sqrt(x.size)))
    pixels = np.clip(np.reshape(x[:side * side], (side, side)), 0.0, 1.0)
    return QPixmap.fromImage(rgb_to_qimage(activation_rgb(theme, pixels)))


class BatchThumbnails(QListWidget):
    """The mini-batch's first THUMBNAILS samples as thumbnails in one row, each captioned with its
    label and dataset index ("2 #7222", in the table's order); the sample on show is
    highlighted. Its tooltip says how many of the batch the strip shows."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)  # one row that scrolls sideways: the stage needs the height
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._batch: MiniBatch | None = None
        self._names: tuple[str, ...] = ()
        self._fit()

    def set_batch(self, batch: MiniBatch | None, class_names) -> None:
        names = tuple(class_names)
        if batch is self._batch and names == self._names:
            return
        self._batch, self._names = batch, names
        self.clear()
        if batch is None:
            return
        shown = min(len(batch), THUMBNAILS)
        dark = self.palette().color(self.backgroundRole()).lightness() < 128  # the app's theme
        theme = themes.DARK if dark else themes.LIGHT
        self.setToolTip(f"The mini-batch: all {len(batch):,} samples" if shown == len(batch)
                        else f"The first {shown:,} of the mini-batch's {len(batch):,} samples")
        for i in range(shown):
            label = int(batch.labels[i])
            name = names[label] if label < len(names) else str(label)
            where = batch.row_name(i)
            short = f"#{int(batch.indices[i])}" if batch.indices[i] >= 0 else "drawn"
            item = QListWidgetItem(QIcon(_pixmap(batch.X[i], theme)), f"{name} {short}")
            item.setToolTip(f"{where}, label {name}" + (" — the sample on show" if i == batch.shown
                                                          else ""))
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            if i == batch.shown:
                item.setBackground(self.palette().highlight())
                item.setForeground(self.palette().highlightedText())
            self.addItem(item)

    def _fit(self) -> None:
        """Icon and grid sizes from the font (presentation mode scales both); one row high."""
        fm = self.fontMetrics()
        side = max(THUMB, int(fm.height() * 2))
        self.setIconSize(QSize(side, side))
        widest = max(fm.horizontalAdvance(t) for t in ("0 #00000", "0 drawn"))
        grid = QSize(max(side + 8, widest + 12),
                     side + fm.height() + 8)
        self.setGridSize(grid)
        bar = self.horizontalScrollBar().sizeHint().height()
        self.setFixedHeight(grid.height() + bar + 2 * self.frameWidth() + 4)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.FontChange:
            self._fit()
        if event.type() == event.Type.PaletteChange and self._batch is not None:
            batch, self._batch = self._batch, None  # drawn again in the new theme's shades
            self.set_batch(batch, self._names)


class SgdPlot(QWidget):
    """The careful walk and the stagger: C over the demo set after each step, and (dashed) where
    the stagger gets given the careful walk's work. What they did, in words (`words`, from
    `core.sgd_demo.demo_text`), goes under the stage's text beside it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(120)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self.key = QLabel()  # what the lines are: a label that wraps, not the plot's title
        self.key.setTextFormat(Qt.TextFormat.RichText)
        self.key.setWordWrap(True)
        self._layout.addWidget(self.key)
        self.plot = self.careful = self.stagger = None  # built when first needed (pyqtgraph)
        self.words = ""
        self.demo: SgdDemo | None = None

    def _build_plot(self) -> None:
        """The plot widget and its two curves. pyqtgraph is imported here, not with the module:
        it is a third of the app's start-up, and the plot shows only on stage 9."""
        if self.plot is not None:
            return
        import pyqtgraph as pg

        self.plot = pg.PlotWidget()
        for act in self.plot.scene().contextMenu:  # pyqtgraph's "Export..."
            act.setText(_("Export…"))
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setMinimumWidth(0)
        for name in ("left", "bottom"):
            self.plot.getAxis(name).enableAutoSIPrefix(False)
        self.careful = self.plot.plot(skipFiniteCheck=True)
        self.stagger = self.plot.plot(skipFiniteCheck=True)
        self.far = self.plot.plot(skipFiniteCheck=True)  # SGD given the careful walk's work
        self._layout.addWidget(self.plot, 1)
        self._style()

    def show_demo(self, demo: SgdDemo | None, waiting: str = "") -> None:
        """Both curves of `demo` (None: empty plot and the `waiting` note)."""
        self._build_plot()
        self.demo = demo
        if demo is None:
            for curve in (self.careful, self.stagger, self.far):
                curve.setData([], [])
            self.words = waiting
            return
        steps = np.arange(demo.steps + 1)
        for curve, costs in ((self.careful, demo.full_costs), (self.stagger, demo.sgd_costs)):
            keep = np.isfinite(costs)
            curve.setData(steps[keep], costs[keep])
        far = demo.far_steps > demo.steps and np.isfinite(demo.far_cost)
        self.far.setData([0, demo.steps] if far else [], [demo.far_cost] * 2 if far else [])
        finite = np.concatenate([c[np.isfinite(c)] for c in (demo.full_costs, demo.sgd_costs)]
                                + [[demo.far_cost] if far else []])
        log = finite.size > 0 and finite.min() > 0 and finite.max() / finite.min() > 100
        self.plot.setLogMode(y=bool(log))
        self.plot.enableAutoRange()
        self.words = demo_text(demo)

    def _style(self) -> None:
        import pyqtgraph as pg  # imported once by _build_plot

        pal = self.palette()
        fg, bg = pal.color(pal.ColorRole.WindowText).name(), pal.color(pal.ColorRole.Base).name()
        points = self.font().pointSizeF()
        self.plot.setBackground(bg)
        tick = QFont(self.font())
        for name in ("left", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setPen(fg)
            axis.setTextPen(fg)
            axis.setTickFont(tick)
        style = {"color": fg, "font-size": f"{points:.1f}pt"}
        self.plot.setLabel("left", "C", **style)
        self.plot.setLabel("bottom", _("step"), **style)
        width = max(2.0, points / 5)
        self.careful.setPen(pg.mkPen(CAREFUL_COLOR, width=width))
        self.stagger.setPen(pg.mkPen(STAGGER_COLOR, width=width))
        self.far.setPen(pg.mkPen(STAGGER_COLOR, width=width, style=Qt.PenStyle.DashLine))
        careful, sgd, same = _("all samples"), _("SGD"), _("SGD given the same work")
        self.key.setText(f'<span style="color:{CAREFUL_COLOR}">━ {careful}</span> &nbsp;'
                         f'<span style="color:{STAGGER_COLOR}">━ {sgd}</span> &nbsp;'
                         f'<span style="color:{STAGGER_COLOR}">╌ {same}</span>')

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if self.plot is not None and event.type() in (event.Type.FontChange,
                                                      event.Type.PaletteChange):
            self._style()


class BatchStageView(QWidget):
    """Stage 9's extras. `samples` (the thumbnails), `lines_toggle` and `sgd` (the plot) are
    placed by the stepper; `show_stage` fills them for stage 9 or hides them.

    Signals:
      lines_by_batch_toggled(bool)  the user ticked / unticked "Lines by the batch's average"
      words_changed(str)            what the plot shows, in words (or that it is being worked out)
      sample_clicked(int)           a thumbnail was clicked: the batch's row i
    """

    lines_by_batch_toggled = Signal(bool)
    words_changed = Signal(str)
    sample_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.thumbnails = BatchThumbnails()
        self.thumbnails.itemClicked.connect(
            lambda item: self.sample_clicked.emit(self.thumbnails.row(item)))
        self.labels = Labels()  # its texts, in the current language
        self.lines_toggle = QCheckBox()
        self.labels.add(self.lines_toggle.setText, N_("lines by the batch's mean ∂C/∂w"))
        self.labels.add(self.lines_toggle.setToolTip,
                        N_("What one SGD step on this mini-batch follows, against the sample on "
                           "show's own wish"))
        self.lines_toggle.toggled.connect(self.lines_by_batch_toggled)
        self.samples = QWidget()
        lay = QVBoxLayout(self.samples)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.thumbnails)
        self.sgd = SgdPlot()
        self._key: tuple | None = None  # what the demo on show was worked out for
        self._pending: tuple | None = None
        self._pool: tuple[np.ndarray, np.ndarray] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._work_out_demo)
        self.show_stage(None)

    @property
    def lines_by_batch(self) -> bool:
        return self.lines_toggle.isChecked()

    def set_training_set(self, images: np.ndarray | None, labels: np.ndarray | None) -> None:
        """The training split the demo walks on (uint8 images (N, n_inputs), labels (N,))."""
        self._pool = None if images is None or len(images) == 0 else (images, labels)
        self._key = None

    def show_stage(self, stage, net: Network | None = None, batch: MiniBatch | None = None,
                   lr: float = 3.0, batch_size: int = 100, class_names=()) -> None:
        """Fill the parts for stage 9 (`stage`, the network and batch it was built from), or hide
        them (stage None, or a stage 9 without a batch)."""
        on = stage is not None and batch is not None and net is not None and bool(stage.rows)
        self.samples.setVisible(on)
        self.lines_toggle.setVisible(on)
        self.sgd.setVisible(on and self._pool is not None)
        if not on:
            self._timer.stop()
            self.words_changed.emit("")
            return
        self.thumbnails.set_batch(batch, class_names)
        if self._pool is None or self._pool[0].shape[1] != net.sizes[0] \
                or int(self._pool[1].max()) >= net.sizes[-1]:
            self.sgd.setVisible(False)
            self.words_changed.emit("")
            return
        key = (net, float(lr), int(batch_size), id(self._pool[0]))  # the net itself: no id reuse
        if key != self._key:
            self._pending = (key, net, float(lr), int(batch_size))
            self.sgd.show_demo(None, "Working out both walks from this network…")
            self._timer.start(0)  # after the stage is on screen
        self.words_changed.emit(self.words)

    @property
    def words(self) -> str:
        """The plot in words, while it is on show ("" otherwise)."""
        return "" if self.sgd.isHidden() else self.sgd.words

    def _work_out_demo(self) -> None:
        if self._pending is None or self._pool is None:
            return
        key, net, lr, batch_size = self._pending
        self._pending = None
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            demo = sgd_demo(net, *self._pool, batch_size=batch_size, lr=lr)
        finally:
            QApplication.restoreOverrideCursor()
        self._key = key
        self.sgd.show_demo(demo)
        self.words_changed.emit(self.words)
