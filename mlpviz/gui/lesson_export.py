"""File › Export lesson…: the backprop walk on show as a printable handout (.html or .md).

The stepper's walk (`StepperPanel.lesson_on_show`: the numbers, sentences and tables on screen)
is what the handout prints; its pictures are rendered one stage per event-loop turn by a private
network view (`gui.handout_pictures`), the status bar saying how far it is, so the window stays
responsive; then `core.handout_files` writes the file whole. Any problem — no sample to walk, a
file that cannot be written — is one sentence on the window's banner, and nothing is half-written.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFileDialog

from mlpviz import i18n
from mlpviz.core.handout import Handout, LessonOnShow, about_lines
from mlpviz.core.handout_files import check_handout_target, handout_format, write_handout
from mlpviz.gui.handout_pictures import StagePictures
from mlpviz.i18n import N_, _, count, ngettext

FILTERS = N_("Web page, pictures inside (*.html);;Markdown, pictures in a folder beside it "
              "(*.md)")  # translated where shown


class LessonExport(QObject):
    """The window's lesson export: at most one at a time."""

    written = Signal(str)  # the handout's path, once it is whole on disk
    failed = Signal(str)  # why it was not written

    def __init__(self, window):
        super().__init__(window)
        self._window = window
        self._job: _Job | None = None

    @property
    def busy(self) -> bool:
        return self._job is not None

    def ask(self) -> None:
        """The file dialog, then the export."""
        path, chosen = QFileDialog.getSaveFileName(self._window, _("Export lesson"),
                                                   "lesson.html", _(FILTERS))
        if path:
            if handout_format(path) is None:
                path += ".md" if "*.md" in chosen else ".html"
            self.export(path)

    def export(self, path: str) -> bool:
        """Start writing the handout of the walk on show to `path`; False (and the banner says
        why) when it cannot start."""
        if self._job is not None:
            return self._fail(_("A lesson is being exported already; wait until it is "
                                "written."))
        w = self._window
        if not w._stepping and w.session.snapshot is not None:  # a stepper behind another tab
            w.stepper.set_snapshot(w.session.snapshot)  # has not followed training: catch up
        lesson = w.stepper.lesson_on_show()
        if lesson is None:
            return self._fail(_("There is no lesson to export yet: choose a sample under "
                                "Sample (or draw a digit and say which one it is), then File › "
                                "Export lesson…."))
        try:
            check_handout_target(path)
        except OSError as e:
            return self._fail(_("Could not export the lesson to {path}: {reason}.").format(
                path=path, reason=e.strerror or e))
        self._job = _Job(path, lesson, self._about(lesson))
        self._progress()
        QTimer.singleShot(0, self, self._next)  # not after the window is gone
        return True

    def _about(self, lesson: LessonOnShow) -> tuple[str, ...]:
        snap = lesson.snapshot
        dataset = self._window.session.dataset
        if snap.samples_seen and snap.epoch:
            source = ngettext("the network on show in mlpviz, after {n} training samples "
                              "({epochs} full epoch)",
                              "the network on show in mlpviz, after {n} training samples "
                              "({epochs} full epochs)", snap.epoch).format(
                n=count(snap.samples_seen), epochs=snap.epoch)
        elif snap.samples_seen:
            source = _("the network on show in mlpviz, after {n} training samples").format(
                n=count(snap.samples_seen))
        else:
            source = _("the network on show in mlpviz, with no training in mlpviz behind it (a "
                       "fresh network, or weights read from a file)")
        sample = lesson.description
        if dataset is not None and "#" in sample:  # "held-out sample #12", not a drawing
            sample = _("{sample} of {data}").format(sample=sample, data=_(dataset.name))
        return about_lines(lesson.walk, snap.activation, snap.cost, source, sample,
                           lesson.class_names, lesson.batch_size)

    def _next(self) -> None:
        """Render the next stage's picture; after the last, write the file."""
        job = self._job
        if job is None:
            return
        if self._window._closing:  # the window is closing: drop the pictures, begin no file
            self._finish()
            return
        try:
            if job.pictures is None:
                job.pictures = StagePictures(job.lesson.snapshot, job.lesson.x,
                                             job.lesson.class_names, job.lesson.palette)
            stages = job.lesson.walk.stages
            if len(job.pngs) < len(stages):
                job.pngs.append(job.pictures.render(stages[len(job.pngs)]))
                self._progress()
                QTimer.singleShot(0, self, self._next)  # not after the window is gone
                return
            self._write(job)
        except (OSError, ValueError) as e:
            self._finish()
            self._fail(_("Could not export the lesson to {path}: {reason}.").format(
                path=job.path, reason=getattr(e, "strerror", None) or e))
        except BaseException:
            self._finish()  # a bug is reported by the last resort; the next export can start
            raise

    def _write(self, job: "_Job") -> None:
        walk = job.lesson.walk
        handout = Handout.of(walk, job.about, job.pngs, i18n.language(),  # the walk's language
                             palette=job.lesson.palette)
        written = write_handout(job.path, handout)
        self._finish()
        if len(written) > 1:
            said = _("Exported the lesson: {path} and {n} pictures in {folder}/").format(
                path=written[0], n=len(written) - 1, folder=written[1].parent.name)
        else:
            said = _("Exported the lesson: {path}").format(path=written[0])
        self._window.statusBar().showMessage(said, 8000)
        self.written.emit(str(job.path))

    def _progress(self) -> None:
        job = self._job
        n = len(job.lesson.walk.stages)
        self._window._on_busy_changed(
            _("Exporting the lesson to {name}: picture {i} of {n}").format(
                name=Path(job.path).name, i=len(job.pngs) + 1, n=n)
            if len(job.pngs) < n else _("Writing {name} …").format(name=Path(job.path).name))

    def _finish(self) -> None:
        job, self._job = self._job, None
        if job is not None and job.pictures is not None:
            job.pictures.close()
        self._window._on_busy_changed("")

    def _fail(self, message: str) -> bool:
        self._window._on_failed(message)
        self.failed.emit(message)
        return False


class _Job:
    """One export under way: where to, the lesson, the pictures rendered so far."""

    def __init__(self, path: str, lesson: LessonOnShow, about: tuple[str, ...]):
        self.path, self.lesson, self.about = path, lesson, about
        self.pictures: StagePictures | None = None
        self.pngs: list[bytes] = []
