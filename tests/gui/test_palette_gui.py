"""View › Palette: C switches every signed colour between the lesson's green/red and blue/orange,
in the rendered window, and the choice is remembered in the settings."""

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor

from mlpviz.core import colour_vision as cv
from mlpviz.core.palette import COLOUR_BLIND, LESSON, PALETTES
from mlpviz.gui import settings
from mlpviz.gui.theme import THEMES, theme


def _pixels(img, points) -> np.ndarray:
    """(n, 3) RGB of `img` at the (x, y) points."""
    out = []
    for x, y in points:
        c = QColor(img.pixel(int(round(x)), int(round(y))))
        out.append((c.red(), c.green(), c.blue()))
    return np.array(out, dtype=np.int64)


def _known_lines(window, n=6):
    """Points a third and two thirds along the n strongest positive and the n strongest negative
    lines of the last weight layer (few lines there: a strong one is on top where it is drawn)."""
    W = np.asarray(window.session.snapshot.weights[-1])
    L = len(window.session.snapshot.weights) - 1
    seg = window.network_view._geometry().layout.segments[L]
    order = np.argsort(W, axis=None)
    points = {}
    for sign, flat in (("+", order[::-1][:n]), ("−", order[:n])):
        pts = []
        for j, k in zip(*np.unravel_index(flat, W.shape)):
            x1, y1, x2, y2 = seg[j, k]
            pts += [(x1 + t * (x2 - x1), y1 + t * (y2 - y1)) for t in (0.35, 0.65)]
        points[sign] = pts
    return points


def _render(qtbot, window):
    qtbot.wait(50)
    return window.network_view.grab().toImage()


def test_c_recolours_the_network_views_lines(qtbot, window):
    assert window.palette_menu.actions[LESSON.name].isChecked()
    points = _known_lines(window)
    lesson = {s: _pixels(_render(qtbot, window), p) for s, p in points.items()}
    qtbot.keyClick(window, Qt.Key.Key_C)
    assert window.palette_menu.actions[COLOUR_BLIND.name].isChecked()
    blind = {s: _pixels(_render(qtbot, window), p) for s, p in points.items()}
    for sign in points:
        assert (np.abs(lesson[sign] - blind[sign]).sum(axis=1) > 30).mean() > 0.8, sign
    r, g, b = (lesson["+"][:, i] for i in range(3))
    assert (g > r + 20).mean() > 0.8, "the lesson's positive lines are green"
    r, g, b = (lesson["−"][:, i] for i in range(3))
    assert (r > g + 20).mean() > 0.8, "its negative lines are red"
    r, g, b = (blind["+"][:, i] for i in range(3))
    assert (b > r + 20).mean() > 0.8, "blue for +"
    r, g, b = (blind["−"][:, i] for i in range(3))
    assert (r > b + 20).mean() > 0.8, "orange for −"
    # The rendered lines, as a deuteranope and a protanope would see them: the median pixel of
    # each sign, simulated. Blue/orange stays apart; the lesson's green/red comes out weaker.
    for kind in cv.MACHADO:
        def seen(pixels):
            return cv.delta_e(cv.simulate(np.median(pixels["+"], axis=0), kind),
                              cv.simulate(np.median(pixels["−"], axis=0), kind))
        assert seen(blind) >= cv.DISTINGUISHABLE, kind
        assert seen(lesson) < seen(blind), kind
    qtbot.keyClick(window, Qt.Key.Key_C)  # and back
    assert window.palette_menu.actions[LESSON.name].isChecked()
    again = {s: _pixels(_render(qtbot, window), p) for s, p in points.items()}
    assert all(np.array_equal(again[s], lesson[s]) for s in points)


def test_every_view_takes_the_palette_and_its_words(qtbot, window):
    window.palette_menu.actions[COLOUR_BLIND.name].trigger()
    t = theme("dark", palette=COLOUR_BLIND.name)
    assert window.network_view._theme.positive == t.positive == COLOUR_BLIND.dark.positive
    assert ">Blue<" in window.weights_grid.caption.text()
    assert "Green" not in window.weights_grid.caption.text()
    assert window.stepper._green == QColor(COLOUR_BLIND.on(t.panel).positive)
    assert window.mistakes_view.matrix._bad == QColor(t.negative)
    legend = [item[1] for item in window.network_view._legend_items()]
    assert any(text.startswith("blue") for text in legend), legend
    assert not any("green" in text or "red" in text for text in legend)
    grid = window.weights_grid.images()
    if grid is not None:  # positive weights drawn bluish, not greenish
        w = np.asarray(window.session.snapshot.weights[0]).reshape(grid.shape[:3])
        strong = grid[w > np.percentile(w, 99.5)].astype(int)
        assert (strong[:, 2] > strong[:, 1]).mean() > 0.8
    tip = window.palette_menu.actions[LESSON.name].toolTip()
    assert "hard to tell apart" in tip
    assert "stay apart" in window.palette_menu.actions[COLOUR_BLIND.name].toolTip()
    keys = dict(window.shortcut_list())
    assert keys.get("C", "").startswith("Switch palette")


def test_the_stepper_names_the_colours_it_draws(qtbot, window):
    window.palette_menu.actions[COLOUR_BLIND.name].trigger()
    window._show_stepper()
    walk = window.stepper._walk_now()
    texts = " ".join(s.text + " " + s.overlay.caption for s in walk.stages)
    assert "blue" in texts and "orange" in texts
    assert " green" not in texts and " red " not in texts


@pytest.mark.parametrize("name", list(THEMES))
def test_blue_orange_stays_apart_on_every_themes_backgrounds(name):
    t = theme(name, palette=COLOUR_BLIND.name)
    for background in (t.background, t.panel):  # the views' canvas and the side panels
        for kind in cv.MACHADO:
            assert cv.sign_contrast(COLOUR_BLIND, background, kind).distinguishable


def test_the_palette_is_remembered_and_checked(tmp_path):
    store = QSettings(str(tmp_path / "s.conf"), QSettings.Format.IniFormat)
    settings.write({"palette": COLOUR_BLIND.name}, store)
    assert settings.read(store)["palette"] == COLOUR_BLIND.name
    for bad in ("rainbow", "", "1", "LESSON"):
        store.setValue("palette", bad)
        assert settings.read(store)["palette"] == settings.DEFAULTS["palette"] == LESSON.name
    assert set(PALETTES) == {LESSON.name, COLOUR_BLIND.name}


def test_a_lesson_with_a_palette_this_mlpviz_lacks_keeps_the_colours(qtbot, window, tmp_path):
    from dataclasses import replace

    from mlpviz.core.lesson_file import write_lesson

    window.palette_menu.actions[COLOUR_BLIND.name].trigger()
    write_lesson(tmp_path / "l.mlpviz", replace(window.lesson.gather(), palette="rainbow"))
    with qtbot.waitSignal(window.lesson.opened, timeout=10_000):
        assert window.lesson.open(tmp_path / "l.mlpviz")
    assert "no “rainbow” palette" in window.banner.text()
    assert window.palette_menu.actions[COLOUR_BLIND.name].isChecked()
    assert window.network_view._theme.positive == theme("dark", palette=COLOUR_BLIND.name).positive

def test_the_handout_draws_and_names_the_palette_on_show(qtbot, window):
    """File › Export lesson…: the walk's texts, the pictures and "How to read it" agree."""
    from PySide6.QtGui import QImage

    from mlpviz.core.handout import how_to_read
    from mlpviz.gui.handout_pictures import StagePictures

    window.palette_menu.actions[COLOUR_BLIND.name].trigger()
    window._show_stepper()
    lesson = window.stepper.lesson_on_show()
    assert lesson.palette is COLOUR_BLIND
    note = how_to_read(lesson.palette)
    assert "blue positive and orange negative" in note and "green" not in note
    pictures = StagePictures(lesson.snapshot, lesson.x, lesson.class_names,
                             palette=lesson.palette)
    try:
        png = pictures.render(next(s for s in lesson.walk.stages if s.key == "gradient"))
    finally:
        pictures.close()
    img = QImage.fromData(png).convertToFormat(QImage.Format.Format_RGB32)
    a = np.array(img.constBits(), dtype=np.uint8).reshape(img.height(), img.width(), 4)
    b, g, r = (a[..., i].astype(int) for i in range(3))
    blue, green = ((b > r + 40) & (b > g)).sum(), ((g > r + 40) & (g > b + 40)).sum()
    assert blue > 1000 and green < blue / 20, (blue, green)
