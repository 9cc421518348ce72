"""core/minibatch: the stepper's mini-batch is real (dataset rows with their own labels), has the
size training uses, always contains the sample on show, and reads the same every time."""

import numpy as np
import pytest

from mlpviz.core.minibatch import MiniBatch, batch_gradient, minibatch_for, minibatch_with
from mlpviz.core.network import Network
from mlpviz.core.sample import SampleChoice
from mlpviz.core.shown import Shown
from mlpviz.core.snapshot import Snapshot


def _rows_are_real(bundled, mb: MiniBatch) -> None:
    """Every training row is the dataset's image and label at the index the batch names."""
    for i in range(len(mb)):
        if mb.splits[i] == "train":
            np.testing.assert_array_equal(mb.X[i], bundled.train_images[mb.indices[i]] / 255.0)
            assert mb.labels[i] == bundled.train_labels[mb.indices[i]]


@pytest.mark.parametrize("split, index, size", [("test", 351, 100), ("train", 17, 100),
                                                ("test", 0, 1), ("train", 7999, 37),
                                                ("train", 5, 10_000)])
def test_the_batch_contains_the_sample_on_show_and_real_training_rows(bundled, split, index, size):
    shown = Shown.of_sample(SampleChoice.of(bundled, split, index))
    mb = minibatch_for(bundled, shown, size)
    np.testing.assert_array_equal(mb.X[mb.shown], shown.x)
    assert mb.labels[mb.shown] == shown.label and mb.indices[mb.shown] == index
    assert mb.splits[mb.shown] == split and mb.added == (split == "test")
    # the size in the toolbar, or every training sample when there are fewer
    assert len(mb) == min(size, 8000 + mb.added)
    assert all(s == "train" for s in mb.splits[1:])
    rows = [(s, int(i)) for s, i in zip(mb.splits, mb.indices)]
    assert len(set(rows)) == len(rows)  # no sample twice (the one on show is not drawn again)
    _rows_are_real(bundled, mb)
    assert mb.row_name(0) == ("held-out" if split == "test" else "training") + f" #{index}"
    if len(mb) > 1:
        assert mb.row_name(1) == f"training #{mb.indices[1]}"


def test_the_batch_reads_the_same_every_time_and_the_seed_is_explicit(bundled):
    shown = Shown.of_sample(SampleChoice.of(bundled, "test", 3))
    a, b = minibatch_for(bundled, shown, 50), minibatch_for(bundled, shown, 50)
    np.testing.assert_array_equal(a.indices, b.indices)
    assert not np.array_equal(a.indices, minibatch_for(bundled, shown, 50, seed=1).indices)
    assert not a.X.flags.writeable and not a.labels.flags.writeable


def test_a_drawing_is_added_and_named_as_such(bundled):
    x = np.zeros(784)
    x[300:320] = 1.0
    mb = minibatch_for(bundled, Shown(x, 4, "your drawing"), 8)
    assert len(mb) == 8 and mb.added and mb.row_name(0) == "your drawing"
    assert mb.labels[0] == 4 and mb.indices[0] == -1
    _rows_are_real(bundled, mb)
    assert minibatch_for(bundled, Shown(x, None, "your drawing"), 8) is None


def test_a_tiny_training_set_gives_what_it_has(bundled):
    x = bundled.train_images[1] / 255.0
    mb = minibatch_with(bundled.train_images[:3], bundled.train_labels[:3], 100, x,
                        bundled.train_labels[1], "train", 1)
    assert len(mb) == 3 and sorted(mb.indices) == [0, 1, 2] and not mb.added
    mb = minibatch_with(bundled.train_images[:0], bundled.train_labels[:0], 100, x, 3, "test", 9)
    assert len(mb) == 1 and mb.added


def test_the_batch_gradient_is_the_mean_of_each_samples_own(bundled):
    snap = Snapshot.of(Network([784, 16, 16, 10], seed=4))
    mb = minibatch_for(bundled, Shown.of_sample(SampleChoice.of(bundled, "test", 9)), 12)
    grad = batch_gradient(snap, mb)
    net = snap.network()
    for l in range(3):
        own = np.mean([net.backprop(x, y).grad_w[l] for x, y in zip(mb.X, mb.labels)], axis=0)
        np.testing.assert_allclose(grad[l], own, rtol=1e-9, atol=1e-15)
        assert grad[l].shape == net.weights[l].shape
    assert batch_gradient(snap, None) is None
    small = Snapshot.of(Network([784, 16, 3], seed=0))
    assert batch_gradient(small, mb) is None  # labels up to 9 do not fit 3 outputs
