"""TimelineBar: the replay slider under the network — scrub back and forth through the run's
checkpoints (core.checkpoints), or stay live.

The slider's positions are the checkpoints, oldest at the left; its right end is the newest,
which is the live network. Moving it off the end replays: `replay_changed(snapshot)` hands the
window that checkpoint's Snapshot (the very object the session keeps, so every view shows its
weights bit for bit) and `pause_requested` asks for training to pause — scrubbing and training
do not mix, and the bar says so. `go_live()` (the Live button, or training started again)
returns: `replay_changed(None)`.

The bar only reads the immutable `Checkpoints` record it is given (`set_checkpoints`); it never
touches the training network.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from mlpviz.core.checkpoints import Checkpoints
from mlpviz.core.explain import training_point
from mlpviz.gui.labels import Labels
from mlpviz.i18n import N_, _, count, ngettext

HINT = N_("Replay: drag to go back through training (moving it pauses training); Live or training "
        "again returns to the newest weights.")


def position_text(record: Checkpoints, index: int, live: bool, short: bool = False) -> str:
    """"Live · 1,234 mini-batches (epoch 4, batch 34)" or "Replay 12 of 40 · 96 mini-batches
    (epoch 1, batch 96)": which checkpoint, and where training stood when it was taken (in
    explain.training_point's words, as the status bar says it). `short`: without the
    parenthesis (the status bar says it too), for a bar too narrow for all of it."""
    if not len(record):
        return _("Live")
    snap = record.snapshots[index]
    n = int(record.batches[index])
    batches = count(n)
    if short:
        where = ngettext("{batches} mini-batch", "{batches} mini-batches", n).format(
            batches=batches)
    else:
        where = ngettext("{batches} mini-batch ({when})", "{batches} mini-batches ({when})",
                         n).format(batches=batches, when=training_point(snap.epoch, snap.batch))
    if live:
        return _("Live · {where}").format(where=where)
    return _("Replay {i} of {n} · {where}").format(i=index + 1, n=len(record), where=where)


class TimelineBar(QWidget):
    """The replay slider, its position in words, and the Live button.

    Signals: replay_changed(Snapshot | None) — the checkpoint to show, None for live;
    pause_requested() — the user started scrubbing. Setters: set_checkpoints(record), go_live(),
    step(±1). Readers: replaying, index(), record().
    """

    replay_changed = Signal(object)
    pause_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._record = Checkpoints()
        self._shown = None  # the Snapshot replayed, None while live
        self._shown_at = 0  # …and the mini-batches seen when it was taken
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.setPageStep(4)
        self.slider.setMinimumWidth(160)
        self.labels = labels = Labels()  # the fixed texts, in the current language
        labels.add(self.slider.setToolTip, HINT)
        labels.add(self.slider.setAccessibleName, N_("Replay timeline"))
        self.slider.valueChanged.connect(self._on_slider_moved)
        self.where = QLabel()
        self.where.setMinimumWidth(1)  # gives way (clipped) rather than widen a small window
        self.live_button = QPushButton()
        labels.add(self.live_button.setText, N_("Live"))
        labels.add(self.live_button.setToolTip, N_("Back to the newest weights (L)"))
        self.live_button.clicked.connect(self.go_live)
        self.live_button.setEnabled(False)
        title = QLabel()
        labels.add(title.setText, N_("Replay"))
        labels.add(title.setToolTip, HINT)
        self.setAutoFillBackground(True)  # opaque, like the network view above it
        self._title = title
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 2, 6, 2)
        lay.addWidget(title)
        lay.addWidget(self.slider, 1)
        lay.addWidget(self.where)
        lay.addWidget(self.live_button)
        self._say()

    # -- readers ---------------------------------------------------------------------------------
    @property
    def replaying(self) -> bool:
        return self._shown is not None

    def index(self) -> int:
        return self.slider.value()

    def record(self) -> Checkpoints:
        return self._record

    def shown_batches(self) -> int | None:
        """Mini-batches seen by the checkpoint replayed (None while live)."""
        return None if self._shown is None else self._record.batches[self.index()]

    # -- setters ---------------------------------------------------------------------------------
    def set_checkpoints(self, record: Checkpoints) -> None:
        """The session's checkpoints now. Live, the slider stays at the newest; replaying, it
        stays on the checkpoint shown (or goes live if thinning dropped it)."""
        if record is self._record:
            return
        self._record = record
        n = max(1, len(record))
        if self._shown is not None:
            index = next((i for i, s in enumerate(record.snapshots) if s is self._shown), None)
            self._set_slider(n, record.index_at(self._shown_at) if index is None else index)
            if index is None:  # thinned away: the checkpoint before it instead
                self._show_index(self.index())
                return
        else:
            self._set_slider(n, n - 1)
        self._say()

    def go_live(self) -> None:
        """Back to the newest weights: the slider to its right end, replay_changed(None)."""
        was = self._shown is not None
        self._shown = None
        self._set_slider(max(1, len(self._record)), max(0, len(self._record) - 1))
        self._say()
        if was:
            self.replay_changed.emit(None)

    def retranslate(self) -> None:
        """Every text again in the current language (the same checkpoint)."""
        self.labels.retranslate()
        self._say()

    def step(self, by: int) -> None:
        """Move `by` checkpoints (the keyboard's [ and ])."""
        self.slider.setValue(self.slider.value() + by)

    # -- internals -------------------------------------------------------------------------------
    def _set_slider(self, n: int, value: int) -> None:
        self.slider.blockSignals(True)
        self.slider.setRange(0, n - 1)
        self.slider.setValue(value)
        self.slider.blockSignals(False)

    def _on_slider_moved(self, value: int) -> None:
        if not len(self._record):
            return
        if value == len(self._record) - 1:
            self.go_live()
            return
        if self._shown is None:
            self.pause_requested.emit()
        self._show_index(value)

    def _show_index(self, index: int) -> None:
        self._shown = self._record.snapshots[index]
        self._shown_at = self._record.batches[index]
        self._say()
        self.replay_changed.emit(self._shown)

    def _say(self) -> None:
        args = (self._record, self.index(), self._shown is None)
        text = position_text(*args)
        self.where.setText(text if self._fits(text) else position_text(*args, short=True))
        self.where.setToolTip(f"{text}\n{_(HINT)}")  # the whole text where it is clipped
        self.live_button.setEnabled(self._shown is not None)

    def _fits(self, text: str) -> bool:
        """Whether `text` fits beside the title, the slider at its narrowest and Live."""
        lay = self.layout()
        margins = lay.contentsMargins()
        room = (self.width() - margins.left() - margins.right() - 3 * lay.spacing()
                - self._title.sizeHint().width() - self.slider.minimumWidth()
                - self.live_button.sizeHint().width())
        return self.where.fontMetrics().horizontalAdvance(text) <= room

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._say()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # presentation mode's larger type
            self._say()
