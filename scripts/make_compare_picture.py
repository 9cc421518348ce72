"""Render the README's compare-runs picture offscreen: three runs from the same start — η 3,
η 0.3, and η 0.3 with batch 10 — each trained a few epochs and pinned, then the first run again
from the same start (its curves fall on the pinned ones exactly), with the Runs tab on show.

    .venv/bin/python scripts/make_compare_picture.py [--out resources/compare-runs.png] [--epochs 4]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "resources"
                                             / "compare-runs.png"))
    parser.add_argument("--epochs", type=int, default=4)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    from mlpviz.core.datasets import load_bundled
    from mlpviz.gui.main_window import MainWindow
    from mlpviz.gui.session import Session

    window = MainWindow(Session(dataset=load_bundled()), restore=False)
    window.resize(1280, 800)
    window.show()
    session = window.session

    def wait(done, seconds=120.0):
        end = time.monotonic() + seconds
        while not done() and time.monotonic() < end:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)

    def train(epochs):
        target = len(session.history) + epochs
        session.set_stop_after(target)
        session.start()
        wait(lambda: len(session.history) >= target and not session.is_training)

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
    session.set_stop_after(0)
    window.runs_dock.show()
    window.runs_dock.raise_()
    window.runs_view.run_list.setCurrentRow(1)
    wait(lambda: False, 0.8)  # the docks settle
    window.cost_view.flush()
    wait(lambda: False, 0.3)
    ok = window.grab().save(args.out)
    print(("wrote " if ok else "could not write ") + args.out)
    window.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
