"""SampleView: browsing picks the right samples; the bars are the core's outputs."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from mlpviz.core.sample import SampleChoice, typical_index
from mlpviz.gui.views.sample_view import SampleView

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def view(qtbot, dataset):
    view = SampleView(seed=0)
    qtbot.addWidget(view)
    view.set_dataset(dataset)
    return view


def test_default_is_the_typical_held_out_two(qtbot, dataset):
    view = SampleView()
    qtbot.addWidget(view)
    assert view.current() is None
    with qtbot.waitSignal(view.sample_changed, timeout=1000) as blocker:
        view.set_dataset(dataset)
    choice = blocker.args[0]
    first_two = typical_index(dataset, 2)
    assert isinstance(choice, SampleChoice)
    assert (choice.split, choice.index, choice.label) == ("test", first_two, 2)
    assert view.current() is choice
    assert choice.x.shape == (784,) and choice.x.dtype == np.float64
    assert not choice.x.flags.writeable
    assert np.array_equal(choice.x, dataset.test_images[first_two] / 255.0)
    assert view.label_text.text() == "Label: 2"


def test_next_and_previous_step_through_the_split(qtbot, view, dataset):
    start = view.current().index
    qtbot.mouseClick(view.next_button, LEFT)
    assert view.current().index == start + 1
    qtbot.mouseClick(view.next_button, LEFT)
    qtbot.mouseClick(view.prev_button, LEFT)
    assert view.current().index == start + 1
    view.select(0)
    qtbot.mouseClick(view.prev_button, LEFT)  # wraps around
    assert view.current().index == len(dataset.test_labels) - 1
    qtbot.mouseClick(view.next_button, LEFT)
    assert view.current().index == 0


def test_label_filter_shows_only_that_label(qtbot, view, dataset):
    view.filter_combo.setCurrentIndex(view.filter_combo.findData(7))
    sevens = np.flatnonzero(dataset.test_labels == 7)
    seen = [view.current().index]
    for _ in range(6):
        qtbot.mouseClick(view.next_button, LEFT)
        seen.append(view.current().index)
    assert all(dataset.test_labels[i] == 7 for i in seen)
    start = int(np.searchsorted(sevens, seen[0]))
    assert seen == list(sevens[start:start + 7])
    for _ in range(5):
        qtbot.mouseClick(view.random_button, LEFT)
        assert view.current().label == 7
    qtbot.mouseClick(view.prev_button, LEFT)
    assert view.current().label == 7


def test_random_moves_and_is_seeded(qtbot, dataset):
    picks = []
    for _ in range(2):
        view = SampleView(seed=3)
        qtbot.addWidget(view)
        view.set_dataset(dataset)
        run = []
        for _ in range(5):
            before = view.current().index
            view.show_random()
            assert view.current().index != before
            run.append(view.current().index)
        picks.append(run)
    assert picks[0] == picks[1] and len(set(picks[0])) > 1


def test_split_selector_switches_to_training(qtbot, view, dataset):
    with qtbot.waitSignal(view.sample_changed, timeout=1000) as blocker:
        view.split_combo.setCurrentIndex(view.split_combo.findData("train"))
    choice = blocker.args[0]
    assert choice.split == "train"
    assert np.array_equal(choice.x, dataset.train_images[choice.index] / 255.0)
    assert choice.label == dataset.train_labels[choice.index]
    qtbot.mouseClick(view.next_button, LEFT)
    assert view.current().split == "train"


def test_outputs_are_the_cores_forward_pass(qtbot, view, snap):
    assert view.outputs() is None
    view.set_snapshot(snap)
    for _ in range(5):
        x = view.current().x
        expected = snap.network().forward(x)
        assert np.array_equal(view.outputs(), expected)
        assert view.bars.winner() == int(np.argmax(expected))
        view.show_next()


def test_show_me_a_mistake_finds_the_next_wrong_answer(qtbot, view, snap, dataset):
    view.set_snapshot(snap)
    net = snap.network()
    predicted = net.predict(dataset.test_images / 255.0)
    wrong = np.flatnonzero(predicted != dataset.test_labels)
    assert 0 < wrong.size < len(predicted)
    start = view.current().index
    shown = []
    for _ in range(4):
        qtbot.mouseClick(view.mistake_button, LEFT)
        c = view.current()
        assert int(np.argmax(net.forward(c.x))) != c.label  # the network really gets it wrong
        shown.append(c.index)
    first = int(np.searchsorted(wrong, start, side="right"))
    assert shown == list(wrong[first:first + 4])
    assert f"{wrong.size:,} of the 2,000" in view.status_text.text()


def test_mistakes_respect_the_label_filter(qtbot, view, snap, dataset):
    view.set_snapshot(snap)
    view.set_label_filter(7)
    for _ in range(3):
        view.show_mistake()
        c = view.current()
        assert c.label == 7 and int(np.argmax(snap.network().forward(c.x))) != 7


def test_no_network_no_mistakes(qtbot, view):
    before = view.current()
    view.show_mistake()
    assert view.current() is before
    assert "no network" in view.status_text.text().lower()
