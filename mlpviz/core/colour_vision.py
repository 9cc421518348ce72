"""How a palette's two signs look to a colour-blind viewer: simulated, then measured.

Simulation (Machado, Oliveira & Fernandes 2009, "A physiologically-based model for simulation of
color vision deficiency", severity 1.0): in linearised sRGB, c' = clip(M · c, 0, 1), with M the
paper's 3×3 matrix for protanopia or deuteranopia; sRGB ↔ linear is the standard transfer curve
(c ≤ 0.04045: c / 12.92, else ((c + 0.055) / 1.055)^2.4).

Difference: CIE76 ΔE = ‖Lab₁ − Lab₂‖ in CIE L*a*b* (D65 white). ΔE ≈ 2.3 is the smallest
difference seen between two patches side by side; a sign must be read off a thin line at a glance,
across a room, so we ask much more: the two signs are *distinguishable* when ΔE ≥ DISTINGUISHABLE
(20) between the simulated colours at full strength AND at half strength (a line of half the
strongest weight is drawn half-way from the background to its colour, `line_keys.key_colors`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlpviz.core.palette import Palette
from mlpviz.i18n import N_, _

_DEFICIENCY_WORDS = (N_("protanopia"), N_("deuteranopia"))  # MACHADO's keys, for the catalog

MACHADO: dict[str, np.ndarray] = {  # severity 1.0, applied to linear sRGB column vectors
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
}
DISTINGUISHABLE = 20.0  # CIE76 ΔE: the least difference we accept between + and − (see above)
STRENGTHS = (1.0, 0.5)  # full colour, and half-way from the background

_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],  # linear sRGB → CIE XYZ (D65)
                 [0.2126729, 0.7151522, 0.0721750],
                 [0.0193339, 0.1191920, 0.9503041]])
_WHITE = np.array([0.95047, 1.0, 1.08883])


def to_linear(rgb) -> np.ndarray:
    """sRGB 0…255 (…, 3) → linear 0…1 (…, 3)."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def to_srgb(linear) -> np.ndarray:
    """Linear 0…1 (…, 3) → sRGB 0…255 floats (…, 3), the inverse of `to_linear`."""
    c = np.clip(np.asarray(linear, dtype=np.float64), 0.0, 1.0)
    return 255.0 * np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)


def simulate(rgb, deficiency: str) -> np.ndarray:
    """How sRGB colours (…, 3) 0…255 look with `deficiency` ("protanopia", "deuteranopia"):
    sRGB 0…255 floats, c' = clip(M · c, 0, 1) in linear sRGB."""
    return to_srgb(to_linear(rgb) @ MACHADO[deficiency].T)


def lab(rgb) -> np.ndarray:
    """sRGB 0…255 (…, 3) → CIE L*a*b* (…, 3), D65 white."""
    xyz = (to_linear(rgb) @ _XYZ.T) / _WHITE
    d = 6 / 29
    f = np.where(xyz > d ** 3, np.cbrt(xyz), xyz / (3 * d * d) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]),
                     200 * (f[..., 1] - f[..., 2])], axis=-1)


def delta_e(rgb1, rgb2) -> np.ndarray:
    """CIE76 ΔE = ‖Lab(rgb1) − Lab(rgb2)‖ of sRGB colours 0…255 (…, 3) → (…)."""
    return np.linalg.norm(lab(rgb1) - lab(rgb2), axis=-1)


def _rgb(color: str) -> np.ndarray:
    s = color.lstrip("#")
    return np.array([int(s[i:i + 2], 16) for i in (0, 2, 4)], dtype=np.float64)


@dataclass(frozen=True)
class SignContrast:
    """The least ΔE between a palette's + and − seen with `deficiency`, over STRENGTHS, on one
    background: `delta_e` at `strength` (1 full colour, 0.5 half-way from the background)."""

    deficiency: str
    delta_e: float
    strength: float

    @property
    def distinguishable(self) -> bool:
        return self.delta_e >= DISTINGUISHABLE


def sign_contrast(palette: Palette, background: str, deficiency: str) -> SignContrast:
    """How far apart `palette`'s + and − stay on `background` ("#rrggbb") for a viewer with
    `deficiency`: the smallest simulated ΔE over STRENGTHS (each colour mixed from the
    background, bg + t·(c − bg), rounded to whole sRGB levels as drawn)."""
    colours = palette.on(background)
    bg, pos, neg = _rgb(background), _rgb(colours.positive), _rgb(colours.negative)
    found = []
    for t in STRENGTHS:
        p, n = np.rint(bg + t * (pos - bg)), np.rint(bg + t * (neg - bg))
        found.append((float(delta_e(simulate(p, deficiency), simulate(n, deficiency))), t))
    d, t = min(found)
    return SignContrast(deficiency, d, t)


def palette_note(palette: Palette, background: str) -> str:
    """One sentence on `palette` for colour-blind viewers, from `sign_contrast` on `background`
    (the menu's tooltip): which simulated deficiencies keep + and − apart, and by how much."""
    found = [sign_contrast(palette, background, k) for k in MACHADO]
    pos, neg = (_(word) for word in palette.words)
    weak = [c for c in found if not c.distinguishable]
    if not weak:
        least = min(found, key=lambda c: c.delta_e)
        return _("{Pos} and {neg} stay apart for colour-blind viewers: in a simulation of "
                 "{deficiencies} (Machado 2009) they differ by ΔE ≥ {least} (we ask ≥ "
                 "{threshold}).").format(
            Pos=pos.capitalize(), neg=neg, least=f"{least.delta_e:.0f}",
            deficiencies=_(" and ").join(_(c.deficiency) for c in found),
            threshold=f"{DISTINGUISHABLE:.0f}")
    said = _(" and ").join(_("ΔE {value} with {deficiency}").format(
        value=f"{c.delta_e:.0f}", deficiency=_(c.deficiency)) for c in weak)
    return _("{Pos} and {neg} are hard to tell apart for colour-blind viewers: in a simulation "
             "(Machado 2009) they differ by only {said} (we ask ≥ {threshold}).").format(
        Pos=pos.capitalize(), neg=neg, said=said, threshold=f"{DISTINGUISHABLE:.0f}")
