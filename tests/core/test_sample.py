"""core.sample.typical_index: the opening sample is the one most like its class's average."""

import numpy as np
import pytest

from mlpviz.core.datasets import Dataset
from mlpviz.core.sample import typical_index


def cosine_to_mean(dataset, label, split="test"):
    mean = dataset.train_images[dataset.train_labels == label].mean(axis=0)
    X = getattr(dataset, f"{split}_images").astype(np.float64)
    return X @ mean / (np.linalg.norm(X, axis=1) * np.linalg.norm(mean) + 1e-300)


@pytest.mark.parametrize("label", range(10))
def test_it_is_the_sample_of_that_class_closest_in_shape_to_the_class_mean(bundled, label):
    i = typical_index(bundled, label)
    assert bundled.test_labels[i] == label
    sims = cosine_to_mean(bundled, label)
    same = np.flatnonzero(bundled.test_labels == label)
    assert sims[i] == pytest.approx(sims[same].max())


def test_the_opening_two_is_read_as_a_two(bundled, trained_default):
    """A clear, typical "2": a briefly trained network reads it as a 2 with a clear margin."""
    snap = trained_default(300)
    out = snap.forward(bundled.test_images[typical_index(bundled, 2)] / 255.0)
    assert int(np.argmax(out)) == 2
    assert out[2] - np.sort(out)[-2] > 0.2


def tiny(train_images, train_labels, test_images, test_labels):
    u8 = lambda a: np.asarray(a, dtype=np.uint8)  # noqa: E731
    return Dataset("tiny", tuple("0123456789"), u8(train_images), u8(train_labels),
                   u8(test_images), u8(test_labels))


def test_ink_strength_does_not_matter_only_shape():
    stroke = np.zeros(784)
    stroke[100:140] = 200
    other = np.zeros(784)
    other[300:340] = 255
    faint_same_shape = stroke * 0.4
    d = tiny([stroke, stroke], [2, 2], [other, faint_same_shape], [2, 2])
    assert typical_index(d, 2) == 1


def test_no_sample_of_the_class_gives_none_and_blank_pictures_do_not_break_it():
    d = tiny(np.zeros((2, 784)), [2, 3], np.zeros((2, 784)), [2, 2])
    assert typical_index(d, 5) is None
    assert typical_index(d, 2) == 0  # all blank: the first, no division by zero
