"""What the scripts that render README pictures share: a 1280×800 main window on the bundled data,
offscreen, with its own settings; waiting for it while the event loop runs; training it."""

from __future__ import annotations

import os
import sys
import time


class OffscreenWindow:
    """`OffscreenWindow()`: the app, its main window (`.window`) and session (`.session`)."""

    def __init__(self, size=(1280, 800)):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        os.environ.setdefault("MLPVIZ_SETTINGS_ORG", "mlpviz-screenshots")
        from PySide6.QtWidgets import QApplication

        self.app = QApplication.instance() or QApplication(sys.argv[:1])
        from mlpviz.core.datasets import load_bundled
        from mlpviz.gui.main_window import MainWindow
        from mlpviz.gui.session import Session

        self.window = MainWindow(Session(dataset=load_bundled()), restore=False)
        self.window.resize(*size)
        self.window.show()
        self.session = self.window.session

    def wait(self, done=lambda: False, seconds: float = 120.0) -> None:
        """Run the event loop until done() (or `seconds` passed)."""
        from PySide6.QtCore import QEventLoop

        end = time.monotonic() + seconds
        while not done() and time.monotonic() < end:
            self.app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)

    def train(self, epochs: int) -> None:
        """`epochs` more epochs by the worker, as the toolbar's "stop after" does."""
        s = self.session
        target = len(s.history) + epochs
        s.set_stop_after(target)
        s.start()
        self.wait(lambda: len(s.history) >= target and not s.is_training)
        s.set_stop_after(0)
        self.window.statusBar().clearMessage()  # its "stop after" is not the toolbar's now

    def save(self, out) -> int:
        """The window as a PNG at `out` (after the docks settle); 0, or 1 if it was not written."""
        self.wait(seconds=0.8)
        self.window.cost_view.flush()
        self.wait(seconds=0.3)
        ok = self.window.grab().save(str(out))
        print(("wrote " if ok else "could not write ") + str(out))
        self.window.close()
        return 0 if ok else 1
