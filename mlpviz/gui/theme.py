"""The shared look of mlpviz: colours for a dark and a light theme, and a presentation font scale.

Every view takes its colours from a `Theme`, so switching theme (or turning presentation mode on)
is one `set_theme(theme(...))` call per view.

Opacity without alpha blending: a weight's strength is shown as a line colour *premixed* with the
background, `mix(theme.background, theme.positive, t)`, and drawn opaque. This looks like a
transparent line on the plain background and paints ~40× faster than real alpha blending.

>>> t = theme("dark", presentation=True)
>>> t.font_scale > 1
True
>>> mix("#000000", "#ffffff", 0.5).name()
'#808080'
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from PySide6.QtGui import QColor, QFont

from mlpviz import i18n
from mlpviz.core.explain import BLACK_ON_WHITE, WHITE_ON_BLACK, Shades
from mlpviz.core.palette import DEFAULT_PALETTE, LESSON, Palette, get_palette

# Simplified-Chinese families, best first: Debian's fonts-noto-cjk (scripts/setup-env.sh installs
# it), then what other systems ship.
CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "Microsoft YaHei",
                "PingFang SC", "WenQuanYi Micro Hei")
PRESENTATION_SCALE = 1.35  # fonts and strokes in presentation mode, for the back of the room
# Parts the platform gives a font of their own, which the application font does not change.
_OWN_FONT_CLASSES = ("QHeaderView", "QStatusBar", "QMenuBar", "QMenu",
                     "QToolButton", "QTabBar")


@dataclass(frozen=True)
class Theme:
    """Colours as "#rrggbb" strings (turn one into a QColor with `QColor(t.accent)`).

    background   the canvas of every view
    foreground   text and strong strokes
    muted        secondary text (captions, legends, axes)
    panel        the background of boxes drawn on the canvas (legends, tooltips-like panels)
    accent       what stands out: the winning output, the focus of a stepper stage, the selection
    positive     positive values (weights, nudges "up"): the palette's (green, or blue)
    negative     negative values: the palette's (red, or orange)
    neuron_off   a neuron (or input pixel) at activation 0
    neuron_on    a neuron at activation 1 (dark theme: brighter = more active)
    neuron_edge  the outline of every circle, so that a dark neuron still shows
    font_scale   multiply font sizes (and thick strokes) by this; > 1 in presentation mode
    palette      the signs' palette (core.palette) that `positive` / `negative` come from, and
                 its words for them (`palette.words`: "green", "red") for captions and legends
    """

    name: str
    background: str
    foreground: str
    muted: str
    panel: str
    accent: str
    positive: str
    negative: str
    neuron_off: str
    neuron_on: str
    neuron_edge: str
    font_scale: float = 1.0
    palette: Palette = LESSON

    @property
    def is_dark(self) -> bool:
        """True when the background is darker than the text."""
        return luminance(self.background) < luminance(self.foreground)

    @property
    def brighter_is_more(self) -> bool:
        """True when a more active neuron looks brighter (dark theme), False when darker (light)."""
        return luminance(self.neuron_on) > luminance(self.neuron_off)

    @property
    def shades(self) -> Shades:
        """The words for how activation looks in this theme ("0 (black) to 1 (white)", "the
        brightest output" — or the light theme's black ink on white)."""
        return WHITE_ON_BLACK if self.brighter_is_more else BLACK_ON_WHITE


# Each role's colour in the dark and in the light theme, side by side (roles: see `Theme`); the
# signs' colours are the palette's (core.palette), chosen there for a dark or a light background.
COLOURS = {
    #               dark        light
    "background":  ("#0e1116", "#fbfbf8"),
    "foreground":  ("#e9ecef", "#1b2230"),
    "muted":       ("#9aa3ad", "#5b6470"),
    "panel":       ("#1a2029", "#eceef1"),
    "accent":      ("#ffb020", "#d9480f"),
    "neuron_off":  ("#10141a", "#ffffff"),
    "neuron_on":   ("#ffffff", "#141a26"),
    "neuron_edge": ("#66707c", "#8c939d"),
}


def _from_colours(name: str, column: int) -> Theme:
    """The Theme whose colours are column `column` (0 dark, 1 light) of COLOURS, its signs in
    the lesson's palette."""
    roles = {role: pair[column] for role, pair in COLOURS.items()}
    signs = LESSON.on(roles["background"])
    return Theme(name=name, positive=signs.positive, negative=signs.negative, **roles)


DARK = _from_colours("dark", 0)
LIGHT = _from_colours("light", 1)

THEMES = {"dark": DARK, "light": LIGHT}


def theme(name: str = "dark", presentation: bool = False,
          palette: str = DEFAULT_PALETTE) -> Theme:
    """The theme called `name` ("dark" or "light"), with bigger fonts when `presentation`, its
    signs (and, if the palette has one, its accent) in the palette called `palette`
    (core.palette: "lesson" green/red, "colourblind" blue/orange). Every signed colour on
    screen is `t.positive` / `t.negative` of this theme, or `signed_colors(t)`."""
    try:
        base = THEMES[name]
    except KeyError:
        raise ValueError(f"unknown theme {name!r}: choose one of {', '.join(THEMES)}") from None
    signs = get_palette(palette)
    pair = signs.on(base.background)
    return replace(base, font_scale=PRESENTATION_SCALE if presentation else 1.0, palette=signs,
                   positive=pair.positive, negative=pair.negative,
                   accent=pair.accent or base.accent)


def signed_colors(t: Theme) -> tuple[QColor, QColor]:
    """(positive, negative) QColors of the theme's palette: what any view colours a sign with."""
    return QColor(t.positive), QColor(t.negative)


def rgb(color: str | QColor) -> tuple[int, int, int]:
    """(r, g, b) 0..255 of a "#rrggbb" string or a QColor."""
    c = QColor(color)
    return c.red(), c.green(), c.blue()


def luminance(color: str | QColor) -> float:
    """Relative brightness 0..1 (Rec. 709 weights on the 0..1 channels, no gamma)."""
    r, g, b = rgb(color)
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def mix(c1: str | QColor, c2: str | QColor, t: float) -> QColor:
    """The opaque colour a fraction t (0..1) of the way from c1 to c2.

    `mix(theme.background, theme.positive, 0.3)` is how a positive line at 30 % opacity looks,
    premixed with the background."""
    t = min(max(float(t), 0.0), 1.0)
    a, b = rgb(c1), rgb(c2)
    return QColor(*(round(x + (y - x) * t) for x, y in zip(a, b)))


def mix_array(c1: str | QColor, c2: str | QColor, t: np.ndarray) -> np.ndarray:
    """`mix` for many fractions at once: t of any shape → uint8 array of shape t.shape + (3,)."""
    t = np.clip(np.asarray(t, dtype=np.float64), 0.0, 1.0)[..., None]
    a = np.array(rgb(c1), dtype=np.float64)
    b = np.array(rgb(c2), dtype=np.float64)
    return np.rint(a + (b - a) * t).astype(np.uint8)


def activation_rgb(t: Theme, values: np.ndarray) -> np.ndarray:
    """Activations 0..1 (any shape) as uint8 RGB, shape + (3,), in the theme's shades: the colour
    of a neuron or input pixel at that activation (dark theme: white on black; light theme:
    black on white). Every picture of an input is drawn with it."""
    return mix_array(t.neuron_off, t.neuron_on, values)


def scaled_font(base: QFont, factor: float, bold: bool = False) -> QFont:
    """A copy of `base` at `factor` times its point size (10 pt if it is sized in pixels), made
    bold when `bold`."""
    size = base.pointSizeF() if base.pointSizeF() > 0 else 10.0
    f = QFont(base)
    f.setPointSizeF(size * factor)
    if bold:
        f.setBold(True)
    return f


def cjk_family() -> str | None:
    """The first installed font family of `CJK_FAMILIES` (QFontDatabase), or None."""
    from PySide6.QtGui import QFontDatabase

    installed = set(QFontDatabase.families())
    return next((f for f in CJK_FAMILIES if f in installed), None)


def language_font(font: QFont, app) -> QFont:
    """`font` with the families for the current language: a Simplified-Chinese family first for
    Chinese, so 汉字 come from it (not from whatever fallback fontconfig picks, perhaps a Japanese
    or serif variant) and the Latin letters beside them from the same design; for English the
    platform's family alone."""
    base = app.property("mlpviz_base_families")
    if base is None:
        base = list(font.families()) or [font.family()]
        app.setProperty("mlpviz_base_families", base)
    families = list(base)
    cjk = cjk_family() if i18n.language() == "zh" else None
    if cjk:
        families = [cjk, *families]
    f = QFont(font)
    f.setFamilies(families)
    return f


def apply_palette(t: Theme) -> None:
    """Give the whole application the theme's colours and, in presentation mode, larger type."""
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    pal = QPalette()
    bg, fg, panel = QColor(t.background), QColor(t.foreground), QColor(t.panel)
    for role, color in ((QPalette.Window, panel), (QPalette.Base, bg), (QPalette.AlternateBase, panel),
                        (QPalette.Button, panel), (QPalette.WindowText, fg), (QPalette.Text, fg),
                        (QPalette.ButtonText, fg), (QPalette.ToolTipBase, panel),
                        (QPalette.ToolTipText, fg), (QPalette.Highlight, QColor(t.accent)),
                        (QPalette.HighlightedText, bg), (QPalette.PlaceholderText, QColor(t.muted))):
        pal.setColor(role, color)
    app.setPalette(pal)
    font = app.font()
    base = app.property("mlpviz_base_point_size")
    if base is None:
        base = font.pointSizeF() if font.pointSizeF() > 0 else 10.0
        app.setProperty("mlpviz_base_point_size", base)
    font.setPointSizeF(float(base) * t.font_scale)
    _set_app_font(app, language_font(font, app))


def apply_language_font(app) -> None:
    """The application's font with the current language's families (its size as it is): what a
    switch of language changes, without new colours (which would make every view redraw)."""
    _set_app_font(app, language_font(app.font(), app))


def _set_app_font(app, font: QFont) -> None:
    app.setFont(font)
    for widget_class in _OWN_FONT_CLASSES:  # else they keep the platform's small type
        app.setFont(font, widget_class)
