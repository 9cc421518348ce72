"""Bad input found in QA, each now one clear error line, the right exit code and nothing lost:
typos in --layers, absurd sizes, unwritable --save/--out paths (checked before training),
files that are not models, datasets with an empty split, and the Trainer's own guards."""

import json
import os
import stat
from pathlib import Path

import numpy as np
import pytest

import mlpviz.cli as cli
from mlpviz.cli import main
from mlpviz.core.datasets import DatasetError, load_dataset, load_folder
from mlpviz.core.model_file import ModelFileError, read_model
from mlpviz.core.network import Network
from mlpviz.core.trace_export import save_trace
from mlpviz.core.training import Trainer, TrainingDiverged


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("mlpviz: error: "), err
    return lines[0]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "m.npz"
    Network([784, 16, 16, 10], seed=0).save(path, {"dataset": "bundled"})
    return path


# --- arguments --------------------------------------------------------------------------------

@pytest.mark.parametrize("layers", ["16,,16", "16,", ",16", " , "])
def test_an_empty_entry_in_layers_is_a_typo_not_a_layer(layers, capsys):
    # "16,,16" used to train a 16,16 network without a word.
    assert main(["train", "--layers", layers, "--epochs", "1"]) == 2
    assert "hidden layer sizes" in _one_error_line(capsys.readouterr().err)


def test_no_hidden_layers_is_still_allowed(capsys):
    assert cli._hidden_layers("") == [] and cli._hidden_layers("16, 8") == [16, 8]


@pytest.mark.parametrize("layers", ["10000000", "99999999999999999999", "16,20000"])
def test_absurd_layer_sizes_are_refused_before_allocating(layers, capsys):
    # 10,000,000 used to die of a MemoryError traceback, 99999999999999999999 with numpy's
    # "Maximum allowed dimension exceeded", 200,000 to run for minutes.
    assert main(["train", "--layers", layers]) == 2
    out, err = capsys.readouterr()
    assert "at most 10,000 neurons" in _one_error_line(err)
    assert "Traceback" not in out + err


@pytest.mark.parametrize("command", [["train", "--epochs", "1"], ["gradcheck"]])
def test_negative_seed_is_a_usage_error(command, capsys):
    # Was exit 1 with numpy's "expected non-negative integer", naming no argument.
    assert main([*command, "--seed", "-1"]) == 2
    assert "--seed" in _one_error_line(capsys.readouterr().err)


def test_running_out_of_memory_is_one_line(monkeypatch, capsys):
    def too_big(*args, **kwargs):
        raise MemoryError("Unable to allocate 58.4 GiB for an array")

    monkeypatch.setattr(cli, "Network", too_big)
    assert main(["train", "--epochs", "1"]) == 1
    assert "not enough memory" in _one_error_line(capsys.readouterr().err)


# --- output paths: checked before any work, errors name the path the user gave ----------------

needs_proc = pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")


@needs_proc
def test_unwritable_save_folder_fails_before_training(capsys):
    # /proc exists as a folder but no file can be created in it: this used to train every
    # epoch and then fail naming a temporary file (/proc/.x.npz.1t8540mb.tmp).
    assert main(["train", "--epochs", "1", "--save", "/proc/x.npz"]) == 1
    out, err = capsys.readouterr()
    line = _one_error_line(err)
    assert "--save /proc/x.npz" in line and ".tmp" not in line
    assert "epoch 1" not in out  # nothing was trained, so nothing was lost


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_save_never_replaces_a_device_or_pipe(tmp_path, capsys):
    # The atomic rename used to replace whatever was there: as root, `--save /dev/null` swapped
    # the device node itself for the model. (A pipe stands in for the device here, so a
    # regression cannot damage the machine running the tests.)
    pipe = tmp_path / "pipe.npz"
    os.mkfifo(pipe)
    assert main(["train", "--epochs", "1", "--save", str(pipe)]) == 1
    assert "not a regular file" in _one_error_line(capsys.readouterr().err)
    assert stat.S_ISFIFO(os.stat(pipe).st_mode)
    with pytest.raises(OSError, match="not a regular file"):
        Network([784, 10]).save(pipe)
    assert stat.S_ISFIFO(os.stat(pipe).st_mode)


def test_save_onto_a_folder_and_into_a_missing_one(tmp_path, capsys):
    assert main(["train", "--epochs", "1", "--save", str(tmp_path)]) == 1
    assert "is a folder" in _one_error_line(capsys.readouterr().err)
    assert main(["train", "--epochs", "1", "--save", str(tmp_path / "no" / "m.npz")]) == 1
    assert "does not exist" in _one_error_line(capsys.readouterr().err)


@pytest.mark.parametrize("where", ["missing", "folder", pytest.param("proc", marks=needs_proc)])
def test_trace_out_errors_name_the_path_not_a_temporary_file(where, model, tmp_path, capsys):
    out = {"missing": tmp_path / "no" / "t.json", "folder": tmp_path / "dir.json",
           "proc": Path("/proc/t.json")}[where]
    if where == "folder":
        out.mkdir()
    assert main(["trace", str(model), "--sample", "0", "--out", str(out)]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert f"--out {out}" in line and ".tmp" not in line


def test_core_writers_name_the_target_in_os_errors(tmp_path, model):
    net, _ = Network.load_with_metadata(model)
    target = tmp_path / "no" / "such" / "m.npz"
    with pytest.raises(OSError) as e:
        net.save(target)
    assert e.value.filename == str(target)
    trace = net.backprop(np.zeros(784), 3)
    with pytest.raises(OSError) as e:
        save_trace(trace, tmp_path / "no" / "t.npz")
    assert e.value.filename == str(tmp_path / "no" / "t.npz")
    assert not list(tmp_path.rglob("*.tmp"))


# --- files that are not models ----------------------------------------------------------------

@pytest.mark.parametrize("content", [
    json.dumps({"sizes": [784, 10]}).encode(),  # JSON
    b"",  # empty
    b"\x93NUMPY",  # a .npy header
    bytes(64),  # zeros, like /dev/zero
])
def test_non_zip_files_are_not_models_and_no_pickle_advice(content, tmp_path, capsys):
    # A JSON file used to give numpy's advice to load it "unsafely" with allow_pickle; a renamed
    # .npy "'numpy.ndarray' object does not support the context manager protocol".
    path = tmp_path / "m.npz"
    path.write_bytes(content)
    if content == b"\x93NUMPY":
        np.save(path.with_suffix(".npy"), np.zeros(3))
        path.write_bytes(path.with_suffix(".npy").read_bytes())
    with pytest.raises(ModelFileError, match="not a model file"):
        read_model(path)
    assert main(["evaluate", str(path)]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert "not a model file" in line and "pickle" not in line and "context manager" not in line


def test_app_model_is_checked_before_the_app_starts(tmp_path, capsys, monkeypatch):
    # `mlpviz --model notes.json --screenshot s.png` used to exit 0 without the model.
    started = []
    monkeypatch.setattr("mlpviz.gui.app.run_app", lambda **kw: started.append(kw) or 0)
    bad = tmp_path / "notes.npz"
    bad.write_text("{}")
    assert main(["--model", str(bad), "--screenshot", str(tmp_path / "s.png")]) == 1
    assert "not a model file" in _one_error_line(capsys.readouterr().err)
    assert main(["--model", str(tmp_path)]) == 1
    assert "is a folder" in _one_error_line(capsys.readouterr().err)
    assert started == []


# --- datasets ---------------------------------------------------------------------------------

@pytest.mark.parametrize("split", ["train", "test"])
def test_a_dataset_with_an_empty_split_is_refused(
        split, bundled, tmp_path, model, capsys, write_dataset):
    # An empty held-out split used to train and evaluate "successfully" with "acc nan%", and in
    # the app raise IndexError from the sample view.
    folder = write_dataset(tmp_path / "d", bundled, 0 if split == "train" else 50,
                           0 if split == "test" else 50)
    with pytest.raises(DatasetError, match="holds no images"):
        load_folder(folder)
    for argv in (["train", "--data", str(folder)], ["evaluate", str(model), "--data", str(folder)],
                 ["trace", str(model), "--sample", "0", "--data", str(folder),
                  "--out", str(tmp_path / "t.json")]):
        assert main(argv) == 1
        assert "holds no images" in _one_error_line(capsys.readouterr().err)


def test_a_tiny_dataset_still_trains(bundled, tmp_path, capsys, write_dataset):
    folder = write_dataset(tmp_path / "tiny", bundled, 1, 1)
    assert main(["train", "--data", str(folder), "--epochs", "2", "--batch", "100"]) == 0
    assert "epoch 2" in capsys.readouterr().out


def test_data_pointing_at_a_file_says_so(tmp_path, capsys):
    f = tmp_path / "train-images-idx3-ubyte"
    f.write_bytes(b"x")
    with pytest.raises(DatasetError, match="is a file"):
        load_dataset(str(f))
    assert main(["train", "--data", str(f)]) == 1
    assert "is a file" in _one_error_line(capsys.readouterr().err)


# --- training guards --------------------------------------------------------------------------

def test_divergence_by_overflowing_step_does_not_blame_a_finite_cost(capsys):
    # At lr 1e308 the cost is finite but η·gradient overflows; the message used to read
    # "the cost became 3.94991", which is no reason to stop.
    assert main(["train", "--lr", "1e308", "--epochs", "1"]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert "overflowed" in line and "learning rate" in line


@pytest.mark.parametrize("kwargs, words", [
    ({"batch_size": 0}, "batch size"), ({"batch_size": -5}, "batch size"),
    ({"lr": float("nan")}, "learning rate"), ({"lr": -1.0}, "learning rate"),
    ({"lr": 0.0}, "learning rate"), ({"lr": float("inf")}, "learning rate"),
])
def test_trainer_refuses_settings_it_cannot_train_with(kwargs, words, bundled):
    # batch_size 0 used to fail later with ZeroDivisionError; -5 trained on odd slices; lr nan
    # "diverged" with a finite cost, lr ≤ 0 climbed the cost without complaint.
    with pytest.raises(ValueError, match=words):
        Trainer(Network([784, 8, 10]), bundled.train_images[:100], bundled.train_labels[:100],
                **kwargs)


def test_trainer_step_message_still_names_a_non_finite_cost(bundled):
    t = Trainer(Network([784, 8, 10], activation="relu", cost="cross_entropy"),
                bundled.train_images[:200], bundled.train_labels[:200], lr=1e30)
    with pytest.raises(TrainingDiverged, match="learning rate 1e\\+30"):
        for _ in range(20):
            t.step()
