"""DrawingPad: mouse strokes become MNIST-style inputs that a trained network reads."""

import time

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from mlpviz.core.preprocess import mnist_style
from mlpviz.gui.views.drawing_pad import DrawingPad
from tests.gui.on_screen import on_screen

# The offscreen platform warns about this whenever a top-level window is shown.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

LEFT, NONE = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton


def send(widget, kind, pos, button, buttons):
    """Deliver a mouse event directly: QTest.mouseMove drops held buttons under Qt 6."""
    local = QPointF(*pos)
    event = QMouseEvent(kind, local, widget.mapToGlobal(local), button, buttons,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def stroke(canvas, points):
    """Press at the first point (fractions of the canvas square), drag through the rest, release."""
    r = canvas.canvas_rect()
    pts = [(r.x() + fx * r.width(), r.y() + fy * r.height()) for fx, fy in points]
    send(canvas, QEvent.Type.MouseButtonPress, pts[0], LEFT, LEFT)
    for p in pts[1:]:
        send(canvas, QEvent.Type.MouseMove, p, NONE, LEFT)
    send(canvas, QEvent.Type.MouseButtonRelease, pts[-1], LEFT, NONE)


def one_points():
    return [(0.5, 0.15 + 0.7 * t) for t in np.linspace(0, 1, 12)]


def zero_points():
    t = np.linspace(0, 2 * np.pi, 41)
    return list(zip(0.5 + 0.23 * np.sin(t), 0.5 + 0.34 * np.cos(t)))


@pytest.fixture
def pad(qtbot):
    return on_screen(qtbot, DrawingPad(), 440, 400)


@pytest.fixture(scope="module")
def trained_net(trained_default):
    return trained_default(300).network()


def test_drawing_emits_the_preprocessed_input(qtbot, pad):
    assert not pad.current_input().any()
    sent = []
    pad.drawing_changed.connect(sent.append)
    stroke(pad.canvas, one_points())
    x = sent[-1]  # the release sends the finished drawing at once
    assert x.shape == (784,) and x.dtype == np.float64 and not x.flags.writeable
    assert x.max() == pytest.approx(1.0) and x.min() >= 0
    assert np.array_equal(x, mnist_style(pad.canvas.ink))  # what was drawn, preprocessed
    assert np.array_equal(x, pad.current_input())
    img = x.reshape(28, 28)
    assert img[6:22, 13:15].min() > 0.5  # a centred vertical stroke, 20 pixels tall
    assert (img > 0).any(axis=1).sum() <= 20
    assert img[:, :10].max() == 0 and img[:, 19:].max() == 0


def test_a_second_stroke_changes_the_input(qtbot, pad):
    stroke(pad.canvas, one_points())
    first = pad.current_input()
    sent = []
    pad.drawing_changed.connect(sent.append)
    stroke(pad.canvas, [(0.2, 0.5), (0.8, 0.5)])  # a cross bar
    assert sent and not np.array_equal(sent[-1], first)


def test_drawing_is_throttled_while_moving(qtbot, pad):
    sent = []
    pad.drawing_changed.connect(sent.append)
    t0 = time.monotonic()
    stroke(pad.canvas, [(0.5, 0.1 + 0.8 * t) for t in np.linspace(0, 1, 60)])
    elapsed = time.monotonic() - t0
    assert 1 <= len(sent) <= 3 + int(elapsed * 30)  # not one per mouse move
    assert np.array_equal(sent[-1], mnist_style(pad.canvas.ink))  # the release sends the final


def test_clear_wipes_and_sends_an_empty_input(qtbot, pad):
    stroke(pad.canvas, zero_points())
    pad.set_prediction("0", 0.9)
    with qtbot.waitSignal(pad.drawing_changed, timeout=1000) as blocker:
        qtbot.mouseClick(pad.clear_button, LEFT)
    assert not blocker.args[0].any()
    assert not pad.canvas.ink.any()
    assert "Draw" in pad.prediction_label.text()


def test_prediction_text(qtbot, pad):
    stroke(pad.canvas, one_points())
    pad.set_prediction("3", 0.94, softmax=True)
    assert pad.prediction_label.text() == "It's a 3 (94 %)"
    pad.set_prediction("8", 0.5, softmax=True)
    assert pad.prediction_label.text() == "It's an 8 (50 %)"
    pad.set_prediction("8", 0.5)  # sigmoid outputs are activations, not shares of 1
    assert pad.prediction_label.text() == "It's an 8 (activation 0.50)"
    assert "%" not in pad.prediction_label.text()


def test_answer_and_buttons_sit_by_the_canvas_in_a_tall_panel(qtbot, pad):
    # A dock taller than it is wide: the spare height goes below the answer, not between the
    # canvas and the answer (nor between the preview and the Noise / Clear buttons).
    pad.resize(430, 680)
    stroke(pad.canvas, one_points())
    pad.set_prediction("1", 0.9)
    qtbot.waitUntil(lambda: pad.canvas.height() < 400)
    square = pad.canvas.canvas_rect()
    canvas_bottom = pad.canvas.mapTo(pad, square.bottomLeft()).y()
    label_top = pad.prediction_label.mapTo(pad, pad.prediction_label.rect().topLeft()).y()
    assert 0 <= label_top - canvas_bottom < 30
    clear_bottom = pad.clear_button.mapTo(pad, pad.clear_button.rect().bottomLeft()).y()
    assert clear_bottom <= canvas_bottom


def test_a_drawn_one_and_zero_get_different_answers(qtbot, pad, trained_net):
    stroke(pad.canvas, one_points())
    one = trained_net.forward(pad.current_input())
    pad.clear()
    stroke(pad.canvas, zero_points())
    zero = trained_net.forward(pad.current_input())
    assert int(np.argmax(one)) == 1
    assert int(np.argmax(zero)) == 0


def test_ignores_other_buttons_and_moves_without_a_press(qtbot, pad):
    sent = []
    pad.drawing_changed.connect(sent.append)
    send(pad.canvas, QEvent.Type.MouseMove, (100, 100), NONE, NONE)
    send(pad.canvas, QEvent.Type.MouseButtonPress, (100, 100), Qt.MouseButton.RightButton,
         Qt.MouseButton.RightButton)
    assert sent == [] and not pad.canvas.ink.any()


def test_noise_fills_the_canvas_from_the_pads_own_seeded_generator(qtbot):
    pads = []
    for _ in range(2):
        pad = DrawingPad(noise_seed=7)
        qtbot.addWidget(pad)
        pads.append(pad)
    pad = pads[0]
    expected = np.random.default_rng(7).random((2, 28, 28))
    sent = []
    pad.drawing_changed.connect(sent.append)
    qtbot.mouseClick(pad.noise_button, Qt.MouseButton.LeftButton)
    x = sent[-1]
    assert x.shape == (784,) and not x.flags.writeable
    np.testing.assert_array_equal(x, expected[0].reshape(-1))  # straight in: no cropping
    np.testing.assert_array_equal(pad.current_input(), x)
    np.testing.assert_array_equal(pad.canvas.ink[::10, ::10], expected[0])  # 10×10 blocks
    assert pad.is_noise()
    pad.fill_noise()  # the next picture of the same generator
    np.testing.assert_array_equal(sent[-1], expected[1].reshape(-1))
    pads[1].fill_noise()  # another pad with the same seed starts from the same picture
    np.testing.assert_array_equal(pads[1].current_input(), expected[0].reshape(-1))


def test_noise_gets_a_note_that_it_is_no_digit_until_drawn_over(qtbot, pad):
    assert pad.noise_note.isHidden()
    pad.fill_noise()
    pad.set_prediction("5", 0.8)
    assert pad.prediction_label.text() == "It's a 5 (activation 0.80)"
    assert not pad.noise_note.isHidden()
    assert "random noise, not a digit" in pad.noise_note.text()
    pad.set_class_names(["T-shirt/top"] * 10)
    assert "not a digit" not in pad.noise_note.text()
    assert "names a class anyway" in pad.noise_note.text()
    stroke(pad.canvas, one_points())  # drawn over: a drawing again, preprocessed as one
    assert not pad.is_noise() and pad.noise_note.isHidden()
    assert np.array_equal(pad.current_input(), mnist_style(pad.canvas.ink))
    pad.fill_noise()
    pad.clear()
    assert not pad.is_noise() and pad.noise_note.isHidden()
