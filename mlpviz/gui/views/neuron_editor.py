"""Edit one neuron by hand (lesson point 5, the bias as threshold): drag its bias, scale its
incoming weights ×0 … ×3, or switch it off (its outgoing weights use a = 0); Undo each edit,
or restore the trained values in one click.

The editor owns no network: it proposes whole parameter sets through `parameters_proposed`
(as the stepper does) and the window hands them to the session, which owns the network and
answers with a snapshot. Edits are made on the parameters as they were before this neuron was
first touched (`apply_edit`), so dragging back to the trained bias with ×1 gives them back bit
for bit. Undo and Restore use `StepHistory`, like the stepper's step."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox, QDoubleSpinBox, QGridLayout, QHBoxLayout, QLabel, QPushButton, QSlider, QWidget,
)

from mlpviz.core.history import StepHistory, same_parameters
from mlpviz.core.neuron_edit import SCALE_RANGE, NeuronEdit, apply_edit, bias_range
from mlpviz.gui.labels import Labels
from mlpviz.i18n import N_, _, tidy

SLIDER_STEPS = 1000


def _params(snap):
    return tuple(snap.weights), tuple(snap.biases)


class NeuronEditor(QWidget):
    """Bias slider and spin box, weight scale, Off, Undo and Restore for one neuron.

    Signals: parameters_proposed(weights, biases): the network with the edit made (or undone)."""

    parameters_proposed = Signal(object, object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._history = StepHistory()
        self._snap = None
        self._neuron: tuple[int, int] | None = None  # (layer, j) on show
        self._base = None  # parameters before this neuron was first edited
        self._trained = None  # parameters before the first edit of all (Restore)
        self._edit: NeuronEdit | None = None  # the edit on show (relative to _base)
        self._undo_edits: list = []  # (edit, base) before each step
        self._pending: NeuronEdit | None = None  # asked for while a proposal was out
        # one drag of the bias slider is one undo step: the drag each edit belongs to (counted
        # from 1; None: not dragged), of the pending edit and of the last step made
        self._drags = 0
        self._pending_drag: int | None = None
        self._step_drag: int | None = None

        self.bias_slider = QSlider(Qt.Orientation.Horizontal)
        self.bias_slider.setObjectName("bias_slider")
        self.bias_slider.setRange(0, SLIDER_STEPS)
        self.bias_spin = QDoubleSpinBox()
        self.bias_spin.setObjectName("bias_spin")
        self.bias_spin.setDecimals(3)
        self.bias_spin.setSingleStep(0.1)
        self.scale_spin = QDoubleSpinBox()
        self.scale_spin.setObjectName("scale_spin")
        self.scale_spin.setRange(*SCALE_RANGE)
        self.scale_spin.setSingleStep(0.1)
        self.scale_spin.setDecimals(2)
        self.scale_spin.setPrefix("×")
        self.labels = labels = Labels()  # the fixed texts, in the current language
        self.off_check = QCheckBox()
        labels.add(self.off_check.setText, N_("Switch off (the next layer uses a = 0 for it)"))
        self.off_check.setObjectName("off_check")
        self.undo_button = QPushButton()
        labels.add(self.undo_button.setText, N_("Undo edit"))
        self.undo_button.setObjectName("undo_edit")
        self.restore_button = QPushButton()
        labels.add(self.restore_button.setText, N_("Restore trained values"))
        self.restore_button.setObjectName("restore_trained")
        self.note = QLabel()
        self.note.setObjectName("editor_note")
        self.note.setWordWrap(True)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        title = QLabel()
        labels.add(title.setText, N_("<b>Edit this neuron by hand</b> (training pauses; Restore "
                                     "puts back the trained values)"))
        title.setWordWrap(True)
        grid.addWidget(title, 0, 0, 1, 3)
        bias = QLabel()
        labels.add(bias.setText, N_("bias b"))
        grid.addWidget(bias, 1, 0)
        grid.addWidget(self.bias_slider, 1, 1)
        grid.addWidget(self.bias_spin, 1, 2)
        incoming = QLabel()
        labels.add(incoming.setText, N_("incoming weights"))
        grid.addWidget(incoming, 2, 0)
        grid.addWidget(self.scale_spin, 2, 1, Qt.AlignmentFlag.AlignLeft)
        grid.addWidget(self.off_check, 3, 0, 1, 3)
        buttons = QHBoxLayout()
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        grid.addLayout(buttons, 4, 0, 1, 3)
        grid.addWidget(self.note, 5, 0, 1, 3)
        grid.setColumnStretch(1, 1)

        self.bias_slider.valueChanged.connect(self._on_slider)
        self.bias_slider.sliderPressed.connect(self._on_drag_started)
        self.bias_spin.valueChanged.connect(lambda _v: self._on_changed())
        self.scale_spin.valueChanged.connect(lambda _v: self._on_changed())
        self.off_check.toggled.connect(lambda _v: self._on_changed())
        self.undo_button.clicked.connect(self.undo)
        self.restore_button.clicked.connect(self.restore)
        self._update_buttons()

    # -- API ---------------------------------------------------------------------------------
    def retranslate(self) -> None:
        """Every text again in the current language (the edit stays)."""
        self.labels.retranslate()
        self._update_buttons()

    def show_neuron(self, snap, layer: int, j: int) -> None:
        """The network on show and the neuron (layer 1 … L, j) to edit."""
        moved_on = snap is not self._snap and not self._history.show(*_params(snap))
        self._snap = snap
        if moved_on:  # trained, reset or another model: nothing of ours is left to undo
            self._base = self._trained = self._edit = None
            self._undo_edits.clear()
        if (layer, j) != self._neuron:
            self._neuron = (layer, j)
            self._base, self._edit, self._pending = None, None, None
        self._show_edit()
        if self._pending is not None and not self._history.waiting:
            edit, self._pending = self._pending, None
            if edit.layer == layer and edit.j == j:
                self._propose(edit, self._pending_drag)

    def can_undo(self, snap) -> bool:
        """Whether `undo` would take back the edit that made `snap`'s parameters."""
        return self._history.undoes(*_params(snap))

    def undo(self) -> None:
        """Put back the parameters from before the last edit (or restore), bit for bit."""
        before = self._history.undo()
        if before is None:
            return
        self._edit, self._base = self._undo_edits.pop()
        self._step_drag = None
        self.parameters_proposed.emit(*before)
        self._update_buttons()

    def restore(self) -> None:
        """Back to the parameters from before the first edit (undoable)."""
        if self._trained is None or self._snap is None:
            return
        self._step(self._trained, None)
        self._base = None

    # -- internals ---------------------------------------------------------------------------
    def _on_drag_started(self) -> None:
        self._drags += 1

    def _on_slider(self, value: int) -> None:
        lo, hi = self.bias_spin.minimum(), self.bias_spin.maximum()
        self.bias_spin.setValue(lo + (hi - lo) * value / SLIDER_STEPS)  # → _on_changed

    def _on_changed(self) -> None:
        if self._snap is None or self._neuron is None or self._neuron[0] == 0:
            return
        self._sync_slider()
        edit = NeuronEdit(*self._neuron, float(self.bias_spin.value()),
                          float(self.scale_spin.value()), self.off_check.isChecked())
        drag = self._drags if self.bias_slider.isSliderDown() else None
        if self._history.waiting:
            self._pending, self._pending_drag = edit, drag  # sent when the answer arrives
        else:
            self._propose(edit, drag)

    def _propose(self, edit: NeuronEdit, drag: int | None = None) -> None:
        if self._base is None:
            self._base = _params(self._snap)
        if self._trained is None:
            self._trained = _params(self._snap)
        self._step(apply_edit(*self._base, edit), edit, drag)

    def _step(self, after, edit: NeuronEdit | None, drag: int | None = None) -> None:
        """Propose `after` (made by `edit`) from the network on show, undoably: the steps of
        one drag (`drag`, its number) are one step for Undo."""
        before = _params(self._snap)
        if same_parameters(before, (tuple(after[0]), tuple(after[1]))):
            self._edit = edit
            return
        same_drag = drag is not None and drag == self._step_drag and self._history.undoes(*before)
        self._step_drag = drag
        if same_drag:
            self._edit = edit
            self.parameters_proposed.emit(*self._history.amend(after))
            self._update_buttons()
            return
        self._undo_edits.append((self._edit, self._base))
        self._edit = edit
        proposed = self._history.step(before, after)
        self.parameters_proposed.emit(*proposed)
        self._update_buttons()

    def _show_edit(self) -> None:
        """The widgets from the network on show and the edit in force, without proposing."""
        layer, j = self._neuron
        L = len(self._snap.sizes) - 1
        editable = 1 <= layer <= L
        self.setEnabled(editable)
        widgets = (self.bias_slider, self.bias_spin, self.scale_spin, self.off_check)
        for w in widgets:
            w.blockSignals(True)
        if editable:
            b = float(self._snap.biases[layer - 1][j])
            base_b = b if self._base is None else float(self._base[1][layer - 1][j])
            if self._pending is None and not self.bias_slider.isSliderDown():
                self.bias_spin.setRange(*bias_range(base_b))  # not under a dragging hand
                self.bias_spin.setValue(b)
            self.scale_spin.setValue(1.0 if self._edit is None else self._edit.scale)
            self.off_check.setChecked(self._edit is not None and self._edit.off)
            self.off_check.setEnabled(layer < L)
            self._sync_slider()
        for w in widgets:
            w.blockSignals(False)
        self._update_buttons()

    def _sync_slider(self) -> None:
        lo, hi = self.bias_spin.minimum(), self.bias_spin.maximum()
        self.bias_slider.blockSignals(True)
        self.bias_slider.setValue(round((self.bias_spin.value() - lo) / (hi - lo) * SLIDER_STEPS))
        self.bias_slider.blockSignals(False)

    def _update_buttons(self) -> None:
        self.undo_button.setEnabled(self._history.can_undo)
        edited = self._trained is not None and self._snap is not None and not same_parameters(
            _params(self._snap), self._trained)
        self.restore_button.setEnabled(edited)
        notes = [self._off_note()] if self._off_note() else []
        if edited:
            notes.append(_("Edited by hand: Restore puts back the trained values."))
        self.note.setText(tidy(" ".join(notes)))

    def _off_note(self) -> str:
        """From the numbers: whether every outgoing weight of the neuron on show is 0."""
        if self._snap is None or self._neuron is None:
            return ""
        layer, j = self._neuron
        if not 1 <= layer < len(self._snap.sizes) - 1 or self._snap.weights[layer][:, j].any():
            return ""
        return _("Off: all {n} outgoing weights are 0, so layer {next} uses a = 0 for this "
                 "neuron.").format(n=self._snap.sizes[layer + 1], next=layer + 1)
