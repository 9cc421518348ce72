"""Runs to compare: where a run started (to run it again exactly), a run's record, and what
differs between two runs.

- `RunStart`: the parameters W⁽ˡ⁾, b⁽ˡ⁾ before a run's first mini-batch and the state of the
  trainer's shuffling generator before it drew that epoch's order. A `Trainer` given the same
  start (`Trainer(..., rng_state=start.rng_state)` on a network holding `start`'s parameters)
  draws the same orders, so with the same η and batch size every mini-batch cost is the same,
  bit for bit.
- `RunLog`: the run on show, recorded from its batch and epoch reports (the cost per mini-batch
  in bounded memory, `core.series`), and `RunLog.run(...)` → `Run`: a frozen record of it
  (settings, history arrays, first-layer weights) that stays on the plots as a baseline.
- `RunSettings` and `differences(a, b)`: "η 3 vs 0.3", "mse vs cross-entropy", "sigmoid vs
  relu", "batch 10 vs 100" — computed from the two runs' settings, never written by hand.
- `Runs`: the pinned runs as one plain immutable record, `to_arrays()` / `from_arrays()` for
  a file (a lesson file stores them).

A run's x axis is the training samples it had seen; the cost plot draws a baseline in the
current run's mini-batches (`baseline_curve`): samples seen / the current batch size, so runs of
batch 10 and 100 are compared after the same number of samples, not of steps.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, replace
from typing import Iterable, Mapping, Sequence

import numpy as np

from mlpviz.core.arrays import frozen
from mlpviz.core.costs import get_cost
from mlpviz.core.run_start import RunStart, start_digest
from mlpviz.core.series import BinnedSeries, chunk_means
from mlpviz.core.training import BatchReport, EpochReport
from mlpviz.i18n import N_, _

__all__ = ["RunStart", "start_digest", "RunSettings", "differences", "difference_label", "Run",
           "BaselineCurve", "baseline_curve", "RunLog", "Runs"]

LOG_POINTS = 4000  # mini-batch costs a run log keeps (even; merged pairwise beyond, core.series)
RUN_POINTS = 1000  # points of the smoothed cost a pinned run keeps
EMA_ALPHA = 0.05  # the smoothed cost: the same moving average as the cost plot's
MAX_PINNED = 5  # pinned runs at once
RUNS_FORMAT = 1  # the version of `Runs.to_arrays`


@dataclass(frozen=True)
class RunSettings:
    """What a run was trained with. `lrs` and `batch_sizes`: each value used, in the order
    first used (one, unless it was changed during the run); `start`: the initial parameters'
    `start_digest` ("" when not known)."""

    sizes: tuple[int, ...]
    activation: str
    cost: str
    lrs: tuple[float, ...]
    batch_sizes: tuple[int, ...]
    seed: int
    dataset: str
    start: str = ""

    def as_dict(self) -> dict:
        return {f.name: (list(v) if isinstance(v := getattr(self, f.name), tuple) else v)
                for f in fields(self)}

    @classmethod
    def from_dict(cls, d: Mapping) -> "RunSettings":
        """The inverse of `as_dict`; ValueError when a field is missing or of the wrong kind."""
        try:
            return cls(tuple(int(n) for n in d["sizes"]), str(d["activation"]), str(d["cost"]),
                       tuple(float(v) for v in d["lrs"]), tuple(int(n) for n in d["batch_sizes"]),
                       int(d["seed"]), str(d["dataset"]), str(d.get("start", "")))
        except (KeyError, TypeError, ValueError) as e:
            raise ValueError(f"a run's settings could not be read ({e!r})") from None


def _values(values: Sequence, fmt) -> str:
    return "→".join(fmt(v) for v in values)


def _layers(sizes: Sequence[int]) -> str:
    hidden = sizes[1:-1]
    return "·".join(str(n) for n in hidden) if hidden else _("none")


# (what the label calls it, how one run's value reads): the settings a label compares, in order.
_COMPARED = (
    ("η", lambda s: _values(s.lrs, lambda v: f"{v:g}")),
    ("", lambda s: get_cost(s.cost).label),
    ("", lambda s: s.activation),
    (N_("batch"), lambda s: _values(s.batch_sizes, str)),
    (N_("hidden"), lambda s: _layers(s.sizes)),
    (N_("seed"), lambda s: str(s.seed)),
    (N_("data"), lambda s: s.dataset),
)


def differences(a: RunSettings, b: RunSettings) -> list[str]:
    """What differs from run `a` to run `b`, one phrase each: "η 3 vs 0.3", "mse vs
    cross-entropy", "sigmoid vs relu", "batch 10 vs 100", "hidden 16·16 vs 32", "seed 0 vs 1",
    "data … vs …", and "other initial weights" when both starts are known and differ while
    neither the seed, the layers nor σ (its own initial scale) explains it: a loaded or edited
    network. Empty when the settings agree."""
    out = []
    for name, read in _COMPARED:
        va, vb = read(a), read(b)
        if va != vb:
            phrase = _("{name} {a} vs {b}") if name else _("{a} vs {b}")
            out.append(phrase.format(name=_(name) if name else "", a=va, b=vb))
    explained = (a.seed, a.sizes, a.activation) != (b.seed, b.sizes, b.activation)
    if a.start and b.start and a.start != b.start and not explained:
        out.append(_("other initial weights"))
    return out


def difference_label(a: RunSettings, b: RunSettings) -> str:
    """`differences` as one label; "same settings" (and "same start" when both starts are known
    and equal) when nothing differs."""
    found = differences(a, b)
    if found:
        return _(", ").join(found)
    if a.start and a.start == b.start:
        return _("same settings, same start")
    return _("same settings")


def settings_text(s: RunSettings) -> str:
    """What a run was trained with, one setting a line: "layers 784·16·16·10", "η 3",
    "batch 10", "seed 0", …"""
    return "\n".join([
        _("layers {sizes}").format(sizes="·".join(str(n) for n in s.sizes)),
        f"σ {s.activation} · {get_cost(s.cost).label}",
        f"η {_values(s.lrs, lambda v: f'{v:g}')}",
        _("batch {size}").format(size=_values(s.batch_sizes, str)),
        _("seed {seed}").format(seed=s.seed),
        _("data {name}").format(name=_(s.dataset))])


@dataclass(frozen=True, eq=False)
class Run:
    """A run's record, frozen: its settings; the smoothed cost per mini-batch at `cost_x`
    (training samples seen, at most RUN_POINTS points); per epoch (rows of `epoch_x`, samples
    seen when it ended) the cost and accuracy (fractions 0…1) on the training and held-out
    sets; the first layer's weights W⁽¹⁾ (n_hidden, n_in) at its end; and `epochs` done."""

    settings: RunSettings
    cost_x: np.ndarray
    cost: np.ndarray
    epoch_x: np.ndarray
    train_cost: np.ndarray
    train_accuracy: np.ndarray
    test_cost: np.ndarray
    test_accuracy: np.ndarray
    first_weights: np.ndarray
    epochs: int = 0

    ARRAYS = ("cost_x", "cost", "epoch_x", "train_cost", "train_accuracy", "test_cost",
              "test_accuracy", "first_weights")

    def __post_init__(self) -> None:
        for name in self.ARRAYS:
            object.__setattr__(self, name, frozen(getattr(self, name), np.float64))

    @property
    def final_accuracy(self) -> float:
        """The last epoch's held-out accuracy (NaN when no epoch with one ended)."""
        finite = self.test_accuracy[np.isfinite(self.test_accuracy)]
        return float(finite[-1]) if len(finite) else float("nan")


@dataclass(frozen=True)
class BaselineCurve:
    """A pinned run as the cost plot draws it, in the current run's mini-batches: `x` the
    smoothed cost's points, `epoch_x` the epochs' (samples seen / current batch size)."""

    label: str
    x: np.ndarray
    cost: np.ndarray
    epoch_x: np.ndarray
    test_cost: np.ndarray
    test_accuracy: np.ndarray  # in % (0…100)


def baseline_curve(run: Run, label: str, batch_size: int) -> BaselineCurve:
    """`run` drawn against the current run: x = samples seen / `batch_size` (the current one)."""
    b = float(max(int(batch_size), 1))
    return BaselineCurve(label, run.cost_x / b, run.cost, run.epoch_x / b, run.test_cost,
                         100.0 * run.test_accuracy)


class RunLog:
    """The run on show, recorded from its reports: each mini-batch's cost and its smoothed
    value (a bias-corrected exponential moving average, weight EMA_ALPHA) at the samples seen
    after it, in at most LOG_POINTS bins; each epoch's report at the samples seen when it ended;
    the η and batch sizes used."""

    def __init__(self) -> None:
        self.clear()

    def clear(self, samples_seen: int = 0) -> None:
        """Forget the run (a new network; a loaded one has seen `samples_seen` already)."""
        self._series = BinnedSeries(LOG_POINTS)
        self._ema_sum, self._ema_decay = 0.0, 1.0
        self.samples_seen = int(samples_seen)
        self.batches = 0
        self._epochs: list[tuple[int, EpochReport]] = []
        self._epoch_ends: dict[int, int] = {}  # epochs completed → samples seen at that end
        self._lrs: list[float] = []
        self._batch_sizes: list[int] = []

    def add_batches(self, reports: Iterable[BatchReport]) -> None:
        xs, smooth = [], []
        for r in reports:
            self.samples_seen = int(r.samples_seen)
            self.batches += 1
            if r.ends_epoch:
                self._epoch_ends[r.epoch + 1] = self.samples_seen
            if r.lr not in self._lrs:
                self._lrs.append(float(r.lr))
            if r.batch_size not in self._batch_sizes:
                self._batch_sizes.append(int(r.batch_size))
            if not np.isfinite(r.cost):
                continue
            self._ema_sum += EMA_ALPHA * (r.cost - self._ema_sum)
            self._ema_decay *= 1.0 - EMA_ALPHA
            xs.append(self.samples_seen)
            smooth.append(self._ema_sum / (1.0 - self._ema_decay))
        if xs:
            self._series.extend(xs, smooth, smooth)

    def add_epoch(self, report: EpochReport) -> None:
        """An epoch's report, placed where its last batch ended (reports of later batches may
        have come before it: the worker sends them in bunches)."""
        at = self._epoch_ends.pop(report.epoch, self.samples_seen)
        self._epochs.append((at, report))

    @property
    def used(self) -> tuple[tuple[float, ...], tuple[int, ...]]:
        """(η values, batch sizes) the run's mini-batches were trained with, in order."""
        return tuple(self._lrs), tuple(self._batch_sizes)

    def run(self, settings: RunSettings, first_weights: np.ndarray) -> Run:
        """The run so far as a frozen `Run`: `settings` with the η and batch sizes actually
        used (when any batch was trained), its smoothed cost in at most RUN_POINTS points."""
        lrs, batch_sizes = self.used
        if lrs:
            settings = replace(settings, lrs=lrs, batch_sizes=batch_sizes)
        p = self._series.points()
        x, cost = chunk_means(p.x, p.extra, RUN_POINTS)
        rows = np.array([[seen, r.train_cost, r.train_accuracy, r.test_cost, r.test_accuracy]
                         for seen, r in self._epochs], dtype=np.float64).reshape(-1, 5)
        return Run(settings, x, cost, rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3],
                   rows[:, 4], np.asarray(first_weights),
                   epochs=self._epochs[-1][1].epoch if self._epochs else 0)


@dataclass(frozen=True)
class Runs:
    """The pinned runs, oldest first: what a lesson file saves (`to_arrays` / `from_arrays`)."""

    runs: tuple[Run, ...] = field(default_factory=tuple)

    def pinned(self, run: Run) -> "Runs":
        """These runs and `run` (ValueError beyond MAX_PINNED: remove one first)."""
        if len(self.runs) >= MAX_PINNED:
            raise ValueError(f"{MAX_PINNED} runs are pinned already, the most the plots show "
                             "legibly: remove one first")
        return Runs((*self.runs, run))

    def removed(self, index: int) -> "Runs":
        return Runs(tuple(r for i, r in enumerate(self.runs) if i != index))

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Plain arrays (no pickles): "runs_format", "runs_settings" (JSON text) and per run i
        "run{i}_<array>" for each of Run.ARRAYS and "run{i}_epochs"."""
        out = {"runs_format": np.array(RUNS_FORMAT),
               "runs_settings": np.array(json.dumps([r.settings.as_dict() for r in self.runs]))}
        for i, r in enumerate(self.runs):
            for name in Run.ARRAYS:
                out[f"run{i}_{name}"] = np.array(getattr(r, name))
            out[f"run{i}_epochs"] = np.array(r.epochs)
        return out

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> "Runs":
        """The inverse of `to_arrays`; ValueError (saying what) for another version or a
        missing or malformed entry."""
        try:
            version = int(arrays["runs_format"])
            if version != RUNS_FORMAT:
                raise ValueError(f"the pinned runs were saved in format {version}, this mlpviz "
                                 f"reads format {RUNS_FORMAT}")
            settings = json.loads(str(arrays["runs_settings"]))
            if not isinstance(settings, list) or len(settings) > MAX_PINNED:
                raise ValueError("the pinned runs' settings are not a list of at most "
                                 f"{MAX_PINNED}")
            runs = []
            for i, s in enumerate(settings):
                a = {name: np.asarray(arrays[f"run{i}_{name}"], dtype=np.float64)
                     for name in Run.ARRAYS}
                _check_run_arrays(i, a)
                runs.append(Run(RunSettings.from_dict(s), **a,
                                epochs=int(arrays[f"run{i}_epochs"])))
        except KeyError as e:
            raise ValueError(f"the pinned runs lack {e.args[0]!r}") from None
        except (TypeError, json.JSONDecodeError) as e:
            raise ValueError(f"the pinned runs could not be read ({e})") from None
        return cls(tuple(runs))


def _check_run_arrays(i: int, a: Mapping[str, np.ndarray]) -> None:
    """Shapes a Run's arrays must have (1-D, the cost and epoch columns of equal lengths)."""
    if a["cost_x"].ndim != 1 or a["cost"].shape != a["cost_x"].shape:
        raise ValueError(f"pinned run {i}'s cost curve has mismatched arrays")
    n = a["epoch_x"].shape
    if a["epoch_x"].ndim != 1 or any(a[k].shape != n for k in (
            "train_cost", "train_accuracy", "test_cost", "test_accuracy")):
        raise ValueError(f"pinned run {i}'s epoch columns have mismatched lengths")
    if a["first_weights"].ndim != 2:
        raise ValueError(f"pinned run {i}'s first-layer weights are not a matrix")
