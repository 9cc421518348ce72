"""The signs' palettes and the colour-blind simulation that judges them (core.palette,
core.colour_vision): blue/orange stays apart for deuteranopes and protanopes, green/red does not."""

import numpy as np
import pytest

from mlpviz.core import colour_vision as cv
from mlpviz.core.colormap import sign_colors, signed_rgb
from mlpviz.core.palette import COLOUR_BLIND, LESSON, PALETTES, get_palette

# The backgrounds the app draws signs on: the dark and light themes' canvas and panel (core does
# not import the theme; tests/gui/test_palette_gui.py checks these are the theme's).
BACKGROUNDS = ("#0e1116", "#1a2029", "#fbfbf8", "#eceef1")


def test_srgb_round_trip_and_known_points():
    levels = np.arange(256, dtype=np.float64)[:, None].repeat(3, axis=1)
    assert np.allclose(cv.to_srgb(cv.to_linear(levels)), levels, atol=1e-9)
    assert np.allclose(cv.to_linear([[255, 255, 255], [0, 0, 0]]), [[1, 1, 1], [0, 0, 0]])
    assert cv.to_linear([[128, 128, 128]])[0, 0] == pytest.approx(0.2158605, abs=1e-6)


def test_lab_of_white_black_and_red():
    assert np.allclose(cv.lab([255, 255, 255]), [100, 0, 0], atol=0.01)
    assert np.allclose(cv.lab([0, 0, 0]), [0, 0, 0], atol=0.01)
    assert np.allclose(cv.lab([255, 0, 0]), [53.24, 80.09, 67.20], atol=0.05)  # sRGB red


@pytest.mark.parametrize("kind", sorted(cv.MACHADO))
def test_simulation_keeps_greys_and_merges_what_the_deficiency_merges(kind):
    greys = np.array([[g, g, g] for g in (0, 40, 128, 200, 255)], dtype=np.float64)
    assert np.allclose(cv.simulate(greys, kind), greys, atol=0.6)  # rows of M add up to ≈ 1
    # Pure red and a green of the same simulated lightness fall together (the classic confusion);
    # blue and yellow stay far apart.
    red_green = cv.delta_e(cv.simulate([255, 0, 0], kind), cv.simulate([0, 255, 0], kind))
    normal = cv.delta_e([255, 0, 0], [0, 255, 0])
    assert red_green < normal / 2
    blue_yellow = cv.delta_e(cv.simulate([0, 0, 255], kind), cv.simulate([255, 255, 0], kind))
    assert blue_yellow > 60


@pytest.mark.parametrize("background", BACKGROUNDS)
@pytest.mark.parametrize("kind", sorted(cv.MACHADO))
def test_colour_blind_palette_keeps_the_signs_apart(background, kind):
    contrast = cv.sign_contrast(COLOUR_BLIND, background, kind)
    assert contrast.distinguishable, contrast
    assert contrast.delta_e >= cv.DISTINGUISHABLE


@pytest.mark.parametrize("background", BACKGROUNDS)
def test_the_lessons_green_red_is_weak_for_deuteranopes(background):
    """What the simulation says of the default, and what the menu's tooltip repeats."""
    weakest = min((cv.sign_contrast(LESSON, background, k) for k in cv.MACHADO),
                  key=lambda c: c.delta_e)
    assert not weakest.distinguishable
    note = cv.palette_note(LESSON, background)
    assert "hard to tell apart" in note and f"ΔE {weakest.delta_e:.0f}" in note


def test_the_notes_follow_the_numbers_on_many_backgrounds():
    """Every note is true for its background: 'stay apart' exactly when both simulations pass."""
    rng = np.random.default_rng(11)
    for rgb in rng.integers(0, 256, size=(60, 3)):
        bg = "#{:02x}{:02x}{:02x}".format(*rgb)
        for palette in PALETTES.values():
            apart = all(cv.sign_contrast(palette, bg, k).distinguishable for k in cv.MACHADO)
            note = cv.palette_note(palette, bg)
            assert ("stay apart" in note) == apart, (bg, palette.name, note)
            assert ("hard to tell apart" in note) == (not apart)


def test_palette_picks_its_pair_by_the_background():
    assert LESSON.on("#000000") is LESSON.dark and LESSON.on((255, 255, 255)) is LESSON.light
    assert COLOUR_BLIND.on("#0e1116").accent and COLOUR_BLIND.words == ("blue", "orange")
    assert get_palette("colour-blind") is COLOUR_BLIND
    with pytest.raises(ValueError, match="lesson"):
        get_palette("rainbow")


def test_signed_rgb_takes_the_palette():
    v = np.array([1.0, -1.0, 0.0])
    for palette in PALETTES.values():
        for bg in ((0, 0, 0), (251, 251, 248)):
            pos, neg = sign_colors(palette, bg)
            rgb = signed_rgb(v, background=bg, palette=palette)
            assert tuple(rgb[0]) == pos and tuple(rgb[1]) == neg and tuple(rgb[2]) == bg
    assert not np.array_equal(signed_rgb(v, palette=LESSON), signed_rgb(v, palette=COLOUR_BLIND))


def test_the_readme_quotes_the_simulation():
    """README's figures are the simulation's, on the themes' backgrounds."""
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    blind = min(cv.sign_contrast(COLOUR_BLIND, bg, k).delta_e
                for bg in BACKGROUNDS for k in cv.MACHADO)
    lesson = [cv.sign_contrast(LESSON, bg, "deuteranopia").delta_e for bg in BACKGROUNDS]
    said = " ".join(readme.split())
    assert f"blue and orange stay ΔE ≥ {int(blind)} apart" in said
    assert f"green and red only ΔE {min(lesson):.0f}–{max(lesson):.0f} for deuteranopia" in said
