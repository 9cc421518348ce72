"""Replay: the memory the checkpoints hold over a long run, and the timeline's scrub frame rate.

    .venv/bin/python benchmarks/bench_replay.py [--epochs 200] [--frames 120] [--memory-only]

1. Memory. The default network (784 → 16 → 16 → 10) trains `--epochs` epochs of the bundled
   8,000 samples (80 mini-batches each) with core.training's Trainer, and the checkpoints are
   offered exactly as the app offers them: the worker's schedule (core.checkpoints.next_due) and
   a live snapshot every 10 batches (the window takes ~25 a second). Printed: the most bytes the
   checkpoints held at any moment (their arrays, measured after every offer), the checkpoints
   kept and how many were offered.
2. Scrub frame rate. The main window (1280×800, offscreen) after two epochs: the slider moved
   one checkpoint per frame, back and forth over all of them, each frame followed by
   processEvents (Qt repaints what changed, as in the app), with the Sample tab, then the
   Weights tab, then the Pins tab (two pins) on show. Printed: frames per second of each, by
   the clock and by the GUI thread's CPU time (the machine's other load does not lower the
   second).
Targets (issue 11): peak < 50 MB; ≥ 30 frames per second.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from mlpviz.core import Network, Snapshot, Trainer  # noqa: E402
from mlpviz.core.checkpoints import CheckpointLog, capacity_for, next_due  # noqa: E402
from mlpviz.core.datasets import load_bundled  # noqa: E402

LIVE_EVERY = 10  # batches between two live snapshots in this simulation


def memory(epochs: int) -> None:
    ds = load_bundled()
    net = Network([784, 16, 16, 10], seed=0)
    trainer = Trainer(net, ds.train_images, ds.train_labels, seed=0)
    log = CheckpointLog(capacity_for(net.sizes))
    log.offer(0, Snapshot.of(net))
    due, offered, peak_bytes, seen = 1, 1, 0, 0
    started = time.perf_counter()
    for _ in range(epochs):
        while True:
            trainer.step()
            seen += 1
            due_now = seen >= due
            if due_now or seen % LIVE_EVERY == 0:
                snap = Snapshot.of(trainer.sync(), epoch=trainer.epoch,
                                   batch=trainer.batch_in_epoch)
                log.offer(seen, snap)
                offered += 1
                peak_bytes = max(peak_bytes, log.record().nbytes())
                if due_now:
                    due = next_due(seen)
            if trainer.epoch_done:
                trainer.finish_epoch()
                break
    record = log.record()
    print(f"{epochs} epochs, {seen:,} mini-batches in {time.perf_counter() - started:.1f} s; "
          f"{offered:,} checkpoints offered, {len(record)} kept "
          f"(first at {record.batches[0]}, last at {record.batches[-1]:,})")
    print(f"checkpoint memory, peak held: {peak_bytes / 2**20:.2f} MB "
          f"({peak_bytes / len(record) / 1024:.0f} KB each); target < 50 MB")


def scrub(frames: int) -> None:
    from PySide6.QtWidgets import QApplication

    from mlpviz.core.pins import Pin
    from mlpviz.gui.main_window import MainWindow
    from mlpviz.gui.session import Session

    app = QApplication.instance() or QApplication(sys.argv)
    w = MainWindow(Session(dataset=load_bundled()), restore=False)
    w.resize(1280, 800)
    w.show()

    def wait(done, seconds=120.0):
        end = time.monotonic() + seconds
        while not done() and time.monotonic() < end:
            app.processEvents()
            time.sleep(0.005)

    for epoch in (1, 2):
        w.session.step_epoch()
        wait(lambda: len(w.session.history) == epoch and not w.session.is_training)
    wait(lambda: w.timeline.record() is w.session.checkpoints, 5)
    n = len(w.session.checkpoints)
    path = list(range(n - 1, -1, -1)) + list(range(1, n))  # back to the start and forward
    print(f"{n} checkpoints; {frames} frames per tab, one checkpoint per frame")
    w.pins_view.add(Pin("weight", 1, 3, 7))
    w.pins_view.add(Pin("neuron", 2, 5))
    for dock in (w.sample_dock, w.weights_dock, w.pins_dock):
        dock.raise_()
        wait(lambda: False, 0.3)
        started, cpu = time.perf_counter(), time.thread_time()
        for i in range(frames):
            w.timeline.slider.setValue(path[i % len(path)])
            app.processEvents()  # Qt paints what changed, as in the app
        fps = frames / (time.perf_counter() - started)
        cpu_fps = frames / (time.thread_time() - cpu)
        print(f"scrub, {dock.windowTitle()} tab on show: {fps:.0f} frames/s by the clock, "
              f"{cpu_fps:.0f} by the GUI thread's CPU time; target ≥ 30")
    w.timeline.go_live()
    w.close()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--frames", type=int, default=120)
    parser.add_argument("--memory-only", action="store_true")
    args = parser.parse_args(argv)
    memory(args.epochs)
    if not args.memory_only:
        scrub(args.frames)


if __name__ == "__main__":
    main()
