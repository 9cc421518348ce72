"""The colour-blind palette checked on the rendered window beyond the network's lines
(test_palette_gui): the Weights tab's pictures as the window draws them, seen through a
protanopia and a deuteranopia simulation — blue/orange keeps + and − apart, the lesson's
green/red does so less."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor

from mlpviz.core import colour_vision as cv
from mlpviz.core.palette import COLOUR_BLIND, LESSON
from mlpviz.gui.side_tabs import show_tab

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def picture_pixels(window, W):
    """The window's rendered colour at the strongest positive and negative weights of W⁽¹⁾, as
    the Weights tab draws them: {"+": (n, 3), "−": (n, 3)} RGB."""
    grid = window.weights_grid.grid
    shot = window.grab().toImage()
    out = {}
    for sign, picked in (("+", W > np.percentile(W, 99.5)), ("−", W < np.percentile(W, 0.5))):
        rgb = []
        for i, pixel in zip(*np.nonzero(picked)):
            r, c = divmod(int(pixel), 28)
            rect = grid.tile_rect(int(i))
            inside = QPoint(rect.x() + int((c + 0.5) * rect.width() / 28),
                            rect.y() + int((r + 0.5) * rect.height() / 28))
            colour = QColor(shot.pixel(grid.mapTo(window, inside)))
            rgb.append((colour.red(), colour.green(), colour.blue()))
        out[sign] = np.array(rgb)
    return out


def seen_apart(pixels, kind) -> float:
    """ΔE between the median + and − colour, both seen with `kind` of colour blindness."""
    return float(cv.delta_e(cv.simulate(np.median(pixels["+"], axis=0), kind),
                            cv.simulate(np.median(pixels["−"], axis=0), kind)))


def test_the_weight_pictures_in_the_window_stay_apart_in_blue_orange(qtbot, window):
    s = window.session
    for _ in range(20):
        with qtbot.waitSignal(s.snapshot_ready, timeout=10_000):
            s.step_batch()
    show_tab(window, "weights")
    qtbot.waitUntil(lambda: window.weights_grid.grid.count() == 16, timeout=5000)
    W = np.asarray(s.snapshot.weights[0])
    seen = {}
    for palette in (LESSON, COLOUR_BLIND):
        window.palette_menu.actions[palette.name].trigger()
        qtbot.wait(50)
        seen[palette.name] = picture_pixels(window, W)
    blind, lesson = seen[COLOUR_BLIND.name], seen[LESSON.name]
    assert (blind["+"][:, 2] > blind["+"][:, 1]).mean() > 0.8  # blue for +, drawn
    assert (lesson["+"][:, 1] > lesson["+"][:, 0]).mean() > 0.8  # green for +, drawn
    for kind in cv.MACHADO:
        assert seen_apart(blind, kind) >= cv.DISTINGUISHABLE, kind
        assert seen_apart(lesson, kind) < seen_apart(blind, kind), kind
