"""The backpropagation stepper: one sample, one idea at a time, on the real network.

The walk itself (every stage's text, formula, numbers and overlay) is computed in
`mlpviz.core.walk`; this panel only shows it. It is built once per (network, sample,
learning rate, focus) and reused, so moving between stages is instant: the setters mark it out of
date, and it is rebuilt when the panel is shown or an action needs it, never by a getter. The
gradient step's undo is a `core.history.StepHistory`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QBoxLayout,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mlpviz import i18n
from mlpviz.core.arrays import frozen
from mlpviz.core.explain import training_point
from mlpviz.core.gradcheck import GradCheckReport, check_parameter, per_layer_gradcheck
from mlpviz.core.handout import LessonOnShow
from mlpviz.core.history import StepHistory
from mlpviz.core.minibatch import MiniBatch
from mlpviz.core.network import Network
from mlpviz.core.notation import fmt_sig
from mlpviz.core.palette import LESSON, Palette
from mlpviz.core.snapshot import Snapshot
from mlpviz.core.trace_export import save_trace
from mlpviz.core.walk import DIGITS, Stage, Walk, build_walk, chain_rule, gradcheck_stage
from mlpviz.gui.theme import scaled_font
from mlpviz.gui.views.batch_stage import BatchStageView
from mlpviz.gui.views.stage_presenting import StagePresenting
from mlpviz.gui.labels import Labels
from mlpviz.i18n import N_, _, ngettext


class _TextArea(QScrollArea):
    """The stage's sentences: as tall as they need at the panel's width when there is room, and
    scrolling (never cut off) when a big font on a small screen leaves less."""

    def __init__(self, label: QLabel):
        super().__init__()
        self.setWidget(label)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:
        width = max(self.viewport().width(), 200)
        return QSize(super().sizeHint().width(), self.widget().heightForWidth(width) + 4)

    def minimumSizeHint(self) -> QSize:
        return QSize(0, 3 * self.fontMetrics().height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.updateGeometry()  # a new width wraps the text to a new height

    def refit(self) -> None:
        """New text: a new height for the layout, and the label resized to it (the scroll area
        does not hear of its label's new text by itself)."""
        self.updateGeometry()
        QApplication.postEvent(self, QEvent(QEvent.Type.LayoutRequest))


class StepperPanel(QWidget):
    """Walks through backpropagation for one sample, stage by stage.

    Signals:
      overlay_changed(Overlay | None)       what the network view should emphasise
      gradient_toggled(bool)                the user ticked / unticked "Colour lines by ∂C/∂w"
                                            (the window owns that state: `set_gradient_shown`)
      parameters_proposed(weights, biases)  a gradient step, or its exact undo
      lines_by_batch_changed(bool)          the lines should show the mini-batch's average ∂C/∂w
                                            (stage 9 on show with its toggle ticked) or not

    Getters (`walk`, `current_stage`, `stage_count`) only read: they return None / 0 while the
    walk is out of date, i.e. while the panel is hidden after its inputs changed.
    """

    # Table font sizes tried, relative to the panel's font, until the columns fit.
    _TABLE_SCALES = (1.1, 1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7)
    _LIST_MIN_PANEL_EMS = 54  # narrower than this many 'M's of the list's type, the list hides

    overlay_changed = Signal(object)
    gradient_toggled = Signal(bool)
    parameters_proposed = Signal(object, object)
    lines_by_batch_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._snapshot: Snapshot | None = None
        self._newer: Snapshot | None = None  # weights training moved on to since the walk was built
        self._net: Network | None = None
        self._x: np.ndarray | None = None
        self._label: int | None = None
        self._description = ""
        self._lr = 3.0
        self._batch_size = 100  # the mini-batch size training uses (stage 9 names it)
        self._signs: Palette = LESSON  # the signs' colours (the window's palette)
        self._names: tuple[str, ...] = DIGITS
        self._batch: MiniBatch | None = None
        self._focus: int | None = None
        self._walk: Walk | None = None
        self._dirty = False
        self._index = 0
        self._stage_key: str | None = None  # the key of the stage last on show
        self._extra: Stage | None = None  # a page off the walk: a weight's chain rule, the check
        self._extra_weight: tuple[int, int, int] | None = None
        self._active = False
        self._history = StepHistory()
        self._step_note = ""
        self.last_check: GradCheckReport | None = None
        self._table_size = 10.0  # the table's font size before any shrinking to fit (points)
        self._lines_by_batch = False  # what lines_by_batch_changed last said
        self.presenting = StagePresenting()  # presentation mode: a page of text, the key rows
        self._shown_stage, self._shown_rows = None, []  # the table's stage and its rows
        self._build()
        self._apply_fonts()
        self._show()

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.labels = labels = Labels()  # the buttons' texts, in the current language
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.batch_view = BatchStageView(self)  # stage 9: the batch's thumbnails, the SGD plot
        self.batch_view.lines_by_batch_toggled.connect(self._on_lines_by_batch_toggled)
        self.batch_view.words_changed.connect(self._on_batch_words_changed)
        self.batch_view.sample_clicked.connect(self._on_batch_sample_clicked)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.stale_note = QLabel()
        self.stale_note.setObjectName("stale_note")
        self.stale_note.setWordWrap(True)
        self.stale_note.setTextFormat(Qt.TextFormat.PlainText)
        self.stale_note.setFrameShape(QFrame.Shape.StyledPanel)
        self.stale_note.setMargin(6)
        self.stale_note.hide()

        self.stage_list = QListWidget()
        self.stage_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.stage_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stage_list.setWordWrap(True)
        self.stage_list.setSpacing(2)
        self.stage_list.currentRowChanged.connect(self._on_list_row_changed)

        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)  # the scroll area sizes it by its width, never taller
        self.text.setSizePolicy(policy)
        self.formula = QLabel()
        self.formula.setWordWrap(True)
        self.formula.setTextFormat(Qt.TextFormat.PlainText)
        self.formula.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.formula.setFrameShape(QFrame.Shape.StyledPanel)
        self.formula.setAutoFillBackground(True)
        self.formula.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.formula.setMargin(8)

        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setHighlightSections(False)
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.installEventFilter(self)  # refit the columns whenever the layout resizes it

        self.take_step_button = QPushButton()
        labels.add(self.take_step_button.setText, N_("Take the step"))
        labels.add(self.take_step_button.setToolTip,
                   N_("Apply θ ← θ − η ∂C/∂θ for this sample to the network"))
        self.take_step_button.clicked.connect(self.take_step)
        self.undo_button = QPushButton()
        labels.add(self.undo_button.setText, N_("Undo"))
        labels.add(self.undo_button.setToolTip,
                   N_("Put every weight and bias back exactly as before the step"))
        self.undo_button.clicked.connect(self.undo_step)
        self.step_status = QLabel()
        self.step_status.setWordWrap(True)
        self.step_row = QWidget()
        # the status above the buttons, full width: when it grows a line, the table gives the
        # room and the buttons (kept just above Back / Next) stay where they are
        step_layout = QVBoxLayout(self.step_row)
        step_layout.setContentsMargins(0, 0, 0, 0)
        step_layout.addWidget(self.step_status)
        row = QHBoxLayout()
        row.addWidget(self.take_step_button)
        row.addWidget(self.undo_button)
        row.addStretch(1)
        step_layout.addLayout(row)

        self.back_button = QPushButton()
        labels.add(self.back_button.setText, N_("← Back"))
        labels.add(self.back_button.setToolTip, N_("Previous stage (←)"))
        self.back_button.clicked.connect(self.back)
        self.next_button = QPushButton()
        labels.add(self.next_button.setText, N_("Next →"))
        labels.add(self.next_button.setToolTip, N_("Next stage (→)"))
        self.next_button.clicked.connect(self.next_stage)
        self.position = QLabel()
        self.position.setAlignment(Qt.AlignmentFlag.AlignCenter)
        nav = QHBoxLayout()
        nav.addWidget(self.back_button)
        nav.addWidget(self.position, 1)
        nav.addWidget(self.next_button)

        self.check_button = QPushButton()
        labels.add(self.check_button.setText, N_("Gradient check"))
        labels.add(self.check_button.setToolTip,
                   N_("Compare backpropagation with central differences for every weight and "
                      "bias, on this sample"))
        self.check_button.clicked.connect(self.run_gradient_check)
        self.gradient_toggle = QCheckBox()
        labels.add(self.gradient_toggle.setText, N_("Colour lines by ∂C/∂w"))
        labels.add(self.gradient_toggle.setToolTip,
                   N_("Colour the network's lines by this sample's gradient instead of the "
                      "weights"))
        self.gradient_toggle.toggled.connect(self.gradient_toggled)
        self.export_button = QPushButton()
        labels.add(self.export_button.setText, N_("Export trace…"))
        labels.add(self.export_button.setToolTip,
                   N_("Save every number of this backpropagation (.npz or .json)"))
        self.export_button.clicked.connect(self._on_export_clicked)
        tools = QHBoxLayout()
        tools.addWidget(self.check_button)
        tools.addWidget(self.gradient_toggle)
        tools.addWidget(self.batch_view.lines_toggle)  # stage 9: the batch's average instead
        tools.addStretch(1)
        tools.addWidget(self.export_button)

        self.text_area = _TextArea(self.text)
        self.page_note = QLabel()  # presentation mode: where the stage's other sentences are
        self.page_note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.page_note.hide()
        self.road_map = QLabel()  # presentation mode: the stage numbers, instead of the list
        self.road_map.setWordWrap(True)
        self.road_map.setTextFormat(Qt.TextFormat.RichText)
        self.road_map.hide()
        text_row = self._text_row = QHBoxLayout()  # presenting: the plot goes under the text
        text_row.addWidget(self.text_area, 1)
        text_row.addWidget(self.batch_view.sgd, 1)
        content = QVBoxLayout()
        content.addWidget(self.road_map)
        content.addWidget(self.stale_note)
        content.addWidget(self.title)
        content.addLayout(text_row)
        content.addWidget(self.page_note)
        content.addWidget(self.formula)
        content.addWidget(self.batch_view.samples)
        content.addWidget(self.table, 1)
        content.addWidget(self.step_row)
        content.addLayout(nav)

        body = QHBoxLayout()
        body.addWidget(self.stage_list)
        body.addLayout(content, 1)

        root = QVBoxLayout(self)
        root.addWidget(self.hint)
        root.addLayout(body, 1)
        root.addLayout(tools)

    def _apply_fonts(self) -> None:
        """Sizes relative to the panel's font: presentation mode (a bigger app font) scales it."""
        base = self.font()
        self.title.setFont(scaled_font(base, 1.55, bold=True))
        self.text.setFont(scaled_font(base, 1.3))
        self.formula.setFont(scaled_font(base, 1.2))
        table_font = scaled_font(base, self._TABLE_SCALES[0])
        self._table_size = table_font.pointSizeF()
        self.table.setFont(table_font)
        self.stage_list.setFont(scaled_font(base, 1.0))
        self.hint.setFont(scaled_font(base, 1.0))
        em = self.stage_list.fontMetrics().horizontalAdvance("M")
        self.stage_list.setFixedWidth(int(em * 13))
        self.page_note.setFont(scaled_font(base, 0.95))
        self.road_map.setFont(scaled_font(base, 1.0))
        row = int(self.table.fontMetrics().height() * 1.45)
        self.table.verticalHeader().setDefaultSectionSize(row)
        # the header and five rows at least (two while presenting: the sentences need the room)
        self.table.setMinimumHeight(row * (3 if self.presenting.on else 6))
        # room for the step's status from the start: taking the step moves nothing
        self.step_status.setMinimumHeight(2 * self.step_status.fontMetrics().lineSpacing())
        self._colors()

    def _colors(self) -> None:
        """Nudge colours: the palette's pair (`set_signs`) for the background Qt's palette has
        (the app's theme)."""
        signs = self._signs.on(self.palette().color(self.backgroundRole()).name())
        self._green, self._red = QColor(signs.positive), QColor(signs.negative)
        self.stale_note.setStyleSheet(
            f"QLabel#stale_note {{ border: 2px solid {signs.negative}; }}")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.PaletteChange):
            self._apply_fonts()
            if not self._dirty and (self._walk is not None or self._extra is not None):
                self._fill_table(self.current_stage())
        super().changeEvent(event)

    def keyPressEvent(self, event) -> None:
        # The window-wide shortcuts normally catch ← / →; this covers events sent to the panel.
        if event.key() == Qt.Key.Key_Right:
            self.next_stage()
        elif event.key() == Qt.Key.Key_Left:
            self.back()
        else:
            super().keyPressEvent(event)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty:
            self._refresh()

    # -- API for the main window ---------------------------------------------------------------
    def set_snapshot(self, snap: Snapshot) -> None:
        """The network to explain; the walk follows it, on the stage you are on. A network that
        is not the one the gradient steps produced (training moved on, a new network) leaves
        nothing to undo."""
        if not self._history.show(snap.weights, snap.biases):
            self._step_note = ""
        self._snapshot, self._newer = snap, None
        self._net = snap.network()
        self._drop_check()
        self._invalidate()

    def set_newer_snapshot(self, snap: Snapshot) -> None:
        """Training moved the weights on while the walk is on show: the stage on show is marked
        out of date (its numbers are the old network's) and is rebuilt on these weights when the
        user steps to another stage, or by `set_snapshot` when training pauses."""
        if self._snapshot is None or snap is self._snapshot:
            return
        self._newer = snap
        self._show_stale()
        stage = self.current_stage()
        if self._active and stage is not None:  # the network view says so too
            self.overlay_changed.emit(dataclasses.replace(
                stage.overlay, caption=f"Out of date (training moved on): {stage.overlay.caption}"))

    def set_sample(self, x: np.ndarray, label: int | None, description: str) -> None:
        """The sample to backpropagate: pixels (sizes[0],) in 0..1 and its right class. None for
        a drawing nobody has labelled yet: the walk waits until the user says which digit it is
        (the network's guess is never taken for the answer)."""
        x = frozen(np.reshape(x, -1), np.float64)
        label = None if label is None or int(label) < 0 else int(label)
        self._x, self._label, self._description = x, label, str(description)
        self._focus = None
        self._drop_check()
        self._invalidate()

    def set_description(self, description: str) -> None:
        """Where the sample comes from, in other words (a new language): nothing else changes."""
        self._description = str(description)
        self._update_hint()

    def set_lr(self, lr: float) -> None:
        self._lr = float(lr)
        self._invalidate()

    def set_signs(self, palette: Palette) -> None:
        """Colour the nudges, and name the lines' colours in the texts, in `palette`."""
        if palette != self._signs:
            self._signs = palette
            self._colors()
            self._invalidate()

    def set_batch_size(self, n: int) -> None:
        """The mini-batch size training uses, for stage 9's text."""
        if int(n) != self._batch_size:
            self._batch_size = int(n)
            self._invalidate()

    def set_class_names(self, names) -> None:
        self._names = tuple(str(n) for n in names)
        self._invalidate()

    def set_batch(self, batch: MiniBatch | None) -> None:
        """Stage 9's mini-batch around the sample on show (`core.minibatch`), or None."""
        self._batch = batch
        self._invalidate()

    def set_training_set(self, images: np.ndarray | None, labels: np.ndarray | None) -> None:
        """The training split (uint8 images, labels) stage 9's SGD plot walks on."""
        self.batch_view.set_training_set(images, labels)
        self._invalidate()

    def focus_output(self, j: int) -> None:
        """Show the three levers of output neuron j (a click on the output layer)."""
        self._focus = int(j)
        self._extra = None
        self._invalidate()
        walk = self._walk_now()
        if walk is None:
            return
        if walk.stages[self._index].key not in ("lever-bias", "lever-weights", "lever-activations"):
            self._index = walk.index("lever-bias")
        self._show()

    def explain_weight(self, l: int, j: int, k: int) -> None:
        """The chain rule for weight (l, j, k) (`Network.weights[l][j, k]`), with its numerical
        derivative beside backprop's."""
        walk = self._walk_now()
        if walk is None:
            return
        try:
            self._extra = self._weight_stage(walk, int(l), int(j), int(k))
        except ValueError:
            return
        self._extra_weight = (int(l), int(j), int(k))
        self._show()

    def activate(self) -> None:
        """Entering stepper mode: the network view follows the stages from now on."""
        self._active = True
        self._refresh()

    def deactivate(self) -> None:
        """Leaving stepper mode: the network view drops the stages' emphasis."""
        self._active = False
        self.overlay_changed.emit(None)
        self._say_lines_by_batch(False)

    def set_gradient_shown(self, shown: bool) -> None:
        """Tick or untick "Colour lines by ∂C/∂w" to match the window's state (no signal)."""
        self.gradient_toggle.blockSignals(True)
        self.gradient_toggle.setChecked(bool(shown))
        self.gradient_toggle.blockSignals(False)
        stage = self.current_stage()
        if self._active and stage is not None and stage.key == "batch":
            self.overlay_changed.emit(self._overlay(stage))  # its caption names the lines

    def set_presenting(self, on: bool) -> None:
        """Presentation mode: a page of one or two sentences (`turn_page`), the table's rows that
        matter (`toggle_all_rows`), the stage numbers on one line; no list, hint or tools."""
        self.presenting.on = bool(on)
        self.presenting.all_rows = False
        for w in (self.hint, self.check_button, self.gradient_toggle, self.export_button):
            w.setVisible(not on)
        self.road_map.setVisible(bool(on))
        self._text_row.setDirection(QBoxLayout.Direction.TopToBottom if on
                                    else QBoxLayout.Direction.LeftToRight)
        line = self.fontMetrics().lineSpacing()  # presenting: a small plot, the sentences first
        self.batch_view.sgd.setMaximumHeight(8 * line if on else 16_777_215)
        self._show_list_if_room()
        self._apply_fonts()
        if not self._dirty:
            self._show()

    def turn_page(self, step: int) -> bool:
        """Presenting: the stage's next (+1) or previous (−1) sentences; False if there are none."""
        stage = self.current_stage()
        if not self.presenting.turn(stage, step):
            return False
        self._show_text(stage)
        return True

    def toggle_all_rows(self) -> None:
        """Presenting: every row of the table, or back to the rows that matter."""
        self.presenting.all_rows = not self.presenting.all_rows
        if not self._dirty:
            self._fill_table(self.current_stage())

    def _show_text(self, stage: Stage) -> None:
        self.text.setText(self.presenting.text(stage))
        note = self.presenting.more(stage)
        self.page_note.setText(note)
        self.page_note.setVisible(bool(note))
        if self.presenting.on and stage.key == "batch":  # the plot comes with its sentences,
            sgd = self.batch_view.sgd                    # after the first page
            sgd.setVisible(self.presenting.page > 0 and sgd.demo is not None)
        self.text_area.refit()

    # -- navigation ----------------------------------------------------------------------------
    def current_stage(self) -> Stage | None:
        """The stage on show (a walk stage, or the weight / gradient-check page); None while
        there is none or the walk is out of date."""
        if self._dirty:
            return None
        if self._extra is not None:
            return self._extra
        return None if self._walk is None else self._walk.stages[self._index]

    def current_index(self) -> int:
        return self._index

    def stage_count(self) -> int:
        walk = self.walk
        return 0 if walk is None else len(walk)

    @property
    def walk(self) -> Walk | None:
        """The walk on show; None while there is none or it is out of date."""
        return None if self._dirty else self._walk

    def next_stage(self) -> None:
        if self._extra is not None:
            self._extra = None
        self.go_to(self._index + 1)

    def back(self) -> None:
        if self._extra is not None:  # Back from a side page returns to the stage you were on
            self._extra = None
            self.go_to(self._index)
            return
        self.go_to(self._index - 1)

    def go_to(self, i: int) -> None:
        if self._newer is not None:  # stepping rebuilds an out-of-date walk on the newer weights
            self.set_snapshot(self._newer)
        walk = self._walk_now()
        if walk is None:
            return
        self._extra = None
        self._index = max(0, min(int(i), len(walk) - 1))
        self._show()

    # -- actions -------------------------------------------------------------------------------
    def take_step(self) -> None:
        """One gradient step on this sample: propose the new parameters (the Session applies them
        and sends the new snapshot); the old ones are kept, exactly, for Undo."""
        walk = self._walk_now()
        if walk is None or self._snapshot is None:
            return
        snap = self._snapshot
        after = self._history.step((snap.weights, snap.biases),
                                   (walk.after.weights, walk.after.biases))
        step = walk.stage("step").values
        n = len(self._history)
        self._step_note = (f"{n} step{'s' if n > 1 else ''} taken — this one moved C from "
                           f"{fmt_sig(step['cost_before'], 3)} to "
                           f"{fmt_sig(step['cost_after'], 3)}. "
                           "Undo puts every weight back exactly.")
        self._update_step_row()
        self.parameters_proposed.emit(*after)

    def can_undo(self, snap: Snapshot) -> bool:
        """Whether `undo_step` would take back the step that made `snap`'s parameters."""
        return self._history.undoes(snap.weights, snap.biases)

    def undo_step(self) -> None:
        """Put back, bit for bit, the parameters from before the last step."""
        before = self._history.undo()
        if before is None:
            return
        left = len(self._history)
        self._step_note = ("Undone: every weight and bias is back, bit for bit."
                           + (f" {left} earlier step(s) can still be undone." if left else ""))
        self._update_step_row()
        self.parameters_proposed.emit(*before)

    def retranslate(self) -> None:
        """Every text again in the current language: the buttons, and the stage on show
        regenerated from its numbers (the same network, sample and stage; nothing recomputed
        but the words)."""
        self.labels.retranslate()
        self.batch_view.labels.retranslate()
        check = self._extra is not None and self._extra.key == "gradcheck"
        if check and self.last_check is not None and self._net is not None:
            self._extra = gradcheck_stage(self.last_check, self._net.parameter_count)
        self._dirty = True
        self._refresh()

    def run_gradient_check(self) -> GradCheckReport | None:
        """Backprop against central differences for every parameter (about 0.3 s), shown as a
        page: the worst relative error per layer and the worst offenders."""
        if self._walk_now() is None:
            return None
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            report = per_layer_gradcheck(self._net, self._x, self._label)
        finally:
            QApplication.restoreOverrideCursor()
        self.last_check = report
        self._extra = gradcheck_stage(report, self._net.parameter_count)
        self._extra_weight = None
        self._show()
        return report

    def lesson_on_show(self) -> LessonOnShow | None:
        """The walk on show with what a handout says of it (File › Export lesson…); None while
        there is no network and labelled sample to walk."""
        walk = self._walk_now()
        if walk is None:
            return None
        return LessonOnShow(walk, self._snapshot, self._x, self._names, self._description,
                            self._batch_size, self._signs)

    def export_trace(self, path) -> None:
        """Write this sample's trace (.npz, or .json by its suffix)."""
        walk = self._walk_now()
        if walk is None:
            raise RuntimeError("no network and sample to export yet")
        save_trace(walk.trace, path)

    def _on_export_clicked(self) -> None:
        if self._walk_now() is None:
            return
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export backpropagation trace", "trace.npz",
            "NumPy archive (*.npz);;JSON (*.json)")
        if not path:
            return
        if not Path(path).suffix:
            path += ".json" if "json" in chosen.lower() else ".npz"
        try:
            self.export_trace(path)
        except (OSError, ValueError) as e:
            QMessageBox.warning(self, "Export trace", f"Could not write {path}: {e}")

    def _on_list_row_changed(self, row: int) -> None:
        if row >= 0 and (row != self._index or self._extra is not None):
            self.go_to(row)

    # -- the walk ------------------------------------------------------------------------------
    def _ready(self) -> bool:
        return self._net is not None and self._x is not None and self._label is not None

    def _invalidate(self) -> None:
        self._dirty = True
        if self._active or self.isVisible():
            self._refresh()

    def _drop_check(self) -> None:
        if self._extra is not None and self._extra.key == "gradcheck":
            self._extra = None

    def _walk_now(self) -> Walk | None:
        """The walk for the current inputs, rebuilt first if they changed (for an action)."""
        if self._dirty:
            self._rebuild_walk()
        return self._walk

    def _rebuild_walk(self) -> None:
        self._dirty = False
        if self._walk is not None:  # the stage on show, found again by its key below
            self._stage_key = self._walk.stages[self._index].key
        self._walk = None
        if self._ready() and self._x.size == self._net.sizes[0] \
                and 0 <= self._label < self._net.sizes[-1]:
            n_out = self._net.sizes[-1]
            names = self._names if len(self._names) == n_out else tuple(map(str, range(n_out)))
            focus = self._focus if self._focus is not None and self._focus < n_out else None
            batch = self._batch
            if batch is not None and not self._batch_fits(batch):
                batch = None
            self._walk = build_walk(self._net, self._x, self._label, names, focus, self._lr,
                                    batch, self._batch_size, self._signs)
            self._index = self._same_stage(self._walk)
            self._fill_list()
            if self._extra is not None and self._extra.key == "weight" and self._extra_weight:
                try:
                    self._extra = self._weight_stage(self._walk, *self._extra_weight)
                except ValueError:
                    self._extra = None
        else:
            self._extra = None
            self.stage_list.clear()

    def _batch_fits(self, batch: MiniBatch) -> bool:
        """The batch fits the network and holds the sample on show, with its label."""
        return (batch.X.shape[1] == self._net.sizes[0]
                and int(batch.labels.max()) < self._net.sizes[-1]
                and int(batch.labels[batch.shown]) == self._label
                and np.array_equal(batch.X[batch.shown], self._x))

    def _same_stage(self, walk: Walk) -> int:
        """Where a new walk opens: on the stage with the key of the one on show before (the
        same stage of a network of the same shape, or the same-named one of another, e.g.
        "step"), else on its first stage — never on an unrelated stage by position."""
        try:
            return walk.index(self._stage_key) if self._stage_key is not None else 0
        except ValueError:
            return 0

    def _weight_stage(self, walk: Walk, l: int, j: int, k: int) -> Stage:
        numeric = None
        if 0 <= l < self._net.L and 0 <= j < self._net.sizes[l + 1] and 0 <= k < self._net.sizes[l]:
            numeric = check_parameter(self._net, self._x, self._label, l, j, k)
        names = self._names if len(self._names) == self._net.sizes[-1] else DIGITS
        return chain_rule(walk.trace, l, j, k, names, numeric=numeric)

    def _fill_list(self) -> None:
        titles = [s.short or s.title for s in self._walk.stages]
        if [self.stage_list.item(i).text() for i in range(self.stage_list.count())] != titles:
            self.stage_list.blockSignals(True)
            self.stage_list.clear()
            self.stage_list.addItems(titles)
            self.stage_list.blockSignals(False)

    def _refresh(self) -> None:
        self._walk_now()
        self._show()

    # -- showing a stage -----------------------------------------------------------------------
    def _show(self) -> None:
        walk = self._walk_now()
        self._update_hint()
        stage = self._extra if self._extra is not None else (
            None if walk is None else walk.stages[self._index])
        self._show_stale()
        if stage is None:
            self.title.setText(_("Backpropagation, one idea at a time"))
            if self._x is not None and self._label is None:
                self.text.setText(_("Which digit did you draw? Choose it under Draw, in “I drew "
                                    "a”: the walk starts from what you meant, never from the "
                                    "network's guess."))
            else:
                self.text.setText(_("Choose a sample under Sample — or draw a digit under Draw "
                                    "and say which one it is — to follow how the network learns "
                                    "from it."))
            self.formula.setText("∂C/∂w = aₖ · σ'(zⱼ) · ∂C/∂aⱼ")
            self.page_note.hide()
            self._fill_table(None)
            for w in (self.back_button, self.next_button, self.check_button, self.export_button):
                w.setEnabled(False)
            self.position.setText("")
            self.step_row.setVisible(False)
            self.batch_view.show_stage(None)
            self._say_lines_by_batch(False)
            if self._active:
                self.overlay_changed.emit(None)
            return
        self.title.setText(stage.title)
        self.presenting.follow(stage)
        self._show_text(stage)
        if self.presenting.on and walk is not None:
            self.road_map.setText(self.presenting.road_map(
                walk.stages, self._index if self._extra is None else None))
        self.formula.setText(stage.formula)
        self._fill_table(stage)
        n = len(walk)
        on_walk = self._extra is None
        self.back_button.setEnabled(not on_walk or self._index > 0)
        self.next_button.setEnabled(self._index < n - 1)
        self.check_button.setEnabled(True)
        self.export_button.setEnabled(True)
        self.position.setText(walk.position(self._index) if on_walk
                              else _("← back to stage {label}").format(
                                  label=walk.stages[self._index].label))
        self.stage_list.blockSignals(True)
        self.stage_list.setCurrentRow(self._index if on_walk else -1)
        self.stage_list.blockSignals(False)
        self._update_step_row()
        self._show_batch_parts(stage if on_walk and stage.key == "batch" else None)
        if self._active:
            self.overlay_changed.emit(self._overlay(stage))

    # -- stage 9's extras ----------------------------------------------------------------------
    def _show_batch_parts(self, stage: Stage | None) -> None:
        """Stage 9's thumbnails, lines toggle and SGD plot (`BatchStageView`), or none of them."""
        batch = stage.values.get("batch") if stage is not None else None
        self.batch_view.show_stage(stage, self._net, batch, self._lr, self._batch_size,
                                   self._names)
        if self.presenting.on:  # the table names the samples: the room goes to the sentences
            self.batch_view.samples.hide()
        self._say_lines_by_batch(stage is not None and batch is not None
                                 and self.batch_view.lines_by_batch)

    def _overlay(self, stage: Stage):
        """The stage's overlay; on stage 9 its caption says which gradient the lines show."""
        captions = stage.values.get("captions") if stage.key == "batch" else None
        if not captions:
            return stage.overlay
        if not self.gradient_toggle.isChecked():  # the lines show the weights
            return stage.overlay
        return dataclasses.replace(stage.overlay,
                                   caption=captions["batch" if self._lines_by_batch else "sample"])

    def _say_lines_by_batch(self, on: bool) -> None:
        """Tell the window (which owns the line colouring) when stage 9's choice takes effect or
        stops: only in stepper mode, on stage 9, with its toggle ticked."""
        on = bool(on) and self._active
        if on != self._lines_by_batch:
            self._lines_by_batch = on
            self.lines_by_batch_changed.emit(on)

    def _on_lines_by_batch_toggled(self, _checked: bool) -> None:
        self._show()

    def _on_batch_sample_clicked(self, i: int) -> None:
        """A thumbnail clicked: its row of the table, when the table lists it."""
        if 0 <= i < self.table.rowCount() - 1:  # the last row is the average
            self.table.selectRow(i)
            self.table.scrollToItem(self.table.item(i, 0))

    def _on_batch_words_changed(self, words: str) -> None:
        """Stage 9's text, then what its SGD plot beside it shows."""
        stage = self.current_stage()
        if stage is None or stage.key != "batch" or self._extra is not None:
            return
        if self.presenting.on:  # a page of the stage's sentences; the plot beside says the rest
            self._show_text(stage)
            return
        self.text.setText(stage.text + (f"\n\n{words}" if words else ""))
        self.text_area.updateGeometry()

    def _show_stale(self) -> None:
        """The out-of-date mark: shown while training has moved the weights on since the walk
        on show was built."""
        newer = self._newer
        self.stale_note.setVisible(newer is not None)
        if newer is not None:
            self.stale_note.setText(_(
                "Out of date: training has moved the weights on (now at {point}); this stage "
                "still shows the network as it was. Step (→ / ←) or pause training to rebuild it "
                "on the new weights.").format(point=training_point(newer.epoch, newer.batch)))

    def _update_hint(self) -> None:
        if self._x is None:
            self.hint.setText(_("No sample yet — choose one under Sample, or draw one under "
                                "Draw."))
            return
        if self._label is None:
            self.hint.setText(_("Your drawing has no label yet — say which digit it is with "
                                "“I drew a” under Draw."))
            return
        name = self._names[self._label] if self._label < len(self._names) else str(self._label)
        what = self._description or "this sample"
        if what in ("your drawing", "random noise"):  # its label is the Draw tab's "I drew a"
            hint = _("{what}, label {name} — set the label with “I drew a” under Draw.")
        else:
            hint = _("{what}, label {name} — pick another under Sample, or draw one under Draw.")
        what = _(what) if i18n.language() != "en" else f"{what[:1].upper()}{what[1:]}"
        self.hint.setText(hint.format(what=what, name=name))

    def _update_step_row(self) -> None:
        stage = self.current_stage()
        on_step = stage is not None and self._extra is None and stage.key == "step"
        self.step_row.setVisible(on_step)
        self.take_step_button.setEnabled(on_step and self._snapshot is not None)
        self.undo_button.setEnabled(self._history.can_undo)
        self.step_status.setText(self._step_note)

    def _fit_columns(self) -> None:
        """Columns as wide as their contents, the room to spare shared out evenly; a wide table
        (the wishes of ten outputs side by side) gets a smaller font, down to 70 %, to fit."""
        t = self.table
        header = t.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        n = t.columnCount()
        if n == 0:
            return
        spare = 0
        for factor in self._TABLE_SCALES:
            if t.font().pointSizeF() != self._table_size * factor:
                f = QFont(t.font())
                f.setPointSizeF(self._table_size * factor)
                t.setFont(f)
                for r in range(t.rowCount()):
                    for c in range(n):
                        item = t.item(r, c)
                        if item is not None and item.font().bold():
                            bold = QFont(f)
                            bold.setBold(True)
                            item.setFont(bold)
            t.resizeColumnsToContents()
            width = t.width() - 2 * t.frameWidth()
            if t.verticalHeader().length() + header.height() > t.height() - 2 * t.frameWidth():
                width -= t.verticalScrollBar().sizeHint().width()  # rows overflow: a scroll bar
            spare = width - sum(header.sectionSize(c) for c in range(n))
            if spare >= 0:
                break
        if spare > 0:
            for c in range(n):
                header.resizeSection(c, header.sectionSize(c) + spare // n)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.table and event.type() == QEvent.Type.Resize:
            self._fit_columns()
            self._refit_rows()
        return super().eventFilter(watched, event)

    def _table_room(self) -> int | None:
        """Presenting: how many rows fit the table's height beside its "more" line (a CJK font's
        taller rows fit fewer); None when not presenting or not laid out yet."""
        t = self.table
        row = t.rowHeight(0) if t.rowCount() else t.verticalHeader().defaultSectionSize()
        header = t.horizontalHeader()  # (the viewport is resized after the table's Resize)
        height = (t.height() - 2 * t.frameWidth()
                  - (header.sizeHint().height() if header.isVisibleTo(t) else 0))
        if not self.presenting.on or row <= 0 or height <= row:
            return None
        return height // row - 1

    def _refit_rows(self) -> None:
        """Presenting: the table filled again when its height now fits a different number of the
        rows that matter (never a row cut in half at the bottom)."""
        stage = self.current_stage()
        if stage is None or not stage.rows or not self.presenting.on:
            return
        if (stage is not self._shown_stage
                or self.presenting.rows(stage, self._table_room()) != self._shown_rows):
            self._fill_table(stage)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # In a narrow dock the stage's words and numbers need the room more than the list does;
        # the title ("4b · …") and "Stage 4b of 9" still say where you are.
        self._show_list_if_room()
        self._fit_columns()

    def _show_list_if_room(self) -> None:
        em = self.stage_list.fontMetrics().horizontalAdvance("M")
        self.stage_list.setVisible(not self.presenting.on
                                   and self.width() >= self._LIST_MIN_PANEL_EMS * em)

    def _fill_table(self, stage: Stage | None) -> None:
        t = self.table
        t.setUpdatesEnabled(False)
        try:
            t.clearContents()
            t.clearSpans()
            if stage is None or not stage.rows:
                t.setRowCount(0)
                t.setColumnCount(0)
                t.setVisible(stage is None)
                return
            t.setVisible(True)
            shown = self.presenting.rows(stage, self._table_room())  # all, or the rows that matter
            self._shown_stage, self._shown_rows = stage, shown
            columns = self.presenting.columns(stage, shown)  # and the columns
            cols = [(stage.columns or ("",) * len(stage.rows[0]))[c] for c in columns]
            hidden = (len(stage.rows) - len(shown), len(stage.rows[0]) - len(columns))
            t.setColumnCount(len(cols))
            t.setRowCount(len(shown) + any(hidden))
            t.setHorizontalHeaderLabels(cols)
            t.horizontalHeader().setVisible(any(cols))
            right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            bold = QFont(t.font())
            bold.setBold(True)
            values = stage.row_values or tuple((None,) * len(r) for r in stage.rows)
            for i, r in enumerate(shown):
                for c, (text, v) in enumerate((stage.rows[r][c], values[r][c]) for c in columns):
                    item = QTableWidgetItem(text)
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                    if r == stage.highlight:
                        item.setFont(bold)
                    if v is not None:
                        item.setTextAlignment(right)
                        item.setData(Qt.ItemDataRole.UserRole, float(v))
                        item.setToolTip(repr(float(v)))
                        if columns[c] in stage.signed and v != 0:
                            item.setForeground(self._green if v > 0 else self._red)
                    t.setItem(i, c, item)
            if any(hidden):
                more = QTableWidgetItem(_("… {more}: A shows all").format(more=_(", ").join(
                    text.format(n=n) for n, text in zip(hidden, (
                        ngettext("{n} more row", "{n} more rows", hidden[0]),
                        ngettext("{n} more column", "{n} more columns", hidden[1]))) if n)))
                more.setFlags(Qt.ItemFlag.ItemIsEnabled)
                t.setItem(len(shown), 0, more)
                t.setSpan(len(shown), 0, 1, len(cols))
            self._fit_columns()
            if stage.highlight in shown:
                t.scrollToItem(t.item(shown.index(stage.highlight), 0))
        finally:
            t.setUpdatesEnabled(True)
