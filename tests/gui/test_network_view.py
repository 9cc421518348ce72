"""The network view, rendered offscreen and checked pixel by pixel against the core's numbers."""

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QColor, QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from mlpviz.core import layout as lay
from mlpviz.core.network import Network
from mlpviz.core.overlay import Overlay
from mlpviz.core.snapshot import Snapshot
from mlpviz.gui.theme import DARK, LIGHT, mix, rgb
from mlpviz.core.explain import fixed
from mlpviz.gui.views.network_view import NetworkView

SIZE = (1280, 800)


@pytest.fixture(scope="module")
def data(bundled):
    return bundled


@pytest.fixture(scope="module")
def trained(trained_default):
    """The default network after 200 mini-batches."""
    return trained_default(200)


def signed_snapshot(flip=False):
    """Default shape, all weights 0 except: W0 rows 2 (+1) and 12 (−1), W1 rows 3 (+1) and 7 (−1).
    Zero weights are not drawn, so the only lines are into those four neurons."""
    net = Network([784, 16, 16, 10], seed=0)
    Ws = [np.zeros_like(W) for W in net.weights]
    s = -1.0 if flip else 1.0
    Ws[0][2], Ws[0][12] = s, -s
    Ws[1][3], Ws[1][7] = s, -s
    net.set_parameters(Ws, net.biases)
    return Snapshot.of(net)


def make_view(qtbot, snap, size=SIZE, raster="auto", **setters):
    view = NetworkView()
    view._raster_mode = raster
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    view.set_class_names([str(i) for i in range(snap.sizes[-1])])
    view.set_snapshot(snap)
    for name, value in setters.items():
        getattr(view, f"set_{name}")(value)
    return view


def image(view):
    return view.grab().toImage()


def pixel(img, x, y):
    c = QColor(img.pixel(int(x), int(y)))
    return np.array([c.red(), c.green(), c.blue()])


def strongest_pixel(img, x, y):
    """The most colourful pixel (biggest |g − r|) in the 3×3 block at (x, y): lines are 1–2 px."""
    best = None
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            p = pixel(img, x + dx, y + dy)
            if best is None or abs(p[1] - p[0]) > abs(best[1] - best[0]):
                best = p
    return best


def layout_of(view):
    return view._geometry().layout


def along(view, l, j, k, t):
    """The point a fraction t along line W[l][j, k] (t = 1 at the target neuron)."""
    x1, y1, x2, y2 = layout_of(view).segments[l][j, k]
    return x1 + t * (x2 - x1), y1 + t * (y2 - y1)


def changed_pixels(a, b):
    """How many pixels differ between two QImages of the same size."""
    def arr(img):
        img = img.convertToFormat(img.Format.Format_RGB32)
        return np.array(img.constBits(), dtype=np.uint8).reshape(img.height(), img.width(), 4)
    return int((np.abs(arr(a).astype(int) - arr(b).astype(int)).sum(axis=2) > 24).sum())


# -- line colours ----------------------------------------------------------------------------------
@pytest.mark.parametrize("raster", ["numpy", "qt"])
def test_line_colours_follow_weight_signs(qtbot, raster):
    # Lines into the upper neuron from the top inputs and into the lower one from the bottom
    # inputs never cross a line of the other sign, so each sample sees one colour.
    lines = [(0, 2, k, +1) for k in (0, 1, 2)] + [(0, 12, k, -1) for k in (783, 782, 781)]
    lines += [(1, 3, k, +1) for k in (0, 1)] + [(1, 7, k, -1) for k in (15, 14)]
    for flip in (False, True):
        view = make_view(qtbot, signed_snapshot(flip), raster=raster)
        img = image(view)
        for l, j, k, sign in lines:
            sign = -sign if flip else sign
            for t in (0.5, 0.85):
                r, g, _ = strongest_pixel(img, *along(view, l, j, k, t))
                if sign > 0:
                    assert g > r + 60, f"W{l}[{j},{k}] > 0 should be green, got {r, g} ({raster})"
                else:
                    assert r > g + 60, f"W{l}[{j},{k}] < 0 should be red, got {r, g} ({raster})"
        # no line is drawn where every weight is 0 (W2, between hidden layer 2 and the outputs)
        bg = np.array(rgb(DARK.background))
        for j, k in [(0, 5), (4, 12), (9, 0)]:
            assert np.abs(pixel(img, *along(view, 2, j, k, 0.5)) - bg).sum() < 10
        view.close()


def test_stronger_weights_are_drawn_stronger(qtbot):
    net = Network([784, 16, 16, 10], seed=0)
    Ws = [np.zeros_like(W) for W in net.weights]
    Ws[1][3] = np.linspace(0.01, 1.0, 16)  # line k gets weight ∝ k + 1
    net.set_parameters(Ws, net.biases)
    view = make_view(qtbot, Snapshot.of(net), raster="numpy")
    img = image(view)
    weak = strongest_pixel(img, *along(view, 1, 3, 1, 0.5))
    strong = strongest_pixel(img, *along(view, 1, 3, 15, 0.5))
    assert strong[1] > weak[1] + 80


# -- activations -----------------------------------------------------------------------------------
def test_set_input_shows_the_cores_activations_as_circle_brightness(qtbot, trained, data):
    view = make_view(qtbot, trained)
    assert view.activations() is None
    seen = []
    for i in (0, 1):
        x = data.test_x()[i]
        view.set_input(x)
        acts = view.activations()
        want = trained.forward_all(x)
        assert len(acts) == 4
        for a, b in zip(acts, want):
            np.testing.assert_allclose(a, b)
        img = image(view)
        L = layout_of(view)
        for l in (1, 2, 3):
            for j in range(L.sizes[l]):
                expect = np.array(rgb(mix(DARK.neuron_off, DARK.neuron_on, acts[l][j])))
                got = pixel(img, *L.centers[l][j])
                assert np.abs(got - expect).max() <= 3, (l, j, got, expect)
        seen.append(acts[2].copy())
    assert not np.allclose(seen[0], seen[1])
    view.set_input(None)
    assert view.activations() is None


def test_new_weights_recompute_the_activations_of_the_shown_sample(qtbot, trained, data):
    view = make_view(qtbot, signed_snapshot())
    x = data.test_x()[3]
    view.set_input(x)
    view.set_snapshot(trained)
    np.testing.assert_allclose(view.activations()[-1], trained.forward_all(x)[-1])


def test_the_winning_output_gets_an_accent_ring(qtbot, trained, data):
    view = make_view(qtbot, trained, input=data.test_x()[0])
    win = int(np.argmax(view.activations()[-1]))
    L = layout_of(view)
    img = image(view)
    x, y = L.centers[3][win]
    ring = [pixel(img, x, y - L.radius[3] - d) for d in range(1, 7)]
    accent = np.array(rgb(DARK.accent))
    assert min(np.abs(p - accent).sum() for p in ring) < 40


# -- tooltips and clicks ---------------------------------------------------------------------------
def test_hover_tooltip_gives_the_cores_a_z_and_b(qtbot, trained, data):
    x, label = data.test_x()[0], int(data.test_labels[0])
    view = make_view(qtbot, trained, input=x)
    trace = trained.network().backprop(x, label)
    L = layout_of(view)
    for l, j in [(1, 4), (2, 11), (3, label)]:
        qtbot.mouseMove(view, QPoint(*(int(v) for v in L.centers[l][j])))
        qtbot.waitUntil(lambda: view.toolTip() != "", timeout=30_000)  # (5 s failed at load 11)
        tip = view.toolTip()
        a, z, b = trace.a[l][j], trace.z[l][j], trained.biases[l - 1][j]
        assert f"a = {fixed(a)}" in tip and f"z = {fixed(z)}" in tip and f"b = {fixed(b)}" in tip, tip
        assert f"σ({fixed(z - b)} " in tip and f"= {fixed(a)}" in tip, tip
    # a line: its weight and both ends
    qtbot.mouseMove(view, QPoint(*(int(v) for v in along(view, 2, 6, 2, 0.5))))
    qtbot.waitUntil(lambda: view.toolTip().startswith("weight"), timeout=30_000)
    tip = view.toolTip()
    hit = view._hover
    assert hit[0] == "line"
    _, l, j, k = hit
    assert f"{trained.weights[l][j, k]:+.3f}".replace("-", "−") in tip
    assert "from " in tip and "to " in tip


@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_tooltip_event_shows_the_pixel_under_the_mouse(qtbot, trained, data):
    x = data.test_x()[0]
    view = make_view(qtbot, trained, input=x)
    k = 14 * 28 + 14
    pos = QPoint(*(int(v) for v in layout_of(view).centers[0][k]))
    QApplication.sendEvent(view, QHelpEvent(QEvent.Type.ToolTip, pos, view.mapToGlobal(pos)))
    assert QToolTip.isVisible()
    assert "input pixel 406 (row 14, column 14)" in QToolTip.text()
    assert f"a = {fixed(x[k])}" in QToolTip.text()
    QToolTip.hideText()


def test_clicking_a_neuron_emits_its_layer_and_index(qtbot, trained):
    view = make_view(qtbot, trained)
    L = layout_of(view)
    for l, j in [(2, 5), (3, 9), (1, 0)]:
        pos = QPoint(*(int(round(v)) for v in L.centers[l][j]))
        with qtbot.waitSignal(view.neuron_clicked, timeout=1000) as blocker:
            qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=pos)
        assert blocker.args == [l, j]
    x, y = L.centers[0][10 * 28 + 14]
    with qtbot.waitSignal(view.neuron_clicked, timeout=1000) as blocker:
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=QPoint(int(x), int(y)))
    assert blocker.args == [0, 10 * 28 + 14]


def test_clicking_a_line_emits_its_weight_index(qtbot):
    view = make_view(qtbot, signed_snapshot())
    pos = QPoint(*(int(round(v)) for v in along(view, 1, 3, 0, 0.5)))
    with qtbot.waitSignal(view.weight_clicked, timeout=1000) as blocker:
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=pos)
    assert blocker.args == [1, 3, 0]


# -- options ---------------------------------------------------------------------------------------
def coloured(img, bg):
    """Pixels that are not the background."""
    a = img.convertToFormat(img.Format.Format_RGB32)
    arr = np.array(a.constBits(), dtype=np.uint8).reshape(a.height(), a.width(), 4)[..., 2::-1]
    return int((np.abs(arr.astype(int) - np.array(bg)).sum(axis=2) > 12).sum())


def test_top_k_draws_fewer_lines(qtbot, trained):
    view = make_view(qtbot, trained, raster="numpy")
    full = coloured(image(view), rgb(DARK.background))
    view.set_top_k(2)
    thin = coloured(image(view), rgb(DARK.background))
    view.set_top_k(None)
    again = coloured(image(view), rgb(DARK.background))
    assert thin < 0.6 * full and again == full


def test_gradient_mode_colours_lines_by_the_nudge_minus_dC_dW(qtbot):
    snap = signed_snapshot()  # W1 row 3 > 0 (green), row 7 < 0 (red)
    grads = [np.zeros_like(W) for W in snap.weights]
    grads[1][3], grads[1][7] = 1.0, -1.0  # −∂C/∂W: row 3 should shrink (red), row 7 grow (green)
    view = make_view(qtbot, snap, raster="numpy", gradient=grads)
    r, g, _ = strongest_pixel(image(view), *along(view, 1, 3, 8, 0.7))
    assert g > r + 60, "weights mode until asked"
    view.set_line_mode("gradient")
    img = image(view)
    r, g, _ = strongest_pixel(img, *along(view, 1, 3, 8, 0.7))
    assert r > g + 60
    r, g, _ = strongest_pixel(img, *along(view, 1, 7, 8, 0.7))
    assert g > r + 60
    with pytest.raises(ValueError):
        view.set_line_mode("sideways")


def test_overlay_draws_nudges_line_values_focus_text_and_caption(qtbot, trained, data):
    view = make_view(qtbot, trained, input=data.test_x()[0], raster="numpy")
    before = image(view)
    nudges = np.linspace(-1, 1, 10)
    values = np.zeros((10, 16))
    values[9] = 1.0
    ov = Overlay(nudges={3: nudges}, line_values={2: values}, focus=(3, 9),
                 neuron_text={(2, 4): "+0.42"}, caption="Raise the right output", dim_others=True)
    view.set_overlay(ov)
    after = image(view)
    assert changed_pixels(before, after) > 2000
    L = layout_of(view)
    x, y = L.centers[3][9]  # nudge +1: a green arrow going up from the circle
    r = L.radius[3]
    above = max((strongest_pixel(after, x, y - r - d) for d in range(2, 12)),
                key=lambda p: p[1] - p[0])
    assert above[1] > above[0] + 60
    x, y = L.centers[3][0]  # nudge −1: red, going down
    below = max((strongest_pixel(after, x, y + r + d) for d in range(2, 12)),
                key=lambda p: p[0] - p[1])
    assert below[0] > below[1] + 60
    r_, g_, _ = strongest_pixel(after, *along(view, 2, 9, 5, 0.6))
    assert g_ > r_ + 60, "line_values colour their layer"
    assert changed_pixels(before.copy(0, 0, SIZE[0], 40), after.copy(0, 0, SIZE[0], 40)) > 50
    view.set_overlay(Overlay(lit_layers=2))
    unlit = image(view)
    off = np.array(rgb(DARK.neuron_off))
    for j in range(16):
        assert np.abs(pixel(unlit, *L.centers[2][j]) - off).max() <= 3, "layer 2 is not lit yet"
    view.set_overlay(None)
    assert changed_pixels(before, image(view)) == 0


@pytest.mark.parametrize("sizes", [[784, 128, 10], [784, 128, 128, 128, 128, 10], [784, 16, 10]])
def test_one_to_four_hidden_layers_render(qtbot, data, sizes):
    snap = Snapshot.of(Network(sizes, seed=1))
    view = make_view(qtbot, snap, input=data.test_x()[0])
    img = image(view)
    L = layout_of(view)
    acts = view.activations()
    for l in range(1, len(sizes)):
        for j in (0, sizes[l] // 2, sizes[l] - 1):
            expect = np.array(rgb(mix(DARK.neuron_off, DARK.neuron_on, acts[l][j])))
            assert np.abs(pixel(img, *L.centers[l][j]) - expect).max() <= 3
    assert coloured(img, rgb(DARK.background)) > 50_000


def test_light_theme_renders_in_its_own_colours(qtbot):
    view = make_view(qtbot, signed_snapshot(), raster="numpy")
    view.set_theme(LIGHT)
    img = image(view)
    assert (pixel(img, 3, 3) == rgb(LIGHT.background)).all()
    r, g, _ = strongest_pixel(img, *along(view, 1, 3, 8, 0.7))
    assert g > r + 40
    r, g, _ = strongest_pixel(img, *along(view, 1, 7, 8, 0.7))
    assert r > g + 40


def test_circles_input_style_shows_a_column_and_reports_clicks(qtbot, trained, data):
    view = make_view(qtbot, trained, input=data.test_x()[0], input_style="circles")
    L = layout_of(view)
    assert L.input_style == "circles"
    k = int(L.shown_inputs[5])
    x, y = L.centers[0][k]
    img = image(view)
    expect = np.array(rgb(mix(DARK.neuron_off, DARK.neuron_on, data.test_x()[0][k])))
    assert np.abs(pixel(img, x, y) - expect).max() <= 3
    with qtbot.waitSignal(view.neuron_clicked, timeout=1000) as blocker:
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=QPoint(int(x), int(y)))
    assert blocker.args == [0, k]


def test_view_follows_resizes(qtbot, trained):
    view = make_view(qtbot, trained)
    first = layout_of(view)
    view.resize(900, 600)
    qtbot.waitUntil(lambda: layout_of(view).width == 900)
    second = layout_of(view)
    assert second.height == 600 and second.columns[-1] < first.columns[-1]
    img = image(view)
    assert img.width() == 900
    assert lay.neuron_at(second, *second.centers[2][3]) == (2, 3)


def test_empty_view_paints(qtbot):
    view = NetworkView()
    qtbot.addWidget(view)
    view.resize(400, 300)
    assert view.grab().width() == 400
    assert view.activations() is None


@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_layer_captions_explain_their_layer_with_the_networks_numbers(qtbot, data):
    snap = Snapshot.of(Network([784, 20, 12, 10], seed=0))
    view = make_view(qtbot, snap)
    g = view._geometry()
    captions = view._caption_rects(g)
    assert [t for _, t, _ in captions] == ["input 784 = 28×28", "hidden 20", "hidden 12",
                                           "output 10"]
    tips = []
    for l, _text, rect in captions:
        pos = rect.center().toPoint()
        assert view._hit(rect.center()) == ("layer", l)
        QApplication.sendEvent(view, QHelpEvent(QEvent.Type.ToolTip, pos, view.mapToGlobal(pos)))
        assert QToolTip.isVisible()
        tips.append(QToolTip.text())
        QToolTip.hideText()
    assert tips[0].startswith("Input layer: 784 neurons, the 28×28 picture flattened row by row")
    assert "0 (black) to 1 (white)" in tips[0]
    assert tips[1].startswith("Hidden layer 1: 20 neurons")
    assert "a⁽¹⁾ = σ(W⁽¹⁾ a⁽⁰⁾ + b⁽¹⁾)" in tips[1] and "W⁽¹⁾: 20 × 784" in tips[1]
    assert "Coming in: 15,680 weights and 20 biases" in tips[1]  # 784 · 20
    assert "loops, strokes, edges" in tips[1] and "noise" in tips[1]
    assert "W⁽²⁾: 12 × 20" in tips[2] and "Coming in: 240 weights and 12 biases" in tips[2]
    assert tips[3].startswith("Output layer: 10 neurons, one per digit")
    assert "Coming in: 120 weights and 10 biases" in tips[3] and "network's answer" in tips[3]
    view.set_class_names(["T-shirt/top"] * 10)
    assert view._tooltip_text(("layer", 3)).startswith("Output layer: 10 neurons, one per class")


@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_layer_captions_shorten_rather_than_run_into_each_other(qtbot):
    # 440 px wide (the view beside the Backprop panel in a 1024 px window): "hidden 16" under
    # columns ~80 px apart would overlap, so the captions become the numbers alone.
    snap = Snapshot.of(Network([784, 16, 16, 10], seed=0))
    view = make_view(qtbot, snap, size=(440, 560))
    g = view._geometry()
    captions = view._caption_rects(g)
    assert [t for _, t, _ in captions] == ["784 = 28×28", "16", "16", "10"]
    rects = [r for _, _, r in captions]
    for a, b in zip(rects[1:], rects[2:]):
        assert a.right() < b.left()
    L = g.layout
    assert rects[0].right() < L.columns[1] - L.radius[1]


def test_neuron_tooltips_name_the_answer_and_read_the_bias_as_a_threshold(qtbot, trained, data):
    x = data.test_x()[0]
    view = make_view(qtbot, trained, input=x)
    out = view.activations()[-1]
    win = int(np.argmax(out))
    for j in range(10):
        tip = view._tooltip_text(("neuron", 3, j))
        assert ("the network's answer" in tip) == (j == win), (j, tip)
        b = trained.biases[2][j]
        assert f"a threshold, z > 0 once the weighted sum passes {fixed(-b)}" in tip
    view.set_overlay(Overlay(lit_layers=2))  # the forward pass has not reached the outputs yet
    assert "the network's answer" not in view._tooltip_text(("neuron", 3, win))
    softmax = Snapshot.of(Network([784, 16, 10], cost="cross_entropy", seed=0))
    view.set_overlay(None)
    view.set_snapshot(softmax)
    assert "threshold" not in view._tooltip_text(("neuron", 2, 0))
    assert "threshold" in view._tooltip_text(("neuron", 1, 0))


def test_new_snapshots_cost_one_forward_pass_of_the_shown_sample_and_no_network(
        qtbot, monkeypatch, trained, data):
    import mlpviz.gui.views.network_view as nv

    want = trained.forward_all(data.test_x()[0])[-1]
    calls = []
    real = nv.forward_pass
    monkeypatch.setattr(nv, "forward_pass", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setattr(Snapshot, "network", lambda self: pytest.fail("a Network was rebuilt"))
    view = make_view(qtbot, signed_snapshot())
    snaps = [signed_snapshot(flip=bool(i % 2)) for i in range(4)]
    for snap in snaps:  # no sample shown: nothing to compute
        view.set_snapshot(snap)
        view.grab()  # paints now
    assert calls == []
    view.set_input(data.test_x()[0])
    for snap in snaps + [trained]:  # several snapshots between two paints: one pass, when painted
        view.set_snapshot(snap)
    assert calls == []
    view.grab()  # paints now
    assert len(calls) == 1
    keys = view._keys
    view.set_snapshot(trained)  # the snapshot on show again: nothing changes
    view.grab()  # paints now
    assert len(calls) == 1 and view._keys is keys
    np.testing.assert_allclose(view.activations()[-1], want)


def test_a_second_view_of_the_same_size_paints_with_the_kept_raster(qtbot, trained):
    """A raster depends only on where the lines are: a view whose lines lie where another's did
    paints with that raster at once (no QPainter while its size settles), the same pixels; at
    most RASTERS_KEPT are kept."""
    from mlpviz.gui.views import network_view as nv

    first = make_view(qtbot, trained, size=(700, 450))
    qtbot.waitUntil(lambda: first._geom is not None and first._geom.raster is not None
                    and not first.settling, timeout=10_000)
    first_pixels = image(first)
    second = make_view(qtbot, trained, size=(700, 450))
    second._settle.start()  # as just resized: without a kept raster it paints with QPainter
    assert second.settling
    second_pixels = image(second)  # (grab paints at once; the timer runs in the event loop)
    assert second._geom.raster is first._geom.raster
    assert second_pixels == first_pixels
    for size in [(640, 400), (660, 420), (680, 440)]:  # other sizes push the oldest out
        view = make_view(qtbot, trained, size=size, raster="numpy")
        image(view)
        assert view._geom.raster is not None
    assert len(nv._RASTERS) == nv.RASTERS_KEPT
    assert first._geom.raster not in nv._RASTERS.values()
