"""Settings (gui/settings.py): every stored value is checked when read — garbage becomes that key's
default, never an exception — and the window starts, and says so, whatever the file holds."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PySide6.QtCore import QByteArray, QSettings

import mlpviz
from mlpviz.core.activations import ACTIVATIONS
from mlpviz.core.costs import COSTS
from mlpviz.gui import settings
from mlpviz.gui.main_window import MainWindow
from mlpviz.gui.run_controls import RunControls
from mlpviz.core.limits import MAX_HIDDEN_LAYERS_DRAWN as MAX_HIDDEN_LAYERS
from mlpviz.core.limits import MAX_HIDDEN_SIZE_DRAWN as MAX_HIDDEN_SIZE
from mlpviz.gui.session import Session
from mlpviz.gui.theme import THEMES

# The reproducers of issue 8 and their kin: each one used to stop the app from starting, or
# would have.
GARBAGE = {"seed": "2147483648", "speed": "1e20", "lr": "nan", "batch_size": "-5",
           "sizes": "abc", "activation": "softplus", "cost": "hinge", "theme": "purple",
           "presentation": "maybe", "input_circles": "2", "dataset": "", "stop_after": "-3",
           "geometry": "abc", "window_state": "@ByteArray(not a window state)"}


@pytest.fixture
def stored(monkeypatch):
    """The app's settings under a scratch organisation name: empty at the start, removed after."""
    monkeypatch.setenv("MLPVIZ_SETTINGS_ORG", "mlpviz-tests-settings")
    qs = settings.store()
    qs.clear()
    qs.sync()
    yield qs
    qs.clear()
    qs.sync()
    Path(qs.fileName()).unlink(missing_ok=True)
    try:
        Path(qs.fileName()).parent.rmdir()
    except OSError:
        pass


@pytest.fixture(scope="module")
def controls(qapp):
    """The toolbar whose boxes the settings go into."""
    return RunControls()


def opened(qtbot, session=None):
    """A window restored from the settings, shown; closing it (the test's job, or teardown's)
    saves them."""
    w = MainWindow(session, restore=True)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


# -- the reader ------------------------------------------------------------------------------
def assert_valid(values, controls):
    """Each value is one the app can use: the boxes hold it, the core knows the name."""
    assert set(values) == set(settings.DEFAULTS)
    sizes = values["sizes"]
    assert isinstance(sizes, tuple) and 3 <= len(sizes) <= MAX_HIDDEN_LAYERS + 2
    assert all(type(s) is int and s >= 1 for s in sizes)
    assert all(s <= MAX_HIDDEN_SIZE for s in sizes[1:-1])
    assert values["activation"] in ACTIVATIONS and values["cost"] in COSTS
    assert values["theme"] in THEMES
    for key, box in (("seed", controls.seed), ("speed", controls.speed),
                     ("batch_size", controls.batch), ("stop_after", controls.stop_after)):
        assert type(values[key]) is int
        box.setValue(values[key])
        assert box.value() == values[key], key
    lr = values["lr"]
    assert lr is None or (type(lr) is float and np.isfinite(lr)
                          and controls.lr.minimum() <= lr <= controls.lr.maximum() and lr > 0)
    assert type(values["presentation"]) is bool and type(values["input_circles"]) is bool
    assert isinstance(values["dataset"], str) and values["dataset"].strip()
    for key in ("geometry", "window_state"):
        assert values[key] is None or isinstance(values[key], QByteArray)


numbers = st.one_of(st.integers(), st.floats(), st.integers(-10, 10**6).map(str),
                    st.floats().map(str), st.integers().map(str))
anything = st.one_of(
    st.none(), st.booleans(), numbers, st.text(max_size=30), st.binary(max_size=30),
    st.sampled_from(list(GARBAGE.values()) + ["784,16,16,10", "784, 0, 10", "784,129,10",
                                              "1,1,1,1,1,1,1", "true", "FALSE", "light", "relu"]),
    st.lists(st.one_of(st.text(max_size=6), st.integers()), max_size=8))


@given(raw=st.dictionaries(st.sampled_from(sorted(settings.DEFAULTS)), anything))
@hypothesis_settings(max_examples=300, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_stored_value_reads_as_a_valid_setting(raw, controls):
    assert_valid(settings.validate(raw), controls)


@given(seed=st.integers(*settings.SEED_RANGE), speed=st.integers(*settings.SPEED_RANGE),
       batch=st.integers(*settings.BATCH_RANGE), lr=st.floats(*settings.LR_RANGE),
       hidden=st.lists(st.integers(1, MAX_HIDDEN_SIZE), min_size=1, max_size=MAX_HIDDEN_LAYERS),
       flag=st.booleans(), theme=st.sampled_from(sorted(THEMES)))
@hypothesis_settings(max_examples=100, deadline=None)
def test_valid_values_are_kept_as_text_or_as_values(seed, speed, batch, lr, hidden, flag, theme):
    sizes = (784, *hidden, 10)
    as_values = {"seed": seed, "speed": speed, "batch_size": batch, "lr": lr, "sizes": sizes,
                 "presentation": flag, "theme": theme}
    as_text = {k: (",".join(map(str, v)) if k == "sizes" else str(v).lower() if k == "presentation"
                   else repr(v) if k == "lr" else str(v)) for k, v in as_values.items()}
    as_list = {"sizes": [str(s) for s in sizes]}  # what QSettings makes of an unquoted "784, 16"
    for raw in (as_values, as_text, as_list):
        read = settings.validate(raw)
        assert {k: read[k] for k in raw} == {k: as_values[k] for k in raw}


def test_missing_and_garbage_values_are_the_defaults():
    assert settings.validate({}) == dict(settings.DEFAULTS)
    assert settings.validate(GARBAGE) == dict(settings.DEFAULTS)


def test_the_ranges_are_the_boxes_ranges(controls):
    for (lo, hi), box in ((settings.SEED_RANGE, controls.seed),
                          (settings.SPEED_RANGE, controls.speed),
                          (settings.STOP_AFTER_RANGE, controls.stop_after),
                          (settings.BATCH_RANGE, controls.batch),
                          (settings.LR_RANGE, controls.lr)):
        assert (box.minimum(), box.maximum()) == (lo, hi)


def test_write_then_read_gives_the_same_settings(stored):
    values = dict(settings.DEFAULTS, sizes=(784, 32, 8, 10), activation="tanh",
                  cost="cross_entropy", seed=2**31 - 1, dataset="/some/folder, with a comma",
                  lr=0.0125, batch_size=10_000, speed=1, stop_after=12, theme="light",
                  presentation=True,
                  input_circles=True, geometry=QByteArray(b"\x01\x02"))
    settings.write(values, stored)
    assert settings.read(stored) == values
    settings.write({"lr": None}, stored)  # None: not stored, the cost's default rate
    assert not stored.contains("lr") and settings.read(stored)["lr"] is None


def test_a_garbage_file_is_read_as_the_defaults(stored):
    for key, value in GARBAGE.items():
        stored.setValue(key, value)
    stored.setValue("speed", 1e20)
    stored.setValue("lr", "-inf")
    stored.sync()
    assert settings.read(settings.store()) == dict(settings.DEFAULTS)


def test_what_read_would_refuse_is_not_written(stored):
    stored.setValue("seed", 5)
    settings.write({"seed": 2**70, "speed": 1e20, "theme": "dark"}, stored)  # no OverflowError
    assert not stored.contains("seed") and not stored.contains("speed")
    assert settings.read(stored)["seed"] == 0 and stored.value("theme") == "dark"


# -- the window ------------------------------------------------------------------------------
def test_the_window_opens_on_a_garbage_file_and_rewrites_it(qtbot, stored):
    for key, value in GARBAGE.items():
        stored.setValue(key, value)
    stored.sync()
    w = opened(qtbot)
    assert (w.controls.seed.value(), w.controls.speed.value()) == (0, 100)
    assert (w.session.sizes, w.session.lr, w.session.batch_size) == ((784, 16, 16, 10), 3.0, 100)
    assert not w.banner.isVisible()  # every bad key had a good default: nothing to report
    w.close()
    assert settings.read(settings.store())["seed"] == 0
    assert settings.store().value("speed") in (100, "100")


def test_settings_that_make_no_session_start_the_defaults_and_say_so(qtbot, stored, tmp_path):
    stored.setValue("dataset", str(tmp_path / "a folder that has gone"))
    stored.setValue("sizes", "784,32,10")
    stored.setValue("theme", "light")
    stored.sync()
    w = opened(qtbot)
    assert w.session.dataset_spec == "bundled" and w.session.sizes == (784, 16, 16, 10)
    text = w.banner.text()
    assert "saved network settings could not be used" in text and "a folder that has gone" in text
    assert w.light_action.isChecked()  # the window's own settings were fine and are kept
    w.close()


def test_a_window_that_cannot_be_built_from_its_settings_starts_on_the_defaults(
        qtbot, stored, monkeypatch):
    stored.setValue("theme", "light")
    stored.setValue("speed", 20)
    stored.setValue("geometry", QByteArray(b"anything"))
    stored.sync()
    calls = []

    def broken(self, geometry):  # a Qt that chokes on what it saved itself
        calls.append(geometry)
        if len(calls) == 1:
            raise RuntimeError("restoreGeometry failed")
        return False

    monkeypatch.setattr(MainWindow, "restoreGeometry", broken)
    w = opened(qtbot)
    assert "window settings could not be applied" in w.banner.text()
    assert "restoreGeometry failed" in w.banner.text()
    assert w.dark_action.isChecked() and w.controls.speed.value() == 100  # the defaults
    w.close()


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen only
def test_no_dock_stays_hidden_after_a_restart_with_the_stepper_open(qtbot, stored, bundled):
    w = opened(qtbot, Session(dataset=bundled))
    w.resize(1280, 800)
    w._show_stepper()
    qtbot.waitUntil(lambda: w.stepper.isVisible() and not w.cost_dock.isVisible())
    w.close()  # with the stepper open: the cost plot is aside
    again = opened(qtbot, Session(dataset=bundled))
    assert again.cost_dock.isVisible()
    # the Sample tab on top (a tab behind another still says isVisible() offscreen)
    assert not again.sample_view.visibleRegion().isEmpty()
    assert again.stepper.visibleRegion().isEmpty() and not again._stepping
    again.close()


# -- start-up in a fresh process -------------------------------------------------------------
# The whole app as `mlpviz` starts it (cli.main), quitting by itself once its window is up.
START_AND_SHOOT = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
from mlpviz.cli import main

app = QApplication(sys.argv[:1])

def shoot():
    window = next(w for w in app.topLevelWidgets() if isinstance(w, QMainWindow))
    window.grab().save(sys.argv[1])
    app.quit()

QTimer.singleShot(0, shoot)
sys.exit(main([]))
"""


def _write_garbage(config: Path, org: str) -> Path:
    path = config / org / "mlpviz.conf"
    path.parent.mkdir(parents=True)
    path.write_text("[General]\n" + "".join(f"{k}={v}\n" for k, v in GARBAGE.items()))
    return path


@pytest.mark.parametrize("how", ["app", "--screenshot"])
def test_the_app_starts_with_a_garbage_settings_file(tmp_path, how):
    org = "mlpviz-tests-garbage"
    conf = _write_garbage(tmp_path / "config", org)
    before = conf.read_text()
    out = tmp_path / "shot.png"
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "MLPVIZ_SETTINGS_ORG": org, "OPENBLAS_NUM_THREADS": "1",
           "PYTHONPATH": str(Path(mlpviz.__file__).resolve().parents[1])}  # this copy of mlpviz
    if how == "app":
        command = [sys.executable, "-c", START_AND_SHOOT, str(out)]
    else:
        command = [sys.executable, "-m", "mlpviz", "--screenshot", str(out), "--train-steps", "2"]
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if how == "app":  # it read the file, and on closing wrote back what it used
        after = settings.read(QSettings(str(conf), QSettings.Format.IniFormat))
        assert conf.read_text() != before
        assert {k: after[k] for k in ("seed", "speed", "sizes", "theme")} == {
            "seed": 0, "speed": 100, "sizes": (784, 16, 16, 10), "theme": "dark"}
    else:  # a screenshot neither depends on nor changes the user's settings
        assert conf.read_text() == before
