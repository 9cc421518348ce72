"""The handout's pictures: the network view at each stage of a walk, rendered offscreen as PNG.

A private `NetworkView` (never on screen, never the window's) shows the walk's network and sample
and, in turn, each stage's overlay — what the stepper hands the window's view — and is grabbed.
The light theme is used: black ink on white paper, as a printed page wants. `core.handout` places
the bytes; nothing here computes a number.
"""

from __future__ import annotations

from typing import Callable, Sequence

from mlpviz.core.palette import LESSON, Palette
from mlpviz.core.snapshot import Snapshot
from mlpviz.gui.export import png_bytes
from mlpviz.gui.theme import theme
from mlpviz.gui.views.network_view import NetworkView

PICTURE_SIZE = (1000, 580)  # px: about A4's text width at 150 dpi, room for the neurons' labels


class StagePictures:
    """Renders the network view for the stages of one walk.

    snap         the network's parameters (the walk's network)
    x            the sample on show, (sizes[0],) values 0..1
    class_names  the outputs' names
    palette      the signs' colours (the walk's, so that its texts name the right ones)
    """

    def __init__(self, snap: Snapshot, x, class_names: Sequence[str], palette: Palette = LESSON,
                 size: tuple[int, int] = PICTURE_SIZE):
        self.view = NetworkView(theme=theme("light", palette=palette.name))
        self.view.resize(*size)
        self.view.set_snapshot(snap)
        self.view.set_class_names(class_names)
        self.view.set_input(x)

    def render(self, stage) -> bytes:
        """The PNG of the network view with `stage`'s overlay."""
        self.view.set_overlay(stage.overlay)
        return png_bytes(self.view.grab().toImage())

    def close(self) -> None:
        self.view.deleteLater()


def stage_pictures(snap: Snapshot, x, class_names: Sequence[str], stages,
                   progress: Callable[[int, int], None] | None = None,
                   palette: Palette = LESSON) -> tuple[bytes, ...]:
    """PNG bytes of the network view at every stage, in order; `progress(done, total)` after
    each one."""
    pictures = StagePictures(snap, x, class_names, palette)
    out = []
    try:
        for i, stage in enumerate(stages):
            out.append(pictures.render(stage))
            if progress is not None:
                progress(i + 1, len(stages))
    finally:
        pictures.close()
    return tuple(out)
