"""Render the README's pictures offscreen: the window after a short training run, and the
backpropagation stepper at stages 3, 4 and 5 (with the network view beside it).

    .venv/bin/python scripts/make_screenshots.py [--out resources] [--train-steps 300]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MLPVIZ_SETTINGS_ORG", "mlpviz-screenshots")

from PySide6.QtWidgets import QApplication  # noqa: E402

from mlpviz.gui.app import _train_for_screenshot  # noqa: E402
from mlpviz.gui.main_window import MainWindow  # noqa: E402

STAGES = {"stepper-stage3.png": "wants", "stepper-stage4.png": "lever-weights",
          "stepper-stage5.png": "sum-2"}


def settle(app, n: int = 20) -> None:
    for _ in range(n):
        app.processEvents()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "resources"))
    parser.add_argument("--train-steps", type=int, default=300)
    args = parser.parse_args(argv)
    out = Path(args.out)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = MainWindow(restore=False)
    window.resize(1280, 800)
    window.show()
    _train_for_screenshot(window, args.train_steps)
    settle(app)
    window.grab().save(str(out / "screenshot.png"))
    window.stepper_dock.show()
    window.stepper_dock.raise_()
    settle(app)
    try:
        keys = [s.key for s in window.stepper.walk.stages]
        for name, key in STAGES.items():
            window.stepper.go_to(keys.index(key))
            settle(app)
            window.grab().save(str(out / name))
    finally:
        window.close()
    settle(app)
    print("\n".join(str(out / n) for n in ["screenshot.png", *STAGES]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
