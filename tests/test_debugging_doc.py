"""docs/debugging-backprop.md stays true: its student code runs, `mlpviz compare` prints exactly
the output the page shows, and the fix it suggests makes the traces agree."""

import re
from pathlib import Path

import pytest

from mlpviz.cli import main

DOC = Path(__file__).resolve().parents[1] / "docs" / "debugging-backprop.md"


@pytest.fixture(scope="module")
def blocks():
    found = re.findall(r"```(\w+)\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    return {lang: [text for kind, text in found if kind == lang] for lang, _ in found}


def run_student(code: str, folder: Path, monkeypatch) -> None:
    monkeypatch.chdir(folder)
    exec(compile(code, "student.py", "exec"), {"__name__": "__main__"})
    assert (folder / "theirs.json").is_file()


def test_the_page_shows_what_compare_prints(blocks, tmp_path, monkeypatch, capsys):
    run_student(blocks["python"][0], tmp_path, monkeypatch)
    assert blocks["sh"][0].strip() == "mlpviz compare theirs.json"
    assert main(["compare", "theirs.json"]) == 1
    assert capsys.readouterr().out.strip() == blocks["text"][0].strip()


def test_the_suggested_fix_makes_them_agree(blocks, tmp_path, monkeypatch, capsys):
    buggy, fixed = blocks["python"][0], blocks["python"][1].strip()
    marker = fixed.split("#")[1]
    lines = [fixed if line.endswith(marker) else line for line in buggy.splitlines()]
    assert sum(line == fixed for line in lines) == 1  # the fix replaces exactly one line
    run_student("\n".join(lines), tmp_path, monkeypatch)
    assert main(["compare", "theirs.json"]) == 0
    assert capsys.readouterr().out.strip().endswith(blocks["text"][1].strip())
