"""At most one call a second: for views that recompute something costly from each snapshot."""

from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QObject, QTimer


class Throttle(QObject):
    """`offer(value)` calls `work(value)` now if `interval` seconds have passed since the last
    call, else once they have — with the newest value offered meanwhile (older ones are
    dropped). `reset()` lets the next offer through at once."""

    def __init__(self, work: Callable[[object], None], interval: float = 1.0,
                 parent: QObject | None = None):
        super().__init__(parent)
        self._work, self.interval = work, interval  # seconds; may be changed
        self._pending = None
        self._last = -1e9  # time.monotonic() of the last call
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._run)

    def offer(self, value) -> None:
        self._pending = value
        wait = self.interval - (time.monotonic() - self._last)
        if wait <= 0:
            self._timer.stop()
            self._run()
        elif not self._timer.isActive():
            self._timer.start(int(wait * 1000) + 1)

    def reset(self) -> None:
        self._last = -1e9

    def _run(self) -> None:
        value, self._pending = self._pending, None
        if value is not None:
            self._last = time.monotonic()
            self._work(value)
