"""Filming training for slides: `mlpviz record`'s wall and CPU time, file size and peak memory,
and the GIF encoder's share.

Run:  .venv/bin/python benchmarks/bench_record.py [--epochs 3] [--fps 10] [--seconds 10]
                                                 [--size 1280x800] [--view window|network]

Runs `python -m mlpviz record …` once in a fresh process (offscreen) and prints its wall time,
its CPU time (user + system, from the kernel's accounting of the child), seconds per frame, the
file's size and the child's peak resident memory. Then, in this process, it encodes the film's
own frames again with mlpviz.movie.GifMovie and prints the encoding time alone, so the two
shares (training + drawing, encoding) can be told apart. Other busy processes on the machine
lengthen the wall time, not the CPU time.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", default="3")
    p.add_argument("--fps", default="10")
    p.add_argument("--seconds", default="10")
    p.add_argument("--size", default="1280x800")
    p.add_argument("--view", default="window", choices=("window", "network"))
    args = p.parse_args()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "run.gif"
        command = [sys.executable, "-m", "mlpviz", "record", "--epochs", args.epochs, "--fps",
                   args.fps, "--seconds", args.seconds, "--size", args.size, "--view",
                   args.view, "--out", str(out)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            sys.exit(f"record failed ({done.returncode}): {done.stderr[-2000:]}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        frames = _encode_again(out, Path(folder) / "again.gif")
        size = out.stat().st_size
        print(f"record: {' '.join(command[3:-2])}")
        print(f"frames: {frames[0]} of {args.size if args.view == 'window' else 'the network view'}")
        print(f"wall: {wall:.1f} s ({wall / frames[0]:.2f} s a frame)   cpu: {cpu:.1f} s")
        print(f"file: {size / 1e6:.2f} MB ({size / frames[0] / 1e3:.0f} kB a frame)")
        print(f"peak memory of the record process: {after.ru_maxrss / 1024:.0f} MB")
        print(f"GIF encoding alone (palette, quantising, writing): wall {frames[1]:.1f} s, "
              f"cpu {frames[2]:.1f} s")


def _encode_again(film: Path, again: Path) -> tuple[int, float, float]:
    """(frames, wall seconds and CPU seconds to encode them again with GifMovie)."""
    import numpy as np
    from PIL import Image, ImageSequence

    from mlpviz.movie import GifMovie

    with Image.open(film) as im:
        frames = [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(im)]
    movie = GifMovie(again, fps=10)
    t0, c0 = time.perf_counter(), time.process_time()
    for f in frames:
        movie.add(f)
    movie.save()
    return len(frames), time.perf_counter() - t0, time.process_time() - c0


if __name__ == "__main__":
    main()
