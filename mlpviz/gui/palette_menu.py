"""View › Palette: the signs' colours, the lesson's green/red or a colour-blind-safe blue/orange.

One entry per palette of core.palette (each tooltip says, from a simulation of colour-blind
vision on the theme's background, whether its two signs stay apart: `colour_vision.palette_note`)
and "Switch palette" (C) between them. The menu holds no state: the window owns the palette's name,
gets `chosen(name)` and shows it back with `show(name, background)`.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from mlpviz.core.colour_vision import palette_note
from mlpviz.core.palette import PALETTES
from mlpviz.i18n import _

SHORTCUT = "C"  # C for colours (P pins a neuron in the replay work)


class PaletteMenu:
    """The submenu "Palette" of `menu`, its actions added to `window` (their keys work with the
    menu bar hidden); `chosen(name)` is called with the palette the user picks."""

    def __init__(self, window: QWidget, menu: QMenu, chosen: Callable[[str], None]):
        self._chosen = chosen
        self._current = next(iter(PALETTES))
        self.menu = menu.addMenu("")
        self.menu.setToolTipsVisible(True)
        group = QActionGroup(window)
        self.actions: dict[str, QAction] = {}
        for name, palette in PALETTES.items():
            act = QAction(window)
            act.setCheckable(True)
            act.triggered.connect(lambda checked=False, n=name: self._chosen(n))
            group.addAction(act)
            self.menu.addAction(act)
            self.actions[name] = act
        self.menu.addSeparator()
        self.switch_action = QAction(window)
        self.switch_action.setShortcut(QKeySequence(SHORTCUT))
        self.switch_action.setShortcutContext(Qt.WindowShortcut)
        self.switch_action.triggered.connect(self._on_switch)
        self.menu.addAction(self.switch_action)
        window.addAction(self.switch_action)
        self.retranslate()

    def retranslate(self) -> None:
        """The menu's words in the current language."""
        self.menu.setTitle(_("&Palette"))
        for name, act in self.actions.items():
            act.setText(_(PALETTES[name].label))
        pairs = " ↔ ".join("/".join(_(w) for w in p.words) for p in PALETTES.values())
        self.switch_action.setText(_("Switch palette ({pairs})").format(pairs=pairs))
        if getattr(self, "_background", None):
            self.show(self._current, self._background)  # the tooltips' sentences

    def show(self, name: str, background: str) -> None:
        """Check `name`'s entry; every entry's tooltip measured on `background` ("#rrggbb")."""
        self._current, self._background = name, background
        for n, act in self.actions.items():
            act.setChecked(n == name)
            act.setToolTip(palette_note(PALETTES[n], background))

    def _on_switch(self) -> None:
        names = list(PALETTES)
        self._chosen(names[(names.index(self._current) + 1) % len(names)])
