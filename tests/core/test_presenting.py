"""Presentation mode's choices: sentences never cut inside a number, pages, the rows that matter."""

import math

import numpy as np
import pytest

from mlpviz.core.network import Network
from mlpviz.core.presenting import key_columns, key_rows, pages, sentences
from mlpviz.core.walk import build_walk


def test_sentences_end_at_sentence_ends_only():
    text = ("C = 4.04. A perfect answer costs 0. The '1', e.g. at 0.94, costs most! Why? "
            "Data by Y. LeCun (CC BY-SA 3.0).\n\nA new paragraph")
    assert sentences(text) == ["C = 4.04.", "A perfect answer costs 0.",
                               "The '1', e.g. at 0.94, costs most!", "Why?",
                               "Data by Y. LeCun (CC BY-SA 3.0).", "A new paragraph"]
    assert sentences("") == [] and sentences("no end") == ["no end"]


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("seed", [0, 1])
def test_every_stage_text_is_its_sentences(bundled, activation, seed):
    """Joined, the sentences are the stage's text; none starts in lower case (a cut inside a
    sentence) or inside a number."""
    net = Network([784, 16, 10], activation=activation, seed=seed)
    x = bundled.test_images[seed] / 255.0
    for stage in build_walk(net, x, int(bundled.test_labels[seed])).stages:
        said = sentences(stage.text)
        assert " ".join(said) == " ".join(stage.text.split()), stage.key
        for s in said[1:]:
            assert not s[0].islower(), (stage.key, s)


def test_pages():
    assert pages(["a", "b", "c"], 2) == [["a", "b"], ["c"]]
    assert pages(["a"], 0) == [["a"]] and pages([], 2) == []


def test_key_rows_keep_the_highlight_and_the_largest():
    rng = np.random.default_rng(0)
    values = [(None, float(v)) for v in rng.normal(size=16)]
    rows = key_rows(values, highlight=3, signed=(1,), limit=5)
    assert 3 in rows and len(rows) == 5 and rows == sorted(rows)
    others = [r for r in rows if r != 3]
    smallest_kept = min(abs(values[r][1]) for r in others)
    assert all(abs(values[r][1]) <= smallest_kept for r in range(16) if r not in rows)
    # no signed column: the last column of numbers; non-finite numbers always show
    values = [(None, 1.0, float(i)) for i in range(8)]
    values[2] = (None, 1.0, math.nan)
    assert key_rows(values, None, (), 3) == [2, 6, 7]
    assert key_rows(values[:3], 0, (), 5) == [0, 1, 2]


def test_key_columns_keep_names_the_sum_and_the_largest():
    values = [("k", 1.0, 0.1, -0.9, 0.2, 0.0, 0.05)]
    values = [(None, *v[1:]) for v in values]
    assert key_columns(values, [0], signed=(1, 2, 3, 4, 5, 6), limit=4) == [0, 1, 3, 4]
    assert key_columns(values, [0], signed=(1, 2), limit=10) == list(range(7))


def test_hiding_a_single_row_or_column_is_not_worth_it():
    values = [(None, float(i)) for i in range(6)]
    assert key_rows(values, None, (1,), 5) == list(range(6))
    assert key_columns([(None, 1.0, 2.0, 3.0)], [0], (1, 2, 3), 3) == [0, 1, 2, 3]
