"""Test set-up shared by every test: Qt runs offscreen, numbers are reproducible."""

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Bytecode is cached even where PYTHONDONTWRITEBYTECODE is set (__pycache__ is git-ignored):
# otherwise every test process (each pytest-xdist worker, each app a test starts in a
# subprocess) compiles mlpviz again and pytest rewrites all the test modules again, ~9 s of CPU
# per worker (`pytest --collect-only`: 14 s of CPU with it set, 4.6 s with the cache).
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Keep test runs away from the user's settings and data cache.
os.environ.setdefault("MLPVIZ_SETTINGS_ORG", "mlpviz-tests")
# English unless a test chooses: the app follows the system locale (LANGUAGE comes first).
os.environ["LANGUAGE"] = "en"
# … and away from each other: every test process (a pytest-xdist worker, or a second run on the
# same machine) keeps its settings files in a folder of its own, removed when it ends. Set before
# Qt reads it (QSettings looks at $XDG_CONFIG_HOME once).
import atexit  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402

_CONFIG_HOME = tempfile.mkdtemp(prefix="mlpviz-tests-config-")
os.environ["XDG_CONFIG_HOME"] = _CONFIG_HOME
atexit.register(shutil.rmtree, _CONFIG_HOME, ignore_errors=True)


import functools  # noqa: E402

import pytest  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

# Property tests are deterministic like the rest (the house rule): the same examples every run,
# on every machine, and no example database written into the checkout. A test's own @settings
# adds to this profile.
hypothesis_settings.register_profile("mlpviz", derandomize=True, database=None)
hypothesis_settings.load_profile("mlpviz")


@functools.lru_cache(maxsize=None)
def _bundled():
    """The bundled sample, read from disk once per run (its arrays are read-only)."""
    from mlpviz.core.datasets import load_bundled

    return load_bundled()


@functools.lru_cache(maxsize=None)
def _trained_default(steps: int):
    """The default network (seed 0) after `steps` mini-batches of the bundled data, as a Snapshot."""
    from mlpviz.core import Network, Snapshot, Trainer

    data = _bundled()
    trainer = Trainer(Network([784, 16, 16, 10], seed=0), data.train_images, data.train_labels,
                      seed=0)
    for _ in range(steps):
        trainer.step()
    return Snapshot.of(trainer.sync())


@pytest.fixture(scope="session")
def bundled():
    """The bundled MNIST sample (8,000 / 2,000), loaded once for the whole run."""
    return _bundled()


@functools.lru_cache(maxsize=None)
def _bundled_slice(n_train: int, n_test: int):
    """The first n_train training and n_test held-out samples of the bundled data."""
    from mlpviz.core.datasets import Dataset

    b = _bundled()
    return Dataset(f"{b.name} (first {n_train:,} / {n_test:,})", b.class_names,
                   b.train_images[:n_train], b.train_labels[:n_train],
                   b.test_images[:n_test], b.test_labels[:n_test])


@pytest.fixture(scope="session")
def bundled_slice():
    """`bundled_slice(n_train, n_test)`: the first samples of the bundled data (cached), for
    tests where the data's size is not the point."""
    return _bundled_slice


@pytest.fixture(scope="session")
def trained_default():
    """`trained_default(steps)`: the default network after that many mini-batches (cached)."""
    return _trained_default


@pytest.fixture(scope="session")
def write_dataset():
    """`write_dataset(folder, ds, n_train, n_test)`: the four MNIST-format IDX files holding the
    first n_train / n_test samples of dataset `ds`; returns the folder."""
    from mlpviz.core.idx import write_idx

    def write(folder, ds, n_train: int, n_test: int):
        folder.mkdir(parents=True, exist_ok=True)
        write_idx(folder / "train-images-idx3-ubyte", ds.train_images[:n_train].reshape(-1, 28, 28))
        write_idx(folder / "train-labels-idx1-ubyte", ds.train_labels[:n_train])
        write_idx(folder / "t10k-images-idx3-ubyte", ds.test_images[:n_test].reshape(-1, 28, 28))
        write_idx(folder / "t10k-labels-idx1-ubyte", ds.test_labels[:n_test])
        return folder

    return write


def _assert_same_lesson(a, b) -> None:
    """Every field of two core.lesson_file.LessonStates equal; arrays bit for bit (the same
    dtype, np.array_equal); the training record equal with NaN equal to NaN."""
    import dataclasses
    import json

    import numpy as np

    def same_arrays(p, q, what) -> None:
        assert (p is None) == (q is None), what
        assert p is None or (p.dtype == q.dtype and np.array_equal(p, q)), what

    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if f.name in ("weights", "biases"):
            assert len(x) == len(y), f.name
            for l, (p, q) in enumerate(zip(x, y)):
                same_arrays(p, q, f"{f.name}[{l}]")
        elif f.name == "drawing":
            same_arrays(x, y, f.name)
        elif f.name == "groups":
            assert {k: sorted(v) for k, v in x.items()} == {k: sorted(v) for k, v in y.items()}
            for section in x:
                for name in x[section]:
                    same_arrays(x[section][name], y[section][name], f"{section}/{name}")
        elif f.name == "record":
            assert json.dumps(x.as_dict()) == json.dumps(y.as_dict()), f.name
        else:
            assert x == y, f.name


@pytest.fixture(scope="session")
def assert_same_lesson():
    """`assert_same_lesson(a, b)`: every field of two LessonStates equal, arrays bit for bit."""
    return _assert_same_lesson
