"""Activation reads the same way in both themes: the more active a neuron or pixel, the more it
stands out from the background — measured on the rendered views, for the network view's circles,
its input picture and the Sample panel's picture, and said in the same words by the texts."""

import numpy as np
import pytest
from PySide6.QtGui import QColor

from mlpviz.core.explain import layer_tooltip, structure_summary
from mlpviz.core.activations import get_activation
from mlpviz.core.costs import get_cost
from mlpviz.core.network import Network
from mlpviz.core.snapshot import Snapshot
from mlpviz.gui.theme import DARK, LIGHT, luminance
from mlpviz.core.minibatch import minibatch_with
from mlpviz.gui.views.batch_stage import BatchThumbnails
from mlpviz.gui.views.drawing_pad import DrawingPad
from mlpviz.gui.views.sample_view import SampleView

# per activation: biases that make hidden neuron 0 fully active and neuron 1 dead (weights 0)
BIASES = {"sigmoid": (30.0, -30.0), "tanh": (30.0, -30.0), "relu": (1.0, -1.0)}


def on_off_snapshot(activation: str) -> Snapshot:
    """784 → 2 → 10, all weights 0: hidden neuron 0 at its top activation, neuron 1 at its
    bottom (σ 1 / 0, tanh 1 / −1, relu 1 / 0), whatever the input."""
    net = Network([784, 2, 10], activation=activation, seed=0)
    Ws = [np.zeros_like(W) for W in net.weights]
    bs = [np.array(BIASES[activation]), np.zeros(10)]
    net.set_parameters(Ws, bs)
    return Snapshot.of(net)


def lum_at(img, x, y) -> float:
    return luminance(QColor(img.pixel(int(x), int(y))))


def cell_lum(img, layout, row: int, col: int) -> float:
    """The luminance at the centre of input pixel (row, col) of the network view's picture."""
    x0, y0, block, _ = layout.image_rect
    return lum_at(img, x0 + (col + 0.5) * block / 28, y0 + (row + 0.5) * block / 28)


def render(network_view, theme, activation):
    x = np.zeros(784)
    x[:14 * 28] = 1.0  # the picture's top half fully inked, the bottom half blank
    view = network_view(on_off_snapshot(activation), theme=theme, x=x)
    return view, view.grab().toImage()


def view_shades(network_view, theme) -> tuple[float, float]:
    """The luminance of an inked and of a blank input pixel, as the network view draws them."""
    view, img = render(network_view, theme, "sigmoid")
    layout = view._geometry().layout
    return cell_lum(img, layout, 6, 10), cell_lum(img, layout, 20, 10)


def shown(qtbot, widget, theme, size):
    """`widget` in `theme`, at `size`, on screen."""
    qtbot.addWidget(widget)
    widget.set_theme(theme)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.mark.parametrize("theme", [DARK, LIGHT], ids=["dark", "light"])
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_an_active_neuron_stands_out_from_the_background_as_ink_does(network_view, theme,
                                                                      activation):
    view, img = render(network_view, theme, activation)
    layout = view._geometry().layout
    bg = lum_at(img, 3, 3)
    assert abs(bg - luminance(theme.background)) < 0.02  # a corner shows the canvas
    (ax, ay), (dx, dy) = layout.centers[1][0], layout.centers[1][1]
    active, dead = lum_at(img, ax, ay), lum_at(img, dx, dy)
    assert abs(active - bg) > abs(dead - bg) + 0.5, (active, dead, bg)
    # the input picture the same way round: an inked pixel like the active neuron
    x0, y0, block, _ = layout.image_rect
    inked, blank = cell_lum(img, layout, 6, 10), cell_lum(img, layout, 20, 10)
    assert abs(inked - bg) > abs(blank - bg) + 0.5
    assert np.sign(inked - blank) == np.sign(active - dead)
    assert abs(inked - active) < 0.1 and abs(blank - dead) < 0.1


@pytest.mark.parametrize("theme", [DARK, LIGHT], ids=["dark", "light"])
def test_the_sample_panel_draws_the_digit_as_the_network_view_does(qtbot, network_view, bundled,
                                                                   theme):
    view_ink, view_blank = view_shades(network_view, theme)
    panel = shown(qtbot, SampleView(), theme, (430, 700))
    panel.set_dataset(bundled)
    pixels = bundled.test_images[panel.current().index].reshape(28, 28)
    shot = panel.image.grab().toImage()
    r = panel.image.image_rect()
    zoom = r.width() / 28
    (iy, ix), (by, bx) = np.argwhere(pixels == 255)[0], np.argwhere(pixels == 0)[0]
    ink = lum_at(shot, r.left() + (ix + 0.5) * zoom, r.top() + (iy + 0.5) * zoom)
    blank = lum_at(shot, r.left() + (bx + 0.5) * zoom, r.top() + (by + 0.5) * zoom)
    assert abs(ink - view_ink) < 0.1 and abs(blank - view_blank) < 0.1
    assert theme.shades.one in panel.image.toolTip()


@pytest.mark.parametrize("theme", [DARK, LIGHT], ids=["dark", "light"])
def test_the_texts_name_the_shades_the_theme_draws(theme):
    words = theme.shades
    one_is_white = luminance(theme.neuron_on) > luminance(theme.neuron_off)
    assert (words.one, words.zero) == (("white", "black") if one_is_white else ("black", "white"))
    help_text = structure_summary([784, 16, 16, 10], "sigmoid", "mse",
                                  [str(d) for d in range(10)], shades=words)
    assert f"0 ({words.zero}) to 1 ({words.one})" in help_text
    assert f"The {words.most} output" in help_text
    tip = layer_tooltip(0, [784, 16, 10], get_activation("sigmoid"), get_cost("mse"),
                        [str(d) for d in range(10)], shades=words)
    assert f"0 ({words.zero}) to 1 ({words.one})" in tip


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen only
def test_the_help_follows_the_theme(window):
    window.show_structure_help()
    window._set_theme("light")
    assert "0 (white) to 1 (black)" in window.help_dialog.text()
    window._set_theme("dark")
    assert "0 (black) to 1 (white)" in window.help_dialog.text()
    window.help_dialog.close()


@pytest.mark.parametrize("theme", [DARK, LIGHT], ids=["dark", "light"])
def test_the_drawing_pad_inks_as_the_network_view_does(qtbot, network_view, theme):
    view_ink, view_blank = view_shades(network_view, theme)
    pad = shown(qtbot, DrawingPad(), theme, (440, 400))
    assert f"in the {theme.shades.zero} square" in pad.prediction_label.text()
    half = np.zeros((28, 28))
    half[:14] = 1.0
    pad.canvas.fill(half)
    shot = pad.canvas.grab().toImage()
    r = pad.canvas.canvas_rect()
    ink = lum_at(shot, r.center().x(), r.top() + r.height() / 4)
    blank = lum_at(shot, r.center().x(), r.top() + 3 * r.height() / 4)
    assert abs(ink - view_ink) < 0.1 and abs(blank - view_blank) < 0.1


@pytest.mark.parametrize("theme", [DARK, LIGHT], ids=["dark", "light"])
def test_stage_9s_thumbnails_ink_as_the_network_view_does(qtbot, bundled, theme):
    thumbs = BatchThumbnails()
    qtbot.addWidget(thumbs)
    pal = thumbs.palette()
    pal.setColor(thumbs.backgroundRole(), QColor(theme.background))
    thumbs.setPalette(pal)
    x = np.zeros(784)
    x[:14 * 28] = 1.0
    batch = minibatch_with(bundled.train_images, bundled.train_labels, 4, x, 2)
    thumbs.set_batch(batch, [str(d) for d in range(10)])
    img = thumbs.item(0).icon().pixmap(28, 28).toImage()
    ink, blank = lum_at(img, 10, 6), lum_at(img, 10, 20)
    assert abs(ink - luminance(theme.neuron_on)) < 0.1
    assert abs(blank - luminance(theme.neuron_off)) < 0.1
