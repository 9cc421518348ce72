"""File › Export lesson… and the handout's pictures: the walk on show, its own numbers, one real
picture of the network view per stage; a file that cannot be written is a banner, nothing half
written."""

import base64

import numpy as np
from PySide6.QtGui import QImage

from mlpviz.core import handout
from mlpviz.core.handout import shown_table, sign_inks
from mlpviz.gui.views.stage_presenting import KEY_COLUMNS, KEY_ROWS, StagePresenting
from tests.handout_page import parse_page


def _image(uri: str) -> QImage:
    assert uri.startswith("data:image/png;base64,")
    img = QImage.fromData(base64.b64decode(uri.split(",", 1)[1]), "PNG")
    assert not img.isNull()
    return img


def _lesson(window, qtbot, index=12):
    window.sample_view.select(index, "test")
    qtbot.waitUntil(lambda: window.stepper.lesson_on_show() is not None, timeout=10_000)
    return window.stepper.lesson_on_show()


def test_export_lesson_writes_the_walk_on_show(qtbot, window, tmp_path):
    lesson = _lesson(window, qtbot)
    window.stepper.focus_output(3)  # the stepper's own choice of output shows in the handout
    lesson = window.stepper.lesson_on_show()
    assert lesson.walk.focus == 3
    path = tmp_path / "lesson.html"
    with qtbot.waitSignal(window.lesson_export.written, timeout=60_000):
        assert window.lesson_export.export(str(path))
    assert window.lesson_export.busy is False and not window.busy_label.isVisible()
    page = parse_page(path.read_text(encoding="utf-8"))
    stages = lesson.walk.stages
    assert [s["title"].strip() for s in page.stages] == [s.title for s in stages]
    for got, stage in zip(page.stages, stages):
        assert got["formula"] == stage.formula
        table = shown_table(stage)
        cells = [c for _r, _h, row in got["rows"] for c in row]
        want = [(t, v) for _r, texts, values in (table.rows if table else ())
                for t, v in zip(texts, values)]
        assert cells == want
    images = [_image(s["images"][0]) for s in page.stages]
    assert all(img.width() > 600 and img.height() > 300 for img in images)
    distinct = {bytes(img.constBits()) for img in images}
    assert len(distinct) > len(images) // 2  # each stage's emphasis, not one picture repeated
    assert "held-out sample #12 of MNIST" in path.read_text(encoding="utf-8")


def test_export_lesson_as_markdown_writes_its_pictures_beside_it(qtbot, window, tmp_path):
    lesson = _lesson(window, qtbot, 5)
    path = tmp_path / "l.md"
    with qtbot.waitSignal(window.lesson_export.written, timeout=60_000):
        window.lesson_export.export(str(path))
    files = sorted((tmp_path / "l_files").iterdir())
    assert len(files) == len(lesson.walk.stages)
    assert all(not QImage(str(f)).isNull() for f in files)


def test_a_target_that_cannot_be_written_is_a_banner(qtbot, window, tmp_path):
    _lesson(window, qtbot)
    assert not window.lesson_export.export(str(tmp_path / "missing" / "l.html"))
    assert window.banner.isVisible() and "does not exist" in window.banner.text()
    assert not window.lesson_export.export(str(tmp_path / "l.docx"))
    assert ".html" in window.banner.text()
    assert list(tmp_path.iterdir()) == []


def test_without_a_labelled_sample_there_is_nothing_to_export(qtbot, window, tmp_path,
                                                               monkeypatch):
    monkeypatch.setattr(window.stepper, "lesson_on_show", lambda: None)
    assert not window.lesson_export.export(str(tmp_path / "l.html"))
    assert "no lesson to export yet" in window.banner.text()
    assert list(tmp_path.iterdir()) == []


def test_the_menu_has_the_entry(window):
    assert window.export_lesson_action.text() == "Export &lesson…"
    assert window.export_lesson_action in window.menuBar().actions()[0].menu().actions()


def test_the_handout_keeps_the_rows_the_stepper_presents(qtbot, window):
    """The handout's rows and columns are the stepper's while presenting: same limits, and
    stage by stage the same indices."""
    assert (handout.KEY_ROWS, handout.KEY_COLUMNS) == (KEY_ROWS, KEY_COLUMNS)
    lesson = _lesson(window, qtbot)
    presenting = StagePresenting()
    presenting.on = True
    for stage in lesson.walk.stages:
        table = shown_table(stage)
        if table is None:
            continue
        rows = presenting.rows(stage)
        assert [r for r, _t, _v in table.rows] == rows
        assert len(table.columns) == len(presenting.columns(stage, rows))


def test_pictures_follow_each_stage_overlay(qtbot, bundled, snap):
    from mlpviz.core.walk import build_walk
    from mlpviz.gui.handout_pictures import stage_pictures

    x = bundled.test_images[0] / 255.0
    walk = build_walk(snap.network(), x, int(bundled.test_labels[0]))
    done = []
    pngs = stage_pictures(snap, x, bundled.class_names, walk.stages[:4],
                          lambda i, n: done.append((i, n)))
    assert done == [(1, 4), (2, 4), (3, 4), (4, 4)]
    imgs = [QImage.fromData(p, "PNG") for p in pngs]
    # the forward pass lights one more layer each stage: every picture differs from the last
    arrays = [np.frombuffer(bytes(i.convertToFormat(QImage.Format.Format_RGB32).constBits()),
                            np.uint8) for i in imgs]
    assert all(not np.array_equal(a, b) for a, b in zip(arrays, arrays[1:]))


def test_one_export_at_a_time_and_closing_the_window_writes_nothing(qtbot, window, tmp_path):
    _lesson(window, qtbot)
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    assert window.lesson_export.export(str(first))
    assert window.lesson_export.busy and window.busy_label.isVisible()
    assert "picture 1 of" in window.busy_label.text()
    assert not window.lesson_export.export(str(second))
    assert "being exported already" in window.banner.text()
    window.close()  # mid-export: the pictures so far are dropped, no file is begun
    qtbot.waitUntil(lambda: not window.lesson_export.busy, timeout=30_000)
    qtbot.wait(50)
    assert list(tmp_path.iterdir()) == []


def test_export_follows_the_windows_palette(qtbot, window, tmp_path):
    window._set_palette("colour-blind")
    lesson = _lesson(window, qtbot, 3)
    assert lesson.palette.name == "colour-blind"
    path = tmp_path / "cb.html"
    with qtbot.waitSignal(window.lesson_export.written, timeout=60_000):
        window.lesson_export.export(str(path))
    text = path.read_text(encoding="utf-8")
    assert "(blue) to grow" in text and sign_inks(lesson.palette)[0] in text
    page = parse_page(text)
    assert [" ".join(s["text"]) for s in page.stages] == [
        " ".join(s.text.split()) for s in lesson.walk.stages]
    blue = np.array([8, 119, 189])  # the colour-blind palette's + on white: in the pictures
    img = _image(page.stages[-3]["images"][0]).convertToFormat(QImage.Format.Format_RGB888)
    rgb = np.frombuffer(bytes(img.constBits()), np.uint8)[:img.height() * img.bytesPerLine()]
    rgb = rgb.reshape(img.height(), img.bytesPerLine())[:, :img.width() * 3].reshape(-1, 3)
    assert np.any(np.all(np.abs(rgb.astype(int) - blue) < 12, axis=1))
