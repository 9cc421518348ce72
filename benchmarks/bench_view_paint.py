"""Paint speed of the network view: new weights every frame, 1280×800, offscreen.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_view_paint.py [--seconds 3]
        [--size 1280x800] [--sizes 784,16,16,10] [--lines numpy|qt] [--train]

Each frame hands the view a new Snapshot (the weights of a different training step), with a
sample shown, and repaints it synchronously. With --train, a training thread runs meanwhile and
the share of its speed that survives painting at ≤ 30 fps is printed too. The last line is
`fps: N`.
"""

from __future__ import annotations

import argparse
import os
import threading
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from mlpviz.core.datasets import load_bundled  # noqa: E402
from mlpviz.core.network import Network  # noqa: E402
from mlpviz.core.snapshot import Snapshot  # noqa: E402
from mlpviz.core.training import Trainer, single_blas_thread  # noqa: E402
from mlpviz.gui.views.network_view import NetworkView  # noqa: E402


def training_rate(trainer: Trainer, seconds: float, frame) -> float:
    """Batches per second of a training thread while `frame()` runs at most 30 times a second
    (frame None: the thread alone)."""
    stop, count = threading.Event(), [0]

    def work():
        with single_blas_thread():
            while not stop.is_set():
                trainer.step()
                count[0] += 1

    th = threading.Thread(target=work, daemon=True)
    th.start()
    time.sleep(0.3)
    c0, t0, k = count[0], time.perf_counter(), 0
    while time.perf_counter() - t0 < seconds:
        if frame is not None:
            frame()
        k += 1
        wait = t0 + k / 30 - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
    rate = (count[0] - c0) / (time.perf_counter() - t0)
    stop.set()
    th.join()
    return rate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--size", default="1280x800")
    ap.add_argument("--sizes", default="784,16,16,10")
    ap.add_argument("--lines", choices=("numpy", "qt"), default="numpy")
    ap.add_argument("--train", action="store_true", help="also measure a training thread's speed")
    args = ap.parse_args()
    w, h = (int(v) for v in args.size.lower().split("x"))
    sizes = [int(s) for s in args.sizes.split(",")]

    app = QApplication.instance() or QApplication([])
    ds = load_bundled()
    net = Network(sizes, seed=0)
    trainer = Trainer(net, ds.train_images, ds.train_labels)
    snaps = []
    for _ in range(40):  # 40 different sets of weights, cycled: the lines change every frame
        for _ in range(3):
            trainer.step()
        snaps.append(Snapshot.of(trainer.sync()))
    x = ds.test_x()[0]

    view = NetworkView()
    view._raster_mode = args.lines
    view.resize(w, h)
    view.show()
    view.set_class_names(ds.class_names)
    view.set_snapshot(snaps[0])
    view.set_input(x)
    app.processEvents()
    view.repaint()  # builds the geometry (and the line raster) once

    i = [0]

    def frame():
        i[0] += 1
        view.set_snapshot(snaps[i[0] % len(snaps)])
        view.repaint()

    for _ in range(5):
        frame()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < args.seconds:
        frame()
        n += 1
    fps = n / (time.perf_counter() - t0)
    drawn_by = "numpy" if view._geometry().raster is not None else "QPainter"
    print(f"view {w}×{h}, sizes {sizes}, lines drawn by {drawn_by}: "
          f"{1000 / fps:.1f} ms per frame (snapshot + forward + paint)")
    if args.train:
        alone = training_rate(trainer, args.seconds, None)
        painting = training_rate(trainer, args.seconds, frame)
        print(f"training thread: {alone:.0f} batches/s alone, {painting:.0f} while painting at "
              f"≤ 30 fps ({100 * painting / alone:.0f} % kept)")
    view.close()
    print(f"fps: {fps:.1f}")


if __name__ == "__main__":
    main()
