"""The window's keys work whatever has focus — except while the user is typing in a text field.

Qt gives a key to the focused widget before the window's shortcuts whenever that widget wants it:
a spin box or a line edit takes Space, S, ← …, a slider takes the arrows. `WindowKeys` watches the
focused widget of one window and applies one rule:

- A text field (line edit, spin box, editable combo box) is *being typed in* once a key has edited
  it since it got the focus. Then every key is the field's, except Enter (the field takes the value,
  as it always does) and Escape (the field gets back what it held before the typing): both hand the
  focus back to the window, so that the next Space trains.
- Otherwise a key that is one of the window's single-key shortcuts (an enabled action's, e.g.
  Space, S, E, R, B, G, ←/→, PageUp/PageDown, F5) triggers that action; any other key is the
  widget's, as usual. A disabled action leaves its key to the widget (← / → move a slider or a
  cursor while the stepper is closed).

The actions themselves are the one list of keys: `shortcut_rows` writes F1's list from them.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QLineEdit, QWidget

from mlpviz.i18n import N_

# The rule for text fields, for F1's list (it is no action of its own).
FIELD_RULE = ("Enter / Esc", N_("In a text field: take the value / put back the old one, and "
                                "hand the keys back to the window"))  # translated where shown

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_EDITING = (Qt.Key.Key_Backspace, Qt.Key.Key_Delete)
_NAMES = {"Right": "→", "Left": "←", "Up": "↑", "Down": "↓", "PgDown": "Page Down",
          "PgUp": "Page Up"}


def key_text(sequence: QKeySequence) -> str:
    """A shortcut as F1 and the menus say it: "Space", "→", "Page Down", "Ctrl+O"."""
    text = sequence.toString(QKeySequence.SequenceFormat.NativeText)
    return _NAMES.get(text, text)


def shortcut_rows(actions: list[QAction]) -> list[tuple[str, str]]:
    """(keys, what they do) for every action that has a shortcut, in the order given, from the
    actions themselves (their shortcuts and their text without the menu's '&')."""
    rows = []
    for act in actions:
        keys = [key_text(s) for s in act.shortcuts() if not s.isEmpty()]
        if keys:
            rows.append((" / ".join(keys), act.text().replace("&", "")))
    return rows


def _single_key(sequence: QKeySequence) -> int | None:
    """The key of a one-key shortcut without Ctrl, Alt or Meta (Space, S, F5, →), else None."""
    if sequence.count() != 1:
        return None
    combo = sequence[0]
    if combo.keyboardModifiers() & ~(Qt.KeyboardModifier.KeypadModifier
                                     | Qt.KeyboardModifier.NoModifier):
        return None
    return int(combo.key().value)


def text_field(widget: QWidget | None) -> QWidget | None:
    """The text field `widget` is (or is the editor of): a line edit, a spin box, an editable
    combo box; None for anything else (buttons, tables, sliders, a combo box's list)."""
    if widget is None:
        return None
    parent = widget.parentWidget()
    if isinstance(widget, QLineEdit) and isinstance(parent, (QAbstractSpinBox, QComboBox)):
        widget = parent  # the editor inside a spin box or combo box
    if isinstance(widget, QAbstractSpinBox):
        return widget
    if isinstance(widget, QComboBox):
        return widget if widget.isEditable() else None
    return widget if isinstance(widget, QLineEdit) and not widget.isReadOnly() else None


class WindowKeys(QObject):
    """The single-key actions of `window` for whatever widget of it has focus (floating docks
    included); see the module's docstring for the rule. `actions` are looked up when a key comes,
    so actions added later, or enabled and disabled, are followed."""

    def __init__(self, window: QWidget, actions):
        super().__init__(window)
        self._window = window
        self._actions = actions  # a callable giving the window's actions now
        self._watched: QWidget | None = None
        self._typing: QWidget | None = None  # the text field being typed in
        self._before: object = None  # what that field held when it got the focus
        QApplication.instance().focusChanged.connect(self._on_focus_changed)
        window.destroyed.connect(self._disconnect)

    def _disconnect(self) -> None:
        app = QApplication.instance()
        if app is not None:
            try:
                app.focusChanged.disconnect(self._on_focus_changed)
            except (RuntimeError, TypeError):
                pass

    # -- which widget is watched -----------------------------------------------------------------
    def _belongs(self, widget: QWidget) -> bool:
        """`widget` is part of the window (a floating dock too, but not a dialog or a menu)."""
        w = widget
        while w is not None:
            if w is self._window:
                return True
            if w.isWindow() and not w.inherits("QDockWidget"):
                return False
            w = w.parentWidget()
        return False

    def _on_focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        if self._watched is not None:
            try:
                self._watched.removeEventFilter(self)
            except RuntimeError:  # already deleted
                pass
            self._watched = None
        self._typing = None
        if new is None or not self._belongs(new):
            return
        new.installEventFilter(self)
        self._watched = new
        field = text_field(new)
        self._before = None if field is None else self._value(field)

    # -- the rule --------------------------------------------------------------------------------
    def action_for(self, key: int) -> QAction | None:
        """The enabled action whose one-key shortcut is `key`, if any."""
        for act in self._actions():
            if act.isEnabled() and any(_single_key(s) == key for s in act.shortcuts()):
                return act
        return None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() != QEvent.Type.KeyPress or watched is not self._watched:
            return False
        field = text_field(watched)
        key = event.key()
        if field is not None and key in _ENTER:
            watched.event(event)  # the field takes the value (returnPressed, editingFinished)
            self.give_back_focus()
            return True
        if field is not None and key == Qt.Key.Key_Escape:
            if self._typing is field:
                self._restore(field)
            self.give_back_focus()
            return True
        if self._typing is not None:
            return False
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        act = self.action_for(key) if mods == Qt.KeyboardModifier.NoModifier else None
        if act is not None:
            act.trigger()
            return True
        if field is not None and (event.text().strip() or key in _EDITING
                                  or event.matches(QKeySequence.StandardKey.Paste)):
            self._typing = field
        return False

    def give_back_focus(self) -> None:
        """The keys belong to the window again: the focus goes to its central widget."""
        self._typing = None
        target = getattr(self._window, "centralWidget", lambda: None)() or self._window
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    @staticmethod
    def _value(field: QWidget) -> object:
        if isinstance(field, QAbstractSpinBox):
            return field.value() if hasattr(field, "value") else field.text()
        if isinstance(field, QComboBox):
            return field.currentText()
        return field.text()

    def _restore(self, field: QWidget) -> None:
        """Put back what the field held before the typing (its value for a spin box)."""
        before = self._before
        if before is None:
            return
        if isinstance(field, QAbstractSpinBox) and hasattr(field, "setValue"):
            field.setValue(before)
            field.lineEdit().setText(field.textFromValue(before))
        elif isinstance(field, QComboBox):
            field.setEditText(str(before))
        else:
            field.setText(str(before))
