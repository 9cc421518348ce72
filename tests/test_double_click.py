"""A double-click on a lesson file, end to end: after `mlpviz install-desktop` the desktop's own
tools (GIO) take a *.mlpviz file for application/x-mlpviz-lesson and mlpviz.desktop for its
default application, and the entry's Exec line, its %f filled in as the desktop fills it, opens
that lesson: the window it draws is the one `mlpviz --lesson FILE` draws, pixel for pixel."""

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mlpviz.cli import main
from mlpviz.core.lesson_file import LessonState, write_lesson
from mlpviz.core.network import Network

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def desktop(tmp_path, monkeypatch):
    """A desktop session's environment of its own (data, config, home) with mlpviz installed;
    the app runs offscreen from this checkout."""
    (tmp_path / "home").mkdir()
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    assert main(["install-desktop"]) == 0
    return {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "HOME": str(tmp_path / "home"), "QT_QPA_PLATFORM": "offscreen",
            "PYTHONPATH": str(ROOT), "MLPVIZ_SETTINGS_ORG": "mlpviz-tests"}


@pytest.fixture
def lesson(tmp_path):
    """A lesson on a [784, 12, 10] tanh network, in a folder whose name has a space."""
    net = Network([784, 12, 10], "tanh", "cross_entropy", seed=3)
    path = tmp_path / "week 3" / "neurons.mlpviz"
    path.parent.mkdir()
    write_lesson(path, LessonState(tuple(net.sizes), net.activation, net.cost,
                                   tuple(net.weights), tuple(net.biases), sample=("test", 7),
                                   palette="colourblind", tab="neuron"))
    return path


def run(argv, env, cwd):
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return done


def pixels(path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


@pytest.mark.skipif(not shutil.which("gio"), reason="GIO's command-line tool is not installed")
def test_the_desktop_takes_a_lesson_file_for_mlpviz(desktop, lesson, tmp_path):
    info = run(["gio", "info", "-a", "standard::content-type", str(lesson)], desktop, tmp_path)
    assert "standard::content-type: application/x-mlpviz-lesson" in info.stdout
    default = run(["gio", "mime", "application/x-mlpviz-lesson"], desktop, tmp_path)
    assert "Default application for “application/x-mlpviz-lesson”: mlpviz.desktop" in \
        default.stdout


def test_the_entrys_exec_line_opens_the_double_clicked_lesson(desktop, lesson, tmp_path):
    entry = Path(desktop["XDG_DATA_HOME"]) / "applications" / "mlpviz.desktop"
    exec_line = next(line for line in entry.read_text().splitlines() if line.startswith("Exec="))
    argv = [str(lesson) if word == "%f" else word for word in shlex.split(exec_line[5:])]
    assert argv[-1] == str(lesson)
    clicked, asked = tmp_path / "clicked.png", tmp_path / "asked.png"
    # (--train-steps 0: the lesson's network as opened, not 300 mini-batches on from it)
    run([*argv, "--train-steps", "0", "--screenshot", str(clicked)], desktop, tmp_path)
    run([sys.executable, "-m", "mlpviz", "--lesson", str(lesson), "--train-steps", "0",
         "--screenshot", str(asked)], desktop, tmp_path)
    fresh = tmp_path / "fresh.png"
    run([sys.executable, "-m", "mlpviz", "--train-steps", "0", "--screenshot", str(fresh)],
        desktop, tmp_path)
    assert np.array_equal(pixels(clicked), pixels(asked))  # the lesson, as --lesson opens it
    assert not np.array_equal(pixels(clicked), pixels(fresh))  # not a window of its own
