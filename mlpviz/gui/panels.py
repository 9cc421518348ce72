"""Two small pieces of the main window: the message banner above the network, and the
non-modal "What am I looking at?" window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout,
    QWidget,
)


class MessageBanner(QWidget):
    """A dismissable line of text above the network: errors and warnings that need no dialog."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("message_banner")
        self.setAutoFillBackground(True)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        close = QPushButton("✕")
        close.setFlat(True)
        close.setFixedWidth(32)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.hide)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 6, 6, 6)
        lay.addWidget(self.label, 1)
        lay.addWidget(close)
        self.setStyleSheet("#message_banner { background: #7a1f1f; } "
                           "#message_banner QLabel, #message_banner QPushButton "
                           "{ color: white; font-weight: bold; }")
        self.hide()

    def show_message(self, text: str) -> None:
        self.label.setText(text)
        self.show()

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""


class HelpDialog(QDialog):
    """ "What am I looking at?": a window (not modal, so the class can keep watching the network
    behind it) with `structure_summary`'s text for the network on show."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("What am I looking at?")
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
