"""The app's icon (resources/icons, drawn for mlpviz) as a QIcon for the window, the taskbar and
the About box."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from mlpviz.desktop import APP_ID, ICON_SIZES, icons_dir


def app_icon() -> QIcon:
    """Every PNG size of the icon that is there (an empty QIcon if none is)."""
    icon = QIcon()
    for n in ICON_SIZES:
        path = icons_dir() / f"{APP_ID}-{n}.png"
        if path.is_file():
            icon.addFile(str(path))
    return icon
