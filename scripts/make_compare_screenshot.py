"""Render the README's picture of File › Compare trace… offscreen: the worked example's buggy
trace (docs/debugging-backprop.md, run as the student would) compared in a 1280×800 window.

    .venv/bin/python scripts/make_compare_screenshot.py [resources/compare-trace.png]
"""

import os
import re
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]


def main(out: str) -> int:
    from PySide6.QtWidgets import QApplication

    from mlpviz.core.datasets import load_dataset
    from mlpviz.gui.main_window import MainWindow
    from mlpviz.gui.session import Session

    app = QApplication([])
    w = MainWindow(Session(dataset=load_dataset("bundled")), restore=False)
    w.resize(1280, 800)
    w.show()
    doc = (ROOT / "docs" / "debugging-backprop.md").read_text(encoding="utf-8")
    code = [t for k, t in re.findall(r"```(\w+)\n(.*?)```", doc, flags=re.S) if k == "python"][0]
    out = str(Path(out).resolve())
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        exec(compile(code, "student.py", "exec"), {"__name__": "__main__"})
        if not w.compare.open("theirs.json"):  # as the student would name it
            return 1
    deadline = time.monotonic() + 10
    while w.compare.comparison is None and time.monotonic() < deadline:
        app.processEvents()
    for _ in range(50):
        app.processEvents()
    ok = w.grab().save(out)
    w.close()
    w.session.shutdown()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "resources" / "compare-trace.png")))
