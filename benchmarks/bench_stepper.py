"""How fast the backprop stepper shows each stage (the goal: under 50 ms, so it feels instant).

Run:  QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_stepper.py

Prints the median time to build the whole walk (once per network and sample), to rebuild it for a
new snapshot in the panel, to show each stage (go_to, table included), the median of go_to alone
over three passes through all stages (the figure tests/gui/test_stepper.py used to assert; target
under 50 ms), and the gradient check.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from mlpviz.core.datasets import load_dataset  # noqa: E402
from mlpviz.core.minibatch import minibatch_with  # noqa: E402
from mlpviz.core.network import Network  # noqa: E402
from mlpviz.core.snapshot import Snapshot  # noqa: E402
from mlpviz.core.gradcheck import per_layer_gradcheck  # noqa: E402
from mlpviz.core.walk import build_walk  # noqa: E402
from mlpviz.gui.views.stepper import StepperPanel  # noqa: E402

REPEATS = 15


def median_ms(fn, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def go_to_passes_ms(panel, passes: int = 3) -> float:
    """Median milliseconds of panel.go_to(i), i running through every stage `passes` times."""
    times = []
    for _ in range(passes):
        for i in range(panel.stage_count()):
            t0 = time.perf_counter()
            panel.go_to(i)
            times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    ds = load_dataset("bundled")
    labels = ds.test_labels.astype(int)
    i = int(np.nonzero(labels == 2)[0][0])
    x = ds.test_images[i] / 255.0
    mb = minibatch_with(ds.train_images, ds.train_labels, 100, x, 2, "test", i)  # stage 9
    net = Network([784, 16, 16, 10], seed=0)
    snap = Snapshot.of(net)

    print(f"network {net.sizes}, {net.parameter_count:,} parameters; held-out sample #{i} (a 2)")
    build = median_ms(lambda: build_walk(net, x, 2, batch=mb))
    print(f"build_walk (core, all stages):       {build:7.2f} ms")

    panel = StepperPanel()
    panel.resize(700, 800)
    panel.set_snapshot(snap)
    panel.set_sample(x, 2, f"held-out sample #{i}")
    panel.set_batch(mb)
    panel.show()
    panel.activate()
    app.processEvents()
    rebuild = median_ms(lambda: panel.set_snapshot(snap))
    print(f"set_snapshot (rebuild walk + show):  {rebuild:7.2f} ms")

    per_stage = []
    print("\nshow each stage (go_to, then paint):")
    for s in range(panel.stage_count()):
        def show(s=s):
            panel.go_to((s + 1) % panel.stage_count())  # move away, so each call really changes
            t0 = time.perf_counter()
            panel.go_to(s)
            panel.repaint()
            return time.perf_counter() - t0
        times = [show() for _ in range(REPEATS)]
        ms = statistics.median(times) * 1000
        per_stage.append(ms)
        st = panel.current_stage()
        print(f"  {st.short:<22} {len(st.rows):>3} rows × {len(st.columns):>2} cols  {ms:7.2f} ms")
    print(f"median over stages: {statistics.median(per_stage):.2f} ms, "
          f"slowest: {max(per_stage):.2f} ms (goal < 50 ms)")
    print(f"go_to alone, 3 passes through all stages: median {go_to_passes_ms(panel):.2f} ms "
          "(target < 50 ms)")

    check = median_ms(lambda: per_layer_gradcheck(net, x, 2), repeats=3)
    print(f"\ngradient check (13,002 parameters):   {check:7.1f} ms")
    panel.deactivate()
    panel.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
