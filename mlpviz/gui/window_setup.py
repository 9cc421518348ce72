"""How the app's window is set up for a picture or a lesson (`mlpviz --screenshot … --present
--stage 5`): plain data, no Qt, so that the command line can parse it without starting Qt.
`gui.app.set_up_window` applies it."""

from __future__ import annotations

from dataclasses import dataclass

TABS = ("sample", "draw", "backprop", "neuron", "weights", "deeper", "mistakes",
        "runs", "pins")  # the side panels, by name


@dataclass(frozen=True)
class WindowSetup:
    """The window's size in pixels, presentation mode, the side panel on show (one of TABS), the
    stepper's stage (its number as the stepper shows it: "5", "4b"; it opens the Backprop tab),
    the theme ("dark" or "light"), the signs' palette (core.palette: "lesson", "colourblind"),
    the held-out sample on show (0-based)."""

    size: tuple[int, int] = (1280, 800)
    present: bool = False
    tab: str | None = None
    stage: str | None = None
    theme: str | None = None
    palette: str | None = None
    sample: int | None = None
    lang: str | None = None  # "en" or "zh" (`--lang`): wins over the remembered language
