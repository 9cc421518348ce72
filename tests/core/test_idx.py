"""IDX reader/writer: round trips, clear errors on corrupt input, and a fuzz test."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlpviz.core.idx import IDXError, idx_bytes, read_idx, read_idx_bytes, write_idx

DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]


def _sample(dtype, shape=(3, 4, 5)) -> np.ndarray:
    """Deterministic values spanning the dtype's range (shape `shape`)."""
    rng = np.random.default_rng(1)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=dtype)
    return (rng.standard_normal(shape) * 1e3).astype(dtype)


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_round_trip_every_dtype(tmp_path, dtype, suffix):
    array = _sample(dtype)
    path = tmp_path / f"a-idx3{suffix}"
    write_idx(path, array)
    back = read_idx(path)
    assert back.dtype == np.dtype(dtype) and back.dtype.isnative
    np.testing.assert_array_equal(back, array)
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == (suffix == ".gz")


@pytest.mark.parametrize("shape", [(7,), (2, 28, 28), (0, 28, 28), (1, 1, 1, 1)])
def test_round_trip_shapes(tmp_path, shape):
    array = np.arange(int(np.prod(shape)), dtype=np.uint8).reshape(shape)
    write_idx(tmp_path / "x.gz", array)
    np.testing.assert_array_equal(read_idx(tmp_path / "x.gz"), array)


def test_header_layout_is_big_endian():
    data = idx_bytes(np.array([[1, 2, 3]], dtype=np.int16))
    assert data == bytes([0, 0, 0x0B, 2, 0, 0, 0, 1, 0, 0, 0, 3, 0, 1, 0, 2, 0, 3])


def test_gzip_is_detected_by_content_not_name(tmp_path):
    array = _sample(np.uint8)
    (tmp_path / "plain.gz").write_bytes(idx_bytes(array))
    (tmp_path / "compressed").write_bytes(gzip.compress(idx_bytes(array)))
    np.testing.assert_array_equal(read_idx(tmp_path / "plain.gz"), array)
    np.testing.assert_array_equal(read_idx(tmp_path / "compressed"), array)


def test_gzip_output_is_deterministic(tmp_path):
    array = _sample(np.uint8)
    write_idx(tmp_path / "a.gz", array)
    write_idx(tmp_path / "b.gz", array)
    assert (tmp_path / "a.gz").read_bytes() == (tmp_path / "b.gz").read_bytes()


def test_write_is_atomic_and_leaves_no_temp_files(tmp_path, monkeypatch):
    path = tmp_path / "x.gz"
    write_idx(path, _sample(np.uint8))
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("mlpviz.core.idx.os.fsync", boom)
    with pytest.raises(OSError, match="disk full"):
        write_idx(path, np.zeros(5, np.uint8))
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["x.gz"]


def test_unsupported_dtype_is_rejected(tmp_path):
    with pytest.raises(IDXError, match="cannot store dtype int64"):
        write_idx(tmp_path / "x", np.zeros(3, dtype=np.int64))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x00\x00", "too short for an IDX header"),
        (b"\x01\x00\x08\x01\x00\x00\x00\x00", "bad magic 01 00 08 01"),
        (b"\x00\x00\x07\x01\x00\x00\x00\x00", "unknown dtype code 0x07"),
        (b"\x00\x00\x08\x00", "0 dimensions"),
        (b"\x00\x00\x08\x02\x00\x00\x00\x01", "truncated header"),
        (b"\x00\x00\x08\x01\x00\x00\x00\x05abc", "truncated: expected 5 bytes of data, got 3"),
        (b"\x00\x00\x0c\x01\x00\x00\x00\x02abcd", "truncated: expected 8 bytes of data, got 4"),
        (b"\x00\x00\x08\x01\x00\x00\x00\x02abcd", "2 trailing bytes"),
    ],
)
def test_corrupt_input_is_rejected_with_a_clear_message(tmp_path, data, message):
    path = tmp_path / "broken-idx"
    path.write_bytes(data)
    with pytest.raises(IDXError, match=message) as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_corrupt_gzip_names_the_file(tmp_path):
    good = gzip.compress(idx_bytes(_sample(np.uint8)))
    path = tmp_path / "images.gz"
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(IDXError, match="corrupt gzip") as info:
        read_idx(path)
    assert "images.gz" in str(info.value)
    flipped = bytearray(good)
    flipped[-6] ^= 0xFF  # inside the CRC/size trailer
    path.write_bytes(bytes(flipped))
    with pytest.raises(IDXError, match="corrupt gzip"):
        read_idx(path)


def test_bytes_entry_point_uses_name():
    with pytest.raises(IDXError, match="^upload: bad magic"):
        read_idx_bytes(b"\xff\xff\x08\x01", name="upload")
    assert read_idx_bytes(idx_bytes(np.array([4, 2], np.uint8))).tolist() == [4, 2]


_VALID = idx_bytes(_sample(np.int16, shape=(2, 3)))
_VALID_GZ = gzip.compress(_VALID, mtime=0)
_FUZZ = settings(max_examples=300, deadline=None, derandomize=True, database=None)


def check_only_idx_errors(data: bytes) -> None:
    """read_idx_bytes either gives an array or raises IDXError — never anything else."""
    try:
        result = read_idx_bytes(data)
    except IDXError as e:
        assert str(e)  # says what is wrong
    else:
        assert isinstance(result, np.ndarray)


@_FUZZ
@given(st.binary(max_size=64))
def test_fuzz_random_bytes(data):
    check_only_idx_errors(data)
    check_only_idx_errors(b"\x00\x00" + data)
    check_only_idx_errors(b"\x1f\x8b" + data)


@_FUZZ
@given(st.sampled_from([_VALID, _VALID_GZ]), st.data())
def test_fuzz_truncated_or_mutated_valid_files(valid, data):
    cut = data.draw(st.integers(0, len(valid)))
    check_only_idx_errors(valid[:cut])
    pos = data.draw(st.integers(0, len(valid) - 1))
    byte = data.draw(st.integers(0, 255))
    check_only_idx_errors(valid[:pos] + bytes([byte]) + valid[pos + 1 :])
