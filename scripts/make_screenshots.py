"""Render the README's pictures offscreen with `mlpviz --screenshot` and its window options: the
window after a short training run, the backpropagation stepper at stages 3, 4b and 5 (and 3 in
Chinese), and presentation mode (F5) at 1280×800 on the network and on stage 5.

    .venv/bin/python scripts/make_screenshots.py [--out resources] [--train-steps 300]
        [--only mistakes.png …]

Each picture is one run of the command line, so anyone can make any other picture the same way.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

SIZE = "1280x800"
STAGES = {"stepper-stage3.png": "3", "stepper-stage4.png": "4b", "stepper-stage5.png": "5"}
PICTURES = {  # file → the window options that make it
    "screenshot.png": [],
    **{name: ["--stage", stage] for name, stage in STAGES.items()},
    "present-network.png": ["--present"],
    "present-stage5.png": ["--present", "--stage", "5"],
    "mistakes.png": ["--tab", "mistakes"],
    "stepper-stage3-zh.png": ["--lang", "zh", "--stage", "3"],  # the Chinese UI (README 中文)
}


def command(out: Path, options: list[str], train_steps: int) -> list[str]:
    """The `mlpviz --screenshot` command line that renders one picture."""
    return [sys.executable, "-m", "mlpviz", "--screenshot", str(out), "--size", SIZE,
            "--train-steps", str(train_steps), *options]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "resources"))
    parser.add_argument("--train-steps", type=int, default=300)
    parser.add_argument("--only", nargs="+", choices=sorted(PICTURES), metavar="NAME",
                        help="these pictures only (default: all)")
    args = parser.parse_args(argv)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "MLPVIZ_SETTINGS_ORG": "mlpviz-screenshots"}
    for name, options in PICTURES.items():
        if args.only and name not in args.only:
            continue
        out = Path(args.out) / name
        cmd = command(out, options, args.train_steps)
        done = subprocess.run(cmd, env=env)
        if done.returncode != 0:
            print(f"make_screenshots: failed: {' '.join(cmd)}", file=sys.stderr)
            return done.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
