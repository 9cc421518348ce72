"""For slides, in the window: File › Export view as PNG…, Export stepper stages…, Record….

Slides asks (a small dialog, then where to write), does the work through gui.export (pictures)
and gui.recorder (a real training run filmed by the window, encoded by mlpviz.movie off the GUI
thread), and says in the status bar what was written; a failure goes to the banner and loses
nothing. While a recording runs, File › Record… reads "Stop recording" and the status bar counts
the frames; stopping keeps the frames so far.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog, QFormLayout, QHBoxLayout,
    QLabel, QLineEdit, QPushButton, QSpinBox, QWidget,
)

from mlpviz.core.recording import (
    batches_per_epoch, describe, frame_batches, frame_count, frames_problem,
)
from mlpviz.gui import export
from mlpviz.gui.background import Background
from mlpviz.gui.recorder import Recorder
from mlpviz.i18n import N_, _
from mlpviz.movie import MovieError, movie_problem, open_movie

WHAT = {"window": N_("The whole window"), "network": N_("The network view")}


def _what_box(parent: QWidget) -> QComboBox:
    box = QComboBox(parent)
    for key, text in WHAT.items():
        box.addItem(_(text), key)
    return box


class ExportViewDialog(QDialog):
    """What to export (the whole window or the network view) and at which scale (1×, 2×, 3×:
    the pixel size is shown), before the file is chosen."""

    def __init__(self, window):
        super().__init__(window)
        self.setWindowTitle(_("Export view as PNG"))
        self._window = window
        form = QFormLayout(self)
        self.what = _what_box(self)
        self.scale = QComboBox(self)
        form.addRow(_("Picture of"), self.what)
        form.addRow(_("Scale"), self.scale)
        self.what.currentIndexChanged.connect(lambda _i: self._fill_scales())
        self._fill_scales()
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, parent=self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _fill_scales(self) -> None:
        widget = self._window.network_view if self.what.currentData() == "network" else self._window
        i = max(0, self.scale.currentIndex())
        self.scale.clear()
        for s in export.SCALES:
            self.scale.addItem(_("{s}×  ({w}×{h} pixels)").format(
                s=s, w=widget.width() * s, h=widget.height() * s), s)
        self.scale.setCurrentIndex(i)


class RecordDialog(QDialog):
    """How long to train and film: epochs, frames a second, the film's length in seconds, what
    to film and the file (.gif, .mp4); the line under them says what a frame stands for, or
    why this cannot be filmed (then OK is off)."""

    def __init__(self, window, per_epoch: int):
        super().__init__(window)
        self.setWindowTitle(_("Record training"))
        self._per_epoch = per_epoch
        form = QFormLayout(self)
        self.epochs = QSpinBox(self)
        self.epochs.setRange(1, 1000)
        self.epochs.setValue(3)
        self.fps = QSpinBox(self)
        self.fps.setRange(1, 60)
        self.fps.setValue(10)
        self.seconds = QDoubleSpinBox(self)
        self.seconds.setRange(0.5, 600)
        self.seconds.setDecimals(1)
        self.seconds.setValue(10)
        self.what = _what_box(self)
        self.path = QLineEdit(str(Path.home() / "mlpviz-training.gif"), self)
        choose = QPushButton(_("Choose…"), self)
        choose.clicked.connect(self._choose)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(choose)
        form.addRow(_("Epochs to train"), self.epochs)
        form.addRow(_("Frames a second"), self.fps)
        form.addRow(_("Length (seconds)"), self.seconds)
        form.addRow(_("Film"), self.what)
        form.addRow(_("File (.gif, .mp4)"), row)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setMinimumHeight(4 * self.summary.fontMetrics().height())  # the longest
        self.setMinimumWidth(64 * self.summary.fontMetrics().averageCharWidth())
        form.addRow(self.summary)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, parent=self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        for box in (self.epochs, self.fps, self.seconds):
            box.valueChanged.connect(lambda _v: self._check())
        self.path.textChanged.connect(lambda _t: self._check())
        self._check()

    def _choose(self) -> None:
        path, __ = QFileDialog.getSaveFileName(self, _("Record training"), self.path.text(),
                                               _("Animated GIF (*.gif);;MP4 video (*.mp4)"))
        if path:
            self.path.setText(path)

    @property
    def frames(self) -> int:
        return frame_count(self.fps.value(), self.seconds.value())

    def problem(self) -> str | None:
        return (movie_problem(self.path.text(), self.fps.value())
                or frames_problem(self.frames, self.epochs.value(), self._per_epoch))

    def _check(self) -> None:
        problem = self.problem()
        text = problem or describe(self.frames, self.fps.value(), self.epochs.value(),
                                   self._per_epoch)
        self.summary.setText(_("{sentence}.").format(sentence=text[0].upper() + text[1:]))
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(problem is None)


class Slides(QObject):
    """The window's exports and recordings (see the module docstring). Signals:
    recording_changed(bool): a recording started or ended; saved(str): a file or folder
    written, in a sentence."""

    recording_changed = Signal(bool)
    saved = Signal(str)

    def __init__(self, window):
        super().__init__(window)
        self._window = window
        self._recorder: Recorder | None = None
        self._movie = None
        self._files = Background(self)  # the film's encoding, off the GUI thread
        self._files.busy_changed.connect(window._on_busy_changed)
        self.dialog: QDialog | None = None  # the question on screen, if any

    # -- pictures ----------------------------------------------------------------------------
    def _widget(self, what: str) -> QWidget:
        return self._window.network_view if what == "network" else self._window

    def ask_export_view(self) -> None:
        self.dialog = ExportViewDialog(self._window)
        if self.dialog.exec() != QDialog.Accepted:
            return
        what, scale = self.dialog.what.currentData(), self.dialog.scale.currentData()
        path, __ = QFileDialog.getSaveFileName(self._window, _("Export view as PNG"),
                                               "mlpviz.png", "PNG (*.png)")
        if path:
            self.export_view(path if path.lower().endswith(".png") else path + ".png", what,
                             scale)

    def export_view(self, path, what: str = "window", scale: float = 1) -> bool:
        """Save the whole window, or the network view, as it looks now, at `scale`."""
        widget = self._widget(what)
        if widget is self._window:
            self._window.cost_view.flush()
        try:
            export.export_widget(widget, path, scale)
        except OSError as e:
            self._window._on_failed(_("Could not write {path}: {reason}.").format(
                path=path, reason=e.strerror or e))
            return False
        self.saved.emit(_("Saved {path}").format(path=path))
        return True

    def ask_export_stages(self) -> None:
        folder = QFileDialog.getExistingDirectory(self._window,
                                                  _("Export stepper stages to a folder"))
        if folder:
            self.export_stages(folder)

    def export_stages(self, folder, scale: float = 1) -> list[Path]:
        """Every stage of the stepper's walk as numbered PNGs of the window in `folder`."""
        try:
            written = export.export_stages(self._window, folder, scale)
        except OSError as e:
            self._window._on_failed(_("Could not write the stages to {folder}: {reason}.")
                                    .format(folder=folder, reason=e.strerror or e))
            return []
        if not written:
            self._window._on_failed(_("The stepper has no walk to export yet: choose a sample "
                                      "(or say which digit you drew)."))
            return []
        self.saved.emit(_("Saved {n} stages to {folder} ({first} … {last})").format(
            n=len(written), folder=folder, first=written[0].name, last=written[-1].name))
        return written

    # -- films -------------------------------------------------------------------------------
    @property
    def recording(self) -> bool:
        return self._recorder is not None

    def _per_epoch(self) -> int:
        s = self._window.session
        return batches_per_epoch(len(s.dataset.train_labels), s.batch_size)

    def ask_record(self) -> None:
        """Record… (or, while recording, stop)."""
        if self.recording:
            self.stop_recording()
            return
        self.dialog = dialog = RecordDialog(self._window, self._per_epoch())
        if dialog.exec() != QDialog.Accepted or dialog.problem():
            return
        self.record(dialog.path.text(), dialog.epochs.value(), dialog.fps.value(),
                    dialog.seconds.value(), dialog.what.currentData())

    def record(self, path, epochs: int, fps: float, seconds: float,
               what: str = "window") -> bool:
        """Train `epochs` epochs from the weights on show, filming fps · seconds frames; False
        (and the banner says why) when it cannot start."""
        w = self._window
        frames = frame_count(fps, seconds)
        problem = frames_problem(frames, epochs, self._per_epoch())
        try:
            if problem:
                raise MovieError(problem)
            self._movie = open_movie(path, fps)
        except (MovieError, OSError) as e:
            w._on_failed(_("Cannot record: {reason}.").format(reason=e))
            return False
        widget = self._widget(what)
        movie = self._movie
        self._recorder = Recorder(w.session, frame_batches(epochs * self._per_epoch(), frames),
                                  lambda _i: movie.add(export.window_frame(w, widget)), self)
        self._recorder.frame_taken.connect(self._on_frame_taken)
        self._recorder.finished.connect(self._on_recorded)
        self.recording_changed.emit(True)
        self._recorder.start()
        return True

    def stop_recording(self) -> None:
        if self._recorder is not None:
            self._recorder.stop()

    def _on_frame_taken(self, done: int, total: int) -> None:
        self._window.statusBar().showMessage(
            _("Recording: frame {done} of {total} (File › Stop recording keeps the frames so "
              "far)").format(done=done, total=total))

    def _on_recorded(self, reason: str) -> None:
        movie, self._movie = self._movie, None
        self._recorder = None
        self.recording_changed.emit(False)
        if movie.frames == 0:
            movie.discard()
            return
        short = _(" (stopped: {reason})").format(reason=_(reason)) if reason else ""

        def done(_result, error) -> None:
            if error is not None:
                self._window._on_failed(_("Could not write {path}: {reason}.").format(
                    path=movie.path, reason=getattr(error, "strerror", None) or error))
                return
            self.saved.emit(_("Saved {path}: {n} frames{short}").format(
                path=movie.path, n=movie.frames, short=short))

        self._files.run(_("Writing {name} …").format(name=movie.path.name), movie.save, done)
