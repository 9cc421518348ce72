"""Snapshots are paced by the window: the worker sends the next one only after the Session says
the last was taken (or ACK_TIMEOUT passed), so a slow GUI thread never works through a backlog
of stale snapshots; and the Session says so no sooner than the window's CPU budget (a share of
the training thread's CPU time, gui/pacing.py) allows. (The worker's side: tests/gui/test_worker.py.)"""

import time

import numpy as np
import pytest
from PySide6.QtWidgets import QWidget

from mlpviz.gui import pacing
from mlpviz.gui import worker as worker_module
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
        qtbot.waitUntil(lambda: log.count("taken") >= 8, timeout=60_000)
        log.append("pause")
        session.pause()
        qtbot.waitUntil(lambda: not session.is_training, timeout=60_000)
    finally:
        session.shutdown()
    # Each snapshot is taken before the next arrives: never two outstanding (the pause's final
    # snapshot is sent at once, so only the run before it counts).
    outstanding = 0
    for event in log[:log.index("pause")]:
        outstanding += {"snapshot": 1, "taken": -1}[event]
        assert outstanding in (0, 1), log


def simulate(costs, rates, share=0.25):
    """Cycles of `cost` GUI CPU while training gets `rate` of a core, paced: the waits and the
    totals (GUI CPU, training CPU)."""
    now, cpu, trained, waits = [0.0], [0.0], 0.0, []
    pacer = SnapshotPacer(share=share, clock=lambda: now[0], cpu_clock=lambda: cpu[0])
    pacer.delay(trained)
    for cost, rate in zip(costs, rates):
        cpu[0] += cost  # the handling and the paint use GUI CPU…
        now[0] += 0.04 + cost  # …while the worker's interval passes
        trained += rate * (0.04 + cost)  # and training gets `rate` of a core
        wait = pacer.delay(trained)
        waits.append(wait)
        now[0] += wait
        trained += rate * wait
    return np.array(waits), cpu[0], trained


def test_pacer_keeps_the_gui_within_its_share_of_training():
    """Cycles of varying GUI cost, training getting a varying part of a core: over the run the
    GUI thread's CPU stays within share × the training thread's; no wait exceeds MAX_DELAY."""
    rng = np.random.default_rng(0)
    waits, gui, trained = simulate(rng.uniform(0.0, 0.05, 500), rng.uniform(0.2, 1.0, 500))
    assert np.all((0 <= waits) & (waits <= pacing.MAX_DELAY)) and waits.max() > 0
    assert gui <= 0.25 * trained + 0.06


def test_pacer_never_delays_a_window_within_budget():
    rng = np.random.default_rng(1)
    rates = rng.uniform(0.5, 1.0, 300)
    waits, _, _ = simulate(0.25 * rates * 0.04 * rng.uniform(0, 1, 300), rates)
    assert np.all(waits == 0)


def test_pacer_waits_the_longest_when_training_gets_nothing():
    now, cpu = [0.0], [0.0]
    pacer = SnapshotPacer(share=0.5, clock=lambda: now[0], cpu_clock=lambda: cpu[0])
    pacer.delay(0.0)
    now[0] = cpu[0] = 0.01
    assert pacer.delay(0.0) == pacing.MAX_DELAY


def test_pacer_starts_afresh_after_a_pause():
    now, cpu = [0.0], [0.0]
    pacer = SnapshotPacer(share=0.5, clock=lambda: now[0], cpu_clock=lambda: cpu[0])
    pacer.delay(0.0)
    cpu[0] = now[0] = 1.0  # a second of CPU-heavy clicking while paused
    pacer.restart()
    assert pacer.delay(0.0) == 0.0
    with pytest.raises(ValueError):
        SnapshotPacer(share=0)


class BusyView(QWidget):
    """Burns 60 ms of CPU per snapshot (a slow machine's paint)."""

    def __init__(self):
        super().__init__()
        self.snapshots = 0

    def on_snapshot(self, snap):
        self.snapshots += 1
        end = time.thread_time() + 0.06
        while time.thread_time() < end:
            pass


def test_a_costly_window_keeps_to_its_share_of_training(qtbot, bundled, monkeypatch):
    monkeypatch.setattr(pacing, "GUI_SHARE", 0.25)
    # However busy the machine: waits are not capped (in the app they are, at 0.5 s, so that the
    # window still shows ~2 snapshots a second when training gets almost no CPU).
    monkeypatch.setattr(pacing, "MAX_DELAY", 8.0)
    monkeypatch.setattr(worker_module, "ACK_TIMEOUT", 10.0)
    session = Session(dataset=bundled, lr=0.5)  # steady: no collapse pauses it
    view = BusyView()
    qtbot.addWidget(view)
    session.snapshot_ready.connect(view.on_snapshot)
    worker = session._worker
    try:
        session.start()
        # (generous timeouts: a loaded machine is 10× slower; they cost nothing if it works)
        qtbot.waitUntil(lambda: view.snapshots >= 2, timeout=60_000)
        cpu, trained, n = time.thread_time(), worker.cpu_seconds(), view.snapshots
        qtbot.waitUntil(lambda: view.snapshots >= n + 4, timeout=60_000)
        cpu, trained = time.thread_time() - cpu, worker.cpu_seconds() - trained
        session.pause()
        qtbot.waitUntil(lambda: not session.is_training, timeout=60_000)
    finally:
        session.shutdown()
    # Unpaced: 60 ms of GUI CPU per ≤ 100 ms of training (≥ 0.6); paced: about 0.25.
    assert cpu / trained < 0.45, (cpu, trained)
