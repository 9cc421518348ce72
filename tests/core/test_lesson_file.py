"""Lesson files: every field round-trips exactly, over many lessons; every kind of bad file (a
model file, a foreign zip, a newer or older version, truncated, hostile) is one LessonFileError
with a sentence saying which — never another exception."""

import dataclasses
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlpviz.core.lesson_file import (
    FORMAT_VERSION, LessonFileError, LessonState, read_lesson, write_lesson,
)
from mlpviz.core.model_metadata import ModelMetadata
from mlpviz.core.network import Network
from mlpviz.core.training import EpochReport

DATA = Path(__file__).parent.parent / "data"


def _report(epoch: int, rng) -> EpochReport:
    return EpochReport(epoch=epoch, train_cost=float(rng.random()),
                       train_accuracy=float(rng.random()), test_cost=float(rng.random()),
                       test_accuracy=float(rng.random()), seconds=float(rng.random()),
                       samples_per_second=1000 * float(rng.random()))


def lesson(seed: int = 0, sizes=(784, 16, 16, 10), epochs: int = 3, drawing: bool = True,
           groups: bool = True, **changes) -> LessonState:
    """A lesson with every field set, different for every seed."""
    rng = np.random.default_rng(seed)
    net = Network(list(sizes), "tanh" if seed % 2 else "sigmoid",
                  "cross_entropy" if seed % 3 else "mse", seed)
    record = ModelMetadata(epochs=epochs, batches_seen=50 * epochs, samples_seen=500 * epochs,
                           history=tuple(_report(e + 1, rng) for e in range(epochs)),
                           epoch_ends=tuple(50 * (e + 1) for e in range(epochs)))
    fields = dict(
        dataset="bundled", dataset_name="MNIST (bundled sample)", lr=float(rng.uniform(0.01, 5)),
        batch_size=int(rng.integers(1, 200)), seed=seed, record=record,
        sample=("train" if seed % 2 else "test", int(rng.integers(0, 500))),
        drawing=rng.random(sizes[0]) if drawing else None,
        drawing_label=int(rng.integers(0, sizes[-1])) if drawing else None,
        source="drawing" if drawing and seed % 2 else "sample",
        stage=int(rng.integers(0, 20)), theme="light" if seed % 2 else "dark",
        palette="colourblind" if seed % 2 else "default", presentation=bool(seed % 2),
        tab="backprop",
        groups={"checkpoints": {"W0": rng.normal(size=(4, sizes[1], sizes[0])),
                                "batches": np.arange(4, dtype=np.int64)},
                "baselines": {"label": np.array(["η 3 vs 0.3", "mse vs cross-entropy"]),
                              "cost": rng.random((2, 30))},
                "pins": {"which": np.array([[1, 3, 0]], dtype=np.int32),
                         "on": np.array([True])}} if groups else {},
    )
    fields.update(changes)
    return LessonState(tuple(sizes), net.activation, net.cost, tuple(net.weights),
                       tuple(net.biases), **fields)


@pytest.mark.parametrize("seed", range(6))
def test_every_field_round_trips_exactly(tmp_path, seed, assert_same_lesson):
    state = lesson(seed, drawing=seed != 3, groups=seed != 4)
    write_lesson(tmp_path / "l.mlpviz", state)
    assert_same_lesson(read_lesson(tmp_path / "l.mlpviz"), state)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.lists(st.integers(1, 40), min_size=1, max_size=4),
       st.integers(0, 12))
def test_round_trip_over_many_networks(assert_same_lesson, seed, hidden, epochs):
    import tempfile

    state = lesson(seed, sizes=(784, *hidden, 10), epochs=epochs)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "l.mlpviz"
        write_lesson(path, state)
        assert_same_lesson(read_lesson(path), state)


def test_nan_costs_never_measured_round_trip(tmp_path):
    report = EpochReport(1, float("nan"), float("nan"), float("nan"), float("nan"), 1.0, 10.0)
    state = lesson(record=ModelMetadata(epochs=1, batches_seen=5, samples_seen=50,
                                        history=(report,), epoch_ends=(5,)))
    write_lesson(tmp_path / "l.mlpviz", state)
    back = read_lesson(tmp_path / "l.mlpviz").record
    assert back.epoch_ends == (5,) and np.isnan(back.history[0].test_accuracy)


def test_the_file_is_written_atomically(tmp_path, monkeypatch):
    path = tmp_path / "l.mlpviz"
    write_lesson(path, lesson(1))
    before = path.read_bytes()

    def broken(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez_compressed", broken)
    with pytest.raises(OSError, match="No space left"):
        write_lesson(path, lesson(2))
    assert path.read_bytes() == before  # the old lesson is whole
    assert [p.name for p in tmp_path.iterdir()] == ["l.mlpviz"]  # no temporary left


def test_the_manifest_is_plain_json_a_person_can_read(tmp_path):
    write_lesson(tmp_path / "l.mlpviz", lesson(1))
    with np.load(tmp_path / "l.mlpviz", allow_pickle=False) as f:
        manifest = json.loads(str(f["manifest"]))
        assert str(f["format"]) == "mlpviz-lesson" and int(f["format_version"]) == FORMAT_VERSION
    assert manifest["settings"]["seed"] == 1 and manifest["view"]["tab"] == "backprop"
    assert manifest["groups"]["checkpoints"] == ["W0", "batches"]


@pytest.mark.parametrize("change, message", [
    (dict(lr=0.0), "lr must be a finite number > 0"),
    (dict(lr=float("nan")), "lr must be"),
    (dict(batch_size=0), "batch_size must be"),
    (dict(seed=-1), "seed must be"),
    (dict(sample=("valid", 3)), "sample must be"),
    (dict(drawing=np.full(784, 2.0)), "the drawing must hold 784 pixels in 0 … 1"),
    (dict(drawing_label=10), "drawing_label must be a class 0 … 9"),
    (dict(source="webcam"), "source must be one of"),
    (dict(theme="pink"), "theme must be one of"),
    (dict(tab="../etc"), "tab must be a short lower-case name"),
    (dict(groups={"Bad Name": {}}), "a section's name"),
    (dict(groups={"pins": {"a/b": np.zeros(1)}}), "an array's name"),
    (dict(groups={"pins": {"x": np.array([object()])}}), "numbers and text only"),
])
def test_a_state_no_lesson_has_is_refused_before_writing(change, message):
    valid = lesson()
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(valid, **change)


# -- bad files ---------------------------------------------------------------------------------
def _valid_members(tmp_path) -> dict[str, np.ndarray]:
    write_lesson(tmp_path / "ok.mlpviz", lesson(1))
    with np.load(tmp_path / "ok.mlpviz", allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def _npz(path, arrays) -> Path:
    with open(path, "wb") as f:  # a file object: np.savez adds no ".npz"
        np.savez(f, **arrays)
    return Path(path)


def _manifest_with(tmp_path, edit) -> Path:
    members = _valid_members(tmp_path)
    manifest = json.loads(str(members["manifest"]))
    edit(manifest)
    members["manifest"] = np.array(json.dumps(manifest))
    return _npz(tmp_path / "bad.mlpviz", members)


def _refused(path, *words) -> str:
    with pytest.raises(LessonFileError) as caught:
        read_lesson(path)
    message = str(caught.value)
    assert str(path) in message
    for word in words:
        assert word in message, message
    return message


def test_a_newer_format_version_says_update_mlpviz(tmp_path):
    members = _valid_members(tmp_path)
    members["format_version"] = np.array(FORMAT_VERSION + 1)
    _refused(_npz(tmp_path / "new.mlpviz", members),
             f"lesson format version {FORMAT_VERSION + 1} by a newer mlpviz", "update mlpviz")


def test_an_older_format_version_that_never_existed_is_named(tmp_path):
    members = _valid_members(tmp_path)
    members["format_version"] = np.array(0)
    _refused(_npz(tmp_path / "old.mlpviz", members), "lesson format version 0 does not exist")


def test_the_version_1_file_kept_in_the_tests_still_opens():
    """A lesson written by the first format stays readable when the format moves on."""
    state = read_lesson(DATA / "lesson-v1.mlpviz")
    assert state.sizes == (784, 3, 10) and state.sample == ("test", 7)
    assert state.stage == 4 and state.groups["pins"]["which"].tolist() == [[1, 2, 0]]


def test_a_model_file_is_told_to_open_as_a_model(tmp_path):
    net = Network([784, 16, 10], seed=0)
    net.save(tmp_path / "m.npz")
    _refused(tmp_path / "m.npz", "an mlpviz model file, not a lesson", "File › Open model")


def test_an_old_model_file_without_format_is_told_apart(tmp_path):
    members = {k: v for k, v in _valid_members(tmp_path).items()
               if k not in ("format", "format_version")}
    _refused(_npz(tmp_path / "m.npz", members), "an mlpviz model file", "not a lesson")


def test_a_foreign_npz_is_named(tmp_path):
    _refused(_npz(tmp_path / "x.mlpviz", {"format": np.array("keras-model")}),
             "a 'keras-model' file, not an mlpviz lesson")
    _refused(_npz(tmp_path / "y.mlpviz", {"images": np.zeros((3, 3))}), "not an mlpviz file")


def test_a_foreign_zip_is_not_a_lesson(tmp_path):
    path = tmp_path / "slides.mlpviz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    _refused(path, "not a NumPy array", "not a lesson file")


@pytest.mark.parametrize("cut", [0, 10, 200, 0.5, 0.9, -30])
def test_a_truncated_file_is_refused(tmp_path, cut):
    write_lesson(tmp_path / "ok.mlpviz", lesson(2))
    data = (tmp_path / "ok.mlpviz").read_bytes()
    n = int(len(data) * cut) if isinstance(cut, float) else cut
    (tmp_path / "cut.mlpviz").write_bytes(data[:n])
    _refused(tmp_path / "cut.mlpviz")


def test_flipped_bytes_never_escape_as_another_exception(tmp_path):
    write_lesson(tmp_path / "ok.mlpviz", lesson(2, sizes=(784, 4, 10)))
    data = bytearray((tmp_path / "ok.mlpviz").read_bytes())
    rng = np.random.default_rng(0)
    for trial in range(60):
        bad = bytearray(data)
        for i in rng.integers(0, len(bad), size=3):
            bad[i] ^= int(rng.integers(1, 256))
        (tmp_path / "bad.mlpviz").write_bytes(bytes(bad))
        try:
            read_lesson(tmp_path / "bad.mlpviz")
        except LessonFileError:
            pass


def test_a_folder_and_a_missing_file_are_named(tmp_path):
    _refused(tmp_path / "none.mlpviz", "no such file")
    (tmp_path / "dir.mlpviz").mkdir()
    _refused(tmp_path / "dir.mlpviz", "is a folder")


def test_a_decompression_bomb_is_refused_from_its_header(tmp_path):
    """A small file declaring a huge section is refused before anything is inflated."""
    members = _valid_members(tmp_path)
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": "<f8", "fortran_order": False, "shape": (10**9,)})
    path = _npz(tmp_path / "bomb.mlpviz", members)
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("group/pins/huge.npy", buffer.getvalue())
    _refused(path)


def test_a_huge_text_in_a_section_is_refused_from_its_header(tmp_path):
    members = _valid_members(tmp_path)
    members["group/pins/which"] = np.array(["x" * 5000])
    _refused(_npz(tmp_path / "t.mlpviz", members), "at most 4,096")


def test_pickled_objects_are_never_loaded(tmp_path):
    members = _valid_members(tmp_path)
    path = _npz(tmp_path / "p.mlpviz", members)
    with zipfile.ZipFile(path, "a") as z:
        buffer = io.BytesIO()
        np.save(buffer, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
        z.writestr("group/pins/obj.npy", buffer.getvalue())
    _refused(path, "pickled data is never loaded")


@pytest.mark.parametrize("edit, words", [
    (lambda m: m.pop("settings"), ["'manifest.settings' is missing"]),
    (lambda m: m["settings"].update(lr="fast"), ["'manifest.settings.lr' must be a finite"]),
    (lambda m: m["settings"].update(lr=-1), ["'manifest.settings.lr'"]),
    (lambda m: m["settings"].update(batch_size=2.5), ["'manifest.settings.batch_size'"]),
    (lambda m: m["settings"].update(seed=True), ["'manifest.settings.seed'"]),
    (lambda m: m["settings"].update(dataset=["a"]), ["'manifest.settings.dataset' must be text"]),
    (lambda m: m.update(stage=-3), ["'manifest.stage' must be a whole number ≥ 0"]),
    (lambda m: m.update(stage=10**30), ["'manifest.stage'"]),
    (lambda m: m.update(sample={"split": "valid", "index": 1}), ["sample must be"]),
    (lambda m: m.update(sample=[1, 2]), ["'manifest.sample' must be a JSON object"]),
    (lambda m: m["view"].update(presentation="yes"), ["'manifest.view.presentation'"]),
    (lambda m: m["view"].update(theme="pink"), ["theme must be one of"]),
    (lambda m: m["groups"].update(pins=["which", "which"]), ["'manifest.groups.pins'"]),
    (lambda m: m["groups"].update(pins=["which"]), ["groups and the file's arrays differ"]),
    (lambda m: m["groups"].update(extra=["a"]), ["differ", "group/extra/a"]),
    (lambda m: m["record"]["history"][0].update(test_accuracy=7.5),
     ["no training produces"]),
    (lambda m: m.update(source=None), ["'manifest.source' must be text"]),
])
def test_a_manifest_with_wrong_values_says_which_field(tmp_path, edit, words):
    _refused(_manifest_with(tmp_path, edit), *words)


@pytest.mark.parametrize("text, words", [
    ("{", ["not valid JSON"]), ("[" * 100_000, ["not valid JSON"]), ("[1, 2]", ["JSON object"]),
])
def test_a_manifest_that_is_not_a_json_object_is_refused(tmp_path, text, words):
    members = _valid_members(tmp_path)
    members["manifest"] = np.array(text)
    _refused(_npz(tmp_path / "j.mlpviz", members), *words)


@pytest.mark.parametrize("key, value, words", [
    ("W0", np.full((16, 784), np.nan), ["NaN or infinite"]),
    ("b1", np.zeros(3), ["b1 has shape"]),
    ("drawing", np.zeros(10), ["'drawing' must be 784"]),
    ("drawing", np.full(784, 3.0), ["the drawing must hold 784 pixels in 0 … 1"]),
    ("activation", np.array("swish"), ["unknown activation"]),
])
def test_wrong_arrays_are_refused(tmp_path, key, value, words):
    members = _valid_members(tmp_path)
    members[key] = value
    _refused(_npz(tmp_path / "a.mlpviz", members), *words)
