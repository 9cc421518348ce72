"""Snapshots are paced by the window: the worker sends the next one only after the Session says
the last was taken (or ACK_TIMEOUT passed), so a slow GUI thread never works through a backlog
of stale snapshots; and the Session says so no sooner than the window's CPU budget allows
(gui/pacing.py). (The worker's side: tests/gui/test_worker.py.)"""

import time

import numpy as np
import pytest
from PySide6.QtWidgets import QWidget

from mlpviz.gui import pacing
from mlpviz.gui.pacing import SnapshotPacer
from mlpviz.gui.session import Session


class SlowView(QWidget):
    """Takes 60 ms per snapshot (more than the 40 ms between emissions), as a starved GUI
    thread would, and logs what it receives."""

    def __init__(self, log):
        super().__init__()
        self.log = log

    def on_snapshot(self, snap):
        self.log.append("snapshot")
        time.sleep(0.06)
        self.update()


def test_a_slow_window_gets_no_backlog_of_stale_snapshots(qtbot, bundled, monkeypatch):
    session = Session(dataset=bundled)
    log = []
    view = SlowView(log)
    qtbot.addWidget(view)
    session.snapshot_ready.connect(view.on_snapshot)
    taken = session._worker.snapshot_taken
    monkeypatch.setattr(session._worker, "snapshot_taken", lambda: (log.append("taken"), taken()))
    try:
        session.start()
        qtbot.waitUntil(lambda: log.count("taken") >= 8, timeout=5000)
        log.append("pause")
        session.pause()
        qtbot.waitUntil(lambda: not session.is_training, timeout=2000)
    finally:
        session.shutdown()
    # Each snapshot is taken before the next arrives: never two outstanding (the pause's final
    # snapshot is sent at once, so only the run before it counts).
    outstanding = 0
    for event in log[:log.index("pause")]:
        outstanding += {"snapshot": 1, "taken": -1}[event]
        assert outstanding in (0, 1), log


def test_pacer_keeps_the_gui_share_whatever_a_cycle_costs():
    """Simulated cycles of varying CPU cost: over the run the GUI thread's CPU stays within the
    share of the wall time, and cheap cycles are never delayed."""
    rng = np.random.default_rng(0)
    now, cpu = [0.0], [0.0]
    pacer = SnapshotPacer(share=0.3, clock=lambda: now[0], cpu_clock=lambda: cpu[0])
    pacer.delay()
    for cost in rng.uniform(0.0, 0.05, 500):
        cpu[0] += cost  # the handling and the paint use CPU…
        now[0] += cost + 0.04  # …and the worker's interval passes
        wait = pacer.delay()
        assert 0 <= wait <= pacing.MAX_DELAY
        if cost <= 0.3 * (cost + 0.04):
            assert wait == 0
        now[0] += wait
    assert cpu[0] <= 0.3 * now[0] + 0.05


def test_pacer_starts_afresh_after_a_pause():
    now, cpu = [0.0], [0.0]
    pacer = SnapshotPacer(share=0.5, clock=lambda: now[0], cpu_clock=lambda: cpu[0])
    pacer.delay()
    cpu[0] = now[0] = 1.0  # a second of CPU-heavy clicking while paused
    pacer.restart()
    assert pacer.delay() == 0.0
    with pytest.raises(ValueError):
        SnapshotPacer(share=0)


class BusyView(QWidget):
    """Burns 50 ms of CPU per snapshot (a slow machine's paint)."""

    def __init__(self):
        super().__init__()
        self.snapshots = 0

    def on_snapshot(self, snap):
        self.snapshots += 1
        end = time.thread_time() + 0.05
        while time.thread_time() < end:
            pass


def test_a_costly_window_keeps_to_its_cpu_share(qtbot, bundled, monkeypatch):
    monkeypatch.setattr(pacing, "GUI_SHARE", 0.1)
    session = Session(dataset=bundled)
    view = BusyView()
    qtbot.addWidget(view)
    session.snapshot_ready.connect(view.on_snapshot)
    try:
        session.start()
        qtbot.waitUntil(lambda: view.snapshots >= 2, timeout=5000)
        wall, cpu, n = time.perf_counter(), time.thread_time(), view.snapshots
        qtbot.waitUntil(lambda: view.snapshots >= n + 6, timeout=20_000)
        wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
        session.pause()
        qtbot.waitUntil(lambda: not session.is_training, timeout=2000)
    finally:
        session.shutdown()
    # Unpaced it would be 50 ms of CPU every ~90 ms (55 %); paced: ~10 % of the wall time.
    assert cpu / wall < 0.16, (cpu, wall)
