"""Model files: exact round trip, atomic writes, and every kind of bad file refused with a clear
ModelFileError (never another exception)."""

import io
import json
import os
import struct
import tempfile
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlpviz.core import model_file
from mlpviz.core.model_file import ModelFileError, read_model, write_model
from mlpviz.core.network import Network

SIZES = [784, 16, 16, 10]
META = {"epochs": 3, "history": [{"epoch": 1, "test_accuracy": 0.5}], "dataset": "bundled",
        "lr": 3.0, "batch": 100, "note": "π ≈ 3.14"}


@pytest.fixture
def net():
    return Network(SIZES, activation="tanh", cost="cross_entropy", seed=9)


@pytest.fixture
def valid_bytes(tmp_path, net):
    path = tmp_path / "valid.npz"
    net.save(path, META)
    return path.read_bytes()


def _arrays(net, **changes):
    """The entries of a valid model file, with some replaced (None: removed)."""
    arrays = {"format": np.array("mlpviz-model"), "format_version": np.array(1),
              "sizes": np.array(net.sizes), "activation": np.array(net.activation),
              "cost": np.array(net.cost), "metadata": np.array("{}")}
    for l, (W, b) in enumerate(zip(net.weights, net.biases)):
        arrays[f"W{l}"], arrays[f"b{l}"] = W, b
    arrays.update(changes)
    return {k: v for k, v in arrays.items() if v is not None}


def test_round_trip_is_exact(tmp_path, net):
    path = tmp_path / "m.npz"
    net.save(path, META)
    loaded, meta = Network.load_with_metadata(path)
    assert meta == META
    assert loaded.sizes == net.sizes
    assert (loaded.activation, loaded.cost) == ("tanh", "cross_entropy")
    for a, b in zip(net.weights + net.biases, loaded.weights + loaded.biases):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(Network.load(path).weights[0], net.weights[0])


def test_network_save_method_and_empty_metadata(tmp_path, net):
    path = tmp_path / "m.npz"
    net.save(path)
    assert Network.load_with_metadata(path)[1] == {}


def test_read_and_write_model_need_no_network(tmp_path):
    rng = np.random.default_rng(4)
    sizes = (6, 3, 2)
    weights = [rng.standard_normal((3, 6)).astype(np.float32), rng.standard_normal((2, 3))]
    biases = [rng.standard_normal(3), rng.standard_normal(2)]
    write_model(tmp_path / "m.npz", sizes, "relu", "mse", weights, biases, {"epochs": 2})
    data = read_model(tmp_path / "m.npz")
    assert (data.sizes, data.activation, data.cost, data.metadata) == (sizes, "relu", "mse",
                                                                        {"epochs": 2})
    for read, written in zip(data.weights + data.biases, weights + biases):
        assert read.dtype == np.float64
        np.testing.assert_array_equal(read, written.astype(np.float64))


def test_the_file_format_is_unchanged(tmp_path, net):
    """The README's format: these entries, these dtypes, metadata as JSON text."""
    net.save(tmp_path / "m.npz", META)
    with np.load(tmp_path / "m.npz") as z:
        entries = {k: z[k] for k in z.files}
    assert set(entries) == {"format", "format_version", "sizes", "activation", "cost",
                            "metadata", "W0", "b0", "W1", "b1", "W2", "b2"}
    assert (str(entries["format"]), int(entries["format_version"])) == ("mlpviz-model", 1)
    assert entries["sizes"].tolist() == SIZES and entries["sizes"].dtype == np.int64
    assert (str(entries["activation"]), str(entries["cost"])) == ("tanh", "cross_entropy")
    assert json.loads(str(entries["metadata"])) == META
    assert entries["W1"].shape == (16, 16) and entries["W1"].dtype == np.float64


def test_atomic_write_leaves_only_the_model(tmp_path, net):
    path = tmp_path / "m.npz"
    net.save(path, META)
    net.save(path, META)  # overwrite
    assert sorted(os.listdir(tmp_path)) == ["m.npz"]


def test_failed_write_keeps_the_old_file_and_no_temp_file(tmp_path, net, monkeypatch):
    path = tmp_path / "m.npz"
    net.save(path, META)
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(model_file.np, "savez_compressed", broken)
    with pytest.raises(OSError, match="disk full"):
        Network(SIZES, seed=1).save(path, META)
    assert sorted(os.listdir(tmp_path)) == ["m.npz"]
    assert path.read_bytes() == before


def _write(tmp_path, arrays):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    return path


def test_missing_file(tmp_path):
    with pytest.raises(ModelFileError, match="no such file"):
        read_model(tmp_path / "nope.npz")


def test_not_a_zip(tmp_path):
    path = tmp_path / "m.npz"
    path.write_text("sizes: 784, 16, 16, 10\n")
    with pytest.raises(ModelFileError, match="not a model file"):
        read_model(path)


def test_truncated_file(tmp_path, valid_bytes):
    path = tmp_path / "m.npz"
    path.write_bytes(valid_bytes[: len(valid_bytes) // 2])
    with pytest.raises(ModelFileError, match="truncated"):
        read_model(path)


def test_missing_weight_matrix(tmp_path, net):
    with pytest.raises(ModelFileError, match="missing W1"):
        read_model(_write(tmp_path, _arrays(net, W1=None)))


def test_wrong_shape(tmp_path, net):
    with pytest.raises(ModelFileError, match=r"W1 has shape \(16, 15\), expected \(16, 16\)"):
        read_model(_write(tmp_path, _arrays(net, W1=np.zeros((16, 15)))))


def test_nan_weight(tmp_path, net):
    W = net.weights[2].copy()
    W[3, 3] = np.nan
    with pytest.raises(ModelFileError, match="NaN"):
        read_model(_write(tmp_path, _arrays(net, W2=W)))


def test_unknown_activation(tmp_path, net):
    with pytest.raises(ModelFileError, match="unknown activation 'swish'"):
        read_model(_write(tmp_path, _arrays(net, activation=np.array("swish"))))


def test_bad_json_metadata(tmp_path, net):
    with pytest.raises(ModelFileError, match="metadata.*JSON"):
        read_model(_write(tmp_path, _arrays(net, metadata=np.array("{epochs: 3"))))


def test_metadata_must_be_an_object(tmp_path, net):
    with pytest.raises(ModelFileError, match="JSON object"):
        read_model(_write(tmp_path, _arrays(net, metadata=np.array(json.dumps([1, 2])))))


def test_not_a_model(tmp_path):
    with pytest.raises(ModelFileError, match="no 'sizes'"):
        read_model(_write(tmp_path, {"x": np.zeros(3)}))


def test_errors_name_the_file(tmp_path, net):
    with pytest.raises(ModelFileError, match="bad.npz"):
        read_model(_write(tmp_path, _arrays(net, b0=None)))


def test_pickled_arrays_are_refused(tmp_path, net):
    with pytest.raises(ModelFileError):
        read_model(_write(tmp_path, _arrays(net, activation=np.array([object()], dtype=object))))


def _valid_model_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "valid.npz"
        Network(SIZES, activation="tanh", cost="cross_entropy", seed=9).save(path, META)
        return path.read_bytes()


VALID = _valid_model_bytes()
_flips = st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(1, 255)), max_size=8)


@settings(max_examples=300, deadline=None)
@given(flips=_flips, length=st.one_of(st.none(), st.integers(0, len(VALID))))
def test_fuzzed_files_only_raise_model_file_error(flips, length):
    """Random byte flips and truncations of a valid file either still load or are refused
    with ModelFileError; nothing else escapes."""
    raw = bytearray(VALID)
    for i, xor in flips:
        raw[i] ^= xor
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        # A leaked file handle is test_truncated_file's business; here it would only make the
        # failure flaky (the warning fires whenever the garbage collector gets to it).
        warnings.simplefilter("ignore", ResourceWarning)
        path = Path(folder) / "fuzz.npz"
        path.write_bytes(bytes(raw[:length]))
        try:
            net, meta = Network.load_with_metadata(path)
        except ModelFileError:
            return
        except Exception as e:
            pytest.fail(f"load_with_metadata raised {type(e).__module__}.{type(e).__name__}: {e}")
    assert isinstance(meta, dict)
    assert all(np.isfinite(W).all() for W in net.weights)


def test_zip_with_corrupt_member_is_a_model_file_error(tmp_path, valid_bytes):
    """Flip bytes inside the compressed W0 member only (the central directory stays valid)."""
    with zipfile.ZipFile(io.BytesIO(valid_bytes)) as z:
        info = z.getinfo("W0.npy")
    local = info.header_offset  # the local header's name and extra lengths differ from the central one's
    name_len, extra_len = struct.unpack("<HH", valid_bytes[local + 26:local + 30])
    start = local + 30 + name_len + extra_len
    for offset in (10, 100, 1000, info.compress_size // 2):
        raw = bytearray(valid_bytes)
        raw[start + offset] ^= 0xFF
        path = tmp_path / "m.npz"
        path.write_bytes(bytes(raw))
        with pytest.raises(ModelFileError):
            read_model(path)
