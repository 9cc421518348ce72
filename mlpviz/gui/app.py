"""Start the desktop app, or render it offscreen to a PNG (`mlpviz --screenshot out.png`).

`WindowSetup` (`--size`, `--present`, `--tab`, `--stage`, `--theme`, `--palette`, `--sample`) sets the window up
as a picture (or a lesson) needs it, after the training.

With MLPVIZ_STARTUP_TIME=1 in the environment the app prints the seconds from the process's
start to the main window's first paint ("startup: 0.912 s") and quits (benchmarks/bench_startup.py).
"""

from __future__ import annotations

import os
import sys
import time

from mlpviz.gui.side_tabs import show_tab
from mlpviz.gui.window_setup import WindowSetup

STARTUP_TIME_ENV = "MLPVIZ_STARTUP_TIME"
_IMPORTED_AT = time.monotonic()


def _application():
    """The QApplication (created once), with the app's name for QSettings and the window title."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setApplicationName("mlpviz")
        app.setOrganizationName("mlpviz")
        from mlpviz.gui.icon import app_icon

        app.setWindowIcon(app_icon())  # taskbar and title bar
        app.setDesktopFileName("mlpviz")  # Wayland: the menu entry of `mlpviz install-desktop`
    return app


def set_up_window(window, setup: WindowSetup) -> str | None:
    """Set `window` (a MainWindow) up as `setup` says; a sentence saying what could not be done
    (a sample or stage that does not exist), or None."""
    from PySide6.QtWidgets import QApplication

    if setup.lang:
        window.set_language(setup.lang)
    window.resize(*setup.size)
    if setup.theme:
        (window.light_action if setup.theme == "light" else window.dark_action).trigger()
    if setup.palette:
        window.palette_menu.actions[setup.palette].trigger()
    if setup.sample is not None:
        n = len(window.session.dataset.test_labels)
        if not 0 <= setup.sample < n:
            return f"--sample {setup.sample}: the held-out samples are numbered 0 to {n - 1}"
        window.sample_view.select(setup.sample, "test")
    if setup.present and not window.presentation_action.isChecked():
        window.presentation_action.trigger()
    tab = "backprop" if setup.stage else setup.tab
    if tab:
        show_tab(window, tab)
    if setup.stage:
        from mlpviz.core.presenting import find_stage, stage_label

        walk = window.stepper.walk
        titles = [s.title for s in walk.stages] if walk is not None else []
        i = find_stage(titles, setup.stage)
        if i is None:
            labels = ", ".join(stage_label(t, k) for k, t in enumerate(titles)) or "none"
            return f"--stage {setup.stage}: the walk's stages are {labels}"
        window.stepper.go_to(i)
    for _ in range(20):  # let the layout and the docks settle
        QApplication.processEvents()
    if window.size().toTuple() != tuple(setup.size):  # a page that asked for more room once
        window.resize(*setup.size)
        for _ in range(20):
            QApplication.processEvents()
    return None


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


def _wait_for_files(session, timeout: float = 120.0) -> None:
    """Process events until the session has read the file it was reading (or `timeout`)."""
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout
    while session.busy and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.005)
    QApplication.processEvents()


def take_screenshot(path: str, train_steps: int = 300, model: str | None = None,
                    setup: WindowSetup = WindowSetup(), lesson: str | None = None) -> int:
    """Render the main window offscreen (with `lesson` open) after `train_steps` mini-batches,
    set up as `setup` says, and save it to `path`."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = _application()
    from mlpviz.gui.main_window import MainWindow

    window = MainWindow(restore=False)
    if setup.lang:
        window.set_language(setup.lang)
    window.resize(*setup.size)
    window.show()
    if model:
        window.session.open_model(model)
        _wait_for_files(window.session)
    if lesson:
        window.lesson.open(lesson)
        _wait_for_files(window.session)
    _train_for_screenshot(window, train_steps)
    window.cost_view.flush()  # its plots are built after a first paint, which a grab is not
    app.processEvents()
    problem = set_up_window(window, setup)
    ok = problem is None and window.grab().save(path)
    _close(window)
    if problem:
        print(f"mlpviz: error: {problem}", file=sys.stderr)
        return 1
    if not ok:
        print(f"mlpviz: error: could not write {path}", file=sys.stderr)
        return 1
    print(path)
    return 0


def run_app(screenshot: str | None = None, train_steps: int = 300, model: str | None = None,
            setup: WindowSetup | None = None, lesson: str | None = None) -> int:
    """Open the main window (or only take a screenshot) and run until it is closed; `lesson`
    (a .mlpviz file) is opened, then `setup` (if given) sets the window up once it is shown."""
    if screenshot:
        return take_screenshot(screenshot, train_steps, model, setup or WindowSetup(), lesson)
    app = _application()
    from mlpviz.gui.main_window import MainWindow

    window = MainWindow()
    guard = _last_resort(window)
    signals = _CloseOnSignals(window)
    if os.environ.get(STARTUP_TIME_ENV):
        _quit_after_first_paint(window)
    window.show()
    if model:
        window.session.open_model(model)
    if lesson:
        window.lesson.open(lesson)  # a bad file: the banner says why
    problem = set_up_window(window, setup) if setup is not None else None
    if problem:
        window.banner.show_message(problem)
    code = app.exec()
    _close(window)
    guard.uninstall()
    signals.restore()
    return 128 + signals.received if signals.received else code


def _last_resort(window):
    """From now on an exception no code caught shows in `window`'s banner (gui.last_resort)."""
    from mlpviz.gui.last_resort import LastResort

    guard = LastResort()
    guard.caught.connect(window.show_unexpected)
    guard.install()
    return guard


CLOSING_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")


class _CloseOnSignals:
    """Ctrl-C in the terminal (SIGINT), SIGTERM and SIGHUP close the window as its close button
    does (settings saved, the training thread stopped); the app then exits with 128 + the
    signal's number (`received`). Python runs a signal handler only between bytecodes, never
    while Qt's event loop waits in C++: the signal also writes a byte to a socket
    (signal.set_wakeup_fd) that a QSocketNotifier watches, which wakes the loop so the handler
    runs at once. A second signal while closing ends the process the default way."""

    def __init__(self, window):
        import signal
        import socket

        from PySide6.QtCore import QSocketNotifier

        self._window = window
        self.received: int | None = None
        self._reader, self._writer = socket.socketpair()
        for sock in (self._reader, self._writer):
            sock.setblocking(False)
        self._names = [name for name in CLOSING_SIGNALS if hasattr(signal, name)]
        self._previous = {name: signal.signal(getattr(signal, name), self._on_signal)
                          for name in self._names}
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read)
        self._notifier.activated.connect(self._drain)

    def _on_signal(self, signum, _frame) -> None:
        import signal

        from PySide6.QtCore import QTimer

        if self.received is None:
            self.received = signum
        for name in self._names:  # a second signal is not ignored
            signal.signal(getattr(signal, name), signal.SIG_DFL)
        QTimer.singleShot(0, self._window.close)

    def _drain(self) -> None:
        try:
            while self._reader.recv(64):
                pass
        except OSError:  # nothing left to read
            pass

    def restore(self) -> None:
        """The process's signal handling as it was before."""
        import signal

        signal.set_wakeup_fd(self._previous_fd)
        for name, handler in self._previous.items():
            signal.signal(getattr(signal, name), handler)
        self._notifier.setEnabled(False)
        self._reader.close()
        self._writer.close()


def seconds_since_process_start() -> float:
    """Seconds since this process started: from the kernel's start time on Linux (interpreter
    start-up and imports included, 10 ms resolution), elsewhere since this module was imported."""
    try:
        with open("/proc/self/stat", "rb") as f:
            after_name = f.read().rsplit(b")", 1)[1].split()  # fields 3, 4, … of proc(5)
        start = int(after_name[19]) / os.sysconf("SC_CLK_TCK")  # field 22: starttime, in ticks
        return time.clock_gettime(time.CLOCK_BOOTTIME) - start
    except (OSError, ValueError, IndexError, AttributeError):
        return time.monotonic() - _IMPORTED_AT


def _quit_after_first_paint(window) -> None:
    """When `window` has been painted for the first time (its children too: they paint in the
    same pass, before the event loop runs the timer), print the start-up time and quit."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    def report() -> None:
        print(f"startup: {seconds_since_process_start():.3f} s", flush=True)
        QApplication.quit()

    class FirstPaint(QObject):
        def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt override)
            if event.type() == QEvent.Type.Paint:
                watched.removeEventFilter(self)
                QTimer.singleShot(0, report)
            return False

    window.installEventFilter(FirstPaint(window))


def _close(window) -> None:
    """Close the window (its session stops the training thread) and destroy it now: pyqtgraph
    widgets still alive while Python finalises can crash the interpreter on exit."""
    from PySide6.QtWidgets import QApplication

    window.close()
    window.deleteLater()
    QApplication.processEvents()
    QApplication.sendPostedEvents(None, 0)
