"""Snapshots are paced by the window: the worker sends the next one only after the Session says
the last was taken (or ACK_TIMEOUT passed), so a slow GUI thread never works through a backlog
of stale snapshots. (The worker's side: tests/gui/test_worker.py.)"""

import time

from PySide6.QtWidgets import QWidget

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
