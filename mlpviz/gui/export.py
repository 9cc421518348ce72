"""Pictures for slides: a widget (the network view, the whole window) rendered at a chosen scale
and saved as PNG, and every stage of the stepper's walk as numbered PNG frames in a folder.

`render` paints the widget again into an image `scale` times its size with that device pixel
ratio, so text, circles and lines are drawn at the higher resolution rather than enlarged.
Every file is written atomically (core.atomic): a failed export leaves no half-written PNG.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

from mlpviz.core.atomic import atomic_write
from mlpviz.core.presenting import stage_label
from mlpviz.gui.qimage import qimage_to_rgb

SCALES = (1, 2, 3)  # File › Export view as PNG…'s choices
MAX_EXPORT_PIXELS = 16384  # either side of an exported picture, at most
MESSAGE_BACK_MS = 10_000  # a status message hidden from a picture shows this long again after


def render(widget: QWidget, scale: float = 1.0) -> QImage:
    """`widget` as it looks now, drawn again at `scale` × its size in pixels (≥ 1 pixel; each
    side at most MAX_EXPORT_PIXELS). A window's passing status message ("Saved …",
    "Recording: frame 3 of 100") is left out of the picture."""
    w, h = widget.width(), widget.height()
    scale = max(0.1, min(float(scale), MAX_EXPORT_PIXELS / max(w, h, 1)))
    image = QImage(max(1, round(w * scale)), max(1, round(h * scale)),
                   QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(scale)
    image.fill(widget.palette().window().color())
    status = widget.statusBar() if isinstance(widget, QMainWindow) else None
    message = status.currentMessage() if status is not None else ""
    if message:
        status.clearMessage()
    widget.render(image)
    if message:
        status.showMessage(message, MESSAGE_BACK_MS)
    return image


def frame(widget: QWidget, scale: float = 1.0) -> np.ndarray:
    """`render(widget, scale)` as a uint8 (h, w, 3) RGB array (a movie's frame)."""
    return qimage_to_rgb(render(widget, scale))


def window_frame(window, widget: QWidget | None = None, scale: float = 1.0) -> np.ndarray:
    """A movie's frame of `widget` (by default the whole `window`, a MainWindow) as it shows
    the latest snapshot: the cost plot redrawn first (its redraws are otherwise batched)."""
    window.cost_view.flush()
    return frame(window if widget is None else widget, scale)


def png_bytes(image: QImage) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise OSError("the picture could not be encoded as PNG")
    return bytes(buffer.data())


def save_png(image: QImage, path) -> Path:
    """Write `image` to `path` as PNG, atomically (OSError naming `path` if it cannot)."""
    data = png_bytes(image)
    atomic_write(path, lambda f: f.write(data))
    return Path(path)


def export_widget(widget: QWidget, path, scale: float = 1.0) -> Path:
    """Save `widget` as it looks now to `path` (PNG) at `scale`."""
    return save_png(render(widget, scale), path)


def stage_file_name(position: int, title: str) -> str:
    """"stage-05-4b.png": the walk's position (1-based, two digits, so the files sort in
    order) and the stage's number as the stepper shows it."""
    label = "".join(c for c in stage_label(title, position) if c.isalnum()) or str(position + 1)
    return f"stage-{position + 1:02d}-{label}.png"


def export_stages(window, folder, scale: float = 1.0) -> list[Path]:
    """Every stage of the stepper's walk on show, one PNG of the whole `window` (a MainWindow)
    each, in `folder` (created if missing) as `stage_file_name` names them; the stepper is
    left on the stage it was on. Returns the files written (none when there is no walk)."""
    folder = Path(folder)
    window.stepper_dock.show()
    window.stepper_dock.raise_()
    QApplication.processEvents()
    stepper = window.stepper
    was = stepper.current_index()
    stepper.go_to(was)  # builds the walk if it is out of date
    walk = stepper.walk
    if walk is None:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    try:
        for i, stage in enumerate(walk.stages):
            stepper.go_to(i)
            for _ in range(3):  # the overlay and the text laid out
                QApplication.processEvents()
            written.append(export_widget(window, folder / stage_file_name(i, stage.title), scale))
    finally:
        stepper.go_to(was)
    return written
