"""“Rerun from the same start” (Ctrl+R) in the window: the same first 100 mini-batch costs, bit
for bit — from a start a Reset would not give back (weights edited before the first batch), and
with the shuffle order of the start (a generator that had moved on), not the seed's."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from mlpviz.core import Network, Trainer

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

N = 100  # the bundled data's epoch is 80 mini-batches of 100: the next epoch's order counts too


def batch_costs(qtbot, session, n=N):
    """Train until n mini-batch costs arrived, pause; those n costs, in order."""
    costs = []
    session.batches_done.connect(lambda reports: costs.extend(r.cost for r in reports))
    session.start()
    qtbot.waitUntil(lambda: len(costs) >= n, timeout=60_000)
    session.pause()
    qtbot.waitUntil(lambda: not session.is_training, timeout=10_000)
    return costs[:n]


def ctrl_r(qtbot, window):
    with qtbot.waitSignal(window.session.network_rebuilt, timeout=5000):
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)


def test_ctrl_r_repeats_a_run_from_edited_weights_exactly_and_reset_does_not(qtbot, window):
    s = window.session
    edited_w = [np.asarray(W) * 1.5 for W in s.snapshot.weights]
    edited_b = [np.asarray(b) + 0.25 for b in s.snapshot.biases]
    s.apply_parameters(edited_w, edited_b)  # as the stepper's step would, before any training
    first = batch_costs(qtbot, s)
    assert all(np.array_equal(W, V) for W, V in zip(s.run_start.weights, edited_w))
    ctrl_r(qtbot, window)
    assert s.snapshot.epoch == 0 and s.history == []
    assert all(W.tobytes() == V.tobytes() for W, V in zip(s.snapshot.weights, s.run_start.weights))
    assert batch_costs(qtbot, s) == first  # exactly, every one of the 100
    with qtbot.waitSignal(s.network_rebuilt, timeout=5000):
        s.reset()  # the seed's weights: another run (so the comparison above can fail)
    assert batch_costs(qtbot, s) != first


def test_the_rerun_shuffles_as_the_start_did_not_as_the_seed_would(qtbot, window, bundled):
    """A start recorded after its generator had drawn an epoch's order already: the rerun
    takes that generator's state, so its costs are the original trainer's."""
    s = window.session
    net = Network(s.sizes, s.activation, s.cost, seed=s.seed)
    original = Trainer(net, bundled.train_images, bundled.train_labels, lr=s.lr,
                       batch_size=s.batch_size, seed=s.seed + 1)
    original.finish_epoch()  # the generator moves on: its next order is not the seed's first
    expected = [original.step().cost for _ in range(N)]
    s.restore_run_start(original.start)
    ctrl_r(qtbot, window)
    assert batch_costs(qtbot, s) == expected
    with qtbot.waitSignal(s.network_rebuilt, timeout=5000):
        s.rebuild(s.sizes, s.activation, s.cost, s.seed)  # the same weights, the seed's order
    assert all(W.tobytes() == V.tobytes()
               for W, V in zip(s.snapshot.weights, original.start.weights))
    assert batch_costs(qtbot, s) != expected
