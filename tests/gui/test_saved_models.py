"""Models saved in the app: the same training record as `mlpviz train` writes, and a reopened
model's cost plot marks its epochs where they ended (they all sat at x = 0 before)."""

import json

import pytest

from mlpviz.cli import main
from mlpviz.core.network import Network
from mlpviz.gui.run_controls import RunControls
from mlpviz.gui.session import Session

BATCHES_PER_EPOCH = 80  # 8,000 bundled training digits in batches of 100


def train_epochs(qtbot, session, n: int) -> None:
    for _ in range(n):
        with qtbot.waitSignal(session.epoch_done, timeout=20_000):
            session.step_epoch()
    qtbot.waitUntil(lambda: not session.is_training, timeout=5000)


def test_reopened_model_marks_its_epochs_where_they_ended(qtbot, window, tmp_path):
    session, view = window.session, window.cost_view
    train_epochs(qtbot, session, 2)
    with qtbot.waitSignal(session.snapshot_ready, timeout=5000):
        session.step_batch()  # one batch into the third epoch
    live = view.history_rows()
    assert [row["batches_seen"] for row in live] == [BATCHES_PER_EPOCH, 2 * BATCHES_PER_EPOCH]
    assert session.save_model(tmp_path / "m.npz")

    with qtbot.waitSignal(session.network_rebuilt, timeout=5000):
        session.reset()
    assert view.history_rows() == [] and view.batches_seen() == 0
    with qtbot.waitSignal(session.network_rebuilt, timeout=5000):
        session.open_model(tmp_path / "m.npz")
    assert view.history_rows() == live
    assert view.batches_seen() == session.batches_seen == 2 * BATCHES_PER_EPOCH + 1

    # A reopened model starts its third epoch afresh (a file keeps no place in an epoch's
    # shuffled order): 80 more batches, plotted after the 161 it had seen.
    with qtbot.waitSignal(session.epoch_done, timeout=20_000):
        session.step_epoch()
    qtbot.waitUntil(lambda: len(view.history_rows()) == 3, timeout=5000)
    assert view.history_rows()[2]["batches_seen"] == 3 * BATCHES_PER_EPOCH + 1
    view.flush()
    x = view.batch_series()[0]
    assert (x[0], x[-1], len(x)) == (2 * BATCHES_PER_EPOCH + 2, 3 * BATCHES_PER_EPOCH + 1, 80)


def test_a_model_from_before_batch_counts_gets_its_markers_estimated(qtbot, window, tmp_path):
    old_meta = {"epochs": 2, "dataset": "bundled", "lr": 3.0, "batch": 100, "seed": 0,
                "samples_seen": 16_000,
                "history": [{"epoch": e, "train_cost": 0.1, "train_accuracy": 0.9,
                             "test_cost": 0.1, "test_accuracy": 0.9, "seconds": 1.0,
                             "samples_per_second": 8000.0} for e in (1, 2)]}
    Network([784, 16, 16, 10], seed=3).save(tmp_path / "old.npz", old_meta)
    with qtbot.waitSignal(window.session.network_rebuilt, timeout=5000):
        window.session.open_model(tmp_path / "old.npz")
    assert [r["batches_seen"] for r in window.cost_view.history_rows()] == [80, 160]


def test_the_app_and_the_command_line_write_the_same_keys(qtbot, bundled, tmp_path):
    assert main(["train", "--epochs", "1", "--save", str(tmp_path / "cli.npz")]) == 0
    session = Session(dataset=bundled)
    try:
        train_epochs(qtbot, session, 1)
        assert session.save_model(tmp_path / "app.npz")
    finally:
        session.shutdown()
    cli_meta = Network.load_with_metadata(tmp_path / "cli.npz")[1]
    app_meta = Network.load_with_metadata(tmp_path / "app.npz")[1]
    assert set(app_meta) == set(cli_meta)
    assert set(app_meta["history"][0]) == set(cli_meta["history"][0])
    for meta in (cli_meta, app_meta):
        assert (meta["epochs"], meta["batches_seen"], meta["samples_seen"]) == (1, 80, 8000)
        assert meta["history"][0]["batches_seen"] == 80
    assert json.loads(json.dumps(app_meta)) == app_meta


@pytest.mark.parametrize("text, ok", [("16,16", True), ("128,128,128,128", True),
                                      ("8,8,8,8,8", False), ("129", False), ("16,,16", False),
                                      ("", False)])
def test_the_toolbar_accepts_what_the_app_draws(qtbot, text, ok):
    controls = RunControls()
    qtbot.addWidget(controls)
    controls.layers.setText(text)
    with qtbot.waitSignal(controls.problem_found if not ok else controls.rebuild_requested,
                          timeout=1000) as blocker:
        controls.rebuild_button.click()
    if not ok:
        assert "1 to 4 layers of 1 to 128 neurons" in blocker.args[0]
