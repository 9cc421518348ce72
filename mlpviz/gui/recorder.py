"""Recorder: a real training run filmed frame by frame (File › Record…, `mlpviz record`).

It drives the Session one mini-batch at a time (`step_batch`: the training worker trains, the
window receives the snapshot as always) and, whenever the batches trained since the start reach
the next frame's moment (core.recording.frame_batches), hands `take(frame_index)` the window as
the new weights show it. The frames are the window's own drawing of real snapshots; nothing is
re-drawn from saved numbers. It ends by itself after the last frame, or early — `stop()`,
training started by hand, a failure (a diverging step), a new network — always with `finished`.
"""

from __future__ import annotations

from typing import Callable, Sequence

from PySide6.QtCore import QObject, QTimer, Signal


class Recorder(QObject):
    """Signals: frame_taken(int done, int total); finished(str): "" when every frame was taken,
    else why it stopped early (the frames so far stay taken)."""

    frame_taken = Signal(int, int)
    finished = Signal(str)

    def __init__(self, session, targets: Sequence[int], take: Callable[[int], None],
                 parent: QObject | None = None):
        super().__init__(parent)
        self._session = session
        self._targets = list(targets)
        self._take = take
        self._next = 0
        self._base = 0
        self._running = False
        self._waiting = False  # for training to pause before the first frame
        self.done = False
        self.reason = ""

    @property
    def frames_taken(self) -> int:
        return self._next

    @property
    def total(self) -> int:
        return len(self._targets)

    @property
    def batches_done(self) -> int:
        """Mini-batches trained since the recording started."""
        return self._session.batches_seen - self._base

    def start(self) -> None:
        """Pause training if it runs, then take frame 0 and step on."""
        s = self._session
        s.snapshot_ready.connect(self._on_snapshot)
        s.failed.connect(self._on_failed)
        s.network_rebuilt.connect(self._on_rebuilt)
        s.state_changed.connect(self._on_state)
        self._running = True
        if s.is_training:
            self._waiting = True
            s.pause()  # state_changed("paused") starts the filming
        else:
            QTimer.singleShot(0, self._begin)

    def stop(self, reason: str = "stopped") -> None:
        """End now; the frames taken so far stay taken."""
        self._finish(reason)

    def _begin(self) -> None:
        if self.done:
            return
        self._base = self._session.batches_seen
        self._advance()

    def _advance(self) -> None:
        """Take every frame whose moment has come, then train the next mini-batch."""
        if self.done:
            return
        while self._next < len(self._targets) and self.batches_done >= self._targets[self._next]:
            self._take(self._next)
            self._next += 1
            self.frame_taken.emit(self._next, len(self._targets))
        if self._next >= len(self._targets):
            self._finish("")
        else:
            self._session.step_batch()

    def _on_snapshot(self, _snapshot) -> None:
        if self._running and not self._waiting and not self.done:
            QTimer.singleShot(0, self._advance)  # after the window has drawn it

    def _on_state(self, state: str) -> None:
        if self.done:
            return
        if state == "training":  # a step never announces "training": someone pressed Train
            self._finish("training was started by hand")
        elif self._waiting and state == "paused":
            self._waiting = False
            QTimer.singleShot(0, self._begin)

    def _on_failed(self, message: str) -> None:
        self._finish(message)

    def _on_rebuilt(self, _snapshot) -> None:
        self._finish("the network was replaced")

    def _finish(self, reason: str) -> None:
        if self.done:
            return
        self.done, self.reason, self._running = True, reason, False
        s = self._session
        for signal, slot in ((s.snapshot_ready, self._on_snapshot), (s.failed, self._on_failed),
                             (s.network_rebuilt, self._on_rebuilt),
                             (s.state_changed, self._on_state)):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
        self.finished.emit(reason)
