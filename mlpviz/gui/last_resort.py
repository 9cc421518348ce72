"""The last resort: an exception nobody caught becomes a message in the window, never a traceback
on stderr or a dead app.

PySide6 hands an exception raised in a Python slot (a button's handler, a timer, a signal from
the training thread) to `sys.excepthook`; a Python thread's, to `threading.excepthook`.
`LastResort.install()` points both at itself: it formats the full traceback and emits
`caught(summary, details)` — queued into the GUI thread when it came from another one. The main
window shows the summary in its banner (the traceback behind "Details", to copy), pauses
training and keeps the weights. Every known cause is also fixed where it happens; this is for
the ones nobody knows yet.

KeyboardInterrupt and SystemExit are not errors: they go to the previous hook. More than
`MAX_PER_SECOND` exceptions a second (a handler that itself fails on every repaint) are only
counted, so the GUI cannot drown in its own messages.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback

from PySide6.QtCore import QObject, Signal

MAX_PER_SECOND = 5


def summary_of(exc: BaseException) -> str:
    """One line for the banner: the exception's type and message ("ValueError: bad shape")."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


class LastResort(QObject):
    """Catches what no code caught (see the module docstring).

    Signals:
      caught(str summary, str details)   details: the full traceback, as Python prints it
    """

    caught = Signal(str, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._previous = None
        self._previous_thread_hook = None
        self._window_start = 0.0
        self._in_window = 0
        self.dropped = 0  # exceptions beyond MAX_PER_SECOND, not shown

    def install(self) -> None:
        """Become sys.excepthook and threading.excepthook (until `uninstall`)."""
        if self._previous is None:
            self._previous, sys.excepthook = sys.excepthook, self._on_exception
            self._previous_thread_hook, threading.excepthook = (threading.excepthook,
                                                                self._on_thread_exception)

    def uninstall(self) -> None:
        """Put the hooks back as they were (only if they are still ours)."""
        if self._previous is not None:
            if sys.excepthook == self._on_exception:
                sys.excepthook = self._previous
            if threading.excepthook == self._on_thread_exception:
                threading.excepthook = self._previous_thread_hook
            self._previous = self._previous_thread_hook = None

    def _on_thread_exception(self, args) -> None:
        if args.exc_type is SystemExit:
            return
        self._on_exception(args.exc_type, args.exc_value, args.exc_traceback)

    def _on_exception(self, exc_type, exc, tb) -> None:
        if issubclass(exc_type, (KeyboardInterrupt, SystemExit)) or exc is None:
            (self._previous or sys.__excepthook__)(exc_type, exc, tb)
            return
        if not self._allowed():
            self.dropped += 1
            return
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        summary = summary_of(exc)
        print(f"mlpviz: unexpected error (shown in the window): {summary}", file=sys.stderr)
        try:
            self.caught.emit(summary, details)
        except RuntimeError:  # the window is gone (the app is closing): stderr has it
            pass

    def _allowed(self) -> bool:
        """At most MAX_PER_SECOND messages in any one-second window."""
        now = time.monotonic()
        if now - self._window_start >= 1.0:
            self._window_start, self._in_window = now, 0
        self._in_window += 1
        return self._in_window <= MAX_PER_SECOND
