"""signed_rgb: green for positive, red for negative, the background at 0."""

import numpy as np
import pytest

from mlpviz.core.colormap import hex_to_rgb, robust_scale, signed_rgb, signed_rgb_per_image

BG, POS, NEG = (10, 20, 30), (0, 200, 0), (250, 0, 0)


def test_signs_map_to_their_colours_and_zero_to_background():
    rgb = signed_rgb(np.array([[1.0, -1.0, 0.0, 0.5]]), background=BG, positive=POS, negative=NEG)
    assert rgb.dtype == np.uint8 and rgb.shape == (1, 4, 3)
    assert tuple(rgb[0, 0]) == POS
    assert tuple(rgb[0, 1]) == NEG
    assert tuple(rgb[0, 2]) == BG
    assert tuple(rgb[0, 3]) == (5, 110, 15)  # halfway from BG to POS


def test_default_scale_is_symmetric_max_abs():
    rgb = signed_rgb(np.array([2.0, -4.0]), background=(0, 0, 0), positive=(0, 200, 0),
                     negative=(200, 0, 0))
    assert tuple(rgb[1]) == (200, 0, 0)
    assert tuple(rgb[0]) == (0, 100, 0)


def test_explicit_scale_clips_and_bad_values_are_safe():
    rgb = signed_rgb(np.array([10.0, np.nan, -np.inf]), scale=1.0, background=BG, positive=POS,
                     negative=NEG)
    assert tuple(rgb[0]) == POS and tuple(rgb[1]) == BG and tuple(rgb[2]) == NEG
    zeros = signed_rgb(np.zeros((2, 2)), background=BG)
    assert (zeros == np.array(BG, dtype=np.uint8)).all()


def test_per_image_scaling_gives_each_image_full_colour():
    stack = np.array([[[0.01, -0.005]], [[100.0, 0.0]]])
    rgb = signed_rgb_per_image(stack, background=BG, positive=POS, negative=NEG)
    assert rgb.shape == (2, 1, 2, 3)
    assert tuple(rgb[0, 0, 0]) == POS and tuple(rgb[1, 0, 0]) == POS


def test_robust_scale_ignores_one_outlier():
    v = np.r_[np.linspace(-1, 1, 999), 1000.0]
    assert robust_scale(v) < 2
    assert robust_scale(np.zeros(3)) == 1.0


def test_hex_to_rgb():
    assert hex_to_rgb("#2ecc40") == (46, 204, 64)
    with pytest.raises(ValueError):
        hex_to_rgb("#fff")


def test_updated_colors_replaces_only_what_is_given():
    from mlpviz.core.colormap import updated_colors

    current = ((0, 0, 0), (0, 255, 0), (255, 0, 0))
    assert updated_colors(current) == current
    assert updated_colors(current, positive="#102030") == ((0, 0, 0), (16, 32, 48), (255, 0, 0))


def test_mix_rgb_goes_from_one_colour_to_the_other_and_clips():
    from mlpviz.core.colormap import mix_rgb

    a, b = (0, 100, 200), (200, 100, 0)
    out = mix_rgb(a, b, np.array([0.0, 0.25, 1.0, 2.0, -1.0]))
    assert out.dtype == np.uint8 and out.shape == (5, 3)
    assert out.tolist() == [[0, 100, 200], [50, 100, 150], [200, 100, 0], [200, 100, 0],
                            [0, 100, 200]]


def test_pack_rgb32_makes_opaque_0xffrrggbb_pixels():
    from mlpviz.core.colormap import pack_rgb32

    px = pack_rgb32(np.array([[[0x12, 0x34, 0x56], [255, 0, 1]]], dtype=np.uint8))
    assert px.dtype == np.uint32 and px.tolist() == [[0xFF123456, 0xFFFF0001]]
