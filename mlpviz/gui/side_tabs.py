"""The window's side panels (the tabified docks) by their names in `window_setup.TABS`: which
dock each name is, and bringing one to the front. Used by the screenshot options and lesson files."""

from __future__ import annotations


def side_docks(window) -> dict:
    """The window's side panels by name (window_setup.TABS) → their QDockWidget."""
    return {"sample": window.sample_dock, "draw": window.draw_dock,
            "backprop": window.stepper_dock, "neuron": window.neuron_dock,
            "weights": window.weights_dock, "mistakes": window.mistakes_dock,
            "deeper": window.deeper_dock, "runs": window.runs_dock, "pins": window.pins_dock}


def show_tab(window, name: str) -> None:
    """Bring the side panel `name` (one of window_setup.TABS) to the front."""
    from PySide6.QtWidgets import QApplication

    dock = side_docks(window)[name]
    dock.show()
    dock.raise_()
    QApplication.processEvents()


def tab_on_show(window) -> str | None:
    """The side panel in front (of the tabbed ones), by name; None if none is."""
    for name, dock in side_docks(window).items():
        if dock.isVisible() and not dock.visibleRegion().isEmpty():
            return name
    return None
