"""Start the desktop app, or render it offscreen to a PNG (`mlpviz --screenshot out.png`)."""

from __future__ import annotations

import os
import sys
import time


def _application():
    """The QApplication (created once), with the app's name for QSettings and the window title."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setApplicationName("mlpviz")
        app.setOrganizationName("mlpviz")
    return app


def _train_for_screenshot(window, steps: int, timeout: float = 120.0) -> None:
    """Train exactly `steps` mini-batches, one `step_batch` at a time, waiting for each snapshot.
    Stops early if training fails (the window then shows the message, as a user would see it)."""
    from PySide6.QtWidgets import QApplication

    session = window.session
    failures = []
    session.failed.connect(failures.append)
    deadline = time.monotonic() + timeout
    for _ in range(steps):
        seen = session.snapshot.samples_seen
        session.step_batch()
        while (session.snapshot.samples_seen == seen and not failures
               and time.monotonic() < deadline):
            QApplication.processEvents()
            time.sleep(0.0005)
        if failures or time.monotonic() >= deadline:
            break
    session.failed.disconnect(failures.append)
    QApplication.processEvents()


def take_screenshot(path: str, train_steps: int = 300, model: str | None = None,
                    size=(1280, 800)) -> int:
    """Render the main window offscreen after `train_steps` mini-batches and save it to `path`."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = _application()
    from mlpviz.gui.main_window import MainWindow

    window = MainWindow(restore=False)
    window.resize(*size)
    window.show()
    if model:
        window.session.open_model(model)
    _train_for_screenshot(window, train_steps)
    app.processEvents()
    ok = window.grab().save(path)
    _close(window)
    if not ok:
        print(f"mlpviz: error: could not write {path}", file=sys.stderr)
        return 1
    print(path)
    return 0


def run_app(screenshot: str | None = None, train_steps: int = 300, model: str | None = None) -> int:
    """Open the main window (or only take a screenshot) and run until it is closed."""
    if screenshot:
        return take_screenshot(screenshot, train_steps, model)
    app = _application()
    from mlpviz.gui.main_window import MainWindow

    window = MainWindow()
    window.show()
    if model:
        window.session.open_model(model)
    code = app.exec()
    _close(window)
    return code


def _close(window) -> None:
    """Close the window (its session stops the training thread) and destroy it now: pyqtgraph
    widgets still alive while Python finalises can crash the interpreter on exit."""
    from PySide6.QtWidgets import QApplication

    window.close()
    window.deleteLater()
    QApplication.processEvents()
    QApplication.sendPostedEvents(None, 0)
