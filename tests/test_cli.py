"""The `mlpviz` command, run in-process: every command's output, and bad input → one clear line
and the right exit code, never a traceback."""

import dataclasses
import json
import signal
import subprocess
import sys
import types

import numpy as np
import pytest

import mlpviz
from mlpviz.cli import main
from mlpviz.core.activations import ACTIVATIONS
from mlpviz.core.network import Network
from mlpviz.core.training import Trainer, default_lr

L = 3  # weight layers of the default network


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """A default network trained 2 epochs on the bundled data."""
    path = tmp_path_factory.mktemp("model") / "m.npz"
    assert main(["train", "--epochs", "2", "--save", str(path)]) == 0
    return path


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("mlpviz: error: "), err
    return lines[0]


# --- train ------------------------------------------------------------------------------------

def test_train_one_small_epoch_and_save(tmp_path, capsys):
    path = tmp_path / "small.npz"
    assert main(["train", "--layers", "8", "--epochs", "1", "--batch", "50", "--lr", "2",
                 "--seed", "3", "--save", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "parameters=6370" in out  # 784·8 + 8 + 8·10 + 10
    epoch_line = next(line for line in out.splitlines() if line.startswith("epoch 1"))
    for word in ("train cost", "held-out cost", "acc", "samples/s"):
        assert word in epoch_line
    assert "Traceback" not in err
    net, meta = Network.load_with_metadata(path)
    assert net.sizes == [784, 8, 10]
    assert (meta["epochs"], meta["dataset"], meta["lr"], meta["batch"], meta["seed"]) == \
        (1, "bundled", 2.0, 50, 3)
    assert meta["interrupted"] is False
    assert len(meta["history"]) == 1
    assert {"epoch", "train_cost", "train_accuracy", "test_cost", "test_accuracy",
            "samples_per_second"} <= set(meta["history"][0])


def test_train_default_learning_rate_follows_the_cost(tmp_path, capsys):
    path = tmp_path / "ce.npz"
    assert main(["train", "--cost", "cross_entropy", "--epochs", "1", "--save", str(path)]) == 0
    want = default_lr("cross_entropy", "sigmoid", 2)  # the defaults table, not mse's 3
    assert want != default_lr("mse") and f"lr {want:g}" in capsys.readouterr().out
    assert Network.load_with_metadata(path)[1]["lr"] == want


def test_train_reaches_90_percent_in_10_epochs(tmp_path, capsys):
    assert main(["train", "--epochs", "10", "--save", str(tmp_path / "m.npz")]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-2]  # the line before "saved …"
    assert last.startswith("epoch 10")
    accuracy = float(last.split("held-out")[1].split("acc")[1].split("%")[0])
    assert accuracy >= 90


def test_ctrl_c_stops_after_the_batch_and_saves(tmp_path, capsys, monkeypatch):
    step = Trainer.step
    calls = []

    def step_then_ctrl_c(self):
        report = step(self)
        calls.append(report)
        if len(calls) == 3:
            signal.raise_signal(signal.SIGINT)
        return report

    monkeypatch.setattr(Trainer, "step", step_then_ctrl_c)
    path = tmp_path / "m.npz"
    assert main(["train", "--epochs", "2", "--save", str(path)]) == 130
    out, err = capsys.readouterr()
    assert len(calls) == 3
    assert "stopping after this batch" in err and "Traceback" not in err
    assert "stopped in epoch 1 after 3 of 80 batches" in out
    net, meta = Network.load_with_metadata(path)
    assert meta["interrupted"] is True and meta["epochs"] == 0 and meta["samples_seen"] == 300
    assert meta["batches_seen"] == 3 and meta["history"] == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_diverging_training_is_one_error_and_saves_nothing(tmp_path, capsys):
    path = tmp_path / "m.npz"
    assert main(["train", "--activation", "relu", "--lr", "1e4", "--save", str(path)]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert "diverged" in line and "learning rate" in line
    assert not path.exists()


# --- evaluate ---------------------------------------------------------------------------------

def test_evaluate_prints_accuracy_and_confusion_matrix(model, capsys):
    assert main(["evaluate", str(model)]) == 0
    out = capsys.readouterr().out
    assert "held-out split: 2,000 samples" in out
    assert "accuracy" in out and "cost" in out
    lines = out.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("true \\ predicted"))
    assert lines[head].split()[3:13] == list("0123456789")
    rows = [line.split() for line in lines[head + 1:head + 11]]
    assert [r[0] for r in rows] == list("0123456789")
    counts = np.array([[int(v) for v in r[1:11]] for r in rows])
    assert counts.sum() == 2000
    assert np.trace(counts) / 2000 > 0.5
    # columns line up: every row as long as the header up to the "correct" column
    widths = {len(line.rstrip()) for line in lines[head + 1:head + 11]}
    assert len(widths) == 1


# --- gradcheck --------------------------------------------------------------------------------

def test_gradcheck_passes(capsys):
    assert main(["gradcheck"]) == 0
    out = capsys.readouterr().out
    assert out.count("layer ") == L
    assert "OK" in out


def test_gradcheck_other_network(capsys):
    assert main(["gradcheck", "--layers", "5,4,3", "--activation", "tanh",
                 "--cost", "cross_entropy", "--seed", "2"]) == 0
    assert capsys.readouterr().out.count("layer ") == 4


def test_gradcheck_fails_on_a_wrong_derivative(capsys, monkeypatch):
    sigmoid = ACTIVATIONS["sigmoid"]
    monkeypatch.setitem(ACTIVATIONS, "sigmoid", dataclasses.replace(sigmoid, prime=sigmoid.f))
    assert main(["gradcheck", "--layers", "4"]) == 1
    assert "FAILED" in capsys.readouterr().out


def test_gradcheck_a_saved_collapsed_model_on_a_chosen_sample(tmp_path, capsys, bundled):
    """The issue's tanh/mse network, collapsed after 1 epoch at η = 3: gradients of 1e-13 are too
    small to check numerically, not wrong; exit 0."""
    net = Network([784, 16, 16, 10], "tanh", "mse", seed=0)
    trainer = Trainer(net, bundled.train_images, bundled.train_labels, lr=3.0, seed=0)
    for _ in trainer.run(1):
        pass
    path = tmp_path / "collapsed.npz"
    trainer.sync().save(path)
    for sample in ("0", "7", "1999"):
        assert main(["gradcheck", "--model", str(path), "--sample", sample]) == 0
        out = capsys.readouterr().out
        assert f"held-out sample #{sample} " in out and "tanh" in out and "OK" in out
        assert "DISAGREE" not in out


def test_gradcheck_relu_at_its_kink_is_not_a_failure(tmp_path, capsys):
    path = tmp_path / "relu.npz"
    net = Network([784, 16, 16, 10], "relu", "mse", seed=0)
    for b in net.biases:
        b[:] = 0  # zero biases: the held-out sample's black pixels leave some z exactly at 0
    net.save(path)
    assert main(["gradcheck", "--model", str(path), "--sample", "0"]) == 0


def test_gradcheck_sample_out_of_range_is_one_line(model, capsys):
    assert main(["gradcheck", "--model", str(model), "--sample", "2000"]) == 1
    assert "2,000 samples" in _one_error_line(capsys.readouterr().err)


# --- trace ------------------------------------------------------------------------------------

def _trace_keys():
    keys = {"x", "label", "activation", "cost", "C"}
    keys |= {f"{name}{l}" for l in range(L + 1) for name in ("a", "grad_a")}
    keys |= {f"z{l}" for l in range(1, L + 1)}
    keys |= {f"{name}{l}" for l in range(L) for name in ("W", "b", "grad_W", "grad_b")}
    return keys


def test_trace_npz(model, tmp_path, capsys):
    out = tmp_path / "t.npz"
    assert main(["trace", str(model), "--sample", "7", "--out", str(out)]) == 0
    assert "sample 7" in capsys.readouterr().out
    with np.load(out, allow_pickle=False) as z:
        assert _trace_keys() <= set(z.files)
        assert z["x"].shape == (784,)
        np.testing.assert_array_equal(z["a0"], z["x"])
        assert z["W0"].shape == (16, 784) and z["grad_W2"].shape == (10, 16)
        assert z["a3"].shape == (10,)
        y = np.eye(10)[int(z["label"])]
        assert float(z["C"]) == pytest.approx(float(np.sum((z["a3"] - y) ** 2)))


def test_trace_json(model, tmp_path, capsys):
    out = tmp_path / "t.json"
    assert main(["trace", str(model), "--sample", "0", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert _trace_keys() <= set(data)
    assert "format" in data
    assert len(data["x"]) == 784 and data["x"] == data["a0"]
    assert len(data["W1"]) == 16 and len(data["W1"][0]) == 16
    assert data["activation"] == "sigmoid" and data["cost"] == "mse"


# --- data -------------------------------------------------------------------------------------

def test_data_list(capsys):
    assert main(["data", "list"]) == 0
    assert capsys.readouterr().out.startswith("bundled ")


def test_data_download_reports_the_folder(tmp_path, capsys, monkeypatch):
    from mlpviz.core import download

    def fake_download(which, root=None, mirrors=None, progress=None, log=None):
        for done in (0, 500, 1000):
            progress(done, 1000)
        return root / which

    monkeypatch.setattr(download, "download_dataset", fake_download)
    assert main(["data", "download", "mnist", "--dir", str(tmp_path)]) == 0
    assert str(tmp_path / "mnist") in capsys.readouterr().out


def test_failed_download_is_one_line(tmp_path, capsys, monkeypatch):
    from mlpviz.core import download

    def failing(which, root=None, mirrors=None, progress=None, log=None):
        raise download.DownloadError("could not download x.gz from any mirror:\n  a: 404\n  b: 503")

    monkeypatch.setattr(download, "download_dataset", failing)
    assert main(["data", "download", "mnist", "--dir", str(tmp_path)]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert "a: 404" in line and "b: 503" in line


# --- the app ----------------------------------------------------------------------------------

def test_no_command_starts_the_app(monkeypatch, tmp_path):
    seen = {}
    fake = types.ModuleType("mlpviz.gui.app")
    fake.run_app = lambda **kw: seen.update(kw) or 0
    monkeypatch.setitem(sys.modules, "mlpviz.gui.app", fake)
    assert main(["--screenshot", str(tmp_path / "s.png"), "--train-steps", "5"]) == 0
    assert seen == {"screenshot": str(tmp_path / "s.png"), "train_steps": 5, "model": None,
                    "setup": None, "lesson": None}
    seen.clear()
    assert main([]) == 0
    assert seen == {"screenshot": None, "train_steps": 300, "model": None, "setup": None,
                    "lesson": None}
    seen.clear()
    assert main(["lesson.mlpviz"]) == 0  # a double-click: a lesson is shown as it was saved
    assert (seen["lesson"], seen["train_steps"]) == ("lesson.mlpviz", 0)


# --- bad input --------------------------------------------------------------------------------

@pytest.mark.parametrize("argv,code,words", [
    (["frobnicate"], 2, "invalid choice"),
    (["train", "--layers", "16,x"], 2, "hidden layer sizes"),
    (["train", "--layers", "16,0"], 2, "hidden layer sizes"),
    (["train", "--epochs", "0"], 2, "positive"),
    (["train", "--batch", "ten"], 2, "positive"),
    (["train", "--lr", "-1"], 2, "positive number"),
    (["train", "--lr", "nan"], 2, "positive number"),
    (["train", "--activation", "swish"], 2, "invalid choice"),
    (["gradcheck", "--cost", "hinge"], 2, "invalid choice"),
    (["train", "--data", "/no/such/folder"], 1, "unknown dataset"),
    (["train", "--save", "/no/such/folder/m.npz"], 1, "does not exist"),
    (["evaluate"], 2, "required"),
    (["evaluate", "{tmp}/missing.npz"], 1, "no such file"),
    (["evaluate", "{tmp}/corrupt.npz"], 1, "not a model file"),
    (["evaluate", "{model}", "--data", "/no/such/folder"], 1, "unknown dataset"),
    (["trace", "{model}", "--sample", "2000", "--out", "{tmp}/t.npz"], 1, "0 … 1999"),
    (["trace", "{model}", "--sample", "1", "--out", "{tmp}/t.txt"], 2, ".npz or .json"),
    (["trace", "{model}", "--out", "{tmp}/t.npz"], 2, "--sample"),
    (["trace", "{model}", "--sample", "-1", "--out", "{tmp}/t.npz"], 2, "≥ 0"),
    (["data"], 2, "required"),
    (["data", "download", "cifar"], 2, "invalid choice"),
    (["--screenshot", "s.png", "train"], 2, "only to the app"),
    (["--model", "{tmp}/missing.npz"], 1, "no such model file"),
])
def test_bad_input_is_one_line_and_an_exit_code(argv, code, words, model, tmp_path, capsys):
    (tmp_path / "corrupt.npz").write_bytes(b"PK\x03\x04 this is not a zip")
    argv = [a.format(tmp=tmp_path, model=model) for a in argv]
    assert main(argv) == code
    out, err = capsys.readouterr()
    line = _one_error_line(err)
    assert words in line
    assert "Traceback" not in out + err


def test_missing_full_dataset_says_how_to_get_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MLPVIZ_DATA", str(tmp_path))
    assert main(["train", "--data", "mnist"]) == 1
    assert "mlpviz data download mnist" in _one_error_line(capsys.readouterr().err)


def test_model_for_other_inputs_is_refused(tmp_path, capsys):
    path = tmp_path / "small.npz"
    Network([100, 4, 10]).save(path)
    assert main(["evaluate", str(path)]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert "small.npz" in line and "784 neurons" in line and "not 100" in line


def test_help_exits_zero(capsys):
    assert main(["--help"]) == 0
    assert "train" in capsys.readouterr().out


def test_version_in_a_subprocess():
    result = subprocess.run([sys.executable, "-m", "mlpviz", "--version"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"mlpviz {mlpviz.__version__}"
    assert result.stderr == ""


def test_lang_zh_translates_help_and_leaves_commands_alone(capsys, tmp_path):
    """`--lang zh`: --help in Chinese (argparse's own words too); a command after it runs as
    usual; an unknown language is a usage error."""
    from mlpviz import i18n

    try:
        assert main(["--lang", "zh", "--help"]) == 0
        out = capsys.readouterr().out
        assert out.startswith("用法：mlpviz") and "显示这条帮助信息并退出" in out
        assert "看一个小小的神经网络学习识别手写数字" in out
        assert main(["--lang=zh", "data", "list"]) == 0
    finally:
        i18n.set_language("en")
    assert main(["--lang", "fr", "data", "list"]) == 2
    assert "invalid choice: 'fr'" in capsys.readouterr().err
    assert main(["--help"]) == 0 and capsys.readouterr().out.startswith("usage: mlpviz")
