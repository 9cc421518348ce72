"""`mlpviz record`: film a real training run headless, as an animated GIF (or MP4).

    mlpviz record --epochs 3 --fps 10 --seconds 10 --out run.gif [--size WxH] [--theme light]
                  [--palette colourblind]
                  [--present] [--view network] [--seed N] [--layers 16,16] …

The app's window is built offscreen on the bundled data, and the training worker trains the
network (seeded: the same command makes the same film); the window is filmed as it shows the
snapshots (gui.recorder), N = fps · seconds frames spread evenly over the epochs' mini-batches
(core.recording). Progress goes to stderr: a bar on a terminal, a line every tenth otherwise.
Ctrl-C (SIGINT), SIGTERM or SIGHUP stops the filming and writes the frames taken so far (exit
130); a second one writes nothing. Files are written atomically: never half a file.
"""

from __future__ import annotations

import argparse
import math
import os
import time
from pathlib import Path

from mlpviz.cli_support import (
    CommandError, _check_output_path, _load_data, _ProgressBar, _StopOnSignals, _tell,
)
from mlpviz.core.palette import PALETTES
from mlpviz.core.recording import (
    batches_per_epoch, describe, frame_batches, frame_count, frames_problem,
)
from mlpviz.i18n import N_, _, count, ngettext
from mlpviz.movie import MAX_GIF_FPS, MovieError, movie_problem, open_movie

VIEWS = ("window", "network")
STALL_SECONDS = 300.0  # no new frame for this long: the film ends with the frames so far
INTERRUPTED = N_("interrupted")  # why a film stopped at Ctrl-C (said in the language on show)


def _fps(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0.1 <= value <= 60):
        raise argparse.ArgumentTypeError(_("expected frames a second from 0.1 to 60, got {text}")
                                         .format(text=repr(text)))
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 < value <= 600):
        raise argparse.ArgumentTypeError(_("expected seconds from 0 to 600, got {text}").format(
            text=repr(text)))
    return value


def add_record_command(commands, network_options, window_size, positive_int) -> None:
    """The `record` subcommand (cli.build_parser hands it its shared option makers)."""
    p = commands.add_parser(
        "record", help=_("film training headless as an animated GIF (or MP4) for slides"),
        description=_("Trains a network on the bundled data in the app's window, offscreen, and "
                      "films it: fps × seconds frames spread evenly over the epochs' mini-batches "
                      "(frame 0 the initial weights, the last the end of training). Ctrl-C stops "
                      "and writes the frames so far. MP4 needs the optional extra: pip install "
                      "'mlpviz[record]'."))
    p.add_argument("--out", required=True, metavar="RUN.gif|RUN.mp4",
                   help=_("the film to write (.gif, or .mp4 with the extra 'record')"))
    p.add_argument("--epochs", type=positive_int, default=3,
                   help=_("epochs to train (default 3)"))
    p.add_argument("--fps", type=_fps, default=10.0,
                   help=_("frames a second of the film (default 10; a GIF at most {most})")
                   .format(most=MAX_GIF_FPS))
    p.add_argument("--seconds", type=_seconds, default=10.0,
                   help=_("length of the film in seconds (default 10): fps × seconds frames"))
    p.add_argument("--size", type=window_size, default=(1280, 800), metavar="WxH",
                   help=_("the window's size in pixels (default 1280x800)"))
    p.add_argument("--theme", choices=("dark", "light"), default=None, help=_("colour theme"))
    p.add_argument("--palette", choices=tuple(PALETTES), default=None,
                   help=_("the colours of + and −: the lesson's green/red, or blue/orange "
                          "(colour-blind safe)"))
    p.add_argument("--present", action="store_true", help=_("presentation mode (F5)"))
    p.add_argument("--view", choices=VIEWS, default="window",
                   help=_("film the whole window (default), or only the network view (the side "
                          "panels and plots then make way for it)"))
    network_options(p)


class _Progress:
    """Frames taken, on stderr: the command line's bar on a terminal, else a line each tenth."""

    def __init__(self, total: int, bar):
        self.total, self._bar, self._shown = total, bar, 0

    def update(self, done: int, where: str) -> None:
        if self._bar.enabled:
            self._bar.update(_("recording"), done, self.total,
                             _("frame {done}/{total} {where}").format(done=done, total=self.total,
                                                                     where=where),
                             force=done >= self.total)
            return
        tenth = (10 * done) // self.total
        if tenth > self._shown or done == 1:
            self._shown = tenth
            _tell(_("mlpviz: recording frame {done}/{total} ({where})").format(
                done=done, total=self.total, where=where))

    def clear(self) -> None:
        self._bar.clear()


class _StopFilming(_StopOnSignals):
    """The first signal stops the filming (the frames so far are written); the second raises
    KeyboardInterrupt wherever the program is (an atomic write then leaves nothing)."""

    def _on_signal(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        name = self._name(signum)
        _tell("\n" + _("mlpviz: {name}: stopping; writing the frames taken so far ({name} "
                       "again writes nothing)").format(name=name))


def cmd_record(args: argparse.Namespace) -> int:
    from mlpviz.core.limits import DRAWN, architecture_problem
    from mlpviz.core.training import DEFAULT_BATCH

    problem = movie_problem(args.out, args.fps)
    if problem:
        raise CommandError(problem)
    out = _check_output_path(args.out, "--out")
    ds = _load_data("bundled")
    sizes = [ds.n_inputs, *args.layers, ds.n_classes]
    problem = architecture_problem(sizes, args.activation, args.cost, args.seed, ds, DRAWN)
    if problem:
        raise CommandError(problem)
    per_epoch = batches_per_epoch(len(ds.train_labels), DEFAULT_BATCH)
    frames = frame_count(args.fps, args.seconds)
    problem = frames_problem(frames, args.epochs, per_epoch)
    if problem:
        raise CommandError(problem)
    targets = frame_batches(args.epochs * per_epoch, frames)
    _tell(ngettext("mlpviz: filming {epochs} epoch of {sizes} (seed {seed}): {frames}",
                   "mlpviz: filming {epochs} epochs of {sizes} (seed {seed}): {frames}",
                   args.epochs).format(epochs=args.epochs, sizes=" → ".join(map(str, sizes)),
                                       seed=args.seed,
                                       frames=describe(frames, args.fps, args.epochs, per_epoch)))
    movie = open_movie(out, args.fps)
    progress = _Progress(frames, _ProgressBar())
    with _StopFilming() as stop:
        try:
            reason = _film(args, ds, sizes, targets, movie, progress, stop)
        except BaseException:
            movie.discard()
            raise
        finally:
            progress.clear()
        return _write(movie, out, frames, reason)


def _write(movie, out: Path, asked: int, reason: str) -> int:
    """Save what was filmed; say what was written and why it is short, if it is."""
    if movie.frames == 0:
        movie.discard()
        raise CommandError(_("{reason}: nothing written").format(
            reason=_(reason) if reason else _("no frame was taken")))
    try:
        movie.save()
    except MovieError as e:
        raise CommandError(str(e)) from None
    size = out.stat().st_size
    frames = (_("{n} of {asked} frames").format(n=movie.frames, asked=asked)
              if movie.frames < asked else _("{n} frames").format(n=movie.frames))
    why = f" ({_(reason)})" if reason else ""
    w, h = movie.frame_size
    print(_("saved {out}: {frames}{why}, {w}×{h}, {mb} MB").format(
        out=out, frames=frames, why=why, w=w, h=h, mb=f"{size / 1e6:.1f}"))
    if reason == INTERRUPTED:
        return 130
    return 1 if reason else 0


def _watchdog(recorder, stop):
    """A check, run often: a signal stops the recorder; so does no new frame for
    STALL_SECONDS (the training thread stuck): the command never hangs."""
    seen = [time.monotonic(), -1]

    def check() -> None:
        if stop.requested:
            recorder.stop(INTERRUPTED)
        elif recorder.frames_taken != seen[1]:
            seen[:] = [time.monotonic(), recorder.frames_taken]
        elif time.monotonic() - seen[0] > STALL_SECONDS:
            recorder.stop(_("no new frame for {seconds} s").format(seconds=f"{STALL_SECONDS:g}"))

    return check


def _film(args, ds, sizes, targets, movie, progress, stop) -> str:
    """Build the window offscreen, film it while the worker trains; "" when every frame was
    taken, else why it stopped."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QDockWidget

    from mlpviz.gui.app import _application, _close, set_up_window
    from mlpviz.gui.export import window_frame
    from mlpviz.gui.main_window import MainWindow
    from mlpviz.gui.recorder import Recorder
    from mlpviz.gui.session import Session
    from mlpviz.gui.window_setup import WindowSetup

    app = _application()
    window = MainWindow(Session(dataset=ds, sizes=sizes, activation=args.activation,
                                cost=args.cost, seed=args.seed), restore=False)
    try:
        window.show()
        problem = set_up_window(window, WindowSetup(size=args.size, present=args.present,
                                                    theme=args.theme, palette=args.palette))
        if problem:
            return problem
        if args.view == "network":  # the network view fills the window: the film is all network
            for dock in window.findChildren(QDockWidget):
                dock.hide()
            for _turn in range(5):
                app.processEvents()
        deadline = time.monotonic() + 10  # the lines drawn as in every later frame
        while window.network_view.settling and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.01)
        app.processEvents()
        got = (window.width(), window.height())
        if got != tuple(args.size):
            _tell(_("mlpviz: the window cannot be {asked}: it is filmed at {got}, the nearest "
                    "size its layout allows").format(asked=f"{args.size[0]}×{args.size[1]}",
                                                     got=f"{got[0]}×{got[1]}"))
        widget = window.network_view if args.view == "network" else window

        def take(_i: int) -> None:
            movie.add(window_frame(window, widget))

        recorder = Recorder(window.session, targets, take)
        loop = QEventLoop()
        recorder.finished.connect(lambda _reason: loop.quit())

        def on_frame(done: int, _total: int) -> None:
            progress.update(done, ngettext("after {n} mini-batch", "after {n} mini-batches",
                                           recorder.batches_done).format(
                n=count(recorder.batches_done)))

        recorder.frame_taken.connect(on_frame)
        watch = QTimer()  # Python runs the signal handler between bytecodes: give it some
        watch.timeout.connect(_watchdog(recorder, stop))
        watch.start(50)
        recorder.start()
        if not recorder.done:
            loop.exec()
        watch.stop()
        app.processEvents()
        return recorder.reason
    finally:
        _close(window)
