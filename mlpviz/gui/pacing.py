"""How often the window takes a snapshot while training: as often as it can afford.

The training thread and the GUI thread share one interpreter lock. Whatever the GUI thread does in
Python (painting neurons and labels, pyqtgraph's items, signal dispatch) the training thread waits
for; on a 2-core machine it also takes a core. So the window follows training within a budget:
`SnapshotPacer` measures the GUI thread's own CPU time (`time.thread_time`) over each snapshot
cycle — from telling the worker "taken" to the next snapshot having been handled, the paint of
the previous one included — and, if the cycle used more than `share` of the wall time, says how
long to wait before telling the worker again. A fast machine gets the full ~25 snapshots a second
(the worker's EMIT_INTERVAL); a slow or busy one gets fewer, and training keeps its speed.

>>> clock = iter([0.0, 0.04, 0.30]).__next__     # wall times of three calls
>>> cpu = iter([0.0, 0.03, 0.06]).__next__       # GUI-thread CPU at those times
>>> p = SnapshotPacer(share=0.25, clock=clock, cpu_clock=cpu)
>>> p.delay()                                    # the first call starts the measurement
0.0
>>> round(p.delay(), 3)                          # 30 ms of CPU in 40 ms: wait until 120 ms
0.08
>>> p.delay()                                    # 30 ms of CPU in the 180 ms after the wait
0.0
"""

from __future__ import annotations

import time

GUI_SHARE = 0.3  # of one core the window may spend following training
MAX_DELAY = 0.5  # s: never wait longer (well within the worker's ACK_TIMEOUT, 1 s)


class SnapshotPacer:
    """`delay()` after each snapshot has been handled: seconds to wait before taking the next.

    share: of one core (default GUI_SHARE). clock and cpu_clock are for tests: wall time and
    the calling thread's CPU time in seconds.
    """

    def __init__(self, share: float | None = None, clock=time.perf_counter,
                 cpu_clock=time.thread_time):
        share = GUI_SHARE if share is None else share
        if not 0 < share <= 1:
            raise ValueError(f"share must be in (0, 1], not {share}")
        self.share = share
        self._clock, self._cpu_clock = clock, cpu_clock
        self._start: tuple[float, float] | None = None  # (wall, cpu) when the cycle began

    def delay(self) -> float:
        """The wait that keeps the GUI thread's CPU over this cycle ≤ share × its wall time:
        max(0, cpu / share − wall), at most MAX_DELAY. The next cycle starts when it ends."""
        now, cpu = self._clock(), self._cpu_clock()
        if self._start is None:
            self._start = (now, cpu)
            return 0.0
        wall, used = now - self._start[0], cpu - self._start[1]
        wait = min(max(0.0, used / self.share - wall), MAX_DELAY)
        self._start = (now + wait, cpu)
        return wait

    def restart(self) -> None:
        """Forget the cycle in progress (training paused: idle time is no cycle)."""
        self._start = None
