"""One neuron up close: its activation, pre-activation and bias, the formula with its numbers,
what its bias means (a threshold), and its incoming weights (a 28×28 picture for the first hidden
layer, bars for later layers).

Neurons and pixels are numbered from 0, as in the network view's tooltips, the stepper and the
outputs 0–9."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QFrame, QGridLayout, QHBoxLayout, QLabel, QScrollArea, QSizePolicy, QVBoxLayout, QWidget,
)

from mlpviz.core.activations import get_activation
from mlpviz.core.colormap import (
    DEFAULT_BACKGROUND, rgb_to_hex, robust_scale, sign_colors, signed_rgb, symmetric_scale,
    updated_colors,
)
from mlpviz.core.costs import get_cost
from mlpviz.core.explain import (
    WHITE_ON_BLACK, fixed, neuron_name, pixel_name, threshold_text,
)
from mlpviz.core.layout import image_side_of
from mlpviz.core.network import forward_pass
from mlpviz.core.palette import LESSON
from mlpviz.core.notation import sup
from mlpviz.i18n import N_, _, count
from mlpviz.gui.labels import Labels
from mlpviz.gui.qimage import ImageWidget, color_hex, rgb_to_qimage
from mlpviz.gui.theme import scaled_font
from mlpviz.gui.views.neuron_editor import NeuronEditor
from mlpviz.gui.views.weights_grid import SCALE_PERCENTILE

STROKE_HINT = N_("{Pos} pixels push this neuron on, {neg} ones push it off. A neuron meant to spot "
                 "a short stroke would have {pos} on the stroke and {neg} in a ring around it: lit "
                 "by the stroke only when there is nothing around it.")


class SignedBars(QWidget):
    """One vertical bar per value, up in the positive colour, down in the negative, from a zero
    line; numbered from 0 underneath when there is room."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._values = np.zeros(0)
        self._positive, self._negative = (QColor(rgb_to_hex(c)) for c in sign_colors())
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(150)

    def set_values(self, values: np.ndarray) -> None:
        self._values = np.asarray(values, dtype=np.float64).copy()
        self.update()

    def values(self) -> np.ndarray:
        return self._values.copy()

    def set_colors(self, positive: QColor, negative: QColor) -> None:
        self._positive, self._negative = QColor(positive), QColor(negative)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(320, 150)

    def paintEvent(self, event) -> None:
        n = len(self._values)
        if n == 0:
            return
        p = QPainter(self)
        fg = self.palette().color(QPalette.ColorRole.WindowText)
        fm = p.fontMetrics()
        label_h = fm.height() + 2
        slot = self.width() / n
        numbers = slot >= fm.horizontalAdvance(str(n)) + 3
        top, bottom = 4.0, self.height() - (label_h if numbers else 4.0)
        mid = (top + bottom) / 2
        half = (bottom - top) / 2
        scale = symmetric_scale(self._values)
        for k, v in enumerate(self._values):
            h = half * min(abs(v) / scale, 1.0)
            x = k * slot + slot * 0.15
            rect = QRectF(x, mid - h if v >= 0 else mid, slot * 0.7, h)
            p.fillRect(rect, self._positive if v >= 0 else self._negative)
            if numbers:
                p.setPen(fg)
                p.drawText(QRectF(k * slot, bottom, slot, label_h), Qt.AlignmentFlag.AlignCenter,
                           str(k))
        p.setPen(QPen(fg, 1))
        p.drawLine(0, int(mid), self.width(), int(mid))
        p.end()


class NeuronPanel(QWidget):
    """Everything about one neuron, for the sample on show. Call `show_neuron(...)`."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._background = DEFAULT_BACKGROUND
        self._positive, self._negative = sign_colors()
        self._words = LESSON.words  # the palette's names of the two colours, for the captions
        self._shades = WHITE_ON_BLACK  # how the theme draws activations, in words
        self._args: tuple | None = None

        def label(name: str, wrap: bool = True) -> QLabel:
            w = QLabel()
            w.setObjectName(name)
            w.setWordWrap(wrap)
            w.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            return w

        self.title = label("title")
        self.subtitle = label("subtitle")
        self.value_a = label("value_a", False)
        self.value_z = label("value_z", False)
        self.value_b = label("value_b", False)
        self.value_sum = label("value_sum", False)
        self.formula = label("formula")
        self.threshold = label("threshold")
        self.weights_hint = label("weights_hint")
        self.weight_range = label("weight_range")
        self.strongest_positive = label("strongest_positive")
        self.strongest_negative = label("strongest_negative")
        self.editor = NeuronEditor()  # proposes edited parameters: editor.parameters_proposed

        self._names: dict[str, QLabel] = {}
        self._rows: list[tuple[QLabel, QLabel]] = []
        values = QGridLayout()
        values.setHorizontalSpacing(14)
        self.labels = Labels()  # the fixed texts, in the current language
        rows = ((N_("activation  <b>{symbol}</b>"), "a", self.value_a),
                (N_("pre-activation  <b>{symbol}</b>"), "z", self.value_z),
                (N_("bias  <b>{symbol}</b>"), "b", self.value_b),
                (N_("weighted sum  <b>{symbol}</b>"), "Σ w·a", self.value_sum))
        for i, (words, symbol, w) in enumerate(rows):
            name = QLabel()
            self.labels.add(name.setText, words, symbol=symbol)
            self._names[symbol] = name
            self._rows.append((name, w))
            w.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            values.addWidget(name, i, 0)
            values.addWidget(w, i, 1)
        values.setColumnStretch(2, 1)

        self.weights_image = ImageWidget(hint=224, frame=QColor(128, 128, 128))
        self.weights_image.setMinimumSize(168, 168)
        self.terms_image = ImageWidget(hint=224, frame=QColor(128, 128, 128))
        self.terms_image.setMinimumSize(168, 168)
        self.weights_caption = label("weights_caption")
        self.terms_caption = label("terms_caption")
        pictures = QGridLayout()
        pictures.addWidget(self.weights_image, 0, 0)
        pictures.addWidget(self.terms_image, 0, 1)
        pictures.addWidget(self.weights_caption, 1, 0, Qt.AlignmentFlag.AlignTop)
        pictures.addWidget(self.terms_caption, 1, 1, Qt.AlignmentFlag.AlignTop)
        pictures.addWidget(self.weights_hint, 2, 0, 1, 2)
        self.pictures = QWidget()
        self.pictures.setLayout(pictures)

        self.weight_bars = SignedBars()
        self.weight_bars_caption = label("weight_bars_caption")
        self.term_bars = SignedBars()
        self.term_bars_caption = label("term_bars_caption")
        bars = QVBoxLayout()
        bars.setContentsMargins(0, 0, 0, 0)
        for w in (self.weight_bars_caption, self.weight_bars, self.term_bars_caption,
                  self.term_bars):
            bars.addWidget(w)
        self.bars = QWidget()
        self.bars.setLayout(bars)

        body = QWidget()
        col = QVBoxLayout(body)
        col.addWidget(self.title)
        col.addWidget(self.subtitle)
        col.addLayout(values)
        col.addWidget(self.formula)
        col.addWidget(self.threshold)
        col.addWidget(self.editor)
        col.addWidget(_rule())
        col.addWidget(self.weight_range)
        col.addWidget(self.strongest_positive)
        col.addWidget(self.strongest_negative)
        col.addWidget(self.pictures)
        col.addWidget(self.bars)
        col.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self._apply_fonts()
        self._show_nothing()

    # -- API ---------------------------------------------------------------------------------
    def show_neuron(self, snap, x: np.ndarray | None, layer: int, index: int, class_names) -> None:
        """Show neuron `index` (0-based) of neuron layer `layer` (0 input … L output) of the
        network in `snap`, for input `x` (sizes[0],) or None (no sample: weights only)."""
        sizes = tuple(snap.sizes)
        L = len(sizes) - 1
        if not 0 <= layer <= L or not 0 <= index < sizes[layer]:
            raise IndexError(f"no neuron {index} in layer {layer} of a {list(sizes)} network")
        self._args = (snap, x, layer, index, tuple(class_names))
        self._show_rows(len(self._rows))
        act, cost = get_activation(snap.activation), get_cost(snap.cost)
        zs, acts = (None, None) if x is None else forward_pass(
            snap.weights, snap.biases, np.asarray(x, dtype=np.float64), act, cost)
        names = list(class_names)
        self.title.setText(self._title(layer, index, sizes, names))
        self.editor.setVisible(layer > 0)
        if layer == 0:
            self._show_input(acts, index)
            return
        self.editor.show_neuron(snap, layer, index)

        w = snap.weights[layer - 1][index]
        b = float(snap.biases[layer - 1][index])
        prev = layer - 1
        softmax = layer == L and cost.softmax_output
        f = act.symbol

        where = _("for the sample on show") if x is not None else _("no sample on show: weights "
                                                                    "only")
        self.subtitle.setText(_("Neuron {j} of {n} (numbered 0–{last}) in layer {l} · {where}")
                              .format(j=index, n=sizes[layer], last=sizes[layer] - 1, l=layer,
                                      where=where))
        self.value_b.setText(fixed(b, signed=True))
        aprev = f"a{sup(prev)}"
        self._names["Σ w·a"].setText(_("weighted sum  <b>{symbol}</b>").format(
            symbol=f"Σ w·{aprev}"))
        if acts is not None:
            z = float(zs[layer][index])
            a = float(acts[layer][index])
            weighted = z - b
            self.value_a.setText(fixed(a))
            self.value_z.setText(fixed(z, signed=True))
            self.value_sum.setText(fixed(weighted, signed=True))
            if softmax:
                self.formula.setText(
                    f"z = Σ w·{aprev} + b = {fixed(weighted)} + ({fixed(b)}) = "
                    f"{fixed(z)}<br>a = softmax(z)<sub>{index}</sub> = "
                    f"e<sup>z</sup> / Σ<sub>k</sub> e<sup>z<sub>k</sub></sup> = {fixed(a)}")
            else:
                self.formula.setText(
                    f"a = {f}(Σ w·{aprev} + b)<br>"
                    f"&nbsp;&nbsp;= {f}({fixed(weighted)} + ({fixed(b)}))<br>"
                    f"&nbsp;&nbsp;= {f}({fixed(z)}) = <b>{fixed(a)}</b>")
            self.threshold.setText(threshold_text(b, act, softmax, weighted, a))
            a_prev = acts[prev]
        else:
            for v in (self.value_a, self.value_z, self.value_sum):
                v.setText("—")
            out = "softmax(z)" if softmax else f"{f}(z)"
            self.formula.setText(f"a = {out}, z = Σ w·{aprev} + b<br>" +
                                 _("(show a sample to see the numbers)"))
            self.threshold.setText(threshold_text(b, act, softmax))
            a_prev = None

        self._show_weights(w, a_prev, prev, image_side_of(sizes[0]))

    def retranslate(self) -> None:
        """Every text again in the current language (the same neuron, the same numbers)."""
        self.labels.retranslate()
        self.editor.retranslate()
        if self._args is not None:
            self.show_neuron(*self._args)
        else:
            self._show_nothing()

    def set_snapshot(self, snap) -> None:
        """New parameters (training goes on): show the same neuron with them (nothing to do for
        the snapshot already shown)."""
        if self._args is not None and snap is not self._args[0]:
            _old, x, layer, index, names = self._args
            self.show_neuron(snap, x, layer, index, names)

    def set_input(self, x: np.ndarray | None) -> None:
        """A new sample on show (sizes[0],) or None: show the same neuron for it (nothing to do
        for the sample already shown)."""
        if self._args is not None and not _same_input(x, self._args[1]):
            snap, _old, layer, index, names = self._args
            self.show_neuron(snap, x, layer, index, names)

    def set_colors(self, background: str | None = None, foreground: str | None = None,
                   positive: str | None = None, negative: str | None = None) -> None:
        """Colours as "#rrggbb" for the weight pictures and bars (foreground is unused: text
        follows the palette)."""
        self._background, self._positive, self._negative = updated_colors(
            (self._background, self._positive, self._negative), background, positive, negative)
        for bars in (self.weight_bars, self.term_bars):
            bars.set_colors(QColor(rgb_to_hex(self._positive)), QColor(rgb_to_hex(self._negative)))
        if self._args is not None:
            self.show_neuron(*self._args)

    def set_theme(self, theme) -> None:
        """Take background/positive/negative from a theme object (any it has), and its words
        for how activations look and its palette's for the two colours."""
        self._shades = getattr(theme, "shades", WHITE_ON_BLACK)
        self._words = getattr(theme, "palette", LESSON).words
        self.set_colors(**{k: color_hex(getattr(theme, k, None))
                           for k in ("background", "foreground", "positive", "negative")})

    def clear(self) -> None:
        self._args = None
        self._show_nothing()

    # -- internals ---------------------------------------------------------------------------
    @staticmethod
    def _title(layer: int, index: int, sizes: tuple[int, ...], names: list[str]) -> str:
        if layer == len(sizes) - 1:
            name = names[index] if index < len(names) else str(index)
            return _("Output ‘{name}’").format(name=name)
        name = neuron_name(layer, index, sizes, names)  # "input pixel 406 (…)", "hidden layer 1, …"
        return name[:1].upper() + name[1:]

    def _show_input(self, acts: list[np.ndarray] | None, index: int) -> None:
        self.subtitle.setText(_("The input layer has no weights or bias: each neuron holds "
                                "{value}, its activation.").format(
                                    value=self._shades.pixel_value()))
        self.value_a.setText(fixed(acts[0][index]) if acts else "—")
        self._show_rows(1)
        for w in (self.formula, self.threshold, self.weight_range, self.strongest_positive,
                  self.strongest_negative):
            w.setText("")
        self.pictures.hide()
        self.bars.hide()

    def _show_weights(self, w: np.ndarray, a_prev: np.ndarray | None, prev: int,
                      side: int) -> None:
        """Neuron's incoming weights w (from layer `prev`; inputs from a side × side picture)
        and, with a sample, the terms w · a_prev."""
        n = len(w)
        self.weight_range.setText(_("{n} incoming weights, from {lo} to {hi}").format(
            n=count(n), lo=fixed(w.min(), signed=True), hi=fixed(w.max(), signed=True)))
        k_pos, k_neg = int(np.argmax(w)), int(np.argmin(w))
        self.strongest_positive.setText(self._strongest(_("Strongest positive"), w, k_pos, a_prev,
                                                        prev, side))
        self.strongest_negative.setText(self._strongest(_("Strongest negative"), w, k_neg, a_prev,
                                                        prev, side))
        colors = dict(background=self._background, positive=self._positive,
                      negative=self._negative)
        if prev == 0 and side:
            scale = robust_scale(w, SCALE_PERCENTILE)  # as in the weights grid
            self.weights_image.set_image(rgb_to_qimage(signed_rgb(w.reshape(side, side), scale,
                                                                  **colors)))
            self.weights_image.setToolTip(_("This neuron's {n} incoming weights, one per pixel")
                                          .format(n=count(n)))
            self.terms_image.setToolTip(_("Weight × pixel: the {n} terms that add up to Σ w·a")
                                        .format(n=count(n)))
            pos, neg = (_(word) for word in self._words)
            self.weights_caption.setText(_("Weights w: {pos} +, {neg} −, full colour from "
                                           "±{scale}").format(pos=pos, neg=neg,
                                                              scale=fixed(scale)))
            if a_prev is not None:
                terms = w * a_prev
                tscale = robust_scale(terms, SCALE_PERCENTILE)
                self.terms_image.set_image(rgb_to_qimage(signed_rgb(terms.reshape(side, side),
                                                                    tscale, **colors)))
                self.terms_caption.setText(_("w × pixel: the {n} terms of Σ w·a, full colour "
                                             "from ±{scale}").format(n=n, scale=fixed(tscale)))
                self.terms_image.show()
            else:
                self.terms_image.hide()
                self.terms_caption.setText("")
            self.weights_hint.setText(_(STROKE_HINT).format(Pos=pos.capitalize(), pos=pos,
                                                            neg=neg))
            self.pictures.show()
            self.bars.hide()
        else:
            src = _("inputs") if prev == 0 else _("layer {l}'s neurons").format(l=prev)
            self.weight_bars.set_values(w)
            self.weight_bars_caption.setText(_("Incoming weights w from {src} 0–{last}").format(
                src=src, last=n - 1))
            if a_prev is not None:
                self.term_bars.set_values(w * a_prev)
                self.term_bars_caption.setText(_("{product}: the terms of Σ w·a").format(
                    product=f"w × a{sup(prev)}"))
                self.term_bars.show()
            else:
                self.term_bars.hide()
                self.term_bars_caption.setText("")
            self.pictures.hide()
            self.bars.show()

    def _strongest(self, what: str, w: np.ndarray, k: int, a_prev: np.ndarray | None, prev: int,
                   side: int) -> str:
        src = pixel_name(k, side) if prev == 0 else _("layer {l} neuron {k}").format(l=prev, k=k)
        text = _("{what}: w = {w} from {src}").format(what=what, w=fixed(w[k], signed=True),
                                                      src=src)
        if a_prev is not None:
            what_a = _(self._shades.quality) if prev == 0 else "a"
            text += f" ({what_a} {fixed(a_prev[k])})"
        return text

    def _show_rows(self, n: int) -> None:
        """Show the first n rows of the values table (the input layer has only a)."""
        for i, pair in enumerate(self._rows):
            for w in pair:
                w.setVisible(i < n)

    def _show_nothing(self) -> None:
        self._show_rows(len(self._rows))
        self.editor.hide()
        self.title.setText(_("No neuron chosen"))
        self.subtitle.setText(_("Click a neuron in the network, or a picture under Weights, to "
                                "see its numbers here."))
        for v in (self.value_a, self.value_z, self.value_b, self.value_sum):
            v.setText("—")
        for w in (self.formula, self.threshold, self.weight_range, self.strongest_positive,
                  self.strongest_negative):
            w.setText("")
        self.pictures.hide()
        self.bars.hide()

    def _apply_fonts(self) -> None:
        self.title.setFont(scaled_font(self.font(), 1.8, bold=True))
        mid = scaled_font(self.font(), 1.35)
        for w in (self.value_a, self.value_z, self.value_b, self.value_sum, self.formula,
                  *self._names.values()):
            w.setFont(mid)

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._apply_fonts()
        super().changeEvent(event)


def _same_input(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    """True when a and b are the same sample (or both None)."""
    if a is None or b is None:
        return a is b
    return a is b or np.array_equal(a, b)


def _rule() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line
