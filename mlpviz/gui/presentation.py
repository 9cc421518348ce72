"""Presentation mode (F5): the window laid out for a projector, not the normal one with big type.

- The network view gets the room: the menu bar and both toolbars give way to one short bar with
  what a teacher uses while presenting (Train / Pause, Step, the stage keys); T brings the menus
  and the full toolbars back. The side panels are no wider and the plots no taller than in the
  normal layout, so the network is never smaller.
- Every font grows (`theme.PRESENTATION_SCALE`, dock titles and table headers included).
- The stepper shows a page of one or two sentences (↓ / ↑ turn the pages), the table's rows that
  matter (A shows them all) and the stage numbers on one line (`StepperPanel.set_presenting`).

The main window owns the state (presenting or not, the stepper open or not); this module lays the
window out for it and holds the presentation bar and its actions.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPoint, QRect, Qt, QTimer
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QApplication, QDockWidget, QLabel, QPushButton, QToolBar, QToolButton, QWidget,
)

from mlpviz.gui.icons import pause_icon, play_icon
from mlpviz.gui.labels import Labels
from mlpviz.i18n import N_, _

SIDE_WIDTH = 430  # the right panels' width in the normal layout
PLOT_HEIGHT = 210  # the cost plot's height in the normal layout


def side_width(window_width: int, stepping: bool) -> int:
    """The right docks' width, presenting or not: the stepper takes half the window (at least
    580 px: its tables need it), the other panels 430 px."""
    if stepping:
        return max(580, window_width // 2 - 60)
    return SIDE_WIDTH


class PresentationBar(QToolBar):
    """The one bar shown while presenting: Train / Pause, Step, the stage keys, and a note on
    how to get everything else back."""

    def __init__(self, parent: QWidget, session, step_action, previous_action, next_action):
        super().__init__(parent)
        self.labels = Labels()  # its texts, in the current language
        self.labels.add(self.setWindowTitle, N_("Presentation"))
        self.setObjectName("presentation_toolbar")
        self.setMovable(False)
        self._training = False
        self.train_button = QPushButton(_("Train"))
        self.train_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.labels.add(self.train_button.setToolTip, N_("Train / pause (Space)"))
        self.train_button.clicked.connect(session.toggle)
        self.addWidget(self.train_button)
        self.stage_buttons = []
        for act, text in ((step_action, N_("Step")), (previous_action, N_("← Stage")),
                          (next_action, N_("Stage →"))):
            b = QToolButton()
            b.setDefaultAction(act)
            self.labels.add(b.setText, text)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            act.changed.connect(lambda b=b, text=text: b.setText(_(text)))  # keep the short text
            self.addWidget(b)
            self.stage_buttons.append(b)
        self.note = QLabel()
        self.labels.add(self.note.setText, N_("   T: all controls · F5: normal layout"))
        self.note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.addWidget(self.note)
        session.state_changed.connect(lambda state: self.show_state(state == "training"))
        self.show_state(False)

    def show_state(self, training: bool) -> None:
        """Train (a painted ▶) while paused, Pause (two painted bars) while training."""
        self._training = bool(training)
        self.train_button.setText(_("Pause") if training else _("Train"))
        color = self.train_button.palette().color(QPalette.ColorRole.ButtonText)
        self.train_button.setIcon(pause_icon(color) if training else play_icon(color))

    def retranslate(self) -> None:
        """Its texts again, in the current language."""
        self.labels.retranslate()
        self.show_state(self._training)

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.type() == event.Type.PaletteChange:
            self.show_state(self._training)
        super().changeEvent(event)


class PresentationLayout(QObject):
    """Lays `window` (a `MainWindow`) out for presenting or not; its actions are the window's
    (so that they are in the menus, in F1's list, and work whatever has focus)."""

    def __init__(self, window, view_menu):
        super().__init__(window)
        self.w = window
        step = window.keys.action_for(int(Qt.Key.Key_S))
        self.bar = PresentationBar(window, window.session, step, window.previous_stage_action,
                                   window.next_stage_action)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.bar)
        self.bar.hide()
        view_menu.addSeparator()
        self.all_controls_action = window._action(
            view_menu, N_("All controls while presenting"), self._on_all_controls, "T",
            checkable=True, tip=N_("The menus and both toolbars in presentation mode"))
        self.page_down_action = window._action(
            view_menu, N_("Next sentences of the stage"), lambda: window.stepper.turn_page(1),
            "Down")
        self.page_up_action = window._action(
            view_menu, N_("Previous sentences of the stage"), lambda: window.stepper.turn_page(-1),
            "Up")
        self.all_rows_action = window._action(
            view_menu, N_("All rows of the stage's table"), window.stepper.toggle_all_rows, "A")
        self._presenting = False
        self._stepping = False
        self.apply(False, False)

    @property
    def presenting(self) -> bool:
        return self._presenting

    def apply(self, presenting: bool, stepping: bool) -> None:
        """Lay the window out for presenting (or not), with the stepper open (or not)."""
        changed = (presenting, stepping) != (self._presenting, self._stepping)
        self._presenting, self._stepping = bool(presenting), bool(stepping)
        full = not presenting or self.all_controls_action.isChecked()
        w = self.w
        w.menuBar().setVisible(full)
        w.controls.setVisible(full)
        w.controls.network_bar.setVisible(full)
        self.bar.setVisible(not full)
        self.all_controls_action.setEnabled(presenting)
        for act in (self.page_down_action, self.page_up_action, self.all_rows_action):
            act.setEnabled(presenting and stepping)
        self._dock_title_fonts()
        if w.stepper.presenting.on != self._presenting:
            w.stepper.set_presenting(self._presenting)
        if changed:
            QTimer.singleShot(0, self.fit_docks)  # once the new fonts have laid the docks out
            self.fit_docks()

    def _dock_title_fonts(self) -> None:
        """Dock titles in the application's type. Qt paints a title in the platform's small
        title font unless the dock has a font of its own that differs from its class's: so each
        dock gets the application font, marked by a style strategy that changes nothing seen."""
        font = QFont(QApplication.font())
        font.setStyleStrategy(QFont.StyleStrategy.PreferQuality)
        for dock in self.w.findChildren(QDockWidget):
            dock.setFont(font)

    def fit_docks(self) -> None:
        """The side panels and the plot at their sizes for this layout (fonts grow panels'
        minimum sizes; this puts the room back to the network). Not presenting, the side panels
        keep the one width `gui.side_panels` holds on every tab."""
        w = self.w
        if self._presenting:
            # one width on every tab (the stepper's: switching tabs moves nothing), and never a
            # narrower network than the normal layout's
            width = side_width(w.width(), True)
            normal = getattr(getattr(w, "side_panels", None), "width", None)
            if normal:
                width = min(width, normal)
            right = w.stepper_dock if self._stepping else w.sample_dock
            w.resizeDocks([right], [width], Qt.Orientation.Horizontal)
        elif getattr(w, "side_panels", None) is not None:
            w.side_panels.keep()  # the normal layout: one width for every tab (gui.side_panels)
        if w.cost_dock.isVisible():
            w.resizeDocks([w.cost_dock], [PLOT_HEIGHT], Qt.Orientation.Vertical)
        if getattr(w, "tab_fit", None) is not None:
            w.tab_fit.schedule()  # the tab labels, for the new widths and type

    def place_dialog(self, dialog: QWidget, keep_size: bool = False) -> None:
        """Presenting: a helper window goes over the side panels, never over the network (at
        their size, or at its own in their top left corner)."""
        if not self._presenting:
            return
        docks = [d for d in (self.w.stepper_dock, self.w.sample_dock) if d.isVisible()
                 and not d.visibleRegion().isEmpty()]
        if docks:
            dock = docks[0]
            if keep_size:
                dialog.move(dock.mapToGlobal(QPoint(0, 0)))
            else:
                dialog.setGeometry(QRect(dock.mapToGlobal(QPoint(0, 0)), dock.size()))

    def _on_all_controls(self, checked: bool) -> None:
        self.apply(self._presenting, self._stepping)
