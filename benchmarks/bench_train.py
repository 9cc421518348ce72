"""Training throughput of the default network (784 → 16 → 16 → 10, sigmoid, mse) at batch 100.

Measures, in the same run:
  vectorised  Trainer.step() over a 60,000-sample uint8 training set (the bundled images tiled),
              one full epoch of steps per repeat (evaluation excluded);
  per-sample  a plain loop: Network.backprop(x, label) per sample in float64, gradients summed over
              each mini-batch of 100 and applied with Network.apply_step — Nielsen's network.py,
              written against our API — over --loop-samples samples per repeat.
  lean loop   the same per-sample loop without the trace: forward and backward written inline in
              float64 (what a plain per-sample implementation costs; Network.backprop also
              records every intermediate value and each neuron's wishes for the stepper).
Prints the median samples/s of each, the ratios, and seconds per 60,000-sample epoch; the 15×
target is judged against the lean loop, the stricter baseline.

    .venv/bin/python benchmarks/bench_train.py [--repeats 5] [--loop-samples 2000] [--check]

--check exits 1 unless the vectorised trainer reaches 500,000 samples/s and 15× the loop.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np

from mlpviz.core.datasets import load_dataset
from mlpviz.core.network import Network
from mlpviz.core.training import Trainer, single_blas_thread

EPOCH = 60_000
BATCH = 100
LR = 3.0
TARGET_RATE, TARGET_RATIO = 500_000, 15


def training_set(n: int = EPOCH) -> tuple[np.ndarray, np.ndarray]:
    """n uint8 images (n, 784) and labels: the bundled training split repeated."""
    ds = load_dataset("bundled")
    reps = -(-n // len(ds.train_labels))
    return (np.tile(ds.train_images, (reps, 1))[:n].copy(),
            np.tile(ds.train_labels, reps)[:n].copy())


def vectorised_rate(images, labels, seed: int) -> float:
    """Samples per second of one epoch of Trainer.step() on a fresh default network."""
    trainer = Trainer(Network([784, 16, 16, 10], seed=seed), images, labels, lr=LR,
                      batch_size=BATCH, seed=seed)
    steps = trainer.batches_per_epoch
    t0 = time.perf_counter()
    for _ in range(steps):
        trainer.step()
    return len(labels) / (time.perf_counter() - t0)


def per_sample_rate(images, labels, n: int, seed: int) -> float:
    """Samples per second of per-sample float64 backprop with a mini-batch update every BATCH."""
    net = Network([784, 16, 16, 10], seed=seed)
    X = images[:n].astype(np.float64) / 255
    t0 = time.perf_counter()
    for start in range(0, n, BATCH):
        gw = [np.zeros_like(W) for W in net.weights]
        gb = [np.zeros_like(b) for b in net.biases]
        for x, label in zip(X[start:start + BATCH], labels[start:start + BATCH]):
            trace = net.backprop(x, label)
            for l in range(net.L):
                gw[l] += trace.grad_w[l]
                gb[l] += trace.grad_b[l]
        net.apply_step(gw, gb, LR / len(X[start:start + BATCH]))
    return n / (time.perf_counter() - t0)


def lean_per_sample_rate(images, labels, n: int, seed: int) -> float:
    """Samples per second of a lean per-sample loop: z = W a + b, a = σ(z) forward, then
    δ = ∂C/∂z backward, ∂C/∂W = δ aᵀ, summed over each mini-batch; float64, no trace kept."""
    net = Network([784, 16, 16, 10], seed=seed)
    Ws, bs = net.weights, net.biases
    X = images[:n].astype(np.float64) / 255
    eye = np.eye(10)
    t0 = time.perf_counter()
    for start in range(0, n, BATCH):
        gw = [np.zeros_like(W) for W in Ws]
        gb = [np.zeros_like(b) for b in bs]
        for x, label in zip(X[start:start + BATCH], labels[start:start + BATCH]):
            acts = [x]
            for W, b in zip(Ws, bs):
                acts.append(1 / (1 + np.exp(-(W @ acts[-1] + b))))
            a = acts[-1]
            delta = 2 * (a - eye[label]) * a * (1 - a)
            for l in range(len(Ws) - 1, -1, -1):
                gw[l] += np.outer(delta, acts[l])
                gb[l] += delta
                if l:
                    delta = (Ws[l].T @ delta) * acts[l] * (1 - acts[l])
        m = len(X[start:start + BATCH])
        for W, b, g, h in zip(Ws, bs, gw, gb):
            W -= LR / m * g
            b -= LR / m * h
    return n / (time.perf_counter() - t0)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--loop-samples", type=int, default=2000)
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)

    images, labels = training_set()
    with single_blas_thread():
        vectorised_rate(images[:10_000], labels[:10_000], seed=99)  # warm-up
        per_sample_rate(images, labels, 200, seed=99)
        fast = [vectorised_rate(images, labels, seed=r) for r in range(args.repeats)]
        slow = [per_sample_rate(images, labels, args.loop_samples, seed=r)
                for r in range(args.repeats)]
        lean = [lean_per_sample_rate(images, labels, args.loop_samples, seed=r)
                for r in range(args.repeats)]
    fast_med, slow_med = statistics.median(fast), statistics.median(slow)
    lean_med = statistics.median(lean)
    ratio = fast_med / lean_med

    print(f"default network 784-16-16-10 (sigmoid, mse), batch {BATCH}, one BLAS thread, "
          f"median of {args.repeats}")
    print(f"  vectorised Trainer.step  {fast_med:>12,.0f} samples/s   "
          f"{EPOCH / fast_med:8.3f} s per 60,000-sample epoch   "
          f"(runs: {', '.join(f'{r:,.0f}' for r in fast)})")
    print(f"  per-sample backprop loop {slow_med:>12,.0f} samples/s   "
          f"{EPOCH / slow_med:8.3f} s per 60,000-sample epoch   "
          f"({args.loop_samples:,} samples per run)")
    print(f"  lean per-sample loop     {lean_med:>12,.0f} samples/s   "
          f"{EPOCH / lean_med:8.3f} s per 60,000-sample epoch")
    print(f"  speed-up {ratio:.1f}× the lean loop ({fast_med / slow_med:.1f}× the backprop loop)")
    ok_rate, ok_ratio = fast_med >= TARGET_RATE, ratio >= TARGET_RATIO
    print(f"  targets: ≥ {TARGET_RATE:,} samples/s {'met' if ok_rate else 'MISSED'}; "
          f"≥ {TARGET_RATIO}× the loop {'met' if ok_ratio else 'MISSED'}")
    return 1 if args.check and not (ok_rate and ok_ratio) else 0


if __name__ == "__main__":
    sys.exit(main())
