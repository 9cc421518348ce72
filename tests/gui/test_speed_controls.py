"""The speed slider says what each position means, and training can stop after N epochs by
itself (remembered in the settings)."""

import pytest
from PySide6.QtCore import Qt

from mlpviz.core.datasets import Dataset
from mlpviz.gui import settings
from mlpviz.gui.run_controls import RunControls, speed_text
from mlpviz.gui.session import Session
from mlpviz.gui.worker import MAX_SPEED, batch_delay
from tests.gui.on_screen import on_screen


def test_speed_words_are_the_rate_the_wait_allows():
    assert speed_text(1) == "1 batch/s" and speed_text(MAX_SPEED) == "full speed"
    for v in range(2, MAX_SPEED):
        rate = 1 / batch_delay(v)
        text = speed_text(v)
        number = float(text.split()[-2].replace(",", ""))
        assert number == pytest.approx(rate, abs=0.5), (v, text)
        assert text.startswith("up to") == (rate >= 20)


def test_the_label_follows_the_slider_without_moving_what_is_beside_it(qtbot):
    controls = on_screen(qtbot, RunControls(), 1200, 40)
    places = set()
    for v in (1, 10, 40, 70, 99, 100, 1):
        controls.speed.setValue(v)
        qtbot.wait(1)
        assert controls.speed_label.text() == speed_text(v)
        assert controls.speed_label.fontMetrics().horizontalAdvance(
            controls.speed_label.text()) <= controls.speed_label.width()
        places.add(controls.stop_after.geometry().x())
    assert len(places) == 1
    assert "1 batch/s" in controls.speed.toolTip() and "full speed" in controls.speed.toolTip()


@pytest.fixture
def small_session(bundled):
    d = Dataset("slice", bundled.class_names, bundled.train_images[:500],
                bundled.train_labels[:500], bundled.test_images[:100], bundled.test_labels[:100])
    s = Session(dataset=d, batch_size=100)  # 5 batches an epoch
    yield s
    s.shutdown()


def test_training_pauses_by_itself_after_n_epochs_then_one_more_each_time(qtbot, small_session):
    s = small_session
    s.set_stop_after(3)
    states = []
    s.state_changed.connect(states.append)
    s.start()  # (generous timeouts: at load 11–13 a pause took 20 s to be confirmed)
    qtbot.waitUntil(lambda: states[-1:] == ["paused"] and not s.is_training, timeout=60_000)
    qtbot.wait(50)
    assert len(s.history) == 3 and (s.snapshot.epoch, s.snapshot.batch) == (3, 0)
    s.start()  # past the limit: one more epoch, then pause again
    qtbot.waitUntil(lambda: len(s.history) == 4 and not s.is_training, timeout=60_000)
    qtbot.wait(50)
    assert len(s.history) == 4 and s.snapshot.batch == 0
    s.set_stop_after(0)  # never: one start runs on past epoch 5, where 3 would have stopped it
    s.start()
    qtbot.waitUntil(lambda: len(s.history) >= 6, timeout=60_000)
    s.pause()


def test_a_bad_stop_after_is_refused(qtbot, small_session):
    with qtbot.waitSignal(small_session.failed, timeout=1000):
        small_session.set_stop_after(-1)
    assert small_session.stop_after == 0


def test_the_box_drives_the_session_and_is_remembered(qtbot, window):
    box = window.controls.stop_after
    assert box.value() == 0 and box.text() == "never"
    box.setValue(20)
    assert window.session.stop_after == 20
    assert window._settings_at_exit()["stop_after"] == 20
    values = settings.validate({"stop_after": "20"})
    window._apply_settings(values)
    assert box.value() == 20
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Down)
    assert window.session.stop_after == 19
