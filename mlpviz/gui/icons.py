"""Icons drawn with QPainter, so that they need no glyph from any font.

The set-up installs only DejaVu, which has neither ⏸ nor ▶ in its Sans face: a button reading
"⏸ Pause" showed "▯ Pause". A painted triangle and two bars look the same everywhere.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap, QPolygonF


def _painted(size: int, color: QColor | str, draw) -> QIcon:
    """An icon of `size`×`size` pixels: `draw(painter, size)` fills shapes in `color`."""
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(color))
    draw(p, float(size))
    p.end()
    return QIcon(pix)


def play_icon(color: QColor | str, size: int = 64) -> QIcon:
    """A right-pointing triangle ("Train")."""
    return _painted(size, color, lambda p, s: p.drawPolygon(QPolygonF([
        QPointF(0.22 * s, 0.12 * s), QPointF(0.86 * s, 0.5 * s), QPointF(0.22 * s, 0.88 * s)])))


def pause_icon(color: QColor | str, size: int = 64) -> QIcon:
    """Two vertical bars ("Pause")."""
    def bars(p: QPainter, s: float) -> None:
        for left in (0.2, 0.58):
            p.drawRoundedRect(QRectF(left * s, 0.14 * s, 0.22 * s, 0.72 * s), 0.04 * s, 0.04 * s)
    return _painted(size, color, bars)
