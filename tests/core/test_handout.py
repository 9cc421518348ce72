"""The printable handout (core.handout, core.handout_files): every stage of the walk in order, a
valid page, and the stages' own numbers — read back from the page — over many networks."""

import base64
import re
from urllib.parse import unquote

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlpviz.core.handout import (
    KEY_COLUMNS, KEY_ROWS, Handout, about_lines, language_problem, picture_name, stage_pages,
    to_html, to_markdown,
)
from mlpviz.core.handout_files import (
    check_handout_target, format_problem, pictures_folder, write_handout,
)
from mlpviz.core.minibatch import minibatch_with
from mlpviz.core.network import Network
from mlpviz.core.presenting import key_columns, key_rows
from mlpviz.core.walk import build_walk
from tests.conftest import _bundled  # the session's cached copy (no fixture under @given;
# imported here, not inside the test: a second import of conftest inside @settings re-registers
# its hypothesis profile, which hypothesis refuses)
from tests.handout_page import parse_page as _parse

PNG = base64.b64decode(  # a 1×1 white PNG: the pictures' stand-in (core never renders)
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4//8/AAX+Av4N70a4AAAAAElFTkSuQmCC")

NETWORKS = [  # (sizes, activation, cost, seed, sample)
    ([784, 16, 16, 10], "sigmoid", "mse", 0, 3),
    ([784, 8, 10], "tanh", "cross_entropy", 5, 17),
    ([784, 12, 9, 7, 10], "relu", "mse", 11, 250),
    ([784, 10], "sigmoid", "cross_entropy", 2, 1999),
]


def _walk(bundled, sizes, activation, cost, seed, index, batch=True):
    net = Network(sizes, activation, cost, seed)
    x = bundled.test_images[index] / 255.0
    label = int(bundled.test_labels[index])
    mb = minibatch_with(bundled.train_images, bundled.train_labels, 50, x, label, "test",
                        index) if batch else None
    return build_walk(net, x, label, bundled.class_names, None, 1.5, mb, 50)


def _handout(walk, bundled, pictures=True):
    about = about_lines(walk, "sigmoid", "mse", "a test network", "held-out #3",
                        bundled.class_names, 50)
    pngs = (PNG,) * len(walk.stages) if pictures else ()
    return Handout.of(walk, about, pngs)


@pytest.fixture(scope="module", params=range(len(NETWORKS)))
def walk(request, bundled):
    return _walk(bundled, *NETWORKS[request.param])


# --- the HTML page -----------------------------------------------------------------------------


def test_html_has_every_stage_in_order_with_its_own_numbers(walk, bundled):
    page = _parse(to_html(_handout(walk, bundled)))
    stages = walk.stages
    assert [s["key"] for s in page.stages] == [s.key for s in stages]
    assert [s["title"].strip() for s in page.stages] == [s.title for s in stages]
    for got, stage in zip(page.stages, stages):
        assert " ".join(got["text"]) == " ".join(stage.text.split())
        assert got["formula"] == stage.formula
        assert got["images"] == ["data:image/png;base64," + base64.b64encode(PNG).decode()]
        shown = [r for r, _h, _c in got["rows"]]
        want = key_rows(stage.row_values, stage.highlight, stage.signed, KEY_ROWS) \
            if stage.row_values else list(range(len(stage.rows)))
        assert shown == want
        for r, highlighted, cells in got["rows"]:
            assert highlighted == (r == stage.highlight)
            columns = key_columns(stage.row_values, shown, stage.signed, KEY_COLUMNS)
            assert [text for text, _v in cells] == [stage.rows[r][c] for c in columns]
            assert [v for _t, v in cells] == [stage.row_values[r][c] for c in columns]


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(hidden=st.lists(st.integers(1, 20), min_size=0, max_size=3),
       activation=st.sampled_from(["sigmoid", "tanh", "relu"]),
       cost=st.sampled_from(["mse", "cross_entropy"]), seed=st.integers(0, 10_000),
       index=st.integers(0, 1999), focus=st.integers(0, 9))
def test_any_network_gives_a_page_with_its_stages_numbers(hidden, activation, cost, seed, index,
                                                          focus):
    ds = _bundled()
    net = Network([784, *hidden, 10], activation, cost, seed)
    x, label = ds.test_images[index] / 255.0, int(ds.test_labels[index])
    walk = build_walk(net, x, label, ds.class_names, focus, 0.5)
    page = _parse(to_html(_handout(walk, ds)))
    assert [s["title"].strip() for s in page.stages] == [s.title for s in walk.stages]
    for got, stage in zip(page.stages, walk.stages):
        assert got["formula"] == stage.formula
        for r, _highlighted, cells in got["rows"]:
            for text, v in cells:
                if v is not None:
                    assert v in stage.row_values[r] and text in stage.rows[r]


def test_signs_are_written_not_only_coloured(bundled):
    walk = _walk(bundled, *NETWORKS[0])
    page = to_html(_handout(walk, bundled))
    for m in re.finditer(r'<td class="num (up|down)" data-value="([^"]+)">([^<]+)</td>', page):
        kind, value, text = m.groups()
        assert (float(value) > 0) == (kind == "up")
        assert text.startswith("+" if kind == "up" else "−"), m.group(0)
    assert 'class="num up"' in page and 'class="num down"' in page


def test_print_css_keeps_a_stage_on_one_page(bundled):
    page = to_html(_handout(_walk(bundled, *NETWORKS[1]), bundled))
    assert "size: A4" in page
    assert re.search(r"section\.stage \{[^}]*page-break-inside: avoid", page)


def test_the_page_says_what_network_and_sample_it_shows(bundled):
    walk = _walk(bundled, *NETWORKS[2])
    lines = about_lines(walk, "relu", "mse", "a freshly seeded network (seed 11)",
                        "held-out #250", bundled.class_names, 50)
    label = bundled.class_names[int(bundled.test_labels[250])]
    assert "784 → 12 → 9 → 7 → 10" in lines[0] and "freshly seeded" in lines[0]
    assert f"a '{label}'" in lines[1]
    assert "η = 1.5" in lines[2] and "50 samples" in lines[2]


def test_text_is_escaped(bundled):
    walk = _walk(bundled, *NETWORKS[0])
    h = Handout.of(walk, ("<script>alert(1)</script> & co",))
    page = to_html(h)
    assert "<script>" not in page and "&lt;script&gt;" in page
    _parse(page)


def test_without_pictures_there_is_no_image(bundled):
    walk = _walk(bundled, *NETWORKS[3], batch=False)
    page = _parse(to_html(_handout(walk, bundled, pictures=False)))
    assert all(not s["images"] for s in page.stages)
    assert len(page.stages) == len(walk.stages)


# --- Markdown ----------------------------------------------------------------------------------


def test_markdown_has_the_same_stages_and_its_pictures_exist(walk, bundled, tmp_path):
    h = _handout(walk, bundled)
    out = tmp_path / "lesson.md"
    written = write_handout(out, h)
    text = out.read_text(encoding="utf-8")
    assert re.findall(r"^## (.+)$", text, re.M) == [s.title for s in walk.stages]
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(links) == len(walk.stages)
    for link in links:
        assert link.startswith("lesson_files/")
        assert (tmp_path / link).read_bytes() == PNG
    assert written == [out] + [tmp_path / link for link in links]
    for stage in walk.stages:  # the formulas, verbatim, in fenced blocks
        assert f"```text\n{stage.formula}\n```" in text


def test_markdown_links_work_with_spaces_in_the_name(bundled, tmp_path):
    walk = _walk(bundled, *NETWORKS[3], batch=False)
    out = tmp_path / "my lesson.md"
    write_handout(out, _handout(walk, bundled))
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", out.read_text(encoding="utf-8"))
    assert links and all(link.startswith("my%20lesson_files/") for link in links)
    assert all((tmp_path / unquote(link)).is_file() for link in links)


def test_markdown_table_cells_are_the_stages_cells(bundled):
    walk = _walk(bundled, *NETWORKS[0])
    text = to_markdown(_handout(walk, bundled), "f")
    stage = walk.stage("wants")
    rows = key_rows(stage.row_values, stage.highlight, stage.signed, KEY_ROWS)
    for r in rows:
        cells = [c.replace("\\", "") for c in stage.rows[r]]
        line = next(li for li in text.splitlines() if li.startswith("| ") and cells[1] in li
                    and cells[3] in li)
        assert all(c in line for c in cells)


def test_a_new_markdown_handout_replaces_its_own_pictures_only(bundled, tmp_path):
    walk = _walk(bundled, *NETWORKS[3], batch=False)
    out = tmp_path / "a.md"
    write_handout(out, _handout(walk, bundled))
    folder = pictures_folder(out)
    (folder / "stage-99-9.png").write_bytes(PNG)  # an earlier, longer handout's picture
    write_handout(out, _handout(walk, bundled))
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        picture_name(p) for p in stage_pages(_handout(walk, bundled)))
    (folder / "notes.txt").write_text("mine")
    before = out.read_bytes()
    with pytest.raises(OSError, match="notes.txt"):
        write_handout(out, _handout(walk, bundled))
    assert (folder / "notes.txt").read_text() == "mine" and out.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporaries left


def test_bad_targets_are_refused_before_anything_is_written(tmp_path):
    assert format_problem(tmp_path / "x.pdf")
    assert format_problem(tmp_path / "x.html") is None
    with pytest.raises(OSError, match=".html"):
        check_handout_target(tmp_path / "x.txt")
    with pytest.raises(OSError, match="folder"):
        check_handout_target(tmp_path)
    with pytest.raises(OSError, match="does not exist"):
        check_handout_target(tmp_path / "missing" / "x.html")
    assert list(tmp_path.iterdir()) == []


def test_languages():
    assert language_problem("en") is None
    assert language_problem("zh") is None
    assert "unknown language" in language_problem("xx")


def test_html_write_is_atomic_and_complete(bundled, tmp_path):
    walk = _walk(bundled, *NETWORKS[1])
    out = tmp_path / "l.html"
    assert write_handout(out, _handout(walk, bundled)) == [out]
    page = _parse(out.read_text(encoding="utf-8"))
    assert len(page.stages) == len(walk.stages)
    assert np.all([s["images"] for s in page.stages])


def test_chinese_handout_has_every_stage_with_the_same_numbers(bundled):
    """The handout in 中文: every stage in order, a page that parses, each stage's own (Chinese)
    text and formula, and table cells whose numbers are the English walk's, float for float."""
    from mlpviz import i18n

    english = _walk(bundled, *NETWORKS[0])
    i18n.set_language("zh")
    try:
        walk = _walk(bundled, *NETWORKS[0])
        html_text = to_html(Handout.of(walk, ("关于",), (PNG,) * len(walk.stages), "zh"))
    finally:
        i18n.set_language("en")
    assert '<html lang="zh">' in html_text and "<title>反向传播，一次一个要点</title>" in html_text
    page = _parse(html_text)
    assert [s["key"] for s in page.stages] == [s.key for s in english.stages]
    for got, stage, en in zip(page.stages, walk.stages, english.stages):
        assert got["title"].strip() == stage.title != en.title
        assert " ".join(got["text"]) == " ".join(stage.text.split())
        assert got["formula"] == stage.formula
        assert stage.row_values == en.row_values
        for r, _highlighted, cells in got["rows"]:
            assert all(v in en.row_values[r] for _t, v in cells if v is not None)


def test_sign_inks_are_the_palettes_colours_darkened():
    from mlpviz.core.handout import sign_inks
    from mlpviz.core.palette import COLOUR_BLIND, LESSON

    assert sign_inks(COLOUR_BLIND) == ("#065384", "#a25c14")  # #0877bd, #e8831c × 0.7
    assert sign_inks(LESSON) == ("#0d612b", "#941616")  # #138a3e, #d42020 × 0.7
