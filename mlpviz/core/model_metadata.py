"""The training record a model file carries (its `metadata`): built in one place (`ModelMetadata`
and its `as_dict`), read back and checked in one place (`read_metadata`). The command line and
the app both use them, so the files they write hold the same keys:

  epochs         epochs completed
  batches_seen   mini-batches trained, in all epochs
  samples_seen   samples trained on, in all epochs
  history        one object per completed epoch: the fields of `EpochReport` (epoch, train_cost,
                 train_accuracy, test_cost, test_accuracy, seconds, samples_per_second) and
                 batches_seen, the mini-batches seen when it ended (where the cost plot marks it)
  dataset        what `load_dataset` takes: "bundled", "mnist", "fashion" or a folder
  dataset_name   its name on screen, e.g. "MNIST (bundled sample)"
  lr, batch, seed   learning rate η, mini-batch size, seed
  interrupted    true if `mlpviz train` was stopped (Ctrl-C) before its last epoch

Files from before `batches_seen` still load: the batch counts are then estimated from the batch
size and the training-set size (exact when the batch size never changed).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from mlpviz.core.training import DEFAULT_BATCH, EpochReport

_REPORT_FIELDS = tuple(f.name for f in dataclasses.fields(EpochReport))


@dataclass(frozen=True)
class ModelMetadata:
    """Where training stood when a model was saved, and how it was trained (None: not known).

    history[i] is the report of epoch i + 1; epoch_ends[i] the mini-batches seen when it ended.
    """

    dataset: str | None = None
    dataset_name: str | None = None
    lr: float | None = None
    batch: int | None = None
    seed: int | None = None
    epochs: int = 0
    batches_seen: int = 0
    samples_seen: int = 0
    history: tuple[EpochReport, ...] = ()
    epoch_ends: tuple[int, ...] = ()
    interrupted: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "history", tuple(self.history))
        object.__setattr__(self, "epoch_ends", tuple(int(n) for n in self.epoch_ends))
        if len(self.history) != len(self.epoch_ends):
            raise ValueError(f"{len(self.history)} epoch reports but {len(self.epoch_ends)} "
                             "epoch ends")

    def as_dict(self) -> dict:
        """The model file's `metadata`: JSON-ready, every key of the module docstring."""
        rows = [{**dataclasses.asdict(report), "batches_seen": end}
                for report, end in zip(self.history, self.epoch_ends)]
        return {
            "epochs": self.epochs, "batches_seen": self.batches_seen,
            "samples_seen": self.samples_seen, "history": rows,
            "dataset": self.dataset, "dataset_name": self.dataset_name,
            "lr": self.lr, "batch": self.batch, "seed": self.seed,
            "interrupted": self.interrupted,
        }


def read_metadata(meta: dict, train_size: int | None = None) -> ModelMetadata:
    """A model file's metadata, checked: a value of the wrong kind (text for a number, a negative
    count, a malformed history) reads as not known, never as an error. `train_size`, the
    training-set size, makes the estimate of missing batch counts exact for old files; without it
    an epoch is taken to be samples_seen / epochs samples."""
    history, ends = _history(meta.get("history"))
    batch = _count(meta.get("batch"), 1)
    if batch is None:
        batch = _count(meta.get("batch_size"), 1)  # what the app wrote before "batch"
    epochs = _count(meta.get("epochs"), 1) or len(history)
    samples = _count(meta.get("samples_seen"), 0) or 0
    if train_size is None and epochs:
        train_size = samples // epochs or None
    per_step = batch or DEFAULT_BATCH
    batches_seen = _count(meta.get("batches_seen"), 0)
    if batches_seen is None:
        batches_seen = _estimated_batches(samples, train_size, per_step)
    if ends is None:
        ends = [_estimated_batches(k * (train_size or 0), train_size, per_step)
                for k in range(1, len(history) + 1)]
    return ModelMetadata(
        dataset=_text(meta.get("dataset")), dataset_name=_text(meta.get("dataset_name")),
        lr=_positive(meta.get("lr")), batch=batch, seed=_count(meta.get("seed"), 0),
        epochs=epochs, batches_seen=batches_seen, samples_seen=samples,
        history=tuple(history), epoch_ends=tuple(ends), interrupted=meta.get("interrupted") is True,
    )


def _estimated_batches(samples: int, train_size: int | None, batch: int) -> int:
    """Mini-batches of `batch` that train `samples` samples when every epoch of `train_size`
    samples ends with a batch of what is left (⌈train_size / batch⌉ batches an epoch)."""
    if not train_size:
        return -(-samples // batch)
    epochs, rest = divmod(samples, train_size)
    return epochs * -(-train_size // batch) + -(-rest // batch)


def _history(rows) -> tuple[list[EpochReport], list[int] | None]:
    """(epoch reports, the batches seen at each one's end, or None if any row lacks them) from
    the file's history rows; ([], []) if the history is missing or malformed."""
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        return [], []
    reports, ends = [], []
    for row in rows:
        fields = {name: _field(name, row.get(name)) for name in _REPORT_FIELDS}
        epoch = _count(row.get("epoch"), 1)
        if None in fields.values() or epoch is None:
            return [], []
        reports.append(EpochReport(**{**fields, "epoch": epoch}))
        ends.append(_count(row.get("batches_seen"), 0))
    return reports, None if None in ends else ends


def _field(name: str, value) -> float | None:
    """An EpochReport field if it is a number in its range, else None: accuracies in 0 … 1 and
    costs ≥ 0 (NaN too: not measured), times and speeds finite and ≥ 0."""
    number = _number(value)
    if number is None or math.isnan(number):
        return number if name in _MAY_BE_NAN else None
    low, high = _RANGES.get(name, (0.0, math.inf))
    return number if low <= number <= high and math.isfinite(number) else None


_MAY_BE_NAN = {"train_cost", "train_accuracy", "test_cost", "test_accuracy"}
_RANGES = {"train_accuracy": (0.0, 1.0), "test_accuracy": (0.0, 1.0)}


def _number(value) -> float | None:
    """`value` as a float if it is a JSON number (NaN too: a cost never measured), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return float(value)
    except OverflowError:  # an int beyond any float (10**400): no number we can use
        return None


def _count(value, minimum: int) -> int | None:
    """`value` as an int if it is a whole number ≥ `minimum`, else None."""
    number = _number(value)
    if number is None or not math.isfinite(number) or number != int(number) or number < minimum:
        return None
    return int(number)


def _positive(value) -> float | None:
    """`value` if it is a finite number > 0, else None."""
    number = _number(value)
    return number if number is not None and math.isfinite(number) and number > 0 else None


def _text(value) -> str | None:
    return value if isinstance(value, str) else None
