"""How often the window takes a snapshot while training: as often as training can afford.

Training runs in its own thread, but the GUI thread competes with it: for the interpreter lock
(whatever the GUI thread runs in Python — painting neurons and labels, pyqtgraph's items, signal
dispatch — the training thread waits for) and, on a busy machine, for the CPU time the scheduler
gives this process (Linux shares it per process group, so every millisecond the window spends is
taken from training). So the window follows training within a budget measured in the one unit
that counts: `SnapshotPacer` compares the GUI thread's CPU time (`time.thread_time`) over each
snapshot cycle — from telling the worker "taken" to the next snapshot having been handled, the
paint of the previous one included — with the training thread's CPU time over the same cycle,
and if the window spent more than `share` of what training spent, says how long to wait before
telling the worker again. With share = 1/4 the window uses at most a fifth of the process's CPU,
so training keeps four fifths of what it gets alone even when CPU time is the limit; a fast,
idle machine still gets the worker's ~25 snapshots a second.

>>> clock = iter([0.0, 0.04, 0.12, 0.20]).__next__   # wall times of four calls
>>> cpu = iter([0.0, 0.02, 0.02, 0.03]).__next__        # GUI-thread CPU at those times
>>> p = SnapshotPacer(share=0.25, clock=clock, cpu_clock=cpu)
>>> p.delay(training_cpu=0.0)        # the first call starts the measurement
0.0
>>> round(p.delay(0.04), 3)          # 20 ms of GUI for 40 ms of training: 40 ms more due,
0.04
>>> p.delay(0.12)                    # which came during the wait (1 ms per ms); then
0.0
>>> p.delay(0.20)                    # 10 ms of GUI for 80 ms of training: no wait
0.0
"""

from __future__ import annotations

import time

GUI_SHARE = 0.25  # the window's CPU time at most this fraction of the training thread's
MAX_DELAY = 0.5  # s: never wait longer (well within the worker's ACK_TIMEOUT, 1 s)


class SnapshotPacer:
    """`delay(training_cpu)` after each snapshot has been handled: seconds to wait before taking
    the next one, given the training thread's CPU time so far (seconds).

    share: the GUI thread's CPU time per second of the training thread's (default GUI_SHARE).
    clock and cpu_clock are for tests: wall time and the calling thread's CPU time in seconds.
    """

    def __init__(self, share: float | None = None, clock=time.perf_counter,
                 cpu_clock=time.thread_time):
        share = GUI_SHARE if share is None else share
        if not 0 < share <= 1:
            raise ValueError(f"share must be in (0, 1], not {share}")
        self.share = share
        self._clock, self._cpu_clock = clock, cpu_clock
        self._last: tuple[float, float, float] | None = None  # (wall, GUI cpu, training cpu)
        self._balance = 0.0  # training CPU seconds ahead (≤ 0: owed) of GUI CPU / share

    def delay(self, training_cpu: float) -> float:
        """The wait until the training thread has had 1/share times the GUI thread's CPU time
        since the measurement began (no credit saved up), at the rate training got CPU since the
        last call; at most MAX_DELAY."""
        now, cpu = self._clock(), self._cpu_clock()
        if self._last is None:
            self._last, self._balance = (now, cpu, training_cpu), 0.0
            return 0.0
        wall, gui, trained = (now - self._last[0], cpu - self._last[1],
                              training_cpu - self._last[2])
        self._last = (now, cpu, training_cpu)
        self._balance = min(0.0, self._balance + trained - gui / self.share)
        if self._balance == 0.0:
            return 0.0
        rate = trained / wall if wall > 0 else 0.0  # training CPU per second of wall time
        return min(-self._balance / rate, MAX_DELAY) if rate > 0 else MAX_DELAY

    def restart(self) -> None:
        """Forget the cycle in progress (training paused: idle time is no cycle)."""
        self._last = None
