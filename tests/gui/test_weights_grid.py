"""WeightsGrid: green where a weight is positive, red where negative; clicks name the neuron."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from mlpviz.core.network import Network
from mlpviz.core.snapshot import Snapshot
from mlpviz.gui.qimage import qimage_to_rgb
from mlpviz.gui.views.weights_grid import WeightsGrid

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

GREEN, RED, BLACK = "#00ff00", "#ff0000", "#000000"


def snapshot_with_first_layer(W0: np.ndarray) -> Snapshot:
    net = Network([784, len(W0), 10], seed=0)
    net.weights[0] = np.asarray(W0, dtype=np.float64)
    return Snapshot.of(net)


def left_plus_right_minus(n: int) -> np.ndarray:
    """Neuron j: +1 on the left half of the image, −1 on the right; odd neurons the other way."""
    img = np.ones((28, 28))
    img[:, 14:] = -1
    W = np.stack([img if j % 2 == 0 else -img for j in range(n)]).reshape(n, 784)
    return W * np.arange(1, n + 1)[:, None]  # different magnitudes per neuron


@pytest.fixture
def grid(qtbot):
    grid = WeightsGrid()
    qtbot.addWidget(grid)
    grid.set_colors(background=BLACK, positive=GREEN, negative=RED)
    grid.resize(420, 560)
    return grid


def test_pictures_are_green_where_positive_and_red_where_negative(qtbot, grid):
    grid.set_snapshot(snapshot_with_first_layer(left_plus_right_minus(16)))
    rgb = grid.images()
    assert rgb.shape == (16, 28, 28, 3)
    for j in range(16):
        left, right = rgb[j, 10, 5], rgb[j, 10, 22]
        if j % 2:
            left, right = right, left
        assert tuple(left) == (0, 255, 0) and tuple(right) == (255, 0, 0)

    grid.show()
    qtbot.waitExposed(grid)
    shot = qimage_to_rgb(grid.grab().toImage())
    ratio = grid.grab().devicePixelRatio()
    assert grid.grid.shape() == (4, 4)
    for j in (0, 1, 5, 15):
        r = grid.grid.tile_rect(j).translated(grid.grid.pos())
        y = int((r.top() + r.height() * 0.4) * ratio)
        xl = int((r.left() + r.width() * 0.2) * ratio)
        xr = int((r.left() + r.width() * 0.8) * ratio)
        pos, neg = (shot[y, xl], shot[y, xr]) if j % 2 == 0 else (shot[y, xr], shot[y, xl])
        assert pos[1] > 200 and pos[0] < 60, (j, pos)  # green on screen
        assert neg[0] > 200 and neg[1] < 60, (j, neg)  # red on screen


def test_zero_weights_are_background_and_strength_fades(qtbot, grid):
    W = np.zeros((4, 784))
    W[0] = np.linspace(-1, 1, 784)
    grid.set_snapshot(snapshot_with_first_layer(W))
    rgb = grid.images().reshape(4, 784, 3)
    assert tuple(rgb[1, 400]) == (0, 0, 0)  # an all-zero neuron is blank
    green, red = rgb[0, :, 1].astype(int), rgb[0, :, 0].astype(int)
    assert (np.diff(green[392:]) >= 0).all() and green[392] < 5 and green[-1] == 255
    assert (np.diff(red[:392]) <= 0).all() and red[391] < 5 and red[0] == 255
    assert green[:392].max() == 0 and red[392:].max() == 0


def test_updates_live_with_each_snapshot(qtbot, grid):
    W = left_plus_right_minus(16)
    grid.set_snapshot(snapshot_with_first_layer(W))
    before = grid.images()
    grid.set_snapshot(snapshot_with_first_layer(-W))
    after = grid.images()
    assert np.array_equal(before[..., 0], after[..., 1])  # red became green
    assert np.array_equal(before[..., 1], after[..., 0])  # and green red


@pytest.mark.parametrize("n, shape", [(1, (1, 1)), (16, (4, 4)), (30, (5, 6)), (128, (11, 12))])
def test_grid_holds_any_number_of_neurons(qtbot, grid, n, shape):
    grid.set_snapshot(snapshot_with_first_layer(left_plus_right_minus(n)))
    assert grid.images().shape == (n, 28, 28, 3)
    assert grid.grid.shape() == shape
    rects = [grid.grid.tile_rect(j) for j in range(n)]
    assert all(r.width() > 0 and grid.grid.rect().contains(r) for r in rects)
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1:])


def test_clicking_a_picture_names_its_neuron(qtbot, grid):
    grid.set_snapshot(snapshot_with_first_layer(left_plus_right_minus(16)))
    grid.show()
    qtbot.waitExposed(grid)
    for j in (0, 6, 15):
        with qtbot.waitSignal(grid.neuron_clicked, timeout=1000) as blocker:
            qtbot.mouseClick(grid.grid, Qt.MouseButton.LeftButton,
                             pos=grid.grid.tile_rect(j).center())
        assert blocker.args == [j]


def test_caption_explains_the_pictures(qtbot, grid):
    text = grid.caption.text()
    assert "random" in text and "own scale" in text
    assert GREEN in text and RED in text
    assert "loops, strokes and edges" in text  # what one might hope for (the lesson's point 3)
    assert "Noise" in text and "784 incoming weights" in text and "28×28" in text


def test_hovering_a_picture_names_its_neuron_from_0_like_the_network_view(qtbot, grid):
    grid.set_snapshot(snapshot_with_first_layer(left_plus_right_minus(16)))
    grid.show()
    qtbot.waitExposed(grid)
    for j in (0, 6, 15):
        qtbot.mouseMove(grid.grid, grid.grid.tile_rect(j).center())
        qtbot.waitUntil(lambda: grid.grid.toolTip() != "")
        assert grid.grid.toolTip() == f"Hidden layer 1, neuron {j}: click for its numbers"
        qtbot.mouseMove(grid.grid, grid.grid.tile_rect(j).bottomRight() + QPoint(2, 2))
