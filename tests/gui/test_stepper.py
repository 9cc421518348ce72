"""StepperPanel: walks the stages (buttons, list, ← / →), shows the trace's own numbers, takes a
gradient step and undoes it bit for bit, runs the gradient check, explains a clicked weight."""

import dataclasses
import runpy
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from mlpviz.core.minibatch import minibatch_with
from mlpviz.core.network import Network
from mlpviz.core.presenting import find_stage
from mlpviz.core.snapshot import Snapshot
from mlpviz.core.trace_export import load_trace
from mlpviz.core.notation import parse_number
from mlpviz.gui.views.stepper import StepperPanel

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture(scope="module")
def data(bundled):
    y = bundled.test_labels.astype(int)
    i = int(np.nonzero(y == 2)[0][0])
    x = bundled.test_images[i] / 255.0
    return x, i, minibatch_with(bundled.train_images, bundled.train_labels, 8, x, 2, "test", i)


@pytest.fixture
def net():
    return Network([784, 16, 16, 10], seed=0)


@pytest.fixture
def panel(qtbot, data, net):
    x, i, batch = data
    p = StepperPanel()
    qtbot.addWidget(p)
    p.resize(700, 800)
    p.set_snapshot(Snapshot.of(net))
    p.set_sample(x, 2, f"held-out sample #{i}")
    p.set_batch(batch)
    p.show()
    qtbot.waitExposed(p)
    return p


def cell(panel, r, c):
    item = panel.table.item(r, c)
    return item.text(), item.data(Qt.ItemDataRole.UserRole)


def test_empty_panel_says_what_to_do(qtbot):
    p = StepperPanel()
    qtbot.addWidget(p)
    p.show()
    assert p.current_stage() is None
    assert not p.next_button.isEnabled() and not p.check_button.isEnabled()
    assert "sample" in p.text.text()
    p.next_stage()  # nothing to do, no error
    p.explain_weight(0, 0, 0)


def test_buttons_list_and_keys_walk_the_stages(qtbot, panel):
    n = panel.stage_count()
    assert n == 16 and panel.stage_list.count() == n
    assert panel.current_index() == 0 and not panel.back_button.isEnabled()
    qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)
    assert panel.current_index() == 1
    qtbot.keyClick(panel, Qt.Key.Key_Right)
    qtbot.keyClick(panel, Qt.Key.Key_Right)
    assert panel.current_index() == 3
    assert panel.current_stage().key == "forward-3"
    assert panel.title.text() == panel.current_stage().title
    assert panel.stage_list.currentRow() == 3
    qtbot.keyClick(panel, Qt.Key.Key_Left)
    assert panel.current_index() == 2
    panel.stage_list.setFocus()  # the keys work with the focus anywhere in the window
    qtbot.keyClick(panel.stage_list, Qt.Key.Key_Right)
    assert panel.current_index() == 3
    qtbot.mouseClick(panel.back_button, Qt.MouseButton.LeftButton)
    assert panel.current_index() == 2
    panel.stage_list.setCurrentRow(9)
    assert panel.current_stage().key == "sum-2"
    panel.go_to(100)
    assert panel.current_index() == n - 1 and not panel.next_button.isEnabled()
    panel.next_stage()
    assert panel.current_index() == n - 1


def test_one_numbering_in_the_list_the_title_and_the_footer(panel):
    """The list says "3 · What they want", the title "3 · …" and the footer "Stage 3 of 9": the
    stage's own number everywhere, never its position among the 16 pages."""
    labels = []
    for i in range(panel.stage_count()):
        panel.go_to(i)
        label = panel.stage_list.item(i).text().split(" · ")[0]
        assert panel.title.text().startswith(label + " · ")
        assert panel.position.text() == f"Stage {label} of 9"
        labels.append(label)
    assert labels[:6] == ["1a", "1b", "1c", "1d", "2", "3"] and labels[-1] == "9"
    panel.explain_weight(2, 1, 3)
    assert panel.position.text() == "← back to stage 9"


# ← / → (and Page Up / Page Down) are the main window's actions now: tests/gui/test_keys.py.


def test_table_cells_are_the_traces_numbers(panel):
    t = panel.walk.trace
    panel.go_to(panel.walk.index("wants"))
    assert panel.table.rowCount() == 10
    for j in range(10):
        text, v = cell(panel, j, 3)
        assert v == -t.grad_a[3][j]
        assert parse_number(text) == pytest.approx(v, rel=5.01e-4)
        assert cell(panel, j, 1)[1] == t.a[3][j]
        assert panel.table.item(j, 3).toolTip() == repr(v)
    assert panel.table.item(2, 0).font().bold()  # the right answer's row
    up, down = panel.table.item(2, 3), panel.table.item(0, 3)  # green, red
    assert up.foreground().color() != down.foreground().color()

    panel.go_to(panel.walk.index("sum-2"))
    assert panel.table.columnCount() == 12
    for k in range(16):
        assert cell(panel, k, 1)[1] == -t.grad_a[2][k]
        wishes = [cell(panel, k, c)[1] for c in range(2, 12)]
        np.testing.assert_array_equal(wishes, -t.wishes[2][:, k])
        assert sum(wishes) == pytest.approx(-t.grad_a[2][k], rel=1e-12, abs=1e-17)


def test_overlays_follow_the_stages_when_active(qtbot, panel):
    with qtbot.waitSignal(panel.overlay_changed) as sig:
        panel.activate()
    assert sig.args[0] is panel.current_stage().overlay
    with qtbot.waitSignal(panel.overlay_changed) as sig:
        panel.next_stage()
    assert sig.args[0].lit_layers == 2
    with qtbot.waitSignal(panel.overlay_changed) as sig:
        panel.deactivate()
    assert sig.args[0] is None
    with qtbot.assertNotEmitted(panel.overlay_changed):
        panel.next_stage()


def test_gradient_toggle_is_a_view_of_the_windows_state(qtbot, panel):
    # The panel only reports the user's tick; the window owns the state and ticks it back.
    with qtbot.waitSignal(panel.gradient_toggled) as sig:
        panel.gradient_toggle.setChecked(True)
    assert sig.args == [True]
    with qtbot.assertNotEmitted(panel.gradient_toggled):
        panel.set_gradient_shown(False)
        panel.set_gradient_shown(True)
    assert panel.gradient_toggle.isChecked()
    with qtbot.waitSignal(panel.gradient_toggled) as sig:
        qtbot.mouseClick(panel.gradient_toggle, Qt.MouseButton.LeftButton)
    assert sig.args == [False]


def test_getters_build_nothing_while_hidden(qtbot, data, net, monkeypatch):
    from mlpviz.gui.views import stepper

    builds = []
    real = stepper.build_walk
    monkeypatch.setattr(stepper, "build_walk", lambda *a, **k: builds.append(1) or real(*a, **k))
    p = StepperPanel()
    qtbot.addWidget(p)
    p.set_snapshot(Snapshot.of(net))
    p.set_sample(data[0], 2, "held-out sample")
    for _ in range(3):  # asking is not an event: nothing is built, nothing stale is answered
        assert p.walk is None and p.current_stage() is None and p.stage_count() == 0
    assert builds == []
    p.show()  # being shown is
    qtbot.waitExposed(p)
    assert len(builds) == 1 and p.stage_count() == 16
    p.current_stage(), p.walk, p.stage_count()
    assert len(builds) == 1
    p.hide()
    p.set_lr(1.0)
    assert p.walk is None and len(builds) == 1
    p.explain_weight(0, 3, 400)  # so is an action that needs the walk
    assert len(builds) == 2 and p.current_stage().key == "weight"


def test_step_and_undo_restore_the_weights_bit_for_bit(qtbot, panel, net):
    proposed = []

    def session_apply(weights, biases):  # what Session.apply_parameters does, then snapshot_ready
        proposed.append((weights, biases))
        panel.set_snapshot(Snapshot.of(Network.from_parameters(
            net.sizes, net.activation, net.cost, weights, biases)))

    panel.parameters_proposed.connect(session_apply)
    panel.set_lr(3.0)
    panel.go_to(panel.walk.index("step"))
    assert panel.take_step_button.isVisible() and not panel.undo_button.isEnabled()
    t = panel.walk.trace
    cost_before = t.cost
    qtbot.mouseClick(panel.take_step_button, Qt.MouseButton.LeftButton)
    weights, biases = proposed[-1]
    for l in range(3):
        np.testing.assert_array_equal(weights[l], net.weights[l] - 3.0 * t.grad_w[l])
        np.testing.assert_array_equal(biases[l], net.biases[l] - 3.0 * t.grad_b[l])
    assert panel.current_stage().key == "step"  # the stage index is kept
    assert panel.walk.trace.cost < cost_before  # the walk now explains the stepped network
    assert panel.undo_button.isEnabled() and "Undo" in panel.step_status.text()
    panel.take_step()  # a second step; two undos go back to the start
    panel.undo_step()
    qtbot.mouseClick(panel.undo_button, Qt.MouseButton.LeftButton)
    weights, biases = proposed[-1]
    for l in range(3):
        assert np.array_equal(weights[l], net.weights[l])
        assert np.array_equal(biases[l], net.biases[l])
    assert panel.walk.trace.cost == cost_before
    assert not panel.undo_button.isEnabled()


def test_undo_is_forgotten_when_the_network_moves_on(panel, net):
    panel.go_to(panel.walk.index("step"))
    panel.take_step()  # nobody applies it: then training moves the network elsewhere
    assert panel.undo_button.isEnabled()
    panel.set_snapshot(Snapshot.of(Network([784, 16, 16, 10], seed=9)))
    assert not panel.undo_button.isEnabled()


def test_gradient_check_passes_then_catches_a_broken_backprop(panel, monkeypatch):
    report = panel.run_gradient_check()
    assert report.ok and report.max_rel_error < 1e-6
    assert panel.current_stage().key == "gradcheck"
    assert panel.table.rowCount() == len(report.rows)
    mark = panel.table.columnCount() - 1  # the verdict, after the allowance
    assert all(panel.table.item(r, mark).text() == "✓" for r in range(3))
    panel.back()
    assert panel.current_stage().key == "forward-0"

    real = Network.backprop

    def broken(self, x, label):
        t = real(self, x, label)
        grad_b = [g.copy() for g in t.grad_b]
        grad_b[2][5] += 1e-3
        return dataclasses.replace(t, grad_b=tuple(grad_b))

    monkeypatch.setattr(Network, "backprop", broken)
    report = panel.run_gradient_check()
    assert not report.ok and report.worst_layers() == [2]
    assert panel.table.item(2, mark).text() == "✗ wrong"
    assert "DISAGREES" in panel.text.text()


def test_explain_a_clicked_weight(panel):
    panel.go_to(5)
    panel.explain_weight(1, 4, 7)
    s = panel.current_stage()
    t = panel.walk.trace
    assert s.key == "weight" and s.values["grad_w"] == t.grad_w[1][4, 7]
    assert s.values["rel_error"] < 1e-6
    assert panel.stage_list.currentRow() == -1
    labels = [panel.table.item(r, 0).text() for r in range(panel.table.rowCount())]
    assert "∂C/∂w (central differences)" in labels
    panel.back()
    assert panel.current_index() == 5 and panel.current_stage().key == "wants"


def test_focus_output_shows_its_levers(panel):
    panel.go_to(2)
    panel.focus_output(7)
    s = panel.current_stage()
    assert s.key == "lever-bias" and s.values["focus"] == 7
    panel.next_stage()
    assert panel.current_stage().values["focus"] == 7
    panel.set_sample(panel.walk.trace.x, 2, "again")  # a new sample: back to the right answer
    assert panel.current_stage().values["focus"] == 2


def test_new_snapshot_keeps_the_stage(panel):
    panel.go_to(9)
    panel.set_snapshot(Snapshot.of(Network([784, 16, 16, 10], seed=3)))
    assert panel.current_index() == 9 and panel.current_stage().key == "sum-2"
    panel.set_snapshot(Snapshot.of(Network([784, 10], seed=3)))  # no "sum-2": the first stage
    assert panel.current_index() == 0


def test_export_trace(panel, tmp_path):
    t = panel.walk.trace
    for name in ("t.npz", "t.json"):
        panel.export_trace(tmp_path / name)
        d = load_trace(tmp_path / name)
        assert d["C"] == t.cost and d["label"] == 2
        np.testing.assert_array_equal(d["grad_W1"], t.grad_w[1])


def test_hint_names_the_sample(panel):
    assert panel.hint.text().startswith("Held-out sample #")
    assert "label 2" in panel.hint.text()


def test_hint_says_where_to_change_the_sample_or_the_drawings_label(panel, data):
    assert "under Sample" in panel.hint.text()
    panel.set_sample(data[0][0], 7, "your drawing")
    hint = panel.hint.text()
    assert hint.startswith("Your drawing, label 7") and "“I drew a” under Draw" in hint
    assert "Sample" not in hint


def test_screenshots_of_stages_3_4_5(panel, tmp_path):
    """The README's pictures (scripts/make_screenshots.py, stage by number): each is a stage of
    the walk, numbered as its file is named; the panel shows that stage; the three pictures
    differ; the saved file holds the picture."""
    script = Path(__file__).resolve().parents[2] / "scripts" / "make_screenshots.py"
    stages = runpy.run_path(str(script), run_name="make_screenshots")["STAGES"]
    panel.set_class_names([str(d) for d in range(10)])
    pictures = []
    for name, label in stages.items():
        panel.go_to(find_stage([s.title for s in panel.walk.stages], label))
        stage = panel.current_stage()
        number = name.removesuffix(".png").rsplit("stage", 1)[1]
        assert stage.title.startswith(label + " · ") and label.startswith(number)
        assert panel.title.text() == stage.title and panel.title.isVisible()
        img = panel.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
        assert img.save(str(tmp_path / name))
        assert QImage(str(tmp_path / name)).convertToFormat(QImage.Format.Format_RGB32) == img
        pictures.append(img)
    assert len(pictures) == 3
    assert all(a != b for i, a in enumerate(pictures) for b in pictures[i + 1:])
