"""In Chinese, no English is left on screen: a walker over the window's widgets (labels,
buttons, group boxes, tooltips, dock and tab titles, combo and list items, table headers,
actions, plot titles and axes) finds every text with an English word, beyond the allow-list of
names, symbols and units that are the same in both languages (MNIST, SGD, sigmoid, PNG, …)."""

from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDockWidget,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QTabBar,
    QTableWidget,
    QWidget,
)

from mlpviz import i18n
from mlpviz.gui.side_tabs import show_tab, side_docks

# Words that are the same in Chinese: names of data sets, formats, programs, functions and
# keys, the code's own names of the activations and costs, and units.
ALLOWED = {
    "mnist", "fashion", "kmnist", "sgd", "relu", "sigmoid", "tanh", "softmax", "mse",
    "cross_entropy", "png", "gif", "mp4", "csv", "html", "md", "json", "npz", "onnx", "pytorch",
    "keras", "safetensors", "h5", "idx", "mlpviz", "english", "machado", "ctrl", "shift", "alt",
    "esc", "del", "delete", "enter", "tab", "space", "ms", "px", "mb", "kb", "fps", "ln", "max",
    "min", "exp", "lr", "id", "ok", "ui", "cpu", "gpu", "rgb", "svg", "ffmpeg", "pdf", "zh", "en",
    "label", "a_label", "wⱼₖ", "aₖ", "zⱼ",
}
WORD = re.compile(r"[A-Za-z_][A-Za-z_0-9]+")
TAG = re.compile(r"<[^>]*>|&[a-z]+;")


@pytest.fixture
def in_chinese():
    yield
    i18n.set_language("en")


def english_words(text: str) -> list[str]:
    """The words of `text` (markup and file extensions aside) that are English, not names."""
    text = TAG.sub(" ", text or "")
    text = re.sub(r"[\w/~-]*\.[a-z0-9]+\b", " ", text)  # model.npz, .mlpviz: file names
    return [w for w in WORD.findall(text) if w.lower() not in ALLOWED and not
            re.fullmatch(r"[A-Za-z]\d*|[A-Z][a-z]?\d+", w)]


def shown_texts(root: QWidget) -> list[tuple[str, str]]:
    """(what, text) of every text `root` and its children show."""
    texts = [("window title", root.windowTitle())]
    for w in root.findChildren(QWidget):
        kind = type(w).__name__
        texts.append((f"{kind} tooltip", w.toolTip()))
        if isinstance(w, (QLabel, QAbstractButton)):
            texts.append((kind, w.text()))
        elif isinstance(w, QGroupBox):
            texts.append((kind, w.title()))
        elif isinstance(w, QDockWidget):
            texts.append((kind, w.windowTitle()))
        elif isinstance(w, QLineEdit):
            texts.append((kind, w.placeholderText()))
        if isinstance(w, QComboBox):
            texts.append((kind, w.placeholderText()))
            texts += [(kind, w.itemText(i)) for i in range(w.count())]
        if isinstance(w, QListWidget):
            for i in range(min(w.count(), 20)):
                texts += [(kind, w.item(i).text()), (kind, w.item(i).toolTip())]
        if isinstance(w, QTabBar):
            texts += [(kind, w.tabText(i)) for i in range(w.count())]
        if isinstance(w, QTableWidget):
            for i in range(w.columnCount()):
                item = w.horizontalHeaderItem(i)
                texts.append((kind, item.text() if item else ""))
        texts += _plot_texts(w)
    for a in root.findChildren(QAction):
        texts += [("action", a.text()), ("action tooltip", a.toolTip()),
                  ("action status tip", a.statusTip())]
    return [(k, t) for k, t in texts if t]


def _plot_texts(w: QWidget) -> list[tuple[str, str]]:
    import pyqtgraph as pg

    if not isinstance(w, pg.PlotWidget):
        return []
    item = w.getPlotItem()
    return [("plot title", item.titleLabel.text)] + [
        ("plot axis", item.getAxis(side).labelText) for side in ("left", "bottom")]


def untranslated(root: QWidget) -> list[tuple[str, str]]:
    return sorted({(k, t[:120]) for k, t in shown_texts(root) if english_words(t)})


def test_the_walker_finds_english_and_passes_names():
    assert english_words("Noise") == ["Noise"]
    assert english_words("在 MNIST 上用 SGD 训练 sigmoid 网络，存为 .npz（Ctrl+S）") == []
    assert english_words("<b>权重</b> W⁽²⁾·a₁ + b") == []
    assert english_words("held-out 样本") == ["held", "out"]


@pytest.fixture
def filled(qtbot, window):
    """The window after 12 mini-batches: a run pinned (then η changed, so its label is a
    difference), a neuron and a weight pinned, a neuron chosen, the mistakes computed."""
    for _step in range(12):
        with qtbot.waitSignal(window.session.snapshot_ready, timeout=10_000):
            window.session.step_batch()
    qtbot.waitUntil(lambda: not window.session.is_training, timeout=10_000)
    window.runs_view.pin_requested.emit()
    assert len(window.runs_view.pinned().runs) == 1
    window.controls.lr.setValue(0.3)
    with qtbot.waitSignal(window.session.snapshot_ready, timeout=10_000):
        window.session.step_batch()
    qtbot.waitUntil(lambda: not window.session.is_training, timeout=10_000)
    window.network_view.pin_requested.emit("neuron", 2, 5, -1)
    window.network_view.pin_requested.emit("weight", 1, 3, 7)
    window._on_neuron_clicked(2, 5)
    show_tab(window, "mistakes")
    qtbot.waitUntil(lambda: window.mistakes_view.result is not None, timeout=10_000)
    show_tab(window, "pins")
    qtbot.waitUntil(lambda: window.pins_view.series() is not None, timeout=10_000)
    return window


TABS = ("sample", "draw", "neuron", "weights", "deeper", "mistakes", "runs", "pins")


def test_no_english_left_in_chinese(qtbot, filled, in_chinese):
    """Every side panel, each shown for the first time after the switch (one filled window for
    all of them: filling it is most of the cost)."""
    i18n.set_language("zh")
    left = {}
    for tab in TABS:
        show_tab(filled, tab)
        qtbot.wait(50)
        left[tab] = untranslated(side_docks(filled)[tab])
    assert left == {tab: [] for tab in TABS}


def _state(window) -> dict:
    """What a change of language must not touch: the weights, the pins, the pinned runs, the
    replay position, the neuron and the sample on show."""
    snap = window.session.snapshot
    return {"weights": [w.tobytes() for w in snap.weights],
            "pins": window.pins_view.pins(),
            "runs": [r.first_weights.tobytes() for r in window.runs_view.pinned().runs],
            "replay": window.timeline.index(),
            "neuron": window.neuron_panel._args[2:4],
            "sample": window.sample_view.current(),
            "mistakes": window.mistakes_view.result.counts.tobytes()}


def _texts(window) -> dict:
    return {"runs": window.runs_view.run_list.item(0).text(),
            "mistakes": window.mistakes_view.summary.text(),
            "gallery": window.mistakes_view.gallery.item(0).text(),
            "pins": window.pins_view._rows[0].caption.text(),
            "neuron": window.neuron_panel.subtitle.text(),
            "replay": window.timeline.where.text(),
            "plot key": " | ".join(window.cost_view.baseline_labels())}


def test_switching_language_relabels_the_filled_views_and_keeps_their_state(
        qtbot, filled, in_chinese):
    before, english = _state(filled), _texts(filled)
    assert "η 3 vs 0.3" in english["runs"] and english["replay"].startswith("Live · ")
    filled.language_actions["zh"].trigger()
    chinese = _texts(filled)
    assert all(chinese[k] != english[k] for k in english), chinese
    assert "η 3 对 0.3" in chinese["runs"] and chinese["replay"].startswith("实时 · ")
    assert chinese["pins"].startswith("第 2 层的神经元 5")
    assert chinese["plot key"] == "η 3 对 0.3 | 本次训练"  # the cost plot's key of the pinned run
    assert _state(filled) == before
    filled.language_actions["en"].trigger()
    assert _texts(filled) == english and _state(filled) == before


def test_no_english_left_anywhere_in_the_window(qtbot, filled, in_chinese):
    """Menus, toolbars, the status bar, the banner, the network view's panels and every dock."""
    i18n.set_language("zh")
    qtbot.wait(50)
    found = untranslated(filled)
    assert found == [], "\n".join(map(str, found))


@pytest.mark.parametrize("sizes, activation, cost", [
    ((784, 16, 16, 10), "sigmoid", "mse"), ((784, 30, 10), "relu", "cross_entropy"),
    ((784, 10), "tanh", "mse")])
def test_the_network_views_tooltips_and_the_help_are_chinese(in_chinese, sizes, activation, cost):
    """The texts the network view shows on hover and "What am I looking at?", in Chinese for
    networks of other shapes too."""
    from mlpviz.core import explain
    from mlpviz.core.activations import get_activation
    from mlpviz.core.costs import get_cost

    i18n.set_language("zh")
    act, c, names = get_activation(activation), get_cost(cost), [str(d) for d in range(10)]
    L = len(sizes) - 1
    texts = [explain.structure_summary(sizes, activation, cost, names),
             explain.line_tooltip(0, 3, 400, sizes, names, 0.25, a_k=0.5, grad=0.01),
             explain.line_tooltip(L - 1, 2, 1, sizes, names, -0.5, shown=0.1)]
    for l in range(L + 1):
        texts.append(explain.layer_tooltip(l, sizes, act, c, names))
        texts.append(explain.neuron_tooltip(l, 1, sizes, act, c, names, b=0.5, z=0.7, a=0.66,
                                            answer=l == L, nudge=0.1))
        texts.append(explain.neuron_tooltip(l, 1, sizes, act, c, names, b=0.5))
    left = [t for t in texts if english_words(t)]
    assert not left, left[0]


def _cut(window) -> list[tuple[str, str, int, int]]:
    """Visible labels that do not wrap and buttons whose text needs more width than they got:
    (kind, text, needed, given)."""
    cut = []
    for w in window.findChildren(QWidget):
        if not w.isVisible() or w.visibleRegion().isEmpty():
            continue
        if isinstance(w, QLabel) and w.text() and not w.wordWrap() and w.pixmap().isNull():
            if w.sizeHint().width() > w.width() + 1:
                cut.append(("label", w.text()[:60], w.sizeHint().width(), w.width()))
        elif isinstance(w, QAbstractButton) and w.text():
            if w.sizeHint().width() > w.width() + 1:
                cut.append(("button", w.text(), w.sizeHint().width(), w.width()))
    return cut


@pytest.mark.parametrize("present", [False, True], ids=["normal", "presentation"])
def test_chinese_fits_at_1280x800(qtbot, filled, in_chinese, present):
    """In Chinese at 1280×800, normal and presentation mode, on every side panel: no label or
    button is cut, and no tab label is elided."""
    i18n.set_language("zh")
    if present:
        filled.presentation_action.trigger()
    qtbot.wait(100)
    assert (filled.width(), filled.height()) == (1280, 800)
    for tab in side_docks(filled):
        show_tab(filled, tab)
        qtbot.wait(30)
        assert _cut(filled) == [], tab
    for bar in filled.findChildren(QTabBar):
        if bar.isVisible():
            fm = bar.fontMetrics()
            for i in range(bar.count()):
                assert bar.tabRect(i).width() > fm.horizontalAdvance(bar.tabText(i)), \
                    bar.tabText(i)


def test_the_dialogs_are_chinese(qtbot, window, in_chinese):
    """Export view…, Record…, the import question, "What am I looking at?" and the shortcuts'
    list (F1), opened in Chinese."""
    from mlpviz.core.imports import ImportNeedsChoice
    from mlpviz.gui.import_dialog import ImportChoiceDialog
    from mlpviz.gui.panels import HelpDialog
    from mlpviz.gui.slides import ExportViewDialog, RecordDialog

    i18n.set_language("zh")
    need = ImportNeedsChoice("", ("activation", "cost"),
                             {"activation": ("sigmoid", "relu"), "cost": ("mse",)})
    dialogs = [ExportViewDialog(window), RecordDialog(window, 80),
               ImportChoiceDialog("/tmp/model.npz", need, window)]
    window.help_dialog = HelpDialog(window)
    window._show_structure(window.session.snapshot)  # what Help › What am I looking at? shows
    dialogs.append(window.help_dialog)
    for dialog in dialogs:
        assert untranslated(dialog) == [], type(dialog).__name__
    assert "我在看什么" in window.help_dialog.text()
    rows = [text for _keys, text in window.shortcut_list()]
    assert not [t for t in rows if english_words(t)]
