"""A lesson file's "layout" section: how the window was laid out when the lesson was saved.

The network view's options, as the View menu sets them — which lines are drawn (all, or the
strongest k per neuron), inputs as a column of circles or the 28×28 image, lines coloured by the
gradient ∂C/∂w or by the weight w — and the room the docks take: the side panels' width and the
cost plot's height, in pixels (0: not on show, e.g. the plot while the stepper is open). Sizes,
not QMainWindow.saveState's bytes: those also keep the sizes of hidden docks, which the stepper
and presentation mode lay out their own way, so they do not come back exactly. The window's own
size is not kept: a lesson opened on a smaller screen keeps that screen's window, and Qt fits the
saved sizes into it (a dock never narrower than its minimum, the network keeping the rest).

Arrays: top_k (0: all lines), input_circles and line_gradient (0 or 1), side_width and
plot_height (pixels ≥ 0). An older lesson without the section leaves the layout as it is.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from mlpviz.gui.side_tabs import side_docks, tab_on_show

SECTION = "layout"


def layout_arrays(window) -> dict[str, np.ndarray]:
    """The window's layout now, as the section's named arrays."""
    top_k = next(k for k, action in window.top_k_actions.items() if action.isChecked())
    return {"top_k": np.array(top_k, np.int64),
            "input_circles": np.array(int(window.circles_action.isChecked()), np.int64),
            "line_gradient": np.array(int(window.gradient_action.isChecked()), np.int64),
            "side_width": np.array(_side_dock(window)[1], np.int64),
            "plot_height": np.array(window.cost_dock.height() if _on_show(window.cost_dock)
                                    else 0, np.int64)}


def restore_layout(window, arrays: Mapping[str, np.ndarray]) -> None:
    """Put the saved layout back through the window's own actions and docks; ValueError
    (saying which) when an array is not one `layout_arrays` makes."""
    top_k = _whole(arrays, "top_k")
    if top_k not in window.top_k_actions:
        raise ValueError(f"top_k {top_k} is not one of {sorted(window.top_k_actions)}")
    circles, gradient = _flag(arrays, "input_circles"), _flag(arrays, "line_gradient")
    width, height = _whole(arrays, "side_width"), _whole(arrays, "plot_height")
    window._set_top_k(top_k)
    if window.circles_action.isChecked() != circles:
        window.circles_action.trigger()
    window.gradient_action.setChecked(gradient)
    QApplication.processEvents()  # presentation mode's own fitting of the docks goes first
    dock = _side_dock(window)[0]
    if width and dock is not None:
        window.resizeDocks([dock], [width], Qt.Orientation.Horizontal)
        panels = getattr(window, "side_panels", None)
        if panels is not None and panels.width is not None and not window._presentation:
            panels.width = width  # the side panels keep the lesson's width on every tab
    if height and _on_show(window.cost_dock):
        window.resizeDocks([window.cost_dock], [height], Qt.Orientation.Vertical)
    QApplication.processEvents()


def _side_dock(window):
    """The side panel in front and its width (None, 0 when none is)."""
    name = tab_on_show(window)
    dock = None if name is None else side_docks(window)[name]
    return dock, 0 if dock is None else dock.width()


def _on_show(dock) -> bool:
    return dock.isVisible() and not dock.visibleRegion().isEmpty()


def _whole(arrays: Mapping[str, np.ndarray], name: str) -> int:
    a = arrays.get(name)
    if a is None or a.shape != () or a.dtype.kind not in "iu" or int(a) < 0:
        raise ValueError(f"{name} must be one whole number ≥ 0")
    return int(a)


def _flag(arrays: Mapping[str, np.ndarray], name: str) -> bool:
    value = _whole(arrays, name)
    if value not in (0, 1):
        raise ValueError(f"{name} must be 0 or 1, not {value}")
    return bool(value)
