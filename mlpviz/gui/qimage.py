"""numpy arrays → QImages that own their pixels, and a widget that shows one crisply."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget


def rgb_to_qimage(arr: np.ndarray) -> QImage:
    """uint8 (h, w, 3) RGB → a QImage (RGB888) holding its own copy of the pixels.

    Safe to keep after `arr` is changed or freed."""
    a = np.ascontiguousarray(arr, dtype=np.uint8)
    if a.ndim != 3 or a.shape[2] != 3:
        raise ValueError(f"expected an (h, w, 3) array, got shape {a.shape}")
    h, w, _ = a.shape
    return QImage(a.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def gray_to_qimage(arr: np.ndarray) -> QImage:
    """(h, w) grey levels → a QImage (Grayscale8) holding its own copy.

    uint8 arrays are taken as 0..255; float arrays as 0..1 (clipped)."""
    a = np.asarray(arr)
    if a.ndim != 2:
        raise ValueError(f"expected an (h, w) array, got shape {a.shape}")
    if a.dtype != np.uint8:
        a = np.rint(np.clip(np.nan_to_num(a.astype(np.float64)), 0.0, 1.0) * 255).astype(np.uint8)
    a = np.ascontiguousarray(a)
    h, w = a.shape
    return QImage(a.data, w, h, w, QImage.Format.Format_Grayscale8).copy()


def color_hex(color) -> str | None:
    """A colour given as "#rrggbb" (or any name QColor takes), QColor or (r, g, b) → "#rrggbb";
    None stays None."""
    if color is None:
        return None
    if isinstance(color, (str, QColor)):
        return QColor(color).name()
    r, g, b = (int(c) for c in tuple(color)[:3])
    return QColor(r, g, b).name()


def qimage_to_rgb(image: QImage) -> np.ndarray:
    """A QImage → uint8 (h, w, 3) RGB copy (for tests and screenshots)."""
    img = image.convertToFormat(QImage.Format.Format_RGB888)
    h, w, bpl = img.height(), img.width(), img.bytesPerLine()
    buf = np.frombuffer(img.constBits(), dtype=np.uint8, count=h * bpl).reshape(h, bpl)
    return buf[:, : 3 * w].reshape(h, w, 3).copy()


class ImageWidget(QWidget):
    """Shows one image as large as fits, aspect kept, at the top, centred across.

    Nearest-neighbour by default, at a whole-number zoom when it fits, so 28×28 digits keep crisp
    square pixels; `smooth=True` for photos and drawings. An optional thin frame marks the image's
    edge on a background of the same colour.
    """

    def __init__(self, image: QImage | None = None, parent: QWidget | None = None, *,
                 smooth: bool = False, hint: int = 168, frame: QColor | str | None = None):
        super().__init__(parent)
        self._image = image if image is not None else QImage()
        self._smooth = smooth
        self._hint = int(hint)
        self._frame = QColor(frame) if frame is not None else None
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setMinimumSize(56, 56)

    def set_image(self, image: QImage) -> None:
        self._image = image
        self.update()

    def image(self) -> QImage:
        return self._image

    def sizeHint(self) -> QSize:
        return QSize(self._hint, self.heightForWidth(self._hint))

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        """As tall as the image is at this width (square for 28×28)."""
        if self._image.isNull():
            return width
        return max(1, round(width * self._image.height() / self._image.width()))

    def image_rect(self) -> QRect:
        """Where the image is drawn, in widget coordinates (inside the frame, if any)."""
        if self._image.isNull():
            return QRect()
        m = 1 if self._frame is not None else 0
        avail_w, avail_h = self.width() - 2 * m, self.height() - 2 * m
        iw, ih = self._image.width(), self._image.height()
        zoom = min(avail_w / iw, avail_h / ih)
        if not self._smooth and zoom >= 1:
            zoom = int(zoom)
        w, h = max(1, int(iw * zoom)), max(1, int(ih * zoom))
        return QRect(m + (avail_w - w) // 2, m, w, h)

    def paintEvent(self, event) -> None:
        if self._image.isNull():
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, self._smooth)
        r = self.image_rect()
        p.drawImage(r, self._image)
        if self._frame is not None:
            p.setPen(self._frame)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(r.adjusted(-1, -1, 0, 0))  # just outside the image
        p.end()
