"""Where the network view draws things, and how its lines are coloured: pure numpy, no Qt.

Coordinates are those of the rectangle passed to `compute_layout` (the view passes its size in
pixels; tests may pass 1 × 1). Layers are numbered like `Network`: neuron layers 0 … L, weight
layers 0 … L−1, and `W[l][j, k]` joins neuron k of layer l to neuron j of layer l+1.

Lines are indexed flat, layer after layer, each layer in the row-major order of its weight matrix:
line `offsets[l] + j·sizes[l] + k` is `W[l][j, k]` (so `np.concatenate([W.ravel() for W in Ws])`
lines up with the lines).

Three parts:
- layout     `compute_layout` → `Layout`: neuron centres and radii, the input image block, the
             line segments (clipped to the image edge and the circles, which hide the rest).
- colouring  `robust_scale` (the one of `colormap`), `line_levels` (signed strength levels),
             `top_k_mask`, `bucket_lines`; the keys and colours built from them: `core.line_keys`.
- drawing    `LineRaster` draws every line into a uint8 key image with numpy (the biggest key wins
             a pixel, so strong lines end on top); `neuron_at`, `line_at` hit-test a point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from mlpviz.core.arrays import frozen
from mlpviz.core.colormap import robust_scale as robust_scale  # re-exported for the view

LEVELS = 32  # strength levels per sign: |v| / scale in (0, 1] → 1 … LEVELS
HEADROOM = 10  # extra ordering levels for |v| / scale in (1, 2] (see `line_levels`)


# -- layout ----------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Layout:
    """Positions of everything the network view draws, for one size and one network shape.

    sizes        neurons per layer
    width, height  the rectangle laid out (margins included)
    input_style  "image" (the inputs as a side×side block of squares) or "circles"
    centers      per layer, (sizes[l], 2) x, y of each neuron; NaN for inputs not shown
    radius       per layer, the circle radius (image style: half a pixel square)
    shown_inputs indices of the inputs drawn (all of them in image style)
    image_rect   (x, y, side, side) of the input block, or None; `image_side` pixels per row
    ellipsis     (x, y) of the "⋮" between shown input circles, or None
    columns      x of each layer's column (the image's centre for an image input)
    extents      per layer, (top, bottom) of what is drawn for it
    segments     per weight layer, (sizes[l+1], sizes[l], 4) x1, y1, x2, y2 of each line, from the
                 source circle's edge to the target circle's edge; NaN for lines from inputs not
                 shown. Image style: input k's lines leave the image's right edge at height
                 (k + ½)/n of the block (the flattened input, in pixel order)
    """

    sizes: tuple[int, ...]
    width: float
    height: float
    input_style: str
    centers: tuple[np.ndarray, ...]
    radius: tuple[float, ...]
    shown_inputs: np.ndarray
    image_rect: tuple[float, float, float, float] | None
    image_side: int
    ellipsis: tuple[float, float] | None
    columns: np.ndarray
    extents: tuple[tuple[float, float], ...]
    segments: tuple[np.ndarray, ...]

    @property
    def L(self) -> int:
        return len(self.sizes) - 1

    @property
    def offsets(self) -> np.ndarray:
        """Flat index of each weight layer's first line; offsets[-1] is the number of lines."""
        return line_offsets(self.sizes)

    def flat_segments(self) -> np.ndarray:
        """All lines as one (n_lines, 4) array, in flat line order."""
        return np.concatenate([s.reshape(-1, 4) for s in self.segments])

    def drawable(self) -> np.ndarray:
        """(n_lines,) bool: the lines that have a place on screen (not from a hidden input)."""
        return ~np.isnan(self.flat_segments()[:, 0])


def line_offsets(sizes: Sequence[int]) -> np.ndarray:
    """Flat index of each weight layer's first line, and the total at the end."""
    counts = [a * b for a, b in zip(sizes[:-1], sizes[1:])]
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.intp)


def image_side_of(n_inputs: int) -> int:
    """The side of the square image `n_inputs` pixels come from (28 for 784), or 0 if not square."""
    side = math.isqrt(n_inputs)
    return side if side * side == n_inputs and side > 1 else 0


def compute_layout(
    sizes: Sequence[int],
    width: float,
    height: float,
    input_style: str = "image",
    margins: tuple[float, float, float, float] = (0, 0, 0, 0),
    max_shown_inputs: int = 16,
) -> Layout:
    """Lay out a network of `sizes` in a width × height rectangle, inside (left, top, right, bottom)
    `margins` (room the caller keeps for text).

    The input is a square image block when `input_style` is "image" and sizes[0] is a square
    number, else a column of circles: all of them if they fit, or `max_shown_inputs` evenly spaced
    ones with an ellipsis in the middle. The other layers are columns of circles, evenly spaced
    across the rest of the width; circles shrink with the number of neurons (no gaps at ~128).
    """
    sizes = tuple(int(s) for s in sizes)
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"sizes must list at least two positive layer sizes, got {sizes}")
    if input_style not in ("image", "circles"):
        raise ValueError(f"input_style must be 'image' or 'circles', got {input_style!r}")
    left, top, right, bottom = (float(m) for m in margins)
    x0, y0 = left, top
    w = max(float(width) - left - right, 1e-6)
    h = max(float(height) - top - bottom, 1e-6)
    cy = y0 + h / 2
    side = image_side_of(sizes[0])
    style = "image" if input_style == "image" and side else "circles"
    max_pitch = h / 11  # small layers stay together near the middle
    r_max = min(h / 34, w / 40)

    def column(n: int, x: float) -> tuple[np.ndarray, float, float]:
        pitch = min(h / n, max_pitch)
        r = min(r_max, pitch * 0.36) if pitch >= 14 * h / 800 else pitch * 0.48
        ys = cy + (np.arange(n) - (n - 1) / 2) * pitch
        return np.stack([np.full(n, x), ys], axis=1), r, pitch

    # -- the input ----------------------------------------------------------------------------
    n_in = sizes[0]
    image_rect, ellipsis = None, None
    if style == "image":
        block = min(0.58 * h, 0.27 * w)
        px = block / side
        ix, iy = x0, cy - block / 2
        image_rect = (ix, iy, block, block)
        cols, rows = np.arange(n_in) % side, np.arange(n_in) // side
        c0 = np.stack([ix + (cols + 0.5) * px, iy + (rows + 0.5) * px], axis=1)
        r0 = px / 2
        shown = np.arange(n_in)
        col0_x = ix + block / 2
        ext0 = (iy, iy + block)
        first_x = ix + block  # where the next columns start
    else:
        probe, r_probe, _ = column(n_in, 0.0)
        if n_in <= max_shown_inputs or r_probe * 2 >= 6 * h / 800:
            shown = np.arange(n_in)
        else:
            shown = np.unique(np.linspace(0, n_in - 1, max_shown_inputs).round().astype(np.intp))
        n_slots = len(shown) + (1 if len(shown) < n_in else 0)
        slots, r0, _ = column(n_slots, 0.0)
        r0 = min(r0, r_max)
        col0_x = x0 + r0
        slots[:, 0] = col0_x
        c0 = np.full((n_in, 2), np.nan)
        if len(shown) < n_in:
            half = (len(shown) + 1) // 2
            c0[shown[:half]] = slots[:half]
            c0[shown[half:]] = slots[half + 1:]
            ellipsis = (float(slots[half, 0]), float(slots[half, 1]))
        else:
            c0[shown] = slots
        ext0 = (float(slots[0, 1] - r0), float(slots[-1, 1] + r0))
        first_x = col0_x + r0

    # -- the other columns -------------------------------------------------------------------
    n_cols = len(sizes) - 1
    last_r = column(sizes[-1], 0.0)[1]
    span = x0 + w - last_r - first_x
    gap = span / n_cols
    centers, radius, columns, extents = [c0], [r0], [col0_x], [ext0]
    for i, n in enumerate(sizes[1:], start=1):
        x = first_x + gap * i if i < n_cols else x0 + w - last_r
        c, r, _ = column(n, x)
        centers.append(c)
        radius.append(r)
        columns.append(x)
        extents.append((float(c[0, 1] - r), float(c[-1, 1] + r)))

    # -- the lines ---------------------------------------------------------------------------
    segments = []
    for l in range(len(sizes) - 1):
        src, dst = centers[l], centers[l + 1]
        p1 = np.broadcast_to(src[None, :, :], (sizes[l + 1], sizes[l], 2)).copy()
        p2 = np.broadcast_to(dst[:, None, :], (sizes[l + 1], sizes[l], 2)).copy()
        image_input = l == 0 and style == "image"
        if image_input:
            # The lines leave the image's right edge, input k at height (k + ½)/n of the block:
            # the flattened 784-vector pressed against the picture, in pixel order.
            p1[..., 0] = first_x
            p1[..., 1] = image_rect[1] + (np.arange(n_in) + 0.5) / n_in * image_rect[2]
        d = p2 - p1
        u = d / np.maximum(np.hypot(d[..., 0], d[..., 1]), 1e-12)[..., None]
        if not image_input:
            p1 = p1 + u * min(radius[l], 0.45 * gap) * 0.9
        p2 = p2 - u * min(radius[l + 1], 0.45 * gap) * 0.9
        segments.append(frozen(np.concatenate([p1, p2], axis=-1), copy=False))

    centers = [frozen(c, copy=False) for c in centers]
    shown = frozen(shown, copy=False)
    cols_arr = frozen(columns, float, copy=False)
    return Layout(
        sizes=sizes, width=float(width), height=float(height), input_style=style,
        centers=tuple(centers), radius=tuple(float(r) for r in radius), shown_inputs=shown,
        image_rect=image_rect, image_side=side if style == "image" else 0, ellipsis=ellipsis,
        columns=cols_arr, extents=tuple(extents), segments=tuple(segments),
    )


# -- colouring -------------------------------------------------------------------------------------
def line_levels(values: np.ndarray, scale: float, levels: int = LEVELS,
                headroom: int = 0) -> np.ndarray:
    """Signed strength levels of `values` (any shape), int8: sign(v) · ceil(|v| / scale · levels)
    in 1 … levels, and 0 exactly where v is 0 (or not finite).

    With `headroom` > 0, values beyond the scale get levels + 1 … levels + headroom (log-spaced up
    to 2 × scale), so that among lines drawn at full strength the strongest still end on top."""
    v = np.asarray(values, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.nan_to_num(np.abs(v) / scale, nan=0.0, posinf=2.0)
        lev = np.clip(np.ceil(m * levels), 1, levels)
        if headroom:
            over = np.ceil(headroom * np.log2(np.maximum(m, 1.0)))
            lev = np.where(m > 1, levels + np.clip(over, 1, headroom), lev)
    lev = np.where((v != 0) & np.isfinite(v), lev, 0).astype(np.int8)
    return np.where(v < 0, -lev, lev).astype(np.int8)


def top_k_mask(values: np.ndarray, k: int | None) -> np.ndarray:
    """(n_out, n_in) bool: True for the k largest |values| in each row (the strongest k lines into
    each neuron). k None, 0 or ≥ n_in keeps every line."""
    v = np.abs(np.asarray(values, dtype=np.float64))
    n_out, n_in = v.shape
    if not k or k >= n_in:
        return np.ones((n_out, n_in), dtype=bool)
    k = int(k)
    idx = np.argpartition(-v, k - 1, axis=1)[:, :k]
    mask = np.zeros((n_out, n_in), dtype=bool)
    np.put_along_axis(mask, idx, True, axis=1)
    return mask


def bucket_lines(keys: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """Group lines by key (0 = not drawn): [(key, line indices)], smallest key first: the drawing
    order, weak lines first so that strong ones end on top."""
    keys = np.asarray(keys).ravel()
    order = np.argsort(keys, kind="stable")
    ks = keys[order]
    cuts = np.flatnonzero(np.diff(ks)) + 1
    out = []
    for chunk in np.split(order, cuts):
        if chunk.size and keys[chunk[0]] != 0:
            out.append((int(keys[chunk[0]]), chunk))
    return out


# -- drawing ---------------------------------------------------------------------------------------
def rasterize_segments(
    segments: np.ndarray, width: int, height: int, thickness: int | np.ndarray = 1
) -> tuple[np.ndarray, np.ndarray]:
    """The pixels each line covers, DDA style: one pixel per step along the major axis,
    `thickness` pixels across. Returns (pixel flat index y·width + x, line index), both (P,) intp,
    for the lines of `segments` (n, 4); NaN lines and pixels outside the image are left out."""
    seg = np.asarray(segments, dtype=np.float64).reshape(-1, 4)
    thick = np.broadcast_to(np.asarray(thickness, dtype=np.intp), (len(seg),))
    finite = np.isfinite(seg).all(axis=1)
    pix_parts, line_parts = [], []
    for t in np.unique(thick[finite]):
        ok = np.flatnonzero(finite & (thick == t))
        x1, y1, x2, y2 = seg[ok].T
        dx, dy = x2 - x1, y2 - y1
        major = np.maximum(np.abs(dx), np.abs(dy))
        steps = np.floor(major).astype(np.intp) + 1
        safe = np.maximum(major, 1e-12)
        sx, sy = dx / safe, dy / safe  # per step: ±1 along the major axis
        li = np.repeat(np.arange(ok.size, dtype=np.intp), steps)
        i = np.arange(li.size, dtype=np.float64)
        i -= (np.cumsum(steps) - steps).astype(np.float64)[li]
        px = np.floor(x1[li] + i * sx[li]).astype(np.intp)
        py = np.floor(y1[li] + i * sy[li]).astype(np.intp)
        del i
        steep = (np.abs(dy) > np.abs(dx))[li]
        for a in range(int(t)):
            shift = a - (int(t) - 1) // 2
            qx = px + shift * steep if shift else px
            qy = py + shift * ~steep if shift else py
            inside = (qx >= 0) & (qx < width) & (qy >= 0) & (qy < height)
            pix_parts.append((qy * width + qx)[inside])
            line_parts.append(ok[li[inside]])
    if not pix_parts:
        return np.zeros(0, np.intp), np.zeros(0, np.intp)
    return np.concatenate(pix_parts), np.concatenate(line_parts)


class LineRaster:
    """Draws all lines of a fixed geometry into a uint8 "key" image with numpy.

    Built once per size (`segments` in pixels); then `render(keys)` gives each covered pixel the
    biggest key of the lines through it. With keys that grow with strength, that is the picture of
    drawing weak lines first and strong ones on top, without any per-line work. Numpy releases the
    GIL while it runs, so a training thread keeps going (painting with QPainter from Python holds
    it).

    How: the covered pixels are grouped by how many lines cross them (`group_width`: the exact
    count up to 8, then rounded up by at most 1/8). A group of n pixels crossed by up to w lines is
    a (w, n) block of line indices, padded with the index `n_lines` (a line whose key is always 0);
    a frame is one gather of the keys through `line_index` and, per group, one element-wise
    maximum down the block's w rows — about twice as fast as a `maximum.reduceat` over the
    (pixel, line) pairs, which works pixel by pixel.
    """

    def __init__(self, segments: np.ndarray, width: int, height: int,
                 thickness: int | np.ndarray = 1):
        self.width, self.height = int(width), int(height)
        self.n_lines = len(np.asarray(segments).reshape(-1, 4))
        pix, line = rasterize_segments(segments, self.width, self.height, thickness)
        code = pix * max(self.n_lines, 1) + line
        code.sort()
        pix, line = np.divmod(code, max(self.n_lines, 1))
        del code
        self.pairs = len(pix)
        starts = np.flatnonzero(np.r_[True, pix[1:] != pix[:-1]]) if len(pix) else pix[:0]
        counts = np.diff(np.r_[starts, len(pix)])
        widths = group_width(counts)
        order = np.argsort(widths, kind="stable")  # pixels grouped by width, narrowest first
        self.pixels = pix[starts][order]  # (U,) covered pixels, flat, in group order
        group_widths, first, sizes = np.unique(widths[order], return_index=True, return_counts=True)
        block_sizes = group_widths * sizes
        block_starts = np.r_[0, np.cumsum(block_sizes)[:-1]].astype(np.intp)
        # (pixel first, stop, w, block start, block stop) per group
        self.groups = [(int(p0), int(p0 + n), int(w), int(b0), int(b0 + w * n))
                       for p0, n, w, b0 in zip(first, sizes, group_widths, block_starts)]
        # line_index[block start + c·n + i] = the c-th line through pixel i of the group
        group_of = np.repeat(np.arange(len(sizes)), sizes)  # per pixel in group order
        at = np.empty(len(order), np.intp)
        at[order] = block_starts[group_of] + np.arange(len(order)) - first[group_of]
        n_of = np.empty(len(order), np.intp)
        n_of[order] = sizes[group_of]
        owner = np.repeat(np.arange(len(starts)), counts)  # per pair: its pixel (sorted order)
        column = np.arange(len(pix)) - starts[owner]
        self.line_index = np.full(int(block_sizes.sum()), self.n_lines, dtype=np.intp)
        self.line_index[at[owner] + column * n_of[owner]] = line
        self._keys = np.zeros(self.n_lines + 1, dtype=np.uint8)  # + the padding line, key 0
        self._gathered = np.empty(len(self.line_index), dtype=np.uint8)
        self._top = np.empty(len(self.pixels), dtype=np.uint8)
        self.image = np.zeros((self.height, self.width), dtype=np.uint8)  # see `render`

    def top_keys(self, keys: np.ndarray) -> np.ndarray:
        """(U,) uint8: the biggest key among the lines through each covered pixel (`pixels`).
        `keys` is (n_lines,) uint8, 0 = not drawn. The array is reused by the next call."""
        self._keys[:-1] = keys
        np.take(self._keys, self.line_index, out=self._gathered, mode="clip")
        for p0, p1, w, b0, b1 in self.groups:
            block = self._gathered[b0:b1].reshape(w, p1 - p0)
            np.maximum.reduce(block, axis=0, out=self._top[p0:p1])
        return self._top

    def render(self, keys: np.ndarray) -> np.ndarray:
        """The (height, width) uint8 key image: each covered pixel holds the biggest key through
        it, other pixels 0. The array is reused (overwritten) by the next call."""
        self.image.reshape(-1)[self.pixels] = self.top_keys(keys)
        return self.image

    def paint(self, keys: np.ndarray, colors: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Paint the lines into `out` ((height, width), colors' dtype): every covered pixel gets
        `colors[top key]`; the pixels no line covers are left as they are (fill `out` with the
        background once, then repaint with new keys as often as needed)."""
        out.reshape(-1)[self.pixels] = colors[self.top_keys(keys)]
        return out


def group_width(counts: np.ndarray) -> np.ndarray:
    """The width of the `LineRaster` group a pixel crossed by `counts` lines goes in: the count
    itself up to 8, else the count rounded up to a multiple of 2^(⌊log₂ count⌋ − 3) (at most 1/8
    of padding): 9 → 9, 17 → 18, 130 → 144."""
    c = np.asarray(counts, dtype=np.intp)
    step = np.left_shift(1, np.maximum(np.floor(np.log2(np.maximum(c, 1))).astype(np.intp) - 3, 0))
    return -(-c // step) * step


def estimate_pixels(segments: np.ndarray, thickness: int | np.ndarray = 1) -> int:
    """How many (pixel, line) pairs `LineRaster` would hold for these lines (its memory and work)."""
    seg = np.asarray(segments, dtype=np.float64).reshape(-1, 4)
    major = np.maximum(np.abs(seg[:, 2] - seg[:, 0]), np.abs(seg[:, 3] - seg[:, 1]))
    thick = np.broadcast_to(np.asarray(thickness), (len(seg),))
    return int(np.nansum((np.floor(major) + 1) * thick))


# -- hit-testing -----------------------------------------------------------------------------------
def neuron_at(layout: Layout, x: float, y: float, slack: float = 3.0) -> tuple[int, int] | None:
    """(layer, index) of the neuron drawn at (x, y): an input pixel square of the image, or the
    nearest circle within its radius + `slack`; None if there is none."""
    if layout.image_rect is not None:
        ix, iy, block, _ = layout.image_rect
        if ix <= x < ix + block and iy <= y < iy + block:
            side = layout.image_side
            col = min(int((x - ix) / block * side), side - 1)
            row = min(int((y - iy) / block * side), side - 1)
            return 0, row * side + col
    best, best_d = None, math.inf
    for l, (c, r) in enumerate(zip(layout.centers, layout.radius)):
        if l == 0 and layout.image_rect is not None:
            continue
        d = np.hypot(c[:, 0] - x, c[:, 1] - y)
        d = np.where(np.isnan(d), np.inf, d)
        j = int(np.argmin(d))
        if d[j] <= max(r, 2.0) + slack and d[j] < best_d:
            best, best_d = (l, j), float(d[j])
    return best


def segment_distances(segments: np.ndarray, x: float, y: float) -> np.ndarray:
    """Distance from (x, y) to each segment of `segments` (n, 4); inf for NaN segments."""
    seg = np.asarray(segments, dtype=np.float64).reshape(-1, 4)
    x1, y1, x2, y2 = seg.T
    dx, dy = x2 - x1, y2 - y1
    len2 = dx * dx + dy * dy
    t = np.clip(((x - x1) * dx + (y - y1) * dy) / np.where(len2 > 0, len2, 1.0), 0.0, 1.0)
    d = np.hypot(x1 + t * dx - x, y1 + t * dy - y)
    return np.where(np.isnan(d), np.inf, d)


def line_at(
    layout: Layout, x: float, y: float, tol: float = 3.0,
    keys: np.ndarray | None = None,
) -> tuple[int, int, int] | None:
    """(weight layer l, j, k) of the line at (x, y): among the lines within `tol`, the one drawn
    on top (the biggest of `keys`, 0 = not drawn), then the nearest. None if there is none."""
    d = segment_distances(layout.flat_segments(), x, y)
    near = d <= tol
    if keys is not None:
        keys = np.asarray(keys).ravel()
        near &= keys > 0
    cand = np.flatnonzero(near)
    if cand.size == 0:
        return None
    if keys is not None:
        top = keys[cand].max()
        cand = cand[keys[cand] == top]
    i = int(cand[np.argmin(d[cand])])
    return split_line_index(layout.sizes, i)


def split_line_index(sizes: Sequence[int], i: int) -> tuple[int, int, int]:
    """Flat line index → (weight layer l, j, k)."""
    offsets = line_offsets(sizes)
    l = int(np.searchsorted(offsets, i, side="right") - 1)
    j, k = divmod(int(i - offsets[l]), int(sizes[l]))
    return l, j, k


def auto_top_k(sizes: Sequence[int], max_lines: int) -> int | None:
    """The largest k such that drawing the strongest k incoming lines of every neuron draws at
    most `max_lines` lines (None if every line fits): Σ_l sizes[l+1] · min(k, sizes[l]) ≤ max_lines.
    Big networks (4 hidden layers of 128: 151,040 lines) stay readable and quick to draw."""
    pairs = list(zip(sizes[:-1], sizes[1:]))
    if sum(n_in * n_out for n_in, n_out in pairs) <= max_lines:
        return None
    k = 1
    while k < max(sizes) and sum(n_out * min(k + 1, n_in) for n_in, n_out in pairs) <= max_lines:
        k += 1
    return k
