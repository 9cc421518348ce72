"""Datasets: the bundled sample, IDX folders, Fashion-MNIST, and where data is looked for."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mlpviz.core import datasets
from mlpviz.core.datasets import (
    DIGIT_NAMES,
    FASHION_NAMES,
    FASHION_SYSTEM_DIR,
    Dataset,
    DatasetError,
    available_datasets,
    load_dataset,
    load_folder,
)
from mlpviz.core.idx import write_idx
from mlpviz.core.paths import cache_dir


def write_folder(folder: Path, n_train: int = 12, n_test: int = 5, *, side: int = 28,
                 gz: bool = True, seed: int = 0) -> Path:
    """Write a small MNIST-format dataset (random images, labels 0..9) into `folder`."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    ext = ".gz" if gz else ""
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        write_idx(folder / f"{prefix}-images-idx3-ubyte{ext}",
                  rng.integers(0, 256, (n, side, side), dtype=np.uint8))
        write_idx(folder / f"{prefix}-labels-idx1-ubyte{ext}",
                  rng.integers(0, 10, n, dtype=np.uint8))
    return folder


@pytest.fixture
def data_home(tmp_path, monkeypatch) -> Path:
    """An empty cache folder in $MLPVIZ_DATA."""
    home = tmp_path / "cache"
    monkeypatch.setenv("MLPVIZ_DATA", str(home))
    return home


def test_bundled_sizes_and_dtypes(bundled):
    assert bundled.name == "MNIST (bundled sample)"
    assert bundled.class_names == DIGIT_NAMES
    assert bundled.train_images.shape == (8000, 784) and bundled.test_images.shape == (2000, 784)
    assert bundled.train_labels.shape == (8000,) and bundled.test_labels.shape == (2000,)
    for a in (bundled.train_images, bundled.train_labels, bundled.test_images, bundled.test_labels):
        assert a.dtype == np.uint8
    assert bundled.n_inputs == 784 and bundled.n_classes == 10


def test_bundled_is_stratified_and_shuffled(bundled):
    train = np.bincount(bundled.train_labels, minlength=10)
    test = np.bincount(bundled.test_labels, minlength=10)
    assert (train > 0).all() and (test > 0).all()
    assert np.abs(test - 0.2 * (train + test)).max() <= 1
    assert len(np.unique(bundled.train_labels[:50])) == 10  # mixed, not sorted by digit


def test_arrays_are_read_only(bundled):
    for a in (bundled.train_images, bundled.train_labels, bundled.test_images, bundled.test_labels,
              bundled.train_x()):
        with pytest.raises(ValueError, match="read-only"):
            a[0] = 1


def test_scaled_inputs(bundled):
    x = bundled.train_x()
    assert x.dtype == np.float32 and x.shape == (8000, 784)
    assert x.min() == 0.0 and x.max() == 1.0
    np.testing.assert_array_equal(x * 255, bundled.train_images)
    assert bundled.test_x().shape == (2000, 784)
    assert bundled.train_x() is x  # cached


def test_load_folder_gz_and_raw(tmp_path):
    for gz in (True, False):
        folder = write_folder(tmp_path / f"digits-{gz}", gz=gz)
        ds = load_folder(folder)
        assert ds.train_images.shape == (12, 784) and ds.test_images.shape == (5, 784)
        assert ds.class_names == DIGIT_NAMES
        assert ds.name == folder.name
        assert not ds.train_images.flags.writeable


def test_fashion_names_from_folder_name(tmp_path):
    ds = load_folder(write_folder(tmp_path / "My-Fashion-Set"))
    assert ds.class_names == FASHION_NAMES and ds.name == "Fashion-MNIST"


def test_missing_file_lists_what_was_looked_for(tmp_path):
    folder = write_folder(tmp_path / "d")
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DatasetError, match=r"looked for t10k-labels-idx1-ubyte\[\.gz\]"):
        load_folder(folder)


def test_not_a_folder(tmp_path):
    with pytest.raises(DatasetError, match="is not a folder"):
        load_folder(tmp_path / "nowhere")


def test_label_count_mismatch(tmp_path):
    folder = write_folder(tmp_path / "d")
    write_idx(folder / "train-labels-idx1-ubyte.gz", np.zeros(11, np.uint8))
    with pytest.raises(DatasetError, match="has 11 labels but train-images-idx3-ubyte.gz has 12"):
        load_folder(folder)


def test_labels_out_of_range(tmp_path):
    folder = write_folder(tmp_path / "d")
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", np.array([0, 1, 2, 10, 3], np.uint8))
    with pytest.raises(DatasetError, match=r"1 labels are outside 0\.\.9 \(first: 10\)"):
        load_folder(folder)


def test_image_size_must_be_28x28(tmp_path):
    folder = write_folder(tmp_path / "d", side=32)
    with pytest.raises(DatasetError, match=r"shape \(n, 28, 28\), got uint8 \(12, 32, 32\)"):
        load_folder(folder)


def test_corrupt_file_is_a_dataset_error(tmp_path):
    folder = write_folder(tmp_path / "d")
    path = folder / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(DatasetError, match="corrupt gzip"):
        load_folder(folder)


def test_dataset_validates_its_arrays():
    images = np.zeros((3, 784), np.uint8)
    with pytest.raises(DatasetError, match="labels must be integers of shape"):
        Dataset("x", DIGIT_NAMES, images, np.zeros(2, np.uint8), images, np.zeros(3, np.uint8))
    with pytest.raises(DatasetError, match="images must be uint8"):
        Dataset("x", DIGIT_NAMES, images.astype(float), np.zeros(3, np.uint8), images,
                np.zeros(3, np.uint8))
    ds = Dataset("x", DIGIT_NAMES, images, np.array([0, 1, 9]), images, np.zeros(3, np.int64))
    assert ds.train_labels.dtype == np.uint8 and ds.train_labels.tolist() == [0, 1, 9]


@pytest.mark.skipif(not (FASHION_SYSTEM_DIR / "train-images-idx3-ubyte.gz").exists(),
                    reason="Debian package dataset-fashion-mnist not installed")
def test_fashion_system_dir(data_home):
    ds = load_dataset("fashion")
    assert ds.name == "Fashion-MNIST" and ds.class_names == FASHION_NAMES
    assert ds.train_images.shape == (60000, 784) and ds.test_images.shape == (10000, 784)
    assert np.bincount(ds.test_labels).tolist() == [1000] * 10
    assert ("fashion", "Fashion-MNIST (60,000 / 10,000)") in available_datasets()


def test_cache_dir_env(monkeypatch, tmp_path):
    monkeypatch.setenv("MLPVIZ_DATA", str(tmp_path / "d"))
    assert cache_dir() == tmp_path / "d"
    monkeypatch.delenv("MLPVIZ_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "mlpviz"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_dir() == Path.home() / ".cache" / "mlpviz"


def test_mnist_from_cache(data_home):
    assert [spec for spec, _ in available_datasets()][0] == "bundled"
    assert "mnist" not in dict(available_datasets())
    with pytest.raises(DatasetError, match="mlpviz data download mnist"):
        load_dataset("mnist")
    write_folder(data_home / "mnist")
    assert "mnist" in dict(available_datasets())
    ds = load_dataset("mnist")
    assert ds.name == "MNIST" and ds.class_names == DIGIT_NAMES and len(ds.train_labels) == 12


def test_fashion_falls_back_to_cache(data_home, monkeypatch, tmp_path):
    monkeypatch.setattr(datasets, "FASHION_SYSTEM_DIR", tmp_path / "absent")
    with pytest.raises(DatasetError, match="mlpviz data download fashion"):
        load_dataset("fashion")
    write_folder(data_home / "fashion")
    ds = load_dataset("fashion")
    assert ds.class_names == FASHION_NAMES and ds.name == "Fashion-MNIST"


def test_download_flag_fetches_into_the_cache(data_home, monkeypatch):
    calls = []

    def fake_download(which, root=None, mirrors=None, progress=None):
        calls.append((which, root))
        progress(1, 1)
        return write_folder(root / which)

    monkeypatch.setattr("mlpviz.core.download.download_dataset", fake_download)
    seen = []
    ds = load_dataset("mnist", download=True, progress=lambda d, t: seen.append((d, t)))
    assert calls == [("mnist", data_home)] and seen == [(1, 1)]
    assert len(ds.test_labels) == 5


def test_spec_may_be_a_folder_path(tmp_path):
    folder = write_folder(tmp_path / "mine")
    assert load_dataset(str(folder)).name == "mine"
    with pytest.raises(DatasetError, match="unknown dataset 'nonsense'"):
        load_dataset("nonsense")


def test_resources_dir_holds_the_bundled_files():
    folder = datasets.resources_dir()
    assert (folder / "mnist-sample-train-images-idx3-ubyte.gz").is_file()
    assert (folder / "DATA.md").is_file()
