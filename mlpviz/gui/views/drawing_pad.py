"""Draw a digit with the mouse and see it the way the network gets it (28×28, MNIST style)."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import (
    QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget,
)

from mlpviz.core.arrays import frozen
from mlpviz.core.explain import prediction_text
from mlpviz.core.preprocess import mnist_style, soft_brush_segment
from mlpviz.i18n import N_, _
from mlpviz.gui.labels import Labels
from mlpviz.gui.qimage import ImageWidget, rgb_to_qimage
from mlpviz.gui.theme import DARK, activation_rgb
from mlpviz.gui.theme import scaled_font

CANVAS_SIDE = 280  # drawing resolution, in canvas pixels (10 per MNIST pixel)
BRUSH_RADIUS = 13.0  # canvas pixels: a digit drawn ~200 px tall gets MNIST's 2–3 px strokes
BRUSH_SOFTNESS = 0.45  # outer fraction of the radius that fades out
PREVIEW_SIDE = 4 * 28  # the 28×28 result at 4 screen pixels per pixel
EMIT_INTERVAL_S = 1 / 30  # drawing_changed at most ~30 times a second while drawing
NOISE_SEED = 0  # the first "Noise" picture is the same in every session: a lesson can rely on it


class DrawingCanvas(QWidget):
    """The square drawn on. Keeps the ink as a (280, 280) float array 0..1 (the input's
    activations, like MNIST), shown in the theme's shades (white on black in the dark theme,
    black on white in the light one), and reports `inked` after every bit of stroke,
    `stroke_ended` on release."""

    inked = Signal()
    stroke_ended = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.ink = np.zeros((CANVAS_SIDE, CANVAS_SIDE))
        self._last: tuple[float, float] | None = None
        self.theme = DARK  # the shades of the ink: set_theme
        self._image = rgb_to_qimage(activation_rgb(self.theme, self.ink))
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)  # a square: as tall as the panel makes it wide
        self.setSizePolicy(policy)
        self.setMinimumSize(160, 160)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.labels = Labels()
        self.labels.add(self.setToolTip, N_("Hold the left mouse button and draw a digit"))

    def sizeHint(self) -> QSize:
        return QSize(CANVAS_SIDE, CANVAS_SIDE)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return width

    def canvas_rect(self) -> QRect:
        """The largest square, at the top, centred across: where the canvas is shown."""
        side = min(self.width(), self.height())
        return QRect((self.width() - side) // 2, 0, side, side)

    def to_canvas(self, pos: QPointF) -> tuple[float, float]:
        """Widget position → canvas (x, y) in canvas pixels."""
        r = self.canvas_rect()
        k = CANVAS_SIDE / max(r.width(), 1)
        return (pos.x() - r.x()) * k, (pos.y() - r.y()) * k

    def clear(self) -> None:
        self.ink[:] = 0
        self._last = None
        self._refresh()

    def fill(self, pixels: np.ndarray) -> None:
        """Replace the ink with a (28, 28) picture 0..1, each pixel a 10×10 block of canvas."""
        block = CANVAS_SIDE // 28
        self.ink[:] = np.kron(np.clip(pixels, 0.0, 1.0), np.ones((block, block)))
        self._last = None
        self._refresh()

    def _paint_to(self, point: tuple[float, float]) -> None:
        start = self._last if self._last is not None else point
        if soft_brush_segment(self.ink, start, point, BRUSH_RADIUS, BRUSH_SOFTNESS) is not None:
            self._refresh()
        self._last = point
        self.inked.emit()

    def set_theme(self, theme) -> None:
        self.theme = theme
        self._refresh()

    def _refresh(self) -> None:
        self._image = rgb_to_qimage(activation_rgb(self.theme, self.ink))
        self.update()

    # -- Qt events -------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        self._last = None
        self._paint_to(self.to_canvas(event.position()))
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if not (event.buttons() & Qt.MouseButton.LeftButton) or self._last is None:
            return super().mouseMoveEvent(event)
        self._paint_to(self.to_canvas(event.position()))
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._last is None:
            return super().mouseReleaseEvent(event)
        self._paint_to(self.to_canvas(event.position()))
        self._last = None
        self.stroke_ended.emit()
        event.accept()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        r = self.canvas_rect()
        p.drawImage(r, self._image)
        p.setPen(QPen(QColor(128, 128, 128), 1))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(r.adjusted(0, 0, -1, -1))
        p.end()


class DrawingPad(QWidget):
    """A canvas to draw a digit on, the 28×28 input it becomes, and the network's answer.

    drawing_changed(np.ndarray): the preprocessed input, (784,) float64 0..1, read-only; sent
    while drawing (at most ~30 a second) and when the mouse button is released, and by `clear()`
    and `fill_noise()`.

    `noise_seed` seeds the generator behind the Noise button (one np.random.Generator, so the
    pictures it gives are the same sequence in every session).
    """

    drawing_changed = Signal(np.ndarray)

    def __init__(self, parent: QWidget | None = None, noise_seed: int | None = NOISE_SEED):
        super().__init__(parent)
        self._x = frozen(np.zeros(784))
        self._rng = np.random.default_rng(noise_seed)
        self._noise = False  # the canvas holds pure noise, not a drawing
        self._digits = True  # the classes are the digits 0–9 (the note on noise says "digit")
        self._prediction: tuple[str, float] | None = None
        self._last_emit = -1.0
        self._pending = QTimer(self)
        self._pending.setSingleShot(True)
        self._pending.timeout.connect(self._emit)

        self.canvas = DrawingCanvas()
        self.canvas.inked.connect(self._on_inked)
        self.canvas.stroke_ended.connect(self._on_stroke_ended)
        self.preview = ImageWidget(rgb_to_qimage(activation_rgb(DARK, np.zeros((28, 28)))),
                                   hint=PREVIEW_SIDE,
                                   frame=QColor(128, 128, 128))
        self.preview.setFixedSize(PREVIEW_SIDE + 2, PREVIEW_SIDE + 2)  # 4 screen pixels per pixel
        self.labels = labels = Labels()  # the fixed texts, in the current language
        labels.add(self.preview.setToolTip, N_("Your drawing as the network gets it: cropped, "
                                               "scaled to fit 20×20 pixels and centred by its "
                                               "centre of mass in 28×28, the way the MNIST "
                                               "digits were made"))
        self.preview_caption = QLabel()
        labels.add(self.preview_caption.setText, N_("What the network sees: 28 × 28"))
        self.preview_caption.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.preview_caption.setWordWrap(True)
        self.clear_button = QPushButton()
        labels.add(self.clear_button.setText, N_("Clear"))
        labels.add(self.clear_button.setToolTip, N_("Wipe the canvas"))
        self.clear_button.clicked.connect(self.clear)
        self.noise_button = QPushButton()
        labels.add(self.noise_button.setText, N_("Noise"))
        labels.add(self.noise_button.setToolTip, N_("Fill the square with random pixels — no digit "
                                                    "at all — and see what the network makes of it"))
        self.noise_button.clicked.connect(self.fill_noise)
        self.noise_note = QLabel()
        self.noise_note.setObjectName("noise_note")
        self.noise_note.setWordWrap(True)
        self.noise_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.noise_note.hide()
        self.prediction_label = QLabel()
        self.prediction_label.setObjectName("prediction")
        self.prediction_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prediction_label.setWordWrap(True)

        side_box = QWidget()
        side_box.setFixedWidth(PREVIEW_SIDE + 12)
        side = QVBoxLayout(side_box)
        side.setContentsMargins(0, 0, 0, 0)
        side.setSpacing(6)
        side.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignHCenter)
        side.addWidget(self.preview_caption)
        side.addWidget(self.noise_button)
        side.addWidget(self.clear_button)
        side.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.canvas, 1, Qt.AlignmentFlag.AlignTop)
        top.addWidget(side_box)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.prediction_label)
        layout.addWidget(self.noise_note)
        layout.addStretch(1)  # spare height goes below the answer, not between it and the canvas
        self._apply_fonts()
        self._show_prediction()

    # -- API ---------------------------------------------------------------------------------
    def clear(self) -> None:
        """Wipe the canvas and the answer; sends drawing_changed with an empty (all-zero) input."""
        self._pending.stop()
        self.canvas.clear()
        self._noise = False
        self._prediction = None
        self._emit()

    def fill_noise(self) -> None:
        """Fill the canvas with random pixels, uniform in 0..1, drawn from the pad's own
        np.random.Generator, and send them as the input. Noise has no digit to crop and centre,
        so the 28×28 picture goes in as it is (drawing over it afterwards preprocesses as
        usual)."""
        self.show_input(self._rng.random(28 * 28), noise=True)

    def show_input(self, x: np.ndarray, noise: bool = False) -> None:
        """Put an input of 784 pixels 0..1 on the canvas as it is (noise, or a lesson file's
        drawing, already preprocessed) and send it unchanged, bit for bit."""
        self._pending.stop()
        x = np.asarray(x, dtype=np.float64).reshape(-1)
        self.canvas.fill(x.reshape(28, 28))
        self._noise = noise
        self._prediction = None
        self._emit(x)

    def is_noise(self) -> bool:
        """Whether the canvas holds the Noise button's random pixels (not a drawing)."""
        return self._noise

    def set_prediction(self, label: str, value: float, softmax: bool = False) -> None:
        """Show the network's answer for the drawing and its output's value: ("3", 0.94) →
        "It's a 3 (activation 0.94)"; with `softmax` (the cost's softmax_output: the outputs
        are shares of 1) "It's a 3 (94 %)"."""
        self._prediction = (str(label), float(value), bool(softmax))
        self._show_prediction()

    def set_theme(self, theme) -> None:
        """Draw the ink and the 28×28 input in the theme's shades, as the network view does."""
        self.canvas.set_theme(theme)
        self.preview.set_image(rgb_to_qimage(activation_rgb(theme, self._x.reshape(28, 28))))
        self._show_prediction()

    def set_class_names(self, names) -> None:
        """The dataset's classes; the note under a noise picture speaks of digits only when
        they are the digits 0–9."""
        self._digits = tuple(str(n) for n in names) == tuple("0123456789")
        self._show_prediction()

    def retranslate(self) -> None:
        """Every text again in the current language (the drawing stays)."""
        self.labels.retranslate()
        self.canvas.labels.retranslate()
        self._show_prediction()

    def current_input(self) -> np.ndarray:
        """The last preprocessed input sent (784,) (zeros before any drawing)."""
        return self._x

    def is_empty(self) -> bool:
        return not self.canvas.ink.any()

    # -- internals ---------------------------------------------------------------------------
    def _on_inked(self) -> None:
        self._noise = False  # drawn over: a drawing now, preprocessed as one
        wait = EMIT_INTERVAL_S - (time.monotonic() - self._last_emit)
        if wait <= 0:
            self._pending.stop()
            self._emit()
        elif not self._pending.isActive():
            self._pending.start(max(1, int(wait * 1000)))

    def _on_stroke_ended(self) -> None:
        self._pending.stop()
        self._emit()

    def _emit(self, x: np.ndarray | None = None) -> None:
        """Send the input: `x` as given, or the canvas preprocessed MNIST style."""
        x = frozen(mnist_style(self.canvas.ink) if x is None else x, np.float64)
        self._x = x
        self._last_emit = time.monotonic()
        self.preview.set_image(rgb_to_qimage(activation_rgb(self.canvas.theme,
                                                            x.reshape(28, 28))))
        self._show_prediction()
        self.drawing_changed.emit(x)

    def _show_prediction(self) -> None:
        if self.is_empty():
            self.prediction_label.setText(_("Draw a digit in the {shade} square").format(
                shade=_(self.canvas.theme.shades.zero)))
            self.prediction_label.setEnabled(False)
        elif self._prediction is None:
            self.prediction_label.setText("…")
            self.prediction_label.setEnabled(False)
        else:
            self.prediction_label.setText(prediction_text(*self._prediction))
            self.prediction_label.setEnabled(True)
        self.noise_note.setVisible(self._noise)
        if self._noise and self._digits:
            self.noise_note.setText(_("This is random noise, not a digit — yet the network "
                                      "names one anyway: its brightest output always wins, and "
                                      "all it has ever seen are digits."))
        elif self._noise:
            self.noise_note.setText(_("This is random noise, not a picture of anything — yet "
                                      "the network names a class anyway: its brightest output "
                                      "always wins, and all it has ever seen are its training "
                                      "pictures."))

    def _apply_fonts(self) -> None:
        self.prediction_label.setFont(scaled_font(self.font(), 2.0, bold=True))

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._apply_fonts()
        super().changeEvent(event)
