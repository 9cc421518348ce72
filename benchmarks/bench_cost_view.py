"""The cost plot's redraw time after a short and after a very long run (issue 8: bounded).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_cost_view.py [--epochs 100 10000]
                                                                           [--redraws 15]

For each number of epochs: a 1280×300 CostView (the size of the main window's cost dock at
1280×800) is fed that many epochs of 80 mini-batch reports (the bundled data at batch size 100)
with a cost that falls and jitters, and an epoch report after each; then, `--redraws` times, ten
more batches arrive (what one ~25-a-second emission brings while training) and the view redraws
(`flush`: the data to the plot items) and paints (`repaint`). Prints the median milliseconds of
the redraw, the paint and both, and the ratio of the longest run's to the shortest's (goal:
within 2×; before issue 8's fix, 0.4 ms at 0 epochs, 47 ms at 3,000 and 160 ms at 10,000).
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

from mlpviz.core.training import BatchReport, EpochReport  # noqa: E402
from mlpviz.gui.views.cost_view import CostView  # noqa: E402

BATCHES_PER_EPOCH = 80


def batch_reports(start: int, costs: np.ndarray) -> tuple[BatchReport, ...]:
    """Reports for batches start+1 … start+len(costs) with these costs."""
    b = BATCHES_PER_EPOCH
    return tuple(BatchReport((start + i) // b, (start + i) % b + 1, b, (start + i + 1) * 100,
                             float(c), 100, 3.0) for i, c in enumerate(costs))


def falling_costs(rng: np.random.Generator, start: int, n: int) -> np.ndarray:
    """A cost that falls like a training run's, with the jitter of mini-batches."""
    t = np.arange(start, start + n)
    return 0.9 / (1.0 + t / 2000.0) + 0.05 + 0.03 * rng.standard_normal(n) ** 2


def fill(view: CostView, epochs: int, rng: np.random.Generator) -> int:
    """Feed `epochs` epochs of batch and epoch reports; returns the batches fed."""
    seen = 0
    for e in range(epochs):
        costs = falling_costs(rng, seen, BATCHES_PER_EPOCH)
        view.add_batches(batch_reports(seen, costs))
        seen += BATCHES_PER_EPOCH
        acc = 0.95 - 0.85 / (1.0 + e / 20.0)
        view.add_epoch(EpochReport(e + 1, float(costs.mean()), acc, float(costs.mean()) * 1.1,
                                   acc - 0.02, 1.0, 8000.0))
    return seen


def time_redraws(view: CostView, seen: int, redraws: int,
                 rng: np.random.Generator) -> tuple[float, float]:
    """Median (redraw ms, paint ms) over `redraws` rounds of ten new batches each."""
    redraw, paint = [], []
    for _ in range(redraws):
        view.add_batches(batch_reports(seen, falling_costs(rng, seen, 10)))
        seen += 10
        t0 = time.perf_counter()
        view.flush()
        t1 = time.perf_counter()
        view.repaint()
        QApplication.processEvents()
        t2 = time.perf_counter()
        redraw.append(t1 - t0)
        paint.append(t2 - t1)
    return 1000 * statistics.median(redraw), 1000 * statistics.median(paint)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, nargs="+", default=[100, 10_000])
    parser.add_argument("--redraws", type=int, default=15)
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    totals = {}
    for epochs in args.epochs:
        rng = np.random.default_rng(0)
        view = CostView()
        view.resize(1280, 300)
        view.set_colors("#0e1116", "#e9ecef")
        view.show()
        t0 = time.perf_counter()
        seen = fill(view, epochs, rng)
        fed = time.perf_counter() - t0
        view.flush()
        view.repaint()
        redraw, paint = time_redraws(view, seen, args.redraws, rng)
        totals[epochs] = redraw + paint
        print(f"{epochs:>7,} epochs ({seen:>9,} batches, fed in {fed:5.1f} s): "
              f"redraw {redraw:7.2f} ms + paint {paint:7.2f} ms = {redraw + paint:7.2f} ms")
        view.close()
        view.deleteLater()
        QApplication.processEvents()
    lo, hi = min(args.epochs), max(args.epochs)
    print(f"{hi:,} epochs / {lo:,} epochs: {totals[hi] / totals[lo]:.2f}× (goal: within 2×)")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
