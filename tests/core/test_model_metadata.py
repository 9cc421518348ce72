"""The model file's training record: one builder (ModelMetadata.as_dict), one reader
(read_metadata) that checks every value and still reads files from before `batches_seen`."""

import json
import math

import pytest

from mlpviz.core.model_metadata import ModelMetadata, read_metadata
from mlpviz.core.training import EpochReport

KEYS = {"epochs", "batches_seen", "samples_seen", "history", "dataset", "dataset_name", "lr",
        "batch", "seed", "interrupted"}


def report(epoch: int, test_cost: float = 0.2) -> EpochReport:
    return EpochReport(epoch, 0.3 / epoch, 0.8, test_cost, 0.75, 1.5, 6000.0)


def _row(epoch: int) -> dict:
    """A history row as files before batches_seen held it."""
    return {"epoch": epoch, "train_cost": 0.1, "train_accuracy": 0.9, "test_cost": 0.2,
            "test_accuracy": 0.85, "seconds": 1.0, "samples_per_second": 8000.0}


@pytest.fixture
def record():
    return ModelMetadata(dataset="bundled", dataset_name="MNIST (bundled sample)", lr=3.0,
                         batch=100, seed=2, epochs=2, batches_seen=170, samples_seen=17_000,
                         history=(report(1), report(2)), epoch_ends=(80, 160))


def test_as_dict_holds_every_key_and_reads_back_equal(record):
    meta = record.as_dict()
    assert set(meta) == KEYS
    assert [row["batches_seen"] for row in meta["history"]] == [80, 160]
    assert read_metadata(json.loads(json.dumps(meta))) == record


def test_a_cost_never_measured_survives_the_round_trip():
    """No held-out split: the epoch's held-out cost is NaN, which JSON writes as NaN."""
    record = ModelMetadata(epochs=1, batches_seen=10, samples_seen=1000,
                           history=(report(1, test_cost=math.nan),), epoch_ends=(10,))
    back = read_metadata(json.loads(json.dumps(record.as_dict())))
    assert math.isnan(back.history[0].test_cost) and back.epoch_ends == (10,)


def test_history_and_epoch_ends_must_match():
    with pytest.raises(ValueError, match="2 epoch reports but 1"):
        ModelMetadata(history=(report(1), report(2)), epoch_ends=(80,))


def test_an_old_file_without_batch_counts_gets_them_estimated():
    """As the CLI wrote it before batches_seen: 8,000 samples an epoch in batches of 30 are
    ⌈8000 / 30⌉ = 267 batches (the last one short)."""
    old = {"epochs": 2, "history": [_row(1), _row(2)], "dataset": "bundled", "lr": 3.0,
           "batch": 30, "seed": 0, "samples_seen": 16_000 + 90}
    meta = read_metadata(old, train_size=8000)
    assert meta.epoch_ends == (267, 534)
    assert meta.batches_seen == 534 + 3
    whole_epochs = {**old, "samples_seen": 16_000}  # no training-set size: samples / epochs
    assert read_metadata(whole_epochs).epoch_ends == (267, 534)


def test_the_apps_old_batch_size_key_is_read():
    assert read_metadata({"batch_size": 40}).batch == 40
    assert read_metadata({"batch": 50, "batch_size": 40}).batch == 50


@pytest.mark.parametrize("key, value", [
    ("lr", "fast"), ("lr", -1.0), ("lr", float("inf")), ("batch", 0), ("batch", 2.5),
    ("batch", True), ("seed", -1), ("dataset", 7), ("dataset_name", ["x"]),
])
def test_a_value_of_the_wrong_kind_reads_as_not_known(key, value):
    assert getattr(read_metadata({key: value}), key) is None


@pytest.mark.parametrize("history", [
    "three epochs", [1, 2], [{"epoch": 1}], [_row(1), {**_row(2), "train_cost": "low"}],
    [{**_row(1), "epoch": 0}], [{**_row(1), "epoch": 1.5}],
])
def test_a_malformed_history_reads_as_none(history):
    meta = read_metadata({"history": history, "epochs": 3})
    assert (meta.history, meta.epoch_ends, meta.epochs) == ((), (), 3)


def test_counts_fall_back_to_safe_values():
    meta = read_metadata({"epochs": -2, "samples_seen": "many", "interrupted": "yes"})
    assert (meta.epochs, meta.samples_seen, meta.batches_seen, meta.interrupted) == (0, 0, 0, False)
    assert read_metadata({}) == ModelMetadata()


def test_an_int_beyond_any_float_reads_as_not_known():
    row = {"epoch": 1, "train_cost": 0.5, "train_accuracy": 0.8, "test_cost": 0.4,
           "test_accuracy": 0.75, "seconds": 1.0, "samples_per_second": 8000.0,
           "batches_seen": 10**400}
    meta = read_metadata({"epochs": 1, "batches_seen": 10**400, "samples_seen": 8000,
                          "history": [row]}, train_size=8000)
    assert meta.batches_seen == 80 and meta.epoch_ends == (80,)  # estimated, not 10**400
