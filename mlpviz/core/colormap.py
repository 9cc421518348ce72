"""Signed numbers → two-colour pictures: the palette's positive colour (the lesson's green, or
blue) for positive, its negative colour (red, or orange) for negative, fainter near 0.

`signed_rgb(values, palette=…, background=…)` is the one function for any new picture of signed
values: the palette (core.palette) picks its pair for that background. Pure numpy; the views turn
the returned uint8 arrays into images (see mlpviz.gui.qimage).
"""

from __future__ import annotations

import numpy as np

from mlpviz.core.palette import LESSON, Palette

RGB = tuple[int, int, int]

DEFAULT_BACKGROUND: RGB = (0, 0, 0)


def symmetric_scale(values: np.ndarray) -> float:
    """max |v| over `values`: ±scale get full colour (1.0 if it is 0 or nothing is finite)."""
    v = np.abs(np.asarray(values, dtype=np.float64))
    v = v[np.isfinite(v)]
    m = float(v.max()) if v.size else 0.0
    return m if m > 0 else 1.0


def robust_scale(values: np.ndarray, percentile: float = 99.0) -> float:
    """The `percentile`-th percentile of |v|, so one stray large weight cannot wash the rest out
    (the max |v| if that percentile is 0, as when most values are 0)."""
    v = np.abs(np.asarray(values, dtype=np.float64))
    v = v[np.isfinite(v)]
    m = float(np.percentile(v, percentile)) if v.size else 0.0
    return m if m > 0 else symmetric_scale(values)


def hex_to_rgb(color: str) -> RGB:
    """"#rrggbb" (or "rrggbb") → (r, g, b) integers 0..255."""
    s = color.strip().lstrip("#")
    if len(s) != 6:
        raise ValueError(f"expected a colour like '#2ecc40', got {color!r}")
    return int(s[0:2], 16), int(s[2:4], 16), int(s[4:6], 16)


def rgb_to_hex(rgb: RGB) -> str:
    """(r, g, b) → "#rrggbb"."""
    return "#{:02x}{:02x}{:02x}".format(*(int(c) for c in rgb[:3]))


def mix_rgb(a: RGB, b: RGB, t: np.ndarray | float) -> np.ndarray:
    """The opaque colours a fraction t (clipped to 0 … 1) of the way from colour a to colour b:
    round(a + (b − a)·t) per channel; t of any shape → uint8 array of shape t.shape + (3,)."""
    t = np.clip(np.asarray(t, dtype=np.float64), 0.0, 1.0)[..., None]
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.rint(a + (b - a) * t).astype(np.uint8)


def pack_rgb32(rgb: np.ndarray) -> np.ndarray:
    """(…, 3) uint8 → (…) uint32 0xffRRGGBB: the pixels of an RGB32 image buffer."""
    rgb = np.asarray(rgb)
    return (0xFF000000 | (rgb[..., 0].astype(np.uint32) << 16)
            | (rgb[..., 1].astype(np.uint32) << 8) | rgb[..., 2].astype(np.uint32))


def sign_colors(palette: Palette = LESSON, background: RGB = DEFAULT_BACKGROUND) -> tuple[RGB, RGB]:
    """(positive, negative) as (r, g, b): `palette`'s pair for `background` (`Palette.on`)."""
    pair = palette.on(background)
    return hex_to_rgb(pair.positive), hex_to_rgb(pair.negative)


def signed_rgb(
    values: np.ndarray,
    scale: float | None = None,
    background: RGB = DEFAULT_BACKGROUND,
    positive: RGB | None = None,
    negative: RGB | None = None,
    palette: Palette = LESSON,
) -> np.ndarray:
    """Colour each value: t = clip(v / scale, −1, 1); the colour runs linearly from `background`
    (t = 0) to `positive` (t = +1) or `negative` (t = −1).

    values   : array of any shape (h, w) or (n, h, w) …, float
    scale    : the |v| that gets full colour; None → max |v| of `values` (symmetric); ≤ 0 → 1
    palette  : where `positive` / `negative` come from when not given (`sign_colors`)
    returns uint8 array of shape values.shape + (3,). NaN is drawn as the background.
    """
    pal_pos, pal_neg = sign_colors(palette, background)
    positive = pal_pos if positive is None else positive
    negative = pal_neg if negative is None else negative
    v = np.asarray(values, dtype=np.float64)
    s = symmetric_scale(v) if scale is None else float(scale)
    if not np.isfinite(s) or s <= 0:
        s = 1.0
    t = np.clip(np.nan_to_num(v / s, nan=0.0, posinf=1.0, neginf=-1.0), -1.0, 1.0)[..., None]
    bg = np.asarray(background, dtype=np.float64)
    pos = np.asarray(positive, dtype=np.float64)
    neg = np.asarray(negative, dtype=np.float64)
    rgb = bg + np.where(t >= 0, t * (pos - bg), -t * (neg - bg))
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8)


def signed_rgb_per_image(values: np.ndarray, percentile: float | None = None,
                         **colors) -> np.ndarray:
    """`signed_rgb` of a stack (n, …), each image on its own symmetric scale: its max |v|, or with
    `percentile` its `robust_scale` (e.g. 99: the strongest 1 % of its values saturate).

    returns uint8 (n, …, 3)."""
    v = np.asarray(values, dtype=np.float64)
    out = np.empty(v.shape + (3,), dtype=np.uint8)
    for i in range(len(v)):
        scale = None if percentile is None else robust_scale(v[i], percentile)
        out[i] = signed_rgb(v[i], scale=scale, **colors)
    return out


def updated_colors(current: tuple, background: str | None = None, positive: str | None = None,
                   negative: str | None = None) -> tuple:
    """(background, positive, negative) as RGB tuples: `current`, with each colour given as
    "#rrggbb" replacing its entry (None keeps it)."""
    return tuple(hex_to_rgb(new) if new else old
                 for old, new in zip(current, (background, positive, negative)))
