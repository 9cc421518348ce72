"""The classroom tools presented (F5) at 1280×800: what they say is whole on screen, never cut
off at the side."""

import pytest

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_the_replay_position_is_never_cut_off_when_presenting(qtbot, window):
    s = window.session
    for _ in range(3):
        with qtbot.waitSignal(s.snapshot_ready, timeout=10_000):
            s.step_batch()
    qtbot.waitUntil(lambda: len(window.timeline.record()) >= 3, timeout=5000)
    bar = window.timeline
    for presenting in (False, True):
        if presenting:
            small = bar.where.fontInfo().pixelSize()
            window.presentation_action.trigger()
            qtbot.waitUntil(lambda: bar.where.fontInfo().pixelSize() > small, timeout=5000)
        bar.slider.setValue(1)
        qtbot.waitUntil(lambda: bar.where.width() > 0, timeout=3000)
        text = bar.where.text()
        assert text.startswith(f"Replay 2 of {len(bar.record())} · 1 mini-batch")
        qtbot.waitUntil(lambda: bar.where.fontMetrics().horizontalAdvance(bar.where.text())
                        <= bar.where.contentsRect().width(), timeout=3000)
        if not presenting:  # room for where training stood, too
            assert text.endswith("(epoch 1, batch 1)")
        bar.go_live()


def test_a_whole_row_of_mistakes_with_their_captions_when_presenting(qtbot, window):
    from mlpviz.gui.side_tabs import show_tab

    s = window.session
    s.step_epoch()
    qtbot.waitUntil(lambda: len(s.history) == 1 and not s.is_training, timeout=30_000)
    small = window.font().pointSizeF()
    window.presentation_action.trigger()
    qtbot.waitUntil(lambda: window.font().pointSizeF() > small, timeout=5000)
    show_tab(window, "mistakes")
    gallery = window.mistakes_view.gallery
    qtbot.waitUntil(lambda: gallery.count() > 0, timeout=5000)
    qtbot.waitUntil(lambda: gallery.viewport().rect().contains(
        gallery.visualItemRect(gallery.item(0))), timeout=5000)
