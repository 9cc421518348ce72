"""What the command line's subcommands share: the error a command raises to be reported in one
line, whole-number options, printing to a closed pipe, a progress bar on stderr, stopping after
the batch on a signal, reading a dataset or a model with its data, and checking an output path.
cli.py, record.py and handout_cli.py import it, so none of them imports another's internals."""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import signal
import sys
import time
from pathlib import Path

from mlpviz.core.atomic import check_target
from mlpviz.core.datasets import Dataset, DatasetError, load_dataset
from mlpviz.core.imports import load_any_model
from mlpviz.core.limits import fit_problem
from mlpviz.core.model_metadata import ModelMetadata, read_metadata
from mlpviz.core.network import Network, NonFiniteError


class CommandError(Exception):
    """A failure the user can fix; its message is printed as the one error line."""


def _whole_number(minimum: int, expected: str):
    """An argparse type: a whole number ≥ `minimum`, else "expected <expected>, got '<text>'"."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value
    return parse


_count = _whole_number(0, "a whole number ≥ 0")


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush at exit does not hit the
    closed pipe again (and print "Exception ignored … BrokenPipeError")."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout is not a file descriptor (tests capture it)
        pass


class _ProgressBar:
    """A plain-text bar on stderr, rewritten in place with \\r at most ~10 times a second; drawn
    only on a terminal (a log file would collect every frame)."""

    WIDTH = 30

    def __init__(self, stream=None, interval: float = 0.1, enabled: bool | None = None):
        self.stream = stream if stream is not None else sys.stderr
        self.interval = interval
        self.enabled = _isatty(self.stream) if enabled is None else enabled
        self._last = -math.inf
        self._shown = 0

    def update(self, label: str, done: int, total: int, suffix: str = "", force: bool = False):
        now = time.monotonic()
        if not self.enabled or (not force and now - self._last < self.interval):
            return
        self._last = now
        frac = min(max(done / total, 0.0), 1.0) if total else 1.0
        filled = int(round(frac * self.WIDTH))
        text = f"{label} [{'#' * filled}{'.' * (self.WIDTH - filled)}] {frac:4.0%} {suffix}"
        self.stream.write("\r" + text.ljust(self._shown))
        self.stream.flush()
        self._shown = len(text)

    def clear(self) -> None:
        if self._shown:
            self.stream.write("\r" + " " * self._shown + "\r")
            self.stream.flush()
            self._shown = 0
        self._last = -math.inf


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _say(text: str) -> None:
    """A line on stdout, at once; if the reader has gone (`mlpviz train … | head`), the rest of
    the output goes nowhere and training carries on to its save."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        _silence_stdout()


def _tell(text: str) -> None:
    """A line on stderr that may fail quietly: after SIGHUP the terminal may be gone."""
    try:
        print(text, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


class _StopOnSignals:
    """While active, Ctrl-C (SIGINT), SIGTERM and SIGHUP (a closed terminal) all mean "stop and
    save": the first only sets `requested` (checked between batches); a second one stops the
    batch at once (KeyboardInterrupt; the model is still saved). Once `saving` is set, signals
    only say that the save is being finished: a save is never cut short, so the weights are
    never lost to an impatient second Ctrl-C. Outside the main thread it does nothing."""

    SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                    if hasattr(signal, name))

    def __init__(self):
        self.requested = False
        self.saving = False
        self._previous: dict[int, object] = {}

    @staticmethod
    def _name(signum: int) -> str:
        return "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name

    def _on_signal(self, signum, frame):
        name = self._name(signum)
        if self.saving:
            _tell(f"\nmlpviz: {name}: finishing the save first, please wait")
            return
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        _tell(f"\nmlpviz: {name}: stopping after this batch (Ctrl-C again to abort the batch; "
              "the model is still saved)")

    def __enter__(self):
        try:
            for signum in self.SIGNALS:
                self._previous[signum] = signal.signal(signum, self._on_signal)
        except ValueError:  # not the main thread
            pass
        return self

    def __exit__(self, *exc):
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)
        return False


def _load_data(spec: str) -> Dataset:
    return load_dataset(spec, download=False)


def _check_output_path(path: str | Path | None, option: str) -> Path | None:
    """Fail before the work, not after, if a file cannot be written there (a folder, a device,
    a missing or read-only folder)."""
    if path is None:
        return None
    path = Path(path)
    try:
        return check_target(path)
    except OSError as e:
        raise CommandError(f"{option} {path}: {e.strerror or e}") from None


def _model_and_data(model_path: str, data: str | None, activation: str | None = None,
                    cost: str | None = None) -> tuple[Network, ModelMetadata, Dataset, str]:
    """The model (ours, or imported: see core.imports), its metadata, and the dataset (--data,
    else the one it was trained on)."""
    net, raw = load_any_model(model_path, activation, cost)
    meta = read_metadata(raw)
    spec = data if data is not None else (meta.dataset or "bundled")
    try:
        ds = _load_data(spec)
    except DatasetError as e:
        if data is None:
            raise CommandError(f"{e} (the model was trained on {spec!r}; choose data with "
                               "--data)") from None
        raise
    problem = fit_problem(net.sizes, ds)
    if problem:
        raise CommandError(f"{model_path}: {problem}")
    return net, meta, ds, spec


@contextlib.contextmanager
def _naming(model_path: str):
    """NonFiniteError (the model's weights overflow float64) as an error naming the file."""
    try:
        yield
    except NonFiniteError as e:
        raise CommandError(f"{model_path}: {e}") from None
