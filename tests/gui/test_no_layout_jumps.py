"""Nothing jumps: the side panels' tab bar stays put between tabs, stage 8's buttons stay put
after "Take the step", the side panels come back to their width after presentation mode, and a
huge output value is never cut off."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtWidgets import QTabBar

from mlpviz.core import explain
from mlpviz.core.network import Network
from mlpviz.core.snapshot import Snapshot
from mlpviz.gui.side_panels import side_width
from mlpviz.gui.views.sample_view import OutputBars

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def side_tab_bar(window) -> QTabBar:
    """The tab bar of the tabified side panels (Sample, Draw, Backprop, Neuron, Weights)."""
    for bar in window.findChildren(QTabBar):
        if bar.isVisible() and "Backprop" in [bar.tabText(i) for i in range(bar.count())]:
            return bar
    raise AssertionError("no side tab bar")


def place(widget, window) -> QPoint:
    return widget.mapTo(window, QPoint(0, 0))


def test_the_tab_bar_stays_put_whichever_tab_is_raised(qtbot, window):
    assert window.sample_dock.width() == side_width(window.width())
    places = set()
    for dock in (window.sample_dock, window.stepper_dock, window.neuron_dock, window.draw_dock,
                 window.weights_dock, window.stepper_dock, window.sample_dock):
        dock.raise_()
        qtbot.wait(30)
        bar = side_tab_bar(window)
        places.add((place(bar, window).x(), place(bar, window).y()))
        assert dock.width() == window.sample_dock.width() or not window.sample_dock.isVisible()
    assert len(places) == 1, places


def test_stage_8s_buttons_stay_put_after_taking_the_step(qtbot, window):
    window._show_stepper()
    qtbot.waitUntil(lambda: window.stepper.walk is not None, timeout=5000)
    s = window.stepper
    s.go_to(s.walk.index("step"))
    qtbot.wait(30)
    before = [place(b, window) for b in (s.take_step_button, s.undo_button, s.next_button)]
    with qtbot.waitSignal(window.session.snapshot_ready, timeout=5000):
        s.take_step_button.click()
    qtbot.waitUntil(lambda: s.step_status.text() != "", timeout=2000)
    qtbot.wait(30)
    assert s.step_status.text().startswith("1 step taken")
    assert [place(b, window) for b in (s.take_step_button, s.undo_button, s.next_button)] == before
    s.undo_button.click()
    qtbot.wait(30)
    assert [place(b, window) for b in (s.take_step_button, s.undo_button, s.next_button)] == before


def test_the_side_panels_come_back_to_their_width_after_presentation_mode(qtbot, window):
    width = window.sample_dock.width()
    window.presentation_action.trigger()
    qtbot.wait(50)
    window.presentation_action.trigger()
    qtbot.waitUntil(lambda: window.sample_dock.width() == width, timeout=30_000)  # (loaded: >2 s)


def huge_relu_snapshot() -> Snapshot:
    net = Network([784, 4, 10], activation="relu", seed=0)
    Ws = [np.full_like(W, 1e12) for W in net.weights]
    return Snapshot.of(net.set_parameters(Ws, net.biases) or net)


def test_a_huge_output_fits_beside_its_neuron(network_view):
    snap = huge_relu_snapshot()
    view = network_view(snap, x=np.ones(784))
    out = view.activations()[-1]
    assert out.max() > 1e20
    g = view._geometry()
    fm_label, fm_value = QFontMetricsF(g.fonts["label_bold"]), QFontMetricsF(g.fonts["small"])
    L = len(snap.sizes) - 1
    for j, v in enumerate(out):
        x0 = g.layout.centers[L][j][0] + g.layout.radius[L] + 0.45 * g.line_h
        right = (x0 + fm_label.horizontalAdvance(str(j)) + 0.4 * fm_value.averageCharWidth()
                 + fm_value.horizontalAdvance(explain.activation_text(v)))
        assert right <= view.width(), (j, explain.activation_text(v))


def test_the_output_bars_keep_room_for_a_huge_value(qtbot):
    bars = OutputBars()
    qtbot.addWidget(bars)
    values = np.zeros(10)
    values[2] = -1.6e27
    bars.set_outputs(values, 0)
    font = QFont(bars.font())
    font.setBold(True)  # the widest: the answer's row
    fm = QFontMetricsF(font)
    assert bars.value_room(fm) >= fm.horizontalAdvance(explain.activation_text(values[2]))
    assert explain.activation_text(values[2]) == "−1.6e+27"
