"""For slides in the window: Export view as PNG (window or network view, at a scale), Export
stepper stages (one PNG per stage), Record training (a real run filmed as a GIF)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageSequence
from PySide6.QtWidgets import QDialogButtonBox

from mlpviz.core.presenting import stage_label
from mlpviz.gui.slides import RecordDialog


def png(path) -> np.ndarray:
    with Image.open(path) as im:
        assert im.format == "PNG"
        return np.asarray(im.convert("RGB"))


def not_blank(a: np.ndarray) -> bool:
    """Many colours and contrast: a picture of the window, not an empty or flat one."""
    a = a.astype(np.int32)
    colours = np.unique((a[..., 0] << 16) | (a[..., 1] << 8) | a[..., 2])
    return len(colours) > 50 and a.std() > 10


def test_the_window_and_the_network_view_export_at_a_scale(qtbot, window, tmp_path):
    s = window.slides
    assert s.export_view(tmp_path / "w1.png", "window", 1)
    assert s.export_view(tmp_path / "w2.png", "window", 2)
    assert s.export_view(tmp_path / "net.png", "network", 1)
    w1, w2, net = png(tmp_path / "w1.png"), png(tmp_path / "w2.png"), png(tmp_path / "net.png")
    assert w1.shape == (800, 1280, 3) and w2.shape == (1600, 2560, 3)
    nv = window.network_view
    assert net.shape == (nv.height(), nv.width(), 3)
    assert all(map(not_blank, (w1, w2, net)))
    # Drawn again at twice the resolution, not the small picture enlarged.
    assert not np.array_equal(w2, w1.repeat(2, axis=0).repeat(2, axis=1))
    assert "Saved" in window.statusBar().currentMessage()
    # A passing status message is not part of the picture.
    window.statusBar().showMessage("Saved something")
    assert s.export_view(tmp_path / "w3.png", "window", 1)
    window.statusBar().clearMessage()
    assert s.export_view(tmp_path / "w4.png", "window", 1)
    assert np.array_equal(png(tmp_path / "w3.png"), png(tmp_path / "w4.png"))
    assert window.statusBar().currentMessage().startswith("Saved")


def test_an_export_that_cannot_be_written_says_so_and_leaves_nothing(qtbot, window, tmp_path):
    assert not window.slides.export_view(tmp_path / "missing" / "x.png")
    assert "Could not write" in window.banner.text()
    assert list(tmp_path.iterdir()) == []


def test_every_stepper_stage_is_one_numbered_non_blank_png(qtbot, window, tmp_path):
    window.stepper_dock.show()
    window.stepper_dock.raise_()
    qtbot.waitUntil(lambda: window.stepper.walk is not None, timeout=10_000)
    window.stepper.go_to(3)
    titles = [st.title for st in window.stepper.walk.stages]
    written = window.slides.export_stages(tmp_path / "stages")
    names = sorted(p.name for p in (tmp_path / "stages").iterdir())
    assert names == [p.name for p in written] and len(names) == len(titles) >= 9
    for k, (name, title) in enumerate(zip(names, titles)):
        assert name == f"stage-{k + 1:02d}-{stage_label(title, k)}.png"
    pictures = [png(p) for p in written]
    assert all(not_blank(p) for p in pictures)
    assert all(not np.array_equal(a, b) for a, b in zip(pictures, pictures[1:]))
    assert window.stepper.current_index() == 3  # left where it was
    assert f"Saved {len(names)} stages" in window.statusBar().currentMessage()


def gif(path):
    with Image.open(path) as im:
        return [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(im)]


def test_recording_films_a_real_run_frame_by_frame(qtbot, window, tmp_path):
    path = tmp_path / "run.gif"
    before = window.session.batches_seen
    with qtbot.waitSignal(window.slides.saved, timeout=120_000) as saved:
        assert window.slides.record(path, epochs=1, fps=5, seconds=1, what="network")
        assert window.record_action.text() == "Stop &recording"
    assert saved.args[0] == f"Saved {path}: 5 frames"
    assert window.record_action.text() == "&Record training…"
    assert window.session.batches_seen - before == 80  # one epoch, trained by the worker
    frames = gif(path)
    assert len(frames) == 5
    nv = window.network_view
    assert frames[0].shape == (nv.height(), nv.width(), 3)
    assert all(not np.array_equal(a, b) for a, b in zip(frames, frames[1:]))


def test_stopping_a_recording_keeps_the_frames_so_far(qtbot, window, tmp_path):
    path = tmp_path / "run.gif"
    s = window.slides
    s.record(path, epochs=2, fps=10, seconds=10)
    qtbot.waitUntil(lambda: s._recorder is not None and s._recorder.frames_taken >= 3,
                    timeout=60_000)
    with qtbot.waitSignal(s.saved, timeout=60_000) as saved:
        window.record_action.trigger()  # "Stop recording"
    n = len(gif(path))
    assert 3 <= n < 100
    assert saved.args[0] == f"Saved {path}: {n} frames (stopped: stopped)"
    assert not window.session.is_training


def test_a_film_that_cannot_be_made_is_refused_in_the_banner(qtbot, window, tmp_path):
    assert not window.slides.record(tmp_path / "run.avi", 1, 10, 1)
    assert "must end in .gif or .mp4" in window.banner.text()
    assert not window.slides.recording
    assert not window.slides.record(tmp_path / "run.gif", 1, 10, 60)
    assert "at most 81 frames" in window.banner.text()
    assert list(tmp_path.iterdir()) == []


def test_the_record_dialog_says_what_a_frame_is_or_why_not(qtbot, window):
    dialog = RecordDialog(window, 80)
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.Ok)
    assert ok.isEnabled()
    assert dialog.summary.text() == ("100 frames at 10 fps (10.0 s), one every 2.42 "
                                     "mini-batches.")
    dialog.epochs.setValue(1)
    assert not ok.isEnabled() and "at most 81 frames" in dialog.summary.text()
    dialog.seconds.setValue(5)
    assert ok.isEnabled()
    dialog.path.setText("film.avi")
    assert not ok.isEnabled() and "gif or .mp4" in dialog.summary.text()


def test_the_menu_has_the_slides_entries(qtbot, window):
    texts = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert {"&Export view as PNG…", "Export stepper s&tages…", "&Record training…"} <= set(texts)
