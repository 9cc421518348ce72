"""Bad input in the app found in QA: each gives a clear message (or is handled) and loses nothing,
with no exception escaping a Qt slot (qtbot.captureExceptions) and no Qt warning (the suite fails
on those)."""

import os
import stat
from pathlib import Path

import numpy as np
import pytest

from mlpviz.cli import main
from mlpviz.core.network import Network
from mlpviz.gui import main_window as main_window_module
from mlpviz.gui.main_window import MainWindow
from mlpviz.gui.session import Session
from mlpviz.gui.settings import store as settings


def accuracy(snapshot, ds) -> float:
    return snapshot.network().evaluate(ds.test_x(), ds.test_labels)[1]


# --- the stepper while training ---------------------------------------------------------------

def test_stepper_step_while_training_does_not_throw_the_training_away(qtbot, window, dataset):
    # The stepper works on the network as it was when training last paused. "Take step" while
    # training ran used to apply that old network plus one step: every batch since was silently
    # lost (held-out accuracy 93 % → 77 % while the counters kept counting).
    s = window.session
    window._show_stepper()
    qtbot.waitUntil(lambda: window.stepper.stage_count() > 0, timeout=5000)
    with qtbot.captureExceptions() as exceptions:
        s.start()  # (generous timeouts: at load 11–13 a pause took 20 s to be confirmed)
        qtbot.waitUntil(lambda: s.snapshot.samples_seen >= 20_000, timeout=60_000)
        window.stepper.take_step()
        qtbot.waitUntil(lambda: not s.is_training, timeout=60_000)
        qtbot.wait(200)
    assert not exceptions
    assert "step was not applied" in window.banner.text()
    trained = s.snapshot
    assert trained.samples_seen >= 20_000 and accuracy(trained, dataset) > 0.6
    # Paused now, the stepper has the latest network: the step applies to it, and Undo puts
    # back exactly the trained network.
    with qtbot.waitSignal(s.snapshot_ready, timeout=3000) as blocker:
        window.stepper.take_step()
    stepped = blocker.args[0]
    assert stepped.samples_seen == trained.samples_seen
    assert not all(np.array_equal(a, b) for a, b in zip(stepped.weights, trained.weights))
    with qtbot.waitSignal(s.snapshot_ready, timeout=3000) as blocker:
        window.stepper.undo_step()
    undone = blocker.args[0]
    assert all(np.array_equal(a, b) for a, b in zip(undone.weights + undone.biases,
                                                     trained.weights + trained.biases))


# --- datasets the window could not show -------------------------------------------------------

def test_a_dataset_with_fewer_than_eight_training_images(
        qtbot, window, dataset, tmp_path, write_dataset):
    # The stepper's batch picks 8 training images; with fewer, rng.choice raised ValueError in
    # the dataset_changed slot, leaving the window half updated.
    folder = write_dataset(tmp_path / "tiny", dataset, 3, 2)
    s = window.session
    with qtbot.captureExceptions() as exceptions:
        with qtbot.waitSignal(s.dataset_changed, timeout=5000):  # read in the background
            s.set_dataset(str(folder))
        window._show_stepper()
        with qtbot.waitSignal(s.epoch_done, timeout=5000):
            s.step_epoch()
        qtbot.waitUntil(lambda: not s.is_training, timeout=5000)
        window.grab()
    assert not exceptions
    assert len(s.dataset.train_labels) == 3 and s.batch_size == 3
    assert not window.banner.isVisible(), window.banner.text()


def test_a_dataset_with_an_empty_held_out_split_is_refused(
        qtbot, window, dataset, tmp_path, write_dataset):
    # It used to load, and the sample view raised IndexError("sample 0 is outside 0..-1").
    folder = write_dataset(tmp_path / "no-test", dataset, 50, 0)
    s = window.session
    before = s.dataset
    with qtbot.captureExceptions() as exceptions:
        with qtbot.waitSignal(s.failed, timeout=2000) as blocker:
            s.set_dataset(str(folder))
    assert not exceptions
    assert "holds no images" in blocker.args[0] and s.dataset is before


# --- saving -----------------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["missing folder", "a folder", "a pipe",
                                   pytest.param("/proc", marks=pytest.mark.skipif(
                                       not Path("/proc/self").is_dir(), reason="Linux /proc"))])
def test_save_to_a_bad_place_says_why_and_not_saved(qtbot, window, tmp_path, monkeypatch, where):
    # The status bar used to say "Saved …" even when saving failed, and the banner named a
    # temporary file ("/proc/.x.npz.val5e_7l.tmp"); a device or pipe was replaced by the model.
    path = {"missing folder": tmp_path / "no" / "m.npz", "a folder": tmp_path / "d.npz",
            "a pipe": tmp_path / "pipe.npz", "/proc": Path("/proc/m.npz")}[where]
    if where == "a folder":
        path.mkdir()
    if where == "a pipe":
        os.mkfifo(path)
    monkeypatch.setattr(main_window_module.QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(path), ""))
    with qtbot.captureExceptions() as exceptions:
        window._on_save_model()
    assert not exceptions
    assert str(path) in window.banner.text() and ".tmp" not in window.banner.text()
    assert not window.statusBar().currentMessage().startswith("Saved")
    if where == "a pipe":
        assert stat.S_ISFIFO(os.stat(path).st_mode)
    assert not list(tmp_path.rglob("*.tmp"))


def test_a_model_saved_in_the_app_evaluates_on_the_command_line(qtbot, dataset, tmp_path, capsys):
    # The app stored the dataset's display name ("MNIST (bundled sample)") as `dataset`, so
    # `mlpviz evaluate model.npz` failed with "unknown dataset"; it also wrote "batch_size"
    # where the README (and the CLI) say "batch".
    s = Session(dataset=dataset, batch_size=50)
    try:
        assert s.save_model(tmp_path / "app.npz")
    finally:
        s.shutdown()
    meta = Network.load_with_metadata(tmp_path / "app.npz")[1]
    assert meta["dataset"] == "bundled" and meta["batch"] == 50
    assert main(["evaluate", str(tmp_path / "app.npz")]) == 0
    assert "accuracy" in capsys.readouterr().out


def test_opening_a_cli_model_takes_its_batch_size(qtbot, dataset, tmp_path):
    assert main(["train", "--epochs", "1", "--batch", "40", "--save", str(tmp_path / "c.npz")]) == 0
    s = Session(dataset=dataset)
    try:
        with qtbot.waitSignal(s.network_rebuilt, timeout=3000):
            s.open_model(tmp_path / "c.npz")
        assert s.batch_size == 40 and s.history and s.snapshot.epoch == 1
    finally:
        s.shutdown()


# --- settings ---------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [{"batch_size": 0}, {"batch_size": -5}, {"lr": float("nan")},
                                    {"lr": -1.0}, {"lr": 0.0}])
def test_session_refuses_settings_it_cannot_train_with(dataset, kwargs):
    # batch_size 0 used to be accepted and fail at the first step with ZeroDivisionError;
    # -5 and lr ≤ 0 trained nonsense without a word.
    with pytest.raises(ValueError):
        Session(dataset=dataset, **kwargs)


def test_session_clamps_a_batch_larger_than_the_data(dataset):
    s = Session(dataset=dataset, batch_size=10**6)
    assert s.batch_size == len(dataset.train_labels)
    s.shutdown()


@pytest.mark.parametrize("key, value", [("speed", "fast"), ("speed", "inf"), ("lr", "nan"),
                                        ("batch_size", "0"), ("seed", "-4")])
def test_damaged_settings_never_stop_the_window_opening(qtbot, monkeypatch, dataset, key, value):
    # A "speed" that is not a number used to raise ValueError from MainWindow.__init__: the
    # app would not start until the settings file was deleted by hand. The window opens on the
    # defaults, the damaged value included (the slider's own range would hold any number).
    fresh = Session(dataset=dataset)
    defaults = (fresh.speed, fresh.sizes, fresh.activation, fresh.cost, fresh.seed, fresh.lr,
                fresh.batch_size)
    fresh.shutdown()
    monkeypatch.setenv("MLPVIZ_SETTINGS_ORG", "mlpviz-tests-damaged-settings")
    st = settings()
    st.clear()
    st.setValue(key, value)
    st.sync()
    try:
        w = MainWindow(restore=True)  # not qtbot.addWidget: its close at teardown would save
        try:                          # the settings again after they are cleaned up below
            s = w.session
            assert w.controls.speed.value() == s.speed
            assert (s.speed, s.sizes, s.activation, s.cost, s.seed, s.lr, s.batch_size) == defaults
        finally:
            w.close()
            w.deleteLater()
    finally:
        st.clear()
        st.sync()
        Path(st.fileName()).unlink(missing_ok=True)
        try:
            Path(st.fileName()).parent.rmdir()
        except OSError:
            pass


@pytest.mark.parametrize("value", ["fast", None, float("nan")])
def test_set_speed_with_nonsense_is_a_message_not_an_exception(qtbot, window, value):
    s = window.session
    with qtbot.waitSignal(s.failed, timeout=1000):
        s.set_speed(value)
    assert s.speed == 100


@pytest.mark.parametrize("call, value", [("set_lr", True), ("set_lr", None),
                                         ("set_batch_size", True), ("set_batch_size", 5.0)])
def test_booleans_and_none_are_not_settings(qtbot, window, call, value):
    s = window.session
    with qtbot.waitSignal(s.failed, timeout=1000):
        getattr(s, call)(value)
    assert (s.lr, s.batch_size) == (3.0, 100)
