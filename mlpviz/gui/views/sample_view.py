"""The sample on show: its 28×28 image, its label, and the network's ten outputs for it."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from mlpviz.core.explain import activation_text
from mlpviz.core.sample import SPLITS, SampleChoice, typical_index
from mlpviz.i18n import N_, _, count
from mlpviz.gui.labels import Labels
from mlpviz.gui.qimage import ImageWidget, color_hex, rgb_to_qimage
from mlpviz.gui.theme import DARK, activation_rgb, scaled_font

DEFAULT_LABEL = 2  # the lesson's example: the held-out "2" most like the average "2"
_CHUNK = 5_000  # samples per forward pass when looking for mistakes (bounded memory)


class OutputBars(QWidget):
    """The output layer as one horizontal bar per class: name, bar, value.

    The network's answer (the largest output) is filled with the highlight colour, the others in
    grey; the right answer's row is framed and its name marked with ▶.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._values: np.ndarray | None = None
        self._names: list[str] = [str(i) for i in range(10)]
        self._label: int | None = None
        self._accent: QColor | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(160)

    def set_class_names(self, names) -> None:
        self._names = [str(n) for n in names]
        self.update()

    def set_outputs(self, values: np.ndarray | None, label: int | None) -> None:
        """The outputs a^L (n_classes,) to draw (None: no network), and the right answer."""
        self._values = None if values is None else np.array(values, dtype=np.float64)
        self._label = label
        self.update()

    def set_accent(self, color: QColor | None) -> None:
        """The winner's bar colour (None: the palette's highlight)."""
        self._accent = None if color is None else QColor(color)
        self.update()

    def values(self) -> np.ndarray | None:
        """The outputs drawn now."""
        return None if self._values is None else self._values.copy()

    def winner(self) -> int | None:
        return None if self._values is None else int(np.argmax(self._values))

    def sizeHint(self) -> QSize:
        return QSize(360, 300)

    def value_room(self, fm: QFontMetricsF) -> float:
        """The width kept right of the bars for the values: the longest value's text (relu's
        1.6e+27 too, never cut off), at least that of "−0.00"."""
        texts = ["−0.00"] + ([] if self._values is None else
                             [activation_text(v) for v in self._values])
        return max(fm.horizontalAdvance(t) for t in texts) + 8

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pal = self.palette()
        fg = pal.color(QPalette.ColorRole.WindowText)
        hi = self._accent or pal.color(QPalette.ColorRole.Highlight)
        grey = QColor(fg)
        grey.setAlphaF(0.45)
        track = QColor(fg)
        track.setAlphaF(0.07)
        n = len(self._names) if self._values is None else len(self._values)
        if n == 0:
            return
        row_h = self.height() / n
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, min(self.font().pointSizeF() * 1.25, row_h * 0.45)))
        bold = QFont(font)
        bold.setBold(True)
        fm = QFontMetricsF(bold)
        names = [self._names[j] if j < len(self._names) else str(j) for j in range(n)]
        name_w = max(fm.horizontalAdvance("▶ " + s) for s in names) + 8
        value_w = self.value_room(fm)
        bar_x0 = name_w
        bar_w = max(10.0, self.width() - name_w - value_w - 4)
        v = self._values
        if v is not None:
            lo = min(0.0, float(np.nanmin(v)))
            hi_v = max(1.0, float(np.nanmax(v)))
        else:
            lo, hi_v = 0.0, 1.0
        zero_x = bar_x0 + bar_w * (0 - lo) / (hi_v - lo)
        win = self.winner()
        for j in range(n):
            top = j * row_h
            row = QRectF(0, top, self.width(), row_h)
            if j == self._label:
                p.setPen(QPen(fg, 1.5))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRoundedRect(row.adjusted(1, 1, -1, -1), 4, 4)
            p.setFont(bold if j in (self._label, win) else font)
            p.setPen(fg)
            text = ("▶ " if j == self._label else "") + names[j]
            p.drawText(QRectF(0, top, name_w - 6, row_h),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)
            if v is None:
                continue
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(track)
            p.drawRect(QRectF(bar_x0, top + row_h * 0.18, bar_w, row_h * 0.64))
            x1 = bar_x0 + bar_w * (float(v[j]) - lo) / (hi_v - lo)
            bar = QRectF(min(zero_x, x1), top + row_h * 0.18, abs(x1 - zero_x), row_h * 0.64)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(hi if j == win else grey)
            p.drawRect(bar)
            p.setPen(fg)
            p.drawText(QRectF(max(zero_x, x1) + 6, top, value_w, row_h),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, activation_text(v[j]))
        p.end()


class SampleView(QWidget):
    """Browse the samples of a dataset and see what the network makes of each.

    sample_changed(SampleChoice): a different sample is on show.
    """

    sample_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None, seed: int | None = None):
        super().__init__(parent)
        self._dataset = None
        self._snapshot = None
        self._split = "test"
        self._label_filter: int | None = None
        self._choice: SampleChoice | None = None
        self._predictions: dict[str, np.ndarray] = {}  # split → argmax per sample, this snapshot
        self._rng = np.random.default_rng(seed)
        self._theme = DARK  # the sample is drawn as the network view draws its input

        self.labels = labels = Labels()  # the fixed texts, in the current language
        self.split_combo = QComboBox()
        labels.add(self.split_combo.setToolTip, N_("Held-out samples were never used for training"))
        self.split_combo.currentIndexChanged.connect(self._on_split_chosen)
        self.filter_combo = QComboBox()
        labels.add(self.filter_combo.setToolTip, N_("Show only samples with this label"))
        self.filter_combo.currentIndexChanged.connect(self._on_filter_chosen)
        self.image = ImageWidget(self._picture(np.zeros((28, 28))), hint=168,
                                 frame=QColor(128, 128, 128))
        self._say_shades()
        self.label_text = QLabel()
        self.label_text.setObjectName("label")
        self.where_text = QLabel()
        self.where_text.setObjectName("where")
        self.answer_text = QLabel()
        self.answer_text.setObjectName("answer")
        self.answer_text.setWordWrap(True)
        self.bars_caption = QLabel()
        labels.add(self.bars_caption.setText, N_("Output layer: ▶ marks the right answer, the "
                                                 "coloured bar is the network's answer (its "
                                                 "largest output)"))
        self.bars_caption.setWordWrap(True)
        self.bars = OutputBars()
        labels.add(self.bars.setToolTip, N_("The output layer: one neuron per class. The "
                                            "brightest (largest) is the network's answer; ▶ "
                                            "marks the right one"))
        self.prev_button = QPushButton()
        labels.add(self.prev_button.setText, N_("◀ Previous"))
        self.next_button = QPushButton()
        labels.add(self.next_button.setText, N_("Next ▶"))
        self.random_button = QPushButton()
        labels.add(self.random_button.setText, N_("Random"))
        self.mistake_button = QPushButton()
        labels.add(self.mistake_button.setText, N_("Show me a mistake"))
        labels.add(self.mistake_button.setToolTip, N_("The next sample (with this label, in this "
                                                      "split) that the network gets wrong"))
        self.status_text = QLabel()
        self.status_text.setObjectName("status")
        self.status_text.setWordWrap(True)
        self.prev_button.clicked.connect(self.show_previous)
        self.next_button.clicked.connect(self.show_next)
        self.random_button.clicked.connect(self.show_random)
        self.mistake_button.clicked.connect(self.show_mistake)

        choose = QHBoxLayout()
        choose.addWidget(self.split_combo, 1)
        choose.addWidget(self.filter_combo, 1)
        info = QVBoxLayout()
        info.addWidget(self.label_text)
        info.addWidget(self.where_text)
        info.addStretch(1)
        info.addWidget(self.answer_text)
        head = QHBoxLayout()
        head.addWidget(self.image, 0)
        head.addLayout(info, 1)
        buttons = QGridLayout()
        buttons.addWidget(self.prev_button, 0, 0)
        buttons.addWidget(self.next_button, 0, 1)
        buttons.addWidget(self.random_button, 1, 0)
        buttons.addWidget(self.mistake_button, 1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(choose)
        layout.addLayout(head)
        layout.addWidget(self.bars_caption)
        layout.addWidget(self.bars, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status_text)
        self._apply_fonts()
        self._set_enabled(False)
        self._refresh()

    # -- API ---------------------------------------------------------------------------------
    def set_dataset(self, dataset) -> None:
        """Show `dataset` (a core Dataset): held-out split, all labels, and a clear, typical
        sample of class 2 (`core.sample.typical_index`; the first sample if there is no 2)."""
        self._dataset = dataset
        self._predictions.clear()
        self._split = "test"
        self._label_filter = None
        names = list(dataset.class_names)
        self.bars.set_class_names(names)
        self._fill_combos()
        self._set_enabled(True)
        typical = typical_index(dataset, DEFAULT_LABEL)
        self._choice = None
        self.select(0 if typical is None else typical)

    def set_snapshot(self, snap) -> None:
        """Use these parameters (a core Snapshot) for the outputs and for finding mistakes."""
        self._snapshot = snap
        self._predictions.clear()
        self._refresh_answer()  # the sample is the same: only the outputs change

    def select(self, index: int, split: str | None = None) -> None:
        """Show sample `index` of `split` ("test" or "train"; None: the split on show)."""
        if self._dataset is None:
            return
        if split is not None and split != self._split:
            if split not in SPLITS:
                raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
            self._split = split
            self._sync_combos()
        n = len(self._labels())
        if not 0 <= index < n:
            raise IndexError(f"sample {index} is outside 0..{n - 1}")
        self.status_text.clear()
        self._choice = SampleChoice.of(self._dataset, self._split, int(index))
        self._refresh()
        self.sample_changed.emit(self._choice)

    def set_colors(self, accent: str | None = None, **_unused) -> None:
        """The network's answer's bar in `accent` ("#rrggbb"; None: the palette's highlight)."""
        self.bars.set_accent(QColor(accent) if accent else None)

    def set_theme(self, theme) -> None:
        """Take the accent colour and the shades of activation 0 and 1 from a theme (text and
        the rest follow the palette): the sample looks as the network view's input does."""
        self._theme = theme
        self.set_colors(accent=color_hex(getattr(theme, "accent", None)))
        self._say_shades()
        self._refresh()

    def _say_shades(self) -> None:
        shades = self._theme.shades
        self.image.setToolTip(_("The sample's 28×28 pixels: the 784 input activations, 0 "
                                "({zero}) to 1 ({one})").format(zero=_(shades.zero),
                                                                one=_(shades.one)))

    def retranslate(self) -> None:
        """Every text again in the current language (the sample and the network stay)."""
        self.labels.retranslate()
        self._say_shades()
        if self._dataset is not None:
            self._fill_combos()
        self._refresh()
        self.status_text.clear()  # a sentence about the last search, not about the sample

    def current(self) -> SampleChoice | None:
        return self._choice

    def outputs(self) -> np.ndarray | None:
        """The output activations shown for the current sample (None without a network)."""
        return self.bars.values()

    def set_split(self, split: str) -> None:
        """"test" (held-out) or "train"; shows the first sample that passes the label filter."""
        if split not in SPLITS:
            raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
        if self._dataset is None or split == self._split:
            return
        self._split = split
        self._sync_combos()
        allowed = self._allowed()
        if allowed.size:
            self.select(int(allowed[0]))
        else:
            self.select(0)

    def set_label_filter(self, label: int | None) -> None:
        """Browse only samples with this label (None: all). Jumps to the next one that has it."""
        self._label_filter = None if label is None else int(label)
        self._sync_combos()
        if self._dataset is None or self._choice is None:
            return
        if self._label_filter is not None and self._choice.label != self._label_filter:
            self._step(+1)

    def show_next(self) -> None:
        self._step(+1)

    def show_previous(self) -> None:
        self._step(-1)

    def show_random(self) -> None:
        allowed = self._allowed()
        if self._choice is not None and allowed.size > 1:
            allowed = allowed[allowed != self._choice.index]
        if allowed.size:
            self.select(int(self._rng.choice(allowed)))
        else:
            self._say_none()

    def show_mistake(self) -> None:
        """Show the next sample (after the current, wrapping; label filter applied) whose
        prediction differs from its label."""
        if self._dataset is None:
            return
        if self._snapshot is None:
            self.status_text.setText(_("There is no network yet to make mistakes."))
            return
        pred = self._split_predictions()
        allowed = self._allowed()
        wrong = allowed[pred[allowed] != self._labels()[allowed]]
        if wrong.size == 0:
            self.status_text.setText(_("No mistakes: the network gets every {what} right.")
                                     .format(what=self._filter_words()))
            return
        current = self._choice.index if self._choice is not None else -1
        after = wrong[wrong > current]
        self.select(int(after[0] if after.size else wrong[0]))
        self.status_text.setText(_("{wrong} of the {all} {what} are wrong ({share}).").format(
            wrong=count(wrong.size), all=count(allowed.size),
            what=self._filter_words(plural=True), share=f"{wrong.size / allowed.size:.1%}"))

    # -- internals ---------------------------------------------------------------------------
    def _labels(self) -> np.ndarray:
        return getattr(self._dataset, f"{self._split}_labels")

    def _images(self) -> np.ndarray:
        return getattr(self._dataset, f"{self._split}_images")

    def _allowed(self) -> np.ndarray:
        """Indices of the split that pass the label filter, ascending."""
        labels = self._labels()
        if self._label_filter is None:
            return np.arange(len(labels))
        return np.flatnonzero(labels == self._label_filter)

    def _step(self, direction: int) -> None:
        allowed = self._allowed()
        if allowed.size == 0:
            self._say_none()
            return
        current = self._choice.index if self._choice is not None else -1
        if direction > 0:
            pos = np.searchsorted(allowed, current, side="right")
            target = allowed[pos] if pos < allowed.size else allowed[0]
        else:
            pos = np.searchsorted(allowed, current, side="left") - 1
            target = allowed[pos] if pos >= 0 else allowed[-1]
        self.select(int(target))

    def _split_predictions(self) -> np.ndarray:
        """argmax of the outputs for every sample of the split (cached for this snapshot)."""
        if self._split not in self._predictions:
            net = self._snapshot.network()
            images = self._images()
            pred = np.empty(len(images), dtype=np.intp)
            for s in range(0, len(images), _CHUNK):
                pred[s:s + _CHUNK] = net.predict(images[s:s + _CHUNK].astype(np.float64) / 255.0)
            self._predictions[self._split] = pred
        return self._predictions[self._split]

    def _filter_words(self, plural: bool = False) -> str:
        split = _(SPLITS[self._split])
        if self._label_filter is None:
            return (_("{split} samples") if plural else _("{split} sample")).format(split=split)
        name = self._dataset.class_names[self._label_filter]
        return (_("{split} “{name}”s") if plural else _("{split} “{name}”")).format(
            split=split, name=name)

    def _say_none(self) -> None:
        self.status_text.setText(_("There are no {what}.").format(
            what=self._filter_words(plural=True)))

    def _fill_combos(self) -> None:
        ds = self._dataset
        for combo in (self.split_combo, self.filter_combo):
            combo.blockSignals(True)
            combo.clear()
        self.split_combo.addItem(_("Held-out samples ({n})").format(n=count(len(ds.test_labels))),
                                 "test")
        self.split_combo.addItem(_("Training samples ({n})").format(n=count(len(ds.train_labels))),
                                 "train")
        self.filter_combo.addItem(_("All labels"), None)
        for k, name in enumerate(ds.class_names):
            self.filter_combo.addItem(_("Only {name}").format(name=name), k)
        for combo in (self.split_combo, self.filter_combo):
            combo.blockSignals(False)
        self._sync_combos()

    def _sync_combos(self) -> None:
        for combo, value in ((self.split_combo, self._split),
                             (self.filter_combo, self._label_filter)):
            i = combo.findData(value)
            if i >= 0 and combo.currentIndex() != i:
                combo.blockSignals(True)
                combo.setCurrentIndex(i)
                combo.blockSignals(False)

    def _on_split_chosen(self, i: int) -> None:
        split = self.split_combo.itemData(i)
        if split:
            self.set_split(split)

    def _on_filter_chosen(self, i: int) -> None:
        if i >= 0:
            self.set_label_filter(self.filter_combo.itemData(i))

    def _set_enabled(self, on: bool) -> None:
        for w in (self.split_combo, self.filter_combo, self.prev_button, self.next_button,
                  self.random_button, self.mistake_button):
            w.setEnabled(on)

    def _picture(self, pixels: np.ndarray) -> QImage:
        """A (h, w) image of activations 0..1 in the theme's shades, as the network view draws
        its input (dark theme: white on black; light theme: black on white)."""
        return rgb_to_qimage(activation_rgb(self._theme, pixels))

    def _refresh(self) -> None:
        """Redraw image, texts and bars from the current sample and snapshot."""
        c = self._choice
        if self._dataset is None or c is None:
            self.label_text.setText(_("No sample"))
            self.where_text.setText("")
            self.answer_text.setText("")
            self.bars.set_outputs(None, None)
            return
        names = self._dataset.class_names
        self.image.set_image(self._picture(self._images()[c.index].reshape(28, 28) / 255.0))
        self.label_text.setText(_("Label: {name}").format(name=names[c.label]))
        self.where_text.setText(_("{split} sample #{index} of {n}").format(
            split=_(SPLITS[c.split]), index=count(c.index), n=count(len(self._labels()))))
        self._refresh_answer()

    def _refresh_answer(self) -> None:
        """The network's outputs and answer for the sample on show (one forward pass on the
        snapshot's own arrays: no Network is built for each of the ~25 snapshots a second)."""
        c = self._choice
        if self._dataset is None or c is None:
            return
        names = self._dataset.class_names
        if self._snapshot is None:
            self.answer_text.setText(_("No network yet"))
            self.bars.set_outputs(None, c.label)
            return
        out = self._snapshot.forward(c.x)
        j = int(np.argmax(out))
        self.bars.set_outputs(out, c.label)
        verdict = _("right ✓") if j == c.label else _("wrong ✗")
        self.answer_text.setText(_("Network says: {name}\n{verdict}").format(name=names[j],
                                                                            verdict=verdict))

    def _apply_fonts(self) -> None:
        self.label_text.setFont(scaled_font(self.font(), 2.0, bold=True))
        self.answer_text.setFont(scaled_font(self.font(), 1.4))

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._apply_fonts()
        super().changeEvent(event)
