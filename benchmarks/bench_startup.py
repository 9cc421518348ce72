"""Start-up time: process start to the first painted main window (the goal: under 1.5 s here).

Run:  .venv/bin/python benchmarks/bench_startup.py [--runs 5]

Starts `python -m mlpviz` `--runs` times, each a fresh process, offscreen, with
MLPVIZ_STARTUP_TIME=1: the app prints the seconds from its process's start to the main window's
first paint and quits. Settings go to a throw-away folder, so the user's are neither read nor
changed (the window opens on the defaults, as on a first start). Prints each run, the median,
and the wall time the parent saw from spawning the process to reading that line.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

GOAL_SECONDS = 1.5


def one_start(env: dict[str, str]) -> tuple[float, float]:
    """(seconds the app reports, seconds the parent measured until it read that line)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "mlpviz"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    seen = time.perf_counter() - t0
    _, err = proc.communicate(timeout=60)
    if proc.returncode != 0 or not line.startswith("startup: "):
        raise SystemExit(f"mlpviz did not report its start-up (exit {proc.returncode}):\n{err}")
    return float(line.split()[1]), seen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MLPVIZ_STARTUP_TIME": "1",
               "MLPVIZ_SETTINGS_ORG": "mlpviz-bench-startup", "XDG_CONFIG_HOME": home}
        runs = [one_start(env) for _ in range(args.runs)]
    reported = [r for r, _ in runs]
    seen = [s for _, s in runs]
    print("runs (s):       " + "  ".join(f"{r:.3f}" for r in reported))
    print("parent saw (s): " + "  ".join(f"{s:.3f}" for s in seen))
    median = statistics.median(reported)
    print(f"start-up to first paint: median {median:.3f} s over {args.runs} fresh processes "
          f"(parent: {statistics.median(seen):.3f} s; goal < {GOAL_SECONDS} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
