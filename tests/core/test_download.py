"""The downloader, against a local HTTP server that supports (or ignores) Range requests."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from mlpviz.core.datasets import load_folder
from mlpviz.core.download import (
    FASHION_FILES,
    MNIST_FILES,
    DownloadError,
    RemoteFile,
    Stall,
    download_dataset,
    download_file,
)
from mlpviz.core.idx import idx_bytes


@dataclass
class ServerState:
    """What the test server serves and how it misbehaves; it records each request's headers."""

    files: dict[str, bytes] = field(default_factory=dict)
    ignore_range: bool = False
    cut_after: int | None = None  # close the connection after this many body bytes
    requests: list[tuple[str, str | None]] = field(default_factory=list)  # (path, Range header)


class _Handler(http.server.BaseHTTPRequestHandler):
    state: ServerState  # set on a subclass per server

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.state.requests.append((self.path, self.headers.get("Range")))
        body = self.state.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        start = self._range_start(len(body))
        if start is None:
            return
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        self.send_header("Content-Length", str(len(body) - start))
        self.end_headers()
        payload = body[start:]
        if self.state.cut_after is not None:
            payload = payload[: self.state.cut_after]
            self.close_connection = True
        self.wfile.write(payload)

    def _range_start(self, size: int) -> int | None:
        """First byte to send (0 when Range is absent or ignored); None after replying 416."""
        header = self.headers.get("Range")
        if not header or self.state.ignore_range:
            return 0
        start = int(header.removeprefix("bytes=").split("-")[0])
        if start >= size:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        return start

    def log_message(self, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients hanging up mid-body is part of the tests


@pytest.fixture
def server():
    """(base URL, ServerState) of an HTTP server on 127.0.0.1 running in a thread."""
    state = ServerState()
    handler = type("Handler", (_Handler,), {"state": state})
    httpd = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


BLOB = np.random.default_rng(0).integers(0, 256, 300_000, dtype=np.uint8).tobytes()


def test_download_and_progress(server, tmp_path):
    base, state = server
    state.files["/blob"] = BLOB
    calls = []
    dest = download_file(base + "blob", tmp_path / "sub" / "blob.gz", sha(BLOB),
                         progress=lambda d, t: calls.append((d, t)))
    assert dest == tmp_path / "sub" / "blob.gz" and dest.read_bytes() == BLOB
    assert calls[-1] == (len(BLOB), len(BLOB)) and len(calls) > 2
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert not (tmp_path / "sub" / "blob.gz.part").exists()


def test_resume_from_part_uses_range(server, tmp_path):
    base, state = server
    state.files["/blob"] = BLOB
    dest = tmp_path / "blob"
    (tmp_path / "blob.part").write_bytes(BLOB[:100_000])
    calls = []
    download_file(base + "blob", dest, sha(BLOB), progress=lambda d, t: calls.append((d, t)))
    assert dest.read_bytes() == BLOB
    assert state.requests == [("/blob", "bytes=100000-")]
    assert calls[0][0] > 100_000 and calls[0][1] == len(BLOB)


def test_server_ignoring_range_restarts_cleanly(server, tmp_path):
    base, state = server
    state.files["/blob"] = BLOB
    state.ignore_range = True
    (tmp_path / "blob.part").write_bytes(b"stale bytes from some other file")
    calls = []
    download_file(base + "blob", tmp_path / "blob", sha(BLOB),
                  progress=lambda d, t: calls.append(d))
    assert (tmp_path / "blob").read_bytes() == BLOB
    assert state.requests[0][1] is not None and calls[0] <= 1 << 16


def test_complete_part_is_verified_without_refetching(server, tmp_path):
    base, state = server
    state.files["/blob"] = BLOB
    (tmp_path / "blob.part").write_bytes(BLOB)
    download_file(base + "blob", tmp_path / "blob", sha(BLOB))
    assert (tmp_path / "blob").read_bytes() == BLOB and len(state.requests) == 1


def test_stale_resumed_part_restarts_from_zero(server, tmp_path):
    base, state = server
    state.files["/blob"] = BLOB
    (tmp_path / "blob.part").write_bytes(b"x" * 1000)  # right length so far, wrong content
    download_file(base + "blob", tmp_path / "blob", sha(BLOB))
    assert (tmp_path / "blob").read_bytes() == BLOB
    assert state.requests == [("/blob", "bytes=1000-"), ("/blob", None)]


def test_checksum_mismatch_leaves_nothing(server, tmp_path):
    base, state = server
    state.files["/blob"] = BLOB
    with pytest.raises(DownloadError, match="checksum mismatch"):
        download_file(base + "blob", tmp_path / "blob", "0" * 64)
    assert list(tmp_path.iterdir()) == []


def test_connection_closed_mid_body_keeps_only_the_part(server, tmp_path):
    base, state = server
    state.files["/blob"] = BLOB
    state.cut_after = 120_000
    with pytest.raises(DownloadError, match="connection closed after 120000 of 300000 bytes"):
        download_file(base + "blob", tmp_path / "blob", sha(BLOB))
    assert [p.name for p in tmp_path.iterdir()] == ["blob.part"]
    state.cut_after = None
    download_file(base + "blob", tmp_path / "blob", sha(BLOB))  # resumes
    assert (tmp_path / "blob").read_bytes() == BLOB
    assert state.requests[-1] == ("/blob", "bytes=120000-")


def test_keyboard_interrupt_keeps_only_the_part(server, tmp_path):
    base, state = server
    state.files["/blob"] = BLOB

    def interrupt(done, total):
        if done > 100_000:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        download_file(base + "blob", tmp_path / "blob", sha(BLOB), progress=interrupt)
    assert [p.name for p in tmp_path.iterdir()] == ["blob.part"]
    assert 100_000 < (tmp_path / "blob.part").stat().st_size < len(BLOB)


def test_http_error_and_unreachable_server(server, tmp_path):
    base, _ = server
    with pytest.raises(DownloadError, match="HTTP 404"):
        download_file(base + "missing", tmp_path / "x", "0" * 64)
    with pytest.raises(DownloadError, match="cannot connect"):
        download_file("http://127.0.0.1:9/x", tmp_path / "x", "0" * 64, stall=Stall(seconds=2))
    assert list(tmp_path.iterdir()) == []


def _fake_dataset(state: ServerState, prefix: str) -> tuple[RemoteFile, ...]:
    """Serve four small MNIST-format files under `prefix`; return their RemoteFile entries."""
    rng = np.random.default_rng(3)
    files = []
    for split, n in (("train", 20), ("t10k", 6)):
        for kind, array in (("images-idx3", rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)),
                            ("labels-idx1", rng.integers(0, 10, n, dtype=np.uint8))):
            name = f"{split}-{kind}-ubyte.gz"
            data = gzip.compress(idx_bytes(array), mtime=0)
            state.files[prefix + name] = data
            files.append(RemoteFile(name, sha(data), len(data)))
    return tuple(files)


def test_dataset_mirror_fallback_and_skip(server, tmp_path):
    base, state = server
    files = _fake_dataset(state, "/good/")
    mirrors = (base + "broken/", base + "good")
    calls = []
    folder = download_dataset("mnist", root=tmp_path, mirrors=mirrors, files=files,
                              progress=lambda d, t: calls.append((d, t)))
    assert folder == tmp_path / "mnist"
    total = sum(f.size for f in files)
    assert calls[-1] == (total, total)
    assert [p for p, _ in state.requests][:2] == ["/broken/train-images-idx3-ubyte.gz",
                                                  "/good/train-images-idx3-ubyte.gz"]
    assert len(load_folder(folder).train_labels) == 20
    state.requests.clear()
    download_dataset("mnist", root=tmp_path, mirrors=mirrors, files=files)
    assert state.requests == []  # everything present and verified


def test_dataset_all_mirrors_fail(server, tmp_path):
    base, state = server
    files = _fake_dataset(state, "/good/")
    with pytest.raises(DownloadError, match="from any mirror") as info:
        download_dataset("fashion", root=tmp_path, mirrors=(base + "a/", base + "b/"), files=files)
    assert "a/train-images" in str(info.value) and "b/train-images" in str(info.value)
    with pytest.raises(ValueError, match="unknown dataset"):
        download_dataset("cifar", root=tmp_path)


def test_catalogue_is_well_formed():
    for files in (MNIST_FILES, FASHION_FILES):
        assert [f.name for f in files] == ["train-images-idx3-ubyte.gz",
                                           "train-labels-idx1-ubyte.gz",
                                           "t10k-images-idx3-ubyte.gz",
                                           "t10k-labels-idx1-ubyte.gz"]
        assert all(len(f.sha256) == 64 and set(f.sha256) <= set("0123456789abcdef") for f in files)


def test_fashion_sizes_agree_with_debian_files():
    """Debian re-gzipped Fashion-MNIST without the file name in the gzip header, so its .gz files
    have other checksums; their sizes must still be the upstream sizes minus that name."""
    system = Path("/usr/share/datasets/fashion-mnist")
    if not system.is_dir():
        pytest.skip("dataset-fashion-mnist not installed")
    for remote in FASHION_FILES:
        header_name = len(remote.name.removesuffix(".gz")) + 1  # NUL-terminated
        assert (system / remote.name).stat().st_size + header_name == remote.size
