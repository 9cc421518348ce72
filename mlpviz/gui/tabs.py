"""The side panels by name (window_setup.TABS): which dock each is, and bringing one to the
front — for --tab, lesson files and tests. Apart from gui/app.py, which starts the main window,
so that the window's own modules can use it without an import cycle."""

from __future__ import annotations


def side_docks(window) -> dict:
    """The window's side panels by name (window_setup.TABS) → their QDockWidget."""
    return {"sample": window.sample_dock, "draw": window.draw_dock,
            "backprop": window.stepper_dock, "neuron": window.neuron_dock,
            "weights": window.weights_dock, "mistakes": window.mistakes_dock,
            "deeper": window.deeper_dock, "runs": window.runs_dock}


def show_tab(window, name: str) -> None:
    """Bring the side panel `name` (one of window_setup.TABS) to the front."""
    from PySide6.QtWidgets import QApplication

    dock = side_docks(window)[name]
    dock.show()
    dock.raise_()
    QApplication.processEvents()
