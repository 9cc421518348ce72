"""`mlpviz record`: a real training run filmed headless as a GIF (or MP4), with progress on
stderr; Ctrl-C writes the frames so far, a second one nothing; never half a file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageSequence

import mlpviz
from mlpviz.cli import main

ROOT = Path(mlpviz.__file__).resolve().parents[1]
SMALL = ["--size", "720x560", "--epochs", "1"]  # about the smallest the window allows


def gif_frames(path) -> list[np.ndarray]:
    with Image.open(path) as im:
        return [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(im)]


def record(tmp_path, *args, name="run.gif"):
    out = tmp_path / name
    return main(["record", *SMALL, "--out", str(out), *args]), out


def test_a_gif_has_the_frames_asked_for_each_different_and_progress_is_printed(
        qapp, tmp_path, capsys):
    code, out = record(tmp_path, "--fps", "5", "--seconds", "1.2")
    captured = capsys.readouterr()
    assert code == 0, captured.err
    frames = gif_frames(out)
    assert len(frames) == 6  # 5 fps × 1.2 s
    assert frames[0].shape == (560, 720, 3)
    for earlier, later in zip(frames, frames[1:]):
        assert not np.array_equal(earlier, later)  # the network learned between them
    assert "6 frames at 5 fps (1.2 s), one every 16 mini-batches" in captured.err
    assert "recording frame 6/6 (after 80 mini-batches)" in captured.err
    assert f"saved {out}: 6 frames, 720×560" in captured.out
    assert [p.name for p in tmp_path.iterdir()] == ["run.gif"]


def test_the_same_seed_films_the_same_network(qapp, tmp_path, capsys):
    films = []
    for name in ("a.gif", "b.gif"):
        code, out = record(tmp_path, "--fps", "3", "--seconds", "1", "--view", "network",
                           "--layers", "8", "--seed", "7", name=name)
        assert code == 0, capsys.readouterr().err
        films.append(gif_frames(out))
    a, b = films
    assert len(a) == len(b) == 3
    assert a[0].shape[1] == 720 and a[0].shape[0] < 560 - 60  # the network view, all the width
    assert not np.array_equal(a[0], a[-1])  # the network learned
    assert all(np.array_equal(x, y) for x, y in zip(a, b))  # and the same way twice


def test_mp4_without_the_extra_is_refused_at_once_saying_how(qapp, tmp_path, capsys,
                                                           monkeypatch):
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # not installed
    started = time.monotonic()
    code, _ = record(tmp_path, name="run.mp4")
    err = capsys.readouterr().err
    assert code == 1
    assert "pip install 'mlpviz[record]'" in err and "Traceback" not in err
    assert time.monotonic() - started < 5  # before any training
    assert list(tmp_path.iterdir()) == []


def test_an_mp4_with_the_extra(qapp, tmp_path, capsys):
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    code, out = record(tmp_path, "--fps", "4", "--seconds", "1", name="run.mp4")
    assert code == 0, capsys.readouterr().err
    assert imageio_ffmpeg.count_frames_and_secs(str(out))[0] == 4


@pytest.mark.parametrize("args, words", [
    (["--fps", "10", "--seconds", "60"], "ask for at most 81 frames"),
    (["--fps", "60"], "a GIF shows at most 50 frames a second"),
    (["--layers", "0"], "layer"),
])
def test_impossible_films_are_refused_before_training(qapp, tmp_path, capsys, args, words):
    code, _ = record(tmp_path, *args)
    err = capsys.readouterr().err
    assert code in (1, 2) and words in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_a_film_must_be_gif_or_mp4(qapp, tmp_path, capsys):
    code, _ = record(tmp_path, name="run.avi")
    assert code == 1 and "must end in .gif or .mp4" in capsys.readouterr().err


def _interrupt_at_frame(monkeypatch, n: int, also_during_save: bool = False):
    """Ctrl-C as frame `n` is taken (and again while the GIF is written)."""
    import mlpviz.gui.export as export

    frame = export.window_frame
    taken = []

    def take(*args, **kwargs):
        taken.append(1)
        if len(taken) == n:
            signal.raise_signal(signal.SIGINT)
        return frame(*args, **kwargs)

    monkeypatch.setattr(export, "window_frame", take)
    if also_during_save:
        save = Image.Image.save

        def impatient(self, fp, *args, **kwargs):
            fp.write(b"GIF89a")
            signal.raise_signal(signal.SIGINT)
            return save(self, fp, *args, **kwargs)

        monkeypatch.setattr(Image.Image, "save", impatient)


def test_ctrl_c_writes_the_frames_so_far(qapp, tmp_path, capsys, monkeypatch):
    _interrupt_at_frame(monkeypatch, 3)
    code, out = record(tmp_path, "--fps", "10", "--seconds", "2")
    captured = capsys.readouterr()
    assert code == 130, captured.err
    assert "Ctrl-C: stopping; writing the frames taken so far" in captured.err
    assert len(gif_frames(out)) == 3
    assert f"saved {out}: 3 of 20 frames (interrupted)" in captured.out
    assert [p.name for p in tmp_path.iterdir()] == ["run.gif"]


def test_a_second_ctrl_c_writes_nothing_not_half_a_file(qapp, tmp_path, capsys, monkeypatch):
    _interrupt_at_frame(monkeypatch, 2, also_during_save=True)
    code, _ = record(tmp_path, "--fps", "10", "--seconds", "2")
    err = capsys.readouterr().err
    assert code == 130 and "interrupted" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_sigint_to_a_running_record_ends_cleanly(tmp_path):
    out = tmp_path / "run.gif"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
           "PYTHONUNBUFFERED": "1", "QT_QPA_PLATFORM": "offscreen"}
    with subprocess.Popen([sys.executable, "-m", "mlpviz", "record", *SMALL, "--epochs", "3",
                           "--fps", "10", "--seconds", "20", "--out", str(out)], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            if "recording frame 20/200" in line or (not line and proc.poll() is not None):
                break
        proc.send_signal(signal.SIGINT)
        stdout, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    n = len(gif_frames(out))
    assert 20 <= n < 200
    assert f"saved {out}: {n} of 200 frames (interrupted)" in stdout
    assert [p.name for p in tmp_path.iterdir()] == ["run.gif"]


def test_a_stalled_run_ends_with_the_frames_so_far_instead_of_hanging(qapp, tmp_path, capsys,
                                                                      monkeypatch):
    import mlpviz.record
    from mlpviz.gui.session import Session

    monkeypatch.setattr(mlpviz.record, "STALL_SECONDS", 1.0)
    monkeypatch.setattr(Session, "step_batch", lambda self: None)  # the worker never answers
    code, out = record(tmp_path, "--fps", "5", "--seconds", "1")
    captured = capsys.readouterr()
    assert code == 1
    assert f"saved {out}: 1 of 5 frames (no new frame for 1 s)" in captured.out
    assert len(gif_frames(out)) == 1
