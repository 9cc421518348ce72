"""Render resources/icons/mlpviz.svg to the PNG sizes the desktop and the window use.

    python scripts/make_icons.py        # writes resources/icons/mlpviz-{16,…,512}.png

The PNGs are committed (the app does not need Qt's SVG module at run time); run this again after
changing the SVG. Qt renders offscreen, no display needed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from mlpviz.desktop import APP_ID, ICON_SIZES, icons_dir  # noqa: E402


def render(svg: Path, size: int, out: Path) -> None:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    renderer.render(p)
    p.end()
    if not image.save(str(out)):
        raise SystemExit(f"cannot write {out}")
    print(out)


def main() -> int:
    QGuiApplication(sys.argv[:1])
    folder = icons_dir()
    for size in ICON_SIZES:
        render(folder / f"{APP_ID}.svg", size, folder / f"{APP_ID}-{size}.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
