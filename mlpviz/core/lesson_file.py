"""Lesson files (.mlpviz): a whole lesson's state in one file a teacher can hand out.

A lesson file is a zip of NumPy .npy arrays, like a model file (core.model_file), and holds a
model file's members under the same names, read by the same checked readers:

  format, format_version    "mlpviz-lesson", FORMAT_VERSION
  sizes, activation, cost   the architecture; W{l} (sizes[l+1], sizes[l]), b{l} (sizes[l+1],)
  manifest                  JSON text: the settings, the training record, the view (below)
  drawing                   optional: the drawn input (sizes[0],), pixels 0 … 1
  group/SECTION/NAME        optional sections, each a group of named arrays (the cost plot's
                            mini-batch curve, checkpoints, baseline runs, pins …): what a
                            record's `to_arrays()` gives

The manifest:

  settings   dataset (what load_dataset takes), dataset_name, lr η, batch_size, seed
  record     the training record as a model file's metadata (core.model_metadata): epochs,
             batches_seen, samples_seen, history (one row per epoch: costs, accuracies)
  sample     {"split": "test" | "train", "index": n} or null; drawing_label (0 … 9 or null);
             source: which of the two is on show ("sample" or "drawing")
  stage      the backprop stepper's stage (its index in the walk) or null
  view       theme, palette, presentation (bool), tab (the side panel on show)
  groups     {SECTION: [NAME, …]}: the arrays of each optional section
  written_by "mlpviz X.Y"

Reading trusts nothing: every member's header is checked before its data is read (core.npz),
all members together hold at most MAX_LESSON_NUMBERS numbers, every manifest field is checked
for its kind and range, and any failure is one LessonFileError naming the file and the reason.
A model file, a foreign zip, a newer or older format version each get their own sentence.
Files are written atomically (core.atomic).
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np

from mlpviz import __version__
from mlpviz.core import model_file
from mlpviz.core.arrays import frozen
from mlpviz.core.atomic import atomic_write
from mlpviz.core.limits import MAX_LESSON_NUMBERS, MAX_METADATA_CHARS
from mlpviz.core.model_file import (
    Entries, ModelFileError, check_format, read_architecture, read_parameters, read_text,
)
from mlpviz.core.model_metadata import ModelMetadata, read_metadata
from mlpviz.core.network import check_parameters
from mlpviz.core.npz import NpzArchive, NpzError
from mlpviz.core.palette import DEFAULT_PALETTE
from mlpviz.core.sample import SPLITS
from mlpviz.i18n import _

FORMAT = "mlpviz-lesson"
FORMAT_VERSION = 1
EXTENSION = ".mlpviz"
MIME_TYPE = "application/x-mlpviz-lesson"
SECTIONS = ("cost_curve", "checkpoints", "baselines", "run_start", "pins")  # the sections mlpviz knows of
SOURCES = ("sample", "drawing")
THEMES = ("dark", "light")
_NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")  # a section's name, a tab's, a palette's
_ARRAY = re.compile(r"[A-Za-z0-9_]{1,64}")  # an array's name inside a section
_ARRAY_KINDS = "biufU"  # numbers and text; never Python objects
MAX_TEXT_CHARS = 4096  # one text value of a section (a run's label, a pin's name)
GROUP_PREFIX = "group/"
_DRAWING = "drawing"
_MANIFEST = "manifest"


class LessonFileError(ValueError):
    """A file that is not a lesson, is damaged, or holds values no lesson has; says which."""


@dataclass(frozen=True, eq=False)
class LessonState:
    """Everything a lesson file saves and restores.

    sizes, activation, cost   the network: neurons per layer (input first), names of σ and C
    weights, biases           L read-only float64 arrays: W⁽ˡ⁾ (n_out, n_in) and b⁽ˡ⁾ (n_out,)
    dataset, dataset_name     what core.datasets.load_dataset takes ("bundled" …), its name
    lr, batch_size, seed      η > 0, samples per mini-batch ≥ 1, the initial weights' seed ≥ 0
    record                    how far it trained: epochs, batches and samples seen, per-epoch
                              history (core.model_metadata.ModelMetadata; its dataset, lr,
                              batch and seed are the fields above)
    sample                    (split, index) of the dataset sample chosen, or None
    drawing, drawing_label    the drawn input (sizes[0],) in 0 … 1 and the digit meant, or None
    source                    which input is on show: "sample" or "drawing"
    stage                     the backprop stepper's stage index, or None
    theme, palette            "dark" / "light"; the line colours' palette's name
    presentation, tab         presentation mode; the side panel on show (a name), or None
    groups                    optional sections: {section: {name: array}} (numbers or text)
    """

    sizes: tuple[int, ...]
    activation: str
    cost: str
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    dataset: str = "bundled"
    dataset_name: str | None = None
    lr: float = 1.0
    batch_size: int = 10
    seed: int = 0
    record: ModelMetadata = ModelMetadata()
    sample: tuple[str, int] | None = None
    drawing: np.ndarray | None = None
    drawing_label: int | None = None
    source: str = "sample"
    stage: int | None = None
    theme: str = "dark"
    palette: str = DEFAULT_PALETTE
    presentation: bool = False
    tab: str | None = None
    groups: Mapping[str, Mapping[str, np.ndarray]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Copies every array read-only and checks every field: ValueError saying which."""
        put = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        put("sizes", tuple(int(s) for s in self.sizes))
        put("weights", tuple(frozen(W, np.float64) for W in self.weights))
        put("biases", tuple(frozen(b, np.float64) for b in self.biases))
        check_parameters(self.sizes, self.weights, self.biases)
        if self.drawing is not None:
            put("drawing", frozen(self.drawing, np.float64))
        put("groups", {section: {name: frozen(a) for name, a in arrays.items()}
                       for section, arrays in self.groups.items()})
        problem = _state_problem(self)
        if problem:
            raise ValueError(problem)

    def metadata(self) -> ModelMetadata:
        """The training record with this lesson's dataset, η, batch size and seed."""
        return dataclasses.replace(self.record, dataset=self.dataset,
                                   dataset_name=self.dataset_name, lr=self.lr,
                                   batch=self.batch_size, seed=self.seed)


def _state_problem(s: LessonState) -> str | None:
    """Why the fields of `s` are not a lesson's (a sentence), or None."""
    checks = (
        (_finite_positive(s.lr), f"lr must be a finite number > 0, not {s.lr!r}"),
        (_whole(s.batch_size, 1), f"batch_size must be a whole number ≥ 1, not {s.batch_size!r}"),
        (_whole(s.seed, 0), f"seed must be a whole number ≥ 0, not {s.seed!r}"),
        (isinstance(s.dataset, str) and 0 < len(s.dataset) <= 4096,
         f"dataset must be a name or a folder, not {s.dataset!r}"),
        (s.sample is None or (len(s.sample) == 2 and s.sample[0] in SPLITS
                              and _whole(s.sample[1], 0)),
         f"sample must be (split, index ≥ 0), not {s.sample!r}"),
        (s.drawing is None or (s.drawing.shape == (s.sizes[0],) and bool(
            np.all((s.drawing >= 0) & (s.drawing <= 1)))),
         f"the drawing must hold {s.sizes[0]} pixels in 0 … 1"),
        (s.drawing_label is None or 0 <= _int_or(s.drawing_label, -1) < s.sizes[-1],
         f"drawing_label must be a class 0 … {s.sizes[-1] - 1} or None"),
        (s.source in SOURCES, f"source must be one of {SOURCES}, not {s.source!r}"),
        (s.stage is None or _whole(s.stage, 0), f"stage must be an index ≥ 0, not {s.stage!r}"),
        (s.theme in THEMES, f"theme must be one of {THEMES}, not {s.theme!r}"),
        (_is_name(s.palette), f"palette must be a short lower-case name, not {s.palette!r}"),
        (isinstance(s.presentation, bool), "presentation must be True or False"),
        (s.tab is None or _is_name(s.tab), f"tab must be a short lower-case name, not {s.tab!r}"),
    )
    for ok, message in checks:
        if not ok:
            return message
    return _groups_problem(s.groups)


def _groups_problem(groups) -> str | None:
    for section, arrays in groups.items():
        if not _is_name(section):
            return f"a section's name must be short and lower-case, not {section!r}"
        for name, a in arrays.items():
            if not (isinstance(name, str) and _ARRAY.fullmatch(name)):
                return f"{section}: an array's name must be letters, digits or _, not {name!r}"
            if a.dtype.kind not in _ARRAY_KINDS:
                return f"{section}/{name}: holds {a.dtype}; a lesson keeps numbers and text only"
    return None


def _is_name(value) -> bool:
    return isinstance(value, str) and _NAME.fullmatch(value) is not None


def _whole(value, minimum: int) -> bool:
    """An int (numpy's too), not a bool, ≥ minimum."""
    return (isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
            and value >= minimum)


def _int_or(value, default: int) -> int:
    return int(value) if _whole(value, -2**63) else default


def _finite_positive(value) -> bool:
    return (isinstance(value, (int, float, np.floating)) and not isinstance(value, bool)
            and math.isfinite(value) and value > 0)


# -- writing -------------------------------------------------------------------------------------
def write_lesson(path, state: LessonState) -> None:
    """Write `state` to `path` atomically (core.atomic): a compressed zip of .npy arrays with
    the model file's member names, the manifest as JSON text. An OSError names `path`."""
    arrays = {
        "format": np.array(FORMAT), "format_version": np.array(FORMAT_VERSION),
        "sizes": np.array(state.sizes, dtype=np.int64), "activation": np.array(state.activation),
        "cost": np.array(state.cost), _MANIFEST: np.array(json.dumps(_manifest(state))),
    }
    for l, (W, b) in enumerate(zip(state.weights, state.biases)):
        arrays[f"W{l}"], arrays[f"b{l}"] = W, b
    if state.drawing is not None:
        arrays[_DRAWING] = state.drawing
    for section, group in state.groups.items():
        for name, a in group.items():
            arrays[f"{GROUP_PREFIX}{section}/{name}"] = a
    atomic_write(path, lambda f: np.savez_compressed(f, **arrays))


def _manifest(s: LessonState) -> dict:
    """The manifest's JSON object (see the module docstring)."""
    record = s.record.as_dict()
    for key in ("dataset", "dataset_name", "lr", "batch", "seed", "interrupted"):
        record.pop(key)  # the settings say these
    return {
        "settings": {"dataset": s.dataset, "dataset_name": s.dataset_name, "lr": float(s.lr),
                     "batch_size": int(s.batch_size), "seed": int(s.seed)},
        "record": record,
        "sample": None if s.sample is None else {"split": s.sample[0], "index": int(s.sample[1])},
        "drawing_label": None if s.drawing_label is None else int(s.drawing_label),
        "source": s.source,
        "stage": None if s.stage is None else int(s.stage),
        "view": {"theme": s.theme, "palette": s.palette, "presentation": s.presentation,
                 "tab": s.tab},
        "groups": {section: sorted(group) for section, group in s.groups.items()},
        "written_by": f"mlpviz {__version__}",
    }


# -- reading -------------------------------------------------------------------------------------
def read_lesson(path) -> LessonState:
    """Read and check a lesson file. Raises LessonFileError naming the file and the reason; a
    model file, a foreign file, a newer or an older format each say so in their own words."""
    path = Path(path)
    try:
        with NpzArchive(path, "lesson file") as archive:
            archive.check_budget(MAX_LESSON_NUMBERS)
            entries = Entries(archive)
            _check_lesson_format(entries)
            return _state(entries, _read_manifest(entries))
    except NpzError as e:
        raise LessonFileError(str(e)) from None
    except (ModelFileError, LessonFileError) as e:
        raise LessonFileError(f"{path}: {e}") from None
    except ValueError as e:  # LessonState's own checks: values no lesson holds
        raise LessonFileError(_("{path}: not a lesson mlpviz can open: {reason}").format(
            path=path, reason=e)) from None


def _check_lesson_format(entries: Entries) -> None:
    """The format members say "mlpviz-lesson" of a version this mlpviz reads; a model file
    (or anything else) is told apart first."""
    if "format" not in entries:
        if "sizes" in entries:
            raise LessonFileError(_("an mlpviz model file without a lesson's 'format' entry, "
                                    "not a lesson: open a model with File › Open model…"))
        raise LessonFileError(_("not an mlpviz file without a lesson's 'format' entry, not a "
                                "lesson: open a model with File › Open model…"))
    found = read_text(entries, "format")
    if found == model_file.FORMAT:
        raise LessonFileError(_("an mlpviz model file, not a lesson: open it with File › Open "
                                "model… (lesson files end in {extension})").format(
                                    extension=EXTENSION))
    check_format(entries, FORMAT, FORMAT_VERSION, "lesson")


def _read_manifest(entries: Entries) -> "_Fields":
    try:
        manifest = json.loads(read_text(entries, _MANIFEST, MAX_METADATA_CHARS))
    except (json.JSONDecodeError, RecursionError) as e:
        raise LessonFileError(_("the manifest is not valid JSON ({reason})").format(
            reason=e)) from None
    return _Fields(manifest, "manifest")


def _state(entries: Entries, m: "_Fields") -> LessonState:
    sizes, activation, cost = read_architecture(entries)
    weights, biases = read_parameters(entries, sizes)
    settings, sample, view = m.object("settings"), m.object("sample", True), m.object("view")
    return LessonState(
        sizes, activation, cost, weights, biases,
        dataset=settings.text("dataset"), dataset_name=settings.text("dataset_name", True),
        lr=settings.number("lr"), batch_size=settings.whole("batch_size", 1),
        seed=settings.whole("seed", 0), record=_record(m),
        sample=None if sample is None else (sample.text("split"), sample.whole("index", 0)),
        drawing=_drawing(entries, sizes), drawing_label=m.whole("drawing_label", 0, True),
        source=m.text("source"), stage=m.whole("stage", 0, True),
        theme=view.text("theme"), palette=view.text("palette"),
        presentation=view.flag("presentation"), tab=view.text("tab", True),
        groups=_groups(entries, m.object("groups")))


def _record(m: "_Fields") -> ModelMetadata:
    """The training record, read as a model file's metadata is; rows no training produces (a
    negative cost, an accuracy above 1) are refused, not dropped."""
    raw = m.object("record").raw
    record = read_metadata(raw)
    rows = raw.get("history")
    if isinstance(rows, list) and len(record.history) != len(rows):
        raise LessonFileError("'manifest.record.history' holds numbers no training produces")
    return record


def _drawing(entries: Entries, sizes: tuple[int, ...]) -> np.ndarray | None:
    """The drawn input (sizes[0],) of floating-point pixels, or None."""
    header = entries.header(_DRAWING)
    if header is None:
        return None
    if header.shape != (sizes[0],) or header.dtype.kind != "f":
        raise LessonFileError(f"'drawing' must be {sizes[0]} floating-point pixels, not "
                              f"{header.dtype} of shape {header.shape}")
    return entries.array(_DRAWING)


def _groups(entries: Entries, listed: "_Fields") -> dict[str, dict[str, np.ndarray]]:
    """The optional sections: exactly the arrays the manifest lists, each present."""
    members = {key for key in entries.keys() if key.startswith(GROUP_PREFIX)}
    groups, wanted = {}, set()
    for section in listed.raw:
        names = listed.names(section)
        for name in names:
            wanted.add(f"{GROUP_PREFIX}{section}/{name}")
        groups[section] = names
    if members != wanted:
        stray = sorted(members ^ wanted)
        raise LessonFileError(f"the manifest's groups and the file's arrays differ "
                              f"({', '.join(stray[:3])}{' …' if len(stray) > 3 else ''})")
    for key in sorted(wanted):
        _check_group_header(key, entries.header(key))
    return {section: {name: entries.array(f"{GROUP_PREFIX}{section}/{name}") for name in names}
            for section, names in groups.items()}


def _check_group_header(key: str, header) -> None:
    """A section's array holds numbers, or text of at most MAX_TEXT_CHARS a value (a text's
    length is in its dtype, which the numbers' budget does not count)."""
    if header.dtype.kind not in _ARRAY_KINDS:
        raise LessonFileError(f"'{key}' holds {header.dtype}; a lesson keeps numbers and text")
    if header.dtype.kind == "U" and header.dtype.itemsize // 4 > MAX_TEXT_CHARS:
        raise LessonFileError(f"'{key}' holds texts of {header.dtype.itemsize // 4:,} "
                              f"characters; mlpviz reads at most {MAX_TEXT_CHARS:,}")


class _Fields:
    """A JSON object of the manifest, read field by field; a missing field or one of the wrong
    kind is a LessonFileError naming it ('manifest.settings.lr')."""

    def __init__(self, raw, where: str):
        if not isinstance(raw, dict):
            raise LessonFileError(f"'{where}' must be a JSON object")
        self.raw, self.where = raw, where

    def _get(self, key: str, optional: bool):
        if key not in self.raw and not optional:
            raise LessonFileError(f"'{self.where}.{key}' is missing")
        return self.raw.get(key)

    def _wrong(self, key: str, what: str, value) -> LessonFileError:
        shown = json.dumps(value)[:40]
        return LessonFileError(f"'{self.where}.{key}' must be {what}, not {shown}")

    def object(self, key: str, optional: bool = False) -> "_Fields | None":
        value = self._get(key, optional)
        return None if value is None and optional else _Fields(value, f"{self.where}.{key}")

    def text(self, key: str, optional: bool = False) -> str | None:
        value = self._get(key, optional)
        if (value is None and optional) or (isinstance(value, str)
                                            and len(value) <= MAX_TEXT_CHARS):
            return value
        raise self._wrong(key, "text", value)

    def number(self, key: str) -> float:
        value = self._get(key, False)
        if not _finite_positive(value):
            raise self._wrong(key, "a finite number > 0", value)
        return float(value)

    def whole(self, key: str, minimum: int, optional: bool = False) -> int | None:
        value = self._get(key, optional)
        if value is None and optional:
            return None
        if not _whole(value, minimum) or value > 2**53:
            raise self._wrong(key, f"a whole number ≥ {minimum}", value)
        return int(value)

    def flag(self, key: str) -> bool:
        value = self._get(key, False)
        if not isinstance(value, bool):
            raise self._wrong(key, "true or false", value)
        return value

    def names(self, key: str) -> list[str]:
        """A section's list of array names, each a valid name, none twice."""
        value = self._get(key, False)
        if not (_is_name(key) and isinstance(value, list)
                and all(isinstance(n, str) and _ARRAY.fullmatch(n) for n in value)
                and len(set(value)) == len(value)):
            raise self._wrong(key, "a list of array names (letters, digits, _)", value)
        return list(value)
