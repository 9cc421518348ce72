"""The network itself: neurons lit by their activation, every weight a green or red line.

How it paints. The lines are drawn by numpy, not by QPainter: `core.layout.LineRaster` knows, for
the current size, which pixels every line covers. Each frame the weights become one uint8 "key"
per line (strength level, sign, and faded / normal / highlighted); every covered pixel takes the
colour of the biggest key through it, which is the picture of drawing weak lines first and strong
ones on top. Colours are premixed with the background (opacity without alpha blending) and written
into an RGB32 buffer shown as one QImage. Circles, text and the input picture are painted on top.

Measured at 1280×800 offscreen, new weights every frame (benchmarks/bench_view_paint.py, a
shared 2-core machine): the numpy lines take ~6 ms and the whole frame ~12–14 ms (≈ 70–85 fps);
the same lines drawn with one `QPainter.drawLines` per colour bucket take ~25 ms. Numpy releases
the GIL while it works, so a training thread keeps more of its speed (Python holds the GIL
through every QPainter call: the circles and texts, ~4 ms of each frame).

What is drawn is decided in core: `core.line_keys` turns the weights (or −∂C/∂W, or a stepper
stage's values) into the line keys and their colours, `core.layout` places everything, and
`core.explain` writes the captions, tooltips and legend. The widget keeps the state, paints and
hit-tests. Activations are recomputed only when something shown changed (new weights while a
sample is shown, a new sample), and only when they are needed; the keys only when the weights,
the emphasis or the geometry change.

Building a raster takes a few hundred ms, so while the widget is being resized (and for networks
whose raster would be too big, e.g. 4 hidden layers of 128) the lines are drawn with QPainter
instead; the raster is built once the size has settled. The last RASTERS_KEPT rasters are kept
for every view (a raster depends only on where the lines are): a size seen before (the window
restored, presentation mode left, the same network rebuilt, another window) paints at once.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from PySide6.QtCore import QEvent, QLineF, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QMouseEvent,
    QPainter,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QMenu, QToolTip, QWidget

from mlpviz.core import explain
from mlpviz.core import layout as lay
from mlpviz.core import line_keys as lk
from mlpviz.core.activations import Activation, get_activation
from mlpviz.core.colormap import pack_rgb32
from mlpviz.core.costs import Cost, get_cost
from mlpviz.core.network import forward_pass
from mlpviz.core.overlay import Overlay
from mlpviz.core.snapshot import Snapshot
from mlpviz.gui.theme import DARK, Theme, mix, mix_array, rgb
from mlpviz.i18n import _
from mlpviz.gui.views import compare_overlay

LINE_MODES = ("weights", "gradient")
INPUT_STYLES = ("image", "circles")

RASTER_PAIR_BUDGET = 12_000_000  # (pixel, line) pairs; bigger networks are drawn with QPainter
AUTO_THIN_LINES = 20_000  # ... and only their strongest lines, about this many (see _top_k_for)
RESIZE_SETTLE_MS = 150
RASTERS_KEPT = 2  # line rasters kept for sizes seen before (~20 MB each for 784-16-16-10)
DENSE_LAYER = 3000  # weight layers with more lines than this get 1-px lines, the others thicker
ARROW_HEAD = 2.0  # a nudge arrow's head: at least this many shaft widths long


# Rasters by (width, height, digest of the lines and their thickness), shared by every view:
# `LineRaster` is only read while painting (its scratch arrays are reused by the next paint, which
# runs on the GUI thread after this one has copied its pixels out).
_RASTERS: OrderedDict[tuple, lay.LineRaster] = OrderedDict()


def _kept_raster(key: tuple) -> lay.LineRaster | None:
    raster = _RASTERS.get(key)
    if raster is not None:
        _RASTERS.move_to_end(key)
    return raster


def _keep_raster(key: tuple, raster: lay.LineRaster) -> lay.LineRaster:
    _RASTERS[key] = raster
    while len(_RASTERS) > RASTERS_KEPT:
        _RASTERS.popitem(last=False)
    return raster


def arrow_min_length(width: float) -> float:
    """The shortest nudge arrow drawn (shaft `width` px): room for its whole head (ARROW_HEAD
    widths) and a shaft about as long, so that a small nudge still reads as an arrow, not a dot."""
    return 1.75 * ARROW_HEAD * width


@dataclass(eq=False)
class _Geometry:
    """Everything that depends on the widget's size, fonts and the network's shape."""

    key: tuple
    layout: lay.Layout
    dpr: float
    fonts: dict[str, QFont]
    line_h: float
    margins: tuple[float, float, float, float]
    thickness: np.ndarray  # per line, device pixels
    pairs: int  # estimated raster size
    raster: lay.LineRaster | None = None
    qlines: np.ndarray | None = None  # object array of QLineF, built on demand
    drawable: np.ndarray | None = None
    dense: np.ndarray | None = None  # per line: belongs to a dense layer
    extra: dict = field(default_factory=dict)


class NetworkView(QWidget):
    """The MLP as circles and lines; see the module docstring for how it paints.

    Neuron layers 0 … L and weight layers 0 … L−1 as in `core.network`; `W[l][j, k]` is the line
    from neuron k of layer l to neuron j of layer l+1.
    """

    neuron_clicked = Signal(int, int)  # (layer, index)
    weight_clicked = Signal(int, int, int)  # (weight layer l, j, k): W[l][j, k]
    pin_requested = Signal(str, int, int, int)  # ("neuron", layer, j, −1) / ("weight", l, j, k)

    def __init__(self, parent: QWidget | None = None, theme: Theme = DARK):
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMinimumSize(320, 220)
        self._theme = theme
        self._snap: Snapshot | None = None
        self._act: Activation | None = None  # the snapshot's records
        self._cost: Cost | None = None
        self._x: np.ndarray | None = None
        self._forward: tuple[list, list] | None = None  # (zs, activations) for _x; see _pass
        self._class_names: tuple[str, ...] = ()
        self._overlay: Overlay | None = None
        self._disagreement: compare_overlay.Disagreement | None = None  # a compared trace's
        self._line_mode = "weights"
        self._grad: tuple[np.ndarray, ...] | None = None
        self._top_k: int | None = None
        self._input_style = "image"
        self._hover: tuple | None = None  # ("neuron", l, j) or ("line", l, j, k)
        self._selected: tuple[int, int] | None = None  # (l, j): the neuron last clicked
        # how lines are drawn: "auto"; "numpy" = the raster without waiting for a resize to settle
        # (still not for networks over RASTER_PAIR_BUDGET); "qt" = QPainter (tests, benchmarks)
        self._raster_mode = "auto"
        self._geom: _Geometry | None = None
        self._keys: np.ndarray | None = None
        self._rendered_keys: np.ndarray | None = None
        self._color_lut: np.ndarray | None = None  # (256,) uint32 0xffRRGGBB per line key
        self._line_rgb: np.ndarray | None = None  # (256, 3) uint8 per line key
        self._input_image: QImage | None = None
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(RESIZE_SETTLE_MS)
        self._settle.timeout.connect(self._on_resize_settled)

    # -- public API ----------------------------------------------------------------------------
    def set_snapshot(self, snap: Snapshot) -> None:
        """Show these weights; the current input's activations are recomputed with them."""
        if not isinstance(snap, Snapshot):
            raise TypeError(f"set_snapshot takes a Snapshot, got {type(snap).__name__}")
        old = self._snap
        if snap is old:
            return
        self._snap = snap
        self._act, self._cost = get_activation(snap.activation), get_cost(snap.cost)
        if old is None or tuple(old.sizes) != tuple(snap.sizes):
            self._geom = None
            self._hover = None
            self._selected = None
            if self._x is not None and len(self._x) != snap.sizes[0]:
                self._x = None
            self._input_image = None
        self._forward = None
        self._invalidate_keys()
        self.update()

    def set_input(self, x: np.ndarray | None) -> None:
        """Show sample x ((sizes[0],) values 0..1) and the activations it causes; None: no sample."""
        if x is None:
            self._x = None
        else:
            x = np.array(x, dtype=np.float64).reshape(-1)
            if self._snap is not None and len(x) != self._snap.sizes[0]:
                raise ValueError(
                    f"the network takes {self._snap.sizes[0]} inputs, got {len(x)} values")
            self._x = x
        self._forward = None
        self._input_image = None
        self._refresh_tooltip()
        self.update()

    def set_class_names(self, names: Sequence[str]) -> None:
        """The labels of the outputs, in order ("0" … "9", or the Fashion-MNIST names)."""
        names = tuple(str(n) for n in names)
        if names != self._class_names:
            self._class_names = names
            self._geom = None
            self.update()

    def set_overlay(self, overlay: Overlay | None) -> None:
        """Draw a stepper stage's emphasis on top of the network (None: plain network)."""
        if overlay is not None and not isinstance(overlay, Overlay):
            raise TypeError(f"set_overlay takes an Overlay or None, got {type(overlay).__name__}")
        self._overlay = overlay
        self._invalidate_keys()
        self._input_image = None
        self.update()

    def set_disagreement(self, d: compare_overlay.Disagreement | None) -> None:
        """Mark where a compared trace differs from ours (None: back to normal)."""
        self._disagreement = d
        self.update()

    def disagreement_drawn(self):
        """(lines (l, j, k), circles (l, j)) marked as differing now; ([], []) when none."""
        g = self._geometry()
        if g is None or self._disagreement is None:
            return [], []
        return compare_overlay.drawn(g.layout, self._disagreement)

    def set_line_mode(self, mode: str) -> None:
        """"weights" colours lines by the weights; "gradient" by −∂C/∂W from `set_gradient`
        (green: the weight should grow, red: shrink)."""
        if mode not in LINE_MODES:
            raise ValueError(f"line mode must be one of {LINE_MODES}, got {mode!r}")
        if mode != self._line_mode:
            self._line_mode = mode
            self._invalidate_keys()
            self.update()

    def set_gradient(self, grad_w: Sequence[np.ndarray] | None) -> None:
        """This sample's ∂C/∂W per weight layer (each shaped like W[l]), shown in "gradient" mode."""
        self._grad = None if grad_w is None else tuple(np.asarray(g, dtype=np.float64) for g in grad_w)
        self._invalidate_keys()
        self.update()

    def set_top_k(self, k: int | None) -> None:
        """Draw only the strongest k lines into each neuron; None or 0: every line."""
        k = int(k) if k else None
        if k is not None and k < 0:
            raise ValueError(f"top-k must be ≥ 0, got {k}")
        if k != self._top_k:
            self._top_k = k
            self._invalidate_keys()
            self.update()

    def set_input_style(self, style: str) -> None:
        """"image": the inputs as the 28×28 picture they come from; "circles": a column of
        circles with an ellipsis (the classic drawing)."""
        if style not in INPUT_STYLES:
            raise ValueError(f"input style must be one of {INPUT_STYLES}, got {style!r}")
        if style != self._input_style:
            self._input_style = style
            self._geom = None
            self._hover = None
            self._invalidate_keys()
            self._input_image = None
            self.update()

    def set_theme(self, theme: Theme) -> None:
        """Repaint in `theme`'s colours (and font scale)."""
        if theme.font_scale != self._theme.font_scale:
            self._geom = None  # fonts, margins and line widths change: a new layout
        self._theme = theme
        self._line_rgb = None
        self._input_image = None
        self._rendered_keys = None
        self.update()

    def set_selected(self, layer: int | None, index: int | None = None) -> None:
        """Keep neuron `index` of layer `layer` highlighted (the one the Neuron tab shows: a ring,
        and its incoming and outgoing lines drawn on top); None: no neuron."""
        sel = None if layer is None or index is None else (int(layer), int(index))
        if sel is not None and (self._snap is None or not 0 <= sel[0] < len(self._snap.sizes)
                                or not 0 <= sel[1] < self._snap.sizes[sel[0]]):
            raise IndexError(f"no neuron {index} in layer {layer}")
        if sel != self._selected:
            self._selected = sel
            self._invalidate_keys()
            self._input_image = None
            self.update()

    def selected(self) -> tuple[int, int] | None:
        """(layer, index) of the neuron kept highlighted, or None."""
        return self._selected

    def activations(self) -> list[np.ndarray] | None:
        """The activations shown, [a⁰ = x, a¹, …, aᴸ], or None when no sample is shown."""
        acts = self._pass()[1]
        return None if acts is None else [np.array(a) for a in acts]

    # -- state ---------------------------------------------------------------------------------
    def _pass(self) -> tuple[list | None, list | None]:
        """(zs, activations) of the sample shown, [z⁰ = x, …, zᴸ] and [a⁰ = x, …, aᴸ], straight
        from the snapshot's read-only arrays (`forward_pass`); computed when first needed after
        the weights or the sample changed. (None, None) when no sample is shown."""
        if self._snap is None or self._x is None:
            return None, None
        if self._forward is None:
            s = self._snap
            self._forward = forward_pass(s.weights, s.biases, self._x, self._act, self._cost)
        return self._forward

    @property
    def _acts(self) -> list[np.ndarray] | None:
        """The activations of the sample shown ([a⁰ … aᴸ], not copied), or None."""
        return self._pass()[1]

    def _invalidate_keys(self) -> None:
        self._keys = None

    def _lit_layers(self) -> int:
        """Neuron layers 0 … n−1 are lit (show activations)."""
        L = len(self._snap.sizes) - 1 if self._snap else 0
        if self._overlay is not None and self._overlay.lit_layers is not None:
            return max(0, min(int(self._overlay.lit_layers), L + 1))
        return L + 1

    def _line_source(self, l: int) -> tuple[str, np.ndarray]:
        """What colours weight layer l's lines: ("stage", a stepper stage's values), ("gradient",
        ∂C/∂W — the lines show −∂C/∂W, the nudge) or ("weights", W), each shaped like W[l]."""
        W = self._snap.weights[l]
        ov = self._overlay
        if ov is not None and l in ov.line_values:
            v = np.asarray(ov.line_values[l], dtype=np.float64)
            if v.shape == W.shape:
                return "stage", v
        if self._line_mode == "gradient" and self._grad is not None and l < len(self._grad):
            g = self._grad[l]
            if g.shape == W.shape:
                return "gradient", g
        return "weights", W

    def _line_values(self, l: int) -> np.ndarray:
        """The signed values weight layer l's lines are coloured by (green +, red −)."""
        kind, v = self._line_source(l)
        return -v if kind == "gradient" else v

    def _lines_kind(self) -> str:
        """What the legend says the line colours mean: "stage", "gradient" or "weights"."""
        ov = self._overlay
        if ov is not None and ov.line_values:
            return "stage"
        return "gradient" if self._line_mode == "gradient" and self._grad is not None else "weights"

    def _faded_layers(self) -> list[bool]:
        """Per weight layer: drawn faded (a neuron is hovered, its target layer is not lit yet,
        or the stage dims the layers it is not about)."""
        ov, lit = self._overlay, self._lit_layers()
        hovering = self._hover is not None and self._hover[0] == "neuron"
        stage_layers = set(ov.line_values) if ov is not None else set()
        dim = ov is not None and ov.dim_others and bool(stage_layers)
        return [hovering or l + 1 >= lit or (dim and l not in stage_layers)
                for l in range(len(self._snap.sizes) - 1)]

    # -- geometry ------------------------------------------------------------------------------
    def _fonts(self, w: float, h: float) -> dict[str, QFont]:
        scale = min(w / 1280, h / 800)
        pt = max(11.0, 12.5 * scale) * self._theme.font_scale
        base = QFont(self.font())
        fonts = {}
        for name, factor, bold in (("text", 1.0, False), ("small", 0.9, False),
                                   ("label", 1.15, False), ("label_bold", 1.15, True),
                                   ("caption", 1.25, True), ("layer", 1.0, True)):
            f = QFont(base)
            f.setPointSizeF(max(11.0, pt * factor))
            f.setBold(bold)
            fonts[name] = f
        return fonts

    def _geometry(self, dpr: float | None = None) -> _Geometry | None:
        """Where everything sits, for `dpr` device pixels a pixel (by default the screen's;
        a paint into a larger image, as gui.export does for a 2× PNG, passes its own)."""
        if self._snap is None:
            return None
        w, h = self.width(), self.height()
        dpr = self.devicePixelRatioF() if dpr is None else dpr
        fonts = self._fonts(w, h)
        fm = QFontMetricsF(fonts["text"])
        lh = fm.height()
        caption_font, caption = self._caption_layout(fonts["caption"], w - 2 * lh)
        top = max(2.1 * lh, 0.6 * lh + len(caption) * QFontMetricsF(caption_font).height())
        key = (w, h, dpr, tuple(self._snap.sizes), self._input_style, self._theme.font_scale,
               self._class_names, self._snap.activation, self._snap.cost, top)
        if self._geom is not None and self._geom.key == key:
            return self._geom
        fl = QFontMetricsF(fonts["label_bold"])
        names = self._output_names()
        label_w = max((fl.horizontalAdvance(n) for n in names), default=0.0)
        # room for the longest value an output can show (relu's 1.6e+27 too): never cut off
        value_w = QFontMetricsF(fonts["small"]).horizontalAdvance(
            explain.widest_activation_text(self._act, self._cost.softmax_output))
        margins = (0.8 * lh, top, label_w + value_w + 1.6 * lh, 3.6 * lh)  # room for the caption
        layout = lay.compute_layout(self._snap.sizes, w, h, self._input_style, margins)
        sizes = self._snap.sizes
        offsets = layout.offsets
        scale = min(w / 1280, h / 800)
        thin = max(1, round(dpr))
        thick = max(2, round(1.8 * scale * dpr * self._theme.font_scale))
        thickness = np.empty(offsets[-1], dtype=np.intp)
        dense = np.empty(offsets[-1], dtype=bool)
        drawable = layout.drawable()
        for l in range(len(sizes) - 1):
            n = int(drawable[offsets[l]:offsets[l + 1]].sum())
            d = n > DENSE_LAYER
            thickness[offsets[l]:offsets[l + 1]] = thin if d else thick
            dense[offsets[l]:offsets[l + 1]] = d
        seg_dev = layout.flat_segments() * dpr
        pairs = lay.estimate_pixels(seg_dev, thickness)
        self._geom = _Geometry(key=key, layout=layout, dpr=dpr, fonts=fonts, line_h=lh,
                               margins=margins, thickness=thickness, pairs=pairs,
                               drawable=drawable, dense=dense)
        self._rendered_keys = None
        self._input_image = None
        self._invalidate_keys()
        return self._geom

    def _raster(self, g: _Geometry) -> lay.LineRaster | None:
        """The numpy line raster for this geometry: one kept from before, else built now unless
        a resize is in progress."""
        if self._raster_mode == "qt" or g.pairs > RASTER_PAIR_BUDGET:
            return None
        if g.raster is None:
            W, H = round(g.layout.width * g.dpr), round(g.layout.height * g.dpr)
            segments = g.layout.flat_segments() * g.dpr
            if "raster_key" not in g.extra:
                digest = hashlib.sha1(segments.tobytes() + g.thickness.tobytes()).digest()
                g.extra["raster_key"] = (W, H, digest)
            g.raster = _kept_raster(g.extra["raster_key"])
            if g.raster is None:
                if self._raster_mode == "auto" and self._settle.isActive():
                    return None
                g.raster = _keep_raster(g.extra["raster_key"],
                                        lay.LineRaster(segments, W, H, g.thickness))
            self._rendered_keys = None
        return g.raster

    @property
    def settling(self) -> bool:
        """True while a resize is settling (the lines are drawn by QPainter until it has):
        a film waits for it, so that every frame is drawn the same way."""
        return self._settle.isActive()

    def _on_resize_settled(self) -> None:
        self.update()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self._settle.start()
        super().resizeEvent(event)

    # -- line keys and colours -----------------------------------------------------------------
    def _top_k_for(self, g: _Geometry) -> int | None:
        """The user's top-k; else, for a network too big for the line raster (drawn with
        QPainter, one line at a time), its strongest lines only, about AUTO_THIN_LINES of them."""
        if self._top_k:
            return self._top_k
        if self._snap is None or g.pairs <= RASTER_PAIR_BUDGET:
            return None
        return lay.auto_top_k(self._snap.sizes, AUTO_THIN_LINES)

    def _line_keys(self, g: _Geometry) -> np.ndarray:
        """uint8 key per line (see `core.line_keys`): what to draw, in what colour, in what
        order; kept until the weights, the emphasis or the geometry change."""
        if self._keys is not None:
            return self._keys
        hover, ov = self._hover, self._overlay
        neurons = [hover[1:]] if hover and hover[0] == "neuron" else []
        if self._selected is not None:
            neurons.append(self._selected)
        if ov is not None and ov.focus is not None:
            neurons.append(ov.focus)
        self._keys = lk.line_keys(
            [self._line_values(l) for l in range(len(self._snap.sizes) - 1)],
            self._faded_layers(), neurons=neurons,
            line=hover[1:] if hover and hover[0] == "line" else None,
            drawn=g.drawable, top_k=self._top_k_for(g))
        return self._keys

    def _colors(self) -> np.ndarray:
        """(256, 3) uint8: the colour of every key in this theme, premixed with the background."""
        if self._line_rgb is None:
            t = self._theme
            self._line_rgb = lk.key_colors(rgb(t.background), rgb(t.positive), rgb(t.negative))
            self._color_lut = pack_rgb32(self._line_rgb)
        return self._line_rgb

    # -- painting ------------------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        try:
            g = self._geometry(p.paintEngine().paintDevice().devicePixelRatioF())
            if g is None:
                p.fillRect(self.rect(), QColor(self._theme.background))
                self._paint_empty(p)
                return
            self._paint_lines(p, g)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
            self._paint_input(p, g)
            self._paint_neurons(p, g)
            self._paint_output_labels(p, g)
            self._paint_captions(p, g)
            self._paint_overlay(p, g)
            if self._disagreement is not None:
                compare_overlay.paint(p, g.layout, self._disagreement, self._theme.accent,
                                      min(self.width() / 1280, self.height() / 800))
            self._paint_legend(p, g)
        finally:
            p.end()

    def _paint_empty(self, p: QPainter) -> None:
        p.setPen(QColor(self._theme.muted))
        p.setFont(self._fonts(self.width(), self.height())["label"])
        p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, _("no network yet"))

    def _paint_lines(self, p: QPainter, g: _Geometry) -> None:
        keys = self._line_keys(g)
        self._colors()
        raster = self._raster(g)
        if raster is not None:
            buf = g.extra.get("rgb")
            if buf is None or g.extra.get("rgb_theme") is not self._theme:
                buf = np.full((raster.height, raster.width), self._color_lut[0], dtype=np.uint32)
                g.extra["rgb"], g.extra["rgb_theme"] = buf, self._theme
                g.extra["qimage"] = QImage(buf.data, raster.width, raster.height, 4 * raster.width,
                                           QImage.Format.Format_RGB32)
                g.extra["qimage"].setDevicePixelRatio(g.dpr)
                self._rendered_keys = None
            if self._rendered_keys is not keys:
                raster.paint(keys, self._color_lut, buf)
                self._rendered_keys = keys
            p.drawImage(QPointF(0, 0), g.extra["qimage"])
            return
        # QPainter fallback: one drawLines per colour bucket, weak buckets first.
        p.fillRect(self.rect(), QColor(self._theme.background))
        if g.qlines is None:
            seg = g.layout.flat_segments()
            seg = np.where(np.isnan(seg), 0.0, seg)
            g.qlines = np.array([QLineF(*s) for s in seg.tolist()] + [None], dtype=object)[:-1]
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        widths = {True: 1.2, False: float(g.thickness[~g.dense].max()) / g.dpr if (~g.dense).any() else 2.0}
        colors = self._line_rgb
        for key, idx in lay.bucket_lines(keys):
            color = QColor(*(int(c) for c in colors[key]))
            for dense in (True, False):
                sel = idx[g.dense[idx] == dense]
                if sel.size:
                    pen = QPen(color, widths[dense])
                    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
                    p.setPen(pen)
                    p.drawLines(g.qlines[sel].tolist())

    def _brightness(self, l: int) -> np.ndarray | None:
        """Activations of layer l mapped to 0..1 (0 = off colour, 1 = on colour); None if unlit.
        Inputs (pixels) and softmax outputs (shares) are 0 … 1 already; the other layers ask the
        activation (`Activation.brightness`)."""
        acts = self._acts
        if acts is None or l >= self._lit_layers():
            return None
        if l == 0 or (l == len(acts) - 1 and self._cost.softmax_output):
            return np.clip(acts[l], 0, 1)
        return self._act.brightness(acts[l])

    def _paint_input(self, p: QPainter, g: _Geometry) -> None:
        layout, t = g.layout, self._theme
        if layout.image_rect is None:
            return
        x, y, block, _ = layout.image_rect
        if self._input_image is None:
            self._input_image = self._make_input_image(g)
        p.drawImage(QRectF(x, y, block, block), self._input_image)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(QColor(t.neuron_edge), 1.2))
        p.drawRect(QRectF(x - 0.5, y - 0.5, block + 1, block + 1))
        px = block / layout.image_side
        for hl in (self._selected, self._emphasised_neuron()):  # the clicked pixel, the hovered
            if hl is not None and hl[0] == 0:
                r, c = divmod(hl[1], layout.image_side)
                w = max(2.0, px / 4)
                for color, width in ((t.background, w + 2.5), (t.accent, w)):  # shows on ink too
                    p.setPen(QPen(QColor(color), width))
                    p.drawRect(QRectF(x + c * px, y + r * px, px, px))

    def _make_input_image(self, g: _Geometry) -> QImage:
        """The 28×28 input as crisp squares with thin gaps, at device resolution."""
        layout, t = g.layout, self._theme
        side = layout.image_side
        S = max(side, round(layout.image_rect[2] * g.dpr))
        ov = self._overlay
        nudge = ov.nudges.get(0) if ov is not None else None
        if nudge is not None and np.shape(nudge) == (side * side,):
            v = np.asarray(nudge, dtype=np.float64)
            m = float(np.abs(v).max()) or 1.0
            s = (v / m).reshape(side, side)
            cells = np.where((s >= 0)[..., None], mix_array(t.neuron_off, t.positive, np.abs(s)),
                             mix_array(t.neuron_off, t.negative, np.abs(s)))
        else:
            b = self._brightness(0)
            vals = np.zeros(side * side) if b is None else b
            cells = mix_array(t.neuron_off, t.neuron_on, vals.reshape(side, side))
        edges = np.round(np.arange(side + 1) * S / side).astype(np.intp)
        cell_of = np.searchsorted(edges, np.arange(S), side="right") - 1
        img = cells[cell_of[:, None], cell_of[None, :]]
        if S / side >= 6:
            gap = np.isin(np.arange(S), edges[1:] - 1)
            gap_rgb = mix_array(t.neuron_off, t.neuron_edge, 0.35 if t.is_dark else 0.25)
            img[gap, :] = gap_rgb
            img[:, gap] = gap_rgb
        argb = np.ascontiguousarray(pack_rgb32(img))
        return QImage(argb.data, S, S, 4 * S, QImage.Format.Format_RGB32).copy()

    def _emphasised_neuron(self) -> tuple[int, int] | None:
        if self._hover and self._hover[0] == "neuron":
            return self._hover[1], self._hover[2]
        return None

    def _paint_neurons(self, p: QPainter, g: _Geometry) -> None:
        layout, t = g.layout, self._theme
        L = len(layout.sizes) - 1
        scale = min(self.width() / 1280, self.height() / 800) * t.font_scale
        edge = QColor(t.neuron_edge)
        off, on = t.neuron_off, t.neuron_on
        for l in range(L + 1):
            if l == 0 and layout.image_rect is not None:
                continue
            c, r = layout.centers[l], layout.radius[l]
            b = self._brightness(l)
            pen = QPen(edge, max(0.8, min(1.6, r / 9)) * max(1.0, scale)) if r >= 3 else Qt.PenStyle.NoPen
            p.setPen(pen)
            idx = layout.shown_inputs if l == 0 else np.arange(len(c))
            fills = mix_array(off, on, np.zeros(len(c)) if b is None else b)[idx].tolist()
            for (cx, cy), fill in zip(c[idx].tolist(), fills):
                p.setBrush(QColor(*fill))
                p.drawEllipse(QPointF(cx, cy), r, r)
            if l == 0 and layout.ellipsis is not None:
                ex, ey = layout.ellipsis
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(QColor(t.muted))
                for dy in (-1, 0, 1):
                    p.drawEllipse(QPointF(ex, ey + dy * r * 0.9), r * 0.16 + 1, r * 0.16 + 1)
        # rings: winner, hover, focus
        p.setBrush(Qt.BrushStyle.NoBrush)
        win = self._winner()
        if win is not None:
            c, r = layout.centers[L][win], layout.radius[L]
            p.setPen(QPen(QColor(t.accent), max(2.5, 3.2 * scale)))
            p.drawEllipse(QPointF(*c), r + 3 * max(1.0, scale), r + 3 * max(1.0, scale))
        sel = self._selected
        if sel is not None and (sel[0] > 0 or layout.image_rect is None):
            c, r = layout.centers[sel[0]][sel[1]], layout.radius[sel[0]]
            if np.isfinite(c).all():  # the clicked neuron: a double ring that stays
                grow = 4 * max(1.0, scale)
                for pen_color, w in ((t.background, max(4.0, 5 * scale)),
                                     (t.foreground, max(2.0, 2.5 * scale))):
                    p.setPen(QPen(QColor(pen_color), w))
                    p.drawEllipse(QPointF(*c), r + grow, r + grow)
        hl = self._emphasised_neuron()
        if hl is not None and (hl[0] > 0 or layout.image_rect is None):
            c, r = layout.centers[hl[0]][hl[1]], layout.radius[hl[0]]
            if np.isfinite(c).all():
                p.setPen(QPen(QColor(t.foreground), max(1.5, 2 * scale)))
                p.drawEllipse(QPointF(*c), r + 2, r + 2)
        if self._hover and self._hover[0] == "line":
            l, j, k = self._hover[1:]
            for ll, jj in ((l, k), (l + 1, j)):
                if ll == 0 and layout.image_rect is not None:
                    continue
                c, r = layout.centers[ll][jj], layout.radius[ll]
                p.setPen(QPen(QColor(t.foreground), max(1.5, 2 * scale)))
                p.drawEllipse(QPointF(*c), r + 2, r + 2)
        ov = self._overlay
        if ov is not None and ov.focus is not None:
            fl, fj = ov.focus
            if 0 <= fl <= L and 0 <= fj < layout.sizes[fl]:
                c, r = layout.centers[fl][fj], layout.radius[fl]
                if np.isfinite(c).all():
                    if fl == 0 and layout.image_rect is not None:
                        r = max(r * 1.6, 5.0)
                    p.setPen(QPen(QColor(t.accent), max(3.0, 4 * scale)))
                    p.drawEllipse(QPointF(*c), r + 6 * max(1.0, scale), r + 6 * max(1.0, scale))

    def _winner(self) -> int | None:
        if self._acts is None or self._lit_layers() <= len(self._acts) - 1:
            return None
        return int(np.argmax(self._acts[-1]))

    def _output_names(self) -> list[str]:
        return explain.output_names(self._class_names, self._snap.sizes[-1] if self._snap else 0)

    def _paint_output_labels(self, p: QPainter, g: _Geometry) -> None:
        layout, t = g.layout, self._theme
        L = len(layout.sizes) - 1
        c, r = layout.centers[L], layout.radius[L]
        names = self._output_names()
        pitch = float(c[1, 1] - c[0, 1]) if len(c) > 1 else g.line_h * 2
        every = max(1, int(np.ceil(g.line_h * 0.95 / max(pitch, 1e-6))))
        win = self._winner()
        b = self._brightness(L)
        fm_small = QFontMetricsF(g.fonts["small"])
        for j in range(len(c)):
            if j % every and j != win:
                continue
            x = c[j, 0] + r + 0.45 * g.line_h
            y = c[j, 1]
            font = g.fonts["label_bold"] if j == win else g.fonts["label"]
            fm = QFontMetricsF(font)
            p.setFont(font)
            p.setPen(QColor(t.accent if j == win else t.foreground))
            base = y + (fm.ascent() - fm.descent()) / 2
            p.drawText(QPointF(x, base), names[j])
            if b is not None and self._acts is not None:
                p.setFont(g.fonts["small"])
                p.setPen(QColor(t.accent if j == win else t.muted))
                vx = x + fm.horizontalAdvance(names[j]) + 0.4 * fm_small.averageCharWidth()
                p.drawText(QPointF(vx, base), explain.activation_text(self._acts[L][j]))

    def _layer_caption(self, l: int, short: bool = False) -> str:
        """The caption under layer l's column (`explain.layer_caption`)."""
        sizes, g = self._snap.sizes, self._geom
        side = g.layout.image_side if g else 0
        shown = len(g.layout.shown_inputs) if g else sizes[0]
        return explain.layer_caption(l, sizes, side, shown, short)

    def _caption_rects(self, g: _Geometry) -> list[tuple[int, str, QRectF]]:
        """(layer, text, where it is drawn) for every layer's caption under its column: the full
        captions, or the short ones (numbers only) when the full ones would run into each other
        or the input's would run into the first hidden column."""
        layout = g.layout
        row = max(e[1] for e in layout.extents[1:]) + 0.35 * g.line_h
        fm = QFontMetricsF(g.fonts["layer"])
        gap = fm.averageCharWidth()
        for short in (False, True, "bare"):  # "bare": the input's size alone (a small picture)
            out = []
            for l, x in enumerate(layout.columns):
                text = (str(layout.sizes[0]) if short == "bare" and l == 0
                        else self._layer_caption(l, bool(short)))
                # the input's caption sits right under the picture; the others share one row
                y = layout.extents[0][1] + 0.35 * g.line_h if l == 0 else row
                w = fm.horizontalAdvance(text)
                left = max(2.0, min(x - w / 2, self.width() - w - 2))
                out.append((l, text, QRectF(left, y, w, fm.height())))
            rects = [r for _, _, r in out]
            clash = any(a.right() + gap > b.left() for a, b in zip(rects[1:], rects[2:]))
            if len(rects) > 1:
                clash = clash or rects[0].right() + gap > layout.columns[1] - layout.radius[1]
            if layout.image_rect is not None:  # the weight lines leave the picture's right edge
                ix, _, side, _ = layout.image_rect
                clash = clash or rects[0].right() > ix + side + gap
            if not clash:
                break
        return out

    def _paint_captions(self, p: QPainter, g: _Geometry) -> None:
        p.setFont(g.fonts["layer"])
        p.setPen(QColor(self._theme.muted))
        ascent = QFontMetricsF(g.fonts["layer"]).ascent()
        for _l, text, r in self._caption_rects(g):
            p.drawText(QPointF(r.left(), r.top() + ascent), text)

    def _paint_overlay(self, p: QPainter, g: _Geometry) -> None:
        ov, layout, t = self._overlay, g.layout, self._theme
        if ov is None:
            return
        L = len(layout.sizes) - 1
        scale = min(self.width() / 1280, self.height() / 800) * t.font_scale
        # nudges: arrows on the circles, up (green) for +, down (red) for −
        for l, v in ov.nudges.items():
            if not 0 <= l <= L or (l == 0 and layout.image_rect is not None):
                continue
            v = np.asarray(v, dtype=np.float64).ravel()
            if v.shape != (layout.sizes[l],):
                continue
            m = float(np.abs(v).max())
            if m <= 0 or not np.isfinite(m):
                continue
            c, r = layout.centers[l], layout.radius[l]
            pitch = float(c[1, 1] - c[0, 1]) if len(c) > 1 else 4 * r
            max_len = max(2.6 * r, 0.9 * pitch, 14.0)
            width = max(2.0, min(r / 3, 5.0) * max(1.0, scale))
            shortest = arrow_min_length(width)
            for j in range(len(v)):
                if not np.isfinite(c[j]).all() or v[j] == 0:
                    continue
                # in proportion to the nudge, but never so short that the head is lost (a dot)
                length = max(abs(v[j]) / m * max_len, shortest)
                dy = -np.sign(v[j]) * length  # up for +, down for −, centred on the circle
                self._arrow(p, c[j, 0], c[j, 1] - dy / 2, dy, width,
                            QColor(t.positive if v[j] > 0 else t.negative))
        # neuron_text beside neurons, on a small panel so that lines do not get in the way
        for text, box, font in self.neuron_text_boxes(g):
            p.setFont(font)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(t.panel))
            p.drawRoundedRect(box, 3, 3)
            p.setPen(QColor(t.foreground))
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        # the stage's caption at the top: whole words, on one line or two
        if ov.caption:
            font, lines = self.caption_lines(g)
            p.setFont(font)
            p.setPen(QColor(t.foreground))
            h = QFontMetricsF(font).height()
            for i, line in enumerate(lines):
                p.drawText(QRectF(0, 0.3 * g.line_h + i * h, self.width(), h),
                           Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, line)

    def neuron_text_boxes(self, g: _Geometry | None = None) -> list[tuple[str, QRectF, QFont]]:
        """The stage's notes beside neurons, where they go and in what type: right of the neuron,
        or left of it where the next column is too near (an output's always on the left), in
        type made smaller (to 70 % at most) where the gap between the columns is narrow, and
        above it where even that does not fit: a note does not cover a neuron of another layer."""
        g = g or self._geometry()
        ov = self._overlay
        if g is None or ov is None:
            return []
        layout, L, pad = g.layout, len(g.layout.sizes) - 1, 0.25 * g.line_h
        out = []
        for (l, j), text in ov.neuron_text.items():
            if not (0 <= l <= L and 0 <= j < layout.sizes[l]):
                continue
            cx, cy = layout.centers[l][j]
            if not (np.isfinite(cx) and np.isfinite(cy)):
                continue
            r = layout.radius[l]
            font = QFont(g.fonts["small"])
            for _ in range(5):  # 100 % … 70 %
                fm = QFontMetricsF(font)
                w, h = fm.horizontalAdvance(text) + 0.6 * fm.averageCharWidth(), fm.height()
                right = l < L and cx + r + pad + w <= layout.columns[l + 1] - layout.radius[l + 1]
                x = cx + r + pad if right or l == 0 else cx - r - pad - w
                left_edge = layout.columns[l - 1] + layout.radius[l - 1] if l > 0 else -1e9
                if right or l == 0 or x >= left_edge:
                    box = QRectF(x, cy - h / 2, w, h)
                    break
                font.setPointSizeF(font.pointSizeF() * 0.92)
            else:  # no room beside it even in small type: above the neuron, between its neighbours
                font = QFont(g.fonts["small"])
                fm = QFontMetricsF(font)
                w, h = fm.horizontalAdvance(text) + 0.6 * fm.averageCharWidth(), fm.height()
                box = QRectF(cx - w / 2, cy - r - 0.15 * h - h, w, h)
            out.append((text, box, font))
        return out

    def caption_lines(self, g: _Geometry | None = None) -> tuple[QFont, list[str]]:
        """The stage caption's font and lines (`_caption_layout`); the network's top margin
        leaves room for them."""
        g = g or self._geometry()
        if g is None:
            return QFont(), []
        return self._caption_layout(g.fonts["caption"], self.width() - 2 * g.line_h)

    def _caption_layout(self, base: QFont, room: float) -> tuple[QFont, list[str]]:
        """One line if the caption fits at down to 80 % of the caption type, else two lines (cut
        between words) at down to 70 %, else as many as it takes at 70 %. Never cut short."""
        caption = self._overlay.caption if self._overlay is not None else ""
        if not caption:
            return QFont(base), []
        fallback = None
        for max_lines, smallest in ((1, 0.8), (2, 0.7)):
            font = QFont(base)
            while font.pointSizeF() >= base.pointSizeF() * smallest - 1e-9:
                lines = _wrap(caption, QFontMetricsF(font), room)
                if len(lines) <= max_lines:
                    return font, lines
                fallback = (QFont(font), lines)
                font.setPointSizeF(font.pointSizeF() * 0.92)
        return fallback

    def _arrow(self, p: QPainter, x: float, y: float, dy: float, width: float, color: QColor) -> None:
        """A vertical arrow from (x, y) to (x, y + dy), outlined in the background colour; its
        head is at least ARROW_HEAD shaft widths long (as long as the arrow allows)."""
        head = min(abs(dy) * 0.6, max(abs(dy) * 0.45, ARROW_HEAD * width), 3.2 * width)
        tip = y + dy
        s = np.sign(dy)
        shaft_end = tip - s * head * 0.8
        poly = QPolygonF([QPointF(x, tip), QPointF(x - head * 0.7, tip - s * head),
                          QPointF(x + head * 0.7, tip - s * head)])
        outline = QColor(self._theme.background)
        for pen_color, extra in ((outline, 2.5), (color, 0.0)):
            pen = QPen(pen_color, width + extra)
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
            p.setPen(pen)
            p.drawLine(QPointF(x, y), QPointF(x, shaft_end))
            p.setBrush(pen_color)
            p.setPen(QPen(pen_color, 1.0 + extra))
            p.drawPolygon(poly)

    def _legend_items(self) -> list[tuple[str, str, str, str]]:
        """(swatch kind, text, shorter text, shortest text) for the legend row."""
        ov, g = self._overlay, self._geom
        k = self._top_k_for(g) if g is not None else None
        return explain.legend_items(self._lines_kind(), self._theme.brighter_is_more,
                                    nudges=ov is not None and bool(ov.nudges),
                                    thinned_to=k if k and not self._top_k else None,
                                    palette=self._theme.palette)

    def _paint_legend(self, p: QPainter, g: _Geometry) -> None:
        """One centred row at the bottom: what colours, faintness and brightness mean."""
        t = self._theme
        font = g.fonts["small"]
        fm = QFontMetricsF(font)
        items = self._legend_items()
        sw = 1.6 * fm.height()  # swatch width
        gap = 1.2 * fm.averageCharWidth()
        room = self.width() - g.line_h
        for pick in (1, 2, 3):
            texts = [item[pick] for item in items]
            widths = [sw + 0.5 * gap + fm.horizontalAdvance(text) for text in texts]
            total = sum(widths) + 2.5 * gap * (len(items) - 1)
            if total <= room:
                break
        while total > room and len(items) > 1:  # still too wide: drop items rather than clip one
            items, texts, widths = items[:-1], texts[:-1], widths[:-1]
            total = sum(widths) + 2.5 * gap * (len(items) - 1)
        y = self.height() - 0.45 * g.line_h - fm.height()
        x = max(0.5 * g.line_h, (self.width() - total) / 2)
        p.setFont(font)
        cy = y + fm.height() / 2
        for (kind, *_), text, w in zip(items, texts, widths):
            self._swatch(p, kind, x, cy, sw, fm.height())
            p.setPen(QColor(t.muted))
            p.drawText(QPointF(x + sw + 0.5 * gap, y + fm.ascent()), text)
            x += w + 2.5 * gap

    def _swatch(self, p: QPainter, kind: str, x: float, cy: float, w: float, h: float) -> None:
        t = self._theme
        if kind == "note":
            return
        if kind in ("pos", "neg", "faint"):
            if kind == "faint":
                colors = [mix(t.background, t.positive, 0.3), mix(t.background, t.negative, 0.3)]
            else:
                colors = [QColor(t.positive if kind == "pos" else t.negative)]
            for i, c in enumerate(colors):
                pen = QPen(c, max(2.5, h / 6))
                pen.setCapStyle(Qt.PenCapStyle.FlatCap)
                p.setPen(pen)
                dy = (i - (len(colors) - 1) / 2) * h / 3.5
                p.drawLine(QPointF(x, cy + dy), QPointF(x + w, cy + dy))
        elif kind == "circle":
            r = h * 0.24
            p.setPen(QPen(QColor(t.neuron_edge), 1.0))
            for i, a in enumerate((0.0, 0.5, 1.0)):
                p.setBrush(mix(t.neuron_off, t.neuron_on, a))
                p.drawEllipse(QPointF(x + r + i * (w - 2 * r) / 2, cy), r, r)
        elif kind == "arrow":
            self._arrow(p, x + w * 0.3, cy + h * 0.4, -h * 0.8, 2.5, QColor(t.positive))
            self._arrow(p, x + w * 0.7, cy - h * 0.4, h * 0.8, 2.5, QColor(t.negative))

    # -- hover, tooltips, clicks -----------------------------------------------------------------
    def _hit(self, pos: QPointF) -> tuple | None:
        g = self._geometry()
        if g is None:
            return None
        x, y = pos.x(), pos.y()
        for l, _text, r in self._caption_rects(g):
            if r.adjusted(-4, -3, 4, 3).contains(pos):
                return ("layer", l)
        n = lay.neuron_at(g.layout, x, y)
        if n is not None:
            return ("neuron", *n)
        keys = self._line_keys(g)
        line = lay.line_at(g.layout, x, y, tol=3.0, keys=keys)
        if line is not None:
            return ("line", *line)
        return None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        hit = self._hit(event.position())
        if hit != self._hover:
            self._hover = hit
            self._invalidate_keys()
            self._refresh_tooltip(event.globalPosition().toPoint())
            self.update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self._hover is not None:
            self._hover = None
            self._invalidate_keys()
            self.setToolTip("")
            self.update()
        super().leaveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if event.button() == Qt.MouseButton.LeftButton:
            hit = self._hit(event.position())
            if hit is not None and hit[0] == "neuron":
                self.set_selected(hit[1], hit[2])
                self.neuron_clicked.emit(hit[1], hit[2])
            elif hit is not None and hit[0] == "line":
                self.weight_clicked.emit(hit[1], hit[2], hit[3])
        super().mousePressEvent(event)

    def pin_choice_at(self, pos: QPointF) -> tuple[str, tuple] | None:
        """What the context menu offers to pin at `pos`: (menu text, (kind, layer, j, k)) for a
        neuron of layer ≥ 1 or a line, else None (the input pixels have nothing to follow)."""
        hit = self._hit(pos)
        if hit is not None and hit[0] == "neuron" and hit[1] >= 1:
            return (_("Pin neuron {j} of layer {l}: follow it over training").format(
                j=hit[2], l=hit[1]), ("neuron", hit[1], hit[2], -1))
        if hit is not None and hit[0] == "line":
            l, j, k = hit[1:]
            return (_("Pin the weight from neuron {k} of layer {l} to neuron {j} of layer "
                      "{next}: follow it over training").format(k=k, l=l, j=j, next=l + 1),
                    ("weight", l, j, k))
        return None

    def contextMenuEvent(self, event) -> None:  # noqa: N802 (Qt override)
        choice = self.pin_choice_at(QPointF(event.pos()))
        if choice is None:
            return
        menu = QMenu(self)
        menu.addAction(choice[0], lambda: self.pin_requested.emit(*choice[1]))
        menu.exec(event.globalPos())

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            hit = self._hit(QPointF(event.pos()))
            text = self._tooltip_text(hit)
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def _refresh_tooltip(self, global_pos=None) -> None:
        text = self._tooltip_text(self._hover)
        self.setToolTip(text)
        if global_pos is not None and QToolTip.isVisible():
            if text:
                QToolTip.showText(global_pos, text, self)
            else:
                QToolTip.hideText()

    def _tooltip_text(self, hit: tuple | None) -> str:
        """The tooltip for a layer caption, a neuron or a line (`core.explain`, plain text)."""
        if hit is None or self._snap is None:
            return ""
        snap, names = self._snap, self._output_names()
        sizes, L = snap.sizes, len(snap.sizes) - 1
        zs, acts = self._pass()
        if hit[0] == "layer":
            return explain.layer_tooltip(hit[1], sizes, self._act, self._cost, names,
                                         shades=self._theme.shades)
        if hit[0] == "neuron":
            l, j = hit[1], hit[2]
            if l == 0:
                a = None if acts is None else float(acts[0][j])
                return explain.neuron_tooltip(0, j, sizes, self._act, self._cost, names, a=a,
                                              shades=self._theme.shades)
            b = float(snap.biases[l - 1][j])
            if acts is None:
                return explain.neuron_tooltip(l, j, sizes, self._act, self._cost, names, b=b)
            return explain.neuron_tooltip(
                l, j, sizes, self._act, self._cost, names, b=b, z=float(zs[l][j]),
                a=float(acts[l][j]), answer=l == L and j == self._winner(),
                nudge=self._nudge(l, j), shades=self._theme.shades)
        l, j, k = hit[1], hit[2], hit[3]
        kind, values = self._line_source(l)
        return explain.line_tooltip(
            l, j, k, sizes, names, float(snap.weights[l][j, k]),
            a_k=None if acts is None else float(acts[l][k]),
            shown=float(values[j, k]) if kind == "stage" else None,
            grad=float(values[j, k]) if kind == "gradient" else None)

    def _nudge(self, l: int, j: int) -> float | None:
        """The stepper stage's wish for neuron j of layer l, if it has one."""
        ov = self._overlay
        if ov is None or l not in ov.nudges:
            return None
        v = np.asarray(ov.nudges[l]).ravel()
        return float(v[j]) if j < len(v) else None


# A line may break after any CJK character or full-width punctuation (Chinese has no spaces),
# never before the punctuation that closes a phrase.
_CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_TOKEN = re.compile(rf"\s+|[{_CJK}][，。：；！？、）」』]?|[^\s{_CJK}]+")


def _wrap(text: str, fm: QFontMetricsF, room: float) -> list[str]:
    """`text` in lines no wider than `room` (a word wider than that gets a line of its own),
    broken at spaces, and between Chinese characters."""
    lines: list[str] = []
    space = False
    for token in _TOKEN.findall(text):
        if token.isspace():
            space = bool(lines)
            continue
        joined = f"{lines[-1]}{' ' if space else ''}{token}" if lines else token
        if lines and fm.horizontalAdvance(joined) <= room:
            lines[-1] = joined
        else:
            lines.append(token)
        space = False
    return lines
