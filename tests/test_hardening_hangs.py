"""Issue 8, hangs and resource limits: decompression bombs are refused from their headers (or
stop as soon as they inflate past what they declare), costing under 200 MB of memory measured
in this process; the gradient check refuses what will not fit and stops on Ctrl-C; downloads
time out on a stalled connection and say what they are doing."""

from __future__ import annotations

import contextlib
import gzip
import http.server
import io
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mlpviz
from mlpviz import cli
from mlpviz.core.download import (
    DownloadError, RemoteFile, Stall, download_dataset, download_file,
)
from mlpviz.core.idx import IDXError, read_idx, read_idx_bytes
from mlpviz.core.model_file import ModelFileError, read_model
from mlpviz.core.network import Network

MB = 2**20
ROOT = Path(mlpviz.__file__).resolve().parents[1]


def _env() -> dict:
    """The environment of a subprocess running this checkout's mlpviz."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT),
                                                         os.environ.get("PYTHONPATH", "")])}
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
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
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
    about 2.3 MB deflated at level 1, which writes it 4 times faster than the default 6)."""
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


# --- header-declared sizes: fuzzed ------------------------------------------------------------


def _model_bytes_with_header(key: str, shape: tuple[int, ...], dtype: str) -> bytes:
    """A model file whose member `key` has a .npy header declaring `shape` and `dtype`, with only
    a few bytes of data behind it, and the zip's sizes made to agree with the header."""
    buf = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder:
        Network([784, 16, 10], seed=0).save(Path(folder) / "m.npz")
        with np.load(Path(folder) / "m.npz") as z:
            np.savez(buf, **{k: z[k] for k in z.files if k != key})
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": dtype, "fortran_order": False,
                                                  "shape": shape})
    with zipfile.ZipFile(buf, "a") as z:
        z.writestr(f"{key}.npy", header.getvalue() + b"\0" * 64)
    return buf.getvalue()


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(key=st.sampled_from(["W0", "b1", "sizes", "metadata", "extra"]),
       shape=st.lists(st.integers(0, 2**40), min_size=0, max_size=3).map(tuple),
       dtype=st.sampled_from(["<f8", "<i8", "<U10", "|u1"]))
def test_fuzzed_header_declared_sizes_are_refused_or_read(tmp_path_factory, key, shape, dtype):
    path = tmp_path_factory.mktemp("fuzz") / "m.npz"
    path.write_bytes(_model_bytes_with_header(key, shape, dtype))
    result = []
    assert _peak_bytes(lambda: result.append(read_model(path))) < 8 * MB  # what the file holds
    if result:
        assert key == "extra"  # an unknown member is never read
        assert result[0].sizes == (784, 16, 10)
    else:
        with pytest.raises(ModelFileError, match="m.npz"):
            read_model(path)


# --- downloads: a stalled connection ends, and says what it does ----------------------------


class _Trickle(http.server.BaseHTTPRequestHandler):
    """Announces `size` bytes, then sends one byte every `interval` seconds (or, with
    silent=True, accepts the request and sends nothing at all)."""

    size, interval, silent = 100_000, 0.1, False

    def do_GET(self):  # noqa: N802 (http.server's naming)
        if not self.headers_first():
            return
        try:
            for _ in range(self.size):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(self.interval)
        except OSError:  # the client gave up: what the test wants
            pass

    def headers_first(self) -> bool:
        if self.silent:
            time.sleep(5)
            return False
        self.send_response(200)
        self.send_header("Content-Length", str(self.size))
        self.end_headers()
        return True

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def _serving(**behaviour):
    """The base URL of a trickling server on 127.0.0.1, in a thread, for the block's duration."""
    handler = type("Handler", (_Trickle,), behaviour)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def test_a_trickling_transfer_stalls_out_and_keeps_the_part(tmp_path):
    calls = []
    with _serving() as base:
        t0 = time.monotonic()
        with pytest.raises(DownloadError, match=r"stalled: \d+ bytes in the last 1 s .*partial "
                                                r"data kept in x.gz.part"):
            download_file(base + "x.gz", tmp_path / "x.gz", "0" * 64,
                          progress=lambda d, t: calls.append(d), stall=Stall(1.0, 1000))
        assert time.monotonic() - t0 < 5
    assert calls and calls == sorted(calls)  # progress was reported while it trickled
    assert [p.name for p in tmp_path.iterdir()] == ["x.gz.part"]


def test_a_server_that_sends_nothing_times_out_without_claiming_partial_data(tmp_path):
    with _serving(silent=True) as base:
        with pytest.raises(DownloadError) as info:
            download_file(base + "x.gz", tmp_path / "x.gz", "0" * 64, stall=Stall(0.5, 1))
    assert "timed out" in str(info.value) or "stalled" in str(info.value)
    assert "partial data" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_no_network_does_not_claim_partial_data(tmp_path):
    with pytest.raises(DownloadError, match="cannot connect") as info:
        download_file("http://127.0.0.1:9/x.gz", tmp_path / "x.gz", "0" * 64)
    assert "partial data" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_a_dataset_download_says_what_it_does_and_moves_past_a_stalled_mirror(tmp_path):
    lines = []
    remote = RemoteFile("x.gz", "0" * 64, 100_000)
    with _serving() as stalled:
        with pytest.raises(DownloadError, match="from any mirror"):
            download_dataset("mnist", root=tmp_path, mirrors=[stalled, "http://127.0.0.1:9/"],
                             files=[remote], log=lines.append, stall=Stall(0.5, 1000))
    assert lines[0].startswith(f"downloading mnist (1 files, 0.1 MB) into {tmp_path / 'mnist'}")
    assert lines[1] == f"x.gz: from {stalled}x.gz"
    assert lines[2].startswith("x.gz: failed: ") and "stalled" in lines[2]
    assert lines[3] == "x.gz: from http://127.0.0.1:9/x.gz"
    assert "cannot connect" in lines[4]


# --- the gradient check: refused when it will not fit, and stopped by Ctrl-C -------------------


def test_gradcheck_refuses_a_network_that_will_not_fit_with_the_estimate(capsys, monkeypatch):
    monkeypatch.setattr(cli, "available_memory", lambda: 2 * 10**9)
    assert cli.main(["gradcheck", "--layers", "10000,10000"]) == 1
    err = capsys.readouterr().err
    params = 784 * 10_000 + 10_000 + 10_000 * 10_000 + 10_000 + 10_000 * 10 + 10
    need = params * cli.GRADCHECK_BYTES_PER_PARAMETER / 1e9
    assert (f"checking a 784 → 10000 → 10000 → 10 network ({params:,} parameters) needs about "
            f"{need:.1f} GB of memory and 2.0 GB are available") in err


def test_available_memory_is_a_plausible_number():
    have = cli.available_memory()
    assert have is None or 10**7 < have < 2**50


# `mlpviz` whose gradient check first says on stderr that it has begun (so Ctrl-C is sent
# during the check, however long the start-up takes on a loaded machine).
_ANNOUNCED_GRADCHECK = """
import sys
from mlpviz import cli
check = cli.check_gradient
def announced(*args, **kwargs):
    print("checking", file=sys.stderr, flush=True)
    return check(*args, **kwargs)
cli.check_gradient = announced
sys.exit(cli.main())
"""


def test_ctrl_c_stops_a_long_gradient_check_promptly(tmp_path):
    """--max-params 0 on 784 → 1000 → 1000 → 10 checks 1.8 M parameters (over a minute);
    Ctrl-C ends it within seconds, with exit 130 and one line."""
    with subprocess.Popen([sys.executable, "-c", _ANNOUNCED_GRADCHECK, "gradcheck", "--layers",
                           "1000,1000", "--max-params", "0"], env=_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        assert proc.stderr.readline() == "checking\n"
        assert proc.poll() is None, "the check ended before it could be interrupted"
        t0 = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        waited = time.monotonic() - t0
    assert proc.returncode == 130 and err.strip() == "mlpviz: error: interrupted"
    assert waited < 15


def test_a_named_pipe_given_as_a_model_is_refused_without_waiting(tmp_path, capsys):
    fifo = tmp_path / "m.npz"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer forever
    with pytest.raises(ModelFileError, match="not a regular file"):
        read_model(fifo)
    assert cli.main(["evaluate", str(fifo)]) == 1
    assert "not a regular file (a pipe or a device)" in capsys.readouterr().err


def test_an_address_space_limit_counts_as_the_memory_available(tmp_path):
    """`ulimit -v 3000000` (3 GB): the estimate is compared with it, not with the machine's RAM."""
    proc = subprocess.run(["bash", "-c", f"ulimit -v 3000000; exec {sys.executable} -m mlpviz "
                           "gradcheck --layers 10000,10000"], env=_env(), capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 1
    assert "needs about 15.1 GB of memory and 3.1 GB are available" in proc.stderr
