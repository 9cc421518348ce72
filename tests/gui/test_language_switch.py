"""View › Language relabels the window at once: menus, toolbars, docks, the stepper's stage
regenerated from the same numbers; the network, its weights and the stage on show stay."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from mlpviz import i18n
from mlpviz.gui import settings, theme


@pytest.fixture
def back_to_english():
    yield
    i18n.set_language("en")


def _menu_titles(window) -> list[str]:
    return [a.text() for a in window.menuBar().actions()]


def test_view_language_relabels_everything_live(qtbot, window, back_to_english):
    window.stepper_dock.show()
    window.stepper_dock.raise_()
    qtbot.waitUntil(lambda: window.stepper.walk is not None, timeout=10_000)
    stepper = window.stepper
    stepper.go_to(stepper.walk.index("wants"))
    before = window.session.snapshot
    weights = [w.copy() for w in before.weights]
    en_stage = stepper.current_stage()
    assert _menu_titles(window)[:4] == ["&File", "&Training", "&View", "&Help"]
    rebuilt = []
    window.session.network_rebuilt.connect(rebuilt.append)

    window.language_actions["zh"].trigger()

    assert i18n.language() == "zh" and window.language_actions["zh"].isChecked()
    assert _menu_titles(window)[:4] == ["文件(&F)", "训练(&T)", "视图(&V)", "帮助(&H)"]
    assert window.controls.step_button.text() == "单步"
    assert window.controls.train_button.text() == "训练"
    assert window.stepper_dock.windowTitle() == "反向传播"
    assert window.windowTitle().startswith("mlpviz —— ")
    zh_stage = stepper.current_stage()
    assert zh_stage.key == en_stage.key == "wants"  # the same stage …
    assert stepper.title.text() == zh_stage.title == "3 · 输出想要什么"
    assert "网络" in stepper.text.text() and stepper.position.text().startswith("第 3 步")
    assert zh_stage.row_values == en_stage.row_values  # … of the same numbers
    assert stepper.next_button.text() == "下一步 →"
    assert stepper.hint.text().startswith("测试集样本 #")  # where the sample comes from, too
    # the same run: no network rebuilt, the same snapshot and weights bit for bit
    assert not rebuilt and window.session.snapshot is before
    assert all(np.array_equal(a, b) for a, b in zip(weights, window.session.snapshot.weights))
    assert theme.cjk_family() is None or \
        QApplication.instance().font().families()[0] == theme.cjk_family()

    window.language_actions["en"].trigger()
    assert _menu_titles(window)[:4] == ["&File", "&Training", "&View", "&Help"]
    assert stepper.title.text() == en_stage.title and stepper.text.text().startswith(
        en_stage.text[:40])
    assert window.controls.step_button.text() == "Step"
    assert stepper.hint.text().startswith("Held-out sample #")


def test_the_language_is_a_checked_setting():
    assert settings.validate({"language": "zh"})["language"] == "zh"
    assert settings.validate({"language": "klingon"})["language"] is None  # the system's
    assert settings.validate({"language": 3})["language"] is None
    assert settings.DEFAULTS["language"] is None
