"""The assembled window: training from the UI, keys, closing mid-training, files, bad input."""

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

import mlpviz
from mlpviz.core.explain import activation_text
from mlpviz.gui.main_window import MainWindow
from mlpviz.gui.session import Session


def batches_seen(w):
    return w.cost_view.batches_seen()


def test_training_from_the_ui_makes_the_cost_fall(qtbot, window):
    session = window.session
    costs = []
    session.batches_done.connect(lambda reports: costs.extend(r.cost for r in reports))
    qtbot.mouseClick(window.controls.train_button, Qt.LeftButton)
    # Generous timeouts: at load 11–13 (8 suites on 2 cores) a pause took 20 s to be confirmed.
    qtbot.waitUntil(lambda: len(costs) >= 300, timeout=60_000)
    qtbot.mouseClick(window.controls.train_button, Qt.LeftButton)  # pause
    qtbot.waitUntil(lambda: not session.is_training, timeout=60_000)
    assert np.mean(costs[-50:]) < 0.6 * np.mean(costs[:20])
    assert window.controls.train_button.text().endswith("Train")
    # The network view shows the latest snapshot's weights: its activations for the sample on
    # show are the ones the latest parameters give.
    x = window.sample_view.current().x
    qtbot.waitUntil(lambda: all(np.array_equal(a, b) for a, b in zip(
        window.network_view.activations(), session.snapshot.forward_all(x), strict=True)))
    assert session.snapshot.samples_seen >= 300 * 100
    # And the cost plot has every batch trained.
    qtbot.waitUntil(lambda: window.cost_view.batches_seen() == session.snapshot.samples_seen // 100)


def test_keys_train_pause_and_step(qtbot, window):
    session = window.session
    qtbot.keyClick(window, Qt.Key_S)
    qtbot.waitUntil(lambda: session.snapshot.samples_seen == 100, timeout=5000)
    qtbot.keyClick(window, Qt.Key_S)
    qtbot.waitUntil(lambda: session.snapshot.samples_seen == 200, timeout=5000)
    qtbot.keyClick(window, Qt.Key_Space)
    qtbot.waitUntil(lambda: session.is_training, timeout=5000)
    qtbot.keyClick(window, Qt.Key_Space)
    qtbot.waitUntil(lambda: not session.is_training, timeout=5000)
    seen = session.snapshot.samples_seen
    qtbot.wait(300)
    assert session.snapshot.samples_seen == seen  # paused means no more batches


def test_closing_mid_training_stops_the_thread(qtbot, dataset):
    w = MainWindow(Session(dataset=dataset), restore=False)
    qtbot.addWidget(w)
    w.show()
    w.session.start()
    qtbot.waitUntil(lambda: w.session.is_training, timeout=60_000)  # (5 s failed at load 11)
    thread = w.session.thread
    w.close()
    assert not thread.isRunning()


def test_reset_restores_the_seeded_weights(qtbot, window):
    first = window.session.snapshot.weights[0].copy()
    qtbot.keyClick(window, Qt.Key_S)
    qtbot.waitUntil(lambda: window.session.snapshot.samples_seen == 100, timeout=5000)
    assert not np.array_equal(window.session.snapshot.weights[0], first)
    qtbot.keyClick(window, Qt.Key_R)
    qtbot.waitUntil(lambda: window.session.snapshot.samples_seen == 0, timeout=5000)
    assert np.array_equal(window.session.snapshot.weights[0], first)


def test_corrupt_model_gives_a_message_and_keeps_the_network(qtbot, window, tmp_path):
    bad = tmp_path / "broken.npz"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip")
    before = window.session.snapshot.weights[0].copy()
    window.session.open_model(str(bad))
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=3000)
    assert "broken.npz" in window.banner.text()
    assert np.array_equal(window.session.snapshot.weights[0], before)


def test_bad_hidden_layers_give_a_message(qtbot, window):
    window.controls.layers.setText("16,abc")
    qtbot.mouseClick(window.controls.rebuild_button, Qt.LeftButton)
    assert "cannot be built" in window.banner.text()
    assert window.session.sizes == (784, 16, 16, 10)


def test_rebuild_changes_the_architecture(qtbot, window):
    window.controls.layers.setText("32")
    with qtbot.waitSignal(window.session.network_rebuilt, timeout=5000):
        qtbot.mouseClick(window.controls.rebuild_button, Qt.LeftButton)
    assert window.session.sizes == (784, 32, 10)
    # The sample on show goes through the new network: three layers, 32 hidden activations.
    shown = window.network_view.activations()
    assert [a.shape for a in shown] == [(784,), (32,), (10,)]
    want = window.session.snapshot.forward_all(window.sample_view.current().x)
    for a, b in zip(shown, want, strict=True):
        np.testing.assert_array_equal(a, b)


def test_diverging_learning_rate_pauses_with_a_message(qtbot, window):
    window.controls.activation.setCurrentText("relu")
    with qtbot.waitSignal(window.session.network_rebuilt, timeout=5000):
        qtbot.mouseClick(window.controls.rebuild_button, Qt.LeftButton)
    window.controls.lr.setValue(1000.0)
    window.session.start()
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=10_000)
    assert "learning rate" in window.banner.text()
    qtbot.waitUntil(lambda: not window.session.is_training, timeout=5000)
    assert all(np.isfinite(W).all() for W in window.session.snapshot.weights)


def test_export_png_and_csv(qtbot, window, tmp_path):
    window.session.step_epoch()
    qtbot.waitUntil(lambda: len(window.session.history) == 1, timeout=20_000)
    png, table = tmp_path / "view.png", tmp_path / "history.csv"
    assert window.export_png(str(png))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert window.export_csv(str(table))
    with table.open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1
    assert float(rows[0]["test_accuracy"]) == pytest.approx(window.session.history[0].test_accuracy)


def test_the_status_bar_says_where_training_is_and_when_its_accuracy_was_measured(qtbot, window):
    window.session.step_epoch()
    qtbot.waitUntil(lambda: len(window.session.history) == 1, timeout=20_000)
    window.session.step_batch()
    qtbot.waitUntil(lambda: window.session.snapshot.batch == 1, timeout=20_000)
    assert window.status_epoch.text().strip() == "epoch 2, batch 1"
    assert window.status_accuracy.text().strip().endswith("(end of epoch 1)")


def test_presentation_mode_enlarges_type(qtbot, window):
    from PySide6.QtWidgets import QApplication

    before = QApplication.font().pointSizeF()
    window.presentation_action.trigger()
    assert QApplication.font().pointSizeF() > before
    window.presentation_action.trigger()
    assert QApplication.font().pointSizeF() == pytest.approx(before)


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen only
def test_what_am_i_looking_at_follows_the_network_on_show(qtbot, window):
    assert window.help_dialog is None
    qtbot.keyClick(window, Qt.Key_H)
    dialog = window.help_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    assert not dialog.isModal()  # the class keeps watching the network behind it
    assert "13,002 parameters" in dialog.text() and "784·16 + 16·16 + 16·10" in dialog.text()
    assert window.status_structure.text().startswith("784 → 16 → 16 → 10 · 13,002 parameters")
    assert "12,960 weights" in window.status_structure.toolTip()
    window.controls.layers.setText("32")
    with qtbot.waitSignal(window.session.network_rebuilt, timeout=5000):
        qtbot.mouseClick(window.controls.rebuild_button, Qt.LeftButton)
    assert "784·32 + 32·10 = 25,408 weights" in dialog.text()  # updated while open
    assert "25,450 parameters" in dialog.text() and "13,002" not in dialog.text()
    assert window.status_structure.text().startswith("784 → 32 → 10 · 25,450 parameters")
    dialog.close()


def test_batch_size_reaches_the_stepper(qtbot, window):
    window.controls.batch.setValue(25)
    assert window.session.batch_size == 25
    window.stepper_dock.show()
    window.stepper_dock.raise_()
    qtbot.waitUntil(lambda: window.stepper.walk is not None, timeout=5000)
    assert "mini-batches of 25 (the batch box)" in window.stepper.walk.stage("batch").text


def test_noise_from_the_pad_goes_into_the_network(qtbot, window):
    window.draw_dock.show()
    window.draw_dock.raise_()
    qtbot.mouseClick(window.drawing_pad.noise_button, Qt.LeftButton)
    x = window.drawing_pad.current_input()
    assert window.drawing_pad.is_noise() and x.std() > 0.2  # noise, not a digit
    np.testing.assert_array_equal(window.network_view.activations()[0], x)
    assert window._shown.description == "random noise"
    out = window.session.snapshot.network().forward(x)
    answer = window.session.dataset.class_names[int(np.argmax(out))]
    article = "an" if answer == "8" else "a"
    assert window.drawing_pad.prediction_label.text().startswith(f"It's {article} {answer} (")
    assert not window.drawing_pad.noise_note.isHidden()


@pytest.mark.parametrize("cost", ["mse", "cross_entropy"])
def test_the_drawings_answer_gives_the_same_number_as_the_output_neuron(qtbot, window, cost):
    # "It's a 2 (activation 0.30)" beside an output circle reading 0.30, not a share of all ten
    # outputs; "%" only where the outputs are shares of 1 (softmax)
    with qtbot.waitSignal(window.session.network_rebuilt, timeout=5000):
        window.session.rebuild([784, 16, 10], "sigmoid", cost, 0)
    window.draw_dock.show()
    window.draw_dock.raise_()
    qtbot.mouseClick(window.drawing_pad.noise_button, Qt.LeftButton)
    out = window.session.snapshot.network().forward(window.drawing_pad.current_input())
    text = window.drawing_pad.prediction_label.text()
    softmax = window.session.snapshot.cost_fn.softmax_output
    assert softmax == (cost == "cross_entropy")
    if softmax:
        assert text.endswith(f"({out.max() * 100:.0f} %)")
    else:
        assert text.endswith(f"(activation {activation_text(out.max())})") and "%" not in text


# -- lines coloured by ∂C/∂w: one state (the G action), the stepper's checkbox shows it -------
def is_backprop_of(grad_w, snap, x, label) -> bool:
    """Whether grad_w is ∂C/∂W of sample (x, label) on these weights, exactly."""
    want = snap.network().backprop(x, label).grad_w
    return grad_w is not None and all(np.array_equal(a, b) for a, b in zip(grad_w, want,
                                                                            strict=True))


def test_g_and_the_steppers_checkbox_are_one_state(qtbot, window):
    qtbot.keyClick(window, Qt.Key_G)
    assert window.gradient_action.isChecked() and window.stepper.gradient_toggle.isChecked()
    window._show_stepper()
    qtbot.waitUntil(lambda: window.stepper.walk is not None, timeout=5000)
    window.stepper.gradient_toggle.click()
    assert not window.gradient_action.isChecked()
    assert not window.stepper.gradient_toggle.isChecked()
    window.stepper.gradient_toggle.click()
    assert window.gradient_action.isChecked()
    qtbot.keyClick(window, Qt.Key_G)
    assert not window.stepper.gradient_toggle.isChecked()


def test_the_gradient_follows_the_sample_and_the_weights(qtbot, window, gradients):
    s = window.session
    qtbot.keyClick(window, Qt.Key_G)
    sample = window.sample_view.current()
    assert is_backprop_of(gradients[-1], s.snapshot, sample.x, sample.label)
    window.sample_view.select(sample.index + 1)  # another sample
    sample = window.sample_view.current()
    assert is_backprop_of(gradients[-1], s.snapshot, sample.x, sample.label)
    before = gradients[-1]
    qtbot.keyClick(window, Qt.Key_S)  # other weights
    qtbot.waitUntil(lambda: s.snapshot.samples_seen == 100, timeout=5000)
    qtbot.waitUntil(lambda: is_backprop_of(gradients[-1], s.snapshot, sample.x, sample.label))
    assert not all(np.array_equal(a, b) for a, b in zip(before, gradients[-1]))
    window.draw_dock.show()
    window.draw_dock.raise_()
    qtbot.mouseClick(window.drawing_pad.noise_button, Qt.LeftButton)  # a drawing
    x = window.drawing_pad.current_input()
    assert gradients[-1] is None  # no label yet: no cost, no gradient
    window.drawn_label.setCurrentIndex(3)  # "I drew a 3"
    assert is_backprop_of(gradients[-1], s.snapshot, x, 3)
    qtbot.keyClick(window, Qt.Key_G)
    assert gradients[-1] is None


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen only
def test_in_the_stepper_the_lines_show_the_steppers_gradient(qtbot, window, gradients):
    window._show_stepper()
    qtbot.waitUntil(lambda: window.stepper.walk is not None, timeout=5000)
    window.stepper.gradient_toggle.click()
    assert all(np.array_equal(a, b) for a, b in zip(
        gradients[-1], window.stepper.walk.trace.grad_w, strict=True))
    window.sample_dock.raise_()  # leaving the stepper keeps the one state
    qtbot.waitUntil(lambda: not window._stepping, timeout=2000)
    assert window.gradient_action.isChecked() and gradients[-1] is not None


def test_app_starts_and_renders_a_screenshot_in_a_subprocess(tmp_path):
    out = tmp_path / "shot.png"
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "MLPVIZ_SETTINGS_ORG": "mlpviz-tests", "OPENBLAS_NUM_THREADS": "1",
           "PYTHONPATH": str(Path(mlpviz.__file__).resolve().parents[1])}  # this copy of mlpviz
    proc = subprocess.run([sys.executable, "-m", "mlpviz", "--screenshot", str(out),
                           "--train-steps", "20"], env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)


def test_a_window_without_restore_leaves_the_users_settings_alone(qtbot, bundled):
    from mlpviz.gui.settings import store as settings

    st = settings()
    st.setValue("activation", "tanh")
    st.sync()
    w = MainWindow(Session(dataset=bundled, activation="relu"), restore=False)
    qtbot.addWidget(w)
    w.show()
    w.close()
    assert settings().value("activation") == "tanh"
    remembered = MainWindow(Session(dataset=bundled, activation="relu"), restore=True)
    qtbot.addWidget(remembered)
    remembered.show()
    remembered.close()
    assert settings().value("activation") == "relu"


def test_the_network_shows_what_the_visible_input_panel_shows(qtbot, window):
    sample = window.sample_view.current()
    window.draw_dock.show()
    window.draw_dock.raise_()
    x = np.zeros(784)
    x[14 * 28 + 10:14 * 28 + 18] = 1.0  # a short bar
    window.drawing_pad.drawing_changed.emit(x)
    assert np.array_equal(window.network_view.activations()[0], x)
    # nobody said which digit it is: "I drew a" asks, it never takes the network's guess
    assert window.drawn_label.currentIndex() == -1
    assert window.drawn_label.placeholderText() == "which digit?"
    window.sample_dock.show()
    window.sample_dock.raise_()
    qtbot.waitUntil(lambda: np.array_equal(window.network_view.activations()[0], sample.x))
    window.draw_dock.raise_()
    qtbot.waitUntil(lambda: np.array_equal(window.network_view.activations()[0], x))


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen only
def test_the_walk_of_a_drawing_starts_when_the_user_says_which_digit(qtbot, window):
    """Drawing a 7 on an untrained network must not start a walk of the network's guess."""
    window._show_stepper()
    qtbot.waitUntil(lambda: window.stepper.walk is not None, timeout=5000)
    window.draw_dock.show()
    window.draw_dock.raise_()
    x = np.zeros(784)
    x[5 * 28 + 8:5 * 28 + 20] = 1.0  # the bar of a 7 …
    x[[6 * 28 + 19, 8 * 28 + 17, 10 * 28 + 15, 12 * 28 + 14, 15 * 28 + 13, 18 * 28 + 12]] = 1.0
    window.drawing_pad.drawing_changed.emit(x)
    window._show_stepper()
    qtbot.waitUntil(lambda: "Which digit did you draw?" in window.stepper.text.text(),
                    timeout=5000)
    assert window.stepper.walk is None and "no label yet" in window.stepper.hint.text()
    window.drawn_label.setCurrentIndex(7)
    qtbot.waitUntil(lambda: window.stepper.walk is not None, timeout=5000)
    assert window.stepper.walk.trace.label == 7
    assert np.array_equal(window.stepper.walk.trace.x, x)
    window.drawing_pad.clear()  # a cleared pad forgets the choice
    assert window.drawn_label.currentIndex() == -1


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen only
def test_a_stage_built_on_old_weights_is_marked_and_rebuilt(qtbot, window):
    """Training with the stepper open: the stage on show says it is out of date, and is rebuilt
    on the newest weights when the user steps, or when training pauses."""
    s, stepper = window.session, window.stepper
    window._show_stepper()
    qtbot.waitUntil(lambda: stepper.walk is not None, timeout=5000)
    stepper.go_to(stepper.walk.index("wants"))
    built_on = stepper.walk.trace.W[0].copy()
    overlays = []
    stepper.overlay_changed.connect(overlays.append)
    s.start()  # (generous timeouts: a loaded machine is 10× slower; they cost nothing if it works)
    qtbot.waitUntil(lambda: stepper.stale_note.isVisible(), timeout=60_000)
    assert "Out of date" in stepper.stale_note.text()
    assert overlays[-1].caption.startswith("Out of date")  # the network view says so too
    assert np.array_equal(stepper.walk.trace.W[0], built_on)  # nothing rebuilt behind the user
    stepper.next_stage()  # a step rebuilds on the newest weights
    assert not stepper.stale_note.isVisible()
    assert not np.array_equal(stepper.walk.trace.W[0], built_on)
    assert stepper.current_stage().key == "lever-bias"
    rebuilt_on = stepper.walk.trace.W[0].copy()
    qtbot.waitUntil(lambda: not np.array_equal(s.snapshot.weights[0], rebuilt_on),
                    timeout=60_000)  # training moves on again …
    s.pause()  # … and pausing rebuilds the stage on the newest weights
    qtbot.waitUntil(lambda: not s.is_training, timeout=60_000)
    qtbot.waitUntil(lambda: not stepper.stale_note.isVisible(), timeout=5000)
    assert np.array_equal(stepper.walk.trace.W[0], s.snapshot.weights[0])
