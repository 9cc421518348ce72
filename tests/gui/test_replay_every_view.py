"""Replay, view by view: on a checkpoint every view shows what that checkpoint's weights give —
the drawn lines and circles pixel for pixel as a fresh view given the checkpoint draws them, the
sample's outputs, the weight pictures, the neuron panel's numbers, the Mistakes tab's matrix,
the cost plot's marker and the pins' numbers — and back to live, the live network's again."""

import numpy as np
import pytest

from mlpviz.core.colormap import signed_rgb_per_image
from mlpviz.core.mistakes import confusion
from mlpviz.core.notation import fmt_sig
from mlpviz.core.pins import Pin
from mlpviz.gui import theme as themes
from mlpviz.gui.views.network_view import NetworkView
from mlpviz.gui.views.neuron_panel import fixed
from mlpviz.gui.views.weights_grid import SCALE_PERCENTILE

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

WEIGHT = Pin("weight", 1, 3, 7)  # w₃,₇⁽²⁾: layer 1 is the second weight layer
NEURON = Pin("neuron", 2, 5)     # a₅⁽²⁾
PANEL_NEURON = (1, 4)            # the neuron panel shows neuron 4 of the first hidden layer


@pytest.fixture
def trained(qtbot, window):
    """The window after 12 single steps and an epoch (checkpoints early and late), a weight and
    a neuron pinned, a neuron in the neuron panel."""
    s = window.session
    for _ in range(12):
        with qtbot.waitSignal(s.snapshot_ready, timeout=10_000):
            s.step_batch()
    s.step_epoch()
    qtbot.waitUntil(lambda: len(s.history) == 1 and not s.is_training, timeout=30_000)
    qtbot.waitUntil(lambda: window.timeline.record() is s.checkpoints, timeout=5000)
    window.pins_view.add(WEIGHT)
    window.pins_view.add(NEURON)
    window._on_neuron_clicked(*PANEL_NEURON)
    return window


def fresh_drawing(qtbot, window, snap):
    """The network view as a new NetworkView — same size, theme, names, input, selected neuron —
    draws `snap`."""
    view = NetworkView()
    qtbot.addWidget(view)
    view.resize(window.network_view.size())
    view.set_class_names(list(window.session.dataset.class_names))
    view.set_theme(themes.theme(window._theme_name, window._presentation, window._palette_name))
    view.set_input_style("circles" if window.circles_action.isChecked() else "image")
    view.set_snapshot(snap)
    view.set_input(window._shown.x)
    view.set_selected(*window.network_view.selected())
    view.show()
    qtbot.waitUntil(lambda: not view.settling, timeout=3000)  # lines by the raster, as the window's
    return view.grab().toImage()


def shown(qtbot, dock, view):
    dock.raise_()
    qtbot.waitUntil(lambda: not view.visibleRegion().isEmpty(), timeout=3000)


def expected_pictures(grid, snap):
    """W⁽¹⁾'s rows of `snap` as 28×28 pictures in the grid's colours."""
    W = np.asarray(snap.weights[0])
    return signed_rgb_per_image(W.reshape(len(W), 28, 28), SCALE_PERCENTILE,
                                background=grid._background, positive=grid._positive,
                                negative=grid._negative)


def check_every_view_shows(qtbot, w, snap, at):
    """Every view shows `snap` (taken after `at` mini-batches; None: live, no marker)."""
    assert w._snapshot is snap
    x = w._shown.x
    acts = snap.forward_all(x)
    # lines and circles: the drawing is exactly a fresh view's of this snapshot
    assert w.network_view.grab().toImage() == fresh_drawing(qtbot, w, snap)
    assert all(np.array_equal(a, b) for a, b in zip(w.network_view.activations(), acts))
    shown(qtbot, w.sample_dock, w.sample_view)
    assert np.array_equal(w.sample_view.outputs(), acts[-1])
    shown(qtbot, w.weights_dock, w.weights_grid)
    assert np.array_equal(w.weights_grid.images(), expected_pictures(w.weights_grid, snap))
    shown(qtbot, w.neuron_dock, w.neuron_panel)
    l, j = PANEL_NEURON
    assert w.neuron_panel.value_a.text() == fixed(float(acts[l][j]))
    shown(qtbot, w.mistakes_dock, w.mistakes_view)
    ds = w.session.dataset
    truth = confusion(snap, ds.test_images.astype(np.float64) / 255.0, ds.test_labels)
    qtbot.waitUntil(lambda: w.mistakes_view.result is not None and np.array_equal(
        w.mistakes_view.result.counts, truth.counts), timeout=5000)
    assert w.cost_view.marker() == at
    w.pins_view.refresh()
    rows = w.pins_view._rows
    value = snap.weights[WEIGHT.layer][WEIGHT.j, WEIGHT.k]
    assert rows[0].numbers.text().startswith(f"{WEIGHT.name()} = {fmt_sig(value)}")
    assert rows[1].numbers.text().startswith(f"{NEURON.name()} = "
                                             f"{fmt_sig(acts[NEURON.layer][NEURON.j])}")
    record = w.session.checkpoints
    batches = record.batches[-1] if at is None else at
    assert all(r.markers[0].value() == batches for r in rows)
    assert all(f"after {batches:,} mini-batches" in r.numbers.text() for r in rows)


def test_every_view_follows_the_timeline_there_and_back(qtbot, trained):
    w = trained
    live = w.session.snapshot
    live_bytes = [a.tobytes() for a in (*live.weights, *live.biases)]
    record = w.session.checkpoints
    assert len(record) >= 10
    pictures = {}
    for index in (0, len(record) // 2, 2):
        w.timeline.slider.setValue(index)
        checkpoint = record.snapshots[index]
        check_every_view_shows(qtbot, w, checkpoint, record.batches[index])
        pictures[index] = w.weights_grid.images()
    assert not np.array_equal(pictures[0], pictures[len(record) // 2])  # they differ: a real test
    w.timeline.go_live()
    check_every_view_shows(qtbot, w, live, None)
    # the training network was never touched
    assert w.session.snapshot is live
    assert [a.tobytes() for a in (*live.weights, *live.biases)] == live_bytes


def test_pins_follow_training_as_it_goes_on(qtbot, trained):
    """More training: each pin's series grows with the new checkpoints, its newest point the
    live network's value, and its marker and numbers are live again."""
    w = trained
    s = w.session
    w.pins_view.refresh()
    before = len(w.pins_view.series()[0])
    for _ in range(5):
        with qtbot.waitSignal(s.snapshot_ready, timeout=10_000):
            s.step_batch()
    qtbot.waitUntil(lambda: w.timeline.record() is s.checkpoints, timeout=5000)
    w.pins_view.refresh()
    x, values = w.pins_view.series()
    live = s.snapshot
    assert len(x) > before and x[-1] == s.batches_seen
    assert values[-1, 0, 0] == live.weights[WEIGHT.layer][WEIGHT.j, WEIGHT.k]
    assert values[-1, 1, 0] == live.forward_all(w._shown.x)[NEURON.layer][NEURON.j]
    row = w.pins_view._rows[0]
    assert row.markers[0].value() == s.batches_seen
    assert f"after {s.batches_seen:,} mini-batches" in row.numbers.text()
