"""Frames per second of the whole default network view, with and without training running.

    .venv/bin/python benchmarks/bench_view.py [--seconds 4] [--repeats 3] [--app-only]

1. Training alone: the Session's worker thread trains the default network on the bundled data
   with nothing drawing; samples per second.
2. Right after it, the whole main window training as in the app (its views follow the
   snapshots, paced by gui/pacing.py): training speed as a fraction of (1), the median of the
   back-to-back pairs' ratios (the machine's other load changes less within a pair), and the
   GUI thread's own CPU time per snapshot (time.thread_time) and snapshots per second.
3. The view alone: a 1280×800 NetworkView repainted as fast as it goes, new weights every frame
   (all 12,960 lines), offscreen.
4. Both at once: the worker trains while the view repaints with the newest snapshot each frame,
   as fast as it can (a stress test: the app itself repaints only when a snapshot arrives).
   Prints the fps and the training speed as a fraction of (1).

Targets (issue 7): training in the app ≥ 80 % of alone; the view alone ≥ 60 fps.
The last line is `fps: N` (the with-training figure). Medians over --repeats runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from mlpviz.core.datasets import load_bundled  # noqa: E402
from mlpviz.core.network import Network  # noqa: E402
from mlpviz.core.snapshot import Snapshot  # noqa: E402
from mlpviz.gui.session import Session  # noqa: E402
from mlpviz.gui.views.network_view import NetworkView  # noqa: E402


def pump(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        QApplication.processEvents()
        time.sleep(0.002)


def training_speed(session: Session, seconds: float, view: NetworkView | None = None):
    """(samples/s of the worker, frames/s of `view`) over `seconds`; view None = no drawing."""
    session.start()
    pump(0.3)
    start_seen, frames = session.snapshot.samples_seen, 0
    t0 = time.perf_counter()
    while (elapsed := time.perf_counter() - t0) < seconds:
        QApplication.processEvents()  # delivers the newest snapshot (the window keeps only it)
        if view is not None:
            view.set_snapshot(session.snapshot)
            view.repaint()
            frames += 1
        else:
            time.sleep(0.01)
    seen = session.snapshot.samples_seen - start_seen
    session.pause()
    pump(0.3)
    return seen / elapsed, frames / elapsed


def app_training_speed(window, seconds: float) -> tuple[float, float, float]:
    """(samples/s, snapshots/s, GUI-thread CPU ms per snapshot) while the main window trains and
    every view follows the snapshots. The CPU time is the GUI thread's own (time.thread_time),
    so it says how much work a snapshot costs whatever else the machine is doing."""
    session = window.session
    snapshots = []
    session.snapshot_ready.connect(snapshots.append)
    session.start()
    pump(0.5)
    start_seen, t0, cpu0, n0 = (session.snapshot.samples_seen, time.perf_counter(),
                                time.thread_time(), len(snapshots))
    pump(seconds)
    elapsed, cpu = time.perf_counter() - t0, time.thread_time() - cpu0
    rate = (session.snapshot.samples_seen - start_seen) / elapsed
    count = len(snapshots) - n0
    session.pause()
    pump(0.3)
    session.snapshot_ready.disconnect(snapshots.append)
    return rate, count / elapsed, 1000 * cpu / max(count, 1)


def view_alone(view: NetworkView, snaps: list[Snapshot], seconds: float) -> float:
    """Frames/s repainting with a different snapshot every frame."""
    frames, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        view.set_snapshot(snaps[frames % len(snaps)])
        view.repaint()
        QApplication.processEvents()
        frames += 1
    return frames / (time.perf_counter() - t0)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--app-only", action="store_true",
                        help="only the pairs of training alone / in the app (quicker, more repeats)")
    args = parser.parse_args(argv)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    data = load_bundled()
    session = Session(dataset=data)
    view = NetworkView()
    view.resize(1280, 800)
    view.show()
    view.set_input(data.test_x()[0])
    rng = np.random.default_rng(0)
    base = Network([784, 16, 16, 10], seed=0)
    snaps = []
    for _ in range(16):
        net = base.copy()
        net.set_parameters([W + 0.3 * rng.standard_normal(W.shape) for W in net.weights], net.biases)
        snaps.append(Snapshot.of(net))

    from mlpviz.gui.main_window import MainWindow

    window = MainWindow(Session(dataset=data), restore=False)
    window.resize(1280, 800)
    window.show()
    training_speed(session, 1.0)  # warm-up: both threads started, caches and first epochs
    app_training_speed(window, 1.0)
    alone, headless, with_fps, with_sps, in_app, app_snaps, app_cpu = [], [], [], [], [], [], []
    for _ in range(args.repeats):
        # "Training alone" and "in the app" back to back, so that each pair sees the same load
        # from whatever else the machine runs; the app's figure is the median of the pairs' ratios.
        headless.append(training_speed(session, args.seconds)[0])
        rate, per_second, cpu_ms = app_training_speed(window, args.seconds)
        in_app.append(rate)
        app_snaps.append(per_second)
        app_cpu.append(cpu_ms)
        if args.app_only:
            continue
        alone.append(view_alone(view, snaps, args.seconds))
        sps, fps = training_speed(session, args.seconds, view)
        with_sps.append(sps)
        with_fps.append(fps)
    session.shutdown()
    window.close()
    med = statistics.median
    pairs = [a / h for a, h in zip(in_app, headless)]
    print(f"training alone:        {med(headless):>10,.0f} samples/s")
    print(f"training in the app:   {med(in_app):>10,.0f} samples/s = {100 * med(pairs):.0f} % of alone "
          f"(median of {len(pairs)} back-to-back pairs: "
          f"{', '.join(f'{100 * r:.0f}' for r in pairs)} %; 1280×800 window, all views live)")
    print(f"GUI thread in the app: {med(app_cpu):>10.1f} ms CPU per snapshot, "
          f"{med(app_snaps):.1f} snapshots/s = {med(app_cpu) * med(app_snaps) / 10:.0f} % of a core")
    if args.app_only:
        return 0
    print(f"view alone:            {med(alone):>10.1f} fps (1280×800, 12,960 lines, new weights each frame)")
    print(f"view while training:   {med(with_fps):>10.1f} fps")
    print(f"training while drawn:  {med(with_sps):>10,.0f} samples/s = "
          f"{100 * med(with_sps) / med(headless):.0f} % of alone")
    print(f"fps: {med(with_fps):.1f}")
    view.close()
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
