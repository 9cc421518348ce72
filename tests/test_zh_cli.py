"""`mlpviz --lang zh record`: its help, its refusals and argparse's own words in Chinese, the
same checks in English word for word as before."""

from __future__ import annotations

import re

import pytest

from mlpviz import i18n
from mlpviz.cli import main

ASCII_WORD = re.compile(r"[A-Za-z]{3,}")


@pytest.fixture(autouse=True)
def back_to_english():
    yield
    i18n.set_language("en")


def _words(text: str) -> set[str]:
    """English words left, names of the command, its options, formats and files aside."""
    text = re.sub(r"--?[\w-]+|'[^']*'|\S*\.(gif|mp4)\b|mlpviz", " ", text)
    return set(ASCII_WORD.findall(text)) - {"GIF", "MP4", "fps", "pip", "install", "record"}


@pytest.mark.parametrize("args, english", [
    (["record", "--out", "x.gif", "--fps", "100"], "expected frames a second from 0.1 to 60"),
    (["record"], "the following arguments are required: --out"),
    (["record", "--out", "x.avi"], "the recording must end in .gif or .mp4"),
    (["record", "--out", "x.gif", "--fps", "60"], "a GIF shows at most"),
])
def test_record_refuses_in_the_language_asked(capsys, tmp_path, args, english):
    args = [a if not a.startswith("x.") else str(tmp_path / a) for a in args]
    assert main(["--lang", "en", *args]) != 0
    assert english in capsys.readouterr().err
    assert main(["--lang", "zh", *args]) != 0
    err = capsys.readouterr().err
    assert err.startswith("mlpviz：错误：") and not _words(err), err


def test_record_help_is_chinese(capsys):
    assert main(["--lang", "zh", "record", "--help"]) == 0
    out = capsys.readouterr().out
    assert "影片的每秒帧数" in out and "选项" in out
    assert "frames a second of the film" not in out and "show this help" not in out
