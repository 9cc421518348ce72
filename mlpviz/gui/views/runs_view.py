"""Compare runs: pin finished runs as baselines, rerun from the same start, and see the first
layer's weight pictures of a pinned run beside this run's.

The view owns the record of the run on show (`core.runs.RunLog`, fed the session's reports by
the window) and the pinned runs (`core.runs.Runs`), each with its colour. Whenever either or the
current settings change it emits `baselines_changed` with what the cost view draws: each pinned
run as a `BaselineCurve` labelled with what differs from this run (`core.runs.difference_label`)
and placed by the samples it had seen, in this run's mini-batches.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGridLayout, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout,
    QWidget,
)

from mlpviz.core.colormap import (
    DEFAULT_BACKGROUND, rgb_to_hex, sign_colors, signed_rgb_per_image, updated_colors,
)
from mlpviz.core.explain import training_point
from mlpviz.core.palette import LESSON
from mlpviz.core.runs import (
    MAX_PINNED, RunLog, Runs, RunSettings, baseline_curve, difference_label, settings_text,
)
from mlpviz.gui.labels import Labels
from mlpviz.gui.qimage import color_hex, rgb_to_qimage
from mlpviz.i18n import N_, _, ngettext, tidy
from mlpviz.gui.views.weights_grid import SCALE_PERCENTILE, TileGrid

# One colour per pinned run (none is the cost plot's blue, orange or green); a run keeps its
# colour while pinned, a new one takes the first free.
RUN_COLORS = ("#b463e6", "#e0458f", "#19a9c2", "#c9a227", "#8d8d8d")
assert len(RUN_COLORS) >= MAX_PINNED

CAPTION = N_("<b>Compare runs.</b> <i>Pin</i> a run: its cost and held-out accuracy stay on the "
           "plots (dashed), keyed by what differs from the run on show. <i>Rerun from the same "
           "start</i> trains again from this run's first weights and shuffle order, with the η "
           "and batch size set now. Runs are placed by the samples they have seen.")



class RunsView(QWidget):
    """The pinned runs (a list with remove), the buttons, and two weight-picture grids.

    Signals: pin_requested(), rerun_requested() (the buttons; the window has the snapshot and
    the session), baselines_changed(tuple[(BaselineCurve, colour), ...]), problem_found(str).
    Setters: add_batches, add_epoch, clear_run(samples_seen), set_settings(RunSettings),
    pin(snapshot, settings), remove(index), set_pinned(Runs), set_snapshot, set_theme.
    Readers: pinned() → Runs, labels().
    """

    pin_requested = Signal()
    rerun_requested = Signal()
    baselines_changed = Signal(object)
    problem_found = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._log = RunLog()
        self._runs = Runs()
        self._colors: list[str] = []  # parallel to self._runs.runs
        self._settings: RunSettings | None = None
        self._batch_size = 100
        self._picture_colors = (DEFAULT_BACKGROUND, *sign_colors())  # until the theme's
        self._current_weights: np.ndarray | None = None
        self._words = LESSON.words  # the palette's names of the sign colours
        self._texts = texts = Labels()  # the fixed texts, in the current language
        self._point: tuple[int, int] | None = None  # the run on show's (epoch, batch)
        caption = QLabel()
        texts.add(caption.setText, CAPTION)
        caption.setWordWrap(True)
        caption.setTextFormat(Qt.TextFormat.RichText)
        self.pin_button = QPushButton()
        texts.add(self.pin_button.setText, N_("Pin this run"))
        texts.add(self.pin_button.setToolTip,
                  N_("Keep this run's curves on the plots as a baseline (Ctrl+B)"))
        self.rerun_button = QPushButton()
        texts.add(self.rerun_button.setText, N_("Rerun from the same start"))
        texts.add(self.rerun_button.setToolTip, N_("The same initial weights and shuffle order, "
                                                   "with the η and batch size set now (Ctrl+R)"))
        self.pin_button.clicked.connect(self.pin_requested)
        self.rerun_button.clicked.connect(self.rerun_requested)
        self.run_list = QListWidget()
        texts.add(self.run_list.setToolTip, N_("The pinned runs, keyed by what differs from the "
                                               "run on show; select one to see its weights "
                                               "below, Delete removes it"))
        self.remove_button = QPushButton()
        texts.add(self.remove_button.setText, N_("Remove"))
        texts.add(self.remove_button.setToolTip, N_("Unpin the selected run (Delete)"))
        self.remove_button.clicked.connect(self._on_remove_clicked)
        QShortcut(QKeySequence.StandardKey.Delete, self.run_list, self._on_remove_clicked,
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.run_list.currentRowChanged.connect(lambda _row: self._render_pictures())
        self.current_caption = QLabel()
        self.pinned_caption = QLabel()
        self._say_current()
        for label in (self.current_caption, self.pinned_caption):
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.current_grid, self.pinned_grid = TileGrid(), TileGrid()
        buttons = QHBoxLayout()
        buttons.addWidget(self.pin_button)
        buttons.addWidget(self.rerun_button)
        remove_row = QHBoxLayout()
        remove_row.addStretch(1)
        remove_row.addWidget(self.remove_button)
        pictures = QGridLayout()
        pictures.addWidget(self.current_caption, 0, 0)
        pictures.addWidget(self.pinned_caption, 0, 1)
        pictures.addWidget(self.current_grid, 1, 0)
        pictures.addWidget(self.pinned_grid, 1, 1)
        pictures.setRowStretch(1, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(caption)
        lay.addLayout(buttons)
        lay.addWidget(self.run_list)
        lay.addLayout(remove_row)
        self.weights_caption = QLabel()
        lay.addWidget(self.weights_caption)
        lay.addLayout(pictures, 1)
        self._refresh()

    # -- the run on show ---------------------------------------------------------------------
    def add_batches(self, reports) -> None:
        self._log.add_batches(reports)

    def add_epoch(self, report) -> None:
        self._log.add_epoch(report)

    def clear_run(self, samples_seen: int = 0) -> None:
        """A new network (or the same start again): its record starts afresh."""
        self._log.clear(samples_seen)

    def set_settings(self, settings: RunSettings) -> None:
        """The run on show's settings (the labels compare with them; its batch size places the
        baselines)."""
        self._settings = settings
        self._batch_size = settings.batch_sizes[-1]
        self._refresh()

    def set_snapshot(self, snap) -> None:
        """This run's newest first-layer weights W⁽¹⁾ for the left pictures."""
        self._current_weights = np.asarray(snap.weights[0])
        self._point = snap.epoch, snap.batch
        self._say_current()
        self._render_pictures()

    def retranslate(self) -> None:
        """Every text again in the current language (the same runs, the same curves)."""
        self._texts.retranslate()
        self._say_current()
        self._refresh()

    def _say_current(self) -> None:
        if self._point is None:
            self.current_caption.setText(_("<b>This run</b>"))
        else:
            self.current_caption.setText(_("<b>This run</b>, {when}").format(
                when=training_point(*self._point)))

    # -- pinning -----------------------------------------------------------------------------
    def pin(self, snap, settings: RunSettings) -> bool:
        """Pin the run on show as it is now (`snap`: its latest parameters); problem_found and
        False when it has not trained a mini-batch or MAX_PINNED runs are pinned."""
        if self._log.batches == 0:
            self.problem_found.emit(_("There is nothing to pin yet: this run has not trained a "
                                      "mini-batch. Train it, then pin it."))
            return False
        try:
            self._runs = self._runs.pinned(self._log.run(settings, snap.weights[0]))
        except ValueError as e:
            self.problem_found.emit(_("The run was not pinned: {reason}.").format(reason=e))
            return False
        self._colors.append(next(c for c in RUN_COLORS if c not in self._colors))
        self._refresh()
        self.run_list.setCurrentRow(len(self._colors) - 1)
        return True

    def remove(self, index: int) -> None:
        if 0 <= index < len(self._colors):
            self._runs = self._runs.removed(index)
            del self._colors[index]
            self._refresh()

    def pinned(self) -> Runs:
        """The pinned runs (what a lesson file saves)."""
        return self._runs

    def set_pinned(self, runs: Runs) -> None:
        """Pin exactly `runs` (a lesson file's), in the colours in order."""
        self._runs = Runs(tuple(runs.runs[:MAX_PINNED]))
        self._colors = list(RUN_COLORS[:len(self._runs.runs)])
        self._refresh()

    def pinned_arrays(self) -> dict[str, np.ndarray]:
        """The pinned runs as a lesson file keeps them (`Runs.to_arrays`), none too: opening
        the lesson pins exactly its runs."""
        return self._runs.to_arrays()

    def restore_pinned(self, arrays) -> None:
        """Pin the runs `pinned_arrays` gave (ValueError, nothing changed, when they are not)."""
        self.set_pinned(Runs.from_arrays(arrays))

    def labels(self) -> list[str]:
        """What differs from the run on show, per pinned run (as the plots' key says it)."""
        return [self._label(run) for run in self._runs.runs]

    # -- looks -------------------------------------------------------------------------------
    def set_theme(self, theme) -> None:
        """The pictures in the theme's sign colours, the caption naming them."""
        self._picture_colors = updated_colors(
            self._picture_colors, color_hex(getattr(theme, "background", None)),
            color_hex(getattr(theme, "positive", None)),
            color_hex(getattr(theme, "negative", None)))
        self._words = getattr(theme, "palette", LESSON).words
        self._render_pictures()

    # -- internals ---------------------------------------------------------------------------
    def _label(self, run) -> str:
        return _("pinned") if self._settings is None else difference_label(run.settings,
                                                                           self._settings)

    def _on_remove_clicked(self) -> None:
        self.remove(self.run_list.currentRow())

    def _refresh(self) -> None:
        """The list, the buttons and the curves from the pinned runs and the settings."""
        row = self.run_list.currentRow()
        self.run_list.blockSignals(True)
        self.run_list.clear()
        curves = []
        for run, colour in zip(self._runs.runs, self._colors):
            label = self._label(run)
            acc = run.final_accuracy
            said = (_("held-out {percent} %").format(percent=f"{100 * acc:.1f}")
                    if math.isfinite(acc) else _("no epoch yet"))
            item = QListWidgetItem(tidy(ngettext("━ ━  {label}  ·  {epochs} epoch, {said}",
                                                 "━ ━  {label}  ·  {epochs} epochs, {said}",
                                                 run.epochs).format(
                label=label, epochs=run.epochs, said=said)))
            item.setForeground(QColor(colour))
            item.setToolTip(settings_text(run.settings))
            self.run_list.addItem(item)
            curves.append((baseline_curve(run, label, self._batch_size), colour))
        self.run_list.setCurrentRow(min(row, self.run_list.count() - 1))
        self.run_list.blockSignals(False)
        self.remove_button.setEnabled(bool(self._colors))
        self.pin_button.setEnabled(len(self._colors) < MAX_PINNED)
        self._render_pictures()
        self.baselines_changed.emit(tuple(curves))

    def _render_pictures(self) -> None:
        background, positive, negative = self._picture_colors
        pos, neg = rgb_to_hex(positive), rgb_to_hex(negative)
        self.weights_caption.setText(_(
            "<b>First-layer weights</b> (<b><span style='color:{pos}'>{pos_word}</span></b> "
            "&gt; 0, <b><span style='color:{neg}'>{neg_word}</span></b> &lt; 0):").format(
                pos=pos, neg=neg, pos_word=_(self._words[0]), neg_word=_(self._words[1])))
        for grid, W in ((self.current_grid, self._current_weights),
                        (self.pinned_grid, self._selected_weights())):
            side = 0 if W is None else int(round(math.sqrt(W.shape[1])))
            if W is None or side * side != W.shape[1]:
                grid.set_images([])
                continue
            rgb = signed_rgb_per_image(W.reshape(len(W), side, side), SCALE_PERCENTILE,
                                       background=background, positive=positive,
                                       negative=negative)
            grid.set_images([rgb_to_qimage(a) for a in rgb])

    def _selected_weights(self) -> np.ndarray | None:
        row = self.run_list.currentRow()
        if not 0 <= row < len(self._colors):
            self.pinned_caption.setText(_("<b>Pinned run</b>: none selected"))
            return None
        run, colour = self._runs.runs[row], self._colors[row]
        self.pinned_caption.setText(ngettext(
            "<b><span style='color:{colour}'>Pinned</span></b>: {label}, after {n} epoch",
            "<b><span style='color:{colour}'>Pinned</span></b>: {label}, after {n} epochs",
            run.epochs).format(colour=colour, label=self._label(run), n=run.epochs))
        return run.first_weights
