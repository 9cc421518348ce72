"""Presentation mode (F5) lays the window out for a projector: measured from the widgets' geometry
at the sizes projectors have, for the normal view and every stage of the walk."""

import pytest
from PySide6.QtCore import QPoint, QRect, QRectF, Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QApplication

from mlpviz.core.presenting import sentences
from mlpviz.gui.main_window import MainWindow
from mlpviz.gui.session import Session


def settle(qtbot):
    qtbot.wait(30)
    QApplication.processEvents()


def view_size(w):
    return w.network_view.width(), w.network_view.height()


def open_stepper(qtbot, w):
    w.stepper_dock.show()
    w.stepper_dock.raise_()
    qtbot.waitUntil(lambda: w.stepper.stage_count() > 0)
    settle(qtbot)


def close_stepper(qtbot, w):
    w.sample_dock.show()
    w.sample_dock.raise_()
    settle(qtbot)


def sizes_by_stage(qtbot, w):
    """The network view's size with the stepper closed ("net") and on every stage."""
    close_stepper(qtbot, w)
    out = {"net": view_size(w)}
    open_stepper(qtbot, w)
    for i in range(w.stepper.stage_count()):
        w.stepper.go_to(i)
        settle(qtbot)
        out[i] = view_size(w)
    return out


def unpainted(w):
    """`w` with its network view measured but never painted: these tests look at geometry, fonts
    and texts, and each new view size would build a line raster (0.2–0.5 s; painting has tests
    of its own in test_network_view.py and the screenshot test below)."""
    w.network_view.setUpdatesEnabled(False)
    return w


@pytest.fixture
def measured(window):
    """The `window` fixture, `unpainted`."""
    return unpainted(window)


@pytest.fixture(params=[(1024, 768), (1280, 800)], ids=["1024x768", "1280x800"])
def projector(request, qtbot, bundled):
    w = MainWindow(Session(dataset=bundled), restore=False)
    w.resize(*request.param)
    qtbot.addWidget(w)
    unpainted(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    if w.presentation_action.isChecked():
        w.presentation_action.trigger()  # the application font back for the next tests
    w.close()


def visible_in_window(w, widget) -> bool:
    top_left = widget.mapTo(w, QPoint(0, 0))
    return QRect(QPoint(0, 0), w.size()).contains(QRect(top_left, widget.size()))


def test_presentation_layout_at_projector_sizes(qtbot, projector):
    w = projector
    normal = sizes_by_stage(qtbot, w)
    close_stepper(qtbot, w)
    w.presentation_action.trigger()
    settle(qtbot)
    # The toolbars collapse to Train / Pause, Step and the stage keys.
    assert not w.menuBar().isVisible() and not w.controls.isVisible()
    assert w.presentation.bar.isVisible()
    pw, ph = view_size(w)  # the network is no smaller than without presentation mode …
    assert pw >= normal["net"][0] and ph >= normal["net"][1], ("net", normal["net"], (pw, ph))
    open_stepper(qtbot, w)
    stepper, view = w.stepper, w.network_view
    for i in range(stepper.stage_count()):
        stepper.go_to(i)
        settle(qtbot)
        # … on every stage either.
        pw, ph = view_size(w)
        assert pw >= normal[i][0] and ph >= normal[i][1], (i, normal[i], (pw, ph))
        stage = stepper.current_stage()
        # No caption is cut short: its lines hold every word and fit the view's width.
        font, lines = view.caption_lines()
        if stage.overlay.caption:
            assert " ".join(lines) == " ".join(stage.overlay.caption.split()), stage.key
            fm = QFontMetricsF(font)
            assert all(fm.horizontalAdvance(line) <= view.width() for line in lines)
            g = view._geometry()  # the lines end above the network's topmost neuron
            top = min(t for t, _b in g.layout.extents)
            assert 0.3 * g.line_h + len(lines) * fm.height() <= top, (stage.key, lines)
        # The stage's first two sentences are on screen, whole, without scrolling.
        first = " ".join(sentences(stage.text)[:2])
        assert stepper.text.text() == first, stage.key
        area = stepper.text_area
        assert stepper.text.heightForWidth(area.viewport().width()) <= area.viewport().height()
        assert not area.verticalScrollBar().isVisible(), stage.key
        assert visible_in_window(w, area) and visible_in_window(w, stepper.title)
        # No note beside a neuron covers a neuron of another layer.
        g = view._geometry()
        for _text, box, _font in view.neuron_text_boxes():
            for l, centers in enumerate(g.layout.centers):
                r = g.layout.radius[l]
                for cx, cy in centers:
                    if (cx, cy) == (cx, cy) and abs(box.center().x() - cx) > r:  # other columns
                        assert not box.intersects(QRectF(cx - r, cy - r, 2 * r, 2 * r)), (
                            stage.key, _text, l)
        # Tables keep the rows that matter.
        if len(stage.rows) > 6:
            assert stepper.table.rowCount() <= 6, stage.key


def side_tab_bar(w):
    """The tab bar under the side panels (the one with Sample, Draw, … Mistakes)."""
    from PySide6.QtWidgets import QTabBar
    bars = [b for b in w.findChildren(QTabBar) if b.isVisible() and b.count() >= 5]
    assert len(bars) == 1
    return bars[0]


def test_no_tab_label_is_cut_in_either_layout(qtbot, projector):
    """Seven side panels at presentation type used to show "Sam…", "Dr…", "Mista…". Where even
    the smallest tab type cannot hold them all (1024 px), arrows scroll the tabs; a label is
    never cut."""
    from mlpviz.gui.tab_fit import fit_bar, labels_width, room_for, smallest_size
    w = projector
    for presenting in (False, True, False):
        before = w.tab_fit.refits if presenting != w.presentation_action.isChecked() else 0
        if w.presentation_action.isChecked() != presenting:
            w.presentation_action.trigger()
        app = QApplication.font().pointSizeF()
        qtbot.waitUntil(lambda: w.tab_fit.refits > before)  # refitted by itself
        settle(qtbot)
        bar = side_tab_bar(w)
        size = bar.font().pointSizeF()
        assert smallest_size(app) <= size <= app
        if w.width() >= 1280:  # eight panels' labels fit whole at 1280 px in either layout
            assert labels_width(bar) <= bar.width()
        assert fit_bar(bar, room_for(bar, w)) == size  # and at the largest type that fits
        names = [bar.tabText(i) for i in range(bar.count())]
        assert {"Sample", "Draw", "Backprop", "Mistakes"} <= set(names)
        for i in range(bar.count()):  # each tab as wide as its whole label needs
            assert bar.tabRect(i).width() >= bar.tabSizeHint(i).width(), names[i]
        assert bar.elideMode() == Qt.TextElideMode.ElideNone
        if not presenting and w.width() >= 1280:
            assert size == app  # the normal layout at 1280 px has room at the normal type


def test_presentation_keys_pages_rows_and_controls(qtbot, measured):
    w = measured
    w.presentation_action.trigger()
    open_stepper(qtbot, w)
    stepper = w.stepper
    stepper.go_to(stepper.walk.index("sum-2"))
    settle(qtbot)
    stage = stepper.current_stage()
    said = sentences(stage.text)
    assert len(said) > 2
    qtbot.keyClick(w, Qt.Key_Down)
    assert stepper.text.text() == " ".join(said[2:4])
    assert "page 2" in stepper.page_note.text()
    qtbot.keyClick(w, Qt.Key_Up)
    assert stepper.text.text() == " ".join(said[:2])
    assert stepper.table.rowCount() < len(stage.rows)
    qtbot.keyClick(w, Qt.Key_A)
    assert stepper.table.rowCount() == len(stage.rows)
    qtbot.keyClick(w, Qt.Key_PageDown)  # a new stage starts on its first sentences
    assert stepper.text.text() == " ".join(sentences(stepper.current_stage().text)[:2])
    qtbot.keyClick(w, Qt.Key_T)
    assert w.menuBar().isVisible() and w.controls.isVisible()
    qtbot.keyClick(w, Qt.Key_T)
    assert not w.controls.isVisible()
    w.presentation_action.trigger()
    assert w.menuBar().isVisible() and w.controls.isVisible() and not w.presentation.bar.isVisible()
    assert stepper.text.text() == stepper.current_stage().text  # the whole text again


def test_every_font_scales_dock_titles_and_table_headers_included(qtbot, measured):
    window = measured
    dock = window.sample_dock

    def sizes():  # the dock's title bar: from the top of the dock to its panel
        return (dock.widget().geometry().top(), dock.font().pointSizeF(),
                QApplication.font("QHeaderView").pointSizeF(),
                window.stepper.table.font().pointSizeF())

    before = sizes()
    window.presentation_action.trigger()
    settle(qtbot)
    after = sizes()
    window.presentation_action.trigger()
    settle(qtbot)
    assert all(a > 1.25 * b for a, b in zip(after, before)), (before, after)
    assert dock.font() != QApplication.font("QDockWidget")  # else Qt paints its small title font
    assert sizes() == pytest.approx(before)


def test_window_setup_for_pictures(qtbot, measured):
    window = measured
    from mlpviz.gui.app import set_up_window
    from mlpviz.gui.window_setup import WindowSetup

    assert set_up_window(window, WindowSetup(size=(1024, 768), present=True, stage="4b",
                                             theme="light", sample=7)) is None
    assert window.size().width() == 1024 and window.presentation.presenting
    assert window.stepper.current_stage().title.startswith("4b ·")
    assert window.light_action.isChecked() and window.sample_view.current().index == 7
    assert set_up_window(window, WindowSetup(tab="weights")) is None
    assert not window.weights_dock.visibleRegion().isEmpty()
    problem = set_up_window(window, WindowSetup(stage="12"))
    assert problem.startswith("--stage 12: the walk's stages are 1a, 1b")
    assert "0 to 1999" in set_up_window(window, WindowSetup(sample=2000))
    window.presentation_action.trigger()
    window.dark_action.trigger()


def test_presentation_screenshot_in_a_subprocess(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    import mlpviz
    from PySide6.QtGui import QImage

    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "MLPVIZ_SETTINGS_ORG": "mlpviz-tests", "OPENBLAS_NUM_THREADS": "1",
           "PYTHONPATH": str(Path(mlpviz.__file__).resolve().parents[1])}
    out = tmp_path / "p.png"
    run = [sys.executable, "-m", "mlpviz", "--screenshot", str(out), "--train-steps", "5",
           "--size", "1024x768", "--present", "--stage", "5"]
    proc = subprocess.run(run, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1024, 768)
    proc = subprocess.run(run[:-1] + ["99"], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "--stage 99: the walk's stages are" in proc.stderr


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen only
def test_help_goes_over_the_side_panels_while_presenting(qtbot, measured):
    window = measured
    window.presentation_action.trigger()
    settle(qtbot)
    window.show_structure_help()
    settle(qtbot)
    help_box = window.help_dialog.frameGeometry()
    view = window.network_view
    network = QRect(view.mapToGlobal(QPoint(0, 0)), view.size())
    assert not help_box.intersects(network), (help_box, network)
    window.help_dialog.close()
    window.presentation_action.trigger()


def test_every_side_panel_has_a_name_for_the_screenshot_option(window):
    """`--tab` names every tabified side panel (the Runs panel was missing)."""
    from mlpviz.gui.side_tabs import side_docks
    from mlpviz.gui.window_setup import TABS
    docks = side_docks(window)
    assert set(docks) == set(TABS)
    side = {d for d in window.findChildren(type(window.sample_dock))
            if window.dockWidgetArea(d) == window.dockWidgetArea(window.sample_dock)
            and d in window.tabifiedDockWidgets(window.sample_dock) + [window.sample_dock]}
    assert side <= set(docks.values())
