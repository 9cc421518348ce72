"""Issue 8, silent wrong numbers: a forward pass that overflows is an error naming the layer
(never "cost nan", never NaN in JSON, never a gradient check that "agrees" on NaN); the command
line says the batch size it uses and refuses a model the app cannot show."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mlpviz.cli import main
from mlpviz.core.activations import ACTIVATIONS
from mlpviz.core.costs import COSTS
from mlpviz.core.gradcheck import check_gradient
from mlpviz.core.network import Network, NonFiniteError, forward_pass
from mlpviz.core.trace_export import save_trace


def _huge(sizes=(784, 16, 16, 10), activation="relu", cost="cross_entropy", factor=1e120,
          seed=0) -> Network:
    net = Network(list(sizes), activation, cost, seed)
    for W in net.weights:
        W *= factor
    return net


@pytest.fixture
def huge_model(tmp_path):
    path = tmp_path / "huge.npz"
    _huge().save(path, {"history": [], "dataset": "bundled"})
    return path


def test_evaluate_of_an_overflowing_model_fails_naming_the_layer(huge_model, capsys):
    assert main(["evaluate", str(huge_model)]) == 1
    out, err = capsys.readouterr()
    assert "nan" not in out.lower()
    assert err.startswith(f"mlpviz: error: {huge_model}: the forward pass overflows at layer 3")
    assert "Traceback" not in err


def test_trace_of_an_overflowing_model_writes_nothing(huge_model, tmp_path, capsys):
    out = tmp_path / "t.json"
    assert main(["trace", str(huge_model), "--sample", "0", "--out", str(out)]) == 1
    assert "overflows at layer 3" in capsys.readouterr().err
    assert not out.exists()


def test_the_layer_named_is_the_first_that_overflows_over_many_networks():
    """For every activation × cost and many seeds and scales: the forward pass either gives
    finite numbers everywhere, or NonFiniteError names exactly the first layer whose z or a is
    not finite (computed here without the check)."""
    rng = np.random.default_rng(0)
    x = rng.random((3, 784))
    seen = set()
    for activation in ACTIVATIONS:
        for cost in COSTS:
            for seed in range(4):
                for factor in (1.0, 1e60, 1e100, 1e120, 1e160):
                    net = _huge((784, 8, 8, 10), activation, cost, factor, seed)
                    with np.errstate(all="ignore"):
                        zs, acts = forward_pass(net.weights, net.biases, x, net.act, net.cost_fn)
                    bad = [l for l in range(1, 4)
                           if not (np.isfinite(zs[l]).all() and np.isfinite(acts[l]).all())]
                    try:
                        out = net.forward(x)
                    except NonFiniteError as e:
                        assert bad and e.layer == bad[0], (activation, cost, seed, factor)
                        assert f"overflows at layer {bad[0]}" in str(e)
                        seen.add("error")
                    else:
                        assert not bad and np.isfinite(out).all()
                        seen.add("finite")
    assert seen == {"error", "finite"}  # both outcomes were exercised


def test_backprop_and_the_gradient_check_refuse_an_overflowing_network():
    net = _huge()
    x = np.full(784, 0.5)
    with pytest.raises(NonFiniteError, match="overflows at layer 3"):
        net.backprop(x, 3)
    with pytest.raises(NonFiniteError):  # never "agrees … worst relative error is −1"
        check_gradient(net, x, 3)


def test_a_trace_with_non_finite_numbers_is_never_written_as_json(tmp_path):
    trace = Network([784, 4, 10], seed=0).backprop(np.full(784, 0.5), 1)
    object.__setattr__(trace, "cost", float("nan"))
    with pytest.raises(ValueError, match="NaN or infinite values in C"):
        save_trace(trace, tmp_path / "t.json")
    assert not (tmp_path / "t.json").exists()
    good = Network([784, 4, 10], seed=0).backprop(np.full(784, 0.5), 1)
    save_trace(good, tmp_path / "t.json")
    json.loads((tmp_path / "t.json").read_text(), parse_constant=pytest.fail)


def test_batch_larger_than_the_training_set_is_printed_as_used(tmp_path, capsys):
    save = tmp_path / "m.npz"
    assert main(["train", "--batch", "1000000", "--epochs", "1", "--layers", "4",
                 "--save", str(save)]) == 0
    out = capsys.readouterr().out
    assert "batch 8,000 (the whole training set; --batch 1,000,000 asks for more)" in out
    with np.load(save) as z:
        assert json.loads(str(z["metadata"]))["batch"] == 8000


@pytest.mark.parametrize(("sizes", "message"), [
    ([784, 200, 10], "at most 128 neurons; 200"),
    ([784, 16, 5], "output layer must have 10 neurons"),
])
def test_screenshot_with_a_model_the_app_cannot_show_fails(tmp_path, capsys, sizes, message):
    model = tmp_path / "m.npz"
    Network(sizes, seed=0).save(model)
    code = main(["--screenshot", str(tmp_path / "s.png"), "--model", str(model)])
    assert code == 1
    err = capsys.readouterr().err
    assert "the app cannot show this model" in err and message in err
    assert not (tmp_path / "s.png").exists()


def test_screenshot_with_an_overflowing_model_fails(huge_model, tmp_path, capsys):
    assert main(["--screenshot", str(tmp_path / "s.png"), "--model", str(huge_model)]) == 1
    assert "overflows at layer 3" in capsys.readouterr().err
