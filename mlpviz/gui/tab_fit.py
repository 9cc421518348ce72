"""Tab labels that are never cut: the tab bars Qt makes for tabified docks get the largest type,
at most the application's and at least `smallest_size` of it, at which every label fits the width
of the panels above them (seven side panels at presentation mode's 1.35× type do not fit 580 px:
Qt then elides "Sam…", "Dr…"). The audience reads the panels; the tabs are the presenter's, so
they may be a little smaller than the rest of the type, but never cut."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QTabBar

MIN_SHARE = 0.6  # the smallest tab type, as a share of the application's …
MIN_POINTS = 7.0  # … and never below this
STEP = 0.5  # points


def smallest_size(app_points: float) -> float:
    """The smallest point size a tab label gets when the application's type is `app_points`."""
    return min(app_points, max(MIN_POINTS, MIN_SHARE * app_points))


def labels_width(bar: QTabBar) -> int:
    """The width the bar's tabs need to show every label whole, at the bar's font."""
    return sum(bar.tabSizeHint(i).width() for i in range(bar.count()))


def room_for(bar: QTabBar, window: QMainWindow) -> int:
    """The width of the panels the bar sits under (the dock area), else up to the window's edge."""
    top = bar.geometry().top()
    widths = [d.width() for d in window.findChildren(QDockWidget)
              if d.isVisible() and abs(d.geometry().bottom() - top) <= 12
              and abs(d.x() - bar.x()) <= 12]
    return max(widths) if widths else window.width() - bar.x()


def fit_bar(bar: QTabBar, room: int) -> float:
    """Give `bar` the largest point size (the application's down to `smallest_size`, in STEP
    points) at which its labels fit `room`; returns the size chosen."""
    bar.setElideMode(Qt.TextElideMode.ElideNone)  # too many tabs even at the smallest type:
    bar.setUsesScrollButtons(True)  # arrows scroll them, and no label is ever cut short
    base = QApplication.font()
    size, smallest = base.pointSizeF(), smallest_size(base.pointSizeF())
    font = QFont(base)
    while True:
        font.setPointSizeF(size)
        bar.setFont(font)
        if labels_width(bar) <= room or size <= smallest:
            return size
        size = max(smallest, size - STEP)


class TabFit(QObject):
    """Refits every tab bar of `window` after it is resized, shown or gets new children (Qt
    makes tab bars as docks are tabified), once the layout has settled."""

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self._window = window
        self.refits = 0  # how many times the bars were refitted (tests wait on it)
        self._timer = QTimer(self)  # a child of the window's: it goes when the window goes
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)  # once the layout has settled
        self._timer.timeout.connect(self.refit)
        window.installEventFilter(self)

    def refit(self) -> None:
        self.refits += 1
        for bar in self._window.findChildren(QTabBar):
            if bar.isVisible() and bar.parent() is self._window:
                fit_bar(bar, room_for(bar, self._window))

    def schedule(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt override)
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.ChildAdded,
                            QEvent.Type.ApplicationFontChange):
            self.schedule()
        return False
