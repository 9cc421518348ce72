"""Importers: a torch-free round trip for each format (files written here with safetensors, numpy,
h5py and onnx.helper), every unsupported structure refused by name, nothing guessed, and hostile
files failing with one clear error."""

import json
import struct
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from mlpviz.core.imports import (
    ImportNeedsChoice, ModelImportError, detect_format, import_model, load_any_model,
)
from mlpviz.core.imports.files import read_npz
from mlpviz.core.network import Network

safetensors_numpy = pytest.importorskip("safetensors.numpy")
onnx = pytest.importorskip("onnx")
h5py = pytest.importorskip("h5py")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

SIZES = [784, 16, 16, 10]


@pytest.fixture(scope="module")
def model():
    """Weights as a framework keeps them: float32, W (out, in), random biases."""
    rng = np.random.default_rng(4)
    Ws = [(rng.standard_normal((o, i)) / np.sqrt(i)).astype(np.float32)
          for i, o in zip(SIZES[:-1], SIZES[1:])]
    bs = [rng.standard_normal(o).astype(np.float32) for o in SIZES[1:]]
    return Ws, bs


@pytest.fixture(scope="module")
def X():
    return np.random.default_rng(5).random((7, 784))


def reference(Ws, bs, X, hidden, output):
    """The same network's outputs, written here with numpy alone."""
    f = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh,
         "relu": lambda z: np.maximum(z, 0)}
    A = X
    for l, (W, b) in enumerate(zip(Ws, bs)):
        Z = A @ np.asarray(W, np.float64).T + np.asarray(b, np.float64)
        if l < len(Ws) - 1:
            A = f[hidden](Z)
        elif output == "softmax":
            E = np.exp(Z - Z.max(axis=1, keepdims=True))
            A = E / E.sum(axis=1, keepdims=True)
        else:
            A = f[output](Z)
    return A


def assert_same_network(imported, Ws, bs, X, hidden, output):
    net = imported.network
    assert net.sizes == SIZES
    for ours, theirs in zip(net.weights + net.biases, list(Ws) + list(bs)):
        np.testing.assert_array_equal(ours, np.asarray(theirs, np.float64))
    np.testing.assert_allclose(net.forward(X), reference(Ws, bs, X, hidden, output),
                               rtol=1e-12, atol=1e-15)


def torch_state_dict(Ws, bs, step=2):
    sd = {}
    for l, (W, b) in enumerate(zip(Ws, bs)):
        sd[f"{step * l}.weight"], sd[f"{step * l}.bias"] = W, b
    return sd


# --- round trips ------------------------------------------------------------------------------


def test_safetensors_state_dict(tmp_path, model, X):
    path = tmp_path / "mlp.safetensors"
    safetensors_numpy.save_file(torch_state_dict(*model), str(path))
    imported = import_model(path, activation="relu", cost="cross_entropy")
    assert_same_network(imported, *model, X, "relu", "softmax")
    assert imported.format == "PyTorch nn.Sequential state dict (.safetensors)"
    assert not imported.transposed
    assert (imported.activation_from, imported.cost_from) == ("caller", "caller")
    assert imported.layer_names == ("0", "2", "4")


def test_npz_state_dict_with_a_prefix_and_dropout_gaps(tmp_path, model, X):
    sd = {f"net.{k}": v for k, v in torch_state_dict(*model, step=3).items()}
    np.savez(tmp_path / "mlp.npz", **sd)
    imported = import_model(tmp_path / "mlp.npz", activation="tanh", cost="mse")
    assert_same_network(imported, *model, X, "tanh", "tanh")
    assert imported.layer_names == ("net.0", "net.3", "net.6")


def test_keras_npz_is_transposed_and_says_so(tmp_path, model, X):
    Ws, bs = model
    names = ["dense", "dense_1", "dense_2"]
    np.savez(tmp_path / "k.npz", **{f"{n}/kernel:0": W.T for n, W in zip(names, Ws)},
             **{f"{n}/bias:0": b for n, b in zip(names, bs)})
    imported = import_model(tmp_path / "k.npz", activation="sigmoid", cost="mse")
    assert_same_network(imported, Ws, bs, X, "sigmoid", "sigmoid")
    assert imported.transposed
    assert any("transposed" in line for line in imported.describe())


def write_keras_h5(path, Ws, bs, config=None, names=("dense", "dense_1", "dense_2")):
    """The layout of Keras 2's save_weights (or, with a config, model.save)."""
    with h5py.File(path, "w") as f:
        root = f.create_group("model_weights") if config else f
        root.attrs["layer_names"] = [n.encode() for n in names]
        for n, W, b in zip(names, Ws, bs):
            g = root.create_group(n)
            g.attrs["weight_names"] = [f"{n}/kernel:0".encode(), f"{n}/bias:0".encode()]
            g.create_dataset(f"{n}/kernel:0", data=W.T)
            g.create_dataset(f"{n}/bias:0", data=b)
        if config:
            f.attrs["model_config"] = json.dumps(config)


def keras_config(*layers):
    return {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": kind, "config": {"name": name, **cfg}} for kind, name, cfg in layers]}}


def test_keras_h5_weights(tmp_path, model, X):
    write_keras_h5(tmp_path / "w.h5", *model)
    imported = import_model(tmp_path / "w.h5", activation="relu", cost="cross_entropy")
    assert_same_network(imported, *model, X, "relu", "softmax")
    assert imported.transposed and imported.format == "Keras weights (.h5)"


def test_keras_h5_model_says_activation_and_cost(tmp_path, model, X):
    config = keras_config(("InputLayer", "input", {}),
                          ("Dense", "dense", {"activation": "tanh"}),
                          ("Dropout", "dropout", {"rate": 0.2}),
                          ("Dense", "dense_1", {"activation": "linear"}),
                          ("Activation", "act", {"activation": "tanh"}),
                          ("Dense", "dense_2", {"activation": "softmax"}))
    write_keras_h5(tmp_path / "m.h5", *model, config=config)
    imported = import_model(tmp_path / "m.h5")
    assert_same_network(imported, *model, X, "tanh", "softmax")
    assert (imported.network.activation, imported.network.cost) == ("tanh", "cross_entropy")
    assert (imported.activation_from, imported.cost_from) == ("file", "file")
    assert any("Dropout" in n for n in imported.notes)


def onnx_model(path, layers, final=None, hidden="Relu", gemm=True, trans_b=1):
    """Write an ONNX MLP: Gemm (with `trans_b`) or MatMul + Add layers with `hidden` between them
    and `final` after the last."""
    nodes, inits, cur = [], [], "input"
    for l, (W, b) in enumerate(layers):
        out = f"z{l}"
        if gemm:
            B = W if trans_b else np.ascontiguousarray(W.T)
            inits += [numpy_helper.from_array(B, f"W{l}"), numpy_helper.from_array(b, f"b{l}")]
            nodes.append(helper.make_node("Gemm", [cur, f"W{l}", f"b{l}"], [out], transB=trans_b,
                                          name=f"fc{l}"))
        else:
            inits += [numpy_helper.from_array(np.ascontiguousarray(W.T), f"W{l}"),
                      numpy_helper.from_array(b, f"b{l}")]
            nodes += [helper.make_node("MatMul", [cur, f"W{l}"], [f"m{l}"], name=f"mm{l}"),
                      helper.make_node("Add", [f"m{l}", f"b{l}"], [out], name=f"add{l}")]
        cur = out
        act = hidden if l < len(layers) - 1 else final
        if act:
            nodes.append(helper.make_node(act, [cur], [f"a{l}"], name=f"{act.lower()}{l}"))
            cur = f"a{l}"
    graph = helper.make_graph(
        nodes, "mlp", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, 784])],
        [helper.make_tensor_value_info(cur, TensorProto.FLOAT, [None, 10])], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(m, str(path))
    return path


def test_onnx_gemm_reads_activation_and_softmax(tmp_path, model, X):
    path = onnx_model(tmp_path / "m.onnx", list(zip(*model)), final="Softmax")
    imported = import_model(path)
    assert_same_network(imported, *model, X, "relu", "softmax")
    assert (imported.activation_from, imported.cost_from) == ("file", "file")
    assert not imported.transposed and imported.layer_names == ("fc0", "fc1", "fc2")


def test_onnx_matmul_add_sigmoid_output(tmp_path, model, X):
    path = onnx_model(tmp_path / "m.onnx", list(zip(*model)), final="Sigmoid", hidden="Sigmoid",
                      gemm=False)
    with pytest.raises(ImportNeedsChoice, match="--cost mse") as e:
        import_model(path)
    assert e.value.missing == ("cost",)
    imported = import_model(path, cost="mse")
    assert_same_network(imported, *model, X, "sigmoid", "sigmoid")
    assert imported.transposed and imported.activation_from == "file"
    with pytest.raises(ModelImportError, match="which cross_entropy does not fit"):
        import_model(path, cost="cross_entropy")


def test_onnx_gemm_without_transB_is_transposed(tmp_path, model, X):
    path = onnx_model(tmp_path / "m.onnx", list(zip(*model)), final="Softmax", trans_b=0)
    imported = import_model(path)
    assert_same_network(imported, *model, X, "relu", "softmax")
    assert imported.transposed


def test_onnx_a_network_no_dataset_fits(tmp_path, model):
    Ws, bs = model
    path = onnx_model(tmp_path / "m.onnx", [(Ws[0], bs[0])], final="Softmax")
    with pytest.raises(ModelImportError, match="gives 16 outputs; mlpviz's datasets .* 784 "
                                               "pixels and 10 classes"):
        import_model(path, activation="relu")


def test_onnx_dropout_is_skipped_unless_it_trains(tmp_path, model, X):
    layers = list(zip(*model))
    path = onnx_model(tmp_path / "m.onnx", layers, final="Softmax")
    m = onnx.load(str(path))
    relu = next(i for i, n in enumerate(m.graph.node) if n.name == "relu0")
    m.graph.node[relu].output[0] = "d_in"
    m.graph.node.insert(relu + 1, helper.make_node("Dropout", ["d_in"], ["a0"], name="drop"))
    onnx.save(m, str(path))
    imported = import_model(path)
    assert_same_network(imported, *model, X, "relu", "softmax")
    assert any("Dropout" in n and "skipped" in n for n in imported.notes)
    m.graph.node[relu + 1].input.extend(["ratio", "training"])
    m.graph.initializer.extend([numpy_helper.from_array(np.array(0.5, np.float32), "ratio"),
                                numpy_helper.from_array(np.array(True), "training")])
    onnx.save(m, str(path))
    with pytest.raises(ModelImportError, match="node 'drop' \\(Dropout\\) drops activations"):
        import_model(path)


def test_onnx_logits_need_the_cost_and_get_a_softmax(tmp_path, model, X):
    path = onnx_model(tmp_path / "m.onnx", list(zip(*model)))
    with pytest.raises(ImportNeedsChoice, match="logits"):
        import_model(path)
    with pytest.raises(ModelImportError, match="which mse does not fit"):
        import_model(path, cost="mse")
    imported = import_model(path, cost="cross_entropy")
    assert_same_network(imported, *model, X, "relu", "softmax")
    assert any("logits" in n for n in imported.notes)


def test_our_own_model_and_load_any_model(tmp_path):
    net = Network(SIZES, "tanh", "cross_entropy", seed=2)
    net.save(tmp_path / "ours.npz", {"epochs": 3})
    imported = import_model(tmp_path / "ours.npz")
    assert imported.format == "mlpviz model" and imported.metadata() == {"epochs": 3}
    loaded, meta = load_any_model(tmp_path / "ours.npz")
    assert meta == {"epochs": 3}
    np.testing.assert_array_equal(loaded.weights[1], net.weights[1])
    with pytest.raises(ModelImportError, match="says the activation is tanh, but relu"):
        import_model(tmp_path / "ours.npz", activation="relu")


def test_imported_metadata_round_trips_through_our_format(tmp_path, model):
    safetensors_numpy.save_file(torch_state_dict(*model), str(tmp_path / "m.safetensors"))
    imported = import_model(tmp_path / "m.safetensors", activation="relu", cost="mse")
    imported.network.save(tmp_path / "ours.npz", imported.metadata())
    net, meta = Network.load_with_metadata(tmp_path / "ours.npz")
    assert meta["import_format"] == imported.format and meta["activation_from"] == "caller"
    np.testing.assert_array_equal(net.weights[2], imported.network.weights[2])


# --- nothing guessed --------------------------------------------------------------------------


def test_a_bare_state_dict_needs_both_choices(tmp_path, model):
    np.savez(tmp_path / "m.npz", **torch_state_dict(*model))
    with pytest.raises(ImportNeedsChoice) as e:
        import_model(tmp_path / "m.npz")
    assert e.value.missing == ("activation", "cost")
    assert "--activation" in str(e.value) and "--cost" in str(e.value)
    with pytest.raises(ImportNeedsChoice, match="--cost") as e:
        import_model(tmp_path / "m.npz", activation="relu")
    assert e.value.missing == ("cost",)


def test_a_contradicting_activation_is_refused(tmp_path, model):
    path = onnx_model(tmp_path / "m.onnx", list(zip(*model)), final="Softmax")
    with pytest.raises(ModelImportError, match="says the activation is relu, but tanh"):
        import_model(path, activation="tanh")


# --- refusals, each naming the first part that does not fit -----------------------------------


def test_batch_norm_in_a_state_dict(tmp_path, model):
    sd = torch_state_dict(*model)
    sd.update({"1.weight": np.ones(16, np.float32), "1.bias": np.zeros(16, np.float32),
               "1.running_mean": np.zeros(16, np.float32)})
    np.savez(tmp_path / "m.npz", **sd)
    with pytest.raises(ModelImportError, match="module '1' holds running_mean: a batch norm"):
        import_model(tmp_path / "m.npz", activation="relu", cost="mse")


def test_convolution_in_a_state_dict(tmp_path, model):
    sd = torch_state_dict(*model)
    sd["0.weight"] = np.zeros((16, 1, 3, 3), np.float32)
    safetensors_numpy.save_file(sd, str(tmp_path / "c.safetensors"))
    with pytest.raises(ModelImportError, match="'0' has weights of shape \\(16, 1, 3, 3\\): a "
                                               "convolution"):
        import_model(tmp_path / "c.safetensors", activation="relu", cost="mse")


def test_named_modules_have_no_order(tmp_path, model):
    np.savez(tmp_path / "m.npz", **{"fc1.weight": model[0][0], "fc1.bias": model[1][0]})
    with pytest.raises(ModelImportError, match="neither an mlpviz model nor a state dict"):
        import_model(tmp_path / "m.npz", activation="relu", cost="mse")


def test_shapes_that_do_not_chain(tmp_path, model):
    Ws, bs = model
    sd = torch_state_dict([Ws[0], Ws[1], Ws[2].T.copy()], [bs[0], bs[1], np.zeros(16, np.float32)])
    np.savez(tmp_path / "m.npz", **sd)
    with pytest.raises(ModelImportError, match="layer '4' takes 10 inputs but layer '2'"):
        import_model(tmp_path / "m.npz", activation="relu", cost="mse")


def test_nan_weights(tmp_path, model):
    Ws, bs = model
    W = Ws[1].copy()
    W[2, 3] = np.nan
    np.savez(tmp_path / "m.npz", **torch_state_dict([Ws[0], W, Ws[2]], bs))
    with pytest.raises(ModelImportError, match="layer '2' holds NaN"):
        import_model(tmp_path / "m.npz", activation="relu", cost="mse")


def test_sizes_no_dataset_fits(tmp_path, model):
    Ws, bs = model
    np.savez(tmp_path / "m.npz", **torch_state_dict(Ws[:2], bs[:2]))
    with pytest.raises(ModelImportError, match="784 inputs|gives 16 outputs.*784 pixels and 10"):
        import_model(tmp_path / "m.npz", activation="relu", cost="mse")


def test_different_activations_per_layer(tmp_path, model):
    Ws, bs = model
    path = onnx_model(tmp_path / "m.onnx", list(zip(Ws, bs)), final="Softmax", hidden="Relu")
    m = onnx.load(str(path))
    for node in m.graph.node:
        if node.name == "relu1":
            node.op_type = "Tanh"
    onnx.save(m, str(path))
    with pytest.raises(ModelImportError, match="different activations per layer \\(relu after "
                                               "'fc0', tanh after 'fc1'\\)"):
        import_model(path)


@pytest.mark.parametrize("op,words", [("Conv", "a convolution"),
                                      ("BatchNormalization", "a batch norm")])
def test_onnx_layers_that_are_not_an_mlp(tmp_path, model, op, words):
    path = onnx_model(tmp_path / "m.onnx", list(zip(*model)), final="Softmax")
    m = onnx.load(str(path))
    m.graph.node[1].op_type = op  # the first activation becomes something else
    onnx.save(m, str(path))
    with pytest.raises(ModelImportError, match=f"node 'relu0' \\({op}\\) is {words}"):
        import_model(path)


def test_onnx_skip_connection(tmp_path, model):
    Ws, bs = model
    inits = [numpy_helper.from_array(Ws[1], "W1"), numpy_helper.from_array(bs[1], "b1"),
             numpy_helper.from_array(Ws[0], "W0"), numpy_helper.from_array(bs[0], "b0"),
             numpy_helper.from_array(Ws[2], "W2"), numpy_helper.from_array(bs[2], "b2")]
    nodes = [helper.make_node("Gemm", ["input", "W0", "b0"], ["z0"], transB=1, name="fc0"),
             helper.make_node("Relu", ["z0"], ["a0"], name="relu0"),
             helper.make_node("Gemm", ["a0", "W1", "b1"], ["z1"], transB=1, name="fc1"),
             helper.make_node("Relu", ["z1"], ["a1"], name="relu1"),
             helper.make_node("Add", ["a1", "a0"], ["s"], name="skip"),
             helper.make_node("Gemm", ["s", "W2", "b2"], ["out"], transB=1, name="fc2")]
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, 784])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [None, 10])], inits)
    onnx.save(helper.make_model(graph), str(tmp_path / "s.onnx"))
    with pytest.raises(ModelImportError, match="'a0' feeds 2 nodes \\(a branch or a skip"):
        import_model(tmp_path / "s.onnx", cost="cross_entropy")


def test_keras_config_with_batch_norm(tmp_path, model):
    config = keras_config(("Dense", "dense", {"activation": "relu"}),
                          ("BatchNormalization", "batch_normalization", {}),
                          ("Dense", "dense_1", {"activation": "relu"}),
                          ("Dense", "dense_2", {"activation": "softmax"}))
    write_keras_h5(tmp_path / "m.h5", *model, config=config)
    with pytest.raises(ModelImportError, match="'batch_normalization' is a BatchNormalization"):
        import_model(tmp_path / "m.h5")


# --- hostile files ----------------------------------------------------------------------------


def write(tmp_path, name, data: bytes):
    (tmp_path / name).write_bytes(data)
    return tmp_path / name


@pytest.mark.parametrize("fmt", ["safetensors", "npz", "h5", "onnx"])
def test_truncated_files(tmp_path, model, fmt):
    path = tmp_path / f"m.{fmt}"
    if fmt == "safetensors":
        safetensors_numpy.save_file(torch_state_dict(*model), str(path))
    elif fmt == "npz":
        np.savez(path, **torch_state_dict(*model))
    elif fmt == "h5":
        write_keras_h5(path, *model)
    else:
        onnx_model(path, list(zip(*model)), final="Softmax")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(ModelImportError, match=str(path.name)):
        import_model(path, activation="relu", cost="cross_entropy")


def test_huge_declared_npy_shape_is_refused_before_reading(tmp_path):
    header = {"descr": "<f8", "fortran_order": False, "shape": (10**6, 10**6)}
    import io
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, header)
    with zipfile.ZipFile(tmp_path / "m.npz", "w") as z:
        z.writestr("0.weight.npy", buf.getvalue() + b"\0" * 64)
    with pytest.raises(ModelImportError, match="does not match the bytes stored"):
        import_model(tmp_path / "m.npz", activation="relu", cost="mse")


def test_npz_over_the_budget_is_refused_before_reading(tmp_path):
    np.savez(tmp_path / "m.npz", a=np.zeros(1000), b=np.zeros(1000))
    with pytest.raises(ModelImportError, match="declares 2,000 numbers; mlpviz reads at most 1,500"):
        read_npz(tmp_path / "m.npz", 1500)


def test_huge_declared_safetensors_shape(tmp_path):
    header = json.dumps({"0.weight": {"dtype": "F64", "shape": [10**6, 10**6],
                                      "data_offsets": [0, 8 * 10**12]}}).encode()
    path = write(tmp_path, "m.safetensors", struct.pack("<Q", len(header)) + header + b"\0" * 16)
    with pytest.raises(ModelImportError, match="m.safetensors"):
        import_model(path, activation="relu", cost="mse")


def test_integer_weights_are_refused(tmp_path, model):
    sd = torch_state_dict(*model)
    sd["2.weight"] = np.zeros((16, 16), np.int32)
    safetensors_numpy.save_file(sd, str(tmp_path / "i.safetensors"))
    with pytest.raises(ModelImportError, match="tensor '2.weight' is I32"):
        import_model(tmp_path / "i.safetensors", activation="relu", cost="mse")
    np.savez(tmp_path / "i.npz", **sd)
    with pytest.raises(ModelImportError, match="'2.weight' holds int32"):
        import_model(tmp_path / "i.npz", activation="relu", cost="mse")


def test_onnx_huge_declared_initializer(tmp_path, model):
    path = onnx_model(tmp_path / "m.onnx", list(zip(*model)), final="Softmax")
    m = onnx.load(str(path))
    m.graph.initializer[0].dims[:] = [10**5, 10**5]
    onnx.save(m, str(path))
    with pytest.raises(ModelImportError, match="declares 10,000,\\d{3},\\d{3} numbers"):
        import_model(path)


def test_onnx_integer_initializer(tmp_path, model):
    Ws, bs = model
    path = onnx_model(tmp_path / "m.onnx", [(Ws[0].astype(np.int64), bs[0]), (Ws[1], bs[1]),
                                            (Ws[2], bs[2])], final="Softmax")
    with pytest.raises(ModelImportError, match="'W0' of node 'fc0' has ONNX data type 7"):
        import_model(path)


def test_h5_integer_dataset(tmp_path, model):
    Ws, bs = model
    write_keras_h5(tmp_path / "m.h5", [W.astype(np.int16) for W in Ws], bs)
    with pytest.raises(ModelImportError, match="holds int16"):
        import_model(tmp_path / "m.h5", activation="relu", cost="mse")


@pytest.mark.parametrize("data", [b"", b"hello world", b"\x08\x07garbage protobuf",
                                  b"PK\x03\x04 not a zip", b"\x89HDF\r\n\x1a\nbroken"])
def test_garbage(tmp_path, data):
    path = write(tmp_path, "m.onnx", data)
    with pytest.raises(ModelImportError, match="m.onnx"):
        import_model(path, activation="relu", cost="mse")


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ModelImportError, match="no such file"):
        detect_format(tmp_path / "nope.onnx")
    with pytest.raises(ModelImportError, match="is a folder"):
        detect_format(tmp_path)


def test_the_importers_load_without_qt():
    code = ("import sys, mlpviz.core.imports, mlpviz.core.compare\n"
            "loaded = [m for m in ('PySide6', 'shiboken6', 'pyqtgraph') if m in sys.modules]\n"
            "assert not loaded, loaded\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
