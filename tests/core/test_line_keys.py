"""The network view's line keys and their colours (core.line_keys), without Qt."""

import numpy as np
import pytest

from mlpviz.core import layout as lay
from mlpviz.core import line_keys as lk
from mlpviz.core.colormap import mix_rgb

BG, POS, NEG = (14, 17, 22), (62, 224, 122), (255, 77, 77)
TOP = lay.LEVELS + lay.HEADROOM


def all_levels():
    return np.array([s * m for m in range(1, TOP + 1) for s in (1, -1)])


def test_three_states_of_every_level_and_sign_fit_in_a_uint8_and_decode_back():
    levels = all_levels()
    seen = set()
    for state in (lk.FADED, lk.NORMAL, lk.HIGHLIGHT):
        keys = lk.encode(levels, state)
        assert keys.dtype == np.uint8 and (keys >= 1).all()
        got_state, got_level, positive = lk.decode(keys)
        assert (got_state == state).all()
        assert (got_level == np.abs(levels)).all() and (positive == (levels > 0)).all()
        seen |= set(keys.tolist())
    assert len(seen) == 3 * 2 * TOP, "no two (state, level, sign) share a key"
    assert lk.encode(np.array([0, 0]), lk.HIGHLIGHT).tolist() == [0, 0], "level 0: not drawn"


def test_stronger_lines_and_higher_states_get_bigger_keys():
    # the raster keeps the biggest key of a pixel: strong over weak, highlighted over the rest
    for sign in (1, -1):
        lev = sign * np.arange(1, TOP + 1)
        for state in (lk.FADED, lk.NORMAL, lk.HIGHLIGHT):
            assert (np.diff(lk.encode(lev, state).astype(int)) > 0).all()
    weakest_highlight = lk.encode(np.array([1, -1]), lk.HIGHLIGHT).min()
    assert lk.encode(all_levels(), lk.NORMAL).max() < weakest_highlight
    assert lk.encode(all_levels(), lk.FADED).max() < lk.encode(np.array([1, -1]), lk.NORMAL).min()


def test_equally_strong_lines_of_both_signs_take_turns_on_top():
    pos, neg = lk.encode(np.arange(1, 9), lk.NORMAL), lk.encode(-np.arange(1, 9), lk.NORMAL)
    winners = ["+" if p > n else "−" for p, n in zip(pos, neg)]
    assert winners == ["−", "+"] * 4  # level 1: red on top, level 2: green, …


def test_states_fade_a_layer_and_highlight_a_neurons_lines_and_one_line():
    shape = (4, 6)  # weight layer 1: 6 neurons of layer 1 → 4 of layer 2
    assert (lk.line_states(shape, 1, faded=False) == lk.NORMAL).all()
    s = lk.line_states(shape, 1, faded=True, neurons=[(2, 3), (1, 5), (0, 2)], line=(1, 0, 0))
    assert (s[3, :] == lk.HIGHLIGHT).all(), "into neuron 3 of layer 2"
    assert (s[:, 5] == lk.HIGHLIGHT).all(), "out of neuron 5 of layer 1"
    assert s[0, 0] == lk.HIGHLIGHT
    assert (s[:3, :5][1:] == lk.FADED).all() and s[0, 1] == lk.FADED
    assert (lk.line_states(shape, 1, False, line=(0, 0, 0)) == lk.NORMAL).all(), "other layer"


def test_line_keys_of_a_network_in_flat_line_order():
    rng = np.random.default_rng(0)
    sizes = (6, 4, 3)
    values = [rng.standard_normal((sizes[l + 1], sizes[l])) for l in range(2)]
    values[0][2, 1] = 0.0
    keys = lk.line_keys(values, faded=[False, True])
    offsets = lay.line_offsets(sizes)
    assert keys.shape == (offsets[-1],) and keys.dtype == np.uint8
    first = keys[:offsets[1]].reshape(4, 6)
    assert first[2, 1] == 0, "a zero weight is not drawn"
    state, level, positive = lk.decode(first[first > 0])
    assert (state == lk.NORMAL).all() and (positive == (values[0][first > 0] > 0)).all()
    assert (lk.decode(keys[offsets[1]:])[0] == lk.FADED).all()
    assert (lk.line_keys(values, [False, False], neurons=[(2, 0)])[offsets[1]:offsets[1] + 4]
            >= lk.encode(np.array([1]), lk.HIGHLIGHT)[0]).all()


def test_line_keys_leave_out_lines_not_drawn_and_thin_to_the_strongest_k():
    rng = np.random.default_rng(1)
    values = [rng.standard_normal((5, 30)), rng.standard_normal((2, 5))]
    drawn = np.ones(5 * 30 + 2 * 5, dtype=bool)
    drawn[:30] = False  # the lines into neuron 0 of layer 1
    keys = lk.line_keys(values, [False, False], drawn=drawn)
    assert (keys[:30] == 0).all() and (keys[30:] > 0).all()
    thin = lk.line_keys(values, [False, False], top_k=3)[:150].reshape(5, 30)
    assert ((thin > 0).sum(axis=1) == 3).all()
    strongest = np.argsort(-np.abs(values[0]), axis=1)[:, :3]
    assert (np.take_along_axis(thin, strongest, axis=1) > 0).all()


def test_key_colours_are_the_sign_colours_premixed_with_the_background():
    rgb = lk.key_colors(BG, POS, NEG)
    assert rgb.shape == (256, 3) and rgb.dtype == np.uint8
    assert tuple(rgb[0]) == BG
    assert (rgb[3 * lk.STATE_STRIDE + 1:] == BG).all(), "keys no line gets"
    full = lk.encode(np.array([lay.LEVELS, -lay.LEVELS, TOP]), lk.NORMAL)
    assert tuple(rgb[full[0]]) == POS and tuple(rgb[full[1]]) == NEG
    assert tuple(rgb[full[2]]) == POS, "beyond the scale: full colour, only ordered higher"
    weak = lk.encode(np.array([1]), lk.NORMAL)[0]
    f = 1 / lay.LEVELS
    assert (rgb[weak] == mix_rgb(BG, POS, 0.06 + 0.94 * f ** 1.3)).all()


@pytest.mark.parametrize("level", [1, 8, lay.LEVELS])
def test_highlighted_lines_are_stronger_than_normal_and_faded_ones_weaker(level):
    rgb = lk.key_colors(BG, POS, NEG).astype(int)
    dist = [np.abs(rgb[lk.encode(np.array([level]), s)[0]] - BG).sum()
            for s in (lk.FADED, lk.NORMAL, lk.HIGHLIGHT)]
    assert dist[0] < dist[1] <= dist[2]
