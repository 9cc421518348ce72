"""How the network view colours its lines: one uint8 key per line, and the colour of every key.

Lines are indexed flat as in `core.layout` (line `offsets[l] + j·sizes[l] + k` is W[l][j, k]).
A line's key says what to draw, in what colour, in what order:

    key = 0                                    not drawn (its value is 0, or it is thinned out)
    key = state·STATE_STRIDE + (level − 1)·2 + tie + 1

- level 1 … LEVELS + HEADROOM: |v| / scale, from `layout.line_levels` (stronger = bigger key, so
  `LineRaster`'s "biggest key wins a pixel" draws strong lines on top of weak ones);
- state FADED, NORMAL or HIGHLIGHT (a highlighted line is above every normal one, which is above
  every faded one);
- tie is 1 for a positive line at even levels and for a negative one at odd levels: where equally
  strong lines of both signs cross, neither colour always wins (with 100,000 lines that would
  paint a whole fan in one colour).

Three states of LEVELS + HEADROOM levels and two signs fit in a uint8 (3 · 84 = 252 < 256).
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from mlpviz.core.colormap import RGB, mix_rgb, robust_scale
from mlpviz.core.layout import HEADROOM, LEVELS, line_levels, line_offsets, top_k_mask

FADED, NORMAL, HIGHLIGHT = 0, 1, 2
STATE_STRIDE = 2 * (LEVELS + HEADROOM)  # 84


def encode(levels: np.ndarray, state: np.ndarray | int) -> np.ndarray:
    """Keys (uint8, levels' shape) of lines with these signed `levels` (int, from
    `line_levels`; 0 = not drawn) in this `state` (FADED, NORMAL or HIGHLIGHT, per line or one)."""
    lev = np.asarray(levels).astype(np.int16)
    mag = np.abs(lev)
    tie = (lev > 0) ^ (mag & 1).astype(bool)
    key = np.asarray(state, dtype=np.int16) * STATE_STRIDE + (mag - 1) * 2 + tie + 1
    return np.where(mag > 0, key, 0).astype(np.uint8)


def decode(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(state, level, positive) of keys ≥ 1, the inverse of `encode`; level is 1 … LEVELS +
    HEADROOM, positive is bool. Key 0 decodes to state −1."""
    state, rest = np.divmod(np.asarray(keys, dtype=np.int16) - 1, STATE_STRIDE)
    level = rest // 2 + 1
    positive = (rest % 2 == 1) ^ (level % 2 == 1)
    return state, level, positive


def line_states(shape: tuple[int, int], l: int, faded: bool,
                neurons: Iterable[tuple[int, int]] = (),
                line: tuple[int, int, int] | None = None) -> np.ndarray:
    """(sizes[l+1], sizes[l]) int16 state of weight layer l's lines: FADED when `faded`, else
    NORMAL; HIGHLIGHT for the lines into or out of each of `neurons` ((layer, j) pairs) and for
    `line` ((l, j, k) of one line; ignored when it is in another layer)."""
    n_out, n_in = shape
    state = np.full(shape, FADED if faded else NORMAL, dtype=np.int16)
    for tl, tj in neurons:
        if tl == l + 1 and 0 <= tj < n_out:
            state[tj, :] = HIGHLIGHT
        if tl == l and 0 <= tj < n_in:
            state[:, tj] = HIGHLIGHT
    if line is not None and line[0] == l:
        state[line[1], line[2]] = HIGHLIGHT
    return state


def line_keys(values: Sequence[np.ndarray], faded: Sequence[bool],
              neurons: Iterable[tuple[int, int]] = (),
              line: tuple[int, int, int] | None = None,
              drawn: np.ndarray | None = None, top_k: int | None = None) -> np.ndarray:
    """(n_lines,) uint8 key of every line of a network, flat in `layout` order.

    values  per weight layer l, (sizes[l+1], sizes[l]): what colours its lines (the weights W[l],
            −∂C/∂W[l], a stepper stage's values); each layer on its own `robust_scale`
    faded   per weight layer: its lines are drawn faded
    neurons, line   what is highlighted (see `line_states`)
    drawn   (n_lines,) bool: lines that have a place on screen (None: all)
    top_k   keep only the strongest k lines into each neuron (None: all)
    """
    sizes = [values[0].shape[1]] + [v.shape[0] for v in values]
    offsets = line_offsets(sizes)
    neurons = tuple(neurons)
    keys = np.zeros(offsets[-1], dtype=np.uint8)
    for l, v in enumerate(values):
        levels = line_levels(v, robust_scale(v), headroom=HEADROOM)
        k = encode(levels, line_states(v.shape, l, faded[l], neurons, line))
        show = np.ones(v.shape, dtype=bool) if drawn is None else (
            drawn[offsets[l]:offsets[l + 1]].reshape(v.shape))
        if top_k:
            show = show & top_k_mask(v, top_k)
        keys[offsets[l]:offsets[l + 1]] = np.where(show, k, 0).ravel()
    return keys


def key_colors(background: RGB, positive: RGB, negative: RGB) -> np.ndarray:
    """(256, 3) uint8: the colour of every key, premixed with the background (opacity without
    alpha blending). With f = min(level, LEVELS) / LEVELS, a line is mixed from the background
    towards its sign's colour by 0.025 + 0.2 f (faded), 0.06 + 0.94 f^1.3 (normal) or
    0.4 + 0.6 f (highlighted); key 0 and the keys above 3 · STATE_STRIDE (unused) are the
    background."""
    keys = np.arange(256)
    state, level, positive_line = decode(keys)
    f = np.minimum(level, LEVELS) / LEVELS
    strength = np.select([state == FADED, state == NORMAL],
                         [0.025 + 0.2 * f, 0.06 + 0.94 * f ** 1.3], 0.4 + 0.6 * f)
    rgb = np.where(positive_line[:, None], mix_rgb(background, positive, strength),
                   mix_rgb(background, negative, strength))
    rgb[(keys == 0) | (state > HIGHLIGHT)] = mix_rgb(background, background, 0.0)
    return rgb

