"""The translation catalog: every message of the source is in it and translated, its placeholders
match the English, the committed .mo is the compiled .po, and the Chinese follows the glossary."""

from __future__ import annotations

import csv
import gettext
import re
from pathlib import Path

import pytest

babel = pytest.importorskip("babel")
from babel.messages.extract import extract_from_dir  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402

from mlpviz import i18n  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "mlpviz/locale/zh_CN/LC_MESSAGES/mlpviz.po"
MO = PO.with_suffix(".mo")
GLOSSARY = ROOT / "resources/glossary-zh.tsv"
# {name}, {}, %(x)s, %d, %s, %.3f: what str.format and % fill in
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([a-z_]+\)[a-z]|%[-+ #0-9.]*[dsfgr]")


@pytest.fixture(scope="module")
def catalog():
    with open(PO, "rb") as f:
        return read_po(f)


def _forms(message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple) else [message.id]


def _strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def _messages(catalog):
    return [m for m in catalog if m.id]


def test_every_message_has_a_chinese_translation(catalog):
    missing = [m.id for m in _messages(catalog) if not all(_strings(m))]
    fuzzy = [m.id for m in _messages(catalog) if m.fuzzy]
    assert not missing, f"untranslated: {missing[:10]}"
    assert not fuzzy, f"fuzzy (changed in English, translation not checked): {fuzzy[:10]}"


def test_placeholders_match_the_english(catalog):
    """A translation fills in exactly the English's placeholders (order may differ)."""
    bad = []
    for m in _messages(catalog):
        want = sorted(PLACEHOLDER.findall(_forms(m)[-1]))
        for s in _strings(m):
            if sorted(PLACEHOLDER.findall(s)) != want:
                bad.append((m.id, s))
    assert not bad, bad[:5]


def test_the_catalog_has_every_message_of_the_source(catalog):
    """Every _(), ngettext() and N_() in mlpviz/ is in the catalog (scripts/i18n.sh update)."""
    found = {msgid if isinstance(msgid, str) else msgid
             for _f, _l, msgid, *_ in extract_from_dir(
                 ROOT / "mlpviz", method_map=[("**.py", "python")],
                 keywords={"_": None, "N_": None, "ngettext": (1, 2)})}
    ids = {m.id for m in _messages(catalog)}
    missing = sorted(str(m) for m in found - ids)
    assert not missing, f"run scripts/i18n.sh update and translate: {missing[:10]}"


def test_the_committed_mo_is_the_compiled_po(catalog):
    """mlpviz.mo (what the app reads) holds exactly the .po's translations: run
    scripts/i18n.sh compile after editing the .po."""
    with open(MO, "rb") as f:
        compiled = gettext.GNUTranslations(f)._catalog  # noqa: SLF001 (the parsed .mo)
    want = {}
    for m in _messages(catalog):
        if isinstance(m.id, tuple):
            for i, s in enumerate(_strings(m)):
                want[(m.id[0], i)] = s
        else:
            want[m.id] = m.string
    got = {k: v for k, v in compiled.items() if k != ""}
    assert got == want


def _glossary() -> list[tuple[str, str]]:
    """(English term, 中文); the "also" column lists another rendering that is right in its
    context (activation: 激活函数 where the function σ is meant), as (English, "a|b")."""
    with open(GLOSSARY, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [(r["English"], "|".join(filter(None, (r["中文"], r["also"])))) for r in rows]


def test_the_glossary_has_the_lessons_vocabulary():
    terms = {en: zh.split("|")[0] for en, zh in _glossary()}
    for en, zh in {"neuron": "神经元", "activation": "激活值", "weight": "权重", "bias": "偏置",
                   "input layer": "输入层", "hidden layer": "隐藏层", "output layer": "输出层",
                   "cost function": "代价函数", "gradient descent": "梯度下降",
                   "negative gradient": "负梯度", "backpropagation": "反向传播",
                   "stochastic gradient descent": "随机梯度下降", "mini-batch": "小批量",
                   "learning rate": "学习率"}.items():
        assert terms[en] == zh


def _terms_in(english: str, terms: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The glossary terms an English message uses, longest first, each span counted once
    ("input layer" is not also "layer"); placeholders are not words."""
    text = PLACEHOLDER.sub(" ", english).lower()
    used = []
    for en, zh in sorted(terms, key=lambda t: -len(t[0])):
        pattern = re.compile(r"(?<![\w-])" + re.escape(en.lower()) + r"(?:s|es)?(?![\w-])")
        if pattern.search(text):
            used.append((en, zh))
            text = pattern.sub(" ", text)
    return used


def test_every_glossary_term_is_translated_as_the_glossary_says(catalog):
    terms = _glossary()
    bad = []
    for m in _messages(catalog):
        for en, zh in _terms_in(_forms(m)[0], terms):
            if not all(any(z in s for z in zh.split("|")) for s in _strings(m)):
                bad.append((en, zh, m.id, _strings(m)[0]))
    assert not bad, "\n".join(map(str, bad[:10]))


def test_the_glossary_matcher_counts_each_span_once():
    terms = [("layer", "层"), ("input layer", "输入层"), ("weight", "权重")]
    assert _terms_in("the input layer's weights, weighted", terms) == [
        ("input layer", "输入层"), ("weight", "权重")]
    assert _terms_in("{weight} of layer {l}", terms) == [("layer", "层")]


def test_chinese_is_loaded_from_the_catalog():
    zh = i18n.load("zh")
    assert zh.gettext("Stage {label} of {parts}") == "第 {label} 步，共 {parts} 步"
