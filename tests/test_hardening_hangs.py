"""Issue 8, hangs and resource limits: decompression bombs are refused from their headers (or
stop as soon as they inflate past what they declare), costing under 200 MB of memory measured
in this process; the gradient check refuses what will not fit and stops on Ctrl-C; downloads
time out on a stalled connection and say what they are doing."""

from __future__ import annotations

import gzip
import io
import tracemalloc
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlpviz.core.idx import IDXError, read_idx, read_idx_bytes
from mlpviz.core.model_file import ModelFileError, read_model
from mlpviz.core.network import Network

MB = 2**20
BOMB_LIMIT = 200 * MB  # extra memory a bomb may cost, as the issue asks


def _peak_bytes(read) -> int:
    """Peak memory traced while calling read() (its exception, if any, is swallowed: the test
    checks it separately)."""
    tracemalloc.start()
    try:
        read()
    except (IDXError, ModelFileError):
        pass
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


def _zeros_gz(header: bytes, n_zeros: int) -> bytes:
    """gzip of header + n_zeros zero bytes, compressed in blocks (never held inflated)."""
    out = io.BytesIO()
    block = bytes(16 * MB)
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=1, mtime=0) as f:
        f.write(header)
        for _ in range(n_zeros // len(block)):
            f.write(block)
    return out.getvalue()


@pytest.fixture(scope="module")
def idx_bomb(tmp_path_factory):
    """A 1-dimensional uint8 IDX header declaring 1,000 bytes, then 512 MB of zeros, gzipped
    (about 2 MB on disk)."""
    path = tmp_path_factory.mktemp("bomb") / "train-labels-idx1-ubyte.gz"
    header = bytes([0, 0, 0x08, 1]) + (1000).to_bytes(4, "big")
    path.write_bytes(_zeros_gz(header + bytes(1000), 512 * MB))
    return path


def test_an_idx_gz_inflating_beyond_its_header_stops_early(idx_bomb):
    assert idx_bomb.stat().st_size < 4 * MB
    with pytest.raises(IDXError, match="more than 1,048,576 trailing bytes"):
        read_idx(idx_bomb)
    assert _peak_bytes(lambda: read_idx(idx_bomb)) < BOMB_LIMIT


def test_an_idx_header_declaring_gigabytes_is_refused_before_inflating(tmp_path):
    header = bytes([0, 0, 0x08, 3]) + np.array([2_000_000, 28, 28], dtype=">u4").tobytes()
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(_zeros_gz(header, 64 * MB))
    with pytest.raises(IDXError, match=r"declares shape \(2000000, 28, 28\) of uint8, "
                                       "1,568,000,000 bytes"):
        read_idx(path)
    assert _peak_bytes(lambda: read_idx(path)) < BOMB_LIMIT
    # A purpose-specific limit (labels: one byte per sample) refuses far smaller headers.
    with pytest.raises(IDXError, match="reads at most 100 bytes"):
        read_idx(path, max_bytes=100)


_FUZZ = settings(max_examples=40, deadline=None, derandomize=True, database=None)


@_FUZZ
@given(code=st.sampled_from([0x08, 0x0B, 0x0D, 0x0E]),
       dims=st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=4),
       body=st.integers(0, 4096), gz=st.booleans())
def test_fuzzed_header_declared_sizes_cost_what_the_file_holds(code, dims, body, gz):
    """Whatever the header declares, reading costs about what the file holds, never what the
    header says; the answer is an array of the declared shape or an IDXError."""
    data = bytes([0, 0, code, len(dims)]) + np.array(dims, dtype=">u4").tobytes() + bytes(body)
    if gz:
        data = gzip.compress(data, mtime=0)
    result = []
    peak = _peak_bytes(lambda: result.append(read_idx_bytes(data)))
    assert peak < 4 * MB  # what the blocks read cost; the arrays here are at most 4 kB
    if result:
        assert result[0].shape == tuple(dims)


def _npz_bomb(path, key: str, n_zeros: int, sizes=(784, 16, 10)) -> None:
    """A model file (sizes `sizes`) plus a member `key` holding n_zeros float64 zeros, deflated
    (written in blocks: never held in memory)."""
    net = Network(list(sizes), seed=0)
    net.save(path)
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False,
                                                  "shape": (n_zeros,)})
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as z:
        if f"{key}.npy" in z.namelist():
            raise ValueError("zipfile cannot replace a member; remove it from sizes instead")
        with z.open(f"{key}.npy", "w", force_zip64=True) as f:
            f.write(header.getvalue())
            block = bytes(16 * MB)
            for _ in range(n_zeros * 8 // len(block)):
                f.write(block)


@pytest.fixture(scope="module")
def npz_bomb(tmp_path_factory):
    """A model of sizes 784 → 16 → 10 whose file also holds 'W2': 64 M zeros (512 MB inflated,
    about 0.5 MB deflated)."""
    path = tmp_path_factory.mktemp("npz") / "m.npz"
    _npz_bomb(path, "W2", 64 * MB)
    return path


def test_an_npz_member_declaring_a_huge_array_is_never_inflated(npz_bomb):
    assert npz_bomb.stat().st_size < 4 * MB
    data = read_model(npz_bomb)  # W2 is not part of a 784 → 16 → 10 network: never read
    assert data.sizes == (784, 16, 10)
    assert _peak_bytes(lambda: read_model(npz_bomb)) < BOMB_LIMIT


def test_an_npz_whose_sizes_ask_for_the_huge_member_is_refused_from_the_header(tmp_path):
    path = tmp_path / "m.npz"
    Network([784, 16, 10], seed=0).save(path)
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["sizes"] = np.array([784, 10_000, 10_000, 10])
    np.savez(path, **arrays)
    with pytest.raises(ModelFileError, match=r"mean 107,960,010 parameters; mlpviz reads at "
                                             "most 20,000,000"):
        read_model(path)
    arrays["sizes"] = np.array([784, 16, 16])
    np.savez(path, **arrays)
    with zipfile.ZipFile(path) as z:
        assert "W1.npy" in z.namelist()
    with pytest.raises(ModelFileError, match=r"W1 has shape \(10, 16\), expected \(16, 16\)"):
        read_model(path)
