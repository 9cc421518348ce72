"""A digit drawn with the mouse → a 28×28 input made the way the MNIST digits were made.

MNIST's digits were scanned, cropped, scaled to fit a 20×20 box keeping their aspect ratio
(anti-aliased, which gives the grey edges), and placed in a 28×28 field so that their centre of
mass is at the field's centre. `mnist_style` does the same to a drawing, so the network sees a
drawn "3" the way it saw the "3"s it learned from. Pure numpy, no Qt.

`soft_brush_segment` paints a soft round brush stroke into a canvas (the drawing pad's ink, and
a way for tests to draw digits).
"""

from __future__ import annotations

import numpy as np

SIDE = 28  # the MNIST field
BOX = 20  # the box the digit is scaled to fit
INK_THRESHOLD = 1e-3  # canvas values at or below this count as paper, not ink


def mnist_style(canvas: np.ndarray) -> np.ndarray:
    """A drawing (any h×w array of floats 0..1, ink bright on dark) → (784,) float64 in 0..1.

    Steps, as for MNIST:
      1. Crop to the bounding box of the ink (pixels > INK_THRESHOLD).
      2. Scale it, keeping its aspect ratio, so its longer side is 20 pixels, by area averaging
         (each new pixel is the mean of the canvas area it covers: anti-aliased grey edges).
      3. Stretch the grey levels so the brightest pixel is 1 (MNIST's digits reach full ink;
         a thin stroke averaged down would otherwise come out faint).
      4. Place it in a 28×28 field so that its centre of mass lands at pixel (14, 14) — row and
         column indices, shifted by whole pixels (rounded), as MNIST did. A very lopsided digit
         is shifted only as far as keeps all its ink inside the field.
    An empty canvas gives zeros.
    """
    img = np.clip(np.nan_to_num(np.asarray(canvas, dtype=np.float64)), 0.0, 1.0)
    if img.ndim != 2:
        raise ValueError(f"expected a 2-D canvas, got shape {img.shape}")
    out = np.zeros((SIDE, SIDE))
    rows = np.flatnonzero((img > INK_THRESHOLD).any(axis=1))
    cols = np.flatnonzero((img > INK_THRESHOLD).any(axis=0))
    if rows.size == 0:
        return out.reshape(-1)

    # 1. crop
    crop = img[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    # 2. scale the longer side to BOX, the same factor for both axes
    factor = BOX / max(crop.shape)
    small = area_resample(crop, factor)
    # 3. full ink
    peak = small.max()
    if peak <= 0:
        return out.reshape(-1)
    small /= peak
    # 4. centre of mass → (14, 14)
    h, w = small.shape
    cy, cx = center_of_mass(small)
    top = int(np.clip(np.round(SIDE / 2 - cy), 0, SIDE - h))
    left = int(np.clip(np.round(SIDE / 2 - cx), 0, SIDE - w))
    out[top:top + h, left:left + w] = small
    return out.reshape(-1)


def area_resample(img: np.ndarray, factor: float) -> np.ndarray:
    """Resize `img` (h, w) by `factor` on both axes by area averaging.

    Output pixel i covers the input interval [i/factor, (i+1)/factor); its value is the mean of
    the input over that interval (pixels partly covered count in proportion). The output has
    ceil(h·factor) × ceil(w·factor) pixels; a last pixel that reaches past the input's edge is
    averaged over its whole area, so the edge comes out anti-aliased rather than stretched.
    """
    img = np.asarray(img, dtype=np.float64)
    return _area_matrix(img.shape[0], factor) @ img @ _area_matrix(img.shape[1], factor).T


def _area_matrix(n_in: int, factor: float) -> np.ndarray:
    """M (n_out, n_in) with M[i, j] = factor · |[j, j+1) ∩ [i/factor, (i+1)/factor)|."""
    n_out = max(1, int(np.ceil(n_in * factor - 1e-9)))
    lo = np.arange(n_out)[:, None] / factor
    hi = lo + 1 / factor
    j = np.arange(n_in)[None, :]
    overlap = np.clip(np.minimum(hi, j + 1) - np.maximum(lo, j), 0.0, None)
    return overlap * factor


def center_of_mass(img: np.ndarray) -> tuple[float, float]:
    """(row, column) of the intensity-weighted mean pixel index of `img` (its centre if empty)."""
    img = np.asarray(img, dtype=np.float64)
    total = img.sum()
    if total <= 0:
        return (img.shape[0] - 1) / 2, (img.shape[1] - 1) / 2
    r = np.arange(img.shape[0]) @ img.sum(axis=1) / total
    c = np.arange(img.shape[1]) @ img.sum(axis=0) / total
    return float(r), float(c)


def soft_brush_segment(
    canvas: np.ndarray,
    p0: tuple[float, float],
    p1: tuple[float, float],
    radius: float,
    softness: float = 0.5,
) -> tuple[slice, slice] | None:
    """Paint a soft round brush along the segment p0 → p1 into `canvas` (h, w) in place.

    Points are (x, y) in pixel units, pixel (row r, col c) having its centre at (c + 0.5, r + 0.5).
    Ink at distance d from the segment: 1 within radius·(1 − softness), falling smoothly
    (smoothstep) to 0 at `radius`; the canvas keeps the brighter of old and new ink, so going
    over a stroke again never darkens or overflows it. Returns the (rows, cols) slices touched,
    or None if the segment lies wholly off the canvas.
    """
    h, w = canvas.shape
    (x0, y0), (x1, y1) = p0, p1
    r0 = int(np.floor(min(y0, y1) - radius))
    r1 = int(np.ceil(max(y0, y1) + radius))
    c0 = int(np.floor(min(x0, x1) - radius))
    c1 = int(np.ceil(max(x0, x1) + radius))
    r0, r1, c0, c1 = max(r0, 0), min(r1, h), max(c0, 0), min(c1, w)
    if r0 >= r1 or c0 >= c1:
        return None
    ys = np.arange(r0, r1)[:, None] + 0.5
    xs = np.arange(c0, c1)[None, :] + 0.5
    dx, dy = x1 - x0, y1 - y0
    length2 = dx * dx + dy * dy
    if length2 > 0:
        t = np.clip(((xs - x0) * dx + (ys - y0) * dy) / length2, 0.0, 1.0)
    else:
        t = np.zeros((1, 1))
    d = np.hypot(xs - (x0 + t * dx), ys - (y0 + t * dy))
    core = radius * (1.0 - softness)
    u = np.clip((radius - d) / max(radius - core, 1e-9), 0.0, 1.0)
    ink = u * u * (3.0 - 2.0 * u)
    region = canvas[r0:r1, c0:c1]
    np.maximum(region, ink, out=region)
    return slice(r0, r1), slice(c0, c1)


def soft_brush_stroke(canvas: np.ndarray, points, radius: float, softness: float = 0.5) -> None:
    """Paint a polyline of (x, y) points with `soft_brush_segment`, in place."""
    pts = [tuple(map(float, p)) for p in points]
    if len(pts) == 1:
        pts = pts * 2
    for a, b in zip(pts[:-1], pts[1:]):
        soft_brush_segment(canvas, a, b, radius, softness)
