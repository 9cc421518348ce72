"""The first hidden layer's weights, one 28×28 two-colour picture per neuron (the palette's
green/red or blue/orange)."""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QMouseEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from mlpviz.core.colormap import (
    DEFAULT_BACKGROUND, rgb_to_hex, sign_colors, signed_rgb_per_image, updated_colors,
)
from mlpviz.core.palette import LESSON
from mlpviz.gui.qimage import color_hex, rgb_to_qimage
from mlpviz.i18n import N_, _

SCALE_PERCENTILE = 99.0  # each picture's colour scale: its 99th percentile of |w|

CAPTION = N_(
    "<b>First hidden layer</b>: one picture per neuron — its {n_in} incoming weights laid out "
    "like the {side}×{side} image. <b><span style='color:{pos}'>{Pos_word}</span></b>: weight "
    "&gt; 0, <b><span style='color:{neg}'>{neg_word}</span></b>: weight &lt; 0, faint: near 0 (each picture "
    "on its own scale). One might hope for loops, strokes and edges; they look almost random "
    "instead — yet the network reads digits (and names one even in pure noise: try Noise "
    "under Draw). Click a picture for its numbers."
)


class TileGrid(QWidget):
    """n small pictures in a near-square grid (16 → 4×4), numbered from 0 like the neurons in
    the network view; a click sends the index. With `choosable` set, the keyboard chooses too:
    the arrows move a ring from picture to picture (while the stepper, whose keys they are
    then, is closed) and Enter sends its index; `tip(i)` is picture i's tooltip."""

    tile_clicked = Signal(int)

    GAP = 6

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._images: list[QImage] = []
        self._hover = -1  # the picture under the pointer, or the keyboard's
        self.tip: Callable[[int], str] | None = None
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(120, 120)

    def set_images(self, images: list[QImage]) -> None:
        self._images = images
        if self._hover >= len(images):
            self._hover = -1
        self.update()

    def set_choosable(self, tip: Callable[[int], str]) -> None:
        """Pictures that stand for something to choose: `tip(i)` says what picture i is (in the
        language on show when asked); the keyboard reaches them (Tab) and chooses (arrows,
        Enter)."""
        self.tip = tip
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def count(self) -> int:
        return len(self._images)

    def shape(self) -> tuple[int, int]:
        """(rows, columns) of the grid."""
        n = len(self._images)
        if n == 0:
            return 0, 0
        cols = math.ceil(math.sqrt(n))
        return math.ceil(n / cols), cols

    def tile_rect(self, i: int) -> QRect:
        """Where picture i is drawn, in widget coordinates."""
        rows, cols = self.shape()
        g = self.GAP
        side = int(min((self.width() - (cols - 1) * g) / cols,
                       (self.height() - (rows - 1) * g) / rows))
        side = max(side, 1)
        total_w = cols * side + (cols - 1) * g
        x0 = (self.width() - total_w) // 2
        r, c = divmod(i, cols)
        return QRect(x0 + c * (side + g), r * (side + g), side, side)

    def index_at(self, pos: QPoint) -> int:
        """The picture under `pos`, or −1."""
        for i in range(len(self._images)):
            if self.tile_rect(i).contains(pos):
                return i
        return -1

    def sizeHint(self) -> QSize:
        return QSize(400, 400)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        i = self.index_at(event.position().toPoint())
        if i != self._hover:
            self._hover = i
            shape = Qt.CursorShape.PointingHandCursor if i >= 0 else Qt.CursorShape.ArrowCursor
            self.setCursor(shape)
            self.setToolTip(self.tip(i) if i >= 0 and self.tip else "")
            self.update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:
        self._hover = -1
        self.update()
        super().leaveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            i = self.index_at(event.position().toPoint())
            if i >= 0:
                self.tile_clicked.emit(i)
                event.accept()
                return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event) -> None:
        n = len(self._images)
        moves = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1,
                 Qt.Key.Key_Up: -self.shape()[1], Qt.Key.Key_Down: self.shape()[1]}
        if self.tip is None or n == 0:
            super().keyPressEvent(event)
        elif event.key() in moves:
            self._hover = 0 if self._hover < 0 else min(max(self._hover + moves[event.key()], 0),
                                                        n - 1)
            self.setToolTip(self.tip(self._hover))
            self.update()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._hover >= 0:
            self.tile_clicked.emit(self._hover)
        else:
            super().keyPressEvent(event)

    def paintEvent(self, event) -> None:
        if not self._images:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        fg = self.palette().color(QPalette.ColorRole.WindowText)
        font = QFont(self.font())
        side = self.tile_rect(0).width()
        font.setPointSizeF(max(6.0, min(self.font().pointSizeF(), side / 6)))
        font.setBold(True)
        p.setFont(font)
        show_numbers = side >= 36
        edge = QColor(fg)
        edge.setAlphaF(0.3)
        for i, img in enumerate(self._images):
            r = self.tile_rect(i)
            p.drawImage(r, img)
            p.setPen(QPen(edge, 1))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(r.adjusted(0, 0, -1, -1))  # the tile's edge, on a light background too
            if i == self._hover:
                p.setPen(QPen(fg, 2))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRect(r.adjusted(-2, -2, 1, 1))
            if show_numbers:
                label = str(i)
                box = QRect(r.x(), r.y(), p.fontMetrics().horizontalAdvance(label) + 6,
                            p.fontMetrics().height())
                p.fillRect(box, QColor(0, 0, 0, 150))  # white on dark: legible on any tile
                p.setPen(QColor(255, 255, 255))
                p.drawText(box, Qt.AlignmentFlag.AlignCenter, label)
        p.end()


class WeightsGrid(QWidget):
    """The first hidden layer's incoming weights as pictures, updated live from snapshots.

    neuron_clicked(int): the 0-based index of the hidden neuron whose picture was clicked.
    """

    neuron_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._background = DEFAULT_BACKGROUND
        self._positive, self._negative = sign_colors()
        self._words = LESSON.words  # the palette's names of the two colours, for the caption
        self._weights: np.ndarray | None = None
        self._side = 28  # the input image's side, for the caption
        self._rgb: np.ndarray | None = None
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        self.grid = TileGrid()
        self.grid.set_choosable(
            lambda i: _("Hidden layer 1, neuron {j}: click for its numbers").format(j=i))
        self.grid.tile_clicked.connect(self.neuron_clicked)
        self.empty_text = QLabel(_("No network yet"))
        self.empty_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.empty_text)
        self._update_caption()
        self._set_empty(True)

    # -- API ---------------------------------------------------------------------------------
    def set_snapshot(self, snap) -> None:
        """Show the weights W⁰ (n_hidden, 784) of `snap` (a core Snapshot)."""
        W = np.asarray(snap.weights[0])
        side = int(round(math.sqrt(W.shape[1])))
        if side * side != W.shape[1]:
            self._weights = None
            self.grid.set_images([])
            self.empty_text.setText(_("The inputs ({n}) are not a square image").format(
                n=W.shape[1]))
            self._set_empty(True)
            return
        self._weights = W.reshape(len(W), side, side)
        if side != self._side:
            self._side = side
            self._update_caption()
        self._render()

    def set_colors(self, background: str | None = None, foreground: str | None = None,
                   positive: str | None = None, negative: str | None = None) -> None:
        """Colours as "#rrggbb": the pictures' zero (background), positive and negative weights.
        `foreground` is accepted for symmetry and unused: text follows the palette."""
        self._background, self._positive, self._negative = updated_colors(
            (self._background, self._positive, self._negative), background, positive, negative)
        self._update_caption()
        self._render()

    def set_theme(self, theme) -> None:
        """Take background/foreground/positive/negative from a theme object (any it has), and
        its palette's words for the colours."""
        self._words = getattr(theme, "palette", LESSON).words
        self.set_colors(**{k: color_hex(getattr(theme, k, None))
                           for k in ("background", "foreground", "positive", "negative")})

    def retranslate(self) -> None:
        """The caption again in the current language (the pictures stay)."""
        self._update_caption()
        if self._weights is None and self.empty_text.text():
            self.empty_text.setText(_("No network yet"))

    def images(self) -> np.ndarray | None:
        """The pictures shown: uint8 (n, 28, 28, 3), or None."""
        return None if self._rgb is None else self._rgb.copy()

    # -- internals ---------------------------------------------------------------------------
    def _render(self) -> None:
        if self._weights is None:
            return
        self._rgb = signed_rgb_per_image(self._weights, SCALE_PERCENTILE,
                                         background=self._background,
                                         positive=self._positive, negative=self._negative)
        self.grid.set_images([rgb_to_qimage(a) for a in self._rgb])
        self._set_empty(False)

    def _update_caption(self) -> None:
        self.caption.setText(_(CAPTION).format(pos=rgb_to_hex(self._positive),
                                               neg=rgb_to_hex(self._negative),
                                               Pos_word=_(self._words[0]).capitalize(),
                                               neg_word=_(self._words[1]),
                                               n_in=self._side * self._side, side=self._side))

    def _set_empty(self, empty: bool) -> None:
        self.grid.setVisible(not empty)
        self.empty_text.setVisible(empty)

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self.grid.update()
        super().changeEvent(event)

