"""mlpviz.i18n (languages, plural forms, listeners) and the backprop walk in Chinese: every stage of
many networks has the same numbers in both languages, and no English left in its sentences."""

from __future__ import annotations

import re

import numpy as np
import pytest

from mlpviz import i18n
from mlpviz.core.gradcheck import per_layer_gradcheck
from mlpviz.core.minibatch import minibatch_with
from mlpviz.core.network import Network
from mlpviz.core.presenting import sentences
from mlpviz.core.walk import build_walk, chain_rule, gradcheck_stage

# A number as the texts write it: 13,002 · −0.4736 · +0.69 · 2.500×10⁻⁷ · 10³⁰⁰
NUMBER = re.compile(r"[−+]?\d+(?:,\d{3})*(?:\.\d+)?(?:×10[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)?|10[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
# Words a Chinese text keeps in Latin letters: the functions' own names
LATIN_KEPT = {"tanh", "relu", "softmax"}


@pytest.fixture
def zh():
    i18n.set_language("zh")
    yield
    i18n.set_language("en")


def test_languages_from_locales():
    assert i18n.normalize("zh_CN.UTF-8") == i18n.normalize("zh-Hans") == "zh"
    assert i18n.normalize("中文") == "zh" and i18n.normalize("en_GB") == "en"
    assert i18n.normalize("fr_FR") is None and i18n.normalize(None) is None
    assert i18n.system_language({"LANG": "zh_CN.UTF-8"}) == "zh"
    assert i18n.system_language({"LANGUAGE": "fr:zh_TW", "LANG": "en_US.UTF-8"}) == "zh"
    assert i18n.system_language({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}) == "en"
    assert i18n.system_language({}) == "en"


def test_set_language_tells_the_listeners_once_per_change():
    heard = []
    i18n.add_listener(heard.append)
    try:
        i18n.set_language("zh")
        i18n.set_language("zh")
        assert i18n.language() == "zh" and i18n._("Gradient check") == "梯度检验"
        i18n.set_language("en")
        assert i18n._("Gradient check") == "Gradient check"
    finally:
        i18n.set_language("en")
        i18n.remove_listener(heard.append)
    assert heard == ["zh", "en"]
    with pytest.raises(ValueError, match="unknown language"):
        i18n.set_language("fr")
    assert i18n.language() == "en"


def test_plural_forms_come_from_the_catalog(zh):
    one, many = "{n} of them wants no change", "{n} of them want no change"
    assert i18n.ngettext(one, many, 1) == i18n.ngettext(one, many, 7) == "其中 {n} 个不想要改变"
    i18n.set_language("en")
    assert (i18n.ngettext(one, many, 1), i18n.ngettext(one, many, 2)) == (one, many)


def test_counts_and_sentences_in_chinese(zh):
    assert i18n.count(13002) == "13,002" and i18n.decimal_point() == "."
    assert i18n.tidy("答对了。 网络认为这是 1。") == "答对了。网络认为这是 1。"
    assert sentences("答对了。网络认为这是 1（0.94）。 我们希望 3 升高！") == [
        "答对了。", "网络认为这是 1（0.94）。", "我们希望 3 升高！"]


def _walk(seed: int, sizes, activation: str, cost: str):
    rng = np.random.default_rng(seed)
    net = Network(sizes, activation=activation, cost=cost, seed=seed)
    x = rng.random(sizes[0]) * (rng.random(sizes[0]) > 0.7)
    X, Y = rng.random((60, sizes[0])), rng.integers(0, sizes[-1], 60)
    label = int(rng.integers(0, sizes[-1]))
    batch = minibatch_with(X, Y, 20, x, label, "train", 5, "the sample on show", seed)
    walk = build_walk(net, x, label, batch=batch, lr=float(rng.choice([0.1, 3.0, 30.0])))
    pages = list(walk.stages) + [chain_rule(walk.trace, 0, 1, int(np.argmax(x)))]
    pages.append(gradcheck_stage(per_layer_gradcheck(net, x, label), net.parameter_count))
    return walk, pages


NETWORKS = [(0, [784, 16, 16, 10], "sigmoid", "mse"), (1, [784, 8, 10], "relu", "cross_entropy"),
            (2, [784, 12, 6, 5, 10], "tanh", "mse"), (3, [784, 16, 10], "relu", "mse"),
            (4, [784, 10, 10], "sigmoid", "cross_entropy"), (5, [49, 4, 10], "tanh", "mse")]


@pytest.mark.parametrize("seed, sizes, activation, cost", NETWORKS)
def test_every_stage_has_the_same_numbers_in_both_languages(seed, sizes, activation, cost):
    """Text, formula, table and caption of each stage carry the same numbers (as a multiset:
    Chinese orders "第 2 层的神经元 7" unlike "neuron 7 of layer 2"); the table's numbers are
    the same floats; the stage's label and claims do not change."""
    en_walk, en = _walk(seed, sizes, activation, cost)
    i18n.set_language("zh")
    try:
        zh_walk, zh = _walk(seed, sizes, activation, cost)
        zh_positions = [zh_walk.position(i) for i in range(len(zh_walk))]
    finally:
        i18n.set_language("en")
    assert len(en) == len(zh)
    for e, z in zip(en, zh):
        for field in ("text", "formula"):
            assert sorted(NUMBER.findall(getattr(e, field))) == \
                sorted(NUMBER.findall(getattr(z, field))), (e.key, field)
        assert sorted(NUMBER.findall(e.overlay.caption)) == sorted(NUMBER.findall(z.overlay.caption))
        assert e.row_values == z.row_values and len(e.columns) == len(z.columns), e.key
        numeric = [(r, c) for r, row in enumerate(e.row_values) for c, v in enumerate(row)
                   if v is not None]
        assert all(e.rows[r][c] == z.rows[r][c] for r, c in numeric), e.key
        assert e.label == z.label and e.number == z.number
        assert [(c.relation, c.values.tolist()) for c in e.claims] == \
            [(c.relation, c.values.tolist()) for c in z.claims]
        assert not z.refused
    assert zh_positions[4] == f"第 {en[4].label} 步，共 {en_walk.parts} 步"
    assert en_walk.position(4) == f"Stage {en[4].label} of {en_walk.parts}"


@pytest.mark.parametrize("seed, sizes, activation, cost", NETWORKS)
def test_no_english_is_left_in_the_chinese_walk(zh, seed, sizes, activation, cost):
    _, pages = _walk(seed, sizes, activation, cost)
    for stage in pages:
        shown = [stage.title, stage.short, stage.text, stage.overlay.caption,
                 *stage.columns, *(cell for row in stage.rows for cell in row)]
        words = {w for s in shown for w in re.findall(r"[A-Za-z]{3,}", s)}
        assert words <= LATIN_KEPT, (stage.key, words - LATIN_KEPT)
        assert re.search(r"[\u4e00-\u9fff]", stage.text), stage.key
        assert "。 " not in stage.text
