"""Slow file work off the GUI thread: opening a model file or a dataset folder.

`Background.run(what, work, done)` calls `work()` in a daemon thread and, back in the GUI thread,
`done(result, error)` — exactly one of them None. The thread touches no Qt object: the GUI
thread polls its future with a timer (every POLL_MS while a job runs), so nothing is emitted from
a thread that may outlive the window. A newer job supersedes an older one (whose result is
dropped when it arrives); `cancel()` drops the one running. `busy_changed(what)` says what is
being done ("Opening m.npz …"), and "" when nothing is.

A job still running when the app quits is abandoned (a daemon thread): quitting never waits for a
file to be read.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal

POLL_MS = 15


class Background(QObject):
    """One slow job at a time, off the GUI thread (see the module docstring).

    Signals:
      busy_changed(str)   what is being done now, "" when idle
    """

    busy_changed = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._job: tuple[Future, Callable] | None = None
        self._what = ""
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

    @property
    def busy(self) -> str:
        """What is being done ("" if nothing)."""
        return self._what

    def run(self, what: str, work: Callable[[], object],
            done: Callable[[object, BaseException | None], None]) -> None:
        """Start `work()` in a thread; `done(result, None)` or `done(None, error)` follows in
        this (the GUI) thread, unless a newer job or `cancel()` comes first."""
        future: Future = Future()

        def target() -> None:
            try:
                future.set_result(work())
            except BaseException as e:  # noqa: BLE001 - handed to `done` in the GUI thread
                future.set_exception(e)

        self._job = (future, done)
        threading.Thread(target=target, name="mlpviz-file", daemon=True).start()
        self._set_busy(what)
        self._timer.start()

    def cancel(self) -> None:
        """Drop the job running (its result will be ignored)."""
        self._job = None
        self._timer.stop()
        self._set_busy("")

    def _poll(self) -> None:
        if self._job is None:
            self._timer.stop()
            return
        future, done = self._job
        if not future.done():
            return
        self.cancel()
        error = future.exception()
        done(None if error else future.result(), error)

    def _set_busy(self, what: str) -> None:
        if what != self._what:
            self._what = what
            self.busy_changed.emit(what)
