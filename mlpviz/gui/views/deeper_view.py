"""What deeper neurons look for: one input-space picture per neuron of a later layer, beside the
first layer's weight pictures (the Weights tab). Two kinds, and the caption says which is shown:
the weights composed through the layers before (`core.neuron_pictures.composed_weights`) and
the input that most excites the neuron (`maximising_inputs`). Recomputed from the snapshots at
most once a second (the ascent: every 5 s), only while on screen (the window hands it snapshots only then).
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from mlpviz.core.colormap import (
    DEFAULT_BACKGROUND, rgb_to_hex, sign_colors, signed_rgb_per_image, updated_colors,
)
from mlpviz.core.explain import neuron_name
from mlpviz.core.palette import LESSON
from mlpviz.core.notation import sup
from mlpviz.core.neuron_pictures import STEPS, composed_weights, maximising_inputs
from mlpviz.i18n import N_, _
from mlpviz.gui.qimage import color_hex, gray_to_qimage, rgb_to_qimage
from mlpviz.gui.labels import Labels
from mlpviz.gui.throttle import Throttle
from mlpviz.gui.views.weights_grid import SCALE_PERCENTILE, TileGrid

KINDS = ("composed", "maximising")
# seconds between recomputations while training: the ascent costs 60–400 ms (benchmarks/
# bench_mistakes.py), so at most every 5 s it stays under a tenth of a core
INTERVAL_S = {"composed": 1.0, "maximising": 5.0}
CAPTIONS = {
    "composed": N_(
        "<b>Layer {l}, composed weights</b> W{sl}·…·W⁽¹⁾: each neuron's weights multiplied "
        "through the layers before, laid out like the image — what it would look for <i>if "
        "every layer before were linear</i> (σ and the biases left out, so only a hint). "
        "<b><span style='color:{pos}'>{Pos_word}</span></b> &gt; 0, "
        "<b><span style='color:{neg}'>{neg_word}</span></b> &lt; 0, each picture on its own scale."),
    "maximising": N_(
        "<b>Layer {l}, the input that most excites each neuron</b>: gradient ascent on its "
        "activation a{sl}ⱼ from a grey image, {steps} steps (seeded), pixels kept in 0…1 — "
        "white: ink, black: none. What the network really reacts to, σ and biases included."),
}


class DeeperView(QWidget):
    """A layer (2 … L) and a kind of picture to choose; one picture per neuron of that layer.

    neuron_clicked(layer, j): a picture was clicked (or chosen with the keyboard)."""

    neuron_clicked = Signal(int, int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._colors = (DEFAULT_BACKGROUND, *sign_colors())
        self._words = LESSON.words  # the palette's names of the two colours, for the caption
        self._snap = None
        self.layer = QComboBox()
        self.layer.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.labels = labels = Labels()  # the fixed texts, in the current language
        labels.add(self.layer.setToolTip, N_("Which layer's neurons (layer 1's pictures are the "
                                             "Weights tab's)"))
        self.kind = QComboBox()
        self.kind.addItems(["", ""])
        labels.add(lambda text: self.kind.setItemText(0, text),
                   N_("composed weights W·…·W (linear)"))
        labels.add(lambda text: self.kind.setItemText(1, text), N_("input that excites it most"))
        labels.add(self.kind.setToolTip, N_("Which picture: the weights composed through the "
                                            "layers before, or the input found by gradient "
                                            "ascent on the neuron's activation"))
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        self.grid = TileGrid()
        self.grid.set_choosable(self._tip)
        self.grid.tile_clicked.connect(lambda j: self.neuron_clicked.emit(self.chosen()[0], j))
        self._throttle = Throttle(self._render, 1.0, self)
        row = QHBoxLayout()
        layer = QLabel()
        labels.add(layer.setText, N_("layer"))
        row.addWidget(layer)
        row.addWidget(self.layer)
        row.addWidget(self.kind, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addWidget(self.caption)
        lay.addWidget(self.grid, 1)
        self.layer.currentIndexChanged.connect(self._on_choice)
        self.kind.currentIndexChanged.connect(self._on_choice)
        self._captioned: int | None = None  # the layer the caption speaks of
        self._show_caption()

    # -- API ---------------------------------------------------------------------------------
    def set_snapshot(self, snap) -> None:
        """The newest parameters; pictures follow at most once a second."""
        if self._snap is None or tuple(snap.sizes) != tuple(self._snap.sizes):
            self._fill_layers(snap)
        self._snap = snap
        self._throttle.offer(snap)

    def set_theme(self, theme) -> None:
        """The composed pictures' colours (zero, positive, negative) from the theme, and its
        palette's words for them."""
        self._words = getattr(theme, "palette", LESSON).words
        self._colors = updated_colors(self._colors, *(color_hex(getattr(theme, k, None))
                                      for k in ("background", "positive", "negative")))
        self._on_choice()

    def retranslate(self) -> None:
        """Every text again in the current language (the pictures stay)."""
        self.labels.retranslate()
        if self._snap is not None:
            self._fill_layers(self._snap)
        self._show_caption()

    def _tip(self, j: int) -> str:
        """Picture j's tooltip: the neuron it stands for, as the network view names it."""
        if self._snap is None:
            return ""
        sizes = self._snap.sizes
        name = neuron_name(self.chosen()[0], j, sizes, [str(k) for k in range(sizes[-1])])
        return name[:1].upper() + name[1:]

    def chosen(self) -> tuple[int, str]:
        """(layer l, kind) on show."""
        return self.layer.currentData() or 0, KINDS[max(0, self.kind.currentIndex())]

    # -- work --------------------------------------------------------------------------------
    def _fill_layers(self, snap) -> None:
        L = len(snap.sizes) - 1
        chosen = self.layer.currentData()
        self.layer.blockSignals(True)
        self.layer.clear()
        for l in range(2, L + 1):
            text = _("{l} (output, {n})") if l == L else _("{l} (hidden, {n})")
            self.layer.addItem(text.format(l=l, n=snap.sizes[l]), l)
        if chosen is not None and self.layer.findData(chosen) >= 0:
            self.layer.setCurrentIndex(self.layer.findData(chosen))
        self.layer.blockSignals(False)

    def _on_choice(self) -> None:
        self._throttle.interval = INTERVAL_S[self.chosen()[1]]
        if self._snap is not None:
            self._throttle.reset()
            self._throttle.offer(self._snap)

    def _render(self, snap) -> None:
        l, kind = self.chosen()
        side = int(round(math.sqrt(snap.sizes[0])))
        if l < 2 or side * side != snap.sizes[0]:
            self.grid.set_images([])
            return
        bg, pos, neg = self._colors
        self._captioned = l
        self._show_caption()
        if kind == "composed":
            M = composed_weights(snap, l).reshape(-1, side, side)
            rgb = signed_rgb_per_image(M, SCALE_PERCENTILE, background=bg, positive=pos,
                                       negative=neg)
            self.grid.set_images([rgb_to_qimage(img) for img in rgb])
        else:
            X = maximising_inputs(snap, l).reshape(-1, side, side)
            self.grid.set_images([gray_to_qimage(img) for img in X])
        self.pictures = M if kind == "composed" else X

    def _show_caption(self) -> None:
        """What the pictures on show are (or that there are none yet), in the current language."""
        if self._captioned is None:
            self.caption.setText(_("Layers after the first appear once a network has two or "
                                   "more weight layers."))
            return
        l, kind = self._captioned, self.chosen()[1]
        _bg, pos, neg = self._colors
        self.caption.setText(_(CAPTIONS[kind]).format(
            l=l, sl=sup(l), steps=STEPS, pos=rgb_to_hex(pos), neg=rgb_to_hex(neg),
            Pos_word=_(self._words[0]).capitalize(), neg_word=_(self._words[1])))
