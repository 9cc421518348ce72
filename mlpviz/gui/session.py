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
import dataclasses
import math
import operator
import os
import weakref
from typing import Sequence

import numpy as np
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QThread, QTimer, Signal, Slot

from mlpviz.core.checkpoints import CheckpointLog, Checkpoints, capacity_for
from mlpviz.core.datasets import Dataset, DatasetError, load_dataset
from mlpviz.core.finite import parameters_problem
from mlpviz.core.imports import ImportNeedsChoice, ModelImportError, load_any_model
from mlpviz.core.last_good import Checkpoint, LastGood, collapsed
from mlpviz.core.limits import architecture_problem
from mlpviz.core.model_file import ModelFileError, write_model
from mlpviz.core.model_metadata import ModelMetadata, read_metadata
from mlpviz.core.network import Network, check_parameters
from mlpviz.core.runs import RunSettings, RunStart
from mlpviz.core.snapshot import Snapshot
from mlpviz.core.training import DEFAULT_BATCH, EpochReport, Trainer, default_lr
from mlpviz.gui.background import Background
from mlpviz.gui.last_resort import summary_of
from mlpviz.gui.pacing import SnapshotPacer
from mlpviz.gui.worker import MAX_SPEED, TrainingWorker
from mlpviz.i18n import _

DEFAULT_SIZES = (784, 16, 16, 10)
DEFAULT_ACTIVATION = "sigmoid"
DEFAULT_COST = "mse"
DEFAULT_SEED = 0
DEFAULT_DATASET = "bundled"
SEED_RANGE = (0, 2**31 - 1)  # the seed box is a QSpinBox: a C int
OVERFLOW_PROBE = 500  # held-out samples whose forward pass must stay finite for new parameters
SNAPSHOT_DRAWN = QEvent.Type(QEvent.registerEventType())  # posted to the Session (see below)
LOW_PRIORITY = Qt.EventPriority.LowEventPriority.value


def _shutdown_if_alive(ref) -> None:
    session = ref()
    if session is not None:
        try:
            session.shutdown()
        except RuntimeError:  # its Qt objects were already deleted
            pass


def _reader(attribute: str, doc: str) -> property:
    """A read-only property returning self.<attribute>."""
    return property(operator.attrgetter(attribute), doc=doc)


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
      busy_changed(str)             a file being read ("Opening m.npz …"), "" when done
      restored(str)                 the parameters were put back (`restore_last_good`,
                                    `undo_restore`): what was restored, in a sentence
    `rerun()` starts the run again from its start (`core.runs.RunStart`: the same initial
    weights and shuffle order) with the η and batch size set now; `run_settings()` describes
    the run for `core.runs.differences`.

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
    busy_changed = Signal(str)
    restored = Signal(str)
    run_started = Signal(object)  # the run's first mini-batch: its RunStart (see rerun)
    imported = Signal(str)  # after import_model: what the file was read as, in one sentence
    choice_needed = Signal(str, object)  # (path, ImportNeedsChoice): ask, then import_model again

    def __init__(self, dataset: Dataset | None = None, dataset_spec: str = DEFAULT_DATASET,
                 sizes: Sequence[int] = DEFAULT_SIZES, activation: str = DEFAULT_ACTIVATION,
                 cost: str = DEFAULT_COST, seed: int = DEFAULT_SEED, lr: float | None = None,
                 batch_size: int = DEFAULT_BATCH, parent: QObject | None = None):
        """Load `dataset_spec` (DatasetError propagates) unless a `dataset` is given, and build
        the network; `lr` defaults to `default_lr(cost, activation, hidden layers)`. Raises
        ValueError on a bad architecture."""
        super().__init__(parent)
        self._dataset = load_dataset(dataset_spec) if dataset is None else dataset
        self._dataset_spec = dataset_spec
        problem = _seed_problem(seed) or architecture_problem(sizes, activation, cost, seed,
                                                              self._dataset)
        if problem:
            raise ValueError(problem)
        self._sizes = tuple(int(s) for s in sizes)
        self._activation, self._cost, self._seed = activation, cost, int(seed)
        self._lr = (default_lr(cost, activation, len(sizes) - 2) if lr is None
                    else _positive_float(lr))
        if self._lr is None:
            raise ValueError(f"The learning rate must be a positive number, not {lr!r}.")
        if not _is_whole(batch_size) or batch_size < 1:
            raise ValueError(f"The batch size must be a whole number ≥ 1, not {batch_size!r}.")
        self._batch_size = min(int(batch_size), len(self._dataset.train_labels))
        self._speed = MAX_SPEED
        self._stop_after = 0  # epochs after which training pauses by itself (0: never)
        self._history: list[EpochReport] = []
        self._epoch_ends: list[int] = []  # mini-batches seen when each epoch of _history ended
        self._batches_seen = 0  # mini-batches trained (counted on from a loaded model's)
        self._epoch_end_at: dict[int, int] = {}  # epochs completed → batches seen then
        self._training = False  # confirmed by the worker
        self._intent = False  # what the user last asked for (for toggle)
        self._closed = False
        self._thread_started = False
        self._files = Background(self)
        self._last_good = LastGood()  # the best parameters seen on this network
        self._undo: Checkpoint | None = None  # what the last restore replaced
        self._offer = False  # the last failure was a collapse or divergence: offer a restore
        self._run_start: RunStart | None = None  # where this network's run began (rerun)
        self._record = ModelMetadata()  # what the network had been trained before (rerun)
        self._files.busy_changed.connect(self.busy_changed)

        self._generation = 0
        trainer = self._make_trainer(Network(self._sizes, activation, cost, self._seed))
        self._snapshot = Snapshot.of(trainer.net, meta=self._meta())
        self._replay = CheckpointLog(capacity_for(self._sizes))  # the replay's checkpoints
        self._replay.offer(0, self._snapshot)
        self._replay_base = 0  # batches seen when the worker's count of them started
        self._worker = TrainingWorker(trainer, self._generation, self._speed)
        self._pacer = SnapshotPacer()
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
        w.diverged.connect(self._on_worker_diverged)
        w.checkpoint_ready.connect(self._on_worker_checkpoint)
        w.run_started.connect(self._on_worker_run_started)
        w.replay_ready.connect(self._on_worker_replay)
        app = QCoreApplication.instance()
        if app is not None:  # a safety net; the main window also calls shutdown() itself
            app.aboutToQuit.connect(self.shutdown)
        # And one for a script that ends without quitting the application: stop the thread before
        # the interpreter tears Qt down ("QThread: Destroyed while thread is still running").
        atexit.register(_shutdown_if_alive, weakref.ref(self))

    # -- properties (read-only: the run changes only through the methods below) ----------------
    snapshot = _reader("_snapshot", "The latest Snapshot (parameters + epoch, batch, samples_seen, "
                                    "meta lr/batch_size).")
    dataset = _reader("_dataset", "The Dataset trained on (a core.datasets.Dataset).")
    dataset_spec = _reader("_dataset_spec", "What `set_dataset` was last given: \"bundled\", "
                                            "\"mnist\", \"fashion\" or a folder.")
    is_training = _reader("_training", "True while the worker runs batches (continuous training "
                                       "or a step_epoch).")
    lr = _reader("_lr", "The learning rate η (float > 0).")
    batch_size = _reader("_batch_size", "Samples per mini-batch (int).")
    speed = _reader("_speed", "1..100, 100 = full speed.")
    batches_seen = _reader("_batches_seen", "Mini-batches the current network has trained, a "
                                            "loaded model's included.")
    sizes = _reader("_sizes", "Neurons per layer, input first (tuple of int).")
    activation = _reader("_activation", "The hidden layers' activation's name.")
    cost = _reader("_cost", "The cost's name.")
    seed = _reader("_seed", "The seed of the network's random initial weights (int).")
    thread = _reader("_thread", "The training QThread (for tests and diagnostics).")

    @property
    def history(self) -> list[EpochReport]:
        """Per-epoch reports of the current network, oldest first (a copy)."""
        return list(self._history)

    @property
    def epoch_ends(self) -> tuple[int, ...]:
        """Mini-batches seen when each epoch of `history` ended (where the cost plot marks it)."""
        return tuple(self._epoch_ends)

    @property
    def checkpoints(self) -> Checkpoints:
        """The replay's checkpoints of this network (core.checkpoints): every snapshot as it
        arrives, thinned to a log-spaced few; the newest is the latest snapshot."""
        return self._replay.record()

    def restore_checkpoints(self, record: Checkpoints) -> None:
        """Replay `record` (a lesson file's checkpoints of the network now installed) instead
        of the checkpoints taken since it was installed; the latest snapshot is added as the
        newest unless the record ends where it stands (a lesson file's newest is the network it
        saved, kept as saved). ValueError if they are of another architecture or later than
        the batches seen."""
        if any(s.sizes != self._snapshot.sizes for s in record.snapshots):
            raise ValueError("the checkpoints are of another network than the one on show")
        if len(record) and record.batches[-1] > self._batches_seen:
            raise ValueError(f"the checkpoints go to {record.batches[-1]:,} mini-batches, "
                             f"beyond the {self._batches_seen:,} this network has seen")
        self._replay.restore(record)
        if not len(record) or record.batches[-1] < self._batches_seen:
            self._replay.offer(self._batches_seen, self._snapshot)

    @property
    def last_good(self) -> Checkpoint | None:
        """The best parameters seen on this network (highest held-out accuracy), or None."""
        return self._last_good.best

    @property
    def restore_offered(self) -> bool:
        """True after training collapsed or diverged while better weights are kept: the
        window offers `restore_last_good` with the message."""
        return self._offer and self._last_good.best is not None

    @property
    def can_undo_restore(self) -> bool:
        return self._undo is not None

    @property
    def busy(self) -> str:
        """The file being read in the background ("Opening m.npz …"), "" if none."""
        return self._files.busy

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
            self._fail(_("The learning rate must be a positive number, not {value}.").format(
                value=repr(lr)))
            return
        self._lr = value
        self._send("set_lr", value)

    def set_batch_size(self, batch_size: int) -> None:
        """Samples per mini-batch, 1 … training-set size, from the next batch on."""
        n = len(self._dataset.train_labels)
        if not _is_whole(batch_size) or not 1 <= batch_size <= n:
            self._fail(_("The batch size must be a whole number from 1 to {n}, not {value}.")
                       .format(n=n, value=repr(batch_size)))
            return
        self._batch_size = int(batch_size)
        self._send("set_batch_size", self._batch_size)

    def set_speed(self, speed: int) -> None:
        """1..100 (clamped): 100 = full speed, 1 = about one batch a second."""
        try:
            speed = min(max(int(speed), 1), MAX_SPEED)
        except (TypeError, ValueError, OverflowError):
            self._fail(_("The speed must be a whole number from 1 to {n}, not {value}.").format(
                n=MAX_SPEED, value=repr(speed)))
            return
        self._speed = speed
        self._send("set_speed", self._speed)

    def set_stop_after(self, epochs: int) -> None:
        """Training pauses by itself at the end of an epoch once `epochs` epochs are done (and,
        past that, at the end of each further epoch); 0: it runs until paused."""
        if not _is_whole(epochs) or epochs < 0:
            self._fail(_("“Stop after” must be a whole number of epochs ≥ 0, not {value}.")
                       .format(value=repr(epochs)))
            return
        self._stop_after = int(epochs)
        self._send("set_stop_after", self._stop_after)

    @property
    def stop_after(self) -> int:
        """Epochs after which training pauses by itself (0: never); see `set_stop_after`."""
        return self._stop_after

    # -- new networks ----------------------------------------------------------------------------
    def reset(self) -> None:
        """New random weights: same architecture, same seed; history cleared."""
        self._install(Network(self._sizes, self._activation, self._cost, self._seed))

    def rerun(self) -> None:
        """Start the run again from where it began: the same initial weights and biases and the
        same shuffle order (`run_start`), with the learning rate and batch size set now; the
        history goes back to what it was at that start. Before the first mini-batch there is
        no run to repeat: failed(msg)."""
        if self._closed:
            return
        start = self._run_start
        if start is None:
            self._fail(_("There is no run to repeat yet: train at least one mini-batch first. "
                         "Its start (the weights and the shuffle order) is kept from then on."))
            return
        net = Network.from_parameters(self._sizes, self._activation, self._cost, start.weights,
                                      start.biases, check=False)
        self._install(net, record=self._record, start=start)

    @property
    def run_start(self) -> RunStart | None:
        """Where the run on this network began (its first mini-batch), or None before it."""
        return self._run_start

    def restore_run_start(self, start: RunStart | None) -> None:
        """Where the run on this network began (a lesson file's), so `rerun` goes back there;
        ValueError, nothing changed, when its parameters do not fit this network."""
        if start is not None:
            check_parameters(self._sizes, list(start.weights), list(start.biases))
        self._run_start = start
        if start is not None:
            self.run_started.emit(start)

    def run_settings(self) -> RunSettings:
        """The run as `core.runs` compares it: architecture, σ, cost, η and batch size set now,
        seed, data, and the start's digest ("" before the first mini-batch)."""
        return RunSettings(self._sizes, self._activation, self._cost, (self._lr,),
                           (self._batch_size,), self._seed, self._dataset.name,
                           self._run_start.digest if self._run_start else "")

    def rebuild(self, sizes: Sequence[int], activation: str, cost: str, seed: int,
                lr: float | None = None) -> None:
        """A new random network. Sizes must fit the dataset (784 inputs, one output per class)
        with 1..4 hidden layers of 1..128 neurons; else failed(msg) and nothing changes. The
        learning rate becomes `lr`, or with None the default for the new network
        (`default_lr`: its activation, cost and depth)."""
        if self._closed:
            return
        problem = _seed_problem(seed) or architecture_problem(sizes, activation, cost, seed,
                                                              self._dataset)
        if problem:
            self._fail(problem)
            return
        rate = default_lr(cost, activation, len(sizes) - 2) if lr is None else _positive_float(lr)
        if rate is None:
            self._fail(_("The learning rate must be a positive number, not {value}.").format(
                value=repr(lr)))
            return
        self._lr = rate
        self._sizes = tuple(int(s) for s in sizes)
        self._activation, self._cost, self._seed = activation, cost, int(seed)
        self._install(Network(self._sizes, activation, cost, self._seed))

    def set_dataset(self, spec: str) -> None:
        """Load a dataset ("bundled", "mnist", "fashion" or a folder) in the background
        (busy_changed says so) and start a new random network on it. Errors → failed(msg);
        the old dataset and network are kept."""
        if self._closed:
            return
        self._files.run(_("Loading the data {name} …").format(name=_short(spec)), lambda: load_dataset(spec),
                        lambda dataset, error: self._on_dataset_loaded(spec, dataset, error))

    def _on_dataset_loaded(self, spec: str, dataset: Dataset | None, error) -> None:
        if self._closed:
            return
        if error is not None:
            why = error if isinstance(error, (DatasetError, OSError)) else summary_of(error)
            self._fail(_("Could not load the dataset {spec}: {reason}").format(
                spec=repr(spec), reason=why))
            return
        problem = architecture_problem(self._sizes, self._activation, self._cost, self._seed,
                                       dataset)
        if problem:
            self._fail(_("The current network does not fit {data}: {problem}").format(
                data=_(dataset.name), problem=problem))
            return
        self._dataset, self._dataset_spec = dataset, spec
        if self._batch_size > len(dataset.train_labels):
            self._batch_size = len(dataset.train_labels)
        self._install(Network(self._sizes, self._activation, self._cost, self._seed),
                      dataset_changed=True)

    def open_model(self, path) -> None:
        """Load a model file (and its epochs, history, learning rate and batch size) in the
        background (busy_changed says so). A bad file or one that does not fit the dataset →
        failed(msg); the current network is kept."""
        self._load_in_background(path, Network.load_with_metadata, _("Opening {path} …"))

    def import_model(self, path, activation: str | None = None, cost: str | None = None) -> None:
        """As open_model, for any file `core.imports` reads (safetensors, .npz, .h5, .onnx, ours).
        Where the file does not say the activation or cost → choice_needed(path, the
        ImportNeedsChoice): nothing is guessed; call again with the user's choice."""
        self._load_in_background(path, lambda p: load_any_model(p, activation, cost),
                                 _("Importing {path} …"),
                                 self._say_imported)

    def _say_imported(self, path: str, raw: dict) -> None:
        """imported(sentence): what the file was read as, and whether W was transposed."""
        what = raw.get("import_format") or _("mlpviz model")
        if raw.get("import_transposed"):
            text = _("Imported {path} as a {what}: its weights were stored (in, out) and were "
                     "transposed to (out, in).")
        else:
            text = _("Imported {path} as a {what}.")
        self.imported.emit(text.format(path=_short(path), what=what))

    def _load_in_background(self, path, read, saying: str, then=None) -> None:
        """read(path) → (Network, raw metadata), in the background; then _on_model_loaded, and
        then(path, raw metadata) once the network is installed."""
        if self._closed:
            return
        test_x = self._dataset.test_x()
        train_size = len(self._dataset.train_labels)

        def load():
            net, raw = read(path)
            fits = net.sizes[0] == test_x.shape[1]  # else _on_model_loaded says it does not fit
            meta, note = _trusted_record(raw, train_size)
            return net, meta, note, parameters_problem(net, test_x) if fits else None, raw

        def done(loaded, error) -> None:
            if self._on_model_loaded(str(path), loaded, error) and then is not None:
                then(str(path), loaded[-1])

        self._files.run(saying.format(path=_short(path)), load, done)

    def _on_model_loaded(self, path, loaded, error) -> bool:
        """Install the loaded network (True), or say why not (False; the network is kept)."""
        if self._closed:
            return False
        if isinstance(error, ImportNeedsChoice):
            self.choice_needed.emit(path, error)
            return False
        if error is not None:
            why = (error if isinstance(error, (ModelFileError, ModelImportError, OSError))
                   else summary_of(error))
            self._fail(_("Could not open the model: {reason}").format(reason=why))
            return False
        net, meta, note, overflow, _raw = loaded
        problem = architecture_problem(net.sizes, net.activation, net.cost, self._seed,
                                       self._dataset)
        if problem:
            self._fail(_("The model in {path} does not fit {data}: {problem}").format(
                path=path, data=_(self._dataset.name), problem=problem))
            return False
        if overflow:
            self._fail(_("The model in {path} was not opened: {problem} on the held-out images "
                         "of {data}. The current network is kept.").format(
                path=path, problem=overflow, data=_(self._dataset.name)))
            return False
        if meta.lr is not None:
            self._lr = meta.lr
        elif net.cost != self._cost:
            self._lr = default_lr(net.cost, net.activation, net.L - 1)
        if meta.batch is not None and meta.batch <= len(self._dataset.train_labels):
            self._batch_size = meta.batch
        self._sizes, self._activation, self._cost = tuple(net.sizes), net.activation, net.cost
        self._install(net, record=meta)
        if note:
            self.failed.emit(_("Opened {path}, but {note}.").format(path=path, note=note))
        return True

    def restore_network(self, net: Network, record: ModelMetadata, seed: int) -> bool:
        """Install `net` exactly as given (a lesson file's) with its training record (epochs,
        history, η, batch size) and `seed` (the one Reset uses); training pauses. False and
        failed(msg) when it does not fit the dataset or overflows: the network is kept."""
        if self._closed:
            return False
        problem = (_seed_problem(seed) or architecture_problem(
            net.sizes, net.activation, net.cost, seed, self._dataset)
            or parameters_problem(net, self._dataset.test_x()[:OVERFLOW_PROBE]))
        if problem:
            self._fail(_("The lesson's network cannot be shown on {data}: {problem}").format(
                data=_(self._dataset.name), problem=problem))
            return False
        self._lr = record.lr or default_lr(net.cost, net.activation, net.L - 1)
        self._batch_size = min(record.batch or self._batch_size,
                               len(self._dataset.train_labels))
        self._sizes, self._activation, self._cost = tuple(net.sizes), net.activation, net.cost
        self._seed = int(seed)
        self._install(net, record=record)
        return True

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
            self._fail(_("Could not save the model to {path}: {reason}.").format(
                path=path, reason=e.strerror or e))
            return False
        except (ValueError, TypeError) as e:
            self._fail(_("Could not save the model to {path}: {reason}").format(
                path=path, reason=e))
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
            self._fail(_("These parameters do not fit the network {sizes}: {reason}").format(
                sizes=list(self._sizes), reason=e))
            return
        trial = Network.from_parameters(self._sizes, self._activation, self._cost, weights,
                                        biases)
        overflow = parameters_problem(trial, self._dataset.test_x()[:OVERFLOW_PROBE])
        if overflow:
            self._fail(_("These parameters were not applied: {problem}. The network is kept "
                         "as it was.").format(problem=overflow))
            return
        self._intent = False
        self._ensure_thread()
        self._worker.apply_parameters(weights, biases, self._generation)

    def restore_last_good(self) -> None:
        """Put back the best parameters seen (`last_good`); training pauses. The parameters
        they replace are kept for `undo_restore`; `restored(sentence)` says what happened."""
        good = self._last_good.best
        if self._closed or good is None:
            if not self._closed:
                self._fail(_("There are no earlier weights of this network to restore yet: "
                             "they are kept when training starts and at every epoch's end."))
            return
        self._swap_in(good, _("Restored {what}.").format(what=good.describe()))

    def undo_restore(self) -> None:
        """Put back the parameters the last `restore_last_good` replaced."""
        if self._closed or self._undo is None:
            return
        self._swap_in(self._undo, _("Undid the restore: the weights are back as they were "
                                    "before it."), undoable=False)

    def _swap_in(self, checkpoint: Checkpoint, sentence: str, undoable: bool = True) -> None:
        current = self._snapshot
        self._offer = False
        self.apply_parameters(checkpoint.snapshot.weights, checkpoint.snapshot.biases)
        self._undo = Checkpoint(current, float("nan"), _("replaced by the restore")) if undoable \
            else None
        self.restored.emit(sentence)

    @Slot()
    def shutdown(self) -> None:
        """Stop the loop (promptly, even in slow motion), end the thread and wait for it.
        Idempotent; safe if the thread never started."""
        if self._closed:
            return
        self._closed = True
        self._files.cancel()
        self._intent = self._training = False
        if self._thread_started:
            self._worker.stop()
            self._thread.quit()
            self._thread.wait()

    # -- internals -------------------------------------------------------------------------------
    def _meta(self) -> dict:
        return {"lr": self._lr, "batch_size": self._batch_size}

    def _make_trainer(self, net: Network, rng_state=None) -> Trainer:
        d = self._dataset
        return Trainer(net, d.train_images, d.train_labels, d.test_images, d.test_labels,
                       lr=self._lr, batch_size=self._batch_size, seed=self._seed,
                       rng_state=rng_state)

    def _install(self, net: Network, dataset_changed: bool = False,
                 record: ModelMetadata = ModelMetadata(), start: RunStart | None = None) -> None:
        """Hand a new network to the worker (pausing it) and tell the views; `record` says how
        far it was trained (a loaded model's; a new network's is empty); `start`: a run
        begun again (its shuffle state)."""
        if self._closed:
            return
        try:
            trainer = self._make_trainer(net, start.rng_state if start else None)
        except ValueError as e:
            self._fail(_("Cannot train this network on {data}: {reason}").format(
                data=_(self._dataset.name), reason=e))
            return
        epochs, samples_seen = record.epochs, record.samples_seen
        trainer.epoch, trainer.samples_seen = epochs, samples_seen
        self._generation += 1
        self._run_start, self._record = start, record
        self._last_good.clear()
        self._undo, self._offer = None, False
        self._history = list(record.history)
        self._epoch_ends = list(record.epoch_ends)
        self._batches_seen = record.batches_seen
        self._epoch_end_at = {}
        self._intent = False
        self._snapshot = Snapshot.of(net, epoch=epochs, samples_seen=samples_seen,
                                     meta=self._meta())  # before the worker may touch `net`
        self._replay = CheckpointLog(capacity_for(net.sizes))
        self._replay.offer(self._batches_seen, self._snapshot)
        self._replay_base = self._batches_seen
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
        # Tell the worker once the GUI thread has caught up: a low-priority event is handled
        # after everything queued before it, so a busy window never has a backlog of snapshots.
        QCoreApplication.postEvent(self, QEvent(SNAPSHOT_DRAWN), LOW_PRIORITY)
        if self._closed or generation != self._generation:
            return
        self._snapshot = snapshot
        self._replay.offer(self._batches_seen, snapshot)  # its batches were counted before it
        self.snapshot_ready.emit(snapshot)

    def event(self, event: QEvent) -> bool:
        if event.type() == SNAPSHOT_DRAWN:
            # The window's CPU time stays within a share of the training thread's.
            wait = self._pacer.delay(self._worker.cpu_seconds())
            if wait > 0:
                QTimer.singleShot(round(1000 * wait), self, self._snapshot_taken)
            else:
                self._snapshot_taken()
            return True
        return super().event(event)

    def _snapshot_taken(self) -> None:
        if not self._closed:
            self._worker.snapshot_taken()

    @Slot(int, object)
    def _on_worker_batches(self, generation: int, reports: tuple) -> None:
        if self._closed or generation != self._generation:
            return
        for report in reports:
            self._batches_seen += 1
            if report.ends_epoch:  # its EpochReport may come after later batches' reports
                self._epoch_end_at[report.epoch + 1] = self._batches_seen
        self.batches_done.emit(reports)

    @Slot(int, object)
    def _on_worker_epoch(self, generation: int, report: EpochReport) -> None:
        if self._closed or generation != self._generation:
            return
        self._history.append(report)
        self._epoch_ends.append(self._epoch_end_at.pop(report.epoch, self._batches_seen))
        self.epoch_done.emit(report)
        self._check_collapse(report)

    def _check_collapse(self, report: EpochReport) -> None:
        """Pause and say so when this epoch's held-out accuracy collapsed from the best seen
        (core.last_good.collapsed); the window offers to restore the best weights."""
        good = self._last_good.best
        if good is None or not collapsed(good.accuracy, report.test_accuracy,
                                         self._dataset.n_classes,
                                         len(self._dataset.test_labels)):
            return
        self._offer = True
        self._fail(_("Held-out accuracy collapsed to {percent} % after epoch {epoch} (learning "
                     "rate η = {lr}). The best weights so far, {when}, scored {best} %. Training "
                     "is paused: restore them (Training ▸ Restore last good weights), perhaps "
                     "with a smaller η.").format(
            percent=f"{100 * report.test_accuracy:.1f}", epoch=report.epoch, lr=f"{self._lr:g}",
            when=good.when, best=f"{100 * good.accuracy:.1f}"))

    @Slot(int, object, float, str)
    def _on_worker_checkpoint(self, generation: int, snapshot: Snapshot, accuracy: float,
                              when: str) -> None:
        if self._closed or generation != self._generation:
            return
        self._last_good.offer(Checkpoint(snapshot, accuracy, when))

    @Slot(int, object)
    def _on_worker_run_started(self, generation: int, start: RunStart) -> None:
        # a start already known (a rerun's, a lesson's) stays: this batch continues that run
        if not self._closed and generation == self._generation and self._run_start is None:
            self._run_start = start
            self.run_started.emit(start)

    @Slot(int, object)
    def _on_worker_replay(self, generation: int, checkpoints: tuple) -> None:
        """The worker's log-spaced checkpoints (batches since install, Snapshot): kept."""
        if self._closed or generation != self._generation:
            return
        for count, snapshot in checkpoints:
            self._replay.offer(self._replay_base + count, snapshot)

    @Slot(int)
    def _on_worker_diverged(self, generation: int) -> None:
        if not self._closed and generation == self._generation:
            self._offer = True

    @Slot(str)
    def _on_worker_state(self, state: str) -> None:
        if self._closed:
            return
        self._training = state == "training"
        self._pacer.restart()  # a pause is no snapshot cycle
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


def _short(path) -> str:
    """A file's or folder's name, for the busy line ("m.npz", not the whole path)."""
    return os.path.basename(str(path).rstrip("/\\")) or str(path)


def _trusted_record(raw: dict, train_size: int) -> tuple[ModelMetadata, str | None]:
    """A model file's training record (read_metadata leaves out history rows no training
    produces), and None; or, when it cannot be read or counts beyond 2⁵³ batches or samples,
    the record without them and what was left out, in words. Nothing untrue reaches the
    screen."""
    try:
        meta = read_metadata(raw, train_size=train_size)
    except Exception as e:  # noqa: BLE001 - a damaged record never stops the weights opening
        return ModelMetadata(), f"its training record could not be read ({summary_of(e)})"
    if max(meta.epochs, meta.batches_seen, meta.samples_seen, *meta.epoch_ends) > 2**53:
        return ModelMetadata(lr=meta.lr, batch=meta.batch), (
            "its training record counts more batches than any training could have seen, so "
            "the network starts its count and history afresh")
    rows = raw.get("history")
    if isinstance(rows, list) and len(meta.history) < len(rows):  # the reader left rows out
        return dataclasses.replace(meta, history=(), epoch_ends=()), (
            "its history holds numbers no training produces, so no history is shown")
    return meta, None


def _seed_problem(seed) -> str | None:
    """Why `seed` cannot seed a network the app shows (the seed box holds SEED_RANGE), or None."""
    lo, hi = SEED_RANGE
    whole = isinstance(seed, (int, np.integer)) and not isinstance(seed, (bool, np.bool_))
    if whole and lo <= seed <= hi:
        return None
    given = (_("a larger one") if whole and seed > hi else _("a negative one") if whole
             else f"{type(seed).__name__} {str(seed)[:40]!r}")
    return _("The seed must be a whole number from {lo} to {hi}, not {given}.").format(
        lo=lo, hi=f"{hi:,}", given=given)


def _is_whole(value) -> bool:
    """An int (numpy's too), not a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
