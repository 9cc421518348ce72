"""Issue 8, crashes: damaged or hostile model files, IDX headers and metadata give one clear error
(ModelFileError, IDXError, DatasetError; on the command line one line and exit 1), never another
exception or a traceback; the core hands the app clean data or a clean error."""

from __future__ import annotations

import gzip
import json
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest

from mlpviz.cli import main
from mlpviz.core.datasets import DatasetError, load_folder
from mlpviz.core.idx import IDXError, idx_bytes, read_idx_bytes
from mlpviz.core.model_file import FORMAT_VERSION, ModelFileError, read_model
from mlpviz.core.model_metadata import read_metadata
from mlpviz.core.network import Network

SIZES = [784, 16, 10]


@pytest.fixture
def net():
    return Network(SIZES, activation="relu", cost="cross_entropy", seed=3)


def _arrays(net, **changes):
    """The entries of the file `net.save` writes, some replaced (None: removed)."""
    with tempfile.TemporaryDirectory() as folder:
        net.save(Path(folder) / "valid.npz")
        with np.load(Path(folder) / "valid.npz") as z:
            arrays = {k: z[k] for k in z.files}
    arrays.update(changes)
    return {k: v for k, v in arrays.items() if v is not None}


def _npz(path, arrays):
    np.savez(path, **arrays)
    return path


def _no_traceback(capsys, code, expected_code=1):
    out, err = capsys.readouterr()
    assert code == expected_code
    assert "Traceback" not in err and err.startswith("mlpviz: error: ")
    assert err.count("\n") == 1
    return err


# --- model files ------------------------------------------------------------------------------


def test_a_zip_whose_member_is_not_npy_is_a_model_file_error(tmp_path, capsys):
    path = tmp_path / "m.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("sizes.npy", "hello")
    with pytest.raises(ModelFileError, match=r"'sizes.npy' is not a NumPy array"):
        read_model(path)
    for argv in (["evaluate", str(path)], ["trace", str(path), "--sample", "0", "--out",
                                           str(tmp_path / "t.json")]):
        err = _no_traceback(capsys, main(argv))
        assert "m.npz" in err and "AttributeError" not in err


def test_a_file_that_is_just_pk_is_not_called_pickled(tmp_path, capsys):
    path = tmp_path / "m.npz"
    path.write_bytes(b"PK")
    with pytest.raises(ModelFileError, match="not a model file") as info:
        read_model(path)
    assert "pickled" not in str(info.value)
    err = _no_traceback(capsys, main(["evaluate", str(path)]))
    assert "pickled" not in err


@pytest.mark.parametrize(("change", "message"), [
    ({"W0": np.ones((16, 784), dtype=np.int64)}, "'W0' must hold floating-point numbers"),
    ({"b1": np.ones(11)}, r"b1 has shape \(11,\), expected \(10,\)"),
    ({"sizes": np.array([784.0, 16.0, 10.0])}, "'sizes' must list at least two positive"),
    ({"sizes": np.array([[784, 16, 10]])}, "'sizes' must list at least two positive"),
    ({"sizes": np.array([784, 10**6, 10])}, "more than 10,000 neurons"),
    ({"activation": np.array(3)}, "'activation' must be a text value"),
    ({"metadata": np.array(["{}", "{}"])}, "'metadata' must be a text value"),
    ({"metadata": np.array("[" * 100_000)}, "'metadata' is not valid JSON"),
    ({"format_version": np.array("1")}, "'format_version' must be a whole number"),
])
def test_wrong_dtypes_and_shapes_are_model_file_errors(tmp_path, net, change, message):
    with pytest.raises(ModelFileError, match=message):
        read_model(_npz(tmp_path / "m.npz", _arrays(net, **change)))


def test_a_newer_format_version_is_refused_naming_the_version(tmp_path, net, capsys):
    path = _npz(tmp_path / "m.npz", _arrays(net, format_version=np.array(99)))
    with pytest.raises(ModelFileError, match="model format version 99 by a newer mlpviz; .* "
                                             f"reads versions up to {FORMAT_VERSION}"):
        read_model(path)
    assert "version 99" in _no_traceback(capsys, main(["evaluate", str(path)]))


def test_a_foreign_format_is_refused(tmp_path, net):
    path = _npz(tmp_path / "m.npz", _arrays(net, format=np.array("keras-model")))
    with pytest.raises(ModelFileError, match="a 'keras-model' file, not an mlpviz model"):
        read_model(path)


def test_an_older_file_without_format_entries_still_reads(tmp_path, net):
    path = _npz(tmp_path / "m.npz", _arrays(net, format=None, format_version=None))
    data = read_model(path)
    assert data.sizes == tuple(SIZES)
    np.testing.assert_array_equal(data.weights[0], net.weights[0])


def test_wrong_typed_history_entries_read_as_no_history(tmp_path, net):
    """Metadata the app would plot: every history value is checked (type and range) on read,
    so the status bar and the cost plot only ever get numbers."""
    good = {"epoch": 1, "train_cost": 0.5, "train_accuracy": 0.9, "test_cost": 0.6,
            "test_accuracy": 0.8, "seconds": 1.0, "samples_per_second": 100.0, "batches_seen": 80}
    assert len(read_metadata({"history": [good]}).history) == 1
    for bad in ({"test_accuracy": "75%"}, {"train_cost": [1]}, {"test_accuracy": 75.4},
                {"seconds": -1}, {"train_cost": -0.5}, {"samples_per_second": None},
                {"epoch": 1.5}, {"test_cost": {"a": 1}}):
        meta = {"epochs": 1, "history": [{**good, **bad}]}
        path = tmp_path / "m.npz"
        net.save(path, meta)
        record = read_metadata(read_model(path).metadata)
        assert record.history == () and record.epoch_ends == (), bad


# --- IDX --------------------------------------------------------------------------------------


def test_an_idx_header_declaring_255_dimensions_is_an_idx_error():
    header = bytes([0, 0, 0x08, 255]) + np.full(255, 2, dtype=">u4").tobytes()
    with pytest.raises(IDXError, match=r"declares shape \(2, 2, .*bytes of data; mlpviz reads "
                                       "at most"):
        read_idx_bytes(header + b"\0" * 16, name="x")
    with pytest.raises(IDXError, match="truncated"):
        read_idx_bytes(bytes([0, 0, 0x08, 255]) + np.ones(255, dtype=">u4").tobytes(), name="x")


def test_a_dataset_folder_with_a_255_dimension_file_is_a_dataset_error(tmp_path):
    images = np.zeros((3, 28, 28), np.uint8)
    labels = np.zeros(3, np.uint8)
    for split in ("train", "t10k"):
        (tmp_path / f"{split}-images-idx3-ubyte").write_bytes(idx_bytes(images))
        (tmp_path / f"{split}-labels-idx1-ubyte").write_bytes(idx_bytes(labels))
    bomb = bytes([0, 0, 0x08, 255]) + np.full(255, 7, dtype=">u4").tobytes()
    (tmp_path / "train-images-idx3-ubyte").write_bytes(gzip.compress(bomb))
    with pytest.raises(DatasetError, match="declares shape"):
        load_folder(tmp_path)


def test_model_metadata_json_round_trips_through_read_model(tmp_path, net):
    meta = {"epochs": 2, "history": [], "note": "x" * 1000}
    net.save(tmp_path / "m.npz", meta)
    assert read_model(tmp_path / "m.npz").metadata == json.loads(json.dumps(meta))
