"""File › Save lesson… / Open lesson…: save, change everything, open — every field comes back
bit for bit (weights, history, sample, drawing, stage, view); a bad file changes nothing."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from mlpviz.core.lesson_file import read_lesson
from mlpviz.gui.side_tabs import show_tab


def train(qtbot, session, epochs: int = 1, batches: int = 0) -> None:
    for _ in range(epochs):
        with qtbot.waitSignal(session.epoch_done, timeout=30_000):
            session.step_epoch()
        qtbot.waitUntil(lambda: not session.is_training, timeout=5000)
    for _ in range(batches):
        with qtbot.waitSignal(session.snapshot_ready, timeout=5000):
            session.step_batch()


def set_up_lesson(qtbot, window) -> None:
    """A lesson unlike the window's defaults in every field."""
    s = window.session
    with qtbot.waitSignal(s.network_rebuilt, timeout=5000):
        s.rebuild([784, 12, 10], "tanh", "cross_entropy", 7, lr=0.37)
    window.controls.batch.setValue(25)
    train(qtbot, s, epochs=1, batches=3)
    window.sample_view.select(17, "train")
    drawing = np.random.default_rng(3).random(784)
    window.drawn_label.setCurrentIndex(4)
    window.drawing_pad.show_input(drawing)
    window.light_action.trigger()
    show_tab(window, "sample")
    show_tab(window, "backprop")
    qtbot.waitUntil(lambda: window.stepper.walk is not None, timeout=5000)
    window.stepper.go_to(5)


def change_everything(qtbot, window) -> None:
    s = window.session
    with qtbot.waitSignal(s.network_rebuilt, timeout=5000):
        s.rebuild([784, 16, 16, 10], "sigmoid", "mse", 1)
    train(qtbot, s, batches=2)
    window.sample_view.select(3, "test")
    window.drawing_pad.clear()
    window.dark_action.trigger()
    window.presentation_action.trigger()
    show_tab(window, "weights")


def test_a_lesson_round_trips_every_field_bit_for_bit(qtbot, window, tmp_path,
                                                      assert_same_lesson):
    set_up_lesson(qtbot, window)
    saved = window.lesson.gather()
    curve = window.cost_view.batch_points()
    assert len(curve.x) == 8000 // 25 + 3  # one point per mini-batch so far
    assert saved.stage == 5 and saved.tab == "backprop" and saved.source == "sample"
    assert saved.sample == ("train", 17) and saved.drawing_label == 4 and saved.theme == "light"
    assert saved.record.epochs == 1 and len(saved.record.history) == 1
    assert window.lesson.save(tmp_path / "l.mlpviz")
    assert_same_lesson(read_lesson(tmp_path / "l.mlpviz"), saved)

    change_everything(qtbot, window)
    changed = window.lesson.gather()
    assert changed.sizes != saved.sizes and changed.tab == "weights" and changed.presentation

    with qtbot.waitSignal(window.lesson.opened, timeout=10_000):
        assert window.lesson.open(tmp_path / "l.mlpviz")
    assert_same_lesson(window.lesson.gather(), saved)
    s = window.session
    for W, V in zip(s.snapshot.weights, saved.weights):
        assert np.array_equal(W, V)
    assert s.history == list(saved.record.history)
    assert (s.lr, s.batch_size, s.seed) == (0.37, 25, 7)
    assert window.stepper.current_index() == 5
    assert window.sample_view.current().index == 17
    assert np.array_equal(window.drawing_pad.current_input(), saved.drawing)
    assert [r["epoch"] for r in window.cost_view.history_rows()] == [1]  # the plot follows
    for a, b in zip(window.cost_view.batch_points(), curve):  # its mini-batch curve too
        assert np.array_equal(a, b)
    assert not window.banner.isVisible()


def test_the_drawing_on_show_comes_back_on_show(qtbot, window, tmp_path, assert_same_lesson):
    window.sample_view.select(2, "test")
    window.drawing_pad.show_input(np.linspace(0, 1, 784))
    show_tab(window, "draw")
    saved = window.lesson.gather()
    assert saved.source == "drawing" and saved.tab == "draw" and saved.drawing_label is None
    assert window.lesson.save(tmp_path / "d.mlpviz")
    change_everything(qtbot, window)
    with qtbot.waitSignal(window.lesson.opened, timeout=10_000):
        window.lesson.open(tmp_path / "d.mlpviz")
    assert_same_lesson(window.lesson.gather(), saved)  # its source: the drawing on show
    assert window.sample_view.visibleRegion().isEmpty()  # the Draw tab is in front


@pytest.mark.parametrize("content, words", [
    (b"not a zip at all", "not a lesson file"),
    (b"", "not a lesson file"),
])
def test_a_bad_file_says_why_and_changes_nothing(qtbot, window, tmp_path, content, words,
                                                 assert_same_lesson):
    before = window.lesson.gather()
    (tmp_path / "bad.mlpviz").write_bytes(content)
    assert not window.lesson.open(tmp_path / "bad.mlpviz")
    assert window.banner.isVisible() and words in window.banner.text()
    assert "Could not open the lesson" in window.banner.text()
    assert_same_lesson(window.lesson.gather(), before)


def test_a_model_file_opened_as_a_lesson_is_told_apart(qtbot, window, tmp_path):
    assert window.session.save_model(tmp_path / "m.npz")
    assert not window.lesson.open(tmp_path / "m.npz")
    assert "an mlpviz model file, not a lesson" in window.banner.text()


def test_a_lesson_on_data_that_is_not_here_is_not_opened(qtbot, window, tmp_path,
                                                         assert_same_lesson):
    import dataclasses

    from mlpviz.core.lesson_file import write_lesson

    state = dataclasses.replace(window.lesson.gather(), dataset=str(tmp_path / "no-such-data"))
    write_lesson(tmp_path / "away.mlpviz", state)
    before = window.lesson.gather()
    window.lesson.open(tmp_path / "away.mlpviz")
    qtbot.waitUntil(lambda: "was not opened" in window.banner.text(), timeout=10_000)
    assert "no-such-data" in window.banner.text()
    assert_same_lesson(window.lesson.gather(), before)


def test_sections_plug_in_and_unknown_ones_are_named(qtbot, window, tmp_path):
    kept = {}
    window.lesson.add_section("pins", lambda: {"which": np.array([[1, 2, 0]])}, kept.update)
    assert window.lesson.save(tmp_path / "p.mlpviz")
    assert read_lesson(tmp_path / "p.mlpviz").groups["pins"]["which"].tolist() == [[1, 2, 0]]
    with qtbot.waitSignal(window.lesson.opened, timeout=10_000):
        window.lesson.open(tmp_path / "p.mlpviz")
    assert kept["which"].tolist() == [[1, 2, 0]]

    window.lesson._sections.clear()  # an mlpviz without pins opens it too, and says so
    with qtbot.waitSignal(window.lesson.opened, timeout=10_000):
        window.lesson.open(tmp_path / "p.mlpviz")
    assert "does not show the lesson's pins" in window.banner.text()


def test_the_shortcuts_open_the_file_dialogs(qtbot, window, monkeypatch):
    asked = []
    monkeypatch.setattr("mlpviz.gui.lesson_io.QFileDialog.getSaveFileName",
                        lambda *a: (asked.append("save"), ("", ""))[1])
    monkeypatch.setattr("mlpviz.gui.lesson_io.QFileDialog.getOpenFileName",
                        lambda *a: (asked.append("open"), ("", ""))[1])
    qtbot.keyClick(window, Qt.Key_S, Qt.ControlModifier | Qt.ShiftModifier)
    qtbot.keyClick(window, Qt.Key_O, Qt.ControlModifier | Qt.ShiftModifier)
    assert asked == ["save", "open"]


def test_the_command_line_opens_a_lesson_exactly(qtbot, window, tmp_path, monkeypatch,
                                                 assert_same_lesson):
    """`mlpviz FILE.mlpviz --screenshot OUT.png` (what a double-click runs, plus a picture):
    the window it draws holds the lesson, every field, bit for bit; nothing is trained."""
    from mlpviz.cli import main
    from mlpviz.gui import app

    set_up_lesson(qtbot, window)
    saved = window.lesson.gather()
    window.lesson.save(tmp_path / "l.mlpviz")
    drawn = []
    real_close = app._close
    monkeypatch.setattr(app, "_close", lambda w: (drawn.append(w.lesson.gather()),
                                                  real_close(w)))
    assert main([str(tmp_path / "l.mlpviz"), "--screenshot", str(tmp_path / "s.png")]) == 0
    assert (tmp_path / "s.png").stat().st_size > 10_000
    assert_same_lesson(drawn[0], saved)


def test_a_bad_lesson_on_the_command_line_is_one_error_line(tmp_path, capsys):
    from mlpviz.cli import main

    (tmp_path / "bad.mlpviz").write_bytes(b"PK\x03\x04 truncated")
    assert main([str(tmp_path / "bad.mlpviz"), "--screenshot", str(tmp_path / "s.png")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a lesson file" in err and "Traceback" not in err
    assert not (tmp_path / "s.png").exists()
    assert main(["--lesson", "a.mlpviz", "--model", "m.npz"]) == 2
    assert "not both" in capsys.readouterr().err


def test_a_damaged_section_is_named_and_the_rest_opens(qtbot, window, tmp_path):
    import dataclasses

    from mlpviz.core.lesson_file import write_lesson

    train(qtbot, window.session, epochs=0, batches=2)
    state = window.lesson.gather()
    bad = {**state.groups["cost_curve"], "bins": np.zeros((4, 3))}
    write_lesson(tmp_path / "c.mlpviz", dataclasses.replace(state, groups={"cost_curve": bad}))
    with qtbot.waitSignal(window.session.network_rebuilt, timeout=5000):
        window.session.reset()
    with qtbot.waitSignal(window.lesson.opened, timeout=10_000):
        window.lesson.open(tmp_path / "c.mlpviz")
    assert "its cost curve could not be read (not a series" in window.banner.text()
    assert np.array_equal(window.session.snapshot.weights[0], state.weights[0])
