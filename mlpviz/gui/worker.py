"""TrainingWorker: drives a `core.training.Trainer` in its own QThread, one mini-batch at a time.

The worker's `run()` is one loop that never returns to Qt's event loop while the thread lives, so
commands cannot arrive as queued slots (they would never run while the loop is busy). Instead the
GUI thread calls the thread-safe command methods (`start`, `pause`, `step_batch`, `set_lr`, …),
which append to a lock-protected queue and wake the loop; the loop takes the queue between
batches, so every command applies within one batch (and at once while paused or in a slow-motion
wait).

Nothing mutable crosses threads: the loop emits `Snapshot`s (read-only copies) and frozen reports,
throttled at the source: snapshots and batch reports at most ~25 times a second, and only once the
receiver has called `snapshot_taken()` for the last snapshot (or ACK_TIMEOUT has passed), so a busy
or starved GUI thread never has a queue of stale snapshots to work through while the training
thread waits for the GIL; the epochs a flush completes follow its batch reports; speed about
twice a second. Every emission carries the `generation` of the trainer it came from, so the
Session can drop what a replaced network still had in flight.
"""

from __future__ import annotations

import collections
import threading
import time

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from mlpviz.core.checkpoints import next_due
from mlpviz.core.snapshot import Snapshot
from mlpviz.i18n import _
from mlpviz.core.training import (BatchReport, EpochReport, Trainer, TrainingDiverged,
                                  single_blas_thread)

EMIT_INTERVAL = 0.04  # s between snapshot / batch-report emissions: at most 25 a second
ACK_TIMEOUT = 1.0  # s after which the next emission goes out even if the last was not taken
SPEED_INTERVAL = 0.5  # s between speed measurements
SPEED_WINDOW = 1.0  # s of batches a speed measurement averages over
MAX_SPEED = 100

PAUSED, RUNNING, STEP_BATCH, STEP_EPOCH = "paused", "running", "step_batch", "step_epoch"


def batch_delay(speed: int) -> float:
    """Seconds from one batch's start to the next at `speed` 1..100: 1 s at 1 (one batch a second,
    slow enough to follow in class), falling geometrically to ~1 ms at 99; 0 (full speed) at 100."""
    speed = min(max(int(speed), 1), MAX_SPEED)
    if speed >= MAX_SPEED:
        return 0.0
    return float(10.0 ** (-3.0 * (speed - 1) / (MAX_SPEED - 1)))


class TrainingWorker(QObject):
    """Owns a Network + Trainer while it trains; lives in a QThread (see `run`).

    Signals (emitted from the worker's thread; connect them to objects of the GUI thread):
      snapshot_ready(int generation, Snapshot)
      batches_done(int generation, tuple[BatchReport, ...])  every batch since the last emission
      epoch_done(int generation, EpochReport)
      state_changed(str)   "training" while batches run (also during step_epoch), else "paused"
      speed_measured(float)  samples per second over the last second of running
      failed(int generation, str)  divergence or any error; the worker is paused
      diverged(int generation)  a step would have made the numbers non-finite (before `failed`)
      checkpoint_ready(int generation, Snapshot, float accuracy, str when)  parameters worth
                           returning to, with their held-out accuracy: when a run (training or
                           an epoch step) starts, before the first of a series of single-batch
                           steps on new parameters, and at every epoch's end
      run_started(int generation, RunStart)  the trainer's first mini-batch: where its run
                           began (parameters and shuffle state), to rerun it exactly
      replay_ready(int generation, tuple[(int, Snapshot), ...])  replay checkpoints: the
                           parameters after the batches (counted since `install`) the schedule
                           of core.checkpoints.next_due names, sent after those batches' reports
      finished()           the loop has ended (after `stop()`)
    """

    snapshot_ready = Signal(int, object)
    batches_done = Signal(int, object)
    epoch_done = Signal(int, object)
    state_changed = Signal(str)
    speed_measured = Signal(float)
    failed = Signal(int, str)
    diverged = Signal(int)
    checkpoint_ready = Signal(int, object, float, str)
    run_started = Signal(int, object)
    replay_ready = Signal(int, object)
    finished = Signal()

    def __init__(self, trainer: Trainer, generation: int = 0, speed: int = MAX_SPEED, parent=None):
        super().__init__(parent)
        self._cond = threading.Condition()
        self._commands: collections.deque = collections.deque()
        # Below: touched only by the loop's thread once run() has started.
        self._trainer = trainer
        self._generation = int(generation)
        self._synced = True  # the Network holds the current parameters (no step since sync/apply)
        self._checkpointed = False  # a checkpoint was offered since these parameters were set
        self._start_sent = False  # run_started was emitted for this trainer
        self._mode = PAUSED
        self._announced = "paused"
        self._stopping = False
        self._delay = batch_delay(speed)
        self._stop_after = 0  # pause when an epoch ends with at least this many done (0: never)
        self._next_batch = 0.0  # monotonic time the next batch may start (slow motion)
        self._pending: list[BatchReport] = []
        self._pending_epochs: list[tuple[EpochReport, Snapshot]] = []  # with its checkpoint
        self._replay_count, self._replay_due = 0, 1  # batches since install; next checkpoint's
        self._pending_replay: list[tuple[int, Snapshot]] = []
        self._last_emit = 0.0
        self._taken = threading.Event()  # the receiver has taken the last snapshot
        self._taken.set()
        self._cpu = 0.0  # this thread's CPU seconds when it last emitted a snapshot
        self._segment_start = 0.0  # when the current run / step began (for the speed)
        self._recent: collections.deque = collections.deque()  # (end time, samples) of batches
        self._last_speed = 0.0

    # -- commands (thread-safe; call from any thread) -------------------------------------------
    def _post(self, *command) -> None:
        with self._cond:
            self._commands.append(command)
            self._cond.notify()

    def start(self) -> None:
        """Train continuously until paused."""
        self._post("start")

    def pause(self) -> None:
        """Stop after the current batch (flushing every pending report and a snapshot)."""
        self._post("pause")

    def step_batch(self) -> None:
        """Train exactly one mini-batch, then pause; the snapshot follows at once."""
        self._post("step_batch")

    def step_epoch(self) -> None:
        """Train to the end of the current epoch (a whole one if at a boundary), then pause."""
        self._post("step_epoch")

    def set_lr(self, lr: float) -> None:
        self._post("lr", float(lr))

    def set_batch_size(self, batch_size: int) -> None:
        self._post("batch_size", int(batch_size))

    def set_speed(self, speed: int) -> None:
        """1..100: 100 is full speed, lower waits between batches (see `batch_delay`)."""
        self._post("speed", int(speed))

    def set_stop_after(self, epochs: int) -> None:
        """While training runs: pause by itself at the end of any epoch that leaves at least
        `epochs` epochs done (0: never)."""
        self._post("stop_after", max(0, int(epochs)))

    def install(self, trainer: Trainer, generation: int) -> None:
        """Pause and train `trainer` (with its Network) from now on; reports of the old one that
        are still pending are dropped. The caller must not touch `trainer` afterwards."""
        self._post("install", trainer, int(generation))

    def apply_parameters(self, weights, biases, generation: int) -> None:
        """Pause and replace the network's parameters exactly (float64, as given), then emit a
        snapshot holding them bit for bit. Ignored if `generation` is no longer current."""
        self._post("apply", [np.array(W, dtype=np.float64) for W in weights],
                   [np.array(b, dtype=np.float64) for b in biases], int(generation))

    def cpu_seconds(self) -> float:
        """The training thread's CPU time (time.thread_time) when it emitted its last snapshot:
        what the window's CPU budget is measured against (gui/pacing.py). Any thread."""
        return self._cpu

    def snapshot_taken(self) -> None:
        """The receiver has handled the last snapshot: the next emission may go out (not before
        EMIT_INTERVAL after the last). Thread-safe; the Session calls it."""
        self._taken.set()

    def stop(self) -> None:
        """End the loop promptly (also from a slow-motion wait); `finished` follows."""
        with self._cond:
            self._stopping = True
            self._commands.append(("stop",))
            self._cond.notify()

    # -- the loop (runs in the worker's thread) -------------------------------------------------
    @Slot()
    def run(self) -> None:
        """The training loop: take commands, train a batch when due, emit throttled results.
        Connect the thread's `started` signal to this slot after `moveToThread`."""
        try:
            with single_blas_thread():
                while True:
                    commands = self._wait_for_work()
                    for command in commands:
                        self._guarded(self._handle, command)
                    if self._stopping:
                        break
                    if self._mode != PAUSED and time.monotonic() >= self._next_batch:
                        self._guarded(self._one_batch)
        finally:
            self._pending.clear()
            self._pending_epochs.clear()
            self.finished.emit()
            app = QCoreApplication.instance()
            if app is not None and not QThread.isMainThread():
                self.moveToThread(app.thread())  # so it can be deleted from the GUI thread
                QThread.currentThread().quit()  # end the thread (exec() returns at once)

    def _wait_for_work(self) -> list[tuple]:
        """Block until a command arrives or (when running) the next batch is due."""
        with self._cond:
            while not self._commands and not self._stopping:
                if self._mode == PAUSED:
                    self._cond.wait()
                    continue
                left = self._next_batch - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            commands = list(self._commands)
            self._commands.clear()
        return commands

    def _guarded(self, fn, *args) -> None:
        """Run fn; on any error pause and report it (the loop never dies of an exception)."""
        try:
            fn(*args)
        except TrainingDiverged as e:
            self.diverged.emit(self._generation)
            self._fail(f"Training diverged and was paused: {e}.")
        except Exception as e:  # noqa: BLE001 - reported to the user, the loop carries on
            self._fail(f"Training stopped with an error: {type(e).__name__}: {e}")

    def _fail(self, message: str) -> None:
        try:
            self._enter_pause()
        except Exception:  # noqa: BLE001 - already reporting an error; keep the loop alive
            self._mode = PAUSED
            self._announce("paused")
        self.failed.emit(self._generation, message)

    def _handle(self, command: tuple) -> None:
        name, args = command[0], command[1:]
        t = self._trainer
        if name == "start":
            self._begin(RUNNING)
        elif name == "pause":
            if self._mode != PAUSED:
                self._enter_pause()
        elif name == "step_batch":
            self._begin(STEP_BATCH)
            self._next_batch = 0.0  # a step happens now, whatever the speed
        elif name == "step_epoch":
            self._begin(STEP_EPOCH)
        elif name == "lr":
            t.lr = args[0]
        elif name == "batch_size":
            t.batch_size = args[0]
        elif name == "speed":
            self._delay = batch_delay(args[0])
            self._next_batch = min(self._next_batch, time.monotonic() + self._delay)
        elif name == "stop_after":
            self._stop_after = args[0]
        elif name == "install":
            self._pending.clear()
            self._pending_epochs.clear()
            self._pending_replay.clear()
            self._replay_count, self._replay_due = 0, 1
            if self._mode != PAUSED:
                self._mode = PAUSED
                self._announce("paused")
            self._trainer, self._generation = args
            self._synced = True
            self._start_sent = False
            self._checkpointed = False
            self._taken.set()
        elif name == "apply":
            weights, biases, generation = args
            if generation != self._generation:
                return
            if self._mode != PAUSED:
                self._enter_pause()
            t.net.set_parameters(weights, biases)
            t.load_network()
            self._synced = True
            self._checkpointed = False
            self._emit_snapshot()
        elif name == "stop":
            if self._mode != PAUSED:
                self._enter_pause()

    def _begin(self, mode: str) -> None:
        if self._mode == PAUSED:
            if mode != STEP_BATCH or not self._checkpointed:
                self._checkpoint_run_start()  # steps: once, before the first of a series
            now = time.monotonic()
            self._segment_start = now
            self._recent.clear()
            self._last_speed = now
            self._next_batch = now
        self._mode = mode
        if mode != STEP_BATCH:
            self._announce("training")

    def _one_batch(self) -> None:
        t = self._trainer
        started = time.monotonic()
        report = t.step()  # raises TrainingDiverged without changing any weight
        self._synced = False
        if not self._start_sent:
            self._start_sent = True
            self.run_started.emit(self._generation, t.start)
        self._pending.append(report)
        now = time.monotonic()
        self._recent.append((now, report.batch_size))
        self._next_batch = started + self._delay
        self._replay_count += 1
        if self._replay_count >= self._replay_due:
            self._pending_replay.append((self._replay_count, self._snapshot_now()))
            self._replay_due = next_due(self._replay_count)
        epoch_ended = t.epoch_done
        if epoch_ended:  # its report and checkpoint go out after the batches before them
            report = t.finish_epoch()
            self._pending_epochs.append((report, self._snapshot_now()))
        if self._mode == STEP_BATCH or (self._mode == STEP_EPOCH and epoch_ended) or (
                epoch_ended and self._mode == RUNNING and 0 < self._stop_after <= t.epoch):
            self._enter_pause()
            return
        if self._emission_due(now):
            self._flush_batches()
            self._emit_snapshot()
        if now - self._last_speed >= SPEED_INTERVAL:
            self._emit_speed(now)

    def _emission_due(self, now: float) -> bool:
        """EMIT_INTERVAL has passed since the last emission and its snapshot was taken (or the
        receiver has not said so for ACK_TIMEOUT)."""
        since = now - self._last_emit
        return since >= EMIT_INTERVAL and (self._taken.is_set() or since >= ACK_TIMEOUT)

    def _enter_pause(self) -> None:
        """Flush everything pending (reports, a snapshot, the speed), then announce "paused"."""
        self._mode = PAUSED
        self._flush_batches()
        self._emit_snapshot()
        if self._recent:
            self._emit_speed(time.monotonic())
            self._recent.clear()
        self._announce("paused")

    def _announce(self, state: str) -> None:
        if state != self._announced:
            self._announced = state
            self.state_changed.emit(state)

    def _flush_batches(self) -> None:
        """Emit the pending batch reports, then the epochs they completed, each followed by
        its checkpoint (in that order: a checkpoint never arrives before the reports that
        preceded it)."""
        if self._pending:
            reports, self._pending = tuple(self._pending), []
            self.batches_done.emit(self._generation, reports)
        if self._pending_replay:
            replay, self._pending_replay = tuple(self._pending_replay), []
            self.replay_ready.emit(self._generation, replay)
        if self._pending_epochs:
            epochs, self._pending_epochs = self._pending_epochs, []
            for report, snapshot in epochs:
                self.epoch_done.emit(self._generation, report)
                self._checkpoint(report.test_accuracy, _("at the end of epoch {epoch}").format(
                    epoch=report.epoch), snapshot)

    def _checkpoint_run_start(self) -> None:
        """The parameters as a run starts, with their held-out accuracy (evaluated now)."""
        t = self._trainer
        accuracy = (t.evaluate(t.test_images, t.test_labels)[1]
                    if t.test_images is not None and len(t.test_labels) else float("nan"))
        self._checkpoint(accuracy, _("from before the run that started at epoch {epoch}, "
                                     "batch {batch}").format(epoch=t.epoch,
                                                             batch=t.batch_in_epoch))

    def _checkpoint(self, accuracy: float, when: str, snapshot: Snapshot | None = None) -> None:
        """Offer `snapshot` (by default the parameters now) with its held-out accuracy."""
        self._checkpointed = True
        self.checkpoint_ready.emit(self._generation, snapshot or self._snapshot_now(),
                                   float(accuracy), when)

    def _snapshot_now(self) -> Snapshot:
        """A read-only copy of the parameters as they are now."""
        t = self._trainer
        if not self._synced:
            t.sync()
            self._synced = True
        return Snapshot.of(t.net, epoch=t.epoch, batch=t.batch_in_epoch,
                           samples_seen=t.samples_seen,
                           meta={"lr": t.lr, "batch_size": t.batch_size})

    def _emit_snapshot(self) -> None:
        snapshot = self._snapshot_now()
        self._last_emit = time.monotonic()
        self._cpu = time.thread_time()
        self._taken.clear()
        self.snapshot_ready.emit(self._generation, snapshot)

    def _emit_speed(self, now: float) -> None:
        """Samples per second over the last SPEED_WINDOW s (or since the run/step began)."""
        while self._recent and self._recent[0][0] < now - SPEED_WINDOW:
            self._recent.popleft()
        self._last_speed = now
        if not self._recent:
            return
        span = now - max(now - SPEED_WINDOW, self._segment_start)
        if span > 0:
            self.speed_measured.emit(sum(n for _, n in self._recent) / span)
