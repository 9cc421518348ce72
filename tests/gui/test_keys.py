"""The window's keys work whatever has focus, except while typing in a text field; the stage keys;
F1's list made from the actions; the Train / Pause button's painted icons."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from mlpviz.gui.keys import text_field

KEYS = {  # key → the attribute of the action it must trigger (None: found by its shortcut)
    Qt.Key_Space: "train_action", Qt.Key_S: None, Qt.Key_E: None, Qt.Key_R: None,
    Qt.Key_B: None, Qt.Key_G: "gradient_action", Qt.Key_F5: "presentation_action",
    Qt.Key_Right: "next_stage_action", Qt.Key_Left: "previous_stage_action",
    Qt.Key_PageDown: "next_stage_action", Qt.Key_PageUp: "previous_stage_action",
}


def action_of(window, key):
    name = KEYS[key]
    if name is not None:
        return getattr(window, name)
    act = window.keys.action_for(int(key))
    assert act is not None, key
    return act


def focus(qtbot, window, widget):
    window.activateWindow()
    widget.setFocus(Qt.OtherFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget
                    or QApplication.focusWidget() in widget.findChildren(type(widget)))


def fields(window):
    """One field of every kind: spin box, line edit, combo box, table (and a slider)."""
    return {"spin box": window.controls.lr, "line edit": window.controls.layers,
            "combo box": window.controls.activation, "table": window.stepper.table,
            "slider": window.controls.speed}


@pytest.fixture
def stepping(qtbot, window):
    """The window with the stepper open on a sample (the stage keys are on)."""
    window.stepper_dock.show()
    window.stepper_dock.raise_()
    qtbot.waitUntil(lambda: window.stepper.stage_count() > 3)
    window.stepper.go_to(2)
    return window


@pytest.mark.parametrize("kind", ["spin box", "line edit", "combo box", "table", "slider"])
def test_every_key_does_its_action_whatever_has_focus(qtbot, stepping, kind):
    window = stepping
    widget = fields(window)[kind]
    for key in KEYS:
        if window.presentation_action.isChecked():
            window.presentation_action.trigger()  # back to normal between keys
        if not window.stepper_dock.isVisible() or not window.stepper.isVisible():
            window.stepper_dock.show()
            window.stepper_dock.raise_()
        window.session.pause()
        qtbot.waitUntil(lambda: not window.session.is_training)
        focus(qtbot, window, widget)
        act = action_of(window, key)
        fired = []
        act.triggered.connect(lambda *_: fired.append(1))
        qtbot.keyClick(QApplication.focusWidget(), key)
        act.triggered.disconnect()
        assert fired == [1], (kind, key)  # once: neither lost to the field nor doubled
    window.session.pause()


def test_space_after_typing_a_learning_rate_trains(qtbot, window):
    """The issue's reproducer: η = 100, Enter, then Space."""
    lr = window.controls.lr
    focus(qtbot, window, lr)
    lr.selectAll()
    qtbot.keyClicks(QApplication.focusWidget(), "100")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Return)
    assert lr.value() == pytest.approx(100.0) and window.session.lr == pytest.approx(100.0)
    assert text_field(QApplication.focusWidget()) is None  # the keys are the window's again
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key_Space)
    qtbot.waitUntil(lambda: window.session.is_training, timeout=5000)
    window.session.pause()
    assert lr.text() == lr.textFromValue(100.0)  # the field shows what it holds, never blank


def test_keys_are_the_fields_while_typing_and_escape_puts_the_text_back(qtbot, window):
    layers = window.controls.layers
    before = layers.text()
    focus(qtbot, window, layers)
    layers.end(False)
    step = window.keys.action_for(int(Qt.Key_S))
    fired = []
    step.triggered.connect(lambda *_: fired.append(1))
    qtbot.keyClicks(layers, ",8")  # typing: from now on the keys are the field's
    qtbot.keyClick(layers, Qt.Key_S)
    qtbot.keyClick(layers, Qt.Key_Space)
    assert fired == [] and layers.text() == before + ",8s "
    qtbot.keyClick(layers, Qt.Key_Escape)
    assert layers.text() == before
    assert QApplication.focusWidget() is not layers
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key_S)
    assert fired == [1]
    step.triggered.disconnect()


def test_page_down_and_page_up_step_the_stages(qtbot, stepping):
    window = stepping
    start = window.stepper.current_index()
    focus(qtbot, window, window.stepper.table)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_PageDown)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_PageDown)
    assert window.stepper.current_index() == start + 2
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_PageUp)
    assert window.stepper.current_index() == start + 1


def test_stage_keys_belong_to_the_widget_while_the_stepper_is_closed(qtbot, window):
    speed = window.controls.speed
    speed.setValue(50)
    focus(qtbot, window, speed)
    qtbot.keyClick(speed, Qt.Key_Right)
    assert speed.value() == 51  # the slider moved; no stage was stepped
    assert not window.next_stage_action.isEnabled()


def test_f1_lists_every_action_with_a_key(window):
    rows = dict(window.shortcut_list())
    assert rows["G"].startswith("Colour lines")
    assert rows["→ / Page Down"] == "Next stage" and rows["← / Page Up"] == "Previous stage"
    for key in ("Space", "S", "E", "R", "B", "H", "F5", "F1"):
        assert key in rows, key
    acts = [a for a in window.actions() if not a.shortcut().isEmpty()]
    assert len(rows) == len(acts) + 1  # every action with a key, and the rule for text fields


def test_train_button_has_painted_icons_not_missing_glyphs(qtbot, window):
    button = window.controls.train_button
    assert button.text() == "Train" and not button.icon().isNull()
    window.session.start()
    qtbot.waitUntil(lambda: button.text() == "Pause")
    assert not button.icon().isNull()
    window.session.pause()
    qtbot.waitUntil(lambda: button.text() == "Train")
    assert all(ch not in button.text() for ch in "⏸▶▯")
