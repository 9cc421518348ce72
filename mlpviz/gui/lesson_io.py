"""File › Save lesson… / Open lesson…: the whole lesson on screen in one .mlpviz file.

Saving gathers the state from its owners — the network, its settings and record from the
Session, the sample from the Sample tab, the drawing from the Draw tab, the stage from the
stepper, the pinned runs from the Runs tab, the cost curve from the cost plot, theme, palette,
presentation mode and the side panel from the window — into a
`core.lesson_file.LessonState`. Opening restores it in order: the dataset (read in the
background when it is another), then the network, then the inputs, the view, the side panel and
last the stepper's stage, each through its owner's own setter. A file that cannot be opened, or
a network that does not fit, leaves everything as it was and the banner says why.

Optional sections (checkpoints, baseline runs, pins …) plug in with `add_section(name, save,
restore)`: `save()` gives a record's `to_arrays()` (or None: nothing to keep), `restore(arrays)`
takes them back (`from_arrays`). Sections a file holds that nothing here restores are named.
"""

from __future__ import annotations

import os
from typing import Callable, Mapping, NamedTuple

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QFileDialog

from mlpviz.core.lesson_file import EXTENSION, LessonFileError, LessonState, read_lesson, \
    write_lesson
from mlpviz.core.model_metadata import ModelMetadata
from mlpviz.core.network import Network
from mlpviz.core.runs import Runs
from mlpviz.gui import lesson_layout
from mlpviz.gui.side_tabs import show_tab, side_docks, tab_on_show
from mlpviz.i18n import N_, _, tidy

FILTER = N_("mlpviz lessons (*.mlpviz)")  # translated where shown
Arrays = Mapping[str, np.ndarray]


class _Section(NamedTuple):
    """An optional section: how its arrays are made, put back, and emptied (None: never)."""

    save: Callable[[], Arrays | None]
    restore: Callable[[Arrays], None]
    clear: Callable[[], None] | None


class LessonFiles(QObject):
    """The window's lesson files. `opened(path)` once a lesson is fully restored."""

    opened = Signal(str)

    def __init__(self, window):
        super().__init__(window)
        self._window = window
        self._sections: dict[str, _Section] = {}
        self._palette: tuple[Callable[[], str], Callable[[str], None] | None] = (
            lambda: window._palette_name, window._set_palette)
        self._pending: tuple[str, LessonState] | None = None  # waiting for its dataset
        window.session.dataset_changed.connect(self._on_dataset_changed)
        window.session.failed.connect(self._on_failed)
        self.add_section("cost_curve", window.cost_view.curve_arrays,
                         window.cost_view.restore_curve)
        runs = window.runs_view
        self.add_section("baselines",
                         lambda: runs.pinned().to_arrays() if runs.pinned().runs else None,
                         lambda arrays: runs.set_pinned(Runs.from_arrays(arrays)),
                         clear=lambda: runs.set_pinned(Runs()))
        self.add_section(lesson_layout.SECTION, lambda: lesson_layout.layout_arrays(window),
                         lambda arrays: lesson_layout.restore_layout(window, arrays))

    # -- what other parts of the window plug in ---------------------------------------------------
    def add_section(self, name: str, save: Callable[[], Arrays | None],
                    restore: Callable[[Arrays], None],
                    clear: Callable[[], None] | None = None) -> None:
        """An optional section of the file: `save()` → named arrays (None: leave it out),
        `restore(arrays)` puts them back after the network, inputs and view (ValueError: they
        are not its arrays), `clear()` empties it when a lesson opened has no such section."""
        self._sections[name] = _Section(save, restore, clear)

    def set_palette_access(self, get: Callable[[], str], put: Callable[[str], None]) -> None:
        """How the line colours' palette is read and set (its owner's getter and setter)."""
        self._palette = (get, put)

    # -- saving -------------------------------------------------------------------------------------
    def gather(self) -> LessonState:
        """The lesson on screen now, from each piece's owner."""
        w, s = self._window, self._window.session
        snap = s.snapshot
        record = ModelMetadata(epochs=snap.epoch, batches_seen=s.batches_seen,
                               samples_seen=snap.samples_seen, history=tuple(s.history),
                               epoch_ends=s.epoch_ends)
        choice = w.sample_view.current()
        drawn = not w.drawing_pad.is_empty()
        label = w.drawn_label.currentIndex()
        groups = {name: dict(arrays) for name, section in self._sections.items()
                  if (arrays := section.save()) is not None}
        return LessonState(
            snap.sizes, snap.activation, snap.cost, snap.weights, snap.biases,
            dataset=s.dataset_spec, dataset_name=s.dataset.name, lr=s.lr,
            batch_size=s.batch_size, seed=s.seed, record=record,
            sample=None if choice is None else (choice.split, choice.index),
            drawing=w.drawing_pad.current_input() if drawn else None,
            drawing_label=label if drawn and label >= 0 else None,
            source=w._source if drawn else "sample",
            stage=w.stepper.current_index(),  # kept while a new snapshot rebuilds the walk
            theme=w._theme_name, palette=self._palette[0](), presentation=w._presentation,
            tab=tab_on_show(w), groups=groups)

    def save(self, path) -> bool:
        """Write the lesson on screen to `path`; False (the banner says why) if it cannot be."""
        try:
            write_lesson(path, self.gather())
        except OSError as e:
            self._window._on_failed(_("Could not save the lesson to {path}: {reason}.").format(
                path=path, reason=e.strerror or e))
            return False
        except ValueError as e:
            self._window._on_failed(_("Could not save the lesson to {path}: {reason}").format(
                path=path, reason=e))
            return False
        self._window.statusBar().showMessage(_("Saved the lesson to {path}").format(path=path),
                                             5000)
        return True

    def save_dialog(self) -> None:
        path, __ = QFileDialog.getSaveFileName(self._window, _("Save lesson"),
                                               f"lesson{EXTENSION}", _(FILTER))
        if path:
            self.save(path if path.endswith(EXTENSION) else path + EXTENSION)

    # -- opening -----------------------------------------------------------------------------------
    def open_dialog(self) -> None:
        path, __ = QFileDialog.getOpenFileName(self._window, _("Open lesson"), "", _(FILTER))
        if path:
            self.open(path)

    def open(self, path) -> bool:
        """Read `path` and restore it (after its dataset is loaded, when it is another). False,
        with the banner saying why, when the file cannot be read; nothing changes then."""
        try:
            state = read_lesson(path)
        except (LessonFileError, OSError) as e:
            self._window._on_failed(_("Could not open the lesson: {reason}").format(reason=e))
            return False
        self.restore(state, str(path))
        return True

    def restore(self, state: LessonState, path: str = "") -> None:
        """Put `state` on screen: its dataset first (in the background if it is another one),
        then everything else in order."""
        session = self._window.session
        self._window.session.pause()
        if state.dataset == session.dataset_spec:
            self._apply(state, path)
            return
        self._pending = (path, state)
        session.set_dataset(state.dataset)

    def _on_dataset_changed(self, dataset) -> None:
        if self._pending is not None and self._window.session.dataset_spec == self._pending[1].dataset:
            path, state = self._pending
            self._pending = None
            self._apply(state, path)

    def _on_failed(self, message: str) -> None:
        """The lesson's dataset could not be loaded: the lesson is not opened."""
        if self._pending is not None:
            path, state = self._pending
            self._pending = None
            sentence = tidy(_("The lesson {name} was not opened: it was made on the data "
                              "{data}.").format(name=os.path.basename(path),
                                                data=repr(state.dataset)) + " " + message)
            # after the window's own handler, which shows `message` alone
            QTimer.singleShot(0, lambda: self._window._on_failed(sentence))

    def _apply(self, state: LessonState, path: str) -> None:
        w = self._window
        net = Network.from_parameters(state.sizes, state.activation, state.cost,
                                      [np.array(W) for W in state.weights],
                                      [np.array(b) for b in state.biases])
        if not w.session.restore_network(net, state.metadata(), state.seed):
            return  # the banner says why; the network on show is kept
        notes = [self._restore_inputs(state), self._restore_view(state)]
        notes += self._restore_sections(state.groups)
        notes.append(self._restore_stage(state))
        problems = tidy(" ".join(n for n in notes if n))
        name = os.path.basename(path) or _("the lesson")
        if problems:
            w._on_failed(_("Opened {name}, except: {problems}").format(name=name,
                                                                      problems=problems))
        w.statusBar().showMessage(_("Opened the lesson {name}").format(name=name), 8000)
        self.opened.emit(path)

    def _restore_inputs(self, state: LessonState) -> str | None:
        """The sample and the drawing, the one on show last."""
        w = self._window
        note = None

        def sample() -> None:
            nonlocal note
            split, index = state.sample
            n = len(getattr(w.session.dataset, f"{split}_labels"))
            if index < n:
                w.sample_view.select(index, split)
            else:
                note = _("its sample {index} is not in this data's {n} samples.").format(
                    index=index, n=n)

        def drawing() -> None:
            label = -1 if state.drawing_label is None else state.drawing_label
            w.drawn_label.blockSignals(True)
            w.drawn_label.setCurrentIndex(label)
            w.drawn_label.blockSignals(False)
            w.drawing_pad.show_input(state.drawing)

        steps = [f for f, there in ((sample, state.sample is not None),
                                    (drawing, state.drawing is not None)) if there]
        if state.source == "sample":
            steps.reverse()  # the sample goes on show last
        if state.drawing is None:
            w.drawing_pad.clear()
        for step in steps:
            step()
        return note

    def _restore_view(self, state: LessonState) -> str | None:
        """Theme, palette, presentation mode and the side panel on show."""
        w = self._window
        note = None
        (w.light_action if state.theme == "light" else w.dark_action).trigger()
        get, put = self._palette
        if state.palette != get():
            try:
                if put is None:
                    raise ValueError(state.palette)
                put(state.palette)
            except ValueError:  # a palette this mlpviz does not have: the colours stay
                note = _("this mlpviz has no “{name}” palette.").format(name=state.palette)
        if w.presentation_action.isChecked() != state.presentation:
            w.presentation_action.trigger()
        tab = state.tab or "sample"
        if tab not in side_docks(w):
            return note or _("this mlpviz has no “{name}” panel.").format(name=tab)
        show_tab(w, "draw" if state.source == "drawing" else "sample")  # the input on show
        show_tab(w, tab)
        return note

    def _restore_sections(self, groups: Mapping[str, Arrays]) -> list[str]:
        notes = []
        for name, section in self._sections.items():
            if name not in groups and section.clear is not None:
                section.clear()  # the lesson has none: none are left from before
        for name, arrays in groups.items():
            if name not in self._sections:
                notes.append(_("this mlpviz does not show the lesson's {name}.").format(name=name))
                continue
            try:
                self._sections[name].restore(arrays)
            except (ValueError, KeyError, TypeError) as e:
                notes.append(_("its {name} could not be read ({reason}).").format(
                    name=name.replace("_", " "), reason=e))
        return notes

    def _restore_stage(self, state: LessonState) -> str | None:
        """The stepper's stage, last: on the network and the input now on show."""
        if state.stage is None:
            return None
        stepper = self._window.stepper
        QApplication.processEvents()
        stepper.go_to(state.stage)
        if stepper.walk is None or stepper.current_index() != state.stage:
            count = stepper.stage_count()
            return _("its stepper stage {stage} is not among this walk's {count}.").format(
                stage=state.stage + 1, count=count)
        return None
