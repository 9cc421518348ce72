"""The run's controls: train / pause, steps, reset, speed, learning rate and batch size (one
toolbar), and the network's architecture, seed and dataset (a second one)."""

from __future__ import annotations

import os

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPalette, QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox, QComboBox, QDoubleSpinBox, QLabel, QLineEdit, QPushButton, QSlider, QSpinBox,
    QToolBar,
)

from mlpviz.core.datasets import available_datasets
from mlpviz.core.limits import DRAWN, hidden_problem, parse_hidden
from mlpviz.gui.worker import MAX_SPEED, batch_delay
from mlpviz.gui.icons import pause_icon, play_icon
from mlpviz.gui.labels import Labels
from mlpviz.i18n import N_, _, ngettext

MAX_STOP_AFTER = 100_000  # epochs the "stop after" box takes (0: never)
REBUILD, REBUILD_PENDING = N_("Rebuild"), N_("● Rebuild")  # without / with changes waiting (English)

# What the layers box accepts, in words (the app draws 1 to 4 hidden layers of 1 to 128 neurons).
def _hidden_text() -> str:
    """ "1 to 4 layers of 1 to 128 neurons", in the current language."""
    return _("{min} to {max} layers of 1 to {size} neurons").format(
        min=DRAWN.min_layers, max=DRAWN.max_layers, size=DRAWN.max_size)


def speed_text(speed: int) -> str:
    """What a speed slider position means: the batches a second its wait between batches allows
    (`worker.batch_delay`): "1 batch/s" … "up to 1,000 batches/s" (above about 20 a second the
    computer's own speed may be the limit), "full speed" at the right end."""
    delay = batch_delay(speed)
    if delay <= 0:
        return _("full speed")
    rate = 1.0 / delay
    if rate < 1.5:
        return _("1 batch/s")
    return (_("{rate} batches/s") if rate < 20 else _("up to {rate} batches/s")).format(
        rate=f"{rate:,.0f}")


class _SteadyLabel(QLabel):
    """A label as wide as the widest text it will show, so that changing it never moves the
    widgets beside it (in any font size)."""

    def __init__(self, widest: str):
        super().__init__()
        self._widest = widest
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        hint = super().sizeHint()
        return QSize(self.fontMetrics().horizontalAdvance(self._widest) + 12, hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return self.sizeHint()


class DatasetBox(QComboBox):
    """The dataset choice (item data: the spec). The datasets are listed again each time the
    list opens, so one downloaded or installed (Debian's Fashion-MNIST) while the app runs
    appears without a restart; folders opened by hand stay listed."""

    def showPopup(self) -> None:  # noqa: N802 (Qt override)
        self.refresh()
        super().showPopup()

    def refresh(self) -> None:
        """The datasets found now (`core.datasets.available_datasets`), then the folders listed
        before; the current choice stays chosen (and listed, even if its files went away)."""
        current = self.currentData()
        found = available_datasets()
        listed = {spec for spec, _ in found}
        before = [(self.itemData(i), self.itemText(i)) for i in range(self.count())]
        items = found + [(spec, label) for spec, label in before if spec not in listed
                         and (spec == current or os.sep in str(spec))]  # folders: a path
        if items == before:
            return
        self.blockSignals(True)
        self.clear()
        for spec, label in items:
            self.addItem(label, spec)
        self.setCurrentIndex(max(0, self.findData(current)))
        self.blockSignals(False)


LR_RANGE = (1e-6, 1e4)  # the η box: what it shows and accepts (settings check stored values)


class LearningRateBox(QDoubleSpinBox):
    """The η box: the rate in use with up to six significant digits (0.0004, 3, 5000), anything
    in LR_RANGE typed as a plain or e-number; the arrows step by a tenth of the leading digit's
    decade (0.5 → 0.6, 0.05 → 0.06)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setDecimals(12)  # the value is kept to 12 decimals; the text shows significant ones
        self.setRange(*LR_RANGE)
        self.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("0.000123456") + 30)

    def textFromValue(self, value: float) -> str:
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text.replace("−", "-"))
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        try:
            value = float(text.replace("−", "-"))
        except ValueError:  # "1e", "0.", "": maybe on the way to a number
            ok = all(c in "0123456789.eE+-−" for c in text)
            return (QValidator.State.Intermediate if ok else QValidator.State.Invalid), text, pos
        inside = LR_RANGE[0] <= value <= LR_RANGE[1]
        return (QValidator.State.Acceptable if inside else QValidator.State.Intermediate), text, pos


class RunControls(QToolBar):
    """Train / pause, steps, reset, speed, learning rate and batch size, and the architecture."""

    rebuild_requested = Signal(object, str, str, int)  # hidden sizes, activation, cost, seed
    dataset_requested = Signal(str)
    problem_found = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.labels = labels = Labels()  # every text here, in the current language
        labels.add(self.setWindowTitle, N_("Training"))
        self.setObjectName("training_toolbar")
        self.setMovable(False)
        self._training = False
        self.train_button = QPushButton(_("Train"))
        labels.add(self.train_button.setToolTip,
                   N_("Train: shuffle the data, cut it into mini-batches, and take one gradient "
                      "step per mini-batch (Space)"))
        self.step_button = QPushButton()
        labels.add(self.step_button.setText, N_("Step"))
        labels.add(self.step_button.setToolTip,
                   N_("Train on exactly one mini-batch: one small step downhill (S)"))
        self.epoch_button = QPushButton()
        labels.add(self.epoch_button.setText, N_("Epoch"))
        labels.add(self.epoch_button.setToolTip, N_("Train to the end of this epoch (E)"))
        self.reset_button = QPushButton()
        labels.add(self.reset_button.setText, N_("Reset"))
        labels.add(self.reset_button.setToolTip,
                   N_("New random weights from the same seed (R): the untrained network's "
                      "answers are garbage again"))
        for b in (self.train_button, self.step_button, self.epoch_button, self.reset_button):
            b.setFocusPolicy(Qt.NoFocus)
            self.addWidget(b)
        self.addSeparator()
        self.speed = QSlider(Qt.Horizontal)
        self.speed.setRange(1, 100)
        self.speed.setValue(100)
        self.speed.setFixedWidth(110)
        labels.add(self.speed.setToolTip,
                   N_("Speed: {slow} at the left end (slow motion, to follow in class), {middle} "
                      "in the middle, {fast} at the right end"),
                   slow=lambda: speed_text(1), middle=lambda: speed_text(MAX_SPEED // 2),
                   fast=lambda: speed_text(MAX_SPEED))
        self.speed_label = _SteadyLabel(max((speed_text(v) for v in range(1, MAX_SPEED + 1)),
                                            key=len))
        labels.add(self.speed_label.setToolTip,
                   N_("How fast training goes at this speed: mini-batches, each one gradient "
                      "step, per second"))
        self.speed.valueChanged.connect(lambda v: self.speed_label.setText(speed_text(v)))
        self.speed_label.setText(speed_text(self.speed.value()))
        self.addWidget(label := QLabel())
        labels.add(label.setText, N_(" speed "))
        self.addWidget(self.speed)
        self.addWidget(self.speed_label)
        self.stop_after = QSpinBox()
        self.stop_after.setRange(0, MAX_STOP_AFTER)
        labels.add(self.stop_after.setSpecialValueText, N_("never"))
        self.stop_after.valueChanged.connect(self._show_stop_suffix)
        self._show_stop_suffix()
        labels.add(self.stop_after.setToolTip,
                   N_("Training pauses by itself when this many epochs are done (once past it, "
                      "at the end of each further epoch), so full speed does not train on "
                      "forever; “never”: until you pause"))
        self.addWidget(label := QLabel())
        labels.add(label.setText, N_(" stop after "))
        self.addWidget(self.stop_after)
        self.lr = LearningRateBox()
        labels.add(self.lr.setToolTip,
                   N_("Learning rate η: each step moves the parameters by −η · gradient (how big "
                      "the steps downhill are). Rebuild resets it to the default for the new "
                      "network unless you changed it since the last rebuild"))
        self.lr_changed_by_user = False  # since the last rebuild: Rebuild then keeps it
        self.lr.valueChanged.connect(self._on_lr_edited)
        self.addWidget(QLabel(" η "))
        self.addWidget(self.lr)
        self.batch = QSpinBox()
        self.batch.setRange(1, 10_000)
        labels.add(self.batch.setToolTip,
                   N_("Mini-batch size: each step follows the gradient averaged over this many "
                      "shuffled samples (stochastic gradient descent)"))
        self.addWidget(label := QLabel())
        labels.add(label.setText, N_(" batch "))
        self.addWidget(self.batch)
        self.network_bar = QToolBar(parent)
        labels.add(self.network_bar.setWindowTitle, N_("Network"))
        self.network_bar.setObjectName("network_toolbar")
        self.network_bar.setMovable(False)
        self.layers = QLineEdit("16,16")
        self.layers.setFixedWidth(80)
        labels.add(self.layers.setToolTip,
                   N_("Hidden layers, e.g. 16,16 ({hidden}). The input layer (one neuron per "
                      "pixel) and the output layer (one per class) come from the data"),
                   hidden=_hidden_text)
        self.activation = QComboBox()
        self.activation.addItems(["sigmoid", "tanh", "relu"])
        labels.add(self.activation.setToolTip,
                   N_("How a neuron turns its weighted sum plus bias into its activation: "
                      "sigmoid σ squashes it into 0 … 1, tanh into −1 … 1, relu keeps it if "
                      "positive and gives 0 otherwise"))
        self.cost = QComboBox()
        self.cost.addItems(["mse", "cross_entropy"])
        labels.add(self.cost.setToolTip,
                   N_("The cost of one sample — mse: C = Σ (a − y)²; cross_entropy: softmax "
                      "outputs, C = −ln a_label. The network's cost is its average over the "
                      "training samples"))
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        labels.add(self.seed.setToolTip,
                   N_("Seed of the random initial weights and of the shuffling"))
        self.dataset = DatasetBox()
        labels.add(self.dataset.setToolTip, N_("The data the network learns from"))
        self.dataset.refresh()
        self.rebuild_button = QPushButton(_(REBUILD))
        self.rebuild_button.setFocusPolicy(Qt.NoFocus)
        self._applied: tuple | None = None  # (hidden, activation, cost, seed) of the network
        self.seed.setMinimumWidth(90)
        self.seed.setMaximumWidth(130)
        # follow the font (presentation mode enlarges it after the first show)
        for combo, chars in ((self.activation, 8), (self.cost, 13), (self.dataset, 30)):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(chars)
        for text, w in ((N_(" hidden layers "), self.layers),
                        (N_("  activation "), self.activation), (N_("  cost "), self.cost),
                        (N_("  seed "), self.seed), ("  ", self.rebuild_button),
                        (N_("    data "), self.dataset)):
            self.network_bar.addWidget(label := QLabel())
            labels.add(label.setText, text)
            self.network_bar.addWidget(w)
        self.show_state(False)
        self.rebuild_button.clicked.connect(self._on_rebuild_clicked)
        self.layers.textChanged.connect(self._show_pending)
        self.activation.currentTextChanged.connect(self._show_pending)
        self.cost.currentTextChanged.connect(self._show_pending)
        self.seed.valueChanged.connect(self._show_pending)
        self._show_pending()
        self.layers.returnPressed.connect(self._on_rebuild_clicked)
        self.dataset.activated.connect(
            lambda i: self.dataset_requested.emit(str(self.dataset.itemData(i))))

    def _on_lr_edited(self, _value: float) -> None:
        """The user changed η (programmatic changes block the box's signals)."""
        self.lr_changed_by_user = True

    def show_lr(self, lr: float, rebuilt: bool = False) -> None:
        """Show the rate in use without emitting; after a rebuild, η counts as untouched. A rate
        outside LR_RANGE (an old model file's) is refused aloud: the box takes the nearest one it
        holds and says so, and that is the rate training uses from then on."""
        lo, hi = LR_RANGE
        self.lr.blockSignals(True)
        self.lr.setValue(lr)
        self.lr.blockSignals(False)
        if rebuilt:
            self.lr_changed_by_user = False
        if not lo <= lr <= hi:
            self.problem_found.emit(
                f"The learning rate {lr:g} is outside what the η box holds ({lo:g} … {hi:g}); "
                f"training goes on with η = {self.lr.value():g}.")
            self.lr.valueChanged.emit(self.lr.value())

    def parse_hidden(self) -> list[int] | None:
        """The hidden sizes typed in, or None unless they are whole numbers within what the app
        draws (core.limits.DRAWN)."""
        try:
            sizes = parse_hidden(self.layers.text())
        except ValueError:
            return None
        return None if hidden_problem(sizes, DRAWN) else sizes

    def _on_rebuild_clicked(self) -> None:
        hidden = self.parse_hidden()
        if hidden is None:
            self.problem_found.emit(
                _("Hidden layers “{text}” cannot be built: type {hidden}, separated by commas, "
                  "for example 16,16.").format(text=self.layers.text(), hidden=_hidden_text()))
            return
        self.rebuild_requested.emit(hidden, self.activation.currentText(),
                                    self.cost.currentText(), self.seed.value())

    def pending_changes(self) -> list[str]:
        """What the boxes say that the network on show is not built with yet, in words
        ("activation: sigmoid → tanh"); empty when nothing waits for Rebuild."""
        if self._applied is None:
            return []
        hidden = self.parse_hidden()
        now = (tuple(hidden) if hidden is not None else self.layers.text(),
               self.activation.currentText(), self.cost.currentText(), self.seed.value())
        names = ("hidden layers", "activation", "cost", "seed")
        show = lambda v: ",".join(map(str, v)) if isinstance(v, tuple) else str(v)  # noqa: E731
        return [f"{name}: {show(old)} → {show(new)}"
                for name, old, new in zip(names, self._applied, now) if old != new]

    def _show_pending(self) -> None:
        """Rebuild stands out (● and the highlight colour) while a change waits for it, and its
        tooltip lists the changes; its width stays the same either way."""
        changes = self.pending_changes()
        b = self.rebuild_button
        b.setText(_(REBUILD_PENDING) if changes else _(REBUILD))
        weight = QFont()  # only the weight: size and family still follow the toolbar's font
        weight.setBold(bool(changes))
        b.setFont(weight)
        pal = self.palette()
        if changes:
            pal.setColor(QPalette.ColorRole.ButtonText, pal.color(QPalette.ColorRole.Highlight))
        b.setPalette(pal)
        bold = QFont(self.font())
        bold.setBold(True)
        b.setMinimumWidth(QFontMetrics(bold).horizontalAdvance(_(REBUILD_PENDING)) + 24)
        b.setToolTip(_("Not built yet — press Rebuild to build a new network with: {changes}")
                     .format(changes="; ".join(changes)) if changes
                     else _("Build a new network with these settings (new random weights)"))

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.PaletteChange):
            self._show_pending()
        if event.type() == QEvent.Type.PaletteChange:
            self.show_state(self._training)  # the icon in the theme's text colour

    def show_state(self, training: bool) -> None:
        """Train (a painted ▶) while paused, Pause (two painted bars) while training."""
        self._training = bool(training)
        self.train_button.setText(_("Pause") if training else _("Train"))
        color = self.train_button.palette().color(QPalette.ColorRole.ButtonText)
        self.train_button.setIcon(pause_icon(color) if training else play_icon(color))
        for b in (self.step_button, self.epoch_button):
            b.setEnabled(not training)

    def _show_stop_suffix(self) -> None:
        """" epoch" after 1, " epochs" after any other number (the language's plural)."""
        self.stop_after.setSuffix(ngettext(" epoch", " epochs", self.stop_after.value()))

    def retranslate(self) -> None:
        """Every text of both toolbars again, in the current language."""
        self.labels.retranslate()
        self._show_stop_suffix()
        self.dataset.refresh()  # the bundled sample's name
        self.speed_label.setText(speed_text(self.speed.value()))
        self.show_state(self._training)
        self._show_pending()

    def show_settings(self, sizes, activation: str, cost: str, seed: int, spec: str) -> None:
        """Show the settings of the network being trained (after a rebuild or a model load)."""
        self.layers.setText(",".join(str(s) for s in sizes[1:-1]))
        self.activation.setCurrentText(activation)
        self.cost.setCurrentText(cost)
        self.seed.setValue(int(seed) if seed is not None else 0)
        self._applied = (tuple(int(s) for s in sizes[1:-1]), self.activation.currentText(),
                         self.cost.currentText(), self.seed.value())
        self._show_pending()
        i = self.dataset.findData(spec)
        if i < 0 and spec:
            self.dataset.addItem(os.path.basename(str(spec).rstrip("/")) or str(spec), spec)
            i = self.dataset.count() - 1
        if i >= 0:
            self.dataset.setCurrentIndex(i)
