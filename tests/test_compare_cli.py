"""The command line for networks and traces from elsewhere: `mlpviz import`, imported files
wherever a model is accepted (evaluate, trace, the app), and `mlpviz compare` (report, exit codes,
partial traces, batches, the named mistake), bad input one clear line."""

import json
import sys
import types

import numpy as np
import pytest

from mlpviz.cli import main
from mlpviz.core.network import Network
from mlpviz.core.trace_export import save_trace, trace_arrays

safetensors_numpy = pytest.importorskip("safetensors.numpy")
onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

SIZES = [784, 16, 16, 10]


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("mlpviz: error: "), err
    return lines[0]


@pytest.fixture(scope="module")
def net(trained_default):
    snap = trained_default(100)
    return Network.from_parameters(SIZES, "sigmoid", "mse", snap.weights, snap.biases)


@pytest.fixture
def state_dict(tmp_path, net):
    path = tmp_path / "theirs.safetensors"
    sd = {}
    for l, (W, b) in enumerate(zip(net.weights, net.biases)):
        sd[f"{2 * l}.weight"], sd[f"{2 * l}.bias"] = W, b
    safetensors_numpy.save_file(sd, str(path))
    return path


@pytest.fixture
def onnx_file(tmp_path, net):
    nodes, inits, cur = [], [], "x"
    for l, (W, b) in enumerate(zip(net.weights, net.biases)):
        inits += [numpy_helper.from_array(W, f"W{l}"), numpy_helper.from_array(b, f"b{l}")]
        nodes += [helper.make_node("Gemm", [cur, f"W{l}", f"b{l}"], [f"z{l}"], transB=1),
                  helper.make_node("Sigmoid", [f"z{l}"], [f"a{l}"])]
        cur = f"a{l}"
    graph = helper.make_graph(
        nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.DOUBLE, [None, 784])],
        [helper.make_tensor_value_info(cur, TensorProto.DOUBLE, [None, 10])], inits)
    path = tmp_path / "theirs.onnx"
    onnx.save(helper.make_model(graph), str(path))
    return path


# --- import -----------------------------------------------------------------------------------


def test_import_writes_our_format(tmp_path, state_dict, net, capsys):
    out = tmp_path / "ours.npz"
    assert main(["import", str(state_dict), "--out", str(out), "--activation", "sigmoid",
                 "--cost", "mse"]) == 0
    text = capsys.readouterr().out
    assert "PyTorch nn.Sequential state dict (.safetensors), 784 → 16 → 16 → 10" in text
    assert "activation sigmoid (given by you)" in text and f"saved {out}" in text
    loaded, meta = Network.load_with_metadata(out)
    for a, b in zip(loaded.weights, net.weights):
        np.testing.assert_array_equal(a, b)
    assert meta["imported_from"] == str(state_dict)


def test_import_without_the_choices_says_which(tmp_path, state_dict, capsys):
    assert main(["import", str(state_dict), "--out", str(tmp_path / "o.npz")]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert "--activation sigmoid|tanh|relu --cost mse|cross_entropy" in line
    assert not (tmp_path / "o.npz").exists()


def test_import_needs_out(state_dict, capsys):
    assert main(["import", str(state_dict)]) == 2
    assert "--out" in _one_error_line(capsys.readouterr().err)


# --- imported files wherever a model is accepted -----------------------------------------------


def test_evaluate_an_onnx_graph(onnx_file, net, capsys):
    assert main(["evaluate", str(onnx_file), "--cost", "mse"]) == 0
    out = capsys.readouterr().out
    assert "accuracy" in out and "activation='sigmoid'" in out


def test_evaluate_says_what_is_missing(onnx_file, capsys):
    assert main(["evaluate", str(onnx_file)]) == 1
    assert "--cost mse" in _one_error_line(capsys.readouterr().err)


def test_trace_of_an_imported_state_dict(tmp_path, state_dict, net, bundled, capsys):
    out = tmp_path / "t.json"
    assert main(["trace", str(state_dict), "--sample", "3", "--out", str(out),
                 "--activation", "sigmoid", "--cost", "mse"]) == 0
    ours = net.backprop(bundled.test_images[3] / 255, int(bundled.test_labels[3]))
    doc = json.loads(out.read_text())
    np.testing.assert_array_equal(doc["grad_W1"], ours.grad_w[1])


def test_the_app_opens_an_imported_model_as_ours(monkeypatch, onnx_file, net, tmp_path):
    seen = {}

    def run_app(**kw):
        seen.update(kw)
        seen["net"] = Network.load_with_metadata(kw["model"])[0]  # while the app runs, the file is there
        return 0

    fake = types.ModuleType("mlpviz.gui.app")
    fake.run_app = run_app
    monkeypatch.setitem(sys.modules, "mlpviz.gui.app", fake)
    assert main(["--model", str(onnx_file), "--cost", "mse", "--screenshot",
                 str(tmp_path / "s.png")]) == 0
    assert seen["model"].endswith("theirs.npz")
    np.testing.assert_array_equal(seen["net"].weights[2], net.weights[2])
    assert not __import__("os").path.exists(seen["model"])  # the temporary copy is gone


def test_app_options_only_before_no_command(onnx_file, capsys):
    assert main(["--cost", "mse", "evaluate", str(onnx_file)]) == 2
    assert "apply only to the app" in _one_error_line(capsys.readouterr().err)


# --- compare ----------------------------------------------------------------------------------


@pytest.fixture
def trace(net):
    x = np.linspace(0, 1, 784) ** 2
    return trace_arrays(net.backprop(x, 4))


def _write_json(path, data):
    doc = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in data.items()}
    path.write_text(json.dumps(doc))
    return path


def test_compare_agrees_exit_0(tmp_path, net, capsys):
    t = net.backprop(np.linspace(0, 1, 784), 4)
    save_trace(t, tmp_path / "t.npz")
    assert main(["compare", str(tmp_path / "t.npz"), "--tolerance", "0"]) == 0
    out = capsys.readouterr().out
    assert "agree: all 18 arrays within 0" in out
    assert "grad_W0" in out and "agrees" in out


def test_compare_mismatch_names_the_mistake_exit_1(tmp_path, trace, capsys):
    bad = dict(trace)
    for k in bad:
        if k.startswith("grad_"):
            bad[k] = -bad[k]
    path = _write_json(tmp_path / "bad.json", bad)
    assert main(["compare", str(path)]) == 1
    out = capsys.readouterr().out
    assert "mismatch: 10 of 18 arrays differ; the first is grad_a3 (∂C/∂a⁽³⁾), stepper stage " \
           "'wants'" in out
    assert "likely mistake: the sign is wrong" in out
    row = next(line for line in out.splitlines() if line.startswith("grad_W2"))
    j_k = row.split("first difference")[0]
    assert "layer 2, j 0, k 0: theirs" in j_k and "ours" in row


def test_compare_a_partial_trace_with_a_model(tmp_path, trace, net, capsys):
    net.save(tmp_path / "m.npz")
    part = {"x": trace["x"], "label": trace["label"], "grad_W2": trace["grad_W2"] / 2}
    path = _write_json(tmp_path / "part.json", part)
    assert main(["compare", str(path), "--model", str(tmp_path / "m.npz")]) == 1
    out = capsys.readouterr().out
    assert "parameters of the model" in out and "activation sigmoid (the model's)" in out
    assert "factor 2 of the squared error is missing" in out


def test_compare_a_batch_by_indices(tmp_path, net, bundled, capsys):
    idx = np.arange(10, 30)
    X, labels = bundled.train_images[idx] / 255, bundled.train_labels[idx]
    gw, gb, cost = net.gradient(X, labels)
    doc = {"indices": idx, "split": "train", "data": "bundled", "C": cost,
           "activation": "sigmoid", "cost": "mse"}
    doc.update({f"W{l}": net.weights[l] for l in range(3)} | {f"b{l}": net.biases[l] for l in range(3)})
    doc.update({f"grad_W{l}": gw[l] * 20 for l in range(3)} | {f"grad_b{l}": gb[l] * 20 for l in range(3)})
    np.savez(tmp_path / "batch.npz", **doc)
    assert main(["compare", str(tmp_path / "batch.npz")]) == 1
    out = capsys.readouterr().out
    assert "20 samples of MNIST (bundled sample)'s train split" in out
    assert "likely mistake: the batch is summed instead of averaged" in out


@pytest.mark.parametrize("args,code,words", [
    (["compare"], 2, "THEIRS"),
    (["compare", "{tmp}/t.json", "--tolerance", "-1"], 2, "expected a number ≥ 0"),
    (["compare", "{tmp}/nope.json"], 1, "no such file"),
    (["compare", "{tmp}/junk.json"], 1, "not valid JSON"),
    (["compare", "{tmp}/nothing.json"], 1, "does not say its activation"),
    (["compare", "{tmp}/t.json", "--activation", "relu"], 1, "but relu was given"),
])
def test_compare_bad_input(tmp_path, trace, args, code, words, capsys):
    _write_json(tmp_path / "t.json", trace)
    (tmp_path / "junk.json").write_text("{oops")
    (tmp_path / "nothing.json").write_text('{"grad_W0": [[0.0]]}')
    assert main([a.format(tmp=tmp_path) for a in args]) == code
    assert words in _one_error_line(capsys.readouterr().err)
