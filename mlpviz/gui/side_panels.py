"""One width for the tabified side panels (Sample, Draw, Backprop, Neuron, Weights), whichever
tab is raised, so that switching tabs moves nothing — the tab bar least of all.

The width is chosen when the window is first shown (`side_width` of its width, or the docks as
the settings restored them), follows the user dragging the panels' edge, and is put back by
`keep()` after something widened them (presentation mode's bigger fonts, a theme).
"""

from __future__ import annotations

from typing import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow


def side_width(window_width: int) -> int:
    """The side panels' width: about 47 % of the window (room for the stepper's stage list at
    1280 px), at least 430 px (the Sample panel's bars) and at most 760."""
    return max(430, min(760, round(0.47 * window_width)))


class SidePanelWidth(QObject):
    """Keeps `docks` (tabified in one area of `window`) at one width. `frozen()` true (e.g. in
    presentation mode, which lays the window out its own way): nothing is changed or learned."""

    def __init__(self, window: QMainWindow, docks: Sequence[QDockWidget],
                 frozen: Callable[[], bool] = lambda: False):
        super().__init__(window)
        self._window, self._docks, self._frozen = window, tuple(docks), frozen
        self.width: int | None = None  # set when the window is first shown
        self.restored = False  # the window restored the docks from the settings: keep theirs
        window.installEventFilter(self)
        for dock in self._docks:
            dock.installEventFilter(self)

    def keep(self) -> None:
        """Put the panels back to their width (unless frozen or not chosen yet)."""
        visible = [d for d in self._docks if d.isVisible()]
        if self.width is not None and visible and not self._frozen():
            self._window.resizeDocks(visible[:1], [self.width], Qt.Orientation.Horizontal)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt override)
        kind = event.type()
        if watched is self._window and kind == QEvent.Type.Show and self.width is None:
            self.width = (self._docks[0].width() if self.restored
                          else side_width(self._window.width()))
            self.keep()
        elif (kind == QEvent.Type.Resize and watched in self._docks and self.width is not None
              and QApplication.mouseButtons() & Qt.MouseButton.LeftButton
              and not self._frozen()):
            self.width = watched.width()  # the user dragging the panels' edge
        return False
