"""Labels: the texts a widget shows in the current language, set again when it changes.

A widget registers each text with the setter that shows it and its English message (marked N_ so
the catalog has it), perhaps with fields filled after translation:

    self.labels = Labels()
    self.labels.add(button.setText, N_("Train"))
    self.labels.add(box.setToolTip, N_("Speed: {slow} at the left end"),
                    slow=lambda: speed_text(1))  # a callable field is asked each time

and calls `self.labels.retranslate()` from its own retranslate(), which the window calls on
`mlpviz.i18n`'s listener after View › Language (or `--lang`) changed the language.
"""

from __future__ import annotations

from typing import Callable

from mlpviz import i18n
from mlpviz.i18n import N_, _

_QT_CATALOGS = {"zh": "qtbase_zh_CN"}  # Qt's own texts (dialog buttons, file dialogs) per language
_qt_translator = None  # the one installed, kept alive here


def use_qt_translations(app) -> None:
    """Qt's own texts (a dialog's Close, Yes/No, the file dialog) in the current language: Qt's
    catalog for it installed on `app` (English: none)."""
    global _qt_translator
    from PySide6.QtCore import QLibraryInfo, QTranslator

    if _qt_translator is not None:
        app.removeTranslator(_qt_translator)
        _qt_translator = None
    name = _QT_CATALOGS.get(i18n.language())
    if name:
        translator = QTranslator(app)
        if translator.load(name, QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            app.installTranslator(translator)
            _qt_translator = translator


class Labels:
    """The registered (setter, English message, fields) of one widget or window."""

    def __init__(self) -> None:
        self._items: list[tuple[Callable[[str], object], str, dict]] = []

    def add(self, setter: Callable[[str], object], message: str, **fields) -> str:
        """Show `message` through `setter` now, in the current language, and again after every
        `retranslate()`; the shown text."""
        self._items.append((setter, message, fields))
        return self._show(setter, message, fields)

    def retranslate(self) -> None:
        """Set every registered text again, in the language now current."""
        for setter, message, fields in self._items:
            self._show(setter, message, fields)

    def add_plot_menu(self, view) -> None:
        """The "Export…" entry pyqtgraph puts in a plot's right-click menu (`view`: its
        GraphicsView), in the current language."""
        self.add(lambda text: [act.setText(text) for act in view.scene().contextMenu],
                 N_("Export…"))

    @staticmethod
    def _show(setter, message: str, fields: dict) -> str:
        values = {k: v() if callable(v) else v for k, v in fields.items()}  # words: now's language
        text = _(message).format(**values) if fields else _(message)
        setter(text)
        return text
