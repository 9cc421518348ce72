"""Room for the status bar's message: Qt draws a temporary message (showMessage) only left of
the permanent fields (network, epoch, accuracy, speed), so a long one — "Paused after epoch 1
(“stop after 1 epoch” in the toolbar)" in presentation mode's large type — was cut where they
start. While a message would not fit there, the fields step aside; they are back as soon as the
message goes (the fields say what holds all the time; the message is what just happened)."""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QStatusBar, QWidget

PADDING = 16  # px: the bar's margin left of the message and some air before the fields


class MessageRoom(QObject):
    """Hides `fields` (the bar's permanent widgets) while the message needs their room: when
    the message changes, and when the fields or the bar change size under it."""

    def __init__(self, bar: QStatusBar, fields: Sequence[QWidget]):
        super().__init__(bar)
        self._bar, self._fields = bar, tuple(fields)
        self._hidden: tuple[QWidget, ...] = ()
        bar.messageChanged.connect(self._on_message)
        for widget in (bar, *self._fields):
            widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Resize and not self._hidden and self._bar.currentMessage():
            self._make_room(self._bar.currentMessage())
        return False

    def _on_message(self, text: str) -> None:
        for field in self._hidden:
            field.show()
        self._hidden = ()
        if text:
            self._make_room(text)

    def _make_room(self, text: str) -> None:
        shown = [f for f in self._fields if f.isVisible()]
        if not shown:
            return
        start = min(f.geometry().left() for f in shown)  # where the fields begin now
        if self._bar.fontMetrics().horizontalAdvance(text) + PADDING > start:
            for field in shown:
                field.hide()
            self._hidden = tuple(shown)

    def hidden(self) -> tuple[QWidget, ...]:
        """The fields stepped aside for the message on show (none when it fits)."""
        return self._hidden
