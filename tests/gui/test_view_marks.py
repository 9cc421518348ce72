"""Marks on the network view a class must be able to see: the clicked neuron stays highlighted,
and a small nudge is still drawn as an arrow (shaft and head), never a dot."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from mlpviz.core.network import Network
from mlpviz.core.overlay import Overlay
from mlpviz.core.snapshot import Snapshot
from mlpviz.gui.theme import DARK, LIGHT, rgb
from mlpviz.gui.views.network_view import arrow_min_length


def rgb_array(view) -> np.ndarray:
    img = view.grab().toImage().convertToFormat(view.grab().toImage().Format.Format_RGB32)
    a = np.array(img.constBits(), dtype=np.uint8).reshape(img.height(), img.width(), 4)
    return a[..., 2::-1].astype(int)  # BGRA → RGB


def ring_pixels(a, b, cx, cy, r0, r1, color) -> int:
    """Pixels between radius r0 and r1 around (cx, cy) that are `color` in render b, not in a."""
    h, w, _ = a.shape
    yy, xx = np.mgrid[0:h, 0:w]
    band = (np.hypot(xx - cx, yy - cy) >= r0) & (np.hypot(xx - cx, yy - cy) <= r1)
    near = lambda img: np.abs(img - np.array(rgb(color))).sum(axis=2) < 40  # noqa: E731
    return int((near(b) & ~near(a) & band).sum())


@pytest.fixture(scope="module")
def snap(trained_default):
    return trained_default(200)


@pytest.mark.parametrize("theme", [DARK, LIGHT], ids=["dark", "light"])
def test_the_clicked_neuron_stays_highlighted_after_the_mouse_leaves(qtbot, network_view, snap,
                                                                   bundled, theme):
    view = network_view(snap, (1000, 640), theme, bundled.test_images[0] / 255.0)
    plain = rgb_array(view)
    layout = view._geometry().layout
    (cx, cy), r = layout.centers[1][5], layout.radius[1]
    with qtbot.waitSignal(view.neuron_clicked, timeout=1000) as blocker:
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=QPointF(cx, cy).toPoint())
    assert blocker.args == [1, 5] and view.selected() == (1, 5)
    qtbot.mouseMove(view, QPointF(5, 5).toPoint())
    marked = rgb_array(view)
    fg = theme.foreground
    assert ring_pixels(plain, marked, cx, cy, r + 1, r + 9, fg) > 2 * np.pi * r  # a whole ring
    (ox, oy) = layout.centers[1][9]
    assert ring_pixels(plain, marked, ox, oy, r + 1, r + 9, fg) < 0.1 * np.pi * r  # others: no
    view.set_snapshot(Snapshot.of(Network(snap.sizes, seed=4)))  # new weights, same network
    assert view.selected() == (1, 5)
    view.set_snapshot(Snapshot.of(Network([784, 32, 10], seed=4)))  # another network: gone
    assert view.selected() is None


def test_the_main_window_marks_the_neuron_the_neuron_tab_shows(qtbot, window):
    window.weights_grid.neuron_clicked.emit(3)
    assert window.network_view.selected() == (1, 3)
    layout = window.network_view._geometry().layout
    qtbot.mouseClick(window.network_view, Qt.MouseButton.LeftButton,
                     pos=QPointF(*layout.centers[2][7]).toPoint())
    assert window.network_view.selected() == (2, 7)
    assert window.neuron_panel.title.text().startswith("Hidden layer 2")


def green_mask(a: np.ndarray) -> np.ndarray:
    return (a[..., 1] > a[..., 0] + 60) & (a[..., 1] > a[..., 2] + 30)


@pytest.mark.parametrize("size", [(1280, 800), (800, 500)])
def test_a_small_nudge_is_an_arrow_with_a_head_not_a_dot(network_view, snap, bundled, size):
    view = network_view(snap, size, DARK, bundled.test_images[0] / 255.0)
    layout = view._geometry().layout
    nudges = np.zeros(16)
    nudges[2], nudges[8] = 1.0, 0.005  # the second is 200 times smaller
    view.set_overlay(Overlay(nudges={1: nudges}))
    a = rgb_array(view)
    (cx, cy), r = layout.centers[1][8], layout.radius[1]
    box = green_mask(a[int(cy - 4 * r):int(cy + 4 * r), int(cx - 2 * r):int(cx + 2 * r)])
    rows = np.flatnonzero(box.any(axis=1))
    assert rows.size, "the small nudge is drawn"
    widths = box.sum(axis=1)[rows]
    shaft, head = np.median(widths), widths.max()
    width = shaft  # about the pen's width
    assert rows.max() - rows.min() + 1 >= 0.8 * arrow_min_length(max(2.0, width - 1))
    assert head >= 1.8 * shaft, "the head is wider than the shaft: it reads as an arrow"
    assert rows.max() - rows.min() + 1 >= 2.5 * shaft
    big = green_mask(a[:, int(layout.centers[1][2][0] - 2 * r):int(layout.centers[1][2][0] + 2 * r)])
    assert big.any(axis=1).sum() > rows.size, "the bigger nudge is still the longer arrow"


@pytest.mark.parametrize("theme", [DARK, LIGHT], ids=["dark", "light"])
def test_a_clicked_pixel_stays_marked_even_on_full_ink(qtbot, network_view, snap, theme):
    x = np.ones(784)  # every pixel fully inked: the mark must still show
    view = network_view(snap, (1000, 640), theme, x)
    plain = rgb_array(view)
    x0, y0, block, _ = view._geometry().layout.image_rect
    px = block / 28
    view.set_selected(0, 10 * 28 + 20)
    marked = rgb_array(view)
    cell = (slice(int(y0 + 10 * px - 2), int(y0 + 11 * px + 3)),
            slice(int(x0 + 20 * px - 2), int(x0 + 21 * px + 3)))
    accent = np.array(rgb(theme.accent))
    near = np.abs(marked[cell] - accent).sum(axis=2) < 60
    assert near.sum() > 2 * px  # an accent frame around the pixel
    assert (np.abs(plain[cell] - accent).sum(axis=2) < 60).sum() == 0
