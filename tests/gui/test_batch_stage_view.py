"""The stepper's stage 9 on screen: the mini-batch as thumbnails with the sample on show first,
the network's lines by the batch's average ∂C/∂w through the window's one G state, and the plot
of the careful walk against SGD with its numbers in words."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from mlpviz.core.minibatch import batch_gradient, minibatch_with
from mlpviz.core.network import Network
from mlpviz.core.sgd_demo import demo_text
from mlpviz.core.snapshot import Snapshot
from mlpviz.gui.views.stepper import StepperPanel


@pytest.fixture
def panel(qtbot, bundled):
    i = 351
    x = bundled.test_images[i] / 255.0
    label = int(bundled.test_labels[i])
    p = StepperPanel()
    qtbot.addWidget(p)
    p.resize(760, 800)
    p.set_snapshot(Snapshot.of(Network([784, 16, 16, 10], seed=0)))
    p.set_sample(x, label, f"held-out sample #{i}")
    p.set_training_set(bundled.train_images, bundled.train_labels)
    p.set_batch(minibatch_with(bundled.train_images, bundled.train_labels, 30, x, label, "test",
                               i))
    p.set_batch_size(30)
    p.show()
    qtbot.waitExposed(p)
    p.go_to(p.walk.index("batch"))
    return p


def test_the_thumbnails_are_the_batch_with_the_sample_on_show_first(qtbot, panel, bundled):
    thumbs = panel.batch_view.thumbnails
    batch = panel.current_stage().values["batch"]
    assert thumbs.count() == len(batch) == 30 and not panel.batch_view.samples.isHidden()
    first = thumbs.item(0)
    assert first.text() == f"{bundled.test_labels[351]} #351"
    assert "held-out #351" in first.toolTip() and "the sample on show" in first.toolTip()
    for r in range(1, 30):
        i = int(batch.indices[r])
        assert thumbs.item(r).text() == f"{bundled.train_labels[i]} #{i}"
        assert panel.table.item(r, 0).text() == f"training #{i}"  # the table's row r
    thumbs.scrollToItem(thumbs.item(7))
    qtbot.mouseClick(thumbs.viewport(), Qt.LeftButton,  # a thumbnail picks its row of the table
                     pos=thumbs.visualItemRect(thumbs.item(7)).center())
    assert [ix.row() for ix in panel.table.selectionModel().selectedRows()] == [7]
    panel.go_to(panel.walk.index("step"))
    assert panel.batch_view.samples.isHidden() and panel.batch_view.sgd.isHidden()
    assert panel.batch_view.lines_toggle.isHidden()


def test_the_plot_shows_both_walks_and_says_what_they_did(qtbot, panel):
    sgd = panel.batch_view.sgd
    qtbot.waitUntil(lambda: sgd.demo is not None, timeout=20_000)
    d = sgd.demo
    assert d.batch_size == 30 and d.steps == 20
    # the data as given (getData would return log10 of it when the plot's y axis is logarithmic)
    np.testing.assert_array_equal(sgd.careful.yData, d.full_costs)
    np.testing.assert_array_equal(sgd.stagger.yData, d.sgd_costs)
    assert np.array_equal(sgd.careful.xData, np.arange(21))
    assert d.far_steps == 20 * (2000 // 30) and list(sgd.far.yData) == [d.far_cost] * 2
    stage = panel.current_stage()
    assert panel.text.text() == f"{stage.text}\n\n{demo_text(d)}"
    # worked out once for this network, η and batch size: stepping away and back keeps it
    panel.back()
    panel.next_stage()
    assert sgd.demo is d
    panel.set_lr(0.5)  # a new η: a new demo
    qtbot.waitUntil(lambda: sgd.demo is not d and sgd.demo is not None, timeout=20_000)
    assert sgd.demo.lr == 0.5


def test_without_a_training_set_there_is_no_plot(qtbot, panel):
    panel.set_training_set(None, None)
    assert panel.batch_view.sgd.isHidden() and not panel.batch_view.samples.isHidden()
    assert panel.text.text() == panel.current_stage().text


# -- in the window: the lines by the batch's average, through the G action ---------------------
def same(a, b) -> bool:
    return a is not None and b is not None and all(
        np.array_equal(x, y) for x, y in zip(a, b, strict=True))


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen only
def test_the_lines_show_the_batch_average_against_the_samples_own(qtbot, window, gradients):
    window.controls.batch.setValue(40)
    window._show_stepper()
    qtbot.waitUntil(lambda: window.stepper.walk is not None, timeout=5000)
    st = window.stepper
    st.go_to(st.walk.index("batch"))
    batch = st.current_stage().values["batch"]
    assert len(batch) == 40 and np.array_equal(batch.X[0], window._shown.x)
    # every sample a picture; the table lists the first 32 and the average
    assert st.batch_view.thumbnails.count() == 40 and st.table.rowCount() == 33
    assert "all 40 samples" in st.batch_view.thumbnails.toolTip()
    st.batch_view.lines_toggle.click()  # ticks G too: the one owner of "lines by ∂C/∂w"
    assert window.gradient_action.isChecked() and st.gradient_toggle.isChecked()
    snap = window.session.snapshot
    assert same(gradients[-1], batch_gradient(snap, batch))
    assert window.network_view._overlay.caption.startswith("lines by −∂C/∂w averaged over")
    st.batch_view.lines_toggle.click()  # the sample on show's own again
    own = snap.network().backprop(window._shown.x, window._shown.label).grad_w
    assert same(gradients[-1], own) and "sample on show" in window.network_view._overlay.caption
    st.batch_view.lines_toggle.click()
    assert same(gradients[-1], batch_gradient(snap, batch))
    st.back()  # another stage: the sample's own gradient, the toggle kept for stage 9
    assert same(gradients[-1], own) and st.batch_view.lines_by_batch
    st.next_stage()
    assert same(gradients[-1], batch_gradient(snap, batch))
    window.sample_dock.raise_()  # leaving the stepper: the sample's own, G still on
    qtbot.waitUntil(lambda: not window._stepping, timeout=2000)
    assert window.gradient_action.isChecked() and same(gradients[-1], own)
