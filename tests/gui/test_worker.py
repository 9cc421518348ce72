"""TrainingWorker in a real QThread: commands apply between batches, output is throttled.

The worker emits from its own thread. Receivers must be QObjects of the GUI thread (so delivery
is queued): a plain callable - including qtbot.waitSignal's - would run in the worker's thread.
So these tests record through a QObject and wait with waitUntil.
"""

import threading
import time

import numpy as np
import pytest
from PySide6.QtCore import QObject, QThread, Slot

from mlpviz.core.network import Network
from mlpviz.core.training import Trainer
from mlpviz.gui import worker as worker_module
from mlpviz.gui.worker import EMIT_INTERVAL, MAX_SPEED, TrainingWorker, batch_delay


@pytest.fixture(scope="module")
def data(bundled):
    return (bundled.train_images[:1000], bundled.train_labels[:1000],
            bundled.test_images[:200], bundled.test_labels[:200])


class Recorder(QObject):
    """Collects everything a worker emits, delivered (queued) in the GUI thread."""

    def __init__(self, worker):
        super().__init__()
        self.gui_thread = threading.get_ident()
        self.wrong_thread = False
        self.snapshots, self.batches, self.epochs, self.states, self.speeds, self.errors = (
            [], [], [], [], [], [])
        worker.snapshot_ready.connect(self.on_snapshot)
        worker.batches_done.connect(self.on_batches)
        worker.epoch_done.connect(self.on_epoch)
        worker.state_changed.connect(self.on_state)
        worker.speed_measured.connect(self.on_speed)
        worker.failed.connect(self.on_failed)

    def _check(self):
        self.wrong_thread |= threading.get_ident() != self.gui_thread

    @Slot(int, object)
    def on_snapshot(self, generation, snapshot):
        self._check()
        self.snapshots.append((time.monotonic(), snapshot))

    @Slot(int, object)
    def on_batches(self, generation, reports):
        self._check()
        self.batches.append(reports)

    @Slot(int, object)
    def on_epoch(self, generation, report):
        self._check()
        self.epochs.append(report)

    @Slot(str)
    def on_state(self, state):
        self._check()
        self.states.append(state)

    @Slot(float)
    def on_speed(self, samples_per_second):
        self._check()
        self.speeds.append(samples_per_second)

    @Slot(int, str)
    def on_failed(self, generation, message):
        self._check()
        self.errors.append(message)

    @property
    def reports(self):
        return [r for chunk in self.batches for r in chunk]


@pytest.fixture
def running(qtbot, data):
    """(worker, thread, trainer, recorder) with the loop started; stopped at teardown."""
    trainer = Trainer(Network([784, 16, 16, 10], seed=0), *data, seed=0)
    worker = TrainingWorker(trainer)
    thread = QThread()
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    rec = Recorder(worker)
    thread.start()
    yield worker, thread, trainer, rec
    worker.stop()
    thread.quit()
    assert thread.wait(5000)
    assert not rec.wrong_thread


def test_batch_delay_maps_speed_to_slow_motion():
    assert batch_delay(MAX_SPEED) == 0
    assert batch_delay(1) == pytest.approx(1.0)
    delays = [batch_delay(s) for s in range(1, MAX_SPEED + 1)]
    assert all(a > b for a, b in zip(delays, delays[1:]))
    assert batch_delay(-5) == batch_delay(1) and batch_delay(1000) == 0


def test_stream_is_throttled_and_loses_no_batch(qtbot, running):
    worker, _, _, rec = running
    worker.start()
    qtbot.waitUntil(lambda: len(rec.reports) >= 500 and len(rec.epochs) > 0, timeout=10_000)
    qtbot.wait(600)
    worker.pause()
    qtbot.waitUntil(lambda: rec.states[-1:] == ["paused"], timeout=2000)
    reports = rec.reports
    # Every batch arrives once, in order: samples_seen climbs by the batch size each time.
    seen = np.array([r.samples_seen for r in reports])
    assert np.array_equal(np.diff(seen), [r.batch_size for r in reports[1:]])
    assert reports[0].samples_seen == reports[0].batch_size
    # Throttled: far fewer emissions than batches, and snapshots ≤ ~25 a second.
    assert len(rec.batches) < len(reports) / 5
    times = np.array([t for t, _ in rec.snapshots])
    span = times[-1] - times[0]
    assert len(times) <= span / EMIT_INTERVAL + 3
    assert [e.epoch for e in rec.epochs] == list(range(1, len(rec.epochs) + 1))
    assert rec.speeds and all(s > 0 for s in rec.speeds)


def test_the_next_snapshot_waits_for_the_last_to_be_taken(qtbot, running, monkeypatch):
    monkeypatch.setattr(worker_module, "ACK_TIMEOUT", 0.5)
    worker, _, _, rec = running
    worker.start()
    qtbot.waitUntil(lambda: len(rec.snapshots) == 1, timeout=2000)
    qtbot.wait(300)
    assert len(rec.snapshots) == 1  # not taken: nothing more (the interval alone is 40 ms)
    worker.snapshot_taken()
    qtbot.waitUntil(lambda: len(rec.snapshots) == 2, timeout=1000)
    times = [t for t, _ in rec.snapshots]
    assert times[1] - times[0] < 0.45
    qtbot.waitUntil(lambda: len(rec.snapshots) == 3, timeout=2000)  # never taken: ACK_TIMEOUT
    times = [t for t, _ in rec.snapshots]
    assert times[2] - times[1] >= 0.45
    worker.pause()


class EpochOrder(QObject):
    """The order in which end-of-epoch checkpoints and epoch reports arrive."""

    def __init__(self, worker):
        super().__init__()
        self.events = []
        worker.checkpoint_ready.connect(self.on_checkpoint)
        worker.epoch_done.connect(self.on_epoch)

    @Slot(int, object, float, str)
    def on_checkpoint(self, generation, snapshot, accuracy, when):
        self.events.append(("checkpoint", when))

    @Slot(int, object)
    def on_epoch(self, generation, report):
        self.events.append(("epoch", report.epoch))


def test_each_epoch_report_comes_with_its_own_checkpoint(qtbot, running, monkeypatch):
    """Several epochs end between two emissions (nobody says "taken"): each epoch's checkpoint
    arrives right after its report, never before the reports of earlier epochs — the Session
    compares each epoch with the best weights seen until then, and a later epoch's checkpoint
    would make an earlier epoch look like a collapse."""
    monkeypatch.setattr(worker_module, "ACK_TIMEOUT", 0.5)
    worker, _, _, rec = running
    order = EpochOrder(worker)
    worker.start()
    qtbot.waitUntil(lambda: len(rec.epochs) >= 6, timeout=20_000)
    worker.pause()
    qtbot.waitUntil(lambda: rec.states[-1:] == ["paused"], timeout=2000)
    ends = [(kind, what) for kind, what in order.events
            if kind == "epoch" or what.startswith("at the end of epoch")]
    expected = [e for n in range(1, len(rec.epochs) + 1)
                for e in (("epoch", n), ("checkpoint", f"at the end of epoch {n}"))]
    assert ends == expected


def test_batches_run_in_the_worker_thread(qtbot, running):
    worker, _, trainer, rec = running
    threads = set()
    step = trainer.step

    def recording_step():
        threads.add(threading.get_ident())
        return step()

    trainer.step = recording_step
    worker.step_batch()
    qtbot.waitUntil(lambda: len(rec.snapshots) == 1, timeout=2000)
    assert threads and threading.get_ident() not in threads


def test_step_batch_is_one_batch_and_reports_speed(qtbot, running):
    worker, _, trainer, rec = running
    worker.step_batch()
    qtbot.waitUntil(lambda: len(rec.snapshots) == 1, timeout=2000)
    qtbot.wait(200)
    assert len(rec.reports) == 1 and len(rec.snapshots) == 1
    snapshot = rec.snapshots[0][1]
    assert snapshot.samples_seen == 100 and snapshot.batch == 1
    assert rec.states == []  # a single step never announces "training"
    assert len(rec.speeds) == 1 and rec.speeds[0] > 0


def test_slow_motion_is_slow_and_pause_is_prompt(qtbot, running):
    worker, _, _, rec = running
    worker.set_speed(1)
    worker.start()
    qtbot.waitUntil(lambda: len(rec.reports) >= 1, timeout=2000)
    qtbot.wait(700)
    assert len(rec.reports) == 1  # about one batch a second
    t0 = time.monotonic()
    worker.pause()
    qtbot.waitUntil(lambda: rec.states[-1:] == ["paused"], timeout=1000)
    assert time.monotonic() - t0 < 0.3


def test_stop_interrupts_a_slow_motion_wait(qtbot, data):
    trainer = Trainer(Network([784, 16, 16, 10], seed=0), *data, seed=0)
    worker = TrainingWorker(trainer, speed=1)
    thread = QThread()
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    rec = Recorder(worker)
    thread.start()
    worker.start()
    qtbot.waitUntil(lambda: len(rec.reports) == 1, timeout=2000)
    t0 = time.monotonic()
    worker.stop()
    thread.quit()
    assert thread.wait(2000)
    assert time.monotonic() - t0 < 0.5
    assert not thread.isRunning()


def test_an_error_in_the_loop_pauses_and_reports(qtbot, running):
    worker, thread, trainer, rec = running
    step = trainer.step

    def broken_step():
        raise RuntimeError("disk on fire")

    trainer.step = broken_step
    worker.start()
    qtbot.waitUntil(lambda: len(rec.errors) == 1, timeout=2000)
    assert "RuntimeError: disk on fire" in rec.errors[0]
    assert rec.states == ["training", "paused"]
    assert thread.isRunning()  # the loop survived and still takes commands
    trainer.step = step
    worker.step_batch()
    qtbot.waitUntil(lambda: len(rec.reports) == 1, timeout=2000)


def test_lr_and_batch_size_apply_from_the_next_batch(qtbot, running):
    worker, _, _, rec = running
    worker.set_lr(0.25)
    worker.set_batch_size(32)
    worker.step_batch()
    qtbot.waitUntil(lambda: len(rec.snapshots) == 1, timeout=2000)
    (report,) = rec.reports
    assert (report.lr, report.batch_size, report.samples_seen) == (0.25, 32, 32)
    assert rec.snapshots[0][1].meta == {"lr": 0.25, "batch_size": 32}
