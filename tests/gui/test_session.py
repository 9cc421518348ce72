"""Session: the run as the window sees it — training, stepping, settings, files, shutdown."""

import time

import numpy as np
import pytest

from mlpviz.core.datasets import Dataset
from mlpviz.core.network import Network
from mlpviz.core.training import default_lr
from mlpviz.gui.session import Session


@pytest.fixture(scope="module")
def small(bundled):
    """1,000 training and 200 held-out digits: 10 batches of 100 per epoch."""
    b = bundled
    return Dataset("MNIST (test slice)", b.class_names, b.train_images[:1000],
                   b.train_labels[:1000], b.test_images[:200], b.test_labels[:200])


class Log:
    """Everything a session emitted."""

    def __init__(self, session):
        self.snapshots, self.batches, self.epochs, self.states = [], [], [], []
        self.failures, self.rebuilt, self.datasets, self.speeds = [], [], [], []
        session.snapshot_ready.connect(self.snapshots.append)
        session.batches_done.connect(self.batches.append)
        session.epoch_done.connect(self.epochs.append)
        session.state_changed.connect(self.states.append)
        session.failed.connect(self.failures.append)
        session.network_rebuilt.connect(self.rebuilt.append)
        session.dataset_changed.connect(self.datasets.append)
        session.speed_measured.connect(self.speeds.append)

    @property
    def reports(self):
        return [r for chunk in self.batches for r in chunk]


@pytest.fixture
def make_session(small):
    sessions = []

    def make(**kwargs):
        kwargs.setdefault("dataset", small)
        s = Session(**kwargs)
        sessions.append(s)
        return s, Log(s)

    yield make
    for s in sessions:
        s.shutdown()
        assert not s.thread.isRunning()


def wait_paused(qtbot, session, log):
    qtbot.waitUntil(lambda: log.states[-1:] == ["paused"] and not session.is_training, timeout=3000)


def step(qtbot, session, log):
    """One mini-batch; returns its snapshot."""
    with qtbot.waitSignal(session.snapshot_ready, timeout=3000) as blocker:
        session.step_batch()
    return blocker.args[0]


def same_parameters(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a.weights + a.biases, b.weights + b.biases))


def test_defaults(make_session):
    s, _ = make_session()
    assert (s.sizes, s.activation, s.cost, s.seed) == ((784, 16, 16, 10), "sigmoid", "mse", 0)
    assert (s.lr, s.batch_size, s.speed, s.is_training, s.history) == (3.0, 100, 100, False, [])
    assert s.snapshot.sizes == (784, 16, 16, 10) and s.snapshot.samples_seen == 0
    assert not s.thread.isRunning()  # started on the first command


def test_training_lowers_the_cost(qtbot, make_session):
    s, log = make_session()
    with qtbot.waitSignal(s.epoch_done, timeout=10_000):
        s.start()
    qtbot.waitUntil(lambda: len(log.reports) >= 400, timeout=10_000)
    s.pause()
    wait_paused(qtbot, s, log)
    costs = np.array([r.cost for r in log.reports])
    assert costs[300:400].mean() < 0.6 * costs[:20].mean()
    assert log.epochs[-1].train_accuracy > 0.5 and log.speeds
    assert s.history == log.epochs
    assert s.snapshot.samples_seen == log.reports[-1].samples_seen


def test_pause_stops_all_updates(qtbot, make_session):
    s, log = make_session()
    s.start()
    qtbot.waitUntil(lambda: len(log.reports) >= 50, timeout=5000)
    s.pause()
    wait_paused(qtbot, s, log)
    batches, snapshots = len(log.batches), len(log.snapshots)
    qtbot.wait(500)
    assert (len(log.batches), len(log.snapshots)) == (batches, snapshots)
    assert s.snapshot.samples_seen == log.reports[-1].samples_seen


def test_toggle(qtbot, make_session):
    s, log = make_session()
    with qtbot.waitSignal(s.state_changed, timeout=3000, check_params_cb=lambda st: st == "training"):
        s.toggle()
    assert s.is_training
    s.toggle()
    wait_paused(qtbot, s, log)


def test_step_batch_is_exactly_one_batch(qtbot, make_session):
    s, log = make_session()
    first = step(qtbot, s, log)
    assert first.samples_seen == 100 and first.batch == 1
    second = step(qtbot, s, log)
    qtbot.wait(200)
    assert len(log.reports) == 2 and second.samples_seen == first.samples_seen + s.batch_size
    assert not s.is_training and log.states == []
    assert not same_parameters(first, second)


def test_lr_and_batch_size_changes_apply(qtbot, make_session):
    s, log = make_session()
    s.set_lr(0.75)
    s.set_batch_size(40)
    snap = step(qtbot, s, log)
    (report,) = log.reports
    assert (report.lr, report.batch_size, snap.samples_seen) == (0.75, 40, 40)
    assert snap.meta == {"lr": 0.75, "batch_size": 40} and (s.lr, s.batch_size) == (0.75, 40)
    # Also while training: later batches use the new values.
    s.start()
    qtbot.waitUntil(lambda: len(log.reports) >= 5, timeout=3000)
    s.set_lr(0.5)
    s.set_batch_size(25)
    qtbot.waitUntil(lambda: log.reports[-1].batch_size == 25, timeout=3000)
    assert log.reports[-1].lr == 0.5
    s.pause()
    wait_paused(qtbot, s, log)


@pytest.mark.parametrize("call, value", [("set_lr", 0.0), ("set_lr", float("nan")),
                                         ("set_batch_size", 0), ("set_batch_size", 10**6)])
def test_bad_settings_fail_and_change_nothing(qtbot, make_session, call, value):
    s, log = make_session()
    with qtbot.waitSignal(s.failed, timeout=1000):
        getattr(s, call)(value)
    assert (s.lr, s.batch_size) == (3.0, 100)


def test_step_epoch_ends_at_an_epoch_boundary(qtbot, make_session):
    s, log = make_session()
    for _ in range(3):
        step(qtbot, s, log)
    with qtbot.waitSignal(s.epoch_done, timeout=5000) as blocker:
        s.step_epoch()
    wait_paused(qtbot, s, log)
    qtbot.wait(100)
    assert blocker.args[0].epoch == 1 and len(log.reports) == 10
    assert (s.snapshot.epoch, s.snapshot.batch, s.snapshot.samples_seen) == (1, 0, 1000)
    assert log.states == ["training", "paused"] and len(s.history) == 1
    # From the boundary, a whole epoch.
    with qtbot.waitSignal(s.epoch_done, timeout=5000):
        s.step_epoch()
    wait_paused(qtbot, s, log)
    assert len(log.reports) == 20 and s.snapshot.samples_seen == 2000


@pytest.mark.parametrize("speed", [100, 1])
def test_shutdown_mid_training_is_prompt(qtbot, make_session, speed):
    s, log = make_session()
    s.set_speed(speed)
    s.start()
    qtbot.waitUntil(lambda: len(log.reports) >= 1 and s.is_training, timeout=3000)
    t0 = time.monotonic()
    s.shutdown()
    assert time.monotonic() - t0 < 1.0
    assert not s.thread.isRunning() and s.thread.isFinished()
    s.shutdown()  # twice is fine
    s.start()  # and later commands are ignored
    assert not s.thread.isRunning()


def test_shutdown_without_start(make_session):
    s, _ = make_session()
    s.shutdown()
    s.shutdown()
    assert not s.thread.isRunning()


def test_divergence_pauses_and_keeps_the_last_good_weights(qtbot, make_session):
    s, log = make_session(activation="relu", lr=1e6)
    before = s.snapshot
    for _ in range(30):
        snap = step(qtbot, s, log)
        if log.failures:
            break
        before = snap
    assert log.failures, "lr 1e6 with relu should diverge"
    assert "lower the learning rate" in log.failures[0]
    assert not s.is_training
    assert all(np.isfinite(a).all() for a in s.snapshot.weights + s.snapshot.biases)
    assert same_parameters(s.snapshot, before)
    assert s.snapshot.samples_seen == before.samples_seen


def test_divergence_while_training(qtbot, make_session):
    s, log = make_session(activation="relu", lr=1e6)
    with qtbot.waitSignal(s.failed, timeout=5000):
        s.start()
    wait_paused(qtbot, s, log)
    assert all(np.isfinite(a).all() for a in s.snapshot.weights + s.snapshot.biases)


def truncated_model(tmp_path):
    good = tmp_path / "good.npz"
    Network([784, 16, 16, 10], seed=2).save(good)
    bad = tmp_path / "truncated.npz"
    bad.write_bytes(good.read_bytes()[:3000])
    return bad


def garbage_model(tmp_path):
    bad = tmp_path / "garbage.npz"
    bad.write_bytes(b"this is not a model file at all")
    return bad


@pytest.mark.parametrize("make_file", [
    garbage_model,
    truncated_model,
])
def test_corrupt_model_file_keeps_the_network(qtbot, make_session, tmp_path, make_file):
    s, log = make_session()
    step(qtbot, s, log)
    before = s.snapshot
    bad = make_file(tmp_path)
    with qtbot.waitSignal(s.failed, timeout=1000) as blocker:
        s.open_model(bad)
    assert "model" in blocker.args[0]
    assert s.snapshot is before and log.rebuilt == []
    snap = step(qtbot, s, log)  # training carries on from the same network
    assert snap.samples_seen == 200


def test_model_that_does_not_fit_the_dataset_is_refused(qtbot, make_session, tmp_path):
    s, log = make_session()
    Network([784, 16, 5], seed=1).save(tmp_path / "five.npz")
    with qtbot.waitSignal(s.failed, timeout=1000) as blocker:
        s.open_model(tmp_path / "five.npz")
    assert "10" in blocker.args[0] and s.sizes == (784, 16, 16, 10) and log.rebuilt == []


def test_bad_dataset_folder_keeps_the_dataset(qtbot, make_session, tmp_path):
    s, log = make_session()
    before, dataset = s.snapshot, s.dataset
    with qtbot.waitSignal(s.failed, timeout=1000):
        s.set_dataset(str(tmp_path))
    with qtbot.waitSignal(s.failed, timeout=1000):
        s.set_dataset("no-such-dataset")
    assert s.dataset is dataset and s.snapshot is before and log.datasets == []


def test_set_dataset_rebuilds(qtbot, make_session):
    s, log = make_session()
    step(qtbot, s, log)
    with qtbot.waitSignal(s.network_rebuilt, timeout=3000) as blocker:
        s.set_dataset("bundled")
    assert log.datasets == [s.dataset] and len(s.dataset.train_labels) == 8000
    assert s.dataset_spec == "bundled" and blocker.args[0].samples_seen == 0


def test_save_and_open_round_trip(qtbot, make_session, tmp_path):
    s, log = make_session()
    s.set_lr(2.0)
    with qtbot.waitSignal(s.epoch_done, timeout=5000):
        s.step_epoch()
    wait_paused(qtbot, s, log)
    saved = s.snapshot
    assert s.save_model(tmp_path / "m.npz")
    s.rebuild([784, 32, 10], "tanh", "cross_entropy", 7)
    assert s.history == [] and s.lr == default_lr("cross_entropy", "tanh", 1)
    with qtbot.waitSignal(s.network_rebuilt, timeout=1000) as blocker:
        s.open_model(tmp_path / "m.npz")
    loaded = blocker.args[0]
    assert same_parameters(loaded, saved) and loaded.epoch == 1 and loaded.samples_seen == 1000
    assert (s.sizes, s.activation, s.cost, s.lr) == ((784, 16, 16, 10), "sigmoid", "mse", 2.0)
    assert s.history == log.epochs[:1]
    with qtbot.waitSignal(s.epoch_done, timeout=5000) as blocker:
        s.step_epoch()
    assert blocker.args[0].epoch == 2


def test_save_to_a_bad_place_fails(qtbot, make_session, tmp_path):
    s, _ = make_session()
    with qtbot.waitSignal(s.failed, timeout=1000):
        assert not s.save_model(tmp_path / "no" / "such" / "folder" / "m.npz")


def test_apply_parameters_round_trip_is_bit_exact(qtbot, make_session):
    s, log = make_session()
    original = step(qtbot, s, log)
    rng = np.random.default_rng(3)
    nudged_w = [W - 1e-9 * rng.standard_normal(W.shape) for W in original.weights]
    nudged_b = [b - 1e-9 * rng.standard_normal(b.shape) for b in original.biases]
    with qtbot.waitSignal(s.snapshot_ready, timeout=2000) as blocker:
        s.apply_parameters(nudged_w, nudged_b)
    got = blocker.args[0]
    assert all(np.array_equal(a, b) for a, b in zip(got.weights + got.biases, nudged_w + nudged_b))
    with qtbot.waitSignal(s.snapshot_ready, timeout=2000) as blocker:
        s.apply_parameters(original.weights, original.biases)  # undo
    assert same_parameters(blocker.args[0], original)
    assert blocker.args[0].samples_seen == original.samples_seen
    assert not same_parameters(step(qtbot, s, log), original)  # training goes on from there


def test_apply_parameters_of_the_wrong_shape_fails(qtbot, make_session):
    s, _ = make_session()
    before = s.snapshot
    with qtbot.waitSignal(s.failed, timeout=1000):
        s.apply_parameters(before.weights[:-1], before.biases[:-1])
    assert s.snapshot is before


@pytest.mark.parametrize("sizes, activation, cost", [
    ([784, 200, 10], "sigmoid", "mse"),
    ([784, 10], "sigmoid", "mse"),
    ([784, 8, 8, 8, 8, 8, 10], "sigmoid", "mse"),
    ([700, 16, 10], "sigmoid", "mse"),
    ([784, 16, 9], "sigmoid", "mse"),
    ([784, 0, 10], "sigmoid", "mse"),
    ([784, 16, 10], "swish", "mse"),
    ([784, 16, 10], "sigmoid", "hinge"),
])
def test_rebuild_rejects_what_the_ui_does_not_allow(qtbot, make_session, sizes, activation, cost):
    s, log = make_session()
    with qtbot.waitSignal(s.failed, timeout=1000):
        s.rebuild(sizes, activation, cost, 0)
    assert s.sizes == (784, 16, 16, 10) and log.rebuilt == []


def test_rebuild_while_training(qtbot, make_session):
    s, log = make_session()
    s.start()
    qtbot.waitUntil(lambda: len(log.reports) >= 20, timeout=3000)
    with qtbot.waitSignal(s.network_rebuilt, timeout=1000) as blocker:
        s.rebuild([784, 128, 64, 32, 16, 10], "tanh", "mse", 5)
    n_snapshots = len(log.snapshots)
    wait_paused(qtbot, s, log)
    qtbot.wait(200)
    assert blocker.args[0].sizes == (784, 128, 64, 32, 16, 10) and blocker.args[0].samples_seen == 0
    assert all(snap.sizes == (784, 128, 64, 32, 16, 10) for snap in log.snapshots[n_snapshots:])
    assert s.history == [] and s.snapshot.sizes == (784, 128, 64, 32, 16, 10)
    assert step(qtbot, s, log).samples_seen == 100


def test_reset_gives_the_same_fresh_network(qtbot, make_session):
    s, log = make_session()
    fresh = s.snapshot
    with qtbot.waitSignal(s.epoch_done, timeout=5000):
        s.step_epoch()
    wait_paused(qtbot, s, log)
    assert not same_parameters(s.snapshot, fresh)
    with qtbot.waitSignal(s.network_rebuilt, timeout=1000) as blocker:
        s.reset()
    assert same_parameters(blocker.args[0], fresh) and s.history == []
    assert s.snapshot.samples_seen == 0 and s.sizes == (784, 16, 16, 10)


def test_a_script_that_ends_mid_training_stops_the_thread_cleanly(tmp_path):
    """Without quitting the application or calling shutdown(): the atexit safety net stops it."""
    import subprocess
    import sys
    import textwrap

    script = tmp_path / "ends_mid_training.py"
    script.write_text(textwrap.dedent("""
        import time
        from PySide6.QtWidgets import QApplication
        from mlpviz.core.datasets import load_bundled
        from mlpviz.gui.session import Session
        app = QApplication([])
        s = Session(dataset=load_bundled())
        s.start()
        end = time.time() + 1.0
        while time.time() < end:
            app.processEvents()
        assert s.is_training
    """))
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "Destroyed while thread" not in proc.stderr


def test_epoch_ends_are_where_each_epochs_last_batch_ended(qtbot, make_session):
    """At full speed the reports come in bunches (an epoch's report after the next epoch's
    first batches): each epoch is still recorded at its own end, 10 batches apart."""
    s, log = make_session()
    s.set_stop_after(6)
    s.start()
    qtbot.waitUntil(lambda: len(s.history) == 6 and not s.is_training, timeout=30_000)
    assert s.epoch_ends == (10, 20, 30, 40, 50, 60)
