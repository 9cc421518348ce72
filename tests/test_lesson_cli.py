"""`mlpviz lesson`: the handout from the command line — every stage, the model's own numbers, the
pictures; bad input → one clear line, exit code 1, nothing written."""

import re

import pytest

from mlpviz.cli import main
from mlpviz.core.datasets import load_bundled
from mlpviz.core.handout import shown_table
from mlpviz.core.minibatch import minibatch_with
from mlpviz.core.network import Network
from mlpviz.core.walk import build_walk


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """A 784-12-10 tanh network trained one epoch, saved with its η and batch size."""
    path = tmp_path_factory.mktemp("model") / "m.npz"
    assert main(["train", "--layers", "12", "--activation", "tanh", "--epochs", "1",
                 "--batch", "40", "--lr", "0.25", "--seed", "4", "--save", str(path)]) == 0
    return path


def _error(capsys) -> str:
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mlpviz: error: "), err
    return lines[0]


def test_lesson_of_a_model_holds_its_walk(model, tmp_path, capsys):
    out = tmp_path / "lesson.html"
    assert main(["lesson", str(model), "--sample", "7", "--out", str(out), "--no-pictures"]) == 0
    assert "16 stages" not in capsys.readouterr().out  # one hidden layer: fewer stages
    page = out.read_text(encoding="utf-8")
    net = Network.load(model)
    ds = load_bundled()
    x, label = ds.test_images[7] / 255.0, int(ds.test_labels[7])
    batch = minibatch_with(ds.train_images, ds.train_labels, 40, x, label, "test", 7)
    walk = build_walk(net, x, label, ds.class_names, None, 0.25, batch, 40)  # the model's η, batch
    titles = re.findall(r"<h2>(.*?) <span", page)
    assert titles == [s.title.replace("'", "&#x27;") for s in walk.stages]
    for stage in walk.stages:  # every number of every shown table cell, exactly
        table = shown_table(stage)
        for _r, _texts, values in table.rows if table else ():
            assert all(f'data-value="{v!r}"' in page for v in values if v is not None)
    step = walk.stage("step")
    assert step.formula.split("\n")[1] in page  # "C: 0.3 → 0.2, …" with the model's numbers
    assert "read from m.npz, trained 1 epoch" in page and "η = 0.25" in page


def test_lesson_without_a_model_says_the_network_is_fresh(tmp_path, capsys):
    out = tmp_path / "fresh.md"
    assert main(["lesson", "--sample", "0", "--seed", "3", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "freshly seeded network (seed 3), not trained" in text
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    net = Network([784, 16, 16, 10], "sigmoid", "mse", 3)
    ds = load_bundled()
    walk = build_walk(net, ds.test_images[0] / 255.0, int(ds.test_labels[0]), ds.class_names)
    assert re.findall(r"^## (.+)$", text, re.M) == [s.title for s in walk.stages]
    assert len(links) == len(walk.stages)
    for link in links:  # real, different pictures of the network view
        data = (tmp_path / link).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 10_000
    assert len({(tmp_path / link).read_bytes() for link in links}) > len(links) // 2
    assert f"wrote {out}" in capsys.readouterr().out


@pytest.mark.parametrize("sample, lang, name, message", [
    ("2000", "en", "l.html", "--sample 2000: MNIST (bundled sample) has 2,000 held-out samples"),
    ("1", "en", "l.pdf", "written as .html"),
])
def test_bad_input_writes_nothing(sample, lang, name, message, tmp_path, capsys):
    argv = ["lesson", "--sample", sample, "--lang", lang, "--out", str(tmp_path / name)]
    assert main(argv) == 1
    assert message in _error(capsys)
    assert list(tmp_path.iterdir()) == []


def test_a_bad_model_file_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip at all")
    out = tmp_path / "lesson.html"
    assert main(["lesson", str(bad), "--sample", "0", "--out", str(out)]) == 1
    assert "bad.npz" in _error(capsys)
    assert main(["lesson", str(tmp_path / "missing.npz"), "--sample", "0", "--out",
                 str(out)]) == 1
    assert "no such model file" in _error(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.npz"]


def test_an_unwritable_target_is_refused_before_the_work(tmp_path, capsys):
    assert main(["lesson", "--sample", "0", "--out", str(tmp_path / "no" / "l.html")]) == 1
    assert "does not exist" in _error(capsys)


def test_help_names_the_command(capsys):
    assert main(["lesson", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--sample" in out and "--lang" in out and "lesson_files" in out


def test_the_colour_blind_palette_names_its_colours_everywhere(tmp_path):
    from mlpviz.core.handout import sign_inks
    from mlpviz.core.palette import COLOUR_BLIND

    out = tmp_path / "cb.html"
    assert main(["lesson", "--sample", "2", "--palette", "colourblind", "--out", str(out),
                 "--no-pictures"]) == 0
    page = out.read_text(encoding="utf-8")
    ds = load_bundled()
    x, label = ds.test_images[2] / 255.0, int(ds.test_labels[2])
    batch = minibatch_with(ds.train_images, ds.train_labels, 100, x, label, "test", 2)
    walk = build_walk(Network([784, 16, 16, 10], "sigmoid", "mse", 0), x, label, ds.class_names,
                      None, 3.0, batch, 100, COLOUR_BLIND)
    assert "+ (blue) to grow, − (orange) to shrink" in page
    assert f"td.up {{ color: {sign_inks(COLOUR_BLIND)[0]}; }}" in page
    captions = [s.overlay.caption for s in walk.stages if "blue" in s.overlay.caption]
    assert captions and "green" not in " ".join(captions)
    for stage in walk.stages:  # the walk built with that palette, word for word
        assert " ".join(stage.text.split()).replace("'", "&#x27;") in page
