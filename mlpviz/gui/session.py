"""Session: the one object the views talk to about the run (see ARCHITECTURE.md).

It holds the run's settings (architecture, dataset, learning rate, batch size, speed), the latest
`Snapshot` and the per-epoch history, and owns the training thread: a `TrainingWorker` moved into
a QThread, started on the first command and stopped by `shutdown()`. The worker owns the Network
and Trainer; the session only ever holds snapshots (read-only copies).

Networks are built here, in the GUI thread, and handed to the worker (which pauses and takes
them between batches). Each hand-over starts a new *generation*; whatever the worker still had in
flight from an older network is dropped, so after `network_rebuilt` views never see stale data.
"""

from __future__ import annotations

import atexit
import math
import weakref
from typing import Sequence

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from mlpviz.core.datasets import Dataset, DatasetError, load_dataset
from mlpviz.core.limits import architecture_problem
from mlpviz.core.model_file import ModelFileError, write_model
from mlpviz.core.model_metadata import ModelMetadata, read_metadata
from mlpviz.core.network import Network, check_parameters
from mlpviz.core.snapshot import Snapshot
from mlpviz.core.training import DEFAULT_BATCH, EpochReport, Trainer, default_lr
from mlpviz.gui.worker import MAX_SPEED, TrainingWorker

DEFAULT_SIZES = (784, 16, 16, 10)
DEFAULT_ACTIVATION = "sigmoid"
DEFAULT_COST = "mse"
DEFAULT_SEED = 0
DEFAULT_DATASET = "bundled"


def _shutdown_if_alive(ref) -> None:
    session = ref()
    if session is not None:
        try:
            session.shutdown()
        except RuntimeError:  # its Qt objects were already deleted
            pass


class Session(QObject):
    """The run: settings, latest snapshot, history, and the training thread.

    Signals (all emitted in the GUI thread):
      snapshot_ready(Snapshot)      the latest parameters, ≤ ~25 a second while training
      batches_done(tuple[BatchReport, ...])  every batch since the last emission
      epoch_done(EpochReport)
      state_changed(str)            "training" or "paused", as confirmed by the worker
      speed_measured(float)         samples per second (while training, and after a step)
      failed(str)                   a one-paragraph message; training is paused
      network_rebuilt(Snapshot)     new network (architecture, dataset, reset, model): views clear
      dataset_changed(Dataset)

    Properties: snapshot, dataset, dataset_spec, is_training, lr, batch_size, speed, history,
    epoch_ends, batches_seen, sizes, activation, cost, seed. Setters validate, then apply
    (invalid values → failed).
    Call `shutdown()` before the application quits (the main window does, from closeEvent and
    aboutToQuit); after it every command is ignored.
    """

    snapshot_ready = Signal(object)
    batches_done = Signal(object)
    epoch_done = Signal(object)
    state_changed = Signal(str)
    speed_measured = Signal(float)
    failed = Signal(str)
    network_rebuilt = Signal(object)
    dataset_changed = Signal(object)

    def __init__(self, dataset: Dataset | None = None, dataset_spec: str = DEFAULT_DATASET,
                 sizes: Sequence[int] = DEFAULT_SIZES, activation: str = DEFAULT_ACTIVATION,
                 cost: str = DEFAULT_COST, seed: int = DEFAULT_SEED, lr: float | None = None,
                 batch_size: int = DEFAULT_BATCH, parent: QObject | None = None):
        """Load `dataset_spec` (DatasetError propagates) unless a `dataset` is given, and build
        the network; `lr` defaults to `default_lr(cost, activation, hidden layers)`. Raises ValueError on a bad architecture."""
        super().__init__(parent)
        self._dataset = load_dataset(dataset_spec) if dataset is None else dataset
        self._dataset_spec = dataset_spec
        problem = architecture_problem(sizes, activation, cost, seed, self._dataset)
        if problem:
            raise ValueError(problem)
        self._sizes = tuple(int(s) for s in sizes)
        self._activation, self._cost, self._seed = activation, cost, int(seed)
        self._lr = default_lr(cost, activation, len(sizes) - 2) if lr is None else _positive_float(lr)
        if self._lr is None:
            raise ValueError(f"The learning rate must be a positive number, not {lr!r}.")
        if not _is_whole(batch_size) or batch_size < 1:
            raise ValueError(f"The batch size must be a whole number ≥ 1, not {batch_size!r}.")
        self._batch_size = min(int(batch_size), len(self._dataset.train_labels))
        self._speed = MAX_SPEED
        self._history: list[EpochReport] = []
        self._epoch_ends: list[int] = []  # mini-batches seen when each epoch of _history ended
        self._batches_seen = 0  # mini-batches trained (counted on from a loaded model's)
        self._training = False  # confirmed by the worker
        self._intent = False  # what the user last asked for (for toggle)
        self._closed = False
        self._thread_started = False

        self._generation = 0
        trainer = self._make_trainer(Network(self._sizes, activation, cost, self._seed))
        self._snapshot = Snapshot.of(trainer.net, meta=self._meta())
        self._worker = TrainingWorker(trainer, self._generation, self._speed)
        self._thread = QThread()
        self._thread.setObjectName("mlpviz-training")
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        w = self._worker
        w.snapshot_ready.connect(self._on_worker_snapshot)
        w.batches_done.connect(self._on_worker_batches)
        w.epoch_done.connect(self._on_worker_epoch)
        w.state_changed.connect(self._on_worker_state)
        w.speed_measured.connect(self._on_worker_speed)
        w.failed.connect(self._on_worker_failed)
        app = QCoreApplication.instance()
        if app is not None:  # a safety net; the main window also calls shutdown() itself
            app.aboutToQuit.connect(self.shutdown)
        # And one for a script that ends without quitting the application: stop the thread before
        # the interpreter tears Qt down ("QThread: Destroyed while thread is still running").
        atexit.register(_shutdown_if_alive, weakref.ref(self))

    # -- properties ------------------------------------------------------------------------------
    @property
    def snapshot(self) -> Snapshot:
        """The latest Snapshot (parameters + epoch, batch, samples_seen, meta lr/batch_size)."""
        return self._snapshot

    @property
    def dataset(self) -> Dataset:
        return self._dataset

    @property
    def dataset_spec(self) -> str:
        """What `set_dataset` was last given: "bundled", "mnist", "fashion" or a folder."""
        return self._dataset_spec

    @property
    def is_training(self) -> bool:
        """True while the worker runs batches (continuous training or a step_epoch)."""
        return self._training

    @property
    def lr(self) -> float:
        return self._lr

    @property
    def batch_size(self) -> int:
        return self._batch_size

    @property
    def speed(self) -> int:
        """1..100, 100 = full speed."""
        return self._speed

    @property
    def history(self) -> list[EpochReport]:
        """Per-epoch reports of the current network, oldest first (a copy)."""
        return list(self._history)

    @property
    def epoch_ends(self) -> tuple[int, ...]:
        """Mini-batches seen when each epoch of `history` ended (where the cost plot marks it)."""
        return tuple(self._epoch_ends)

    @property
    def batches_seen(self) -> int:
        """Mini-batches the current network has trained, a loaded model's included."""
        return self._batches_seen

    @property
    def sizes(self) -> tuple[int, ...]:
        return self._sizes

    @property
    def activation(self) -> str:
        return self._activation

    @property
    def cost(self) -> str:
        return self._cost

    @property
    def seed(self) -> int:
        return self._seed

    @property
    def thread(self) -> QThread:
        """The training thread (for tests and diagnostics)."""
        return self._thread

    # -- run control -----------------------------------------------------------------------------
    def start(self) -> None:
        """Train continuously."""
        if self._send("start"):
            self._intent = True

    def pause(self) -> None:
        """Pause after the current batch; state_changed("paused") confirms it."""
        self._intent = False
        if self._thread_started and not self._closed:
            self._worker.pause()

    def toggle(self) -> None:
        """Pause if training (or about to), else start."""
        if self._intent:
            self.pause()
        else:
            self.start()

    def step_batch(self) -> None:
        """Train exactly one mini-batch, then pause; a snapshot follows at once."""
        if self._send("step_batch"):
            self._intent = False

    def step_epoch(self) -> None:
        """Train to the end of the current epoch, then pause."""
        if self._send("step_epoch"):
            self._intent = True

    def set_lr(self, lr: float) -> None:
        """The learning rate η (> 0), from the next batch on."""
        value = _positive_float(lr)
        if value is None:
            self._fail(f"The learning rate must be a positive number, not {lr!r}.")
            return
        self._lr = value
        self._send("set_lr", value)

    def set_batch_size(self, batch_size: int) -> None:
        """Samples per mini-batch, 1 … training-set size, from the next batch on."""
        n = len(self._dataset.train_labels)
        if not _is_whole(batch_size) or not 1 <= batch_size <= n:
            self._fail(f"The batch size must be a whole number from 1 to {n}, not {batch_size!r}.")
            return
        self._batch_size = int(batch_size)
        self._send("set_batch_size", self._batch_size)

    def set_speed(self, speed: int) -> None:
        """1..100 (clamped): 100 = full speed, 1 = about one batch a second."""
        try:
            speed = min(max(int(speed), 1), MAX_SPEED)
        except (TypeError, ValueError, OverflowError):
            self._fail(f"The speed must be a whole number from 1 to {MAX_SPEED}, not {speed!r}.")
            return
        self._speed = speed
        self._send("set_speed", self._speed)

    # -- new networks ----------------------------------------------------------------------------
    def reset(self) -> None:
        """New random weights: same architecture, same seed; history cleared."""
        self._install(Network(self._sizes, self._activation, self._cost, self._seed))

    def rebuild(self, sizes: Sequence[int], activation: str, cost: str, seed: int,
                lr: float | None = None) -> None:
        """A new random network. Sizes must fit the dataset (784 inputs, one output per class)
        with 1..4 hidden layers of 1..128 neurons; else failed(msg) and nothing changes. The
        learning rate becomes `lr`, or with None the default for the new network
        (`default_lr`: its activation, cost and depth)."""
        if self._closed:
            return
        problem = architecture_problem(sizes, activation, cost, seed, self._dataset)
        if problem:
            self._fail(problem)
            return
        rate = default_lr(cost, activation, len(sizes) - 2) if lr is None else _positive_float(lr)
        if rate is None:
            self._fail(f"The learning rate must be a positive number, not {lr!r}.")
            return
        self._lr = rate
        self._sizes = tuple(int(s) for s in sizes)
        self._activation, self._cost, self._seed = activation, cost, int(seed)
        self._install(Network(self._sizes, activation, cost, self._seed))

    def set_dataset(self, spec: str) -> None:
        """Load a dataset ("bundled", "mnist", "fashion" or a folder) and start a new random
        network on it. Errors → failed(msg); the old dataset and network are kept."""
        if self._closed:
            return
        try:
            dataset = load_dataset(spec)
        except (DatasetError, OSError) as e:
            self._fail(f"Could not load the dataset {spec!r}: {e}")
            return
        problem = architecture_problem(self._sizes, self._activation, self._cost, self._seed,
                                       dataset)
        if problem:
            self._fail(f"The current network does not fit {dataset.name}: {problem}")
            return
        self._dataset, self._dataset_spec = dataset, spec
        if self._batch_size > len(dataset.train_labels):
            self._batch_size = len(dataset.train_labels)
        self._install(Network(self._sizes, self._activation, self._cost, self._seed),
                      dataset_changed=True)

    def open_model(self, path) -> None:
        """Load a model file (and its epochs, history, learning rate and batch size). A bad file
        or one that does not fit the dataset → failed(msg); the current network is kept."""
        if self._closed:
            return
        try:
            net, raw = Network.load_with_metadata(path)
        except ModelFileError as e:
            self._fail(f"Could not open the model: {e}")
            return
        problem = architecture_problem(net.sizes, net.activation, net.cost, self._seed,
                                       self._dataset)
        if problem:
            self._fail(f"The model in {path} does not fit {self._dataset.name}: {problem}")
            return
        meta = read_metadata(raw, train_size=len(self._dataset.train_labels))
        if meta.lr is not None:
            self._lr = meta.lr
        elif net.cost != self._cost:
            self._lr = default_lr(net.cost, net.activation, net.L - 1)
        if meta.batch is not None and meta.batch <= len(self._dataset.train_labels):
            self._batch_size = meta.batch
        self._sizes, self._activation, self._cost = tuple(net.sizes), net.activation, net.cost
        self._install(net, record=meta)

    def save_model(self, path) -> bool:
        """Write the latest snapshot (never the live arrays) with the training record of
        `core.model_metadata` (the same keys `mlpviz train` writes). Errors → failed(msg) and
        False."""
        snap = self._snapshot
        meta = ModelMetadata(
            dataset=self._dataset_spec, dataset_name=self._dataset.name, lr=self._lr,
            batch=self._batch_size, seed=self._seed, epochs=snap.epoch,
            batches_seen=self._batches_seen, samples_seen=snap.samples_seen,
            history=self._history, epoch_ends=self._epoch_ends)
        try:
            write_model(path, snap.sizes, snap.activation, snap.cost, snap.weights, snap.biases,
                        meta.as_dict())
        except OSError as e:
            self._fail(f"Could not save the model to {path}: {e.strerror or e}.")
            return False
        except (ValueError, TypeError) as e:
            self._fail(f"Could not save the model to {path}: {e}")
            return False
        return True

    def apply_parameters(self, weights, biases) -> None:
        """Replace every weight and bias exactly (the stepper's gradient step and its undo);
        training pauses and a snapshot holding these values bit for bit follows."""
        if self._closed:
            return
        try:
            weights = [np.array(W, dtype=np.float64) for W in weights]
            biases = [np.array(b, dtype=np.float64) for b in biases]
            check_parameters(self._sizes, weights, biases)
        except (ValueError, TypeError) as e:
            self._fail(f"These parameters do not fit the network {list(self._sizes)}: {e}")
            return
        self._intent = False
        self._ensure_thread()
        self._worker.apply_parameters(weights, biases, self._generation)

    @Slot()
    def shutdown(self) -> None:
        """Stop the loop (promptly, even in slow motion), end the thread and wait for it.
        Idempotent; safe if the thread never started."""
        if self._closed:
            return
        self._closed = True
        self._intent = self._training = False
        if self._thread_started:
            self._worker.stop()
            self._thread.quit()
            self._thread.wait()

    # -- internals -------------------------------------------------------------------------------
    def _meta(self) -> dict:
        return {"lr": self._lr, "batch_size": self._batch_size}

    def _make_trainer(self, net: Network) -> Trainer:
        d = self._dataset
        return Trainer(net, d.train_images, d.train_labels, d.test_images, d.test_labels,
                       lr=self._lr, batch_size=self._batch_size, seed=self._seed)

    def _install(self, net: Network, dataset_changed: bool = False,
                 record: ModelMetadata = ModelMetadata()) -> None:
        """Hand a new network to the worker (pausing it) and tell the views; `record` says how
        far it was trained (a loaded model's; a new network's is empty)."""
        if self._closed:
            return
        try:
            trainer = self._make_trainer(net)
        except ValueError as e:
            self._fail(f"Cannot train this network on {self._dataset.name}: {e}")
            return
        epochs, samples_seen = record.epochs, record.samples_seen
        trainer.epoch, trainer.samples_seen = epochs, samples_seen
        self._generation += 1
        self._history = list(record.history)
        self._epoch_ends = list(record.epoch_ends)
        self._batches_seen = record.batches_seen
        self._intent = False
        self._snapshot = Snapshot.of(net, epoch=epochs, samples_seen=samples_seen,
                                     meta=self._meta())  # before the worker may touch `net`
        self._worker.install(trainer, self._generation)
        if dataset_changed:
            self.dataset_changed.emit(self._dataset)
        self.network_rebuilt.emit(self._snapshot)

    def _send(self, command: str, *args) -> bool:
        """Call worker.<command>(*args), starting the thread first if needed."""
        if self._closed:
            return False
        self._ensure_thread()
        getattr(self._worker, command)(*args)
        return True

    def _ensure_thread(self) -> None:
        if not self._thread_started:
            self._thread_started = True
            self._thread.start()

    def _fail(self, message: str) -> None:
        self.pause()
        self.failed.emit(message)

    # -- from the worker (queued into the GUI thread) --------------------------------------------
    @Slot(int, object)
    def _on_worker_snapshot(self, generation: int, snapshot: Snapshot) -> None:
        if self._closed or generation != self._generation:
            return
        self._snapshot = snapshot
        self.snapshot_ready.emit(snapshot)

    @Slot(int, object)
    def _on_worker_batches(self, generation: int, reports: tuple) -> None:
        if self._closed or generation != self._generation:
            return
        self._batches_seen += len(reports)
        self.batches_done.emit(reports)

    @Slot(int, object)
    def _on_worker_epoch(self, generation: int, report: EpochReport) -> None:
        if self._closed or generation != self._generation:
            return
        self._history.append(report)
        self._epoch_ends.append(self._batches_seen)  # its batches came first
        self.epoch_done.emit(report)

    @Slot(str)
    def _on_worker_state(self, state: str) -> None:
        if self._closed:
            return
        self._training = state == "training"
        self._intent = self._training
        self.state_changed.emit(state)

    @Slot(float)
    def _on_worker_speed(self, samples_per_second: float) -> None:
        if not self._closed:
            self.speed_measured.emit(samples_per_second)

    @Slot(int, str)
    def _on_worker_failed(self, generation: int, message: str) -> None:
        if self._closed or generation != self._generation:
            return
        self._intent = False
        self.failed.emit(message)


def _positive_float(value) -> float | None:
    """`value` as a finite float > 0, else None (text, None, NaN, ±inf, ≤ 0, True/False)."""
    if isinstance(value, bool):
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) and value > 0 else None


def _is_whole(value) -> bool:
    """An int (numpy's too), not a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
