"""Trace files: exactly the documented keys, values equal to the trace, exact round trips."""

import json

import numpy as np
import pytest

from mlpviz.core.network import Network
from mlpviz.core.trace_export import load_trace, save_trace, trace_arrays


@pytest.fixture(scope="module")
def trace():
    rng = np.random.default_rng(5)
    x = np.where(rng.random(784) < 0.2, rng.random(784), 0.0)
    return Network([784, 16, 16, 10], seed=4).backprop(x, 3)


def expected_keys(L):
    keys = {"x", "label", "activation", "cost", "C"}
    keys |= {f"a{l}" for l in range(L + 1)} | {f"grad_a{l}" for l in range(L + 1)}
    keys |= {f"z{l}" for l in range(1, L + 1)}
    for l in range(L):
        keys |= {f"W{l}", f"b{l}", f"grad_W{l}", f"grad_b{l}"}
    return keys


def assert_equal_to_trace(d, t):
    L = t.L
    assert set(d) == expected_keys(L)
    assert d["label"] == 3 and isinstance(d["label"], int)
    assert d["activation"] == "sigmoid" and d["cost"] == "mse"
    assert d["C"] == t.cost and isinstance(d["C"], float)
    np.testing.assert_array_equal(d["x"], t.x)
    np.testing.assert_array_equal(d["a0"], t.x)
    for l in range(L + 1):
        np.testing.assert_array_equal(d[f"a{l}"], t.a[l])
        np.testing.assert_array_equal(d[f"grad_a{l}"], t.grad_a[l])
    for l in range(1, L + 1):
        np.testing.assert_array_equal(d[f"z{l}"], t.z[l])
    for l in range(L):
        assert d[f"W{l}"].shape == (len(t.a[l + 1]), len(t.a[l]))  # as in the model file
        np.testing.assert_array_equal(d[f"W{l}"], t.W[l])
        np.testing.assert_array_equal(d[f"b{l}"], t.b[l])
        np.testing.assert_array_equal(d[f"grad_W{l}"], t.grad_w[l])
        np.testing.assert_array_equal(d[f"grad_b{l}"], t.grad_b[l])
    for k, v in d.items():
        if isinstance(v, np.ndarray):
            assert v.dtype == np.float64, k


def test_trace_arrays_has_exactly_the_keys(trace):
    assert_equal_to_trace(trace_arrays(trace), trace)


def test_npz_round_trip_is_exact(trace, tmp_path):
    path = tmp_path / "trace.npz"
    save_trace(trace, path)
    with np.load(path, allow_pickle=False) as z:
        assert set(z.files) == expected_keys(3)
        assert str(z["activation"]) == "sigmoid" and int(z["label"]) == 3
    assert_equal_to_trace(load_trace(path), trace)
    assert [p.name for p in tmp_path.iterdir()] == ["trace.npz"]  # no temporary files left


def test_json_round_trip_is_exact(trace, tmp_path):
    path = tmp_path / "trace.json"
    save_trace(trace, path)
    doc = json.loads(path.read_text())
    assert doc["format"] == "mlpviz-trace" and doc["version"] == 1
    assert set(doc) == expected_keys(3) | {"format", "version"}
    assert isinstance(doc["W1"][0], list) and isinstance(doc["W1"][0][0], float)
    assert_equal_to_trace(load_trace(path), trace)


def test_cross_entropy_names(tmp_path):
    t = Network([784, 5, 10], "relu", "cross_entropy", seed=0).backprop(np.linspace(0, 1, 784), 9)
    save_trace(t, tmp_path / "t.json")
    d = load_trace(tmp_path / "t.json")
    assert d["activation"] == "relu" and d["cost"] == "cross_entropy" and d["label"] == 9
    assert set(d) == expected_keys(2)


def test_bad_files(tmp_path, trace):
    (tmp_path / "junk.npz").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ValueError):
        load_trace(tmp_path / "junk.npz")
    (tmp_path / "other.json").write_text('{"format": "something-else"}')
    with pytest.raises(ValueError, match="not an mlpviz trace"):
        load_trace(tmp_path / "other.json")
    with pytest.raises(OSError):
        save_trace(trace, tmp_path / "missing-folder" / "t.npz")
