"""File › Import… in the app: another program's network (safetensors, Keras .npz, ONNX) opens as
ours — the choice the file does not state asked in a dialog, never guessed; refusals a banner
with the network kept; once imported, the stepper, the gradient check, training and Save work."""

import numpy as np
import pytest
from PySide6.QtWidgets import QComboBox, QDialogButtonBox

from mlpviz.core.network import Network

safetensors_numpy = pytest.importorskip("safetensors.numpy")
onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

SIZES = [784, 12, 10]


@pytest.fixture(scope="module")
def theirs():
    """A network 'trained elsewhere': seeded numbers nothing in mlpviz made."""
    rng = np.random.default_rng(12)
    Ws = [rng.normal(0, 0.3, (n, m)) for m, n in zip(SIZES[:-1], SIZES[1:])]
    bs = [rng.normal(0, 0.1, n) for n in SIZES[1:]]
    return Ws, bs


def _torch_safetensors(path, Ws, bs):
    sd = {}
    for l, (W, b) in enumerate(zip(Ws, bs)):
        sd[f"{2 * l}.weight"], sd[f"{2 * l}.bias"] = W, b
    safetensors_numpy.save_file(sd, str(path))


def _keras_npz(path, Ws, bs):
    np.savez(path, **{f"dense_{l}/kernel": W.T for l, W in enumerate(Ws)},
             **{f"dense_{l}/bias": b for l, b in enumerate(bs)})


def _onnx_softmax(path, Ws, bs, hidden="Tanh"):
    nodes, inits, cur = [], [], "x"
    for l, (W, b) in enumerate(zip(Ws, bs)):
        inits += [numpy_helper.from_array(W, f"W{l}"), numpy_helper.from_array(b, f"b{l}")]
        nodes.append(helper.make_node("Gemm", [cur, f"W{l}", f"b{l}"], [f"z{l}"], transB=1))
        op = "Softmax" if l == len(Ws) - 1 else hidden
        nodes.append(helper.make_node(op, [f"z{l}"], [f"a{l}"]))
        cur = f"a{l}"
    graph = helper.make_graph(
        nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.DOUBLE, [None, 784])],
        [helper.make_tensor_value_info(cur, TensorProto.DOUBLE, [None, 10])], inits)
    onnx.save(helper.make_model(graph), str(path))


def _import(qtbot, window, path):
    with qtbot.waitSignal(window.session.network_rebuilt, timeout=10_000):
        window.session.import_model(str(path))


def _answer(qtbot, window, path, **chosen):
    """Import `path`, wait for the dialog, choose `chosen` in it and press OK."""
    with qtbot.waitSignal(window.session.choice_needed, timeout=10_000):
        window.session.import_model(str(path))
    dialog = window.import_dialog
    assert dialog.isVisible()
    assert set(dialog.boxes) == set(chosen)
    for what, name in chosen.items():
        box = dialog.findChild(QComboBox, f"import_{what}")
        box.setCurrentIndex(box.findText(name))
    with qtbot.waitSignal(window.session.network_rebuilt, timeout=10_000):
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok).click()


def _same_numbers(snap, Ws, bs):
    return all(np.array_equal(a, b) for a, b in zip(snap.weights, Ws)) and all(
        np.array_equal(a, b) for a, b in zip(snap.biases, bs))


def test_a_bare_state_dict_asks_for_both_and_uses_the_answer(qtbot, window, tmp_path, theirs):
    path = tmp_path / "theirs.safetensors"
    _torch_safetensors(path, *theirs)
    _answer(qtbot, window, path, activation="relu", cost="cross_entropy")
    snap = window.session.snapshot
    assert (snap.sizes, snap.activation, snap.cost) == (tuple(SIZES), "relu", "cross_entropy")
    assert _same_numbers(snap, *theirs)


def test_cancel_keeps_the_network(qtbot, window, tmp_path, theirs):
    path = tmp_path / "theirs.safetensors"
    _torch_safetensors(path, *theirs)
    before = window.session.snapshot.weights[0].copy()
    with qtbot.waitSignal(window.session.choice_needed, timeout=10_000):
        window.session.import_model(str(path))
    window.import_dialog.reject()
    qtbot.wait(100)
    assert np.array_equal(window.session.snapshot.weights[0], before)
    assert window.session.sizes == (784, 16, 16, 10)


def test_keras_npz_is_transposed(qtbot, window, tmp_path, theirs):
    path = tmp_path / "keras.npz"
    _keras_npz(path, *theirs)
    with qtbot.waitSignal(window.session.imported, timeout=10_000) as said:
        _answer(qtbot, window, path, activation="sigmoid", cost="mse")
    assert _same_numbers(window.session.snapshot, *theirs)
    assert "transposed" in said.args[0] and "Keras" in said.args[0]
    assert said.args[0] == window.statusBar().currentMessage()


def test_a_torch_file_is_not_said_transposed(qtbot, window, tmp_path, theirs):
    path = tmp_path / "theirs.onnx"
    _onnx_softmax(path, *theirs)
    with qtbot.waitSignal(window.session.imported, timeout=10_000) as said:
        window.session.import_model(str(path))
    assert "ONNX" in said.args[0] and "transposed" not in said.args[0]


def test_onnx_says_everything_no_question(qtbot, window, tmp_path, theirs):
    path = tmp_path / "theirs.onnx"
    _onnx_softmax(path, *theirs)
    asked = []
    window.session.choice_needed.connect(lambda *a: asked.append(a))
    _import(qtbot, window, path)
    snap = window.session.snapshot
    assert not asked and window.import_dialog is None
    assert (snap.activation, snap.cost) == ("tanh", "cross_entropy")
    assert _same_numbers(snap, *theirs)


@pytest.mark.parametrize("make, words", [
    (lambda p, Ws, bs: np.savez(p, **{"0.weight": Ws[0], "0.bias": bs[0],
                                      "1.running_mean": bs[0], "1.running_var": bs[0],
                                      "1.weight": bs[0], "1.bias": bs[0],
                                      "2.weight": Ws[1], "2.bias": bs[1]}), "'1'"),
    (lambda p, Ws, bs: p.write_bytes(b"not a model at all"), "not a model file"),
])
def test_refusals_are_a_banner_and_keep_the_network(qtbot, window, tmp_path, theirs, make, words):
    path = tmp_path / "bad.npz"
    make(path, *theirs)
    before = window.session.snapshot.weights[0].copy()
    window.session.import_model(str(path))
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=10_000)
    assert words in window.banner.text() and "bad.npz" in window.banner.text()
    assert np.array_equal(window.session.snapshot.weights[0], before)
    assert window.import_dialog is None


def test_once_imported_everything_works(qtbot, window, tmp_path, theirs):
    path = tmp_path / "theirs.onnx"
    _onnx_softmax(path, *theirs, hidden="Sigmoid")
    _import(qtbot, window, path)
    window._show_stepper()
    qtbot.waitUntil(lambda: window.stepper.walk is not None, timeout=5000)
    assert window.stepper.walk.trace is not None
    report = window.stepper.run_gradient_check()
    assert report is not None and report.sizes == tuple(SIZES)
    assert report.check.ok

    with qtbot.waitSignal(window.session.epoch_done, timeout=30_000):
        window.session.step_epoch()
    qtbot.waitUntil(lambda: not window.session.is_training, timeout=5000)
    trained = window.session.snapshot
    assert not np.array_equal(trained.weights[0], theirs[0][0])

    saved = tmp_path / "ours.npz"
    assert window.session.save_model(saved)
    net, _ = Network.load_with_metadata(saved)
    assert (tuple(net.sizes), net.activation, net.cost) == (tuple(SIZES), "sigmoid", "cross_entropy")
    assert np.array_equal(net.weights[0], trained.weights[0])
