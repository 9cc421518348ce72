"""The main window: the network in the middle, the run's controls above, plots and panels around.

It owns the Session and the views and only wires them together: signals of one go to setters of
another. It keeps no numbers of its own beyond what it is showing now (the latest snapshot and the
input on show) and computes none: the answer for a drawing, the gradient the lines are coloured
by and the stepper's example batch come from `core.shown`; settings from `gui.settings`.
"""

from __future__ import annotations

import csv
import dataclasses
import math
from typing import Mapping

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QApplication, QComboBox, QDockWidget, QFileDialog,
    QHBoxLayout, QLabel, QMainWindow, QMessageBox, QProgressBar, QVBoxLayout, QWidget,
)

from mlpviz import i18n
from mlpviz.about import about_html
from mlpviz.core.explain import parameter_breakdown, structure_summary, training_point
from mlpviz.core.checkpoints import Checkpoints
from mlpviz.core.pins import Pin, Pins
from mlpviz.core.minibatch import MiniBatch, batch_gradient, minibatch_for
from mlpviz.core.palette import get_palette
from mlpviz.core.shown import Shown, answer, describe, sample_gradient
from mlpviz.core.learning_hint import learning_hint
from mlpviz.core.run_start import RunStart
from mlpviz.core.snapshot import Snapshot
from mlpviz.gui import settings
from mlpviz.gui import theme as themes
from mlpviz.gui.compare_trace import TraceCompare
from mlpviz.gui.lesson_export import LessonExport
from mlpviz.gui.icon import app_icon
from mlpviz.gui.import_dialog import IMPORT_FILTER, ask_and_import
from mlpviz.gui.keys import FIELD_RULE, WindowKeys, shortcut_rows
from mlpviz.gui.labels import Labels, use_qt_translations
from mlpviz.i18n import N_, _, ngettext
from mlpviz.gui.palette_menu import PaletteMenu
from mlpviz.gui.lesson_io import LessonFiles
from mlpviz.gui.panels import HelpDialog, MessageBanner
from mlpviz.gui.presentation import PresentationLayout
from mlpviz.gui.run_controls import RunControls
from mlpviz.gui.session import Session
from mlpviz.gui.side_panels import SidePanelWidth
from mlpviz.gui.slides import Slides
from mlpviz.gui.status_room import MessageRoom
from mlpviz.gui.tab_fit import TabFit
from mlpviz.gui.views.cost_view import CostView
from mlpviz.gui.views.deeper_view import DeeperView
from mlpviz.gui.views.drawing_pad import DrawingPad
from mlpviz.gui.views.mistakes_view import MistakesView
from mlpviz.gui.views.network_view import NetworkView
from mlpviz.gui.views.neuron_panel import NeuronPanel
from mlpviz.gui.views.pins_view import PinsView
from mlpviz.gui.views.runs_view import RunsView
from mlpviz.gui.views.sample_view import SampleView
from mlpviz.gui.views.stepper import StepperPanel
from mlpviz.gui.views.timeline import TimelineBar
from mlpviz.gui.views.weights_grid import WeightsGrid

def default_size() -> tuple[int, int]:
    """1280×800 (what the layout is made for), or 90 % of a smaller screen."""
    screen = QApplication.primaryScreen()
    if screen is None:
        return 1280, 800
    room = screen.availableGeometry()
    return min(1280, int(room.width() * 0.9)), min(800, int(room.height() * 0.9))


def _epoch_status(report) -> str:
    """The last epoch's held-out accuracy and cost for the status bar; numbers that were not
    measured (no held-out data, a file's odd record) are not shown as "nan"."""
    acc, cost = report.test_accuracy, report.test_cost
    if not (isinstance(acc, (int, float)) and 0 <= acc <= 1):
        return _("epoch {epoch}: no held-out accuracy").format(epoch=report.epoch) + "  "
    text = _("held-out accuracy {percent} %").format(percent=f"{100 * acc:.1f}")
    if isinstance(cost, (int, float)) and 0 <= cost < math.inf:
        text += "  " + _("cost {cost}").format(cost=f"{cost:.4f}")
    return text + " " + _("(end of epoch {epoch})").format(epoch=report.epoch) + "  "


def _replay_status(batches_seen: int, session) -> str:
    """The status bar's accuracy while a checkpoint is replayed: the epoch's figures when it
    was taken at an epoch's end, else that none were measured for these weights."""
    for report, at in zip(session.history, session.epoch_ends):
        if at == batches_seen:
            return _epoch_status(report)
    return "replay: accuracy is measured at epoch ends only  "


class MainWindow(QMainWindow):
    """mlpviz's window. `session` may be given (tests); by default a new one on the bundled data.
    `restore`: start from the last settings and remember them on closing; off for screenshots,
    benchmarks and tests, which must neither depend on nor change the user's settings. Settings
    that cannot be used never stop it opening: it starts from the defaults and says so."""

    def __init__(self, session: Session | None = None, restore: bool = True):
        super().__init__()
        stored = settings.read() if restore else dict(settings.DEFAULTS)
        if restore:  # the remembered language, else the system's (None: never chosen)
            i18n.set_language(stored["language"] or i18n.system_language())
        self.labels = Labels()  # every text of the window's own, in the current language
        self.labels.add(self.setWindowTitle,
                        N_("mlpviz — a neural network learning to read digits"))
        self.setWindowIcon(app_icon())
        self.about_box: QMessageBox | None = None
        problem = None
        if session is None:
            session, problem = settings.session_from(stored)
        self.session = session
        self._snapshot: Snapshot | None = None
        self._shown: Shown | None = None
        self._batch: MiniBatch | None = None  # the stepper's mini-batch around the input on show
        self._lines_by_batch = False  # "lines by ∂C/∂w" shows the batch's average (stage 9)
        self._source = "sample"  # "sample" or "drawing"
        self._drawing: np.ndarray | None = None
        self._theme_name = "dark"
        self._palette_name = settings.DEFAULTS["palette"]  # the signs' colours (core.palette)
        self._presentation = False
        self._closing = False
        self._status_note: str | None = None  # the status's accuracy after a restore
        self._hint = ""  # the not-learning hint the banner shows, if it shows one
        self._stepping = False  # the backprop stepper's tab is on screen
        self._cost_hidden_by_stepper = False
        self.import_dialog = None  # File › Import…'s question, while it is asked
        self.help_dialog: HelpDialog | None = None  # "What am I looking at?", made when asked
        self._remember = restore
        self._build_views()
        self._build_docks()
        self.compare = TraceCompare(self)  # File › Compare trace…: its panel and marks
        self.slides = Slides(self)  # File › Export view / stepper stages, Record…
        self.lesson = LessonFiles(self)  # File › Save lesson… / Open lesson…
        self.lesson.add_section("baselines", self.runs_view.pinned_arrays,
                                self.runs_view.restore_pinned)
        self.lesson.add_section("run_start", self._run_start_arrays, self._restore_run_start)
        self.lesson.set_palette_access(lambda: self._palette_name, self._set_palette)
        self.lesson.add_section("checkpoints", lambda: self.session.checkpoints.to_arrays(),
                                self._restore_checkpoints)
        self.lesson.add_section("pins", lambda: self.pins_view.pins().to_arrays(),
                                lambda arrays: self.pins_view.set_pins(
                                    Pins.from_arrays(arrays, self.session.sizes)))
        self.lesson_export = LessonExport(self)  # File › Export lesson…: the printable handout
        self._build_actions()
        self._build_status_bar()
        self._wire()
        self.keys = WindowKeys(self, self.actions)  # the single-key actions, whatever has focus
        self.presentation = PresentationLayout(self, self.view_menu)  # F5's layout and its keys
        i18n.add_listener(self._on_language_changed)  # View › Language, --lang: relabel at once
        use_qt_translations(QApplication.instance())  # Qt's own buttons in the language too
        try:
            self._apply_settings(stored)
        except Exception as e:  # noqa: BLE001 (last resort: a window that opens beats a traceback)
            self._apply_settings(settings.DEFAULTS)
            problem = " ".join(filter(None, (problem, (
                _("The saved window settings could not be applied ({reason}). The window starts "
                  "from its defaults instead.").format(reason=e)))))
        self._apply_theme()
        self.presentation.apply(self._presentation, self._stepping)
        self._on_network_rebuilt(self.session.snapshot)
        self._on_dataset_changed(self.session.dataset)
        if problem:
            self.banner.show_message(problem)

    # -- construction ------------------------------------------------------------------------
    def _build_views(self) -> None:
        self.network_view = NetworkView()
        self.banner = MessageBanner()
        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.banner)
        lay.addWidget(self.network_view, 1)
        self.timeline = TimelineBar()  # the replay: scrubs every view through the checkpoints
        lay.addWidget(self.timeline)
        self.setCentralWidget(central)
        self.controls = RunControls(self)
        self.addToolBar(Qt.TopToolBarArea, self.controls)
        self.addToolBarBreak(Qt.TopToolBarArea)
        self.addToolBar(Qt.TopToolBarArea, self.controls.network_bar)
        self.controls.show_lr(self.session.lr, rebuilt=True)
        self.controls.batch.setValue(self.session.batch_size)
        self.cost_view = CostView()
        self.sample_view = SampleView()
        self.drawing_pad = DrawingPad()
        self.drawn_label = QComboBox()
        self.labels.add(self.drawn_label.setToolTip,
                        N_("Which digit you meant: the stepper's target for the drawing"))
        self.labels.add(self.drawn_label.setPlaceholderText, N_("which digit?"))
        self.neuron_panel = NeuronPanel()
        self.weights_grid = WeightsGrid()
        self.stepper = StepperPanel()
        self.mistakes_view = MistakesView()
        self.deeper_view = DeeperView()
        self.runs_view = RunsView()
        self.pins_view = PinsView()

    def _dock(self, title: str, name: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(self)
        self.labels.add(dock.setWindowTitle, title)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable
                         | QDockWidget.DockWidgetClosable)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        draw_box = QWidget()
        lay = QVBoxLayout(draw_box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.drawing_pad, 1)
        row = QHBoxLayout()
        row.addWidget(drew := QLabel())
        self.labels.add(drew.setText, N_("I drew a"))
        row.addWidget(self.drawn_label, 1)
        lay.addLayout(row)
        right = Qt.RightDockWidgetArea
        # The side panels run the full height; the plots sit under the network only.
        self.setCorner(Qt.BottomRightCorner, Qt.RightDockWidgetArea)
        self.setCorner(Qt.TopRightCorner, Qt.RightDockWidgetArea)
        self.sample_dock = self._dock(N_("Sample"), "sample_dock", self.sample_view, right)
        self.draw_dock = self._dock(N_("Draw"), "draw_dock", draw_box, right)
        self.stepper_dock = self._dock(N_("Backprop"), "stepper_dock", self.stepper, right)
        self.neuron_dock = self._dock(N_("Neuron"), "neuron_dock", self.neuron_panel, right)
        self.weights_dock = self._dock(N_("Weights"), "weights_dock", self.weights_grid, right)
        self.deeper_dock = self._dock(N_("Deeper"), "deeper_dock", self.deeper_view, right)
        self.mistakes_dock = self._dock(N_("Mistakes"), "mistakes_dock", self.mistakes_view, right)
        self.runs_dock = self._dock(N_("Runs"), "runs_dock", self.runs_view, right)
        self.pins_dock = self._dock(N_("Pins"), "pins_dock", self.pins_view, right)
        for d in (self.draw_dock, self.stepper_dock, self.neuron_dock, self.weights_dock,
                  self.deeper_dock, self.mistakes_dock, self.runs_dock, self.pins_dock):
            self.tabifyDockWidget(self.sample_dock, d)
        self.sample_dock.raise_()
        self.cost_dock = self._dock(N_("Cost and accuracy"), "cost_dock", self.cost_view,
                                    Qt.BottomDockWidgetArea)
        self.resizeDocks([self.cost_dock], [210], Qt.Vertical)
        self.side_panels = SidePanelWidth(  # one width on every tab: switching moves nothing
            self, (self.sample_dock, self.draw_dock, self.stepper_dock, self.neuron_dock,
                   self.weights_dock, self.deeper_dock, self.mistakes_dock, self.runs_dock,
                   self.pins_dock),
            frozen=lambda: self._presentation)
        self.tab_fit = TabFit(self)  # tab labels never cut ("Sam…") at any width or type size

    def _action(self, menu, text: str, slot=None, shortcut=None, checkable=False,
                tip="") -> QAction:
        """A menu entry (and window-wide shortcut); `slot` runs when the user triggers it."""
        act = QAction(self)
        self.labels.add(act.setText, text)  # N_-marked English, shown in the current language
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
            act.setShortcutContext(Qt.WindowShortcut)
        act.setCheckable(checkable)
        if tip:
            self.labels.add(act.setStatusTip, tip)
        if slot is not None:
            act.triggered.connect(slot)
        menu.addAction(act)
        self.addAction(act)  # shortcuts work while the menu bar is hidden, too
        return act

    def _menu(self, parent, title: str):
        """A menu under `parent` titled `title` (N_-marked English) in the current language."""
        menu = parent.addMenu("")
        self.labels.add(menu.setTitle, title)
        return menu

    def _build_language_menu(self, view_menu) -> None:
        """View › Language: English / 中文, each named in its own language (never translated)."""
        menu = self._menu(view_menu, N_("&Language"))
        group = QActionGroup(self)
        self.language_actions = {}
        for lang in i18n.LANGUAGES:
            act = QAction(i18n.NAMES[lang], self)
            act.setCheckable(True)
            act.setChecked(lang == i18n.language())
            act.triggered.connect(lambda _checked=False, lang=lang: self.set_language(lang))
            group.addAction(act)
            menu.addAction(act)
            self.language_actions[lang] = act

    def set_language(self, lang: str) -> None:
        """Show the window in `lang` ("en" or "zh") from now on: every menu, toolbar, panel and the
        stepper's stage relabel at once (`retranslate`, through i18n's listener); the network,
        the run and the stage on show stay as they are."""
        i18n.set_language(lang)

    def _on_language_changed(self, lang: str) -> None:
        if self._closing:
            return
        for code, act in self.language_actions.items():
            act.setChecked(code == lang)
        self.retranslate()

    def retranslate(self) -> None:
        """Every text of the window again, in the current language."""
        self.labels.retranslate()
        self.banner.labels.retranslate()
        if self.help_dialog is not None:
            self.help_dialog.labels.retranslate()
        themes.apply_language_font(QApplication.instance())  # a CJK family first for Chinese
        use_qt_translations(QApplication.instance())
        self.network_view.update()  # its captions and legend
        self.controls.retranslate()
        self.presentation.bar.retranslate()
        self.palette_menu.retranslate()
        self._say_gradient_tip(themes.theme(self._theme_name, self._presentation,
                                            self._palette_name).palette)
        self.cost_view.retranslate()
        self.stepper.retranslate()
        for view in (self.sample_view, self.drawing_pad, self.neuron_panel, self.weights_grid,
                     self.deeper_view, self.mistakes_view, self.runs_view, self.pins_view,
                     self.timeline, self.compare.panel):  # the side panels' texts
            view.retranslate()
        if self._snapshot is not None:
            self._show_structure(self._snapshot)
        if self._shown is not None:  # "held-out sample #12" or "your drawing", translated
            self._shown = dataclasses.replace(self._shown, description=describe(
                self._shown.split, self._shown.index) if self._shown.split
                else self._drawing_words())
            self.stepper.set_description(self._shown.description)
        if self._hint and self.banner.isVisible() and self.banner.text() == self._hint:
            self._show_learning_hint()  # the hint on show, in the new language
        self._update_status()

    def _build_actions(self) -> None:
        bar = self.menuBar()
        f = self._menu(bar, N_("&File"))
        self._action(f, N_("&Open model…"), self._on_open_model, QKeySequence.Open)
        self._action(f, N_("&Import model…"), self._on_import_model, "Ctrl+I",
                     tip=N_("A network trained elsewhere: PyTorch (.safetensors, .npz), Keras "
                            "(.npz, .h5) or ONNX (.onnx)"))
        self._action(f, N_("&Save model…"), self._on_save_model, QKeySequence.Save)
        self._action(f, N_("Open l&esson…"), self.lesson.open_dialog, "Ctrl+Shift+O",
                     tip=N_("A whole lesson: network, history, sample, stage and view (.mlpviz)"))
        self._action(f, N_("Save lesso&n…"), self.lesson.save_dialog, "Ctrl+Shift+S",
                     tip=N_("Everything on screen in one file to hand out (.mlpviz)"))
        self._action(f, N_("&Compare trace…"), self._on_compare_trace,
                     tip=N_("Your own backprop's trace (.json, .npz) against mlpviz's numbers"))
        self._action(f, N_("C&lear comparison"), lambda: self.compare.clear())
        self._action(f, N_("Open data &folder…"), self._on_open_data_folder,
                     tip=N_("Any folder of MNIST-format IDX files (Fashion-MNIST, KMNIST, …)"))
        f.addSeparator()
        self._action(f, N_("&Export view as PNG…"), self.slides.ask_export_view, "Ctrl+E",
                     tip=N_("The whole window or the network view, at 1×, 2× or 3× its size"))
        self._action(f, N_("Export stepper s&tages…"), self.slides.ask_export_stages,
                     tip=N_("Every stage of the backprop walk as numbered PNG frames in a folder"))
        self.record_action = self._action(
            f, N_("&Record training…"), self.slides.ask_record,
            tip=N_("Train for some epochs and film it as an animated GIF (or MP4)"))
        self.slides.recording_changed.connect(
            lambda on: self.record_action.setText(_("Stop &recording") if on
                                                  else _("&Record training…")))
        self.slides.saved.connect(lambda sentence: self.statusBar().showMessage(sentence, 15_000))
        self._action(f, N_("Export &history as CSV…"), self._on_export_csv)
        self.export_lesson_action = self._action(
            f, N_("Export &lesson…"), lambda: self.lesson_export.ask(),
            tip=N_("The backprop walk for the sample on show as a printable handout (.html, .md)"))
        f.addSeparator()
        self._action(f, N_("&Quit"), self.close, QKeySequence.Quit)

        t = self._menu(bar, N_("&Training"))
        self.train_action = self._action(t, N_("Train / pause"), self.session.toggle, "Space")
        self._action(t, N_("Step one mini-batch"), self.session.step_batch, "S")
        self._action(t, N_("Step one epoch"), self.session.step_epoch, "E")
        self._action(t, N_("Reset weights"), self.session.reset, "R")
        self._action(t, N_("Rerun from the same start"), self.session.rerun, "Ctrl+R",
                     tip=N_("This run again from its first weights and shuffle order, with the η "
                            "and batch size set now"))
        self._action(t, N_("Undo"), self._undo, "Ctrl+Z")
        self._action(t, N_("Pin this run as a baseline"), self._on_pin_run, "Ctrl+B",
                     tip=N_("Keep its cost and accuracy on the plots to compare the next run with"))
        t.addSeparator()
        self._action(t, N_("Restore last good weights"), self.session.restore_last_good,
                     tip=N_("Put back the best weights seen on this network (highest held-out "
                            "accuracy): kept when training starts and at every epoch's end"))
        self.undo_restore_action = self._action(
            t, N_("Undo restore"), self.session.undo_restore,
            tip=N_("Put back the weights the last restore replaced"))
        self.undo_restore_action.setEnabled(False)

        v = self.view_menu = self._menu(bar, N_("&View"))
        self.presentation_action = self._action(
            v, N_("&Presentation mode"), self._on_presentation_toggled, "F5", checkable=True,
            tip=N_("Large type and thick lines for a projector"))
        group = QActionGroup(self)
        self.dark_action = self._action(v, N_("&Dark"), lambda: self._set_theme("dark"),
                                        checkable=True)
        self.light_action = self._action(v, N_("&Light"), lambda: self._set_theme("light"),
                                         checkable=True)
        group.addAction(self.dark_action)
        group.addAction(self.light_action)
        self._build_language_menu(v)
        self.palette_menu = PaletteMenu(self, v, self._set_palette)
        v.addSeparator()
        self.circles_action = self._action(
            v, N_("Inputs as a column of &circles"), self._on_input_style_toggled, checkable=True,
            tip=N_("Draw the 784 inputs as the classic column of circles instead of the 28×28 "
                   "image"))
        thin = self._menu(v, N_("Show &lines"))
        group = QActionGroup(self)
        self.top_k_actions = {}
        for k, text in ((0, N_("All weights")), (8, N_("Strongest 8 per neuron")),
                        (3, N_("Strongest 3 per neuron"))):
            a = self._action(thin, text, lambda checked=False, k=k: self._set_top_k(k),
                             checkable=True)
            group.addAction(a)
            self.top_k_actions[k] = a
        self.top_k_actions[0].setChecked(True)
        # The one state of "lines by ∂C/∂w": this action (G); the stepper's checkbox shows it.
        self.gradient_action = self._action(
            v, N_("Colour lines by this sample's ∂C/∂w"), shortcut="G", checkable=True,
            tip=N_("Green/red by the gradient instead of the weight"))
        v.addSeparator()
        self._action(v, N_("&Backpropagation stepper"), self._show_stepper, "B")
        self._action(v, N_("&Mistakes (confusion matrix)"), self._show_mistakes, "M",
                     tip=N_("The held-out set's confusion matrix and its misclassified digits"))
        # The stage keys (a presenter's clicker sends Page Down / Page Up): on while it is open.
        self.next_stage_action = self._action(v, N_("Next stage"), self.stepper.next_stage,
                                              "Right")
        self.next_stage_action.setShortcuts([QKeySequence("Right"), QKeySequence("PgDown")])
        self.previous_stage_action = self._action(v, N_("Previous stage"), self.stepper.back,
                                                  "Left")
        self.previous_stage_action.setShortcuts([QKeySequence("Left"), QKeySequence("PgUp")])
        self._enable_stage_keys(False)
        v.addSeparator()
        self._action(v, N_("Replay: earlier checkpoint"), lambda: self.timeline.step(-1), "[")
        self._action(v, N_("Replay: later checkpoint"), lambda: self.timeline.step(1), "]")
        self._action(v, N_("Replay: back to live"), self.timeline.go_live, "L")
        self._action(v, N_("Pin the selected neuron"), self._pin_selected, "P",
                     tip=N_("Follow it over training and the replay in the Pins tab (right-click "
                            "a neuron or a line to pin it)"))
        v.addSeparator()
        for dock in (self.sample_dock, self.draw_dock, self.stepper_dock, self.neuron_dock,
                     self.weights_dock, self.deeper_dock, self.mistakes_dock, self.runs_dock,
                     self.pins_dock,
                     self.cost_dock):
            v.addAction(dock.toggleViewAction())

        h = self._menu(bar, N_("&Help"))
        self._action(h, N_("&What am I looking at?"), self.show_structure_help, "H",
                     tip=N_("The network on screen explained: its layers, its formula, its "
                            "parameters"))
        self._action(h, N_("&Keyboard shortcuts"), self._on_show_shortcuts, "F1")
        self._action(h, N_("&About mlpviz"), self._on_about)

    def _build_status_bar(self) -> None:
        self.status_structure = QLabel()
        self.statusBar().addPermanentWidget(self.status_structure)
        self.status_epoch = QLabel()
        self.status_accuracy = QLabel()
        self.status_speed = QLabel()
        for w in (self.status_epoch, self.status_accuracy, self.status_speed):
            self.statusBar().addPermanentWidget(w)
        self.message_room = MessageRoom(self.statusBar(), (
            self.status_structure, self.status_epoch, self.status_accuracy, self.status_speed))
        self.busy_label = QLabel()
        self.busy_bar = QProgressBar()  # range 0…0: Qt's "busy" animation
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(120)
        self.statusBar().addWidget(self.busy_label)
        self.statusBar().addWidget(self.busy_bar)
        self._on_busy_changed("")

    def _wire(self) -> None:
        s = self.session
        s.snapshot_ready.connect(self._on_snapshot_ready)
        s.network_rebuilt.connect(self._on_network_rebuilt)
        s.dataset_changed.connect(self._on_dataset_changed)
        s.batches_done.connect(self.cost_view.add_batches)
        s.epoch_done.connect(self._on_epoch_done)
        s.state_changed.connect(self._on_state_changed)
        s.speed_measured.connect(self._on_speed_measured)
        s.failed.connect(self._on_failed)
        s.choice_needed.connect(self._on_import_choice_needed)
        s.imported.connect(lambda sentence: self.statusBar().showMessage(sentence, 15_000))
        s.busy_changed.connect(self._on_busy_changed)
        s.restored.connect(self._on_restored)
        s.batches_done.connect(self.runs_view.add_batches)
        s.run_started.connect(lambda _start: self._update_run_settings())
        self.runs_view.pin_requested.connect(self._on_pin_run)
        self.runs_view.rerun_requested.connect(s.rerun)
        self.runs_view.baselines_changed.connect(self.cost_view.set_baselines)
        self.runs_view.problem_found.connect(self._on_failed)
        self.timeline.replay_changed.connect(self._on_replay_changed)
        self.timeline.pause_requested.connect(s.pause)
        self.network_view.pin_requested.connect(self._on_pin_requested)
        c = self.controls
        c.train_button.clicked.connect(s.toggle)
        c.step_button.clicked.connect(s.step_batch)
        c.epoch_button.clicked.connect(s.step_epoch)
        c.reset_button.clicked.connect(s.reset)
        c.speed.valueChanged.connect(s.set_speed)
        c.stop_after.valueChanged.connect(s.set_stop_after)
        c.lr.valueChanged.connect(self._on_lr_changed)
        c.batch.valueChanged.connect(self._on_batch_size_changed)
        c.rebuild_requested.connect(self._on_rebuild_requested)
        c.dataset_requested.connect(s.set_dataset)
        c.problem_found.connect(self._on_failed)
        self.sample_view.sample_changed.connect(self._on_sample_changed)
        self.drawing_pad.drawing_changed.connect(self._on_drawing_changed)
        self.drawn_label.currentIndexChanged.connect(lambda _i: self._on_drawn_label_changed())
        self.sample_dock.visibilityChanged.connect(lambda v: self._on_input_panel_shown("sample", v))
        self.draw_dock.visibilityChanged.connect(lambda v: self._on_input_panel_shown("drawing", v))
        self.network_view.neuron_clicked.connect(self._on_neuron_clicked)
        self.network_view.weight_clicked.connect(self._on_weight_clicked)
        self.weights_grid.neuron_clicked.connect(lambda j: self._on_neuron_clicked(1, j))
        self.deeper_view.neuron_clicked.connect(self._on_neuron_clicked)
        self.stepper.overlay_changed.connect(self.network_view.set_overlay)
        self.stepper.gradient_toggled.connect(self.gradient_action.setChecked)
        self.gradient_action.toggled.connect(self._on_gradient_toggled)
        self.stepper.parameters_proposed.connect(self._on_parameters_proposed)
        self.neuron_panel.editor.parameters_proposed.connect(self._on_neuron_edited)
        self.stepper.lines_by_batch_changed.connect(self._on_lines_by_batch_changed)
        self.mistakes_view.stepper_requested.connect(self._on_mistake_picked)
        self.stepper_dock.visibilityChanged.connect(self._on_stepper_visibility)
        for dock, view in self._snapshot_panels():
            dock.visibilityChanged.connect(lambda v, view=view: self._on_panel_shown(view, v))
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(s.shutdown)

    # -- session events ----------------------------------------------------------------------
    def _on_snapshot_ready(self, snap: Snapshot) -> None:
        """The newest weights, shown unless the timeline replays a checkpoint."""
        self.timeline.set_checkpoints(self.session.checkpoints)
        self.pins_view.set_checkpoints(self.session.checkpoints)
        if not self.timeline.replaying:
            self._show_snapshot(snap)

    def _on_replay_changed(self, snap: Snapshot | None) -> None:
        """The timeline moved: every view shows that checkpoint's weights (None: the live
        network again), and the cost plot marks where it was taken."""
        at = self.timeline.shown_batches()
        self.cost_view.set_marker(at)
        self.pins_view.set_position(at)
        self._show_snapshot(self.session.snapshot if snap is None else snap)
        self._status_note = None if at is None else _replay_status(at, self.session)
        if at is None:
            self._update_status()
        else:
            self.status_accuracy.setText(self._status_note)

    def _show_snapshot(self, snap: Snapshot) -> None:
        """These weights to every view that is on screen now. A panel hidden behind another
        tab gets them when it is shown (`_on_panel_shown`), so training is not slowed by views
        nobody sees."""
        self._snapshot = snap
        self.network_view.set_snapshot(snap)
        for _dock, view in self._snapshot_panels():
            if not view.visibleRegion().isEmpty():
                view.set_snapshot(snap)
        self._update_prediction()
        self._update_gradient()
        self.status_epoch.setText(training_point(snap.epoch, snap.batch) + "  ")
        if self._stepping and not self.session.is_training:
            self.stepper.set_snapshot(snap)
        elif self._stepping:  # the walk on show is the old network's: marked, rebuilt on a step
            self.stepper.set_newer_snapshot(snap)

    def _snapshot_panels(self):
        return ((self.weights_dock, self.weights_grid), (self.sample_dock, self.sample_view),
                (self.neuron_dock, self.neuron_panel), (self.mistakes_dock, self.mistakes_view),
                (self.deeper_dock, self.deeper_view), (self.runs_dock, self.runs_view))

    def _on_panel_shown(self, view, visible: bool) -> None:
        if visible and self._snapshot is not None and not self._closing:
            view.set_snapshot(self._snapshot)

    def _on_network_rebuilt(self, snap: Snapshot) -> None:
        s = self.session
        self.timeline.go_live()
        self._status_note = None
        self.undo_restore_action.setEnabled(False)
        self.cost_view.clear(s.batches_seen)  # a reopened model's epochs where they ended
        self.runs_view.clear_run(snap.samples_seen)
        self._update_run_settings()
        for report, at in zip(s.history, s.epoch_ends):
            self.cost_view.add_epoch(report, at)
        self.controls.show_settings(snap.sizes, snap.activation, snap.cost, s.seed, s.dataset_spec)
        self.controls.show_lr(s.lr, rebuilt=True)
        self._block(self.controls.batch, s.batch_size)
        self.stepper.set_batch_size(s.batch_size)
        self.stepper.set_lr(s.lr)  # a rebuild, model or lesson may bring another η
        self._show_structure(snap)
        self._on_snapshot_ready(snap)
        self.stepper.set_snapshot(snap)
        self._update_status()

    def _on_dataset_changed(self, dataset) -> None:
        names = list(dataset.class_names)
        self.network_view.set_class_names(names)
        self.stepper.set_class_names(names)
        self.drawing_pad.set_class_names(names)
        self.sample_view.set_dataset(dataset)
        self.mistakes_view.set_dataset(dataset)
        self.drawn_label.blockSignals(True)
        self.drawn_label.clear()
        self.drawn_label.addItems(names)
        self.drawn_label.setCurrentIndex(-1)  # "which digit?" until the user says
        self.drawn_label.blockSignals(False)
        self.stepper.set_training_set(dataset.train_images, dataset.train_labels)
        self._update_batch()
        if self._snapshot is not None:
            self.sample_view.set_snapshot(self._snapshot)
            self._show_structure(self._snapshot)

    def _on_epoch_done(self, report) -> None:
        self._status_note = None
        self.cost_view.add_epoch(report)
        self.runs_view.add_epoch(report)
        self._update_status()
        if 0 < self.session.stop_after <= report.epoch:
            n = self.session.stop_after
            self.statusBar().showMessage(ngettext(
                "Paused after epoch {epoch} (“stop after {n} epoch” in the toolbar)",
                "Paused after epoch {epoch} (“stop after {n} epochs” in the toolbar)", n).format(
                    epoch=report.epoch, n=n), 10_000)
        self._show_learning_hint()

    def _show_learning_hint(self) -> None:
        """After each epoch: if training is not making progress, the banner says why and what to
        change (core.learning_hint); a hint that no longer holds goes away. Never over an error."""
        s = self.session
        judged = len(s.dataset.test_labels) or len(s.dataset.train_labels)  # what accuracy is on
        hint = learning_hint(s.snapshot, s.dataset.train_x(), s.history, s.lr, judged)
        mine = self.banner.isVisible() and self.banner.text() == self._hint
        if hint is not None and (mine or not self.banner.isVisible()):
            self._hint = hint.sentence
            self.banner.show_message(hint.sentence)
        elif hint is None and mine:
            self.banner.hide()

    def _on_state_changed(self, state: str) -> None:
        training = state == "training"
        self.controls.show_state(training)
        if training:
            self.timeline.go_live()  # replaying and training do not mix
        self._update_status()
        if not training and self._snapshot is not None:
            self.stepper.set_snapshot(self._snapshot)

    def _on_speed_measured(self, samples_per_second: float) -> None:
        self.status_speed.setText(_("{n} samples/s").format(n=f"{samples_per_second:,.0f}"))

    def _on_failed(self, message: str) -> None:
        """Show what went wrong above the network, without a modal box: training is paused and
        nothing was lost, so the user reads it and carries on."""
        if self._closing:
            return
        actions = ([(_("Restore last good weights"), self.session.restore_last_good)]
                   if self.session.restore_offered else [])
        self.banner.show_message(message, actions=actions)

    def _on_restored(self, sentence: str) -> None:
        """Weights put back: the banner says which, with the way back; the status bar shows
        the accuracy measured for them (not the last epoch's, which was of other weights)."""
        undo = self.session.can_undo_restore
        self.undo_restore_action.setEnabled(undo)
        good = self.session.last_good
        self._status_note = (_("held-out accuracy {percent} % (restored)").format(
            percent=f"{100 * good.accuracy:.1f}") + "  " if undo and good is not None
            else _("restore undone") + "  ")
        self._update_status()
        self.banner.show_message(sentence, actions=[(_("Undo"), self.session.undo_restore)]
                                 if undo else [])

    def show_unexpected(self, summary: str, details: str) -> None:
        """An exception no code caught (gui.last_resort): training pauses, the weights stay as
        they are, and the banner says so, the traceback behind "Details"."""
        if self._closing:
            return
        self.session.pause()
        self.banner.show_message(_(
            "Something went wrong inside mlpviz ({summary}). Training is paused and the "
            "network is kept as it was: you can carry on, or save it. \"Details\" has what a "
            "bug report needs.").format(summary=summary), details=details)

    def _on_busy_changed(self, what: str) -> None:
        """A file being read in the background: its name and a busy bar in the status bar."""
        self.busy_label.setText(what)
        self.busy_label.setVisible(bool(what))
        self.busy_bar.setVisible(bool(what))

    def _on_rebuild_requested(self, hidden, activation: str, cost: str, seed: int) -> None:
        """A new network: the data's inputs, the hidden layers asked for, one output per class."""
        d = self.session.dataset
        self.banner.hide()
        lr = self.session.lr if self.controls.lr_changed_by_user else None  # None: the default
        self.session.rebuild([d.n_inputs, *hidden, d.n_classes], activation, cost, seed, lr)

    def _on_parameters_proposed(self, weights, biases) -> None:
        """The stepper's gradient step or undo. It was worked out on the network as it was when
        training last paused; while training runs, applying it would silently throw away every
        batch trained since, so training pauses instead and the stepper catches up."""
        if self._refused_while_replaying(_("the stepper's step")):
            return
        if self.session.is_training:
            self.session.pause()
            self._on_failed(_("Training was running, so the stepper's step was not applied (it "
                              "would have undone the training since). Training is paused now; "
                              "the stepper shows the latest network — take the step again."))
            return
        self.session.apply_parameters(weights, biases)

    def _on_neuron_edited(self, weights, biases) -> None:
        """A neuron edited by hand (or the edit undone): the session applies it, which pauses
        training. The edit was made on the snapshot the Neuron tab shows, which follows
        training, so at most the batches of one snapshot interval give way to it."""
        if self._refused_while_replaying(_("the neuron's edit")):
            return
        if self.session.is_training:
            self.statusBar().showMessage(_("Training paused: a neuron was edited by hand"), 5000)
        self.session.apply_parameters(weights, biases)

    def _undo(self) -> None:
        """Ctrl+Z: take back the neuron edit or the stepper's step that made the network on
        show (each keeps its own exact undo); when neither did, the status bar says so."""
        snap = self.session.snapshot
        for can, undo in ((self.neuron_panel.editor.can_undo, self.neuron_panel.editor.undo),
                          (self.stepper.can_undo, self.stepper.undo_step)):
            if can(snap):
                undo()
                return
        self.statusBar().showMessage(_("Nothing to undo: Ctrl+Z takes back a neuron edited by "
                                       "hand or the stepper's gradient step, and neither made "
                                       "the network on show"), 8000)

    def _refused_while_replaying(self, what: str) -> bool:
        """True (and the banner says why) if the timeline shows an earlier checkpoint: a change
        worked out on it would replace the live network's newer weights."""
        if not self.timeline.replaying:
            return False
        self.timeline.go_live()
        self._on_failed(_("The window was replaying an earlier checkpoint, so {what} was not "
                          "applied (it would have replaced the newer weights). It shows the "
                          "live network again: try once more.").format(what=what))
        return True

    def _on_lr_changed(self, lr: float) -> None:
        self.session.set_lr(lr)
        self.stepper.set_lr(lr)
        self._update_run_settings()

    def _on_batch_size_changed(self, n: int) -> None:
        self.session.set_batch_size(n)
        self.stepper.set_batch_size(n)
        self._update_batch()
        self._update_run_settings()

    def _update_run_settings(self) -> None:
        """The Runs tab compares the pinned runs with the run's settings as they are now."""
        self.runs_view.set_settings(self.session.run_settings())

    def _run_start_arrays(self) -> dict:
        """The run's start for a lesson file (none before its first mini-batch)."""
        start = self.session.run_start
        return start.to_arrays() if start is not None else {}

    def _restore_run_start(self, arrays) -> None:
        self.session.restore_run_start(RunStart.from_arrays(arrays) if arrays else None)

    def _on_pin_run(self) -> None:
        """Pin the run on show (its latest snapshot) as a baseline on the plots."""
        if self.runs_view.pin(self.session.snapshot, self.session.run_settings()):
            self.statusBar().showMessage(_("Pinned this run: its curves stay on the plots "
                                           "(dashed); the Runs tab lists the pinned runs"), 8000)

    # -- input on show -----------------------------------------------------------------------
    def _on_sample_changed(self, choice) -> None:
        self._source = "sample"
        self._show(Shown.of_sample(choice))

    def _on_drawing_changed(self, x: np.ndarray) -> None:
        """A new drawing (or noise, or a cleared pad): it is the input on show. It has no label
        until the user says which digit they meant ("I drew a" — never the network's guess, which
        would teach the network its own mistake); a cleared pad forgets the choice."""
        self._drawing = x
        self._source = "drawing"
        if not x.any():
            self.drawn_label.blockSignals(True)
            self.drawn_label.setCurrentIndex(-1)
            self.drawn_label.blockSignals(False)
        label = self.drawn_label.currentIndex()  # −1: "which digit?", not said yet
        label = None if label < 0 else label
        self._show(Shown(x, label, self._drawing_words()))

    def _drawing_words(self) -> str:
        """What the stepper calls the drawing pad's input."""
        return _("random noise") if self.drawing_pad.is_noise() else _("your drawing")

    def _on_drawn_label_changed(self) -> None:
        if self._source == "drawing" and self._drawing is not None:
            self._on_drawing_changed(self._drawing)

    def _on_input_panel_shown(self, source: str, visible: bool) -> None:
        """Raising the Sample tab puts its sample back on the network; raising Draw, the
        drawing (if there is one): the network always shows what the visible panel shows."""
        if not visible or self._closing or source == self._source:
            return
        if source == "sample" and self.sample_view.current() is not None:
            self._on_sample_changed(self.sample_view.current())
        elif source == "drawing" and self._drawing is not None and self._drawing.any():
            self._on_drawing_changed(self._drawing)

    def _show(self, shown: Shown) -> None:
        self._shown = shown
        self.network_view.set_input(shown.x)
        self.neuron_panel.set_input(shown.x)
        self.pins_view.set_input(shown.x, shown.label)
        self.stepper.set_sample(shown.x, shown.label, shown.description)
        self._update_batch()
        self._update_prediction()
        self._update_gradient()

    def _update_batch(self) -> None:
        """The stepper's mini-batch (`core.minibatch`): the input on show and training samples,
        as many as the batch box says; recomputed when any of the three changes."""
        self._batch = minibatch_for(self.session.dataset, self._shown, self.session.batch_size)
        self.stepper.set_batch(self._batch)
        if self._lines_by_batch:
            self._update_gradient()

    def _update_prediction(self) -> None:
        """The drawing pad shows the network's answer for the drawing, with the same number the
        network view writes beside that output (its activation, not a share of the sum)."""
        if self._snapshot is None or self._drawing is None:
            return
        j, activation = answer(self._snapshot, self._drawing)
        self.drawing_pad.set_prediction(self.session.dataset.class_names[j], activation,
                                        self._snapshot.cost_fn.softmax_output)

    def _update_gradient(self) -> None:
        """While the lines are coloured by ∂C/∂w: the gradient of the input on show on the
        weights on show — or, on the stepper's stage 9 with its toggle ticked, the average over
        its mini-batch — recomputed whenever any of them changes."""
        if self.gradient_action.isChecked() and self._snapshot is not None:
            grad = (batch_gradient(self._snapshot, self._batch) if self._lines_by_batch
                    else sample_gradient(self._snapshot, self._shown))
            self.network_view.set_gradient(grad)

    def _on_lines_by_batch_changed(self, on: bool) -> None:
        """Stage 9 asks for the lines by its mini-batch's average ∂C/∂w (or no longer): the G
        action stays the one owner of "lines by ∂C/∂w", ticked here when the stage asks."""
        self._lines_by_batch = on
        if on and not self.gradient_action.isChecked():
            self.gradient_action.setChecked(True)  # its handler updates the lines
        else:
            self._update_gradient()

    # -- clicks on the network ---------------------------------------------------------------
    def _on_neuron_clicked(self, layer: int, index: int) -> None:
        if self._snapshot is None:
            return
        self.network_view.set_selected(layer, index)  # stays highlighted while the tab shows it
        x = self._shown.x if self._shown else None
        if self._stepping and layer == len(self._snapshot.sizes) - 1:
            self.stepper.focus_output(index)
            return
        self.neuron_panel.show_neuron(self._snapshot, x, layer, index,
                                      self.session.dataset.class_names)
        self.neuron_dock.show()
        self.neuron_dock.raise_()

    def _on_pin_requested(self, kind: str, layer: int, j: int, k: int) -> None:
        """A neuron or weight pinned from the network view: followed in the Pins tab."""
        self.pins_view.add(Pin(kind, layer, j, k))
        self.pins_dock.show()
        self.pins_dock.raise_()

    def _restore_checkpoints(self, arrays) -> None:
        """A lesson file's replay checkpoints, for the network it just installed (ValueError,
        KeyError: the lesson's opening says they could not be read)."""
        s = self.session
        s.restore_checkpoints(Checkpoints.from_arrays(arrays, s.sizes, s.activation, s.cost))
        self.timeline.set_checkpoints(s.checkpoints)
        self.pins_view.set_checkpoints(s.checkpoints)

    def _pin_selected(self) -> None:
        """P: pin the neuron selected in the network view (a hidden or output one)."""
        selected = self.network_view.selected()
        if selected is None or selected[0] < 1:
            self.statusBar().showMessage(_("Select a hidden or output neuron first (click it), "
                                           "then press P to pin it"), 5000)
            return
        self._on_pin_requested("neuron", selected[0], selected[1], -1)

    def _on_weight_clicked(self, l: int, j: int, k: int) -> None:
        self.stepper.explain_weight(l, j, k)
        self._show_stepper()

    # -- view options ------------------------------------------------------------------------
    def _show_stepper(self) -> None:
        self.stepper_dock.show()
        self.stepper_dock.raise_()

    def _show_mistakes(self) -> None:
        self.mistakes_dock.show()
        self.mistakes_dock.raise_()

    def _on_mistake_picked(self, index: int) -> None:
        """A held-out sample picked in the Mistakes tab: it is the input on show, in the stepper."""
        self.sample_view.select(index, "test")
        self._show_stepper()

    def _enable_stage_keys(self, on: bool) -> None:
        """← / → and Page Up / Page Down step the stages while the stepper is on screen; else
        they are the focused widget's (a slider, a text cursor)."""
        for act in (self.next_stage_action, self.previous_stage_action):
            act.setEnabled(on)

    def _on_stepper_visibility(self, visible: bool) -> None:
        """Entering the stepper pauses training and gives the walk room: the (static) cost plot
        steps aside and the panel widens; leaving brings the plot back and clears the overlay."""
        if self._closing:
            return
        self._stepping = visible
        self._enable_stage_keys(visible)
        if visible:
            if self.session.is_training:
                self.session.pause()
            if self._snapshot is not None:
                self.stepper.set_snapshot(self._snapshot)
            self.stepper.activate()
            self._cost_hidden_by_stepper = self.cost_dock.isVisible()
            self.cost_dock.hide()
            self.presentation.apply(self._presentation, True)
        else:
            self.stepper.deactivate()
            self.network_view.set_overlay(None)
            self._restore_layout_after_stepper()
            self.presentation.apply(self._presentation, False)

    def _restore_layout_after_stepper(self) -> None:
        """The cost plot back where the stepper put it aside."""
        if self._cost_hidden_by_stepper:
            self._cost_hidden_by_stepper = False
            self.cost_dock.show()

    def _on_gradient_toggled(self, checked: bool) -> None:
        """Lines by this sample's ∂C/∂w or by the weights, inside the stepper and out: the G
        action holds the state, the stepper's checkbox follows it."""
        self.stepper.set_gradient_shown(checked)
        if checked:
            self._update_gradient()
        else:
            self.network_view.set_gradient(None)
        self.network_view.set_line_mode("gradient" if checked else "weights")

    def _set_top_k(self, k: int) -> None:
        self.top_k_actions[k].setChecked(True)
        self.network_view.set_top_k(k or None)

    def _on_input_style_toggled(self, checked: bool) -> None:
        self.network_view.set_input_style("circles" if checked else "image")

    def _on_presentation_toggled(self, checked: bool) -> None:
        self._presentation = checked
        self._apply_theme()
        self.presentation.apply(checked, self._stepping)

    def _set_theme(self, name: str) -> None:
        self._theme_name = name
        self._apply_theme()

    def _set_palette(self, name: str) -> None:
        """The signs' colours: palette `name` of core.palette (ValueError for any other)."""
        self._palette_name = get_palette(name).name
        self._apply_theme()

    def _say_gradient_tip(self, palette) -> None:
        self.gradient_action.setToolTip(_("{pos}/{neg} by the gradient instead of the weight")
                                        .format(pos=_(palette.words[0]).capitalize(),
                                                neg=_(palette.words[1])))

    def _apply_theme(self) -> None:
        t = themes.theme(self._theme_name, self._presentation, self._palette_name)
        self.palette_menu.show(self._palette_name, t.background)
        self.stepper.set_signs(t.palette)
        self._say_gradient_tip(t.palette)
        self.dark_action.setChecked(self._theme_name == "dark")
        self.light_action.setChecked(self._theme_name == "light")
        self.presentation_action.setChecked(self._presentation)
        themes.apply_palette(t)
        self.banner.set_base_font(QApplication.font())
        for view in (self.network_view, self.sample_view, self.weights_grid, self.neuron_panel,
                     self.drawing_pad, self.mistakes_view, self.deeper_view, self.runs_view,
                     self.pins_view):
            view.set_theme(t)
        self.cost_view.set_colors(t.background, t.foreground)
        self.cost_view.set_font_scale(t.font_scale)
        QTimer.singleShot(0, self.side_panels.keep)  # back to their width once laid out
        if self.help_dialog is not None:  # its words for light and dark follow the theme
            self._show_structure(self.session.snapshot)

    # -- files -------------------------------------------------------------------------------
    def _on_open_model(self) -> None:
        path, __ = QFileDialog.getOpenFileName(self, _("Open model"), "",
                                              _("mlpviz models (*.npz)"))
        if path:
            self.session.open_model(path)

    def _on_import_model(self) -> None:
        path, __ = QFileDialog.getOpenFileName(self, _("Import model"), "", _(IMPORT_FILTER))
        if path:
            self.session.import_model(path)

    def _on_import_choice_needed(self, path: str, need) -> None:
        self.import_dialog = ask_and_import(self, self.session, path, need)

    def _on_compare_trace(self) -> None:
        path, __ = QFileDialog.getOpenFileName(self, _("Compare trace"), "",
                                              _("Traces (*.json *.npz);;All files (*)"))
        if path:
            self.compare.open(path)

    def _on_save_model(self) -> None:
        path, __ = QFileDialog.getSaveFileName(self, _("Save model"), "model.npz",
                                              _("mlpviz models (*.npz)"))
        if path:
            path = path if path.endswith(".npz") else path + ".npz"
            if self.session.save_model(path):  # else the banner says why
                self.statusBar().showMessage(_("Saved {path}").format(path=path), 5000)

    def _on_open_data_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, _("Open a folder of IDX files"))
        if path:
            self.session.set_dataset(path)

    def export_png(self, path: str) -> bool:
        """Save the whole window as it looks now."""
        return self.slides.export_view(path)

    def _on_export_csv(self) -> None:
        path, __ = QFileDialog.getSaveFileName(self, _("Export history"), "history.csv",
                                              "CSV (*.csv)")
        if path:
            self.export_csv(path)

    def export_csv(self, path: str) -> bool:
        """One row per epoch: cost and accuracy on the training and held-out sets."""
        rows = self.cost_view.history_rows()
        try:
            with open(path, "w", newline="") as f:
                fields = list(rows[0]) if rows else ["epoch", "train_cost", "train_accuracy",
                                                     "test_cost", "test_accuracy"]
                w = csv.DictWriter(f, fieldnames=fields)
                w.writeheader()
                w.writerows(rows)
        except OSError as e:
            self._on_failed(_("Could not write {path}: {reason}.").format(
                path=path, reason=e.strerror or e))
            return False
        return True

    # -- help --------------------------------------------------------------------------------
    def _on_show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td><b>{k}</b></td><td>&nbsp;&nbsp;{v}</td></tr>"
                       for k, v in self.shortcut_list())
        box = QMessageBox(QMessageBox.Icon.Information, _("Keyboard shortcuts"),
                          f"<table>{rows}</table>", QMessageBox.StandardButton.Ok, self)
        box.show()
        self.presentation.place_dialog(box, keep_size=True)  # presenting: not over the network
        box.exec()

    def shortcut_list(self) -> list[tuple[str, str]]:
        """F1's list: (keys, what they do), from the window's actions themselves."""
        return [*shortcut_rows(self.actions()), (FIELD_RULE[0], _(FIELD_RULE[1]))]

    def show_structure_help(self) -> None:
        """Open (or bring forward) "What am I looking at?" for the network on show."""
        if self.help_dialog is None:
            self.help_dialog = HelpDialog(self)
        self._show_structure(self.session.snapshot)
        self.presentation.place_dialog(self.help_dialog)  # presenting: over the side panels
        self.help_dialog.show()
        self.help_dialog.raise_()
        self.help_dialog.activateWindow()

    def _show_structure(self, snap: Snapshot) -> None:
        """The network's shape and parameter count in the status bar, and in the help window
        when it is open: always from the network itself."""
        weights, biases, total = parameter_breakdown(snap.sizes)
        self.status_structure.setText(f"{' → '.join(str(n) for n in snap.sizes)} · " + _(
            "{n} parameters").format(n=i18n.count(total)) + "  ")
        self.status_structure.setToolTip(f"{weights}\n{biases}\n" + _(
            "= {n} parameters, all learned\nHelp ▸ What am I looking at? (H)").format(
                n=i18n.count(total)))
        if self.help_dialog is not None:
            names = self.session.dataset.class_names if self.session.dataset else None
            t = themes.theme(self._theme_name, palette=self._palette_name)
            self.help_dialog.set_text(structure_summary(
                snap.sizes, snap.activation, snap.cost, names, shades=t.shades,
                palette=t.palette))

    def _on_about(self) -> None:
        """Version, the data's source and licence, the app's licence; the app's icon."""
        box = QMessageBox(QMessageBox.Icon.NoIcon, _("About mlpviz"),
                          about_html(self.session.dataset_spec), QMessageBox.StandardButton.Ok,
                          self)
        box.setIconPixmap(app_icon().pixmap(96, 96))
        self.about_box = box
        box.open()

    # -- status, settings, closing -----------------------------------------------------------
    def _update_status(self) -> None:
        history = self.session.history
        snap = self.session.snapshot
        self.status_epoch.setText(training_point(snap.epoch, snap.batch) + "  ")
        if self._status_note:
            self.status_accuracy.setText(self._status_note)
        elif history:
            self.status_accuracy.setText(_epoch_status(history[-1]))
        else:
            self.status_accuracy.setText(_("no epoch finished yet") + "  ")
        if not self.session.is_training:
            self.status_speed.setText(_("paused"))

    @staticmethod
    def _block(widget, value) -> None:
        widget.blockSignals(True)
        widget.setValue(value)
        widget.blockSignals(False)

    def _apply_settings(self, values: Mapping[str, object]) -> None:
        """The window's part of valid settings (`settings.read`): size and place, docks, theme,
        presentation mode, speed, inputs as circles."""
        geometry, state = values["geometry"], values["window_state"]
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(*default_size())
        if state is not None:
            self.side_panels.restored = bool(self.restoreState(state))
        self._theme_name = values["theme"]
        self._palette_name = values["palette"]
        self._presentation = values["presentation"]
        self.controls.speed.setValue(values["speed"])
        self.controls.stop_after.setValue(values["stop_after"])
        self.circles_action.setChecked(values["input_circles"])
        self._on_input_style_toggled(values["input_circles"])

    def _settings_at_exit(self) -> dict[str, object]:
        """What to remember. The docks are saved as they are outside the stepper (which puts
        the cost plot aside): a restart opens on the normal layout, no dock hidden."""
        if self._stepping:
            self._restore_layout_after_stepper()
            self.sample_dock.raise_()
        return {"geometry": self.saveGeometry(), "window_state": self.saveState(),
                "theme": self._theme_name, "palette": self._palette_name,
                "presentation": self._presentation,
                "speed": self.controls.speed.value(),
                "stop_after": self.controls.stop_after.value(),
                "input_circles": self.circles_action.isChecked(),
                "language": i18n.language(),
                **settings.session_values(self.session)}

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self._closing = True
        i18n.remove_listener(self._on_language_changed)
        if self._remember:
            settings.write(self._settings_at_exit())
        self.session.shutdown()
        super().closeEvent(event)
