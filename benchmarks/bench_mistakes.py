"""The Mistakes and Deeper tabs' work per recomputation (each runs at most once a second, on the
GUI thread, only while its tab is on screen): the confusion matrix of the held-out set
(2,000 bundled and 10,000 tiled, the size of MNIST's), and every neuron's maximising input.

    .venv/bin/python benchmarks/bench_mistakes.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from mlpviz.core import Network, Snapshot
from mlpviz.core.datasets import load_bundled
from mlpviz.core.mistakes import confusion
from mlpviz.core.neuron_pictures import composed_weights, maximising_inputs


def median_ms(work, repeats: int) -> float:
    work()  # warm-up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        work()
        times.append(time.perf_counter() - t)
    return 1000 * statistics.median(times)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    ds = load_bundled()
    snap = Snapshot.of(Network([784, 16, 16, 10], seed=0))
    X = ds.test_images.astype(np.float64) / 255.0
    X10, y10 = np.tile(X, (5, 1)), np.tile(ds.test_labels, 5)
    rows = [
        ("confusion, 2,000 held-out", lambda: confusion(snap, X, ds.test_labels)),
        ("confusion, 10,000 held-out", lambda: confusion(snap, X10, y10)),
        ("composed weights, layer 3", lambda: composed_weights(snap, 3)),
        ("maximising inputs, layer 2 (16)", lambda: maximising_inputs(snap, 2)),
        ("maximising inputs, layer 3 (10)", lambda: maximising_inputs(snap, 3)),
    ]
    for name, work in rows:
        ms = median_ms(work, args.repeats)
        print(f"{name:34s} {ms:8.1f} ms   ({ms / 10:.1f} % of a core at one per second)")


if __name__ == "__main__":
    main()
