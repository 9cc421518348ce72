"""Where their trace disagrees with ours, drawn on the network view (File › Compare trace…).

`Disagreement.of(comparison)` keeps `TraceComparison.neuron_mask(l)` for every layer and
`line_mask(l)` for every weight layer (computed and tested in core.compare); `paint` draws the
differing lines (their ∂C/∂W⁽ˡ⁾[j, k] ≠ ours) and rings the differing circles (any of a, z,
∂C/∂a, ∂C/∂z, ∂C/∂b or incoming ∂C/∂W differs) over the normal drawing, in the theme's accent
(apart from the two sign colours of the weights); the rest of the network stays as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QLineF, QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from mlpviz.core.layout import Layout


@dataclass(frozen=True, eq=False)
class Disagreement:
    """neurons[l]: bool (sizes[l],); lines[l]: bool (sizes[l+1], sizes[l])."""

    sizes: tuple[int, ...]
    neurons: tuple[np.ndarray, ...]
    lines: tuple[np.ndarray, ...]

    @classmethod
    def of(cls, comparison) -> "Disagreement":
        net = comparison.setup.network
        return cls(tuple(net.sizes), tuple(comparison.neuron_mask(l) for l in range(net.L + 1)),
                   tuple(comparison.line_mask(l) for l in range(net.L)))

    def fits(self, sizes) -> bool:
        return tuple(sizes) == self.sizes


def drawn(layout: Layout, d: Disagreement) -> tuple[list[tuple[int, int, int]], list[tuple[int, int]]]:
    """The lines (l, j, k) and circles (l, j) `paint` marks: the differing ones that have a place
    on screen (not lines from hidden inputs; not inputs drawn as an image)."""
    if not d.fits(layout.sizes):
        return [], []
    lines = [(l, int(j), int(k)) for l, (seg, mask) in enumerate(zip(layout.segments, d.lines))
             for j, k in np.argwhere(mask & ~np.isnan(seg[..., 0]))]
    circles = [(l, int(j)) for l, mask in enumerate(d.neurons)
               if not (l == 0 and layout.image_rect is not None)
               for j in np.flatnonzero(mask) if np.isfinite(layout.centers[l][j]).all()]
    return lines, circles


def paint(p: QPainter, layout: Layout, d: Disagreement, color: str, scale: float) -> None:
    """The differing lines, then rings round the differing circles (see `drawn`), in `color`."""
    lines, circles = drawn(layout, d)
    red = QColor(color)
    pen = QPen(red, max(1.5, 2 * scale))
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    p.setPen(pen)
    if lines:
        p.drawLines([QLineF(*layout.segments[l][j, k].tolist()) for l, j, k in lines])
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(QPen(red, max(3.0, 3.5 * scale)))
    for l, j in circles:
        r = layout.radius[l] + 3 * max(1.0, scale)
        p.drawEllipse(QPointF(*layout.centers[l][j].tolist()), r, r)
