"""File › Compare trace…: their backprop trace against ours, in the window.

The comparison is computed by core.compare (`compare_trace` on the network on show, whose
parameters their file may replace). Then: the network view marks the lines and circles where the
numbers differ (views.compare_overlay), the stepper jumps to compare's `first_stage` on their
sample, and the compare panel shows the likely mistake and their numbers beside ours. Clearing
returns every view to normal. Bad input → one message on the window's banner, nothing changed.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Qt

from mlpviz.core.compare import TraceFileError, compare_trace, read_their_trace
from mlpviz.core.network import Network
from mlpviz.gui.views.compare_overlay import Disagreement
from mlpviz.gui.views.compare_panel import ComparePanel
from mlpviz.i18n import N_, _


class TraceCompare(QObject):
    """The window's comparison: at most one at a time (`comparison`, None when cleared)."""

    def __init__(self, window):
        super().__init__(window)
        self._window = window
        self.panel = ComparePanel()
        self.dock = window._dock(N_("Their trace"), "compare_dock", self.panel,
                                 Qt.BottomDockWidgetArea)  # under the network, beside the stepper
        window.tabifyDockWidget(window.cost_dock, self.dock)
        self.dock.hide()
        self.panel.cleared.connect(self.clear)
        window.stepper.overlay_changed.connect(self._on_stage_shown)  # the panel follows it
        self.comparison = None
        self._pending = None  # (comparison, path) waiting for their parameters' snapshot

    def _on_stage_shown(self, _overlay) -> None:
        """The stepper moved: the panel shows their numbers beside ours for that stage."""
        stage = self._window.stepper.current_stage()
        if self.comparison is not None and stage is not None:
            self.panel.show_stage(stage.key)

    def open(self, path: str) -> bool:
        """Compare `path` with our numbers; False (and the banner says why) when it cannot be."""
        w = self._window
        snap = w.session.snapshot
        ours = Network.from_parameters(snap.sizes, snap.activation, snap.cost, snap.weights,
                                       snap.biases)
        try:
            theirs, ignored = read_their_trace(path)
            result = compare_trace(theirs, path, model=ours, ignored=ignored)
        except (TraceFileError, ValueError, OSError) as e:
            w._on_failed(_("Could not compare the trace: {reason}").format(reason=e))
            return False
        net = result.setup.network
        if (tuple(net.sizes), net.activation, net.cost) != (tuple(snap.sizes), snap.activation,
                                                             snap.cost):
            w._on_failed(_(
                "{path} is a trace of a {theirs} network, but the one on show is {ours}: open "
                "or import that network first (File › Import…), then compare.").format(
                    path=path,
                    theirs=f"{' → '.join(map(str, net.sizes))} {net.activation} / {net.cost}",
                    ours=f"{' → '.join(map(str, snap.sizes))} {snap.activation} / {snap.cost}"))
            return False
        if _same(net.weights, snap.weights) and _same(net.biases, snap.biases):
            self._show(result, path)
        else:  # their parameters go on show first; the rest follows their snapshot
            self._cancel_pending()
            self._pending = (result, path)
            w.session.snapshot_ready.connect(self._on_their_snapshot)
            w.session.apply_parameters(net.weights, net.biases)
        return True

    def _on_their_snapshot(self, snap) -> None:
        result, path = self._pending
        net = result.setup.network
        if _same(net.weights, snap.weights) and _same(net.biases, snap.biases):
            self._cancel_pending()
            self._show(result, path)

    def _cancel_pending(self) -> None:
        if self._pending is not None:
            self._window.session.snapshot_ready.disconnect(self._on_their_snapshot)
            self._pending = None

    def _show(self, result, path: str) -> None:
        w = self._window
        self.comparison = result
        setup = result.setup
        w.network_view.set_disagreement(Disagreement.of(result))
        w.network_view.set_input(setup.X[0])
        w.stepper.set_sample(setup.X[0], int(setup.labels[0]),
                             "their sample" if not setup.batch else "their batch's first sample")
        w._show_stepper()
        walk = w.stepper.walk
        keys = [s.key for s in walk.stages] if walk is not None else []
        if result.first_stage in keys:
            w.stepper.go_to(keys.index(result.first_stage))
        self.panel.show_comparison(result, path)
        self.dock.show()
        self.dock.raise_()

    def clear(self) -> None:
        """Back to normal: no marks, no panel."""
        self._cancel_pending()
        self.comparison = None
        self._window.network_view.set_disagreement(None)
        self.dock.hide()


def _same(a, b) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(a, b))
