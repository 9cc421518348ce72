"""Network-view geometry, line colouring and hit-testing (core.layout), without Qt."""

import numpy as np
import pytest

from mlpviz.core import layout as lay

W, H = 1280.0, 800.0
MARGINS = (16, 40, 140, 80)


def default_layout(style="image", sizes=(784, 16, 16, 10)):
    return lay.compute_layout(sizes, W, H, style, MARGINS)


# -- layout ----------------------------------------------------------------------------------------
def test_default_layout_places_every_neuron_inside_the_margins():
    L = default_layout()
    assert L.input_style == "image" and L.image_side == 28
    left, top, right, bottom = MARGINS
    for l, (c, r) in enumerate(zip(L.centers, L.radius)):
        assert c.shape == (L.sizes[l], 2)
        assert np.all(c[:, 0] - r >= left - 1e-9) and np.all(c[:, 0] + r <= W - right + 1e-9)
        assert np.all(c[:, 1] - r >= top - 1e-9) and np.all(c[:, 1] + r <= H - bottom + 1e-9)
    assert np.all(np.diff(L.columns) > 0), "layers go left to right"
    for c in L.centers[1:]:
        assert np.all(np.diff(c[:, 1]) > 0), "neurons go top to bottom"


def test_input_image_block_puts_pixel_k_at_row_k_div_28():
    L = default_layout()
    x, y, block, block2 = L.image_rect
    assert block == block2
    px = block / 28
    c = L.centers[0]
    k = 5 * 28 + 17  # row 5, column 17
    assert c[k] == pytest.approx([x + 17.5 * px, y + 5.5 * px])


def test_lines_leave_the_image_edge_in_pixel_order_and_end_at_the_target_circle():
    L = default_layout()
    x, y, block, _ = L.image_rect
    seg = L.segments[0]
    assert seg.shape == (16, 784, 4)
    assert np.allclose(seg[..., 0], x + block)
    assert np.all(np.diff(seg[0, :, 1]) > 0), "input k leaves at height (k + ½)/784 of the block"
    assert y < seg[0, :, 1].min() and seg[0, :, 1].max() < y + block
    for l in range(3):
        end = L.segments[l][..., 2:]
        dist = np.hypot(*(end - L.centers[l + 1][:, None, :]).transpose(2, 0, 1))
        assert np.allclose(dist, 0.9 * L.radius[l + 1])


@pytest.mark.parametrize("sizes", [(784, 128, 10), (784, 128, 128, 128, 128, 10), (784, 1, 10)])
def test_big_and_small_hidden_layers_fit_without_overlapping_circles(sizes):
    L = default_layout(sizes=sizes)
    for c, r in zip(L.centers[1:], L.radius[1:]):
        assert r > 0
        if len(c) > 1:
            assert np.diff(c[:, 1]).min() >= 1.9 * r
        assert c[0, 1] - r >= MARGINS[1] - 1e-9 and c[-1, 1] + r <= H - MARGINS[3] + 1e-9
    assert len(L.segments) == len(sizes) - 1


def test_circles_input_shows_a_few_inputs_and_an_ellipsis():
    L = default_layout("circles")
    assert L.input_style == "circles" and L.image_rect is None and L.ellipsis is not None
    shown = L.shown_inputs
    assert 2 <= len(shown) <= 16 and shown[0] == 0 and shown[-1] == 783
    assert np.isfinite(L.centers[0][shown]).all()
    hidden = np.setdiff1d(np.arange(784), shown)
    assert np.isnan(L.centers[0][hidden]).all()
    drawable = L.drawable()
    assert drawable[: 784 * 16].sum() == 16 * len(shown), "only shown inputs have lines"


def test_small_non_square_input_falls_back_to_circles_all_shown():
    L = lay.compute_layout((3, 4, 2), 1, 1)
    assert L.input_style == "circles" and len(L.shown_inputs) == 3 and L.ellipsis is None
    assert L.drawable().all()


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        lay.compute_layout((784,), W, H)
    with pytest.raises(ValueError):
        lay.compute_layout((784, 16), W, H, "dots")


# -- colouring -------------------------------------------------------------------------------------
def test_robust_scale_ignores_a_few_outliers():
    v = np.r_[np.linspace(-1, 1, 1000), 500.0]
    assert lay.robust_scale(v) == pytest.approx(np.percentile(np.abs(v), 99))
    assert lay.robust_scale(v) < 2
    assert lay.robust_scale(np.zeros(5)) == 1.0


def test_line_levels_keep_sign_grow_with_magnitude_and_clip():
    v = np.array([-3.0, -1.0, -0.01, 0.0, 0.01, 0.5, 1.0, 7.0])
    lev = lay.line_levels(v, scale=1.0)
    assert list(np.sign(lev)) == [-1, -1, -1, 0, 1, 1, 1, 1]
    assert lev[0] == -lay.LEVELS and lev[-1] == lay.LEVELS and lev[6] == lay.LEVELS
    assert 1 <= lev[4] < lev[5] < lev[6]


def test_top_k_keeps_the_strongest_k_lines_into_each_neuron():
    rng = np.random.default_rng(0)
    Wl = rng.standard_normal((16, 784))
    mask = lay.top_k_mask(Wl, 5)
    assert mask.shape == Wl.shape and (mask.sum(axis=1) == 5).all()
    kept_min = np.where(mask, np.abs(Wl), np.inf).min(axis=1)
    dropped_max = np.where(mask, -np.inf, np.abs(Wl)).max(axis=1)
    assert (kept_min >= dropped_max).all()
    assert lay.top_k_mask(Wl, None).all() and lay.top_k_mask(Wl, 0).all()
    assert lay.top_k_mask(Wl, 10_000).all()


def test_top_k_thinning_reduces_the_lines_drawn():
    rng = np.random.default_rng(1)
    Wl = rng.standard_normal((16, 784))
    lev = lay.line_levels(Wl, lay.robust_scale(Wl))
    keys = np.abs(lev).astype(np.uint8)
    all_lines = sum(len(i) for _, i in lay.bucket_lines(keys))
    thinned = sum(len(i) for _, i in lay.bucket_lines(np.where(lay.top_k_mask(Wl, 3), keys, 0)))
    assert all_lines == 16 * 784 and thinned == 16 * 3


def test_buckets_come_weakest_first_and_skip_key_zero():
    keys = np.array([3, 0, 1, 3, 2, 1, 0], dtype=np.uint8)
    buckets = lay.bucket_lines(keys)
    assert [k for k, _ in buckets] == [1, 2, 3]
    assert [list(i) for _, i in buckets] == [[2, 5], [4], [0, 3]]


# -- raster ----------------------------------------------------------------------------------------
def test_raster_draws_each_line_and_the_bigger_key_wins_where_lines_cross():
    seg = np.array([[1.5, 5.5, 18.5, 5.5],  # horizontal, row 5
                    [10.5, 0.5, 10.5, 9.5]])  # vertical, column 10
    r = lay.LineRaster(seg, 20, 10)
    img = r.render(np.array([7, 3], dtype=np.uint8))
    assert (img[5, 1:19] == 7).all() and img[5, 0] == 0 and img[5, 19] == 0
    assert (img[[0, 1, 2, 3, 4, 6, 7, 8, 9], 10] == 3).all()
    img = r.render(np.array([2, 3], dtype=np.uint8))
    assert img[5, 10] == 3 and img[5, 9] == 2
    img = r.render(np.array([0, 3], dtype=np.uint8))
    assert img[5, 9] == 0, "key 0 is not drawn"


def test_raster_paints_colours_and_thick_lines_cover_two_rows():
    seg = np.array([[0.5, 4.5, 9.5, 4.5]])
    r = lay.LineRaster(seg, 10, 10, thickness=2)
    out = np.full((10, 10), 9, dtype=np.uint32)
    colors = np.arange(256, dtype=np.uint32) * 10
    r.paint(np.array([5], dtype=np.uint8), colors, out)
    assert (out[4:6, :] == 50).all() and (out[3, :] == 9).all() and (out[6, :] == 9).all()


def test_raster_of_the_default_network_matches_its_estimate():
    L = default_layout()
    seg = L.flat_segments()
    r = lay.LineRaster(seg, int(W), int(H))
    assert r.pairs == lay.estimate_pixels(seg)
    drawn = set(np.unique(r.line_index)) - {r.n_lines}  # n_lines: the padding
    assert drawn == set(range(len(seg))), "every one of the 12,960 lines"


def test_raster_gives_every_pixel_the_biggest_key_through_it_like_drawing_in_key_order():
    L = lay.compute_layout((784, 16, 12, 10), 640, 400, "image", MARGINS)
    seg = L.flat_segments()
    thick = np.where(np.arange(len(seg)) < 784 * 16, 1, 2)
    r = lay.LineRaster(seg, 640, 400, thick)
    pix, line = lay.rasterize_segments(seg, 640, 400, thick)
    rng = np.random.default_rng(0)
    for _ in range(3):
        keys = rng.integers(0, 256, len(seg)).astype(np.uint8)
        keys[rng.random(len(seg)) < 0.3] = 0
        want = np.zeros(640 * 400, dtype=np.uint8)
        np.maximum.at(want, pix, keys[line])
        assert (r.render(keys) == want.reshape(400, 640)).all()


def test_raster_groups_pad_by_at_most_an_eighth():
    counts = np.array([1, 2, 8, 9, 16, 17, 31, 130])
    assert lay.group_width(counts).tolist() == [1, 2, 8, 9, 16, 18, 32, 144]
    c = np.arange(1, 5000)
    w = lay.group_width(c)
    assert (w >= c).all() and (w <= c * 9 / 8).all()


# -- hit-testing -----------------------------------------------------------------------------------
def test_neuron_at_finds_circles_and_input_pixels():
    L = default_layout()
    for l in (1, 2, 3):
        for j in (0, L.sizes[l] // 2, L.sizes[l] - 1):
            x, y = L.centers[l][j]
            assert lay.neuron_at(L, x + 0.5 * L.radius[l], y) == (l, j)
    x, y = L.centers[0][3 * 28 + 20]
    assert lay.neuron_at(L, x, y) == (0, 3 * 28 + 20)
    assert lay.neuron_at(L, W - 1, 1) is None


def test_line_at_finds_the_line_under_the_point_preferring_the_one_on_top():
    L = lay.compute_layout((4, 3, 2), 400, 300)
    seg = L.flat_segments()
    i = L.offsets[1] + 1 * 3 + 2  # W[1][1, 2]
    x1, y1, x2, y2 = seg[i]
    mid = ((x1 + x2) / 2, (y1 + y2) / 2)
    assert lay.line_at(L, *mid) == (1, 1, 2)
    keys = np.ones(len(seg), dtype=np.uint8)
    keys[i] = 0
    hit = lay.line_at(L, *mid, keys=keys)
    assert hit != (1, 1, 2)
    assert lay.line_at(L, 1, 1) is None


def test_split_line_index_inverts_the_flat_order():
    sizes = (784, 16, 16, 10)
    offs = lay.line_offsets(sizes)
    assert offs[-1] == 12_960
    for l, j, k in [(0, 0, 0), (0, 15, 783), (1, 3, 7), (2, 9, 15)]:
        assert lay.split_line_index(sizes, offs[l] + j * sizes[l] + k) == (l, j, k)


def test_auto_top_k_keeps_big_networks_under_the_line_budget():
    from mlpviz.core.layout import auto_top_k

    assert auto_top_k([784, 16, 16, 10], 20_000) is None  # the default network: every line
    k = auto_top_k([784, 128, 128, 128, 128, 10], 20_000)
    drawn = lambda k: sum(o * min(k, i) for i, o in zip([784, 128, 128, 128, 128],
                                                          [128, 128, 128, 128, 10]))
    assert drawn(k) <= 20_000 < drawn(k + 1)
