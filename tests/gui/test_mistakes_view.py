"""The Mistakes tab: a confusion-matrix cell shows exactly its samples; a sample opens the stepper."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from mlpviz.gui.views import mistakes_view
from mlpviz.gui.views.mistakes_view import MistakesView

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def view(qtbot, bundled, trained_default):
    v = MistakesView()
    v.resize(600, 800)
    qtbot.addWidget(v)
    v.show()
    qtbot.waitExposed(v)
    v.set_dataset(bundled)
    v.set_snapshot(trained_default(40))
    return v


def independent_answers(snap, ds):
    """The network's answer for each held-out sample, one sample at a time."""
    return np.array([int(np.argmax(snap.forward(x.astype(np.float64) / 255.0)))
                     for x in ds.test_images])


def gallery_rows(view):
    return [view.gallery.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(view.gallery.count())]


def test_clicking_a_cell_shows_exactly_its_samples(qtbot, view, bundled, trained_default):
    answers = independent_answers(trained_default(40), bundled)
    y = bundled.test_labels
    mistakes = np.flatnonzero(answers != y)
    assert view.shown_indices.tolist() == mistakes.tolist()  # at first: every mistake
    counts = np.zeros((10, 10), int)
    for a, t in zip(answers, y):
        counts[t, a] += 1
    i, j = np.unravel_index(np.argmax(counts - np.diag(np.diag(counts)) * 10**6), counts.shape)
    assert i != j and counts[i, j] > 0  # the commonest mistake
    qtbot.mouseClick(view.matrix, Qt.MouseButton.LeftButton,
                     pos=view.matrix.cell_rect(i, j).center())
    expected = np.flatnonzero((y == i) & (answers == j))
    assert view.shown_indices.tolist() == expected.tolist()
    assert gallery_rows(view) == expected[:mistakes_view.GALLERY_MAX].tolist()
    assert f"{len(expected):,} sample" in view.gallery_title.text()
    # the arrow keys move to the next cell and its samples
    view.matrix.setFocus()
    qtbot.keyClick(view.matrix, Qt.Key.Key_Down)
    i2 = min(i + 1, 9)
    assert view.matrix.selected == (i2, j)
    assert view.shown_indices.tolist() == np.flatnonzero((y == i2) & (answers == j)).tolist()


def test_one_click_on_a_sample_asks_for_the_stepper(qtbot, view):
    item = view.gallery.item(0)
    rect = view.gallery.visualItemRect(item)
    with qtbot.waitSignal(view.stepper_requested) as sig:
        qtbot.mouseClick(view.gallery.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert sig.args == [view.shown_indices[0]]
    view.gallery.setFocus()
    view.gallery.setCurrentRow(1)
    with qtbot.waitSignal(view.stepper_requested) as sig:
        qtbot.keyClick(view.gallery, Qt.Key.Key_Return)
    assert sig.args == [view.shown_indices[1]]


def test_captions_say_the_top_two_answers(view):
    k = int(view.shown_indices[0])
    text = view.gallery.item(0).text()
    r = view.result
    assert text.startswith(f"says {r.first[k]}") and f"then {r.second[k]}" in text
    assert f"it is {r.labels[k]}" in text
    assert ("%" in text) == r.softmax


def test_recomputes_at_most_once_a_second(qtbot, view, trained_default, monkeypatch):
    calls = []
    real = mistakes_view.confusion
    monkeypatch.setattr(mistakes_view, "confusion", lambda *a: (calls.append(1), real(*a))[1])
    for steps in (1, 2, 3, 5):
        view.set_snapshot(trained_default(steps))
    assert len(calls) == 0  # within a second of the fixture's computation: deferred
    qtbot.waitUntil(lambda: len(calls) == 1, timeout=3000)
    newest = real(trained_default(5), bundled_x(view), view._labels)
    assert np.array_equal(view.result.counts, newest.counts)  # only the newest one counted


def bundled_x(view):
    return view._images.astype(np.float64) / 255.0


def test_in_the_window_m_opens_the_tab_and_one_click_opens_the_stepper(qtbot, window, bundled):
    qtbot.keyClick(window, Qt.Key.Key_M)
    view = window.mistakes_view
    qtbot.waitUntil(lambda: view.result is not None and view.gallery.count() > 0, timeout=5000)
    assert window.mistakes_dock.isVisible()
    k = int(view.gallery.item(0).data(Qt.ItemDataRole.UserRole))
    rect = view.gallery.visualItemRect(view.gallery.item(0))
    qtbot.mouseClick(view.gallery.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.stepper_dock.isVisible(), timeout=3000)
    assert window._shown.split == "test" and window._shown.index == k
    assert window.stepper._label == int(bundled.test_labels[k])
    assert np.array_equal(window.stepper._x, bundled.test_images[k] / 255.0)
    assert view.result.first[k] != bundled.test_labels[k]  # a mistake, as the gallery said
