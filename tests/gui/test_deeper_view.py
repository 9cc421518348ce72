"""The Deeper tab: each later layer's neurons in input space, the caption naming the picture."""

import numpy as np
import pytest

from mlpviz.core import Network, Snapshot
from mlpviz.core.neuron_pictures import composed_weights, maximising_inputs
from mlpviz.gui.views.deeper_view import DeeperView

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_pictures_and_caption_follow_the_choice(qtbot):
    v = DeeperView()
    qtbot.addWidget(v)
    v.show()
    snap = Snapshot.of(Network([784, 16, 12, 10], seed=4))
    v.set_snapshot(snap)
    assert v.layer.count() == 2 and v.chosen() == (2, "composed")
    assert v.grid.count() == 12 and "composed weights" in v.caption.text()
    assert np.allclose(v.pictures.reshape(12, -1), composed_weights(snap, 2))
    v.kind.setCurrentIndex(1)
    assert "most excites" in v.caption.text() and "gradient ascent" in v.caption.text()
    assert np.array_equal(v.pictures.reshape(12, -1), maximising_inputs(snap, 2))
    v.layer.setCurrentIndex(1)
    assert v.chosen() == (3, "maximising") and v.grid.count() == 10


def test_a_network_with_one_hidden_layer_has_no_deeper_layer_but_its_output(qtbot):
    v = DeeperView()
    qtbot.addWidget(v)
    v.set_snapshot(Snapshot.of(Network([784, 16, 10], seed=0)))
    assert v.layer.count() == 1 and v.grid.count() == 10


def test_the_costly_ascent_follows_training_at_most_every_five_seconds(qtbot):
    v = DeeperView()
    qtbot.addWidget(v)
    v.set_snapshot(Snapshot.of(Network([784, 16, 12, 10], seed=4)))
    v.kind.setCurrentIndex(1)
    first = v.pictures.copy()
    v.set_snapshot(Snapshot.of(Network([784, 16, 12, 10], seed=5)))
    qtbot.wait(1500)
    assert np.array_equal(v.pictures, first)  # not yet: the ascent waits 5 s
    qtbot.waitUntil(lambda: not np.array_equal(v.pictures, first), timeout=6000)
