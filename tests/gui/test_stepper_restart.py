"""After a rebuild the stepper opens on the same-named stage, or on the new walk's first stage —
never on whichever stage happens to sit at the old position (what was "Stage 16 of 22")."""

import pytest

from mlpviz.core.network import Network
from mlpviz.core.snapshot import Snapshot
from mlpviz.gui.views.stepper import StepperPanel

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def snap(sizes, seed=0):
    return Snapshot.of(Network(sizes, seed=seed))


@pytest.fixture
def panel(qtbot, bundled):
    p = StepperPanel()
    qtbot.addWidget(p)
    p.resize(700, 800)
    p.set_snapshot(snap([784, 16, 16, 10]))
    p.set_sample(bundled.test_images[1561] / 255.0, 2, "held-out sample #1561")
    p.show()
    qtbot.waitExposed(p)
    return p


@pytest.mark.parametrize("key", ["levers-1", "step", "batch", "cost", "forward-1"])
def test_a_deeper_network_opens_on_the_same_named_stage(panel, key):
    panel.go_to(panel.walk.index(key))
    panel.set_snapshot(snap([784, 16, 16, 16, 16, 10]))
    assert len(panel.walk) > 16
    assert panel.current_stage().key == key
    assert panel.position.text() == panel.walk.position(panel.walk.index(key))


@pytest.mark.parametrize("key", ["sum-2", "levers-2", "forward-3"])
def test_a_stage_the_new_network_has_not_got_gives_the_first_stage(panel, key):
    panel.go_to(panel.walk.index(key))
    panel.set_snapshot(snap([784, 32, 10]))
    assert panel.current_index() == 0
    assert panel.position.text() == panel.walk.position(0) == "Stage 1a of 9"


def test_new_weights_of_the_same_shape_keep_the_stage(panel):
    panel.go_to(9)
    key = panel.current_stage().key
    panel.set_snapshot(snap([784, 16, 16, 10], seed=5))
    assert panel.current_index() == 9 and panel.current_stage().key == key


def test_rebuilding_in_the_window_with_four_hidden_layers(qtbot, window):
    window._show_stepper()
    qtbot.waitUntil(lambda: window.stepper.walk is not None, timeout=5000)
    stepper = window.stepper
    stepper.go_to(stepper.walk.index("sum-2"))
    window.controls.layers.setText("16,16,16,16")
    with qtbot.waitSignal(window.session.network_rebuilt, timeout=5000):
        window.controls.rebuild_button.click()
    qtbot.waitUntil(lambda: len(stepper.walk) == 22, timeout=5000)
    assert stepper.current_stage().key == "sum-2"
    stepper.go_to(len(stepper.walk) - 3)  # the gradient, 20 of 22
    window.controls.layers.setText("16")
    with qtbot.waitSignal(window.session.network_rebuilt, timeout=5000):
        window.controls.rebuild_button.click()
    qtbot.waitUntil(lambda: len(stepper.walk) < 22, timeout=5000)
    assert stepper.current_stage().key == "gradient"
