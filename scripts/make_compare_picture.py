"""Render the README's compare-runs picture offscreen: three runs from the same start — η 3,
η 0.3, and η 0.3 with batch 10 — each trained a few epochs and pinned, then the first run again
from the same start (its curves fall on the pinned ones exactly), with the Runs tab on show.

    .venv/bin/python scripts/make_compare_picture.py [--out resources/compare-runs.png] [--epochs 4]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from offscreen_window import OffscreenWindow


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "resources"
                                             / "compare-runs.png"))
    parser.add_argument("--epochs", type=int, default=4)
    args = parser.parse_args(argv)
    shown = OffscreenWindow()
    window, session, train = shown.window, shown.session, shown.train

    train(args.epochs)
    window.runs_view.pin(session.snapshot, session.run_settings())
    window.controls.lr.setValue(0.3)
    session.rerun()
    train(args.epochs)
    window.runs_view.pin(session.snapshot, session.run_settings())
    window.controls.batch.setValue(10)
    session.rerun()
    train(args.epochs)
    window.runs_view.pin(session.snapshot, session.run_settings())
    window.controls.lr.setValue(3.0)
    window.controls.batch.setValue(100)
    session.rerun()
    train(max(1, args.epochs - 1))
    window.runs_dock.show()
    window.runs_dock.raise_()
    window.runs_view.run_list.setCurrentRow(1)
    return shown.save(args.out)


if __name__ == "__main__":
    sys.exit(main())
