"""Stage 9 (a real mini-batch, and the SGD plot): how long its numbers take.

Run:  .venv/bin/python benchmarks/bench_batch_stage.py [--repeats 5]

For mini-batches of 100, 1,000 and 10,000 around a held-out sample (the toolbar's range goes to
10,000; the bundled set gives 8,001): the median time of each sample's wishes computed one
backprop per sample (`Network.backprop` in a loop: how `batch_wishes` worked before) and all at
once (`batch_wishes` now, the batched backward recursion), their ratio, and the whole walk with
that batch. Then `core.sgd_demo` (20 full-batch steps over 2,000 samples, 20 mini-batch steps of
100, and the stagger continued to the careful walk's work, 400 steps, from the default network),
which the stage works out once per network, η and batch size.
BLAS runs on one thread, as in the app.
"""

from __future__ import annotations

import argparse
import os
import statistics
import timeit

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from mlpviz.core.datasets import load_bundled  # noqa: E402
from mlpviz.core.gradient import batch_wishes, param_value  # noqa: E402
from mlpviz.core.minibatch import minibatch_with  # noqa: E402
from mlpviz.core.network import Network  # noqa: E402
from mlpviz.core.sgd_demo import sgd_demo  # noqa: E402
from mlpviz.core.walk import build_walk  # noqa: E402

PARAMS = [(2, 3, -1), (2, 3, 4), (1, 5, 0), (0, 3, 300)]


def median_ms(fn, repeats: int) -> float:
    return statistics.median(timeit.repeat(fn, number=1, repeat=repeats)) * 1000


def per_sample(net: Network, X, labels) -> np.ndarray:
    """The wishes one backprop per sample (the way before)."""
    return np.array([[param_value(t.grad_w, t.grad_b, *p) for p in PARAMS]
                     for t in (net.backprop(x, y) for x, y in zip(X, labels))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    data = load_bundled()
    net = Network([784, 16, 16, 10], seed=0)
    x, label = data.test_images[351] / 255.0, int(data.test_labels[351])
    for size in (100, 1_000, 10_000):
        mb = minibatch_with(data.train_images, data.train_labels, size, x, label, "test", 351)
        loop = median_ms(lambda: per_sample(net, mb.X, mb.labels), args.repeats)
        batched = median_ms(lambda: batch_wishes(net, mb.X, mb.labels, PARAMS), args.repeats)
        walk = median_ms(lambda: build_walk(net, x, label, batch=mb, batch_size=size),
                         args.repeats)
        print(f"batch of {len(mb):>6,}: wishes one backprop per sample {loop:8.1f} ms, "
              f"all at once {batched:6.1f} ms ({loop / batched:5.1f}×); whole walk {walk:6.1f} ms")
    demo = median_ms(lambda: sgd_demo(net, data.train_images, data.train_labels, 100, 3.0),
                     args.repeats)
    print(f"sgd_demo (20 full-batch + 400 mini-batch steps, 2,000 samples, batch 100): "
          f"{demo:.0f} ms")


if __name__ == "__main__":
    main()
