"""Issue 8, saving: SIGTERM and SIGHUP during `mlpviz train --save` save the model as Ctrl-C does;
a second signal never cuts the save short; a failed save (a full disk) keeps a rescue copy and
says where; saves are durable (fsync), keep permissions (umask, the old file's mode), write
through symbolic links, and clean up the temporaries a killed save left behind. The output
going away (`| head`) ends the command quietly."""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import mlpviz
from mlpviz.cli import main
from mlpviz.core import atomic, model_file
from mlpviz.core.atomic import STALE_TEMP_SECONDS, atomic_write
from mlpviz.core.network import Network
from mlpviz.core.training import Trainer

ROOT = Path(mlpviz.__file__).resolve().parents[1]


def _env() -> dict:
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "PYTHONPATH": path, "PYTHONUNBUFFERED": "1"}


def _wait_for_line(proc: subprocess.Popen, start: str, timeout: float = 60) -> None:
    """Read `proc`'s stdout up to a line starting with `start`; fail (ending it) if none comes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith(start):
            return
        if not line and proc.poll() is not None:
            break
    proc.kill()
    _, err = proc.communicate()
    pytest.fail(f"no line starting with {start!r}: {err}")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_during_train_save_saves_a_loadable_model_and_no_temp_file(tmp_path, signum):
    path = tmp_path / "m.npz"
    with subprocess.Popen(
            [sys.executable, "-m", "mlpviz", "train", "--epochs", "1000", "--layers", "8",
             "--save", str(path)], env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True) as proc:
        _wait_for_line(proc, "epoch    1 ")  # the first epoch is done
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "stopping after this batch" in err and "Traceback" not in err
    assert f"saved {path}" in out
    net, meta = Network.load_with_metadata(path)
    assert net.sizes == [784, 8, 10] and meta["interrupted"] is True and meta["epochs"] >= 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.npz"]


def test_a_second_ctrl_c_during_the_save_does_not_cut_it_short(tmp_path, capsys, monkeypatch):
    savez = model_file.np.savez_compressed
    step = Trainer.step

    def step_then_ctrl_c(self):
        report = step(self)
        if self.batch_in_epoch == 2:
            signal.raise_signal(signal.SIGINT)
        return report

    def impatient_savez(f, **arrays):
        signal.raise_signal(signal.SIGINT)  # a second Ctrl-C …
        signal.raise_signal(signal.SIGTERM)  # … and a SIGTERM, while the file is written
        savez(f, **arrays)

    monkeypatch.setattr(Trainer, "step", step_then_ctrl_c)
    monkeypatch.setattr(model_file.np, "savez_compressed", impatient_savez)
    path = tmp_path / "m.npz"
    assert main(["train", "--epochs", "2", "--layers", "4", "--save", str(path)]) == 130
    err = capsys.readouterr().err
    assert "Ctrl-C: finishing the save first" in err and "SIGTERM: finishing the save" in err
    assert Network.load_with_metadata(path)[1]["batches_seen"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.npz"]
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_a_full_disk_keeps_a_rescue_copy_and_says_where(tmp_path, capsys, monkeypatch):
    write = atomic.atomic_write
    target = tmp_path / "models" / "m.npz"
    target.parent.mkdir()

    def full_disk(path, writer):
        if Path(path) == target:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        write(path, writer)

    monkeypatch.setattr(model_file, "atomic_write", full_disk)
    monkeypatch.setattr("tempfile.gettempdir", lambda: str(tmp_path))
    assert main(["train", "--epochs", "1", "--layers", "4", "--save", str(target)]) == 1
    err = capsys.readouterr().err
    rescued = tmp_path / f"mlpviz-rescued-{os.getpid()}-m.npz"
    assert f"{target}: No space left on device" in err
    assert f"the trained weights are safe in {rescued}" in err
    assert Network.load(rescued).sizes == [784, 4, 10]


def test_when_the_rescue_fails_too_the_message_says_the_weights_are_lost(tmp_path, capsys,
                                                                         monkeypatch):
    def full_disk(path, writer):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(model_file, "atomic_write", full_disk)
    assert main(["train", "--epochs", "1", "--layers", "4", "--save",
                 str(tmp_path / "m.npz")]) == 1
    assert "the trained weights are lost" in capsys.readouterr().err


# --- atomic writes ------------------------------------------------------------------------------


def _write_text(path, text: str) -> None:
    atomic_write(path, lambda f: f.write(text.encode()))


def test_a_new_file_respects_the_umask_and_an_old_file_keeps_its_mode(tmp_path):
    old = os.umask(0o027)
    try:
        _write_text(tmp_path / "new.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o640
    (tmp_path / "kept.txt").write_text("old")
    os.chmod(tmp_path / "kept.txt", 0o604)
    _write_text(tmp_path / "kept.txt", "new")
    assert stat.S_IMODE((tmp_path / "kept.txt").stat().st_mode) == 0o604
    assert (tmp_path / "kept.txt").read_text() == "new"


def test_saving_over_a_symlink_writes_its_target(tmp_path):
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "m.npz"
    link = tmp_path / "m.npz"
    Network([784, 4, 10], seed=1).save(real)
    link.symlink_to(real)
    Network([784, 4, 10], seed=2).save(link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    np.testing.assert_array_equal(Network.load(real).weights[0],
                                  Network([784, 4, 10], seed=2).weights[0])
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["m.npz"]


def test_the_file_and_its_folder_are_fsynced_before_and_after_the_rename(tmp_path, monkeypatch):
    events = []
    fsync, replace = os.fsync, os.replace

    def recording_fsync(fd):
        events.append(("fsync", stat.S_ISDIR(os.fstat(fd).st_mode)))
        fsync(fd)

    def recording_replace(a, b):
        events.append(("replace", None))
        replace(a, b)

    monkeypatch.setattr(atomic.os, "fsync", recording_fsync)
    monkeypatch.setattr(atomic.os, "replace", recording_replace)
    _write_text(tmp_path / "f.txt", "x")
    assert events == [("fsync", False), ("replace", None), ("fsync", True)]


def test_stale_temporaries_of_this_file_are_removed_by_the_next_save(tmp_path):
    old = time.time() - STALE_TEMP_SECONDS - 60
    stale = tmp_path / ".m.npz.k3j_9xq2.tmp"  # left by a save killed with SIGKILL
    fresh = tmp_path / ".m.npz.a1b2c3d4.tmp"  # perhaps another save, still running
    other = tmp_path / ".other.npz.k3j_9xq2.tmp"  # another file's: not ours to remove
    mine_not = tmp_path / ".m.npz.notours.tmp"  # does not match mkstemp's pattern
    for p in (stale, fresh, other, mine_not):
        p.write_bytes(b"half a model")
    for p in (stale, other, mine_not):
        os.utime(p, (old, old))
    Network([784, 4, 10]).save(tmp_path / "m.npz")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["m.npz", fresh.name, other.name, mine_not.name])


def test_an_interrupted_write_leaves_no_temporary(tmp_path):
    def interrupted(f):
        f.write(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(tmp_path / "f.txt", interrupted)
    assert list(tmp_path.iterdir()) == []


# --- a closed pipe ------------------------------------------------------------------------------


def test_evaluate_into_a_closed_pipe_ends_quietly(tmp_path):
    """As `mlpviz evaluate m.npz | head -1` once head has gone: the pipe's reading end is closed
    before mlpviz writes (here at once, so the test does not depend on timing)."""
    model = tmp_path / "m.npz"
    Network([784, 4, 10]).save(model)
    with subprocess.Popen([sys.executable, "-m", "mlpviz", "evaluate", str(model)], env=_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        proc.stdout.close()
        err = proc.stderr.read()
        proc.wait(timeout=120)
    assert err == ""
    assert proc.returncode == 141


def test_train_into_a_closed_pipe_still_trains_and_saves(tmp_path):
    """`mlpviz train --save m.npz | head -1`: the reader going away costs the output, never the
    model."""
    path = tmp_path / "m.npz"
    with subprocess.Popen([sys.executable, "-m", "mlpviz", "train", "--epochs", "2", "--layers",
                           "4", "--save", str(path)], env=_env(), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as proc:
        proc.stdout.close()
        err = proc.stderr.read()
        proc.wait(timeout=120)
    assert (proc.returncode, err) == (0, "")
    assert Network.load_with_metadata(path)[1]["epochs"] == 2


def test_train_refuses_to_save_a_model_too_big_to_open_again(tmp_path, capsys):
    from mlpviz.cli import main
    code = main(["train", "--layers", "5000,5000", "--epochs", "1", "--save",
                 str(tmp_path / "big.npz")])
    assert code == 1 and not (tmp_path / "big.npz").exists()
    assert "at most 20,000,000 parameters" in capsys.readouterr().err
