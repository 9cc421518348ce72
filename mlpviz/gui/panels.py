"""Two small pieces of the main window: the message banner above the network, and the
non-modal "What am I looking at?" window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QApplication, QDialog, QDialogButtonBox, QFrame, QHBoxLayout, QLabel, QPlainTextEdit,
    QPushButton, QScrollArea, QVBoxLayout, QWidget,
)

from mlpviz.gui.labels import Labels
from mlpviz.i18n import N_


class MessageBanner(QWidget):
    """A dismissable message above the network: errors and warnings that need no dialog.

    `show_message(text, details, actions)`: `details` (a traceback) sits behind a "Details"
    button, with "Copy" to put it on the clipboard for a bug report; `actions` are
    (label, callable) pairs shown as buttons (e.g. "Restore last good weights")."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("message_banner")
        self.setAutoFillBackground(True)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.labels = labels = Labels()  # the fixed texts, in the current language
        self.details_button = QPushButton()
        labels.add(self.details_button.setText, N_("Details"))
        self.details_button.setCheckable(True)
        labels.add(self.details_button.setToolTip,
                   N_("What exactly went wrong (to copy into a bug report)"))
        self.copy_button = QPushButton()
        labels.add(self.copy_button.setText, N_("Copy"))
        labels.add(self.copy_button.setToolTip, N_("Copy the details to the clipboard"))
        self.details = QPlainTextEdit()
        self.details.setObjectName("banner_details")
        self.details.setReadOnly(True)
        self.details.setMaximumHeight(160)
        self.details_button.toggled.connect(self._show_details)
        self.copy_button.clicked.connect(self.copy_details)
        close = QPushButton("✕")
        close.setFlat(True)
        close.setFixedWidth(32)
        labels.add(close.setToolTip, N_("Dismiss"))
        close.clicked.connect(self.hide)
        self._actions = QHBoxLayout()
        self._actions.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addLayout(self._actions)
        for b in (self.details_button, self.copy_button, close):
            row.addWidget(b)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 6, 6, 6)
        lay.addLayout(row)
        lay.addWidget(self.details)
        self._close = close
        self.setStyleSheet("#message_banner { background: #7a1f1f; } "
                           "#message_banner QLabel, #message_banner QPushButton "
                           "{ color: white; }")  # bold: set_base_font
        self.action_buttons: list[QPushButton] = []
        self.set_base_font(QApplication.font())
        self._set_details("")
        self.hide()

    def set_base_font(self, font: QFont) -> None:
        """The font to write in (bold): the window passes the application's font when the theme
        changes, since a styled widget does not follow it by itself (presentation mode)."""
        self._font = QFont(font)
        self._font.setBold(True)
        for w in (self.label, self.details_button, self.copy_button, self._close,
                  *self.action_buttons):
            w.setFont(self._font)
        self.details.setFont(font)

    def show_message(self, text: str, details: str = "", actions=()) -> None:
        """Show `text` (replacing any message on show), its `details` behind "Details", and a
        button per (label, callable) of `actions`; a button hides the banner, then calls."""
        self.label.setText(text)
        self._set_details(details)
        for b in self.action_buttons:
            self._actions.removeWidget(b)
            b.hide()  # out of the layout but still a child until deleted: not painted
            b.deleteLater()
        self.action_buttons = []
        for label, call in actions:
            b = QPushButton(label)
            b.setFont(self._font)
            b.clicked.connect(lambda _checked=False, call=call: (self.hide(), call()))
            self._actions.addWidget(b)
            self.action_buttons.append(b)
        self.show()

    def _set_details(self, details: str) -> None:
        self.details.setPlainText(details)
        self.details_button.setChecked(False)
        self.details_button.setVisible(bool(details))
        self.copy_button.setVisible(bool(details))
        self.details.hide()

    def _show_details(self, shown: bool) -> None:
        self.details.setVisible(shown)

    def copy_details(self) -> None:
        """The details (the full traceback) to the clipboard."""
        QApplication.clipboard().setText(self.details.toPlainText())

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""


class HelpDialog(QDialog):
    """ "What am I looking at?": a window (not modal, so the class can keep watching the network
    behind it) with `structure_summary`'s text for the network on show."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.labels = Labels()
        self.labels.add(self.setWindowTitle, N_("What am I looking at?"))
        self.setModal(False)
        self.label = QLabel()
        self.label.setObjectName("structure_help")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.RichText)
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.label.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self.label.setContentsMargins(8, 4, 8, 4)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setWidget(self.label)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.close)
        lay = QVBoxLayout(self)
        lay.addWidget(scroll, 1)
        lay.addWidget(buttons)
        self.resize(620, 680)

    def set_text(self, html: str) -> None:
        self.label.setText(html)

    def text(self) -> str:
        return self.label.text()
