"""The η box: it shows the rate actually used, Rebuild resets it to the new network's default
unless the user changed it since the last rebuild, and the banner carries the not-learning hint."""

from PySide6.QtCore import Qt

from mlpviz.core.network import Network
from mlpviz.core.training import default_lr
from mlpviz.gui.run_controls import LR_RANGE


def _rebuild(qtbot, window, activation, cost):
    window.controls.activation.setCurrentText(activation)
    window.controls.cost.setCurrentText(cost)
    with qtbot.waitSignal(window.session.network_rebuilt, timeout=5000):
        qtbot.mouseClick(window.controls.rebuild_button, Qt.LeftButton)


def test_rebuild_resets_eta_to_the_default_unless_the_user_changed_it(qtbot, window):
    _rebuild(qtbot, window, "relu", "mse")
    want = default_lr("mse", "relu", 2)
    assert window.session.lr == window.controls.lr.value() == want
    window.controls.lr.setValue(1000.0)  # the user's choice …
    _rebuild(qtbot, window, "tanh", "mse")
    assert window.session.lr == 1000.0  # … is kept by the next rebuild,
    _rebuild(qtbot, window, "sigmoid", "cross_entropy")
    want = default_lr("cross_entropy", "sigmoid", 2)  # and the one after resets it
    assert window.session.lr == window.controls.lr.value() == want


def test_the_box_shows_the_rate_a_model_was_trained_at(qtbot, window, tmp_path):
    for lr in (0.0004, 5000.0, 0.000123456):
        path = tmp_path / f"m{lr}.npz"
        Network([784, 16, 16, 10], seed=1).save(path, metadata={"lr": lr})
        with qtbot.waitSignal(window.session.network_rebuilt, timeout=5000):
            window.session.open_model(path)
        assert window.session.lr == lr
        assert window.controls.lr.value() == lr
        assert window.controls.lr.text() == f"{lr:g}"


def test_a_rate_beyond_the_box_is_refused_aloud(qtbot, window):
    window.controls.show_lr(LR_RANGE[1] * 10)
    assert window.banner.isVisible() and "outside what the η box holds" in window.banner.text()
    assert window.session.lr == window.controls.lr.value() == LR_RANGE[1]


def test_a_collapsing_run_gets_a_hint_in_the_banner(qtbot, window):
    _rebuild(qtbot, window, "relu", "mse")
    window.controls.lr.setValue(3.0)
    with qtbot.waitSignal(window.session.epoch_done, timeout=30_000):
        window.session.step_epoch()
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=5000)
    assert "units give relu'(z) = 0" in window.banner.text()
    assert "Lower the learning rate η from 3 to" in window.banner.text()
