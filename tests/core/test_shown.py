"""core/shown: what the window says about the input on show — the answer and this sample's
gradient — computed without Qt."""

import numpy as np
import pytest

from mlpviz.core.network import Network
from mlpviz.core.sample import SampleChoice
from mlpviz.core.shown import Shown, answer, sample_gradient
from mlpviz.core.snapshot import Snapshot


@pytest.fixture(scope="module")
def snap(trained_default):
    return trained_default(50)


@pytest.fixture(scope="module")
def sample(bundled):
    return SampleChoice.of(bundled, "test", 7)


def test_answer_is_the_brightest_output_and_its_activation(snap, bundled):
    net = snap.network()
    for i in range(20):
        x = bundled.test_images[i] / 255.0
        out = net.forward(x)
        j, a = answer(snap, x)
        assert j == int(np.argmax(out)) and a == out[j]


@pytest.mark.parametrize("activation, cost", [("sigmoid", "mse"), ("relu", "cross_entropy"),
                                              ("tanh", "mse")])
def test_the_gradient_is_backprops_for_this_sample(sample, activation, cost):
    net = Network([784, 12, 10], activation, cost, seed=3)
    grads = sample_gradient(Snapshot.of(net), Shown.of_sample(sample))
    want = net.backprop(sample.x, sample.label).grad_w
    assert len(grads) == 2
    for g, w in zip(grads, want, strict=True):
        np.testing.assert_array_equal(g, w)


def test_no_gradient_without_a_label_that_fits(snap, sample):
    assert sample_gradient(snap, None) is None
    assert sample_gradient(snap, Shown(sample.x, None, "your drawing")) is None
    assert sample_gradient(snap, Shown(sample.x, 10, "a label with no output")) is None
    assert sample_gradient(snap, Shown(np.zeros(100), 3, "another size")) is None


def test_a_sample_is_described_by_its_split_and_row(bundled):
    shown = Shown.of_sample(SampleChoice.of(bundled, "test", 12))
    assert shown.description == "held-out sample #12" and shown.label == bundled.test_labels[12]
    assert Shown.of_sample(SampleChoice.of(bundled, "train", 3)).description == \
        "training sample #3"
    assert not shown.x.flags.writeable and shown.x.dtype == np.float64
