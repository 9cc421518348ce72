"""mnist_style: crop, fit a 20×20 box keeping the aspect, centre by mass in 28×28."""

import numpy as np
import pytest

from mlpviz.core.preprocess import (
    area_resample,
    center_of_mass,
    mnist_style,
    soft_brush_segment,
    soft_brush_stroke,
)


def ink_box(img28: np.ndarray, threshold: float = 1e-6):
    rows = np.flatnonzero((img28 > threshold).any(axis=1))
    cols = np.flatnonzero((img28 > threshold).any(axis=0))
    return rows[0], rows[-1], cols[0], cols[-1]


def test_off_centre_bar_ends_centred_by_mass_inside_20_box():
    canvas = np.zeros((280, 280))
    canvas[20:120, 200:230] = 1.0  # a vertical bar, top right
    out = mnist_style(canvas)
    assert out.shape == (784,)
    img = out.reshape(28, 28)
    r, c = center_of_mass(img)
    assert abs(r - 14) <= 0.5 and abs(c - 14) <= 0.5
    r0, r1, c0, c1 = ink_box(img)
    assert r1 - r0 + 1 <= 20 and c1 - c0 + 1 <= 20
    assert r1 - r0 + 1 == 20  # the longer side fills the box
    assert img.min() >= 0.0 and img.max() <= 1.0 and img.max() == pytest.approx(1.0)


def test_aspect_ratio_is_kept():
    canvas = np.zeros((300, 300))
    canvas[100:140, 10:290] = 1.0  # 40 high × 280 wide: 1 : 7
    img = mnist_style(canvas).reshape(28, 28)
    r0, r1, c0, c1 = ink_box(img, threshold=0.5)
    assert c1 - c0 + 1 == 20
    assert r1 - r0 + 1 == 3  # 20 / 7 ≈ 2.9 rows of (mostly) full ink
    assert (img > 1e-6).any(axis=1).sum() <= 4  # plus at most one anti-aliased edge row


def test_values_stay_in_0_1_even_for_out_of_range_canvas():
    rng = np.random.default_rng(0)
    canvas = rng.uniform(-0.5, 1.5, size=(123, 77))
    out = mnist_style(canvas)
    assert out.min() >= 0.0 and out.max() <= 1.0


def test_empty_canvas_gives_zeros():
    assert np.array_equal(mnist_style(np.zeros((280, 280))), np.zeros(784))
    assert np.array_equal(mnist_style(np.full((50, 50), 1e-4)), np.zeros(784))


def test_a_blown_up_mnist_digit_comes_back_as_itself(bundled):
    """An MNIST digit is already 'MNIST style': upscaled 10× and preprocessed, it is unchanged."""
    for i in range(20):
        x = bundled.test_images[i].reshape(28, 28) / 255
        y = mnist_style(np.kron(x, np.ones((10, 10)))).reshape(28, 28)
        assert np.abs(y - x).max() < 0.05, i


def test_area_resample_keeps_the_mean_and_shape():
    rng = np.random.default_rng(1)
    img = rng.uniform(size=(200, 100))
    small = area_resample(img, 0.1)
    assert small.shape == (20, 10)
    assert small.mean() == pytest.approx(img.mean())
    assert small[3, 4] == pytest.approx(img[30:40, 40:50].mean())


def test_soft_brush_is_solid_in_the_core_and_fades_to_nothing():
    canvas = np.zeros((100, 100))
    soft_brush_segment(canvas, (20.0, 50.0), (80.0, 50.0), radius=10, softness=0.5)
    assert canvas[49, 50] == pytest.approx(1.0)  # on the line
    assert 0.0 < canvas[49 - 7, 50] < 1.0  # in the soft rim
    assert canvas[49 - 11, 50] == 0.0  # beyond the radius
    before = canvas.copy()
    soft_brush_stroke(canvas, [(20, 50), (80, 50)], radius=3)
    assert np.array_equal(canvas, before)  # overdrawing never darkens


def test_a_drawn_zero_and_one_look_different():
    one, zero = np.zeros((280, 280)), np.zeros((280, 280))
    soft_brush_stroke(one, [(140, 40), (140, 240)], radius=12)
    t = np.linspace(0, 2 * np.pi, 40)
    soft_brush_stroke(zero, np.c_[140 + 60 * np.sin(t), 140 + 90 * np.cos(t)], radius=12)
    a, b = mnist_style(one).reshape(28, 28), mnist_style(zero).reshape(28, 28)
    assert a[14, 14] > 0.9 and b[14, 14] < 0.1  # the 1 is inked in the middle, the 0 is hollow
