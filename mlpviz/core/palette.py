"""The two colours of a sign: the lesson's green (+) / red (−), or a colour-blind-safe blue / orange.

A `Palette` is data: its colours on a dark and on a light background (each pair chosen for that
background), the words the texts use for them ("green", "red"), and the accent it needs (the
colour-blind pair's orange would be confused with the dark theme's orange accent). Which pair a
background gets is decided by the background's brightness, in one place (`Palette.on`), so the
core's pictures and the window's theme agree.

>>> LESSON.on((0, 0, 0)).positive
'#3ee07a'
>>> COLOUR_BLIND.words
('blue', 'orange')
"""

from __future__ import annotations

from dataclasses import dataclass

from mlpviz.i18n import N_

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class SignColours:
    """The colours of one palette on one background, "#rrggbb": + values, − values, the accent
    (None: the theme keeps its own)."""

    positive: str
    negative: str
    accent: str | None = None


@dataclass(frozen=True)
class Palette:
    """name     the key stored in the settings ("lesson", "colourblind")
    label      the menu's words for it
    words      (positive, negative): the colours' names in the texts on screen
    dark       its colours on a dark background
    light      its colours on a light background
    """

    name: str
    label: str
    words: tuple[str, str]
    dark: SignColours
    light: SignColours

    @property
    def positive_word(self) -> str:
        return self.words[0]

    @property
    def negative_word(self) -> str:
        return self.words[1]

    def on(self, background: RGB | str) -> SignColours:
        """The colours this palette uses on `background` ((r, g, b) 0…255 or "#rrggbb"): the
        dark pair when its brightness (Rec. 709 weights, 0…1) is below ½, else the light pair."""
        if isinstance(background, str):
            s = background.lstrip("#")
            background = tuple(int(s[i:i + 2], 16) for i in (0, 2, 4))
        r, g, b = background[:3]
        return self.dark if (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255 < 0.5 else self.light


LESSON = Palette(
    name="lesson", label=N_("Green / red (the lesson's)"), words=(N_("green"), N_("red")),
    dark=SignColours("#3ee07a", "#ff4d4d"), light=SignColours("#138a3e", "#d42020"))

# TensorFlow Playground's blue (+) and orange (−), a brighter blue on dark backgrounds; the accent
# moves off orange (yellow on dark, magenta on light) so that it is never read as a sign.
COLOUR_BLIND = Palette(
    name="colourblind", label=N_("Blue / orange (colour-blind safe)"),
    words=(N_("blue"), N_("orange")),
    dark=SignColours("#4aa8ff", "#ff9a1f", accent="#ffe600"),
    light=SignColours("#0877bd", "#e8831c", accent="#b5179e"))

PALETTES: dict[str, Palette] = {p.name: p for p in (LESSON, COLOUR_BLIND)}
DEFAULT_PALETTE = LESSON.name


def get_palette(name: str) -> Palette:
    """The palette called `name`; ValueError naming the choices for any other."""
    try:
        return PALETTES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown palette {name!r}: choose one of "
                         f"{', '.join(PALETTES)}") from None
