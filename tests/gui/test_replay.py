"""Replay: the timeline scrubs every view through the session's checkpoints, bit for bit, without
touching the training network; the cost plot marks the checkpoint and reads out exact values."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from mlpviz.core.checkpoints import Checkpoints
from mlpviz.core.explain import training_point
from mlpviz.core.pins import Pin
from mlpviz.core.series import BinnedSeries
from mlpviz.core.training import EpochReport
from mlpviz.gui.views.cost_view import CostView
from mlpviz.gui.views.timeline import TimelineBar, position_text
from tests.gui.on_screen import on_screen


def _train_batches(qtbot, window, n):
    """Step `n` single mini-batches, each snapshot taken before the next step."""
    for _ in range(n):
        with qtbot.waitSignal(window.session.snapshot_ready, timeout=10_000):
            window.session.step_batch()


@pytest.fixture
def trained(qtbot, window):
    """The window after 12 single steps and one epoch: checkpoints early and late."""
    _train_batches(qtbot, window, 12)
    window.session.step_epoch()
    qtbot.waitUntil(lambda: len(window.session.history) == 1 and not window.session.is_training,
                    timeout=30_000)
    qtbot.waitUntil(lambda: window.timeline.record() is window.session.checkpoints, timeout=5000)
    return window


def _same(a, b):
    return all(x.tobytes() == y.tobytes() for x, y in zip((*a.weights, *a.biases),
                                                          (*b.weights, *b.biases)))


def test_the_timeline_restores_a_checkpoint_bit_for_bit_and_every_view_follows(qtbot, trained):
    w = trained
    live = w.session.snapshot
    live_weights = [np.array(W) for W in live.weights]
    record = w.session.checkpoints
    assert len(record) >= 10 and record.batches[0] == 0
    w.weights_dock.raise_()
    qtbot.waitUntil(lambda: not w.weights_grid.visibleRegion().isEmpty(), timeout=3000)
    seen = {}
    for index in (0, 3, len(record) // 2):
        checkpoint = record.snapshots[index]
        w.timeline.slider.setValue(index)
        assert w.timeline.replaying
        assert w._snapshot is checkpoint and _same(w._snapshot, checkpoint)
        # the network view's circles and the sample's outputs are the checkpoint's forward pass
        x = w._shown.x
        acts = checkpoint.forward_all(x)
        assert all(np.array_equal(a, b) for a, b in zip(w.network_view.activations(), acts))
        w.sample_dock.raise_()
        qtbot.waitUntil(lambda: not w.sample_view.visibleRegion().isEmpty(), timeout=3000)
        assert np.array_equal(w.sample_view.outputs(), acts[-1])
        w.weights_dock.raise_()
        qtbot.waitUntil(lambda: not w.weights_grid.visibleRegion().isEmpty(), timeout=3000)
        seen[index] = w.weights_grid.images()
        assert w.cost_view.marker() == record.batches[index]
        assert f"Replay {index + 1} of {len(record)}" in w.timeline.where.text()
        assert w.status_epoch.text().strip() == training_point(checkpoint.epoch, checkpoint.batch)
    assert not np.array_equal(seen[0], seen[len(record) // 2])  # the pictures changed with it
    # the training network was never touched
    assert w.session.snapshot is live
    assert all(np.array_equal(a, b) for a, b in zip(live_weights, w.session.snapshot.weights))
    w.timeline.go_live()
    assert not w.timeline.replaying and w._snapshot is live and w.cost_view.marker() is None
    assert "Live" in w.timeline.where.text()


def test_the_replay_keys_step_through_checkpoints_and_l_goes_live(qtbot, trained):
    w = trained
    n = len(w.session.checkpoints)
    w.network_view.setFocus()
    qtbot.keyClick(w.network_view, Qt.Key.Key_BracketLeft)
    qtbot.keyClick(w.network_view, Qt.Key.Key_BracketLeft)
    assert w.timeline.replaying and w.timeline.index() == n - 3
    qtbot.keyClick(w.network_view, Qt.Key.Key_BracketRight)
    assert w.timeline.index() == n - 2
    qtbot.keyClick(w.network_view, Qt.Key.Key_L)
    assert not w.timeline.replaying and w.timeline.index() == n - 1


def test_scrubbing_pauses_training_and_training_again_returns_to_live(qtbot, trained):
    w = trained
    w.session.start()
    qtbot.waitUntil(lambda: w.session.is_training, timeout=5000)
    w.timeline.slider.setValue(1)
    qtbot.waitUntil(lambda: not w.session.is_training, timeout=10_000)
    assert w.timeline.replaying  # still on the checkpoint after the pause's last snapshot
    assert w._snapshot is w.timeline.record().snapshots[w.timeline.index()]
    w.session.start()
    qtbot.waitUntil(lambda: not w.timeline.replaying, timeout=5000)
    w.session.pause()
    qtbot.waitUntil(lambda: not w.session.is_training, timeout=10_000)


def test_a_stepper_step_made_on_a_replayed_checkpoint_is_refused_and_says_why(qtbot, trained):
    w = trained
    live = w.session.snapshot
    w.timeline.slider.setValue(0)
    old = w.timeline.record().snapshots[0]
    w._on_parameters_proposed(old.weights, old.biases)
    assert "replaying an earlier checkpoint" in w.banner.text()
    assert not w.timeline.replaying and w.session.snapshot is live


def test_position_text_says_where_training_stood():
    from mlpviz.core import Network, Snapshot

    snaps = tuple(Snapshot.of(Network([4, 3, 2], seed=i), epoch=i, batch=7 * i) for i in range(3))
    record = Checkpoints((0, 5, 1234), snaps)
    assert position_text(record, 2, True) == "Live · 1,234 mini-batches (epoch 3, batch 14)"
    assert position_text(record, 1, False) == "Replay 2 of 3 · 5 mini-batches (epoch 2, batch 7)"
    assert position_text(record, 0, False) == "Replay 1 of 3 · 0 mini-batches (before training)"
    assert position_text(Checkpoints(), 0, True) == "Live"


def test_a_thinned_checkpoint_moves_the_replay_to_the_one_before(qtbot):
    from mlpviz.core import Network, Snapshot

    bar = TimelineBar()
    qtbot.addWidget(bar)
    snaps = [Snapshot.of(Network([4, 3, 2], seed=i)) for i in range(4)]
    bar.set_checkpoints(Checkpoints((0, 1, 2, 3), tuple(snaps)))
    shown = []
    bar.replay_changed.connect(shown.append)
    bar.slider.setValue(2)
    bar.set_checkpoints(Checkpoints((0, 1, 3, 9), (snaps[0], snaps[1], snaps[3],
                                                   Snapshot.of(Network([4, 3, 2], seed=9)))))
    assert bar.replaying and bar.index() == 1 and shown[-1] is snaps[1]


# -- the cost plot's hover readout -----------------------------------------------------------------
def _report(epoch, cost, acc):
    return EpochReport(epoch, cost, acc, cost * 1.1, acc - 0.01, 1.0, 100.0)


@pytest.fixture
def cost_view(qtbot):
    view = on_screen(qtbot, CostView(), 900, 300)
    view.flush()
    return view


def test_hovering_the_cost_and_accuracy_curves_reads_out_the_exact_values(qtbot, cost_view):
    from mlpviz.core.training import BatchReport

    costs = [1.0 / (1 + 0.01 * i) + 0.0123456789 for i in range(300)]
    fields = BatchReport.__dataclass_fields__
    reports = tuple(BatchReport(**{**{f: 0 for f in fields}, "cost": c}) for c in costs)
    cost_view.add_batches(reports)
    cost_view.add_epoch(_report(1, 0.4567891234, 0.87654), at=150)
    cost_view.add_epoch(_report(2, 0.3456789123, 0.91234), at=300)
    cost_view.flush()
    qtbot.wait(300)  # the plots' new ranges reach their transforms when laid out
    canvas = cost_view._canvas

    def batch_under(plot, at):
        """The readout of the mini-batch nearest where the pointer really is (the move lands on
        whole pixels: on a narrow plot one pixel spans more than one mini-batch)."""
        n = round(plot.vb.mapSceneToView(canvas.mapToScene(at)).x())
        return f"mini-batch {n}: cost {costs[n - 1]:.6g}"

    for plot, x, expected in (
            (cost_view._cost_plot, 77, batch_under),
            (cost_view._cost_plot, 150, "end of epoch 1 (150 mini-batches): cost on the training "
                                        "set 0.456789, held-out 0.502468"),
            (cost_view._acc_plot, 300, "end of epoch 2 (300 mini-batches): accuracy on the "
                                       "training set 91.23 %, held-out 90.23 %")):

        def pointed_at(plot=plot, x=x, expected=expected):
            """Move the mouse onto (x, mid-height) as the plot maps it now: under load a plot's
            range can still settle after the first move, so each try maps (and moves) anew."""
            y = sum(plot.vb.viewRange()[1]) / 2
            at = canvas.mapFromScene(plot.vb.mapViewToScene(QPointF(x, y)))
            # a real move on every try (Qt drops a move to where the pointer already is); the
            # step is vertical, so whichever of the two moves arrives last, x is the same
            qtbot.mouseMove(canvas.viewport(), at + QPoint(0, 2))
            qtbot.mouseMove(canvas.viewport(), at)
            said = expected(plot, at) if callable(expected) else expected
            return cost_view.hover_text().startswith(said)

        qtbot.waitUntil(pointed_at, timeout=15_000)
        readout = cost_view._readouts[cost_view._plots.index(plot)]
        assert readout.isVisible() and cost_view.hover_text().split(":")[0] in readout.toPlainText()
    cost_view._on_mouse_moved(QPointF(-50, -50))  # off the plots: no readout
    assert cost_view.hover_text() == "" and not any(r.isVisible() for r in cost_view._readouts)


def test_binned_points_read_out_their_range_never_one_batch_as_exact(cost_view):
    from mlpviz.core.curve_readout import batch_text

    s = BinnedSeries(4)
    s.extend(np.arange(1, 9), [5.0, 1.0, 2.0, 2.0, 9.0, 3.0, 4.0, 4.0], np.zeros(8))
    text = batch_text(s.points(), s.bin, 1.5, 1.0)
    assert text.startswith("mini-batches around 2 (each point stands for up to 2): cost 1 … 5, "
                           "mean 3")
    assert batch_text(s.points(), s.bin, 100, 1.0) is None


# -- pin and follow ------------------------------------------------------------------------------
def test_a_pinned_weight_plots_its_checkpoint_values_and_follows_the_replay(qtbot, trained):
    w = trained
    w.network_view.set_top_k(1)  # few lines: a hit names one weight
    qtbot.waitUntil(lambda: w.network_view.isVisible(), timeout=3000)
    hit = None
    for x in range(200, 420, 3):  # find a line between the hidden layers by hit-testing
        for y in range(120, 460, 3):
            choice = w.network_view.pin_choice_at(QPointF(x, y))
            if choice and choice[1][0] == "weight":
                hit = choice
                break
        if hit:
            break
    assert hit is not None and hit[0].startswith("Pin the weight from neuron")
    kind, l, j, k = hit[1]
    w.network_view.pin_requested.emit(*hit[1])
    assert w.pins_view.pins().pins[-1].kind == "weight"
    qtbot.waitUntil(lambda: w.pins_view.series() is not None, timeout=5000)
    w.pins_view.refresh()
    x, values = w.pins_view.series()
    record = w.session.checkpoints
    assert x.tolist() == list(record.batches)
    for i, snap in enumerate(record.snapshots):
        assert values[i, 0, 0] == snap.weights[l][j, k]  # exactly the checkpoint's weight
        trace = snap.network().backprop(w._shown.x, w._shown.label)
        assert values[i, 0, 1] == trace.grad_w[l][j, k]
    row = w.pins_view._rows[0]
    drawn = row.curves[0].getData()
    assert np.array_equal(drawn[1], values[:, 0, 0])
    # the replay moves the marker and the numbers to the checkpoint
    w.timeline.slider.setValue(2)
    w.pins_view.refresh()
    assert row.markers[0].value() == record.batches[2]
    assert f"after {record.batches[2]:,} mini-batches" in row.numbers.text()


def test_a_pinned_neuron_follows_its_activation_and_p_pins_the_selected_neuron(qtbot, trained):
    w = trained
    w._on_neuron_clicked(2, 5)
    w.network_view.setFocus()
    qtbot.keyClick(w.network_view, Qt.Key.Key_P)
    assert w.pins_view.pins().pins[-1].name() == "a₅⁽²⁾"
    w.pins_view.refresh()
    x, values = w.pins_view.series()
    for i, snap in enumerate(w.session.checkpoints.snapshots):
        assert values[i, -1, 0] == snap.forward_all(w._shown.x)[2][5]
    assert "Unpin" in [b.text() for b in w.pins_view.findChildren(type(w.timeline.live_button))]


def test_pins_a_new_network_lacks_are_dropped_and_said(qtbot, window):
    w = window
    w.pins_view.add(Pin("neuron", 2, 15))
    with qtbot.waitSignal(w.session.network_rebuilt, timeout=5000):
        w.session.rebuild([784, 16, 8, 10], "sigmoid", "mse", 0)
    assert w.pins_view.pins().pins == ()
    assert "Unpinned a₁₅⁽²⁾" in w.pins_view.note.text()


def test_a_lesson_files_checkpoints_replace_the_sessions_and_bad_ones_are_refused(qtbot, trained):
    s = trained.session
    record = s.checkpoints
    saved = Checkpoints.from_arrays(record.to_arrays(), s.sizes, s.activation, s.cost)
    s.restore_checkpoints(Checkpoints(saved.batches[:-1], saved.snapshots[:-1]))
    back = s.checkpoints
    assert back.batches == record.batches and back.snapshots[-1] is s.snapshot
    s.restore_checkpoints(saved)  # ending where the network stands: kept as saved
    assert s.checkpoints.snapshots[-1] is saved.snapshots[-1]
    assert all(a.weights[0].tobytes() == b.weights[0].tobytes()
               for a, b in zip(back.snapshots, record.snapshots))
    with pytest.raises(ValueError, match="beyond"):
        s.restore_checkpoints(Checkpoints((10**9,), (s.snapshot,)))
    from mlpviz.core import Network, Snapshot

    with pytest.raises(ValueError, match="another network"):
        s.restore_checkpoints(Checkpoints((0,), (Snapshot.of(Network([784, 8, 10])),)))


def test_a_lesson_file_keeps_the_checkpoints_and_the_pins_bit_for_bit(qtbot, trained, tmp_path):
    w = trained
    w.pins_view.add(Pin("weight", 1, 3, 7))
    w.pins_view.add(Pin("neuron", 2, 5))
    record, pins = w.session.checkpoints, w.pins_view.pins()
    assert w.lesson.save(tmp_path / "r.mlpviz")
    w.pins_view.set_pins(type(pins)())
    with qtbot.waitSignal(w.session.network_rebuilt, timeout=5000):
        w.session.reset()
    assert len(w.session.checkpoints) == 1
    with qtbot.waitSignal(w.lesson.opened, timeout=20_000):
        w.lesson.open(tmp_path / "r.mlpviz")
    back = w.session.checkpoints
    assert back.batches == record.batches and w.pins_view.pins() == pins
    for a, b in zip(back.snapshots, record.snapshots):
        assert all(x.tobytes() == y.tobytes() for x, y in zip((*a.weights, *a.biases),
                                                              (*b.weights, *b.biases)))
    assert w.timeline.record() is back
